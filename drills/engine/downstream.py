"""Downstream damage: what the healthy syncs carried from damaged records.

The bad run's own truth covers the tables it wrote; the warehouse copy and the
field sync then spread it. After each sync run, damage whose wrong value now sits
in a downstream record is added to the ground truth for that record, with the
same right value, so scoping the warehouse is measured like scoping the source.

Each call looks only at what can have changed since the last one, per sync: the
damage recorded or changed since then (the truth's journal) and the downstream
records written since then (the change log). Whether a downstream record holds a
damaged value depends on nothing else, so the answer is the one a pass over all
the damage would give, at a cost that follows the bad run's reach, not the world.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import sqlalchemy as sa

from drills.fakes.active import CATALOG
from drills.fakes.catalog import KEY
from drills.fakes.store import SqlStore, Value
from drills.fakes.syncs import FieldSync, Sync, TableCopy
from drills.scenarios.truth import WHOLE_RECORD, Damage, DamageKind, GroundTruth

__all__ = ["propagate"]



def propagate(store: SqlStore, truth: GroundTruth, syncs: tuple[Sync, ...]) -> int:
    """Record downstream damage the syncs have copied so far; returns entries added.

    Every sync is judged against the truth as it stood when the call began (damage
    one sync spreads here is looked at for the next sync on the next call), so the
    downstream truth grows exactly as a full pass per call would grow it.
    """
    before = len(truth)
    upto = truth.position
    cl = store.changelog
    with store.engine.connect() as conn:
        seq = int(conn.scalar(sa.select(sa.func.max(cl.c.seq))) or 0)
    checks: list[Callable[[], list[Damage]]] = []
    for sync in syncs:
        if not isinstance(sync, TableCopy | FieldSync):
            continue
        seen, seen_seq = truth.cursors.get(sync.name, (0, 0))
        changed = truth.since(seen, upto)
        target = sync.target if isinstance(sync, TableCopy) else sync.target_table
        written = _written(store, target, seen_seq, seq)
        if isinstance(sync, TableCopy):
            checks.append(_copy(store, truth, sync, changed, written))
        else:
            checks.append(_field(store, truth, sync, changed, written))
        truth.cursors[sync.name] = (upto, seq)
    for check in checks:
        truth.record(check())
    return len(truth) - before


def _written(store: SqlStore, table: str, after: int, upto: int) -> list[int]:
    """Keys of ``table`` written (by anyone) with a change-log seq in (after, upto]."""
    if upto <= after:
        return []
    cl = store.changelog
    with store.engine.connect() as conn:
        return [
            int(k)
            for (k,) in conn.execute(
                sa.select(cl.c.record_key)
                .where(cl.c.table_name == table, cl.c.seq > after, cl.c.seq <= upto)
                .distinct()
                .order_by(cl.c.record_key)
            )
        ]


def _copy(
    store: SqlStore, truth: GroundTruth, sync: TableCopy, changed: list[Damage],
    written: list[int],
) -> Callable[[], list[Damage]]:
    """The copy's candidates now; the check, against the truth of that moment, later."""
    source, target = sync.source, sync.target
    place = {name: i for i, name in enumerate((*CATALOG.table(source).data_fields, WHOLE_RECORD))}
    candidates = {d.ident: d for d in changed if d.table == source}
    for key in written:
        entries = truth.of_record(source, key)
        if len(entries) > 1:
            entries.sort(key=lambda d: place[d.field])  # the table's field order
        for d in entries:
            candidates.setdefault(d.ident, d)
    names = sorted({d.field for d in candidates.values()} - {WHOLE_RECORD})
    rows = _rows_by(store, target, KEY, sorted({d.key for d in candidates.values()}), names)

    def check() -> list[Damage]:
        found = []
        for d in candidates.values():
            row = rows.get(d.key)
            if row is None or (target, d.key, d.field) in truth:
                continue
            if d.kind is DamageKind.EXTRA or row[d.field] == d.wrong != d.right:
                found.append(
                    Damage(target, d.key, d.field, d.kind, d.wrong, d.right, d.at, d.batch_id)
                )
        return found

    return check


def _field(
    store: SqlStore, truth: GroundTruth, sync: FieldSync, changed: list[Damage],
    written: list[int],
) -> Callable[[], list[Damage]]:
    """The field sync's candidates now; the check, against the truth of that moment, later."""

    def relevant(d: Damage | None) -> bool:
        return d is not None and d.field == sync.source_field and d.kind is not DamageKind.EXTRA

    sources = sorted({d.key for d in changed if d.table == sync.source_table and relevant(d)})
    columns = [sync.key, sync.target_field]
    rows = _rows_by(store, sync.target_table, sync.key, sources, columns)
    rows.update(_rows_by(store, sync.target_table, KEY, written, columns))
    table = CATALOG.table(sync.target_table).qualname
    pairs: list[tuple[int, Value, Damage]] = []
    for key, row in sorted(rows.items()):
        source_key = row[sync.key]
        if isinstance(source_key, int):
            d = truth.get((sync.source_table, source_key, sync.source_field))
            if d is not None and relevant(d):
                pairs.append((key, row[sync.target_field], d))

    def check() -> list[Damage]:
        found = []
        for key, value, d in pairs:
            ident = (table, key, sync.target_field)
            if ident not in truth and value == d.wrong != d.right:
                found.append(Damage(*ident, DamageKind.VALUE, d.wrong, d.right, d.at, d.batch_id))
        return found

    return check


def _rows_by(
    store: SqlStore, table: str, by: str, values: Sequence[int], names: Iterable[str]
) -> dict[int, dict[str, Value]]:
    """Records of ``table`` whose ``by`` field is in ``values``: id -> the ``names`` fields."""
    t = store.sa_table(table)
    wanted = (KEY, *(n for n in dict.fromkeys(names) if n != KEY))
    out: dict[int, dict[str, Value]] = {}
    if not values:
        return out
    with store.engine.connect() as conn:
        for row in store.read_keyed(conn, t, wanted, values, by=by):
            out[int(row[0])] = dict(zip(wanted, row, strict=True))
    return out
