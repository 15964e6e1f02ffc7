"""The raw-SQL floor: the drill's set operations with no framework at all.

Each drill phase is reported as a ratio to this: the same data shapes (a CRM
contacts table of 11 columns and its warehouse copy, a change log), the same
amount of work (10% of the records written badly, both tables snapshotted, scoped,
repaired and reconciled), written as the fewest plain statements a careful person
would use, through the stdlib ``sqlite3`` module or ``psycopg`` directly:

================  ===========================================================================
phase             statements
================  ===========================================================================
seed              bulk insert (``executemany`` / ``COPY``), the warehouse copy by INSERT SELECT
snapshot          ``CREATE TABLE AS`` of both tables, each with a unique index on ``id``
bad run           the bad values logged (INSERT SELECT) and written (one UPDATE), people's
                  later edits to 1% of them (logged and written), then the copy brought in
                  line with its trail
scope and tag     one join per table against the snapshot that flags each changed column
repair            the values to write, guarded against later human edits (the drill's own
                  join on the change log: no person wrote the field since the run last wrote
                  the record), then the trail and the write (below), and the copy likewise
reconcile         one join counting the pairs and the pairs that differ, two counts
================  ===========================================================================

Every write after the seed leaves the drill's trail, as the drill's store does: the
records that differ and their old and new values into a scratch table (one join),
from it one change-log row per changed field (one ``INSERT ... SELECT``) into a change
log with the drill's columns and its four indexes, then one ``UPDATE ... FROM``. The
floor is the limit of the drill's work, not of a lighter job: before this (issue 27)
the repair wrote no trail and checked only that a field still held the bad value.

On PostgreSQL the tables are ``UNLOGGED``, as the drill's backend makes its own, so a
ratio compares the same storage. The records' values are simple generated text (no
faker): the floor measures the database's work, not value generation. The snapshot is
taken before the bad run, as the last clean export, so the scope's join has something
to find.
"""

from __future__ import annotations

import random
import sqlite3
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.meter import peak_rss_mib, reset_peak_rss, seconds

__all__ = ["FLOOR_PHASES", "FloorFigure", "run_floor"]

COLUMNS = (
    "id", "first_name", "last_name", "email", "phone", "company", "status", "owner",
    "city", "notes", "updated_at",
)
DATA = COLUMNS[1:]
BAD_FIELDS = ("email", "phone")
STATUSES = ("lead", "active", "customer", "churned")
FLOOR_PHASES = ("seed", "snapshot", "bad run", "scope and tag", "repair", "reconcile")


@dataclass
class FloorFigure:
    name: str
    seconds: float
    peak_mib: float


def _rows(n: int) -> Iterator[tuple[Any, ...]]:
    for i in range(1, n + 1):
        first, last = f"First{i % 997}", f"Last{i % 1009}"
        yield (
            i, first, last, f"{first}.{last}{i}@example.com".lower(), f"+1-555-{i % 10_000:04d}",
            f"Company {i % 4093}", STATUSES[i % 4], f"owner{i % 17}", f"City {i % 613}",
            None if i % 3 else f"note {i}", f"2026-02-{1 + i % 28:02d}T10:00:00",
        )


class _Sql(ABC):
    """The few differences between the two databases, and nothing else."""

    name = ""
    distinct = "IS NOT"  # SQLite's IS NOT is IS DISTINCT FROM
    create = "CREATE TABLE"  # as the drill's backend creates its tables

    @abstractmethod
    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """Each database's driver does it its own way."""

    @abstractmethod
    def load(self, table: str, columns: Sequence[str], rows: Iterator[Sequence[Any]]) -> None:
        """Each database's driver does it its own way."""

    @abstractmethod
    def commit(self) -> None:
        """Each database's driver does it its own way."""

    @abstractmethod
    def keyed_copy(self, source: str, target: str) -> None:
        """A copy of a contacts table with ``id`` as its key, the fastest way each has."""

    @abstractmethod
    def close(self) -> None:
        """Each database's driver does it its own way."""

    @abstractmethod
    def analyze(self, table: str) -> None:
        """Statistics for a table just filled, where the drill's backend gathers them."""


class _Sqlite(_Sql):
    name = "sqlite"

    def __init__(self, path: Path) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None)
        for pragma in ("page_size=16384", "journal_mode=MEMORY", "synchronous=OFF",
                       "temp_store=MEMORY"):
            self.conn.execute(f"PRAGMA {pragma}")  # as the drill's SQLite backend does
        self.conn.execute("BEGIN")

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self.conn.execute(sql, params).fetchall()

    def load(self, table: str, columns: Sequence[str], rows: Iterator[Sequence[Any]]) -> None:
        marks = ", ".join("?" for _ in columns)
        self.conn.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)

    def commit(self) -> None:
        self.conn.execute("COMMIT")
        self.conn.execute("BEGIN")

    def keyed_copy(self, source: str, target: str) -> None:
        # An empty table declared like its source: SQLite copies records without
        # decoding them, and ``id`` is the rowid (faster than CREATE TABLE AS + index).
        cols = ", ".join(f"{c} TEXT" for c in DATA)
        self.execute(f"CREATE TABLE {target} (id INTEGER PRIMARY KEY, {cols})")
        self.execute(f"INSERT INTO {target} SELECT * FROM {source}")

    def close(self) -> None:
        self.conn.execute("COMMIT")
        self.conn.close()

    def analyze(self, table: str) -> None:
        """Nothing, as the drill's SQLite backend (it plans these joins well without)."""


class _Postgres(_Sql):
    name = "postgresql"
    distinct = "IS DISTINCT FROM"
    create = "CREATE UNLOGGED TABLE"

    def __init__(self, url: str) -> None:
        import psycopg

        self.conn = psycopg.connect(url)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        with self.conn.cursor() as cur:
            cur.execute(sql.replace("?", "%s"), params)
            return cur.fetchall() if cur.description else []

    def load(self, table: str, columns: Sequence[str], rows: Iterator[Sequence[Any]]) -> None:
        with self.conn.cursor() as cur, cur.copy(
            f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        ) as copy:
            for row in rows:
                copy.write_row(row)

    def commit(self) -> None:
        self.conn.commit()

    def keyed_copy(self, source: str, target: str) -> None:
        self.execute(f"{self.create} {target} AS SELECT * FROM {source}")
        self.execute(f"ALTER TABLE {target} ADD PRIMARY KEY (id)")

    def close(self) -> None:
        self.conn.commit()
        self.conn.close()

    def analyze(self, table: str) -> None:
        # As the drill's PostgreSQL backend does for the tables it fills mid-drill: a
        # planner guessing a scratch table's size picks plans that rescan it.
        self.execute(f"ANALYZE {table}")


RUN = "bench-run"
LOG = ("at", "actor_kind", "actor_name", "run_id", "batch_id", "table_name", "record_key",
       "op", "field", "old_value", "new_value")
"""The change log's columns, as the drill's store has them (:mod:`drills.fakes.changelog`)."""

PEOPLE_SHARE = 0.01
"""Of the records the run damaged, the share a person edits afterwards (the guard's work)."""


def _schema(db: _Sql) -> None:
    cols = ", ".join(f"{c} TEXT" for c in DATA)
    db.execute(f"{db.create} contacts (id INTEGER PRIMARY KEY, {cols})")
    db.execute(f"{db.create} wh_contacts (id INTEGER PRIMARY KEY, {cols})")
    serial = "INTEGER PRIMARY KEY" if db.name == "sqlite" else "BIGSERIAL PRIMARY KEY"
    db.execute(
        f"{db.create} changes (seq {serial}, at TEXT NOT NULL, actor_kind TEXT NOT NULL, "
        "actor_name TEXT NOT NULL, run_id TEXT, batch_id TEXT, table_name TEXT NOT NULL, "
        "record_key INTEGER NOT NULL, op TEXT NOT NULL, field TEXT NOT NULL, "
        "old_value TEXT, new_value TEXT)"
    )
    # The drill's four indexes (drills.fakes.store): each insert into the log keeps them.
    db.execute("CREATE INDEX ix_changes_run ON changes (run_id, batch_id)")
    db.execute("CREATE INDEX ix_changes_record ON changes "
               "(table_name, record_key, actor_kind, field, seq)")
    db.execute("CREATE INDEX ix_changes_at ON changes (at)")
    db.execute("CREATE INDEX ix_changes_table_seq ON changes (table_name, seq)")
    db.commit()


def _write(
    db: _Sql, table: str, source: str, fields: Sequence[str], at: str, actor: tuple[str, str],
    run_id: str | None = None,
) -> None:
    """Write ``fields`` of ``source`` (a query of ``id`` and those fields) into ``table``
    with the drill's trail: the differing records' old and new values side by side
    (one join), one log row per changed field, then one ``UPDATE ... FROM``."""
    pairs = ", ".join(f"t.{f} AS old_{f}, s.{f} AS new_{f}" for f in fields)
    differs = " OR ".join(f"t.{f} {db.distinct} s.{f}" for f in fields)
    db.execute(f"CREATE TEMPORARY TABLE pairs AS SELECT t.id, {pairs} FROM {table} AS t "
               f"JOIN ({source}) AS s ON s.id = t.id WHERE {differs}")
    db.analyze("pairs")
    logged = " UNION ALL ".join(
        f"SELECT ?, ?, ?, ?, NULL, ?, id, 'update', '{f}', old_{f}, new_{f} FROM pairs "
        f"WHERE old_{f} {db.distinct} new_{f}" for f in fields
    )
    who = (at, *actor, run_id, f"crm.{table.removeprefix('wh_')}")
    db.execute(f"INSERT INTO changes ({', '.join(LOG)}) {logged}", who * len(fields))
    sets = ", ".join(f"{f} = pairs.new_{f}" for f in fields)
    db.execute(f"UPDATE {table} SET {sets} FROM pairs WHERE pairs.id = {table}.id")
    db.execute("DROP TABLE pairs")


def _seed(db: _Sql, n: int) -> None:
    db.load("contacts", COLUMNS, _rows(n))
    names = ", ".join(COLUMNS)
    db.execute(f"INSERT INTO wh_contacts ({names}) SELECT {names} FROM contacts")


def _snapshot(db: _Sql) -> None:
    for table in ("contacts", "wh_contacts"):
        db.keyed_copy(table, f"snap_{table}")


def _bad_run(db: _Sql, n: int, bad: int, seed: int) -> None:
    targets = random.Random(seed).sample(range(1, n + 1), bad)
    db.execute("CREATE TEMPORARY TABLE targets (id INTEGER PRIMARY KEY)")
    db.load("targets", ("id",), iter([(k,) for k in targets]))
    note = "Attended the spring customer webinar"
    writes = {"notes": note, **dict.fromkeys(BAD_FIELDS, "")}
    for field, value in writes.items():
        db.execute(
            f"INSERT INTO changes ({', '.join(LOG)}) SELECT '2026-03-02T09:01:00', "
            f"'automation', 'reminders', '{RUN}', 'batch-1', 'crm.contacts', c.id, 'update', "
            f"'{field}', c.{field}, ? FROM contacts c "
            f"WHERE c.id IN (SELECT id FROM targets) AND c.{field} {db.distinct} ?",
            (value, value),
        )
    sets = ", ".join(f"{f} = ?" for f in writes)
    db.execute(
        f"UPDATE contacts SET {sets} WHERE id IN (SELECT id FROM targets)", tuple(writes.values())
    )
    # People go on editing: a share of the damaged records get a person's email later,
    # which the repair's guard must leave alone.
    edited = sorted(random.Random(seed + 1).sample(targets, max(1, round(bad * PEOPLE_SHARE))))
    db.execute("CREATE TEMPORARY TABLE edits (id INTEGER PRIMARY KEY, email TEXT)")
    db.load("edits", ("id", "email"), iter([(k, f"fixed.by.hand{k}@example.com")
                                           for k in edited]))
    _write(db, "contacts", "SELECT id, email FROM edits", ("email",),
           "2026-03-02T09:20:00", ("person", "ana"))
    _copy(db, "SELECT id FROM targets", "2026-03-02T09:25:00")


def _copy(db: _Sql, keys: str, at: str) -> None:
    """The warehouse copy of ``keys`` brought in line with the source, with its trail."""
    _write(db, "wh_contacts", f"SELECT * FROM contacts WHERE id IN ({keys})", DATA, at,
           ("sync", "copy crm.contacts -> warehouse.crm_contacts"))


def _scope(db: _Sql) -> None:
    db.execute(f"{db.create} scope (table_name TEXT, id INTEGER, "
                + ", ".join(f"{c}_changed BOOLEAN" for c in DATA) + ")")
    for table in ("contacts", "wh_contacts"):
        flags = [f"live.{c} {db.distinct} snap.{c}" for c in DATA]
        db.execute(
            f"INSERT INTO scope SELECT '{table}', live.id, {', '.join(flags)} "
            f"FROM {table} AS live JOIN snap_{table} AS snap ON snap.id = live.id "
            f"WHERE {' OR '.join(flags)}"
        )


def _repair(db: _Sql) -> None:
    # The guard (the drill's: no person wrote the field since the run last wrote the
    # record) read from the other side, as a careful person would: the few fields people
    # wrote after the run, from the change log (the run's last write per record found
    # through the drill's (table, record, actor kind, field, seq) index: max(seq + 0), as
    # the drill writes it, or SQLite walks the (table, seq) index backwards), then left
    # out of the values to write by one join.
    db.execute(
        "CREATE TEMPORARY TABLE guarded AS SELECT DISTINCT later.record_key, later.field "
        "FROM changes AS later WHERE later.table_name = 'crm.contacts' "
        "AND later.actor_kind = 'person' AND later.seq > coalesce(("
        "SELECT max(r.seq + 0) FROM changes AS r WHERE r.table_name = later.table_name "
        "AND r.record_key = later.record_key AND r.actor_kind = 'automation' "
        f"AND r.run_id = '{RUN}'), 0)"
    )
    db.analyze("guarded")
    values = ", ".join(
        f"CASE WHEN s.{f}_changed AND g_{f}.record_key IS NULL THEN snap.{f} ELSE c.{f} END "
        f"AS {f}" for f in BAD_FIELDS
    )
    guards = " ".join(
        f"LEFT JOIN guarded AS g_{f} ON g_{f}.record_key = c.id AND g_{f}.field = '{f}'"
        for f in BAD_FIELDS
    )
    source = (
        f"SELECT c.id, {values} FROM contacts AS c "
        "JOIN scope AS s ON s.table_name = 'contacts' AND s.id = c.id "
        f"JOIN snap_contacts AS snap ON snap.id = c.id {guards}"
    )
    _write(db, "contacts", source, BAD_FIELDS, "2026-03-02T10:30:00", ("repair", "floor"))
    _copy(db, "SELECT id FROM scope WHERE table_name = 'wh_contacts'", "2026-03-02T10:31:00")


def _reconcile(db: _Sql) -> None:
    # One pass over the pairs counts both the pairs and the pairs that differ; a row
    # missing on one side shows as a count that is not the pairs' count. (A GROUP BY
    # over both tables' rows, the textbook set compare, was measured too: four times
    # slower on SQLite at 1M rows and 300 MB of sort memory, so it is not the floor.)
    flags = " OR ".join(f"a.{c} {db.distinct} b.{c}" for c in DATA)
    pairs, differ = db.execute(
        f"SELECT count(*), count(CASE WHEN {flags} THEN 1 END) "
        "FROM contacts AS a JOIN wh_contacts AS b ON a.id = b.id"
    )[0]
    left = db.execute("SELECT count(*) FROM contacts")[0][0]
    right = db.execute("SELECT count(*) FROM wh_contacts")[0][0]
    if differ or not left == right == pairs:
        raise RuntimeError(f"the floor's repair left the copy behind: {differ} rows differ")


def run_floor(backend: str, target: str, records: int, *, seed: int = 1729) -> list[FloorFigure]:
    """Run every floor phase once on a fresh database; ``target`` is a file or a URL."""
    db: _Sql = _Sqlite(Path(target)) if backend == "sqlite" else _Postgres(target)
    bad = max(1, round(records * 0.10))
    steps: list[tuple[str, Callable[[], None]]] = [
        ("seed", lambda: _seed(db, records)),
        ("snapshot", lambda: _snapshot(db)),
        ("bad run", lambda: _bad_run(db, records, bad, seed)),
        ("scope and tag", lambda: _scope(db)),
        ("repair", lambda: _repair(db)),
        ("reconcile", lambda: _reconcile(db)),
    ]
    out: list[FloorFigure] = []
    try:
        _schema(db)
        for name, step in steps:
            reset_peak_rss()
            began = seconds()
            step()
            db.commit()
            out.append(FloorFigure(name, seconds() - began, peak_rss_mib()))
    finally:
        db.close()
    return out
