"""Fault kind ``reordered_deliveries``: an older event arrives after a newer one.

Two events about the same record (an order 'processing', then 'shipped') reach the job
in the wrong order within a short window; the job applies both as they come, so the
older value overwrites the newer one and the status goes back. What a healthy delivery
leaves is the newest event's value.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from drills.errors import did_you_mean
from drills.fakes.active import CATALOG
from drills.fakes.catalog import TableDef
from drills.scenarios.automation import Automation, written_fields
from drills.scenarios.basics import FieldRef, Issue, check_value
from drills.scenarios.faults._delivery import Delivery
from drills.scenarios.faults.base import FaultKind, FaultSpec, Scaffolding, split_field

if TYPE_CHECKING:
    from drills.fakes.automations import PlanContext, Record, Write

__all__ = ["FAULT", "ReorderedDeliveries", "ReorderedDeliveriesInjector"]


class ReorderedDeliveries(FaultSpec):
    """Events arrive out of order: an older value overwrites a newer one (a status goes back)."""

    kind: Literal["reordered_deliveries"]
    field: FieldRef
    """The field the job sets from each event."""
    older: str
    """The value the older event carries, applied after the newer one."""

    def repeats(self) -> int:
        return 2


@dataclass(frozen=True)
class ReorderedDeliveriesInjector:
    """The newer event is applied, then the older one sets ``field`` back to ``older``."""

    field: str
    older: str
    kind: str = "reordered_deliveries"
    ignores_filter: bool = False

    def bend(self, record: Record, plan: Sequence[Write], ctx: PlanContext) -> list[Write]:
        from drills.fakes.automations import Update  # the engine stack, only when a run bends

        table, name = split_field(self.field)
        column = CATALOG.table(table).column(name)
        stale = [replace(w, value=column.decode(self.older)) for w in plan
                 if isinstance(w, Update) and (w.table, w.field) == (table, name)]
        return [*plan, *stale]

    def delivery(self, key: int) -> Delivery:
        return Delivery(out_of_order=1)

    def arrival(self, sent: datetime, start: datetime) -> datetime:
        return sent


def _check(f: ReorderedDeliveries, auto: Automation, source: TableDef) -> list[Issue]:
    table, name = split_field(f.field)
    issues: list[Issue] = []
    column = CATALOG.table(table).column(name)
    problem = check_value(CATALOG.table(table), name, f.older)
    if problem is None and column.choices and f.older not in column.choices:
        problem = (f"'{f.field}' never holds '{f.older}'"
                   f"{did_you_mean(f.older, column.choices)}")
    if problem is not None:
        issues.append((("fault", "older"), problem))
    if f.field not in written_fields(auto):
        issues.append((("fault", "field"), f"the automation never writes '{f.field}'; "
                       "name the field the job sets from each event"))
    for a in auto.does:
        if a.kind in ("set_field", "advance_stage") and a.spec.field == f.field \
                and a.spec.from_ is None and str(a.spec.value) == f.older:
            issues.append((("fault", "older"), f"the job itself sets '{f.field}' to "
                           f"'{f.older}', so the older event changes nothing; name the "
                           "value the record held before (e.g. the job's where-filter value)"))
    return issues


FAULT = FaultKind(
    name="reordered_deliveries",
    title="events arrive out of order and an older value overwrites a newer one",
    position=9,
    spec=ReorderedDeliveries,
    injector=lambda f, _table: ReorderedDeliveriesInjector(f.field, f.older),
    check=_check,
    default_stop_rule="out_of_order_arrivals >= 5",
    scaffold=Scaffolding(
        keys=lambda site: {"field": f"{site.table}.{site.status}", "older": site.from_value},
        complaint="10 records back to an old status",
    ),
)
