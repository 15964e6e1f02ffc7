"""The raw-SQL floor does the drill's work: its writes leave the trail, its repair the guard.

A floor that skipped the change log or the guard against later human edits would make
every drill phase look slower than it is against a job it does not do (issue 27).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from benchmarks.floor import BAD_FIELDS, FLOOR_PHASES, PEOPLE_SHARE, run_floor


def test_the_floors_repair_leaves_the_trail_and_spares_later_human_edits(
    tmp_path: Path,
) -> None:
    db = tmp_path / "floor.sqlite"
    records = 2_000
    figures = run_floor("sqlite", str(db), records)
    assert [f.name for f in figures] == list(FLOOR_PHASES)
    conn = sqlite3.connect(db)
    try:
        indexes = {r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'changes'")}
        assert indexes == {"ix_changes_run", "ix_changes_record", "ix_changes_at",
                           "ix_changes_table_seq"}
        edited = dict(conn.execute(
            "SELECT record_key, new_value FROM changes WHERE actor_kind = 'person'").fetchall())
        assert len(edited) == round(records * 0.10 * PEOPLE_SHARE)
        # The guard: a person's later value survives the repair, in the source and the copy.
        for key, value in edited.items():
            assert conn.execute("SELECT email FROM contacts WHERE id = ?", (key,)).fetchone() \
                == (value,)
            assert conn.execute("SELECT email FROM wh_contacts WHERE id = ?", (key,)).fetchone() \
                == (value,)
        # The repair put back every other blanked field, and logged each one it wrote.
        for field in BAD_FIELDS:
            blank = conn.execute(f"SELECT count(*) FROM contacts WHERE {field} = ''").fetchone()
            assert blank == (0,)
        repaired = conn.execute(
            "SELECT count(*), count(DISTINCT record_key) FROM changes "
            "WHERE actor_kind = 'repair' AND field IN ('email', 'phone')").fetchone()
        bad = round(records * 0.10)
        assert repaired == (2 * bad - len(edited), bad)
        # The copy's writes are logged too, as the drill's syncs log theirs.
        synced = conn.execute(
            "SELECT count(DISTINCT record_key) FROM changes WHERE actor_kind = 'sync'").fetchone()
        assert synced == (bad,)
    finally:
        conn.close()
