"""Fault kind ``status_flapping``: a status bounces between two values, and ends wrong."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Annotated, ClassVar, Literal

from pydantic import Field

from drills.fakes.active import CATALOG
from drills.fakes.catalog import TableDef
from drills.scenarios.automation import Automation, written_fields
from drills.scenarios.basics import FieldRef, Issue, check_value
from drills.scenarios.faults.base import FaultKind, FaultSpec, Scaffolding, split_field
from drills.scenarios.limits import MAX_REPEATS

if TYPE_CHECKING:
    from drills.fakes.automations import PlanContext, Record, Write

__all__ = ["FAULT", "StatusFlapping", "StatusFlappingInjector"]


class StatusFlapping(FaultSpec):
    """A status bounces between two values (processing -> shipped -> processing)."""

    kind: Literal["status_flapping"]
    field: FieldRef
    between: tuple[str, str]
    flips: Annotated[int, Field(strict=True, ge=1, le=MAX_REPEATS)] = 2

    def repeats(self) -> int:
        return 2 * self.flips


@dataclass(frozen=True)
class StatusFlappingInjector:
    """The status the job sets bounces: shipped, processing, shipped, processing...

    Each bounce reruns the whole plan (so an order-update email goes out per bounce)
    and the run ends on the wrong value.
    """


    plan_determined: ClassVar[bool] = True
    """Bends every record's plan the same way (the bulk hook, drills.scenarios.bulkrun):
    its bend may be run once on a template record for a whole batch."""
    field: str
    between: tuple[str, str]
    flips: int = 2
    kind: str = "status_flapping"
    ignores_filter: bool = False

    def bend(self, record: Record, plan: Sequence[Write], ctx: PlanContext) -> list[Write]:
        from drills.fakes.automations import Update  # the engine stack, only when a run bends

        table, name = split_field(self.field)
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


def _check(f: StatusFlapping, auto: Automation, source: TableDef) -> list[Issue]:
    table, name = split_field(f.field)
    issues: list[Issue] = [
        (("fault", "between", i), problem)
        for i, value in enumerate(f.between)
        if (problem := check_value(CATALOG.table(table), name, value)) is not None
    ]
    if f.field not in written_fields(auto):
        issues.append((("fault", "field"), f"the automation never writes '{f.field}'; "
                       "flapping needs a status the job sets"))
    return issues


FAULT = FaultKind(
    name="status_flapping",
    title="a status bounces between two values and the run ends on the wrong one",
    position=4,
    spec=StatusFlapping,
    injector=lambda f, _table: StatusFlappingInjector(f.field, f.between, f.flips),
    check=_check,
    default_stop_rule="status_flips >= 5",
    scaffold=Scaffolding(
        keys=lambda site: {"field": f"{site.table}.{site.status}",
                           "between": [site.from_value, site.to_value], "flips": 2},
        complaint="10 flapping records",
    ),
)
