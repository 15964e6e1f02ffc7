"""Fault kind ``skipped_approval``: messages that need a person's review go out without it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Literal

from drills.fakes.active import CATALOG
from drills.fakes.catalog import TableDef
from drills.scenarios.automation import Automation
from drills.scenarios.basics import Issue
from drills.scenarios.faults.base import FaultKind, FaultSpec, Scaffolding

if TYPE_CHECKING:
    from drills.fakes.automations import PlanContext, Record, Write

__all__ = ["FAULT", "SkippedApproval", "SkippedApprovalInjector"]


class SkippedApproval(FaultSpec):
    """Messages that need a person's review go out without it."""

    kind: Literal["skipped_approval"]


@dataclass(frozen=True)
class SkippedApprovalInjector:
    """Messages that should wait for review are sent at once, unreviewed."""

    plan_determined: ClassVar[bool] = True
    """Bends every record's plan the same way (the bulk hook, drills.scenarios.bulkrun):
    its bend may be run once on a template record for a whole batch."""

    kind: str = "skipped_approval"
    ignores_filter: bool = False

    def bend(self, record: Record, plan: Sequence[Write], ctx: PlanContext) -> list[Write]:
        from drills.fakes.automations import Insert  # the engine stack, only when a run bends
        from drills.fakes.store import format_time

        now = format_time(ctx.now)
        outbox = CATALOG.outbox
        return [
            Insert(w.table, {**w.row, "status": "sent", "sent_at": now})
            if isinstance(w, Insert) and w.table == outbox and w.row.get("status") == "held"
            else w
            for w in plan
        ]


def _check(f: SkippedApproval, auto: Automation, source: TableDef) -> list[Issue]:
    if any(a.kind == "send_email" and a.spec.review for a in auto.does):
        return []
    return [(("fault", "kind"), "skipped_approval needs a send_email step with 'review: true'")]


FAULT = FaultKind(
    name="skipped_approval",
    title="messages that should wait for a person's review are sent at once",
    position=6,
    spec=SkippedApproval,
    injector=lambda f, _table: SkippedApprovalInjector(),
    check=_check,
    default_stop_rule="messages_without_review >= 1",
    scaffold=Scaffolding(
        keys=lambda site: {}, complaint="2 unreviewed messages", needs_review=True
    ),
)
