"""Healthy automation behaviour as plans of writes, so a fault can bend a plan before it runs.

An automation reacts to records of its table (the triggering records) with steps
(send an email, log activity, sync a field, set a field, create a record). Steps do
not write: they *plan* writes. The executor applies a plan through the store's
logged write path, batched per table. Keeping plan and execution apart is what lets
a fault library say precisely what it changed (the difference between the healthy
plan and the bent one) and lets a million-event bad run write in bulk.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

import sqlalchemy as sa

from drills.fakes.active import CATALOG
from drills.fakes.actors import Actor
from drills.fakes.catalog import KEY
from drills.fakes.store import SqlStore, Value, format_time
from drills.teamcode import call_team_each

__all__ = [
    "AutomationDef",
    "AutomationFunction",
    "CallableStep",
    "CreateRecord",
    "Insert",
    "LogActivity",
    "PlanContext",
    "PlanningClient",
    "Record",
    "SendEmail",
    "SetField",
    "Step",
    "SyncField",
    "TriggerEvent",
    "Update",
    "Write",
    "apply_plans",
    "fetch_records",
    "links_to",
    "matches",
]

Record = Mapping[str, Value]


@dataclass(frozen=True)
class Update:
    """Set one field of one existing record."""

    table: str
    key: int
    field: str
    value: Value


@dataclass(frozen=True)
class Insert:
    """Create one record; its id is assigned when it is written."""

    table: str
    row: Mapping[str, Value]


Write = Update | Insert


@dataclass(frozen=True)
class PlanContext:
    """What a step may look at while planning: the store (read only), time, who it is."""

    store: SqlStore
    now: datetime
    automation: str
    table: str


class Step(Protocol):
    def plan(self, records: Sequence[Record], ctx: PlanContext) -> dict[int, list[Write]]:
        """Writes per triggering record key, in the order they should happen."""
        ...


def _related(table: str, key: Value) -> str:
    return f"{table}:{key}"


@dataclass(frozen=True)
class SendEmail:
    """Queue an email to the address held in a field of the triggering record.

    With ``review`` the message waits (status ``held``, not reviewed) for a person;
    without it, it is sent at once. Sent email cannot be unsent: repair compensates.
    """

    template: str
    to_field: str
    review: bool = False

    def plan(self, records: Sequence[Record], ctx: PlanContext) -> dict[int, list[Write]]:
        at = format_time(ctx.now)
        subject = self.template.replace("-", " ").capitalize()
        outbox = CATALOG.messages_table()
        out: dict[int, list[Write]] = {}
        for rec in records:
            key = int(rec[KEY])  # type: ignore[arg-type]
            out[key] = [
                Insert(
                    outbox,
                    {
                        "to_address": rec[self.to_field],
                        "template": self.template,
                        "subject": f"{subject} ({_related(ctx.table, key)})",
                        "related": _related(ctx.table, key),
                        "reviewed": 0,
                        "status": "held" if self.review else "sent",
                        "created_at": at,
                        "sent_at": None if self.review else at,
                    },
                )
            ]
        return out


def links_to(log: str, table: str) -> bool:
    """Whether the activity log ``log`` has a field pointing at records of ``table`` (its
    entries are then about them: billing's log points at invoices)."""
    return any(c.kind == f"ref:{table}" or (c.generator is not None and c.generator.ref == table)
               for c in CATALOG.table(log).columns)


@dataclass(frozen=True)
class LogActivity:
    """Append an entry to an activity log (billing.activity) about the triggering record."""

    table: str = "billing.activity"

    def plan(self, records: Sequence[Record], ctx: PlanContext) -> dict[int, list[Write]]:
        at = format_time(ctx.now)
        on_invoice = links_to(self.table, ctx.table)
        out: dict[int, list[Write]] = {}
        for rec in records:
            key = int(rec[KEY])  # type: ignore[arg-type]
            out[key] = [
                Insert(
                    self.table,
                    {
                        "invoice_id": key if on_invoice else None,
                        "kind": "reminder_sent" if on_invoice else "note",
                        "message": f"{ctx.automation} ran for {_related(ctx.table, key)}",
                        "at": at,
                        "actor": ctx.automation,
                    },
                )
            ]
        return out


@dataclass(frozen=True)
class SyncField:
    """Copy a field of the triggering record to every record whose ``key`` field points at it."""

    from_field: str
    to_table: str
    to_field: str
    key_field: str

    def plan(self, records: Sequence[Record], ctx: PlanContext) -> dict[int, list[Write]]:
        by_source = {int(r[KEY]): r[self.from_field] for r in records}  # type: ignore[arg-type]
        t = ctx.store.sa_table(self.to_table)
        out: dict[int, list[Write]] = {k: [] for k in by_source}
        keys = list(by_source)
        with ctx.store.engine.connect() as conn:
            for i in range(0, len(keys), 5000):
                chunk = keys[i : i + 5000]
                rows = conn.execute(
                    sa.select(t.c[KEY], t.c[self.key_field])
                    .where(t.c[self.key_field].in_(chunk))
                    .order_by(t.c[KEY])
                )
                for target, source in rows:
                    out[int(source)].append(
                        Update(self.to_table, int(target), self.to_field, by_source[int(source)])
                    )
        return out


@dataclass(frozen=True)
class SetField:
    """Set a field of the triggering record to a value or to another of its fields."""

    field: str
    value: Value = None
    from_field: str | None = None

    def plan(self, records: Sequence[Record], ctx: PlanContext) -> dict[int, list[Write]]:
        out: dict[int, list[Write]] = {}
        for rec in records:
            key = int(rec[KEY])  # type: ignore[arg-type]
            value = rec[self.from_field] if self.from_field else self.value
            out[key] = [Update(ctx.table, key, self.field, value)]
        return out


@dataclass(frozen=True)
class CreateRecord:
    """Create a record for the triggering record, copying some of its fields."""

    table: str
    copy: Mapping[str, str] = field(default_factory=dict)
    values: Mapping[str, Value] = field(default_factory=dict)

    def plan(self, records: Sequence[Record], ctx: PlanContext) -> dict[int, list[Write]]:
        out: dict[int, list[Write]] = {}
        for rec in records:
            key = int(rec[KEY])  # type: ignore[arg-type]
            row: dict[str, Value] = {new: rec[old] for new, old in self.copy.items()}
            row.update(self.values)
            out[key] = [Insert(self.table, row)]
        return out


@dataclass(frozen=True)
class TriggerEvent:
    """What a team's own automation function is called with: the record that triggered it."""

    table: str
    key: int
    record: Mapping[str, Value]
    at: datetime


class PlanningClient:
    """The fake systems as a team's automation sees them: read, update, create, send.

    Reads see the world as it is; writes are recorded as a plan instead of applied, so
    a fault can bend them (a mapping swapped at write time, a delivery repeated) and
    the drill knows exactly what the code meant to do. Names are checked against the
    catalog, so a typo in the team's code fails with a did-you-mean.
    """

    def __init__(self, store: SqlStore, ctx: PlanContext) -> None:
        self._store = store
        self._ctx = ctx
        self.writes: list[Write] = []

    @property
    def now(self) -> datetime:
        return self._ctx.now

    def get(self, table: str, key: int) -> dict[str, Value] | None:
        return self._store.get(table, key)

    def find(self, table: str, **where: Value) -> list[dict[str, Value]]:
        """Records of ``table`` whose fields equal ``where`` (in key order)."""
        t = self._store.sa_table(table)
        d = self._store.table(table)
        for name, value in where.items():
            # A value of the wrong type fails here, on every backend (PostgreSQL would
            # refuse to compare an int field with text; SQLite would quietly match nothing).
            self._store._check(d, name, value)
        stmt = sa.select(t).where(*(t.c[n] == v for n, v in where.items())).order_by(t.c[KEY])
        with self._store.engine.connect() as conn:
            return [dict(r) for r in conn.execute(stmt).mappings()]

    def update(self, table: str, key: int, **fields: Value) -> None:
        d = self._store.table(table)
        for name, value in fields.items():
            # Checked here, inside the team's call, so a value of the wrong type fails
            # as the team's code at its own line, not later in the store's write.
            self._store._check(d, name, value)
            self.writes.append(Update(table, key, name, value))

    def create(self, table: str, **fields: Value) -> None:
        d = self._store.table(table)
        for name, value in fields.items():
            self._store._check(d, name, value)
        self.writes.append(Insert(table, dict(fields)))

    def send(self, to: str, template: str, *, related: str | None = None,
             review: bool = False) -> None:
        """Queue an email (held for review with ``review``, else sent now)."""
        at = format_time(self._ctx.now)
        self.writes.append(Insert(CATALOG.messages_table(), {
            "to_address": to,
            "template": template,
            "subject": template.replace("-", " ").capitalize(),
            "related": related,
            "reviewed": 0,
            "status": "held" if review else "sent",
            "created_at": at,
            "sent_at": None if review else at,
        }))


AutomationFunction = Callable[[PlanningClient, TriggerEvent], object]
"""A team's own automation: ``def run(client, event): ...``."""


@dataclass(frozen=True)
class CallableStep:
    """Runs a team's own automation function once per triggering record, as a plan.

    The calls go through :func:`drills.teamcode.call_team_each`: a function that raises,
    calls ``sys.exit`` or hangs past the call timeout ends the drill with one
    :class:`~drills.teamcode.TeamCodeError` line naming it and its failing line.
    """

    function: AutomationFunction

    @property
    def label(self) -> str:
        """``automation.callable 'ops.reminders:send_reminder'``, as errors name it."""
        module = getattr(self.function, "__module__", None) or "?"
        name = getattr(self.function, "__qualname__", None) or repr(self.function)
        return f"automation.callable '{module}:{name}'"

    def plan(self, records: Sequence[Record], ctx: PlanContext) -> dict[int, list[Write]]:
        calls: list[tuple[PlanningClient, TriggerEvent]] = []
        keys: list[int] = []
        for rec in records:
            key = int(rec[KEY])  # type: ignore[arg-type]
            keys.append(key)
            calls.append((PlanningClient(ctx.store, ctx),
                          TriggerEvent(ctx.table, key, dict(rec), ctx.now)))
        call_team_each(self.label, self.function, calls)
        return {key: client.writes for key, (client, _) in zip(keys, calls, strict=True)}


def matches(record: Record, where: Mapping[str, Value]) -> bool:
    """True when the record meets every ``field = value`` condition."""
    return all(record.get(f) == v for f, v in where.items())


@dataclass(frozen=True)
class AutomationDef:
    """A job over one table: for each triggering record it meets ``where``, run the steps."""

    name: str
    table: str
    steps: tuple[Step, ...]
    where: Mapping[str, Value] = field(default_factory=dict)

    def plan(
        self, records: Sequence[Record], ctx: PlanContext, *, ignore_filter: bool = False
    ) -> dict[int, list[Write]]:
        """The healthy plan per record; records outside ``where`` get no writes."""
        chosen = [r for r in records if ignore_filter or matches(r, self.where)]
        out: dict[int, list[Write]] = {int(r[KEY]): [] for r in records}  # type: ignore[arg-type]
        for step in self.steps:
            for key, writes in step.plan(chosen, ctx).items():
                out[key].extend(writes)
        return out


def fetch_records(store: SqlStore, table: str, keys: Sequence[int]) -> list[dict[str, Value]]:
    """Current records for ``keys`` in the order given (missing keys are skipped)."""
    t = store.sa_table(table)
    names = [c.name for c in t.columns]
    at = names.index(KEY)
    with store.engine.connect() as conn:
        rows = store.read_keyed(conn, t, names, keys)
    found = {int(row[at]): dict(zip(names, row, strict=True)) for row in rows}
    return [found[k] for k in keys if k in found]


def apply_plans(
    store: SqlStore, plans: Sequence[Sequence[Write]], actor: Actor
) -> list[list[int | None]]:
    """Apply per-record plans through the logged write path; returns each insert's new id.

    Plans of different records are independent, so their writes are merged per table
    into as few store calls as possible. Within one plan order matters: a field written
    a second time (a flapping status) goes into a later round, so every flip is logged,
    and an insert stays in the round of the update before it.
    """
    results: list[list[int | None]] = [[None] * len(p) for p in plans]
    rounds: dict[int, list[tuple[int, int, Write]]] = defaultdict(list)
    for p_index, plan in enumerate(plans):
        seen: dict[tuple[str, int, str], int] = {}
        current = 0
        for w_index, write in enumerate(plan):
            if isinstance(write, Update):
                ident = (write.table, write.key, write.field)
                current = max(current, seen.get(ident, 0))
                seen[ident] = current + 1
            rounds[current].append((p_index, w_index, write))
    for number in sorted(rounds):
        inserts: dict[str, list[tuple[int, int, Insert]]] = defaultdict(list)
        updates: dict[str, dict[int, dict[str, Value]]] = defaultdict(dict)
        for p_index, w_index, write in rounds[number]:
            if isinstance(write, Insert):
                inserts[write.table].append((p_index, w_index, write))
            else:
                updates[write.table].setdefault(write.key, {})[write.field] = write.value
        for table, rows in inserts.items():
            ids = store.insert(table, [w.row for _, _, w in rows], actor)
            for (p_index, w_index, _), new_id in zip(rows, ids, strict=True):
                results[p_index][w_index] = new_id
        for table, changes in updates.items():
            store.update(table, changes, actor)
    return results
