"""Evaluation: the world's end state measured against the run's ground truth.

Every number the judge uses is measured here, never guessed: damage from the run's
ground truth, records left wrong and human edits overwritten from the world's final
state and the change log, the team's scope from its scope table. The findings
(:mod:`~drills.judging.observed`), the score (:mod:`~drills.judging.points`) and the
report (:mod:`~drills.judging.report`) read an :class:`Evaluation`, never the store.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import sqlalchemy as sa

from drills.engine.loop import DrillResult
from drills.fakes.active import CATALOG
from drills.fakes.catalog import KEY
from drills.fakes.store import SqlStore
from drills.levers.counts import reconcile
from drills.levers.repair import CORRECTION
from drills.levers.scope import scope_table
from drills.reports.model import Reconcile
from drills.scenarios.schema import FieldSyncSpec
from drills.scenarios.truth import Damage, DamageKind, read_values

__all__ = ["Evaluation", "FieldId", "evaluate", "in_system", "size", "system_of"]


@dataclass(frozen=True)
class Evaluation:
    """The end state of the world, judged against ground truth."""

    damaged: dict[str, set[int]]
    damaged_after_detection: dict[str, set[int]]
    left_wrong: dict[str, set[int]]
    human_edits_overwritten: int
    duplicates_left: int
    reconciled: list[Reconcile]
    scoped: dict[str, set[int]]
    sent_wrongly: int = 0
    """Damaged records that had already taken effect outside the world (a message sent):
    never undone, at best followed by a correction; customer-facing harm either way."""

    @property
    def records_damaged(self) -> int:
        return sum(len(v) for v in self.damaged.values())

    @property
    def records_left_wrong(self) -> int:
        return sum(len(v) for v in self.left_wrong.values())


def system_of(table: str) -> str:
    """The system a qualified table name belongs to: ``crm.contacts`` -> ``crm``."""
    return table.split(".")[0]


def in_system(by_table: Mapping[str, set[int]], system: str) -> dict[str, set[int]]:
    """The tables of ``by_table`` that belong to ``system``."""
    return {t: keys for t, keys in by_table.items() if system_of(t) == system}


def size(by_table: Mapping[str, set[int]]) -> int:
    """How many records ``by_table`` holds over all its tables."""
    return sum(len(keys) for keys in by_table.values())


def evaluate(result: DrillResult) -> Evaluation:
    """Compare the world's final state with ground truth and the change log."""
    store = result.store
    truth = result.run.truth
    detected = result.detection.at if result.detection else None
    damaged: dict[str, set[int]] = defaultdict(set)
    after: dict[str, set[int]] = defaultdict(set)
    for d in truth:
        damaged[d.table].add(d.key)
        if detected is not None and d.at > detected:
            after[d.table].add(d.key)
    upstream = _Upstream(result)
    fields = [d.ident for d in truth if d.kind is not DamageKind.EXTRA]
    governed = {*fields, *upstream.all(fields)}
    person, overwritten = _person_history(result, governed)
    values = read_values(store, governed)
    marks = read_values(store, [_mark(d.table, d.key) for d in truth if d.kind is DamageKind.EXTRA])
    gone_out, corrected = _sent(store, truth)
    left: dict[str, set[int]] = defaultdict(set)
    for d in truth:
        out = (_source_table(d.table), d.key)
        if d.kind is not DamageKind.EXTRA and out in gone_out:
            # Sent is sent: a correction is the only repair, and it is one.
            if out not in corrected:
                left[d.table].add(d.key)
            continue
        if d.kind is DamageKind.EXTRA:
            ident = _mark(d.table, d.key)
            if marks.get(ident) != _compensated(d.table):
                left[d.table].add(d.key)
            continue
        value = values.get(d.ident)
        if value == d.right:
            continue  # right whoever governs it: the common case, so asked first
        owner = upstream.governing(d.ident, person)
        if owner == d.ident:
            continue  # a person's own later value stands; overwriting it is counted apart
        # Downstream of a person's edit, either their value or (until the next sync
        # delivers it) the repaired value is right.
        if owner is None or value != values.get(owner):
            left[d.table].add(d.key)
    for table, key in _broken_by_repair(store, {(d.table, d.key) for d in truth}):
        left[table].add(key)
    duplicates = sum(
        1
        for d in truth
        if d.kind is DamageKind.EXTRA and d.table == CATALOG.outbox and d.key in left[d.table]
    )
    final = reconcile(store, result.scenario, result.run.run_id, result.runtime.handled)
    scoped: dict[str, set[int]] = defaultdict(set)
    if sa.inspect(store.engine).has_table("_drills_scope"):
        scope = scope_table(store)
        with store.engine.connect() as conn:
            for table, key in conn.execute(
                sa.select(scope.c.table_name, scope.c.record_key).where(scope.c.scope_id == "team")
            ):
                scoped[table].add(int(key))
    return Evaluation(dict(damaged), dict(after), dict(left), overwritten, duplicates, final,
                      dict(scoped), len(gone_out))


FieldId = tuple[str, int, str]


def _broken_by_repair(
    store: SqlStore, damaged: set[tuple[str, int]]
) -> set[tuple[str, int]]:
    """Records a repair made wrong: on a record the run never damaged, a field a repair changed
    and that does not hold its value from before the repair (a right write of the run
    undone by a blind revert, say). A person's later value stands; warehouse copies are
    counted by the reconciliation instead."""
    cl = store.changelog
    first: dict[FieldId, str | None] = {}
    last_by: dict[FieldId, str] = {}
    with store.engine.connect() as conn:
        touched = (
            sa.select(cl.c.table_name, cl.c.record_key, cl.c.field).distinct()
            .where(cl.c.actor_kind == "repair", cl.c.op == "update",
                   ~cl.c.table_name.startswith(f"{CATALOG.warehouse}."))
            .subquery("touched")
        )
        rows = conn.execute(
            sa.select(cl.c.table_name, cl.c.record_key, cl.c.field, cl.c.actor_kind,
                      cl.c.old_value, cl.c.new_value)
            .select_from(cl.join(touched, sa.and_(
                cl.c.table_name == touched.c.table_name,
                cl.c.record_key == touched.c.record_key,
                cl.c.field == touched.c.field,
            )))
            .where(cl.c.op == "update")
            .order_by(cl.c.seq)
        ).all()
    for table, key, field, kind, old, _new in rows:
        ident = (table, int(key), field)
        if (table, int(key)) in damaged:
            continue
        if kind == "repair" and ident not in first:
            first[ident] = old
        last_by[ident] = kind
    broken: set[tuple[str, int]] = set()
    if not first:
        return broken
    now = read_values(store, first)
    for ident, before in first.items():
        if last_by.get(ident) == "person":
            continue
        column = CATALOG.table(ident[0]).column(ident[2])
        if now.get(ident) != column.decode(before):
            broken.add((ident[0], ident[1]))
    return broken


def _sent(
    store: SqlStore, truth: Iterable[Damage]
) -> tuple[set[tuple[str, int]], set[tuple[str, int]]]:
    """Damaged records of irreversible tables that went out, and those a correction followed."""
    sends = CATALOG.irreversible()
    idents = {
        (d.table, d.key, sends[d.table]) for d in truth if d.table in sends
    }
    values = read_values(store, idents)
    gone = {(t, k) for (t, k, _), v in values.items() if v is not None}
    corrected: set[tuple[str, int]] = set()
    for table in {t for t, _ in gone}:
        t = store.sa_table(table)
        with store.engine.connect() as conn:
            related = conn.scalars(
                sa.select(t.c.related).where(t.c.related.like(f"{CORRECTION}%"))
            ).all()
        fixed = {int(r[len(CORRECTION):]) for r in related if r[len(CORRECTION):].isdigit()}
        corrected |= {(table, k) for tb, k in gone if tb == table and k in fixed}
    return gone, corrected


def _source_table(table: str) -> str:
    return CATALOG.table(table).copy_of or table


def _compensated(table: str) -> str:
    return CATALOG.cancels().get(_source_table(table), ("status", "void"))[1]


def _mark(table: str, key: int) -> FieldId:
    """The field whose compensation value says an extra record was neutralised."""
    return (table, key, CATALOG.cancels().get(_source_table(table), ("status", "void"))[0])


class _Upstream:
    """Where a downstream field's value comes from: the copied record, or the synced field.

    A copy of a field a person changed is right when it holds their value, so the
    residual check follows each damaged field upstream to whoever governs it. The
    record a synced field points at is read for a whole level of fields at once
    (:meth:`all`), and every answer is kept: a hundred thousand damaged fields cost a
    few queries, not one each.
    """

    def __init__(self, result: DrillResult) -> None:
        self.store = result.store
        self.syncs = {
            (spec.to.rsplit(".", 1)[0], spec.to.rsplit(".", 1)[1]): spec
            for spec in result.scenario.world.syncs
        }
        self._refs: dict[tuple[str, int], object] = {}
        self._ways: dict[tuple[str, str], str | FieldSyncSpec | None] = {}
        """Per (table, field): the copied table's name, the sync's spec, or None."""

    def of(self, ident: FieldId) -> FieldId | None:
        table, key, field = ident
        if (table, field) in self._ways:
            way = self._ways[(table, field)]
        else:
            source = CATALOG.table(table).copy_of
            way = source if source is not None else self.syncs.get((table, field))
            self._ways[(table, field)] = way
        if way is None:
            return None
        if isinstance(way, str):  # a warehouse copy: the same record upstream
            return (way, key, field)
        if (table, key) not in self._refs:
            row = self.store.get(table, key)
            self._refs[(table, key)] = row.get(way.key) if row else None
        ref = self._refs[(table, key)]
        if not isinstance(ref, int):
            return None
        src_table, src_field = way.from_.rsplit(".", 1)
        return (src_table, ref, src_field)

    def chain(self, ident: FieldId) -> list[FieldId]:
        out: list[FieldId] = []
        current: FieldId | None = self.of(ident)
        while current is not None and current not in out and len(out) < 4:
            out.append(current)
            current = self.of(current)
        return out

    def all(self, idents: Iterable[FieldId]) -> set[FieldId]:
        """Every field upstream of any of ``idents`` (up to four hops), level by level."""
        out: set[FieldId] = set()
        level = set(idents)
        for _ in range(4):
            self._prefetch(level)
            level = {u for i in level if (u := self.of(i)) is not None}
            if not level:
                break
            out |= level
        return out

    def _prefetch(self, idents: Iterable[FieldId]) -> None:
        """Read the sync key of every synced field in ``idents``, one query per table."""
        wanted: dict[tuple[str, str], set[int]] = defaultdict(set)
        for table, key, field in idents:
            spec = self.syncs.get((table, field))
            if spec is not None and (table, key) not in self._refs:
                wanted[(table, spec.key)].add(key)
        for (table, key_field), keys in wanted.items():
            t = self.store.sa_table(table)
            with self.store.engine.connect() as conn:
                for key, ref in self.store.read_keyed(conn, t, (KEY, key_field), keys):
                    self._refs[(table, int(key))] = ref
            for key in keys:
                self._refs.setdefault((table, key), None)

    def governing(self, ident: FieldId, person: set[FieldId]) -> FieldId | None:
        """The field a person set that this one should now mirror, or None."""
        if not person:
            return None
        for candidate in (ident, *self.chain(ident)):
            if candidate in person:
                return candidate
        return None


def _person_history(result: DrillResult, idents: set[FieldId]) -> tuple[set[FieldId], int]:
    """Fields whose last word is a person's, and how many of those a repair overwrote.

    Walks the change log in order, keeping the last writer of each field: a person's
    legitimate edit after the run's damage makes the field theirs; a repair write
    while a person is the last writer is an overwritten human edit. Shadow fixes
    are not legitimate edits and give nobody the last word. Only records a person
    wrote can end either way, so only their history is read.
    """
    store = result.store
    cl = store.changelog
    tables = sorted({t for t, _, _ in idents})
    if not tables:
        return set(), 0
    touched = (
        sa.select(cl.c.table_name, cl.c.record_key)
        .where(cl.c.table_name.in_(tables), cl.c.op == "update", cl.c.actor_kind == "person")
        .distinct()
        .subquery("touched")
    )
    with store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(cl.c.table_name, cl.c.record_key, cl.c.field, cl.c.actor_kind,
                      cl.c.actor_name, cl.c.new_value)
            .select_from(cl.join(touched, sa.and_(
                cl.c.table_name == touched.c.table_name,
                cl.c.record_key == touched.c.record_key,
            )))
            .where(cl.c.op == "update")
            .order_by(cl.c.seq)
        ).all()
    last: dict[FieldId, str] = {}
    theirs: dict[FieldId, str | None] = {}
    overwritten: set[FieldId] = set()
    for table, key, field, kind, name, new in rows:
        ident = (table, int(key), field)
        if ident not in idents:
            continue
        legit = kind == "person" and not str(name).startswith("shadow fix")
        if legit and ident in overwritten and new == theirs.get(ident):
            overwritten.discard(ident)  # put back from the saved values: theirs again
        if kind == "repair" and last.get(ident) == "person":
            overwritten.add(ident)
        if legit:
            last[ident] = "person"
            theirs[ident] = new
        elif kind in ("automation", "repair") or (kind == "person" and not legit):
            last[ident] = kind
    return {i for i, who in last.items() if who == "person"}, len(overwritten)
