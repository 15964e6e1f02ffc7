"""Fault kind ``blank_writes``: empty values (or nulls) written over real ones."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Literal

from pydantic import Field

from drills.fakes.catalog import TableDef
from drills.scenarios.automation import Automation
from drills.scenarios.basics import FieldRef, Issue
from drills.scenarios.faults.base import FaultKind, FaultSpec, Scaffolding, split_field
from drills.scenarios.limits import MAX_ITEMS

if TYPE_CHECKING:
    from drills.fakes.automations import PlanContext, Record, Write
    from drills.fakes.store import Value

__all__ = ["FAULT", "BlankWrites", "BlankWritesInjector"]


class BlankWrites(FaultSpec):
    """Empty values (or nulls) written over real values in the source system."""

    kind: Literal["blank_writes"]
    fields: list[FieldRef] = Field(min_length=1, max_length=MAX_ITEMS)
    blank: Literal["empty", "null"] = "empty"


@dataclass(frozen=True)
class BlankWritesInjector:
    """The job also writes blanks (or nulls) over real values of the triggering record."""

    plan_determined: ClassVar[bool] = True
    """Bends every record's plan the same way (the bulk hook, drills.scenarios.bulkrun):
    its bend may be run once on a template record for a whole batch."""

    fields: tuple[str, ...]
    blank: Value = ""
    kind: str = "blank_writes"
    ignores_filter: bool = False

    def bend(self, record: Record, plan: Sequence[Write], ctx: PlanContext) -> list[Write]:
        from drills.fakes.automations import Update  # the engine stack, only when a run bends

        key = int(record["id"])  # type: ignore[arg-type]
        table, blank = ctx.table, self.blank
        return [*plan, *(Update(table, key, name, blank) for name in self._names)]

    @functools.cached_property
    def _names(self) -> tuple[str, ...]:
        """The fields' names, split once: bend runs per event (100,000 at 1M records)."""
        return tuple(split_field(f)[1] for f in self.fields)


def _check(f: BlankWrites, auto: Automation, source: TableDef) -> list[Issue]:
    return [
        (("fault", "fields", i),
         f"blank writes hit the triggering table '{source.qualname}'; name one of its fields")
        for i, name in enumerate(f.fields)
        if name.rsplit(".", 1)[0] != source.qualname
    ]


FAULT = FaultKind(
    name="blank_writes",
    title="empty values or nulls are written over real values",
    position=3,
    spec=BlankWrites,
    injector=lambda f, _table: BlankWritesInjector(
        tuple(f.fields), "" if f.blank == "empty" else None
    ),
    check=_check,
    default_stop_rule="blank_writes >= 5",
    scaffold=Scaffolding(
        keys=lambda site: {"fields": [f"{site.table}.{f}" for f in site.blanks],
                           "blank": "empty"},
        complaint="10 blank records",
    ),
)
