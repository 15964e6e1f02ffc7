"""Fault kind ``duplicate_records``: records the job creates are created twice (billed twice)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from drills.fakes.active import CATALOG
from drills.fakes.catalog import TableDef
from drills.scenarios.automation import Automation
from drills.scenarios.basics import Issue, Repeats, TableRef
from drills.scenarios.faults.base import FaultKind, FaultSpec, Scaffolding, ScaffoldSite

if TYPE_CHECKING:
    from drills.fakes.automations import PlanContext, Record, Write

__all__ = ["FAULT", "DuplicateRecords", "DuplicateRecordsInjector"]


class DuplicateRecords(FaultSpec):
    """Records created twice (invoices billed twice)."""

    kind: Literal["duplicate_records"]
    table: TableRef
    copies: Repeats = 2

    def repeats(self) -> int:
        return self.copies


@dataclass(frozen=True)
class DuplicateRecordsInjector:
    """Records the job creates in ``table`` are created ``copies`` times (billed twice)."""

    plan_determined: ClassVar[bool] = True
    """Bends every record's plan the same way (the bulk hook, drills.scenarios.bulkrun):
    its bend may be run once on a template record for a whole batch."""

    table: str
    copies: int = 2
    kind: str = "duplicate_records"
    ignores_filter: bool = False

    def bend(self, record: Record, plan: Sequence[Write], ctx: PlanContext) -> list[Write]:
        from drills.fakes.automations import Insert  # the engine stack, only when a run bends

        out: list[Write] = []
        for w in plan:
            times = self.copies if isinstance(w, Insert) and w.table == self.table else 1
            out.extend([w] * times)
        return out


def _check(f: DuplicateRecords, auto: Automation, source: TableDef) -> list[Issue]:
    created = {a.spec.table for a in auto.does if a.kind == "create_record"}
    created |= {CATALOG.messages_table() for a in auto.does if a.kind == "send_email"}
    created |= {a.spec for a in auto.does if a.kind == "log_activity"}
    if f.table in created:
        return []
    return [(("fault", "table"),
             f"the automation never creates records in '{f.table}'; "
             f"it creates: {', '.join(sorted(created)) or 'nothing'}")]


def _created(does: Sequence[Mapping[str, Any]]) -> str | None:
    """The table to double: created records before outbox mail."""
    for step in does:
        if "create_record" in step:
            table: str = step["create_record"]["table"]
            return table
        if "log_activity" in step:
            activity: str = step["log_activity"]
            return activity
    return CATALOG.messages_table() if any("send_email" in s for s in does) else None


def _scaffold(site: ScaffoldSite) -> dict[str, Any]:
    created = _created(site.does)
    if created is None:
        fix = ("add --touches customer_messages (its emails are records) or pick another "
               "--fault" if site.email is not None else "pick another --fault or --table")
        raise ValueError(
            f"--fault duplicate_records needs a job that creates records, and a job on "
            f"{site.table} creates none; {fix}"
        )
    return {"table": created, "copies": 2}


FAULT = FaultKind(
    name="duplicate_records",
    title="records the job creates are created more than once",
    position=5,
    spec=DuplicateRecords,
    injector=lambda f, _table: DuplicateRecordsInjector(f.table, f.copies),
    check=_check,
    default_stop_rule="duplicate_records >= 5",
    scaffold=Scaffolding(keys=_scaffold, complaint="5 duplicate records"),
)
