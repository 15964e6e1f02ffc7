"""The bad run's bulk path: a batch whose writes the plan decides, as a few statements.

The event-by-event path (:meth:`drills.scenarios.badrun.BadRun.execute`) plans, bends and
compares every triggering record in Python: a million-record drill's 100,000 events
were 100,000 plans, 100,000 bent plans and their comparison, most of the bad run's
10 s. Yet for the steps a scenario declares (set a field, send an email, log an
activity, create a record) and the faults that bend a plan the same way for every
record (blank writes, a wrong mapping, flapping between known values, duplicates,
repeated deliveries, a dropped filter, a skipped approval), the plan is the same for
every record of a batch up to the record's own values. So it is planned once, on a
*template* record whose values are references to its fields (:class:`Ref`), bent once
by the fault's own injector, and run for the whole batch:

- the batch's keys go into a work table (position, key, which side of the filter);
- damage to fields is one ``SELECT`` per field whose healthy and bent values can
  differ, comparing them in the database over the batch, before the writes;
- each insert of the template is one ``INSERT ... SELECT`` over the batch, its ids
  assigned as the store assigns them, and its change log one ``INSERT ... SELECT``;
- updates go through the store's logged set-based update (``update_from``).

Writes, change-log rows, inserted ids and ground truth come out as the event path
makes them (``tests/scenarios/test_bulk_run.py`` runs both paths on every built-in
scenario and compares the reports). Whatever the template cannot say (a team's own
Python function, a sync step that fans out to other records, a fault that decides per
event, a late delivery, a value of the wrong type for its column) returns ``None``
from :func:`run_bulk`, and the batch goes event by event.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from drills.fakes.active import CATALOG
from drills.fakes.actors import Actor
from drills.fakes.automations import (
    AutomationDef,
    CreateRecord,
    Insert,
    LogActivity,
    PlanContext,
    SendEmail,
    SetField,
    Update,
    Write,
    links_to,
    matches,
)
from drills.fakes.catalog import KEY, ColumnType
from drills.fakes.changelog import LOG_COLUMNS, Value, format_time, insert_log
from drills.fakes.store import SqlStore
from drills.scenarios.faults.base import Injector
from drills.scenarios.truth import WHOLE_RECORD, Damage, DamageKind

__all__ = ["BULK_ENV", "BulkOutcome", "KeyText", "Ref", "bulk_wanted", "run_bulk"]

BULK_ENV = "DRILLS_BAD_RUN"
"""``DRILLS_BAD_RUN=events`` runs every batch event by event (to compare the two paths);
inherited by the gap-cost reruns' worker processes."""

TEMPLATE_KEY = -1
"""The template record's key: every update of a template plan names it."""

KEYS_TABLE = "_drills_bulk_keys"

_MISSING = object()
"""A field a plan does not write (it keeps the value it had before the batch)."""


@dataclass(frozen=True)
class Ref:
    """A value copied from a field of the triggering record."""

    field: str


@dataclass(frozen=True)
class KeyText:
    """Text made of the triggering record's key: ``prefix`` + key + ``suffix``."""

    prefix: str
    suffix: str = ""


@dataclass(frozen=True)
class KeyValue:
    """The triggering record's key itself."""


Template = Value | Ref | KeyText | KeyValue


def bulk_wanted() -> bool:
    """False when ``DRILLS_BAD_RUN=events`` asks for the event-by-event path."""
    return os.environ.get(BULK_ENV, "").strip().lower() != "events"


# -- the template plan ------------------------------------------------------------------


def _template_steps(auto: AutomationDef) -> list[Write] | None:
    """The healthy plan of a record that meets the filter, as a template (None: a step
    the template cannot say). Mirrors the steps' own ``plan`` in drills.fakes.automations."""
    table = auto.table
    related = KeyText(f"{table}:")
    out: list[Write] = []
    for step in auto.steps:
        if isinstance(step, SetField):
            value: Any = Ref(step.from_field) if step.from_field else step.value
            out.append(Update(table, TEMPLATE_KEY, step.field, value))
        elif isinstance(step, SendEmail):
            subject = step.template.replace("-", " ").capitalize()
            out.append(Insert(CATALOG.messages_table(), {
                "to_address": Ref(step.to_field),  # type: ignore[dict-item]
                "template": step.template,
                "subject": KeyText(f"{subject} ({table}:", ")"),  # type: ignore[dict-item]
                "related": related,  # type: ignore[dict-item]
                "reviewed": 0,
                "status": "held" if step.review else "sent",
                "created_at": _NOW,  # type: ignore[dict-item]
                "sent_at": None if step.review else _NOW,  # type: ignore[dict-item]
            }))
        elif isinstance(step, LogActivity):
            on_invoice = links_to(step.table, table)
            out.append(Insert(step.table, {
                "invoice_id": KeyValue() if on_invoice else None,  # type: ignore[dict-item]
                "kind": "reminder_sent" if on_invoice else "note",
                "message": KeyText(f"{auto.name} ran for {table}:"),  # type: ignore[dict-item]
                "at": _NOW,  # type: ignore[dict-item]
                "actor": auto.name,
            }))
        elif isinstance(step, CreateRecord):
            row: dict[str, Any] = {new: Ref(old) for new, old in step.copy.items()}
            row.update(step.values)
            out.append(Insert(step.table, row))
        else:
            return None
    return out


_NOW = KeyText("\x00now")
"""Placeholder for the batch's time, filled in per batch (see :func:`_at_now`)."""


def _at_now(plan: Sequence[Write], now: str) -> list[Write]:
    def fill(v: Any) -> Any:
        return now if v == _NOW else v

    return [replace(w, row={k: fill(v) for k, v in w.row.items()})
            if isinstance(w, Insert) else w for w in plan]


@dataclass(frozen=True)
class _Side:
    """One side of the automation's filter: the plans its records get."""

    healthy: list[Write]
    bent: list[Write]


def _sides(
    auto: AutomationDef, injector: Injector, healthy: bool, ctx: PlanContext,
    skip_tables: frozenset[str], columns: Mapping[str, Sequence[str]],
) -> dict[bool, _Side] | None:
    """The healthy and bent template plans of records inside (True) and outside the filter."""
    if not healthy and not getattr(injector, "plan_determined", False):
        return None
    steps = _template_steps(auto)
    if steps is None:
        return None
    steps = _at_now(steps, format_time(ctx.now))
    record: dict[str, Any] = {name: Ref(name) for name in columns[auto.table]}
    record[KEY] = TEMPLATE_KEY
    out: dict[bool, _Side] = {}
    for inside in (True, False):
        planned = steps if inside else []
        if healthy:
            bent = list(planned)
        else:
            given = steps if injector.ignores_filter else planned
            bent = injector.bend(record, given, ctx)
        out[inside] = _Side(
            [w for w in planned if w.table not in skip_tables],
            [w for w in bent if w.table not in skip_tables],
        )
    return out


def _fits(store: SqlStore, table: str, trigger: str, name: str, value: Any) -> bool:
    """A template value the store would take into ``table.name`` as the event path does."""
    d = store.table(table)
    if name == KEY or name not in d.field_names:
        return False
    kind = d.column(name).type
    if isinstance(value, Ref):
        src = store.table(trigger)
        return value.field in src.field_names and src.column(value.field).type is kind
    if isinstance(value, KeyValue):
        return kind is ColumnType.INT
    if isinstance(value, KeyText):
        return kind is not ColumnType.INT
    if value is None:
        return True
    if kind is ColumnType.INT:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, str)


def _well_formed(store: SqlStore, trigger: str, sides: Mapping[bool, _Side]) -> bool:
    for side in sides.values():
        for w in (*side.healthy, *side.bent):
            if isinstance(w, Update):
                if w.table != trigger or w.key != TEMPLATE_KEY or not _fits(
                        store, w.table, trigger, w.field, w.value):
                    return False
            elif not all(_fits(store, w.table, trigger, k, v) for k, v in w.row.items()):
                return False
    return True


def _rounds(plan: Sequence[Write]) -> list[int]:
    """Each write's round, as ``apply_plans`` gives it (a field written again goes later)."""
    seen: dict[tuple[str, int, str], int] = {}
    current = 0
    out: list[int] = []
    for w in plan:
        if isinstance(w, Update):
            ident = (w.table, w.key, w.field)
            current = max(current, seen.get(ident, 0))
            seen[ident] = current + 1
        out.append(current)
    return out


# -- running it -------------------------------------------------------------------------


@dataclass(frozen=True)
class BulkOutcome:
    writes: int
    damage: list[Damage]
    expected_inserts: dict[str, int]


def _keys_table(store: SqlStore) -> sa.Table:
    return store.work_table(
        KEYS_TABLE,
        sa.Column("pos", sa.Integer, primary_key=True),
        sa.Column("record_key", sa.Integer, nullable=False),
        sa.Column("inside", sa.Integer, nullable=False),
        sa.Column("before_in", sa.Integer, nullable=False),
        sa.Column("before_out", sa.Integer, nullable=False),
    )


def _expr(value: Any, src: sa.Table, k: sa.Table, target: sa.Column[Any]) -> Any:
    if isinstance(value, Ref):
        return src.c[value.field]
    if isinstance(value, KeyValue):
        return k.c.record_key
    if isinstance(value, KeyText):
        text = sa.literal(value.prefix, sa.Text) + sa.cast(k.c.record_key, sa.Text)
        return text + sa.literal(value.suffix, sa.Text) if value.suffix else text
    if value is None:
        return sa.cast(sa.null(), target.type)
    return sa.literal(value, target.type)


def _same(a: Any, b: Any) -> bool:
    """Two template values equal for every record (a missing write is the field's own value)."""
    return type(a) is type(b) and a == b


def run_bulk(
    store: SqlStore, auto: AutomationDef, injector: Injector, keys: Sequence[int],
    ctx: PlanContext, actor: Actor, *, healthy: bool, skip_tables: frozenset[str],
    columns: Mapping[str, Sequence[str]],
) -> BulkOutcome | None:
    """Run a batch set-based; None when the batch must go event by event (see the module)."""
    sides = _sides(auto, injector, healthy, ctx, skip_tables, columns)
    if sides is None or not _well_formed(store, auto.table, sides):
        return None
    t = store.sa_table(auto.table)
    where = sorted(auto.where)
    with store.engine.connect() as conn:
        found = {int(r[0]): r[1:] for r in store.read_keyed(conn, t, (KEY, *where), keys)}
    order: list[tuple[int, bool]] = []
    for key in keys:
        row = found.get(key)
        if row is not None:
            order.append((key, matches(dict(zip(where, row, strict=True)), auto.where)))
    if not order:
        return BulkOutcome(0, [], {})
    try:
        batch = _Batch(store, auto.table, sides, order, actor, ctx.now, columns)
    except _Undecided:
        return None
    return batch.run()


class _Batch:
    """One batch's statements; kept together so the keys table is loaded once."""

    def __init__(
        self, store: SqlStore, trigger: str, sides: Mapping[bool, _Side],
        order: list[tuple[int, bool]], actor: Actor, at: datetime,
        columns: Mapping[str, Sequence[str]],
    ) -> None:
        self.store, self.trigger, self.sides, self.order = store, trigger, sides, order
        self.actor, self.at, self.columns = actor, at, columns
        self.t = store.sa_table(trigger)
        self.k = _keys_table(store)
        self.count = Counter(inside for _, inside in order)
        self.present = list(dict.fromkeys(inside for _, inside in order))
        self.made = self._pair_inserts()

    def run(self) -> BulkOutcome:
        with self.store.begin() as conn:
            conn.execute(self.k.delete())
            rows = []
            seen = {True: 0, False: 0}
            for pos, (key, inside) in enumerate(self.order):
                rows.append((pos, key, int(inside), seen[True], seen[False]))
                seen[inside] += 1
            self.store.backend.bulk_load(
                conn, self.k, ("pos", "record_key", "inside", "before_in", "before_out"), rows)
        damage = self._field_damage()
        tops = self._apply()
        damage.extend(self._insert_damage(tops))
        writes = sum(len(self.sides[s].bent) * n for s, n in self.count.items())
        expected: Counter[str] = Counter()
        for s, n in self.count.items():
            for w in self.sides[s].healthy:
                if isinstance(w, Insert):
                    expected[w.table] += n
        return BulkOutcome(writes, damage, dict(expected))

    # damage to fields, read before the writes ------------------------------------------

    def _field_damage(self) -> list[Damage]:
        found: list[Damage] = []
        t, k = self.t, self.k
        batch_id = self.actor.batch_id
        with self.store.engine.connect() as conn:
            for side in self.present:
                plans = self.sides[side]
                right = {w.field: w.value for w in plans.healthy if isinstance(w, Update)}
                wrong = {w.field: w.value for w in plans.bent if isinstance(w, Update)}
                missing = _MISSING
                for name in sorted(set(right) | set(wrong)):
                    r, x = right.get(name, missing), wrong.get(name, missing)
                    if _same(r, x):
                        continue
                    col = t.c[name]
                    r_sql = col if r is missing else _expr(r, t, k, col)
                    x_sql = col if x is missing else _expr(x, t, k, col)
                    rows = conn.execute(
                        sa.select(k.c.record_key, r_sql, x_sql)
                        .select_from(k.join(t, t.c[KEY] == k.c.record_key))
                        .where(k.c.inside == int(side), r_sql.is_distinct_from(x_sql))
                    )
                    kind = DamageKind.VALUE if x is not missing else DamageKind.STALE
                    for key, rv, xv in rows:
                        found.append(Damage(self.trigger, int(key), name, kind,
                                            _py(x, xv), _py(r, rv), self.at, batch_id))
        found.sort(key=lambda d: (d.table, d.key, d.field))
        return found

    # the writes, round by round as apply_plans makes them --------------------------------

    def _apply(self) -> dict[tuple[int, str], int]:
        """Apply both sides' bent plans; returns each (round, table)'s id before its inserts."""
        rounds = {s: _rounds(self.sides[s].bent) for s in self.present}
        tops: dict[tuple[int, str], int] = {}
        for number in sorted({r for rs in rounds.values() for r in rs}):
            per_side = {
                s: [w for w, r in zip(self.sides[s].bent, rounds[s], strict=True) if r == number]
                for s in self.present
            }
            tables = dict.fromkeys(
                w.table for s in self.present for w in per_side[s] if isinstance(w, Insert))
            for table in tables:
                tops[(number, table)] = self._insert(table, {
                    s: [w for w in per_side[s] if isinstance(w, Insert) and w.table == table]
                    for s in self.present})
            updated = dict.fromkeys(
                w.table for s in self.present for w in per_side[s] if isinstance(w, Update))
            for _ in updated:  # the triggering table only (see _well_formed)
                self._update({s: {w.field: w.value for w in per_side[s]
                                  if isinstance(w, Update)} for s in self.present})
        return tops

    def _insert(self, table: str, rows: Mapping[bool, Sequence[Write]]) -> int:
        store, k, src = self.store, self.k, self.t
        target = store.sa_table(table)
        names = store.table(table).field_names
        data = self.columns[table]
        per = {s: len(rows[s]) for s in rows}
        with store.begin() as conn:
            top = int(conn.scalar(sa.select(sa.func.max(target.c[KEY]))) or 0)
            for side, writes in rows.items():
                for j, w in enumerate(writes):
                    assert isinstance(w, Insert)
                    new_id = (sa.literal(top + j + 1) + k.c.before_in * per.get(True, 0)
                              + k.c.before_out * per.get(False, 0))
                    values = [new_id if n == KEY else _expr(w.row.get(n), src, k, target.c[n])
                              for n in names]
                    conn.execute(target.insert().from_select(
                        list(names),
                        sa.select(*values)
                        .select_from(k.join(src, src.c[KEY] == k.c.record_key))
                        .where(k.c.inside == int(side)).order_by(k.c.pos)))
            log = insert_log(format_time(store.clock.now()), self.actor, table, target,
                             target.c[KEY], data, target.c[KEY] > top)
            conn.execute(store.changelog.insert().from_select(list(LOG_COLUMNS), log))
        return top

    def _update(self, fields: Mapping[bool, Mapping[str, Any]]) -> None:
        """Every side's field writes of a round, grouped by the fields they write as
        ``SqlStore.update`` groups records, each group one logged set-based update."""
        t, k = self.t, self.k
        groups: dict[tuple[str, ...], list[bool]] = {}
        for side in self.present:  # in the order the batch first meets each side
            names = tuple(sorted(fields[side]))
            if names:
                groups.setdefault(names, []).append(side)
        for names, sides in groups.items():
            selects = [
                sa.select(k.c.record_key.label(KEY),
                          *(_expr(fields[s][n], t, k, t.c[n]).label(n) for n in names))
                .select_from(k.join(t, t.c[KEY] == k.c.record_key))
                .where(k.c.inside == int(s))
                for s in sides
            ]
            source: Any = selects[0] if len(selects) == 1 else sa.union_all(*selects)
            given = source.subquery("bulk")
            self.store.update_from(
                self.trigger, sa.select(given).order_by(given.c[KEY]), names, self.actor)

    # damage to records made --------------------------------------------------------------

    def _pair_inserts(self) -> dict[bool, list[_Made]]:
        """Per side, each bent insert paired with the healthy one as derive_damage pairs
        them (per table, in order): an extra record, or the fields whose constants differ.
        Raises :class:`_Undecided` when a value differs by record (before any write)."""
        per_side: dict[bool, list[_Made]] = {}
        for side in self.present:
            plans = self.sides[side]
            healthy_rows: dict[str, list[Mapping[str, Any]]] = {}
            for w in plans.healthy:
                if isinstance(w, Insert):
                    healthy_rows.setdefault(w.table, []).append(w.row)
            seen: Counter[str] = Counter()
            slot: Counter[tuple[int, str]] = Counter()
            made: list[_Made] = []
            for w, number in zip(plans.bent, _rounds(plans.bent), strict=True):
                if not isinstance(w, Insert):
                    continue
                j = slot[(number, w.table)]
                slot[(number, w.table)] += 1
                n = seen[w.table]
                seen[w.table] += 1
                pairs = healthy_rows.get(w.table, [])
                if n >= len(pairs):
                    made.append((number, w.table, j, None))
                    continue
                diffs: list[tuple[str, Value, Value]] = []
                for name in self.columns[w.table]:
                    r, x = pairs[n].get(name), w.row.get(name)
                    if not _same(r, x):
                        if isinstance(r, Ref | KeyText | KeyValue) or isinstance(
                                x, Ref | KeyText | KeyValue):
                            raise _Undecided
                        diffs.append((name, x, r))
                made.append((number, w.table, j, diffs))
            per_side[side] = made
        return per_side

    def _insert_damage(self, tops: Mapping[tuple[int, str], int]) -> list[Damage]:
        """Damage of the records the batch made, with the ids they received."""
        if not any(self.made.values()):
            return []
        batch_id, at = self.actor.batch_id, self.at
        width: Counter[tuple[bool, int, str]] = Counter(
            (s, number, table) for s in self.present for number, table, _, _ in self.made[s])
        out: list[Damage] = []
        before = {True: 0, False: 0}
        for _, inside in self.order:
            for number, table, j, diffs in self.made[inside]:
                new_id = (tops[(number, table)] + j + 1
                          + before[True] * width[(True, number, table)]
                          + before[False] * width[(False, number, table)])
                if diffs is None:
                    out.append(Damage(table, new_id, WHOLE_RECORD, DamageKind.EXTRA, None,
                                      None, at, batch_id))
                else:
                    out.extend(Damage(table, new_id, name, DamageKind.VALUE, x, r, at,
                                      batch_id) for name, x, r in diffs)
            before[inside] += 1
        return out


_Made = tuple[int, str, int, "list[tuple[str, Value, Value]] | None"]
"""A bent insert: its round, table, place among that round's inserts of the table, and
its damage (None: a record the healthy plan does not make)."""


class _Undecided(Exception):
    """An insert's value differs from the healthy one by record: the template cannot say."""


def _py(template: Any, sql_value: Any) -> Value:
    """The value a damage entry keeps: the template's constant, or what the database read."""
    if template is _MISSING or isinstance(template, Ref | KeyText | KeyValue):
        return sql_value  # type: ignore[no-any-return]
    return template  # type: ignore[no-any-return]
