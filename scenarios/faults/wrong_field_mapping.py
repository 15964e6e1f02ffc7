"""Fault kind ``wrong_field_mapping``: the value meant for one field lands in another."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, ClassVar, Literal

from drills.fakes.catalog import TableDef
from drills.scenarios.automation import Automation, written_fields
from drills.scenarios.basics import FieldRef, Issue, same_type
from drills.scenarios.faults.base import (
    FaultKind,
    FaultSpec,
    Scaffolding,
    split_field,
)

if TYPE_CHECKING:
    from drills.fakes.automations import PlanContext, Record, Write

__all__ = ["FAULT", "WrongFieldMapping", "WrongFieldMappingInjector"]


class WrongFieldMapping(FaultSpec):
    """The value meant for one field is written into another (status into billing terms)."""

    kind: Literal["wrong_field_mapping"]
    writes: FieldRef
    into: FieldRef


@dataclass(frozen=True)
class WrongFieldMappingInjector:
    """Writes meant for ``writes`` land in ``into`` (customer status over billing terms)."""

    plan_determined: ClassVar[bool] = True
    """Bends every record's plan the same way (the bulk hook, drills.scenarios.bulkrun):
    its bend may be run once on a template record for a whole batch."""

    writes: str
    into: str
    kind: str = "wrong_field_mapping"
    ignores_filter: bool = False

    def bend(self, record: Record, plan: Sequence[Write], ctx: PlanContext) -> list[Write]:
        from drills.fakes.automations import Update  # the engine stack, only when a run bends

        table, source = split_field(self.writes)
        _, target = split_field(self.into)
        return [
            replace(w, field=target)
            if isinstance(w, Update) and w.table == table and w.field == source
            else w
            for w in plan
        ]


def _check(f: WrongFieldMapping, auto: Automation, source: TableDef) -> list[Issue]:
    issues: list[Issue] = []
    written = written_fields(auto)
    if f.writes not in written:
        issues.append((("fault", "writes"),
                       f"the automation never writes '{f.writes}'; name a field it "
                       f"writes: {', '.join(sorted(written)) or 'none'}"))
    if f.writes.rsplit(".", 1)[0] != f.into.rsplit(".", 1)[0]:
        issues.append((("fault", "into"),
                       "a wrong mapping writes into another field of the same table; "
                       f"pick a field of '{f.writes.rsplit('.', 1)[0]}'"))
    elif f.writes == f.into:
        issues.append((("fault", "into"), "'into' must be a different field than 'writes'"))
    else:
        mismatch = same_type(f.writes, f.into)
        if mismatch is not None:
            issues.append((("fault", "into"), mismatch))
    return issues


FAULT = FaultKind(
    name="wrong_field_mapping",
    title="the value meant for one field is written into another",
    position=1,
    spec=WrongFieldMapping,
    injector=lambda f, _table: WrongFieldMappingInjector(f.writes, f.into),
    check=_check,
    default_stop_rule="unexpected_writes >= 1",
    scaffold=Scaffolding(
        keys=lambda site: {"writes": f"{site.table}.{site.status}",
                           "into": f"{site.table}.{site.into}"},
        complaint="10 wrong records",
        default_for="other jobs",
    ),
)
