"""Fault kind ``over_broad_filter``: the run reaches records outside its intended filter."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar, Literal

from pydantic import Field

from drills.fakes.catalog import TableDef
from drills.scenarios.automation import Automation
from drills.scenarios.basics import Filter, Issue, check_filter
from drills.scenarios.faults.base import FaultKind, FaultSpec, Scaffolding, decoded

if TYPE_CHECKING:
    from drills.fakes.automations import PlanContext, Record, Write
    from drills.fakes.store import Value

__all__ = ["FAULT", "OverBroadFilter", "OverBroadFilterInjector"]


class OverBroadFilter(FaultSpec):
    """The run reaches records outside its intended filter (churned customers)."""

    kind: Literal["over_broad_filter"]
    reaches: Filter = Field(description="the records outside the filter it also touches")

    def also_reaches(self) -> Filter | None:
        return self.reaches


@dataclass(frozen=True)
class OverBroadFilterInjector:
    """The job's filter is dropped: records it was never meant for get the full treatment."""

    plan_determined: ClassVar[bool] = True
    """Bends every record's plan the same way (the bulk hook, drills.scenarios.bulkrun):
    its bend may be run once on a template record for a whole batch."""

    reaches: dict[str, Value] = field(default_factory=dict)
    kind: str = "over_broad_filter"
    ignores_filter: bool = True

    def bend(self, record: Record, plan: Sequence[Write], ctx: PlanContext) -> list[Write]:
        return list(plan)


def _check(f: OverBroadFilter, auto: Automation, source: TableDef) -> list[Issue]:
    issues: list[Issue] = []
    if not auto.where:
        issues.append((("fault", "kind"),
                       "over_broad_filter needs the automation's 'where' filter"))
    issues.extend(check_filter(source, f.reaches, ("fault", "reaches")))
    return issues


FAULT = FaultKind(
    name="over_broad_filter",
    title="the job's filter is dropped and records it was never meant for are changed",
    position=7,
    spec=OverBroadFilter,
    injector=lambda f, table: OverBroadFilterInjector(decoded(table, f.reaches)),
    check=_check,
    default_stop_rule="unexpected_writes >= 1",
    scaffold=Scaffolding(
        keys=lambda site: {"reaches": {site.status: site.outside_value},
                           "reach": {"where": {site.status: site.outside_value}}},
        complaint="5 wrong records",
    ),
)
