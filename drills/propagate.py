"""Downstream damage: what the healthy syncs carried from damaged records.

The bad run's own truth covers the tables it wrote; the warehouse copy and the
field sync then spread it. After each sync run, damage whose wrong value now sits
in a downstream record is added to the ground truth for that record, with the
same right value, so scoping the warehouse is measured like scoping the source.
"""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa

from fakes.automations import fetch_records
from fakes.catalog import CATALOG, KEY
from fakes.store import SqlStore
from fakes.syncs import FieldSync, Sync, TableCopy
from scenarios.truth import Damage, DamageKind, GroundTruth

__all__ = ["propagate"]


def propagate(store: SqlStore, truth: GroundTruth, syncs: tuple[Sync, ...]) -> int:
    """Record downstream damage the syncs have copied so far; returns entries added."""
    before = len(truth)
    by_table: dict[str, list[Damage]] = defaultdict(list)
    for d in truth:
        by_table[d.table].append(d)
    for sync in syncs:
        if isinstance(sync, TableCopy):
            _copy(store, truth, by_table.get(sync.source, []), sync.target)
        elif isinstance(sync, FieldSync):
            _field(store, truth, by_table.get(sync.source_table, []), sync)
    return len(truth) - before


def _copy(store: SqlStore, truth: GroundTruth, damage: list[Damage], target: str) -> None:
    if not damage:
        return
    keys = sorted({d.key for d in damage})
    rows = {int(r[KEY]): r for r in fetch_records(store, target, keys)}  # type: ignore[arg-type]
    found = []
    for d in damage:
        row = rows.get(d.key)
        if row is None or (target, d.key, d.field) in truth:
            continue
        if d.kind is DamageKind.EXTRA or row[d.field] == d.wrong != d.right:
            found.append(
                Damage(target, d.key, d.field, d.kind, d.wrong, d.right, d.at, d.batch_id)
            )
    truth.record(found)


def _field(store: SqlStore, truth: GroundTruth, damage: list[Damage], sync: FieldSync) -> None:
    relevant = [
        d for d in damage if d.field == sync.source_field and d.kind is not DamageKind.EXTRA
    ]
    if not relevant:
        return
    table = CATALOG.table(sync.target_table)
    t = store.sa_table(sync.target_table)
    by_source = {d.key: d for d in relevant}
    keys = sorted(by_source)
    found = []
    with store.engine.connect() as conn:
        for i in range(0, len(keys), 5000):
            rows = conn.execute(
                sa.select(t.c[KEY], t.c[sync.key], t.c[sync.target_field]).where(
                    t.c[sync.key].in_(keys[i : i + 5000])
                )
            )
            for key, source_key, value in rows:
                d = by_source[int(source_key)]
                ident = (table.qualname, int(key), sync.target_field)
                if ident not in truth and value == d.wrong != d.right:
                    found.append(
                        Damage(*ident, DamageKind.VALUE, d.wrong, d.right, d.at, d.batch_id)
                    )
    truth.record(found)
