"""Build a seeded fake world in a store: the baseline a drill breaks and then repairs.

``build_world`` checks the whole description first (every table exists, every count
is a whole number within the limit) so bad input fails before anything is written,
creates the tables, and lays the records down with ``SqlStore.bulk_load``: the
baseline is deliberately not change-logged, because the change log must hold only
what happened during the drill.

Small worlds are built by the factories of :mod:`drills.fakes.factories` (one record at a
time, the readable definition); larger ones by the value pools of :mod:`drills.fakes.pools`
(a million contacts in seconds). Which one is used depends on the total record count
alone, so the same seed, counts and start always give the same world.

A drill's reruns (the baselines, each gap's cost) need that same world again. Rather
than seed it again (22-32% of a small drill), the drill keeps its freshly seeded
tables (``keep_template``: a SQLite image or file, a PostgreSQL schema; see the
backends' ``keep_seeded``) and each rerun forks from that :class:`WorldTemplate`
(``template``): the same pages or rows, so the same world, byte for byte. A template
is used only for a world of the same seed, start, counts, method and table shapes;
for any other the world is seeded as usual.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Literal

from drills.fakes.active import CATALOG
from drills.fakes.catalog import Catalog, TableDef
from drills.fakes.errors import WorldError
from drills.fakes.factories import build_records
from drills.fakes.pools import PoolWorld
from drills.fakes.sizes import MAX_RECORDS_PER_TABLE, MAX_TOTAL_RECORDS
from drills.fakes.spelling import normalise_start
from drills.fakes.store import SqlStore

__all__ = [
    "FACTORY_LIMIT",
    "MAX_RECORDS_PER_TABLE",
    "MAX_TOTAL_RECORDS",
    "Method",
    "World",
    "WorldTemplate",
    "build_world",
    "validate_counts",
]

FACTORY_LIMIT = 1_000
"""Worlds of at most this many records in all are built by the factories; larger by pools."""

Method = Literal["auto", "factories", "pools"]


@dataclass(frozen=True)
class WorldTemplate:
    """A seeded world kept to fork from: what made it (``key``) and the backend's handle.

    Lives as long as the backend that kept it (a PostgreSQL schema is dropped with the
    drill's); forked rerun processes inherit it. ``size`` is the records it holds.
    """

    key: tuple[object, ...]
    seeded: object = field(repr=False)
    size: int = 0


@dataclass(frozen=True)
class World:
    """A built world: where it lives and what rebuilds it (seed, start, counts)."""

    store: SqlStore
    seed: int
    start: datetime
    counts: Mapping[str, int]
    method: Literal["factories", "pools"] = field(default="pools", compare=False)
    template: WorldTemplate | None = field(default=None, compare=False)
    """The seeded world kept to fork reruns from (``build_world(keep_template=True)``)."""

    @property
    def tables(self) -> tuple[TableDef, ...]:
        return tuple(self.store.table(q) for q in self.counts)

    def summary(self) -> dict[str, int]:
        """Records per table now, in catalog order (``{"crm.contacts": 800, ...}``)."""
        return {q: self.store.count(q) for q in self.counts}


def validate_counts(counts: Mapping[str, object], catalog: Catalog = CATALOG) -> dict[str, int]:
    """Check a world's counts; returns them in catalog order, or raises one ``WorldError``.

    Unknown systems and tables raise the catalog's ``UnknownSystemError`` /
    ``UnknownTableError`` (with a did-you-mean); a count that is not a whole number,
    below zero or over :data:`MAX_RECORDS_PER_TABLE`, or counts that add up to more
    than :data:`MAX_TOTAL_RECORDS`, raise ``WorldError``.
    """
    checked: dict[str, int] = {}
    for qualname, count in counts.items():
        table = catalog.table(qualname)
        if table.system == catalog.warehouse:
            raise WorldError(
                f"{qualname} is a warehouse copy that a sync fills; leave it out of the "
                f"counts and give one for {table.copy_of} instead"
            )
        if isinstance(count, bool) or not isinstance(count, int):
            raise WorldError(
                f"count for {qualname} must be a whole number, got {count!r}; "
                f"write e.g. {qualname}=800"
            )
        if count < 0:
            raise WorldError(f"count for {qualname} must be 0 or more, got {count}")
        if count > MAX_RECORDS_PER_TABLE:
            raise WorldError(
                f"count for {qualname} is {count:,}, over the limit of "
                f"{MAX_RECORDS_PER_TABLE:,} records per table; lower it to "
                f"{MAX_RECORDS_PER_TABLE:,} or fewer (a drill's findings do not change "
                "past a few hundred thousand records)"
            )
        checked[qualname] = count
    total = sum(checked.values())
    if total > MAX_TOTAL_RECORDS:
        raise WorldError(
            f"the world would hold {total:,} records, over the limit of {MAX_TOTAL_RECORDS:,} "
            "in all tables together; lower the counts"
        )
    order = {q: i for i, q in enumerate(catalog.tables)}
    return dict(sorted(checked.items(), key=lambda item: order[item[0]]))


def build_world(
    store: SqlStore,
    counts: Mapping[str, int],
    *,
    seed: int,
    start: datetime,
    method: Method = "auto",
    template: WorldTemplate | None = None,
    keep_template: bool = False,
) -> World:
    """Create the tables named in ``counts`` in ``store`` and fill each with that many records.

    ``counts`` maps qualnames (``"crm.contacts"``) to record counts; ids run 1..n. Same
    seed, counts and start give the same world, byte for byte; another seed another
    world. ``method`` forces the factories or the pools (tests compare the two); by
    default worlds up to :data:`FACTORY_LIMIT` records use the factories.

    ``template`` forks the world from one kept earlier when it was made the same way
    (else it is seeded); ``keep_template`` keeps this one in ``World.template``.
    """
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise WorldError(f"a world's seed must be a whole number, got {seed!r}")
    checked = validate_counts(counts, store.catalog)
    start = normalise_start(start)
    defs = [store.catalog.table(q) for q in checked]
    for d in defs:
        if d.qualname in store.tables and store.count(d.qualname):
            raise WorldError(
                f"the store already holds {store.count(d.qualname):,} records in "
                f"{d.qualname}; build a world in a fresh store (a new database file)"
            )
    store.add_tables(defs)
    chosen: Literal["factories", "pools"]
    if method == "auto":
        chosen = "factories" if sum(checked.values()) <= FACTORY_LIMIT else "pools"
    else:
        chosen = method
    key = (seed, start.isoformat(), tuple(checked.items()), chosen, tuple(defs))
    tables = [store.sa_table(d.qualname) for d in defs]
    if template is not None and template.key == key and store.backend.fork_seeded(
        template.seeded, tables
    ):
        pass  # the same pages or rows the seed below would write
    elif chosen == "factories":
        records = build_records(checked, seed=seed, start=start, catalog=store.catalog)
        for d in defs:
            names = d.field_names
            store.bulk_load(
                d.qualname, names, (tuple(r[f] for f in names) for r in records[d.qualname])
            )
    else:
        pools = PoolWorld(checked, seed=seed, start=start, catalog=store.catalog)
        for d in defs:
            store.bulk_load(d.qualname, pools.columns(d.qualname), pools.rows(d.qualname))
    kept = (WorldTemplate(key, store.backend.keep_seeded(tables), sum(checked.values()))
            if keep_template else None)
    return World(
        store=store, seed=seed, start=start, counts=MappingProxyType(checked), method=chosen,
        template=kept,
    )
