"""The fault library: each fault bends an automation's healthy plan the way real runs go bad.

A fault never writes by itself. It receives the plan the healthy automation made for
one triggering record and returns the plan that actually runs; the bad run applies
it through the store under the run's id and batch ids, and ground truth is the
difference (see :mod:`drills.scenarios.truth`). New faults need only ``bend``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

from drills.fakes.automations import Insert, PlanContext, Record, Update, Write
from drills.fakes.catalog import CATALOG
from drills.fakes.store import Value, format_time
from drills.scenarios import schema

__all__ = [
    "BlankWrites",
    "DuplicateRecords",
    "Healthy",
    "Injector",
    "OverBroadFilter",
    "SkippedApproval",
    "StatusFlapping",
    "TripleTrigger",
    "WrongFieldMapping",
    "injector_for",
]


class Injector(Protocol):
    @property
    def kind(self) -> str: ...

    @property
    def ignores_filter(self) -> bool:
        """True when the fault reaches records outside the automation's ``where`` filter."""
        ...

    def bend(self, record: Record, plan: Sequence[Write], ctx: PlanContext) -> list[Write]: ...


@functools.cache
def _split(dotted: str) -> tuple[str, str]:
    table, _, name = dotted.rpartition(".")
    return table, name


@dataclass(frozen=True)
class Healthy:
    """No fault: the twin a bad run is measured against."""

    kind: str = "healthy"
    ignores_filter: bool = False

    def bend(self, record: Record, plan: Sequence[Write], ctx: PlanContext) -> list[Write]:
        return list(plan)


@dataclass(frozen=True)
class WrongFieldMapping:
    """Writes meant for ``writes`` land in ``into`` (customer status over billing terms)."""

    writes: str
    into: str
    kind: str = "wrong_field_mapping"
    ignores_filter: bool = False

    def bend(self, record: Record, plan: Sequence[Write], ctx: PlanContext) -> list[Write]:
        table, source = _split(self.writes)
        _, target = _split(self.into)
        return [
            replace(w, field=target)
            if isinstance(w, Update) and w.table == table and w.field == source
            else w
            for w in plan
        ]


@dataclass(frozen=True)
class TripleTrigger:
    """One event delivered ``times`` times: every email and activity entry ``times`` over."""

    times: int = 3
    kind: str = "triple_trigger"
    ignores_filter: bool = False

    def bend(self, record: Record, plan: Sequence[Write], ctx: PlanContext) -> list[Write]:
        return [w for _ in range(self.times) for w in plan]


@dataclass(frozen=True)
class BlankWrites:
    """The job also writes blanks (or nulls) over real values of the triggering record."""

    fields: tuple[str, ...]
    blank: Value = ""
    kind: str = "blank_writes"
    ignores_filter: bool = False

    def bend(self, record: Record, plan: Sequence[Write], ctx: PlanContext) -> list[Write]:
        key = int(record["id"])  # type: ignore[arg-type]
        table, blank = ctx.table, self.blank
        return [*plan, *(Update(table, key, name, blank) for name in self._names)]

    @functools.cached_property
    def _names(self) -> tuple[str, ...]:
        """The fields' names, split once: bend runs per event (100,000 at 1M records)."""
        return tuple(_split(f)[1] for f in self.fields)


@dataclass(frozen=True)
class StatusFlapping:
    """The status the job sets bounces: shipped, processing, shipped, processing...

    Each bounce reruns the whole plan (so an order-update email goes out per bounce)
    and the run ends on the wrong value.
    """

    field: str
    between: tuple[str, str]
    flips: int = 2
    kind: str = "status_flapping"
    ignores_filter: bool = False

    def bend(self, record: Record, plan: Sequence[Write], ctx: PlanContext) -> list[Write]:
        table, name = _split(self.field)
        if not any(isinstance(w, Update) and (w.table, w.field) == (table, name) for w in plan):
            return list(plan)
        good, bad = self.between[1], self.between[0]
        out: list[Write] = []
        for value in [good, bad] * self.flips:
            out.extend(
                replace(w, value=value)
                if isinstance(w, Update) and (w.table, w.field) == (table, name)
                else w
                for w in plan
            )
        return out


@dataclass(frozen=True)
class DuplicateRecords:
    """Records the job creates in ``table`` are created ``copies`` times (billed twice)."""

    table: str
    copies: int = 2
    kind: str = "duplicate_records"
    ignores_filter: bool = False

    def bend(self, record: Record, plan: Sequence[Write], ctx: PlanContext) -> list[Write]:
        out: list[Write] = []
        for w in plan:
            times = self.copies if isinstance(w, Insert) and w.table == self.table else 1
            out.extend([w] * times)
        return out


@dataclass(frozen=True)
class SkippedApproval:
    """Messages that should wait for review are sent at once, unreviewed."""

    kind: str = "skipped_approval"
    ignores_filter: bool = False

    def bend(self, record: Record, plan: Sequence[Write], ctx: PlanContext) -> list[Write]:
        now = format_time(ctx.now)
        return [
            Insert(w.table, {**w.row, "status": "sent", "sent_at": now})
            if isinstance(w, Insert) and w.table == "email.outbox" and w.row.get("status") == "held"
            else w
            for w in plan
        ]


@dataclass(frozen=True)
class OverBroadFilter:
    """The job's filter is dropped: records it was never meant for get the full treatment."""

    reaches: dict[str, Value] = field(default_factory=dict)
    kind: str = "over_broad_filter"
    ignores_filter: bool = True

    def bend(self, record: Record, plan: Sequence[Write], ctx: PlanContext) -> list[Write]:
        return list(plan)


def _decoded(table: str, where: dict[str, str]) -> dict[str, Value]:
    t = CATALOG.table(table)
    return {name: t.column(name).decode(value) for name, value in where.items()}


_BUILDERS: dict[type, Callable[..., Injector]] = {
    schema.WrongFieldMapping: lambda f, _t: WrongFieldMapping(f.writes, f.into),
    schema.TripleTrigger: lambda f, _t: TripleTrigger(f.times),
    schema.BlankWrites: lambda f, _t: BlankWrites(
        tuple(f.fields), "" if f.blank == "empty" else None
    ),
    schema.StatusFlapping: lambda f, _t: StatusFlapping(f.field, f.between, f.flips),
    schema.DuplicateRecords: lambda f, _t: DuplicateRecords(f.table, f.copies),
    schema.SkippedApproval: lambda f, _t: SkippedApproval(),
    schema.OverBroadFilter: lambda f, t: OverBroadFilter(_decoded(t, f.reaches)),
}


def injector_for(fault: schema.Fault, table: str) -> Injector:
    """The injector for a scenario's fault; ``table`` is the automation's triggering table."""
    return _BUILDERS[type(fault)](fault, table)
