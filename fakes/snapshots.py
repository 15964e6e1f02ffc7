"""Snapshots of live tables and set-based diffs against them.

Rule 3 of the discipline: snapshot the affected records before anyone edits by
hand. A snapshot here is a whole-table copy made inside the store, keyed on ``id``
(through the backend's ``copy_table``, the only dialect-specific part),
all tables in one transaction so they show one moment. A registry table remembers
every snapshot, so a later step (or a resumed drill) can find it by name.

The diff is one full outer join on ``id`` that flags each changed field with
``IS DISTINCT FROM``, so scoping a million-record table costs one query, not a loop.
:func:`diff_select` hands that query out for callers that want to join or count it;
:func:`diff_table` runs it for callers that want the answer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict

from drills.errors import DrillsError, did_you_mean
from drills.fakes.catalog import KEY, ColumnType, TableDef
from drills.fakes.store import SqlStore, format_time

__all__ = [
    "SNAPSHOT_REGISTRY",
    "Snapshot",
    "SnapshotError",
    "TableDiff",
    "diff_select",
    "diff_snapshot",
    "diff_table",
    "get_snapshot",
    "list_snapshots",
    "snapshot_table_name",
    "take_snapshot",
]

SNAPSHOT_REGISTRY = "_drills_snapshots"
"""The table that lists every snapshot: name, time, source table, copy table, row count."""

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)*")
_MAX_IDENTIFIER = 63  # PostgreSQL truncates longer names, which would make copies collide


class SnapshotError(DrillsError):
    """A snapshot that cannot be taken or found: a bad or taken name, a missing table."""


class Snapshot(BaseModel):
    """A named, timed copy of some tables, kept in the store beside the live ones."""

    model_config = ConfigDict(frozen=True)

    name: str
    at: datetime
    tables: dict[str, str]
    """Table qualname -> SQL name of its copy, e.g. ``snap_before__crm__contacts``."""
    row_counts: dict[str, int]
    """Table qualname -> number of records copied."""

    def table_for(self, qualname: str) -> str:
        """The SQL name of this snapshot's copy of ``qualname``."""
        try:
            return self.tables[qualname]
        except KeyError:
            raise SnapshotError(
                f"snapshot '{self.name}' holds no copy of '{qualname}'"
                f"{did_you_mean(qualname, self.tables)}; take a snapshot that includes it"
            ) from None


@dataclass(frozen=True)
class TableDiff:
    """How a live table differs from another copy of it (a snapshot or a loaded export)."""

    table: str
    other_table: str
    changed: Mapping[int, tuple[str, ...]] = field(default_factory=dict)
    """Key -> names of the fields whose values differ, sorted; records on both sides."""
    added: tuple[int, ...] = ()
    """Keys only in the live table, ascending."""
    removed: tuple[int, ...] = ()
    """Keys only in the other table, ascending."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "changed", MappingProxyType(dict(self.changed)))

    @property
    def is_empty(self) -> bool:
        return not (self.changed or self.added or self.removed)

    @property
    def changed_fields_count(self) -> int:
        """Number of (record, field) pairs that differ among records on both sides."""
        return sum(len(fields) for fields in self.changed.values())


def snapshot_table_name(name: str, table: TableDef) -> str:
    """The SQL name of snapshot ``name``'s copy of ``table``."""
    return f"snap_{name}__{table.sql_name}"


def take_snapshot(
    store: SqlStore,
    name: str,
    qualnames: Sequence[str] | None = None,
    *,
    systems: Sequence[str] | None = None,
) -> Snapshot:
    """Copy tables inside the store under ``name``; with no selection, every table.

    ``qualnames`` and ``systems`` may be combined; the snapshot holds their union.
    Each table is copied keyed on ``id`` (so diffs against it stay one indexed join);
    all copies share one transaction.
    """
    _check_name(name)
    defs = _chosen_tables(store, qualnames, systems)
    targets = {d.qualname: snapshot_table_name(name, d) for d in defs}
    longest = max(targets.values(), key=len)
    if len(_index_name(longest)) > _MAX_IDENTIFIER:
        room = len(name) - (len(_index_name(longest)) - _MAX_IDENTIFIER)
        raise SnapshotError(
            f"snapshot name '{name}' makes the name '{_index_name(longest)}' longer than "
            f"{_MAX_IDENTIFIER} characters; shorten the name to at most {room} characters"
        )
    at = store.clock.now()
    registry = _registry(store)
    registry.create(store.engine, checkfirst=True)
    with store.begin() as conn:
        taken = conn.scalar(
            sa.select(registry.c.name)
            .where(sa.func.lower(registry.c.name) == name.lower())
            .limit(1)
        )
        if taken is not None:
            raise SnapshotError(
                f"a snapshot named '{taken}' exists already (names ignore case); "
                "choose another name, e.g. "
                f"'{name}_2', so the earlier snapshot stays as it was"
            )
        inspector = sa.inspect(conn)
        clash = [t for t in targets.values() if inspector.has_table(t)]
        if clash:
            raise SnapshotError(
                f"table '{clash[0]}' exists already but is not a registered snapshot; "
                "choose another snapshot name or drop that table"
            )
        # The registry rows go first: on SQLite, DML opens the transaction that the
        # copies then join, so a failure part-way leaves neither rows nor copies.
        conn.execute(
            registry.insert(),
            [
                {"name": name, "qualname": q, "sql_table": t, "row_count": 0,
                 "at": format_time(at)}
                for q, t in targets.items()
            ],
        )
        counts: dict[str, int] = {}
        for d in defs:
            target = targets[d.qualname]
            counts[d.qualname] = store.backend.copy_table(
                conn, store.sa_table(d.qualname), target
            )
            conn.execute(
                registry.update()
                .where(registry.c.name == name, registry.c.qualname == d.qualname)
                .values(row_count=counts[d.qualname])
            )
    return Snapshot(name=name, at=at, tables=targets, row_counts=counts)


def get_snapshot(store: SqlStore, name: str) -> Snapshot:
    """The snapshot registered under ``name``."""
    for snap in list_snapshots(store):
        if snap.name == name:
            return snap
    known = [s.name for s in list_snapshots(store)]
    raise SnapshotError(
        f"no snapshot named '{name}'"
        + (did_you_mean(name, known) if known else "; take one with take_snapshot()")
    )


def list_snapshots(store: SqlStore) -> list[Snapshot]:
    """Every registered snapshot, oldest first."""
    registry = _registry(store)
    if not sa.inspect(store.engine).has_table(SNAPSHOT_REGISTRY):
        return []
    stmt = sa.select(registry).order_by(registry.c.at, registry.c.name, registry.c.qualname)
    grouped: dict[str, list[Any]] = {}
    with store.engine.connect() as conn:
        for row in conn.execute(stmt):
            grouped.setdefault(row.name, []).append(row)
    return [
        Snapshot(
            name=name,
            at=datetime.fromisoformat(rows[0].at),
            tables={r.qualname: r.sql_table for r in rows},
            row_counts={r.qualname: r.row_count for r in rows},
        )
        for name, rows in grouped.items()
    ]


def diff_select(
    store: SqlStore, qualname: str, other_table: str
) -> sa.Select[*tuple[Any, ...]]:
    """One statement listing every record that differs between live and ``other_table``.

    Columns: ``id``; ``in_live`` and ``in_other`` (booleans); and one boolean
    ``<field>_changed`` per data field (``live.f IS DISTINCT FROM other.f``, so NULLs
    compare as values). Only rows with some difference are returned, unordered.
    ``other_table`` must have the live table's fields (a snapshot or a loaded export)
    and a key or index on ``id``: SQLite runs an unindexed full join as a nested loop.
    """
    d = store.table(qualname)
    live = store.sa_table(qualname).alias("live")
    other = _lightweight(other_table, d).alias("other")
    flags = {f: live.c[f].is_distinct_from(other.c[f]) for f in d.data_fields}
    only_other = live.c[KEY].is_(None)
    only_live = other.c[KEY].is_(None)
    return (
        sa.select(
            sa.func.coalesce(live.c[KEY], other.c[KEY]).label(KEY),
            live.c[KEY].is_not(None).label("in_live"),
            other.c[KEY].is_not(None).label("in_other"),
            *(flag.label(f"{f}_changed") for f, flag in flags.items()),
        )
        .select_from(live.join(other, live.c[KEY] == other.c[KEY], full=True))
        .where(sa.or_(only_other, only_live, *flags.values()))
    )


def diff_table(store: SqlStore, qualname: str, other_table: str) -> TableDiff:
    """Run :func:`diff_select` and sort its rows into changed, added and removed."""
    d = store.table(qualname)
    if not sa.inspect(store.engine).has_table(other_table):
        raise SnapshotError(
            f"cannot diff {qualname}: there is no table named '{other_table}'; "
            "take a snapshot or load the export first"
        )
    fields = sorted(d.data_fields)
    changed: dict[int, tuple[str, ...]] = {}
    added: list[int] = []
    removed: list[int] = []
    stmt = diff_select(store, qualname, other_table)
    with store.engine.connect() as conn:
        for row in conn.execute(stmt).mappings():
            key = int(row[KEY])
            if not row["in_other"]:
                added.append(key)
            elif not row["in_live"]:
                removed.append(key)
            else:
                changed[key] = tuple(f for f in fields if row[f"{f}_changed"])
    return TableDiff(
        table=qualname,
        other_table=other_table,
        changed=dict(sorted(changed.items())),
        added=tuple(sorted(added)),
        removed=tuple(sorted(removed)),
    )


def diff_snapshot(store: SqlStore, snapshot: Snapshot, qualname: str) -> TableDiff:
    """How ``qualname`` has changed since ``snapshot`` was taken."""
    return diff_table(store, qualname, snapshot.table_for(qualname))


# -- internals ---------------------------------------------------------------------------


def _check_name(name: str) -> None:
    if not _NAME.fullmatch(name):
        raise SnapshotError(
            f"snapshot name {name!r} is not allowed; use letters, digits and single "
            "underscores, starting with a letter, e.g. 'before_repair'"
        )


def _chosen_tables(
    store: SqlStore, qualnames: Sequence[str] | None, systems: Sequence[str] | None
) -> list[TableDef]:
    present = store.tables
    if qualnames is None and systems is None:
        chosen: Iterable[TableDef] = present.values()
    else:
        picked: dict[str, TableDef] = {}
        for q in qualnames or ():
            picked[q] = store.table(q)
        for system in systems or ():
            if system not in store.catalog.systems:
                store.catalog.system_tables(system)  # raises with the catalog's suggestion
            found = [d for d in present.values() if d.system == system]
            if not found:
                in_world = sorted({d.system for d in present.values()})
                raise SnapshotError(
                    f"system '{system}' has no tables in this world; snapshot one of: "
                    f"{', '.join(in_world) or '(none yet)'}"
                )
            picked.update((d.qualname, d) for d in found)
        chosen = picked.values()
    defs = sorted(chosen, key=lambda d: d.qualname)
    if not defs:
        raise SnapshotError(
            "there is nothing to snapshot: this store has no tables yet; build the world first"
        )
    return defs


def _index_name(table: str) -> str:
    return f"ix_{table}"


def _registry(store: SqlStore) -> sa.Table:
    return store.declare_table(
        SNAPSHOT_REGISTRY,
        sa.MetaData(),
        sa.Column("name", sa.Text, primary_key=True),
        sa.Column("qualname", sa.Text, primary_key=True),
        sa.Column("sql_table", sa.Text, nullable=False),
        sa.Column("row_count", sa.Integer, nullable=False),
        sa.Column("at", sa.Text, nullable=False),
    )


def _lightweight(name: str, like: TableDef) -> sa.TableClause:
    """A Core handle on a table shaped like ``like`` that no metadata knows about."""
    return sa.table(
        name,
        *(
            sa.column(c.name, sa.Integer if c.type is ColumnType.INT else sa.Text)
            for c in like.columns
        ),
    )
