"""The repair sources' look-ups stay on the record's index (SQLite's query plans).

A look-up per damaged field that walks a table's whole change log grows with the square
of the drill's size: the export source's "first change after the export" once did
(``ORDER BY seq LIMIT 1`` ran through the (table, seq) index; 45 s of repair at 100,000
records). The plans are read with EXPLAIN QUERY PLAN on the statements the sources run.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from drills.fakes import ManualClock, SqliteBackend, SqlStore
from drills.levers import sources


def _plans(run: Any) -> list[str]:
    store = SqlStore(SqliteBackend(None), ManualClock(datetime(2026, 1, 1, tzinfo=UTC)))
    md = sa.MetaData()
    damage = sa.Table("damage", md, sa.Column("table_name", sa.Text),
                      sa.Column("record_key", sa.Integer), sa.Column("field", sa.Text),
                      sa.Column("right_value", sa.Text), sa.Column("source", sa.Text))
    md.create_all(store.engine)
    ran: list[Any] = []

    class Recording:
        def __init__(self, conn: sa.Connection) -> None:
            self.conn = conn

        def execute(self, statement: Any, *args: Any, **kw: Any) -> Any:
            ran.append(statement)
            return self.conn.execute(statement, *args, **kw)

    with store.engine.begin() as conn:
        run(Recording(conn), store.changelog, damage)
        plans = []
        for statement in ran:
            sql = str(statement.compile(store.engine, compile_kwargs={"literal_binds": True}))
            plans += [row[3] for row in conn.execute(sa.text("EXPLAIN QUERY PLAN " + sql))]
    store.close()
    assert ran, "the source ran no statement"
    return plans


def test_the_export_source_looks_up_each_field_by_its_record() -> None:
    plans = _plans(lambda conn, cl, damage: sources._from_export(
        conn, cl, damage, "2026-01-01T00:00:00"))
    on_changes = [p for p in plans if "_drills_changes" in p or "later" in p]
    assert on_changes
    assert all("ix_changes_record" in p or "PRIMARY KEY" in p for p in on_changes), plans
