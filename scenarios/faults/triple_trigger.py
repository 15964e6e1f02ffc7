"""Fault kind ``triple_trigger``: one event delivered N times, so N emails and N entries."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Literal

from drills.scenarios.basics import Repeats
from drills.scenarios.faults.base import FaultKind, FaultSpec, Scaffolding

if TYPE_CHECKING:
    from drills.fakes.automations import PlanContext, Record, Write

__all__ = ["FAULT", "TripleTrigger", "TripleTriggerInjector"]


class TripleTrigger(FaultSpec):
    """One event delivered N times: N emails, N activity entries."""

    kind: Literal["triple_trigger"]
    times: Repeats = 3

    def repeats(self) -> int:
        return self.times


@dataclass(frozen=True)
class TripleTriggerInjector:
    """One event delivered ``times`` times: every email and activity entry ``times`` over."""

    plan_determined: ClassVar[bool] = True
    """Bends every record's plan the same way (the bulk hook, drills.scenarios.bulkrun):
    its bend may be run once on a template record for a whole batch."""

    times: int = 3
    kind: str = "triple_trigger"
    ignores_filter: bool = False

    def bend(self, record: Record, plan: Sequence[Write], ctx: PlanContext) -> list[Write]:
        return [w for _ in range(self.times) for w in plan]


FAULT = FaultKind(
    name="triple_trigger",
    title="one event is delivered several times: every email and entry goes out again",
    position=2,
    spec=TripleTrigger,
    injector=lambda f, _table: TripleTriggerInjector(f.times),
    default_stop_rule="duplicate_messages >= 5",
    scaffold=Scaffolding(
        keys=lambda site: {"times": 3},
        complaint="5 duplicate emails",
        default_for="messaging jobs",
    ),
)
