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
bad run           the bad values logged (INSERT SELECT) and written (one UPDATE), then copied
scope and tag     one join per table against the snapshot that flags each changed column
repair            one guarded ``UPDATE ... FROM`` (only fields still holding the bad value),
                  then the copy brought in line
reconcile         one join counting the pairs and the pairs that differ, two counts
================  ===========================================================================

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


def _schema(db: _Sql) -> None:
    cols = ", ".join(f"{c} TEXT" for c in DATA)
    db.execute(f"{db.create} contacts (id INTEGER PRIMARY KEY, {cols})")
    db.execute(f"{db.create} wh_contacts (id INTEGER PRIMARY KEY, {cols})")
    serial = "INTEGER PRIMARY KEY" if db.name == "sqlite" else "BIGSERIAL PRIMARY KEY"
    db.execute(
        f"{db.create} changes (seq {serial}, at TEXT, actor TEXT, run_id TEXT, "
        "table_name TEXT, record_key INTEGER, field TEXT, old_value TEXT, new_value TEXT)"
    )
    db.execute("CREATE INDEX ix_changes_run ON changes (run_id)")
    db.execute("CREATE INDEX ix_changes_record ON changes (table_name, record_key)")
    db.commit()


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
            "INSERT INTO changes (at, actor, run_id, table_name, record_key, field, "
            "old_value, new_value) SELECT '2026-03-02T09:01:00', 'automation', 'bench-run', "
            f"'crm.contacts', c.id, '{field}', c.{field}, ? FROM contacts c "
            f"WHERE c.id IN (SELECT id FROM targets) AND c.{field} {db.distinct} ?",
            (value, value),
        )
    sets = ", ".join(f"{f} = ?" for f in writes)
    db.execute(
        f"UPDATE contacts SET {sets} WHERE id IN (SELECT id FROM targets)", tuple(writes.values())
    )
    _copy(db, "SELECT id FROM targets")


def _copy(db: _Sql, keys: str) -> None:
    sets = ", ".join(f"{c} = src.{c}" for c in DATA)
    db.execute(
        f"UPDATE wh_contacts SET {sets} FROM contacts AS src "
        f"WHERE wh_contacts.id = src.id AND src.id IN ({keys})"
    )


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
    sets = ", ".join(
        f"{f} = CASE WHEN contacts.{f} = '' THEN snap.{f} ELSE contacts.{f} END"
        for f in BAD_FIELDS
    )
    guard = " OR ".join(f"contacts.{f} = ''" for f in BAD_FIELDS)
    db.execute(
        f"UPDATE contacts SET {sets} FROM snap_contacts AS snap WHERE snap.id = contacts.id "
        "AND contacts.id IN (SELECT id FROM scope WHERE table_name = 'contacts') "
        f"AND ({guard})"
    )
    _copy(db, "SELECT id FROM scope WHERE table_name = 'wh_contacts'")


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
