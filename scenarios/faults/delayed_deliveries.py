"""Fault kind ``delayed_deliveries``: events are held for a while, then arrive in a burst.

A sender's outage or a stuck queue holds every event sent from the fault's start for
``held_for``; then they all arrive at once. Meanwhile people have worked the records by
hand, and the late events write over what they changed. A healthy delivery would have
written on time, before the person's change, so the person's value is what the record
should hold (the bad run's ground truth compares exactly that:
:meth:`drills.scenarios.badrun.BadRun.execute`). The fix a team makes is the standard
one for late events: a change newer than the event wins.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Literal

from pydantic import Field

from drills.fakes.catalog import TableDef
from drills.scenarios.automation import Automation, written_fields
from drills.scenarios.basics import Interval, Issue
from drills.scenarios.faults._delivery import ON_TIME, Delivery
from drills.scenarios.faults.base import FaultKind, FaultSpec, Scaffolding

if TYPE_CHECKING:
    from drills.fakes.automations import PlanContext, Record, Write

__all__ = ["FAULT", "DelayedDeliveries", "DelayedDeliveriesInjector"]


class DelayedDeliveries(FaultSpec):
    """Events held for a period arrive in a burst, after people edited the records by hand."""

    kind: Literal["delayed_deliveries"]
    held_for: Interval = Field(
        default=timedelta(hours=1),
        description="how long events sent from the fault's start are held before they "
                    "arrive together")

    def needs_people(self) -> bool:
        return True


@dataclass(frozen=True)
class DelayedDeliveriesInjector:
    """Every event sent within ``held_for`` of the fault's start arrives at its end."""

    held_for: timedelta = timedelta(hours=1)
    kind: str = "delayed_deliveries"
    ignores_filter: bool = False

    def bend(self, record: Record, plan: Sequence[Write], ctx: PlanContext) -> list[Write]:
        return list(plan)

    def delivery(self, key: int) -> Delivery:
        return ON_TIME

    def arrival(self, sent: datetime, start: datetime) -> datetime:
        return max(sent, start + self.held_for)


def _check(f: DelayedDeliveries, auto: Automation, source: TableDef) -> list[Issue]:
    if any(w.rsplit(".", 1)[0] == source.qualname for w in written_fields(auto)):
        return []
    return [(("fault", "kind"), f"the automation writes no field of '{source.qualname}', so "
             "a late event overwrites nothing a person changed on the records it is about; "
             "drill a job that sets a field of the records it works through")]


FAULT = FaultKind(
    name="delayed_deliveries",
    title="events are held, then arrive in a burst over what people changed by hand",
    position=11,
    spec=DelayedDeliveries,
    injector=lambda f, _table: DelayedDeliveriesInjector(f.held_for),
    check=_check,
    default_stop_rule="delivery_drift >= 5",
    scaffold=Scaffolding(keys=lambda site: {"held_for": "30m"},
                         complaint="3 hand edits undone"),
)
