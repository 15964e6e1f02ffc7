"""A bad run: the scenario's automation working through its targets with the fault bent in.

The run picks its targets from the world up front (set-based, seeded), spaces them
at the fault's rate from the fault's start, and executes them in batches chosen by
the caller: the drill engine batches per tick and can pause between batches; tests
run everything at once. Every batch writes through the store under the run id and
a batch id, and adds its damage to the run's :class:`~drills.scenarios.truth.GroundTruth`.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from drills.errors import DrillsError
from drills.fakes.active import CATALOG, activate
from drills.fakes.actors import Actor, ActorKind
from drills.fakes.automations import (
    AutomationDef,
    AutomationFunction,
    CallableStep,
    CreateRecord,
    Insert,
    LogActivity,
    PlanContext,
    SendEmail,
    SetField,
    Step,
    SyncField,
    Update,
    Write,
    apply_plans,
    fetch_records,
)
from drills.fakes.catalog import KEY
from drills.fakes.store import Op, SqlStore, Value, format_time
from drills.scenarios import schema
from drills.scenarios.bulkrun import bulk_wanted, run_bulk
from drills.scenarios.faults._delivery import ON_TIME, DeliveryInjector
from drills.scenarios.faults.base import Healthy, Injector
from drills.scenarios.faults.registry import injector_for
from drills.scenarios.truth import Damage, FieldId, GroundTruth, derive_damage, read_values
from drills.teamcode import import_team_module

__all__ = [
    "DELIVERY_LOG",
    "AutomationImportError",
    "BadRun",
    "BatchResult",
    "Event",
    "automation_def",
    "delivery_log",
    "edited_after",
    "select_targets",
]

DELIVERY_LOG = "_drills_deliveries"
"""The sender's log and the job's, side by side: one row per event of a run whose fault
bends deliveries (sent when, received when, how many times, behind a newer event, failed)."""


def _split(dotted: str) -> tuple[str, str]:
    table, _, name = dotted.rpartition(".")
    return table, name


def _step(action: schema.Action) -> Step:
    spec = action.spec
    if action.kind == "send_email":
        return SendEmail(spec.template, _split(spec.to)[1], spec.review)
    if action.kind == "log_activity":
        return LogActivity(spec)
    if action.kind == "sync_field":
        table, field = _split(spec.to)
        return SyncField(_split(spec.from_)[1], table, field, spec.key)
    if action.kind in ("set_field", "advance_stage"):
        return SetField(
            _split(spec.field)[1],
            spec.value,
            _split(spec.from_)[1] if spec.from_ else None,
        )
    if action.kind == "create_record":
        target = CATALOG.table(spec.table)
        values = {k: target.column(k).decode(str(v)) for k, v in spec.values.items()}
        return CreateRecord(spec.table, dict(spec.copy_fields), values)
    raise AssertionError(f"no step for action {action.kind}")  # pragma: no cover


class AutomationImportError(DrillsError):
    """A scenario names a team's automation function that cannot be imported."""


def _function(ref: str) -> AutomationFunction:
    module_name, _, attr = ref.partition(":")
    try:
        module = import_team_module(f"automation.callable '{ref}'", module_name)
    except ImportError as err:
        raise AutomationImportError(
            f"automation.callable '{ref}': cannot import '{module_name}' ({err}); put the "
            "module on the Python path (e.g. next to the tests) or install its package"
        ) from None
    function = getattr(module, attr, None)
    if not callable(function):
        raise AutomationImportError(
            f"automation.callable '{ref}': '{module_name}' has no function '{attr}'"
        )
    found: AutomationFunction = function
    return found


def automation_def(auto: schema.Automation) -> AutomationDef:
    """The runnable automation a scenario file describes (its steps, or the team's code)."""
    table = auto.trigger.table
    t = CATALOG.table(table)
    where = {name: t.column(name).decode(value) for name, value in auto.where.items()}
    if auto.callable is not None:
        steps: tuple[Step, ...] = (CallableStep(_function(auto.callable)),)
    else:
        steps = tuple(_step(a) for a in auto.does)
    return AutomationDef(auto.name, table, steps, where)


def _conditions(t: sa.Table, where: dict[str, Value]) -> sa.ColumnElement[bool]:
    return sa.and_(sa.true(), *(t.c[name] == value for name, value in where.items()))


def select_targets(
    store: SqlStore, scenario: schema.Scenario, auto: AutomationDef, injector: Injector
) -> list[int]:
    """The records the bad run will reach, in the order it reaches them.

    One query picks the candidates (the automation's filter, widened by an over-broad
    fault, narrowed by a where-reach); a generator seeded from the scenario orders
    them; a count or percentage reach cuts the list.
    """
    t = store.sa_table(auto.table)
    table = CATALOG.table(auto.table)
    cond = _conditions(t, dict(auto.where))
    fault = scenario.fault
    widened = fault.also_reaches() if injector.ignores_filter else None
    if widened is not None:
        reaches = {n: table.column(n).decode(v) for n, v in widened.items()}
        cond = sa.or_(cond, _conditions(t, reaches))
    if fault.reach.where is not None:
        narrowed = {n: table.column(n).decode(v) for n, v in fault.reach.where.items()}
        cond = sa.and_(cond, _conditions(t, narrowed))
    with store.engine.connect() as conn:
        # Iterated as rows: ``scalars().all()`` costs twice as much (0.9 s at 1M).
        keys = [int(k) for (k,) in conn.execute(sa.select(t.c[KEY]).where(cond).order_by(t.c[KEY]))]
    if fault.reach.keys is not None:  # the records a real incident changed, in its order
        candidates = set(keys)
        return [k for k in fault.reach.key_list if k in candidates]
    random.Random(f"{scenario.seed}:{scenario.name}:targets").shuffle(keys)
    if fault.reach.count is not None:
        return keys[: fault.reach.count]
    if fault.reach.percent is not None:
        return keys[: round(len(keys) * fault.reach.percent / 100)]
    return keys


@dataclass(frozen=True, slots=True)
class Event:
    """The automation handling one triggering record at one drill time."""

    index: int
    at: datetime
    key: int
    sent: datetime | None = None
    """When the sender sent it, if earlier than ``at`` (a delivery held on the way)."""

    @property
    def late(self) -> bool:
        return self.sent is not None and self.sent < self.at


def delivery_log(store: SqlStore) -> sa.Table:
    """The delivery log (:data:`DELIVERY_LOG`): what the sender sent and the job received."""
    return store.work_table(
        DELIVERY_LOG,
        sa.Column("run_id", sa.Text, primary_key=True),
        sa.Column("event", sa.Integer, primary_key=True),
        sa.Column("table_name", sa.Text, nullable=False),
        sa.Column("record_key", sa.Integer, nullable=False),
        sa.Column("sent_at", sa.Text, nullable=False),
        sa.Column("received_at", sa.Text),
        sa.Column("deliveries", sa.Integer, nullable=False, default=0),
        sa.Column("out_of_order", sa.Integer, nullable=False, default=0),
        sa.Column("failed", sa.Integer, nullable=False, default=0),
    )


def edited_after(
    store: SqlStore, fields: Collection[FieldId], since: dict[tuple[str, int], datetime]
) -> set[FieldId]:
    """The ``fields`` a person changed after the time ``since`` gives their record.

    A late event's write must not win over such a change: a healthy delivery would have
    come before it. One query per table over the change log, for the records asked about.
    """
    wanted: dict[str, set[int]] = {}
    for table, key, _ in fields:
        wanted.setdefault(table, set()).add(key)
    if not wanted:
        return set()
    cl = store.changelog
    earliest = format_time(min(since.values()))
    asked = set(fields)
    out: set[FieldId] = set()
    with store.engine.connect() as conn:
        for table in sorted(wanted):
            rows = conn.execute(
                sa.select(cl.c.record_key, cl.c.field, cl.c.at)
                .where(cl.c.table_name == table, cl.c.op == Op.UPDATE,
                       cl.c.actor_kind == ActorKind.PERSON.value, cl.c.at > earliest)
            )
            for key, name, at in rows:
                ident = (table, int(key), name)
                after = since.get((table, int(key)))
                if ident in asked and after is not None and at > format_time(after):
                    out.add(ident)
    return out


@dataclass(frozen=True)
class BatchResult:
    batch_id: str
    events: int
    writes: int
    damage: list[Damage]
    expected_inserts: dict[str, int] = field(default_factory=dict)
    """Records the healthy plan creates per table: what reconciliation counts against."""


class BadRun:
    """The scenario's automation run with its fault (or, with ``healthy=True``, without).

    The healthy twin reaches the same targets in the same order, which is what makes
    it the yardstick: anything the bad run's world holds that the twin's does not is
    damage.
    """

    def __init__(
        self,
        scenario: schema.Scenario,
        store: SqlStore,
        *,
        run_id: str | None = None,
        healthy: bool = False,
        bulk: bool | None = None,
    ) -> None:
        activate(scenario.catalog)
        self.scenario = scenario
        self.store = store
        self.automation = automation_def(scenario.automation)
        self.injector: Injector = (
            Healthy() if healthy else injector_for(scenario.fault, self.automation.table)
        )
        self.run_id = run_id or f"{scenario.automation.name}-run-{scenario.seed}"
        self.truth = GroundTruth(self.run_id)
        self.bulk = bulk_wanted() if bulk is None else bulk
        """Batches whose writes the plan decides run set-based (:mod:`.bulkrun`); False (or
        ``DRILLS_BAD_RUN=events``) runs every batch event by event."""
        targeting = injector_for(scenario.fault, self.automation.table)
        self.targets = select_targets(store, scenario, self.automation, targeting)
        self._batches = 0
        self.handled: list[int] = []
        """The triggering records the run has handled, in order: its own log of what it did."""
        self.sent: list[int] = []
        """The triggering records whose events the sender sent and the run was handed, in
        order: the sender's log (an event lost on the way is here, not in ``handled``)."""
        self.sent_at: dict[int, datetime] = {}
        """When the sender sent each late event (one that arrived after it was sent)."""
        self._columns = {t: CATALOG.table(t).data_fields for t in store.tables}
        self._deliveries = isinstance(targeting, DeliveryInjector)
        if self._deliveries:
            self._log_sent()

    @property
    def actor(self) -> Actor:
        return Actor.automation(self.automation.name, self.run_id)

    def events(self) -> Iterator[Event]:
        """Every event of the run, at the fault's rate from its start (as it arrives: a
        delivery fault may hold it on the way)."""
        start = self.scenario.starts + self.scenario.fault.starts
        gap = self.scenario.fault.rate.interval
        held = self.injector if isinstance(self.injector, DeliveryInjector) else None
        for i, key in enumerate(self.targets):
            sent = start + gap * i
            at = held.arrival(sent, start) if held is not None else sent
            yield Event(i, at, key, sent if at > sent else None)

    def _log_sent(self) -> None:
        """The sender's side of the delivery log: every event it will send, and when."""
        t = delivery_log(self.store)
        start = self.scenario.starts + self.scenario.fault.starts
        gap = self.scenario.fault.rate.interval
        table = self.automation.table
        with self.store.begin() as conn:
            conn.execute(t.delete().where(t.c.run_id == self.run_id))
            self.store.backend.bulk_load(
                conn, t, ("run_id", "event", "table_name", "record_key", "sent_at",
                          "deliveries", "out_of_order", "failed"),
                [(self.run_id, i, table, key, format_time(start + gap * i), 0, 0, 0)
                 for i, key in enumerate(self.targets)],
            )

    def _log_received(self, events: Sequence[Event], at: datetime, healthy: bool) -> set[int]:
        """The job's side of the delivery log for a batch; returns the keys it received."""
        bends = (self.injector if not healthy and isinstance(self.injector, DeliveryInjector)
                 else None)
        received: set[int] = set()
        rows: list[dict[str, object]] = []
        for e in events:
            d = bends.delivery(e.key) if bends is not None else ON_TIME
            if d.received:
                received.add(e.key)
                rows.append({"ev": e.index, "got": format_time(at), "n": d.times,
                             "late": d.out_of_order, "err": int(d.failed)})
        if rows and self._deliveries:
            t = delivery_log(self.store)
            with self.store.begin() as conn:
                conn.execute(
                    t.update()
                    .where(t.c.run_id == self.run_id, t.c.event == sa.bindparam("ev"),
                           t.c.received_at.is_(None))
                    .values(received_at=sa.bindparam("got"), deliveries=sa.bindparam("n"),
                            out_of_order=sa.bindparam("late"), failed=sa.bindparam("err")),
                    rows,
                )
        return received

    def execute(
        self,
        events: Sequence[Event],
        now: datetime | None = None,
        *,
        skip_tables: Collection[str] = (),
        healthy: bool = False,
    ) -> BatchResult:
        """Handle a batch of events at ``now`` (default: the last event's time) in one go.

        ``skip_tables``: writes into these tables do not happen (the outgoing queue or
        chained job that makes them is stopped). ``healthy``: the fault has been fixed,
        the plan runs as meant (a restart after the cause was found).
        """
        if not events:
            return BatchResult("", 0, 0, [])
        self._batches += 1
        at = now or events[-1].at
        received = self._log_received(events, at, healthy)
        self.sent.extend(e.key for e in events)
        self.handled.extend(e.key for e in events if e.key in received)
        late = {e.key: e.sent for e in events if e.late and e.sent is not None}
        self.sent_at.update(late)
        batch_id = f"{self.run_id}/b{self._batches:05d}"
        ctx = PlanContext(self.store, at, self.automation.name, self.automation.table)
        if self.bulk and not late:
            done_in_bulk = run_bulk(
                self.store, self.automation, Healthy() if healthy else self.injector,
                [e.key for e in events], ctx, self.actor.in_batch(batch_id),
                healthy=healthy, skip_tables=frozenset(skip_tables), columns=self._columns,
            )
            if done_in_bulk is not None:
                self.truth.record(done_in_bulk.damage)
                return BatchResult(batch_id, len(events), done_in_bulk.writes,
                                   done_in_bulk.damage, done_in_bulk.expected_inserts)
        records = fetch_records(self.store, self.automation.table, [e.key for e in events])
        plans = self.automation.plan(records, ctx)
        widened = (
            self.automation.plan(records, ctx, ignore_filter=True)
            if self.injector.ignores_filter
            else plans
        )
        injector = Healthy() if healthy else self.injector
        pairs: list[tuple[list[Write], list[Write]]] = []
        for rec in records:
            key = int(rec[KEY])  # type: ignore[arg-type]
            planned = plans[key]
            bent = injector.bend(rec, widened[key] if not healthy else planned, ctx)
            if skip_tables:
                planned = [w for w in planned if w.table not in skip_tables]
                bent = [w for w in bent if w.table not in skip_tables]
            pairs.append((planned, bent))
        if late:
            pairs = self._healthy_on_time(pairs, late, healthy)
        touched = {
            (w.table, w.key, w.field)
            for h, b in pairs
            for w in (*h, *b)
            if isinstance(w, Update)
        }
        # The triggering records were just read whole: their fields' values before the
        # batch come from them; only fields of other records are read again.
        known = {int(r[KEY]): r for r in records}  # type: ignore[arg-type]
        before: dict[FieldId, Value] = {}
        elsewhere: list[FieldId] = []
        for ident in touched:
            found = known.get(ident[1]) if ident[0] == self.automation.table else None
            if found is not None and ident[2] in found:
                before[ident] = found[ident[2]]
            else:
                elsewhere.append(ident)
        before.update(read_values(self.store, elsewhere))
        ids = apply_plans(self.store, [b for _, b in pairs], self.actor.in_batch(batch_id))
        done = [(h, b, i) for (h, b), i in zip(pairs, ids, strict=True)]
        damage = derive_damage(before, done, at=at, batch_id=batch_id, columns=self._columns)
        self.truth.record(damage)
        expected: Counter[str] = Counter(
            w.table for h, _ in pairs for w in h if isinstance(w, Insert)
        )
        return BatchResult(
            batch_id, len(events), sum(len(b) for _, b in pairs), damage, dict(expected)
        )

    def _healthy_on_time(
        self, pairs: list[tuple[list[Write], list[Write]]], late: dict[int, datetime],
        healthy: bool,
    ) -> list[tuple[list[Write], list[Write]]]:
        """A late event's healthy plan, as a delivery on time would have left things: its
        writes to fields a person changed after it was sent are not in it (the person's
        change came later and stands). With the cause fixed the job honours that too."""
        trigger = self.automation.table
        since: dict[tuple[str, int], datetime] = {}
        fields: set[FieldId] = set()
        for planned, _ in pairs:
            for w in planned:
                if isinstance(w, Update):
                    origin = w.key if w.table == trigger else None
                    sent = late.get(origin) if origin is not None else None
                    if sent is not None:
                        since[(w.table, w.key)] = sent
                        fields.add((w.table, w.key, w.field))
        if not fields:
            return pairs
        newer = edited_after(self.store, fields, since)
        if not newer:
            return pairs
        out: list[tuple[list[Write], list[Write]]] = []
        for planned, bent in pairs:
            kept = [w for w in planned
                    if not (isinstance(w, Update) and (w.table, w.key, w.field) in newer)]
            out.append((kept, kept if healthy else bent))
        return out

    def run_all(self, per_batch: int = 500) -> list[BatchResult]:
        """Run every event with no one stopping it, ``per_batch`` events per batch."""
        events = list(self.events())
        return [
            self.execute(events[i : i + per_batch]) for i in range(0, len(events), per_batch)
        ]
