"""Fault kind ``partial_failure``: the target answers errors for part of a batch.

An API starts answering 429 (rate limited) or times out halfway through the job's work
for an event: what the job did before the call (an email sent, an entry logged) has
happened, the call has not (or, after a timeout, it has, unseen). The run stops
half-applied; its retry runs the whole event again, so what already succeeded happens
twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from drills.fakes.active import CATALOG
from drills.fakes.catalog import TableDef
from drills.scenarios.automation import Automation
from drills.scenarios.basics import Issue, TableRef
from drills.scenarios.faults._delivery import Delivery, Share, created_tables, picked
from drills.scenarios.faults.base import FaultKind, FaultSpec, Scaffolding, ScaffoldSite

if TYPE_CHECKING:
    from drills.fakes.automations import PlanContext, Record, Write

__all__ = ["FAULT", "PartialFailure", "PartialFailureInjector"]


class PartialFailure(FaultSpec):
    """The target answers errors for part of a batch; the retry re-applies what succeeded."""

    kind: Literal["partial_failure"]
    target: TableRef
    """The table whose system answers errors (the job's write to it fails)."""
    failing: Share = 30.0
    """The share of the events whose call to the target fails, like '30%'."""
    error: Literal["rate_limited", "timeout"] = "rate_limited"
    """rate_limited: the call was refused; timeout: it went through, but the job never heard."""

    def repeats(self) -> int:
        return 2


@dataclass(frozen=True)
class PartialFailureInjector:
    """A failing event does its writes up to the call to ``target`` (and that write too
    after a timeout), stops, and is retried whole."""

    target: str
    failing: float = 30.0
    error: str = "rate_limited"
    kind: str = "partial_failure"
    ignores_filter: bool = False

    def _fails(self, key: int) -> bool:
        return picked(self.kind, key, self.failing)

    def bend(self, record: Record, plan: Sequence[Write], ctx: PlanContext) -> list[Write]:
        from drills.fakes.catalog import KEY  # the engine stack, only when a run bends

        if not self._fails(int(record[KEY])):  # type: ignore[arg-type]
            return list(plan)
        call = next((i for i, w in enumerate(plan) if w.table == self.target), None)
        if call is None:
            return list(plan)
        done = call + 1 if self.error == "timeout" else call
        return [*plan[:done], *plan]

    def delivery(self, key: int) -> Delivery:
        return Delivery(failed=self._fails(key))

    def arrival(self, sent: datetime, start: datetime) -> datetime:
        return sent


def _writes_to(auto: Automation) -> list[str]:
    """The tables the job writes to, in the order of its steps."""
    out: list[str] = []
    for a in auto.does:
        if a.kind == "sync_field":
            out.append(a.spec.to.rsplit(".", 1)[0])
        elif a.kind in ("set_field", "advance_stage"):
            out.append(a.spec.field.rsplit(".", 1)[0])
        elif a.kind == "create_record":
            out.append(a.spec.table)
        elif a.kind == "send_email":
            out.append(CATALOG.messages_table())
        elif a.kind == "log_activity":
            out.append(a.spec)
    return out


def _check(f: PartialFailure, auto: Automation, source: TableDef) -> list[Issue]:
    order = _writes_to(auto)
    if f.target not in order:
        return [(("fault", "target"), f"the automation never writes to '{f.target}'; it "
                 f"writes to: {', '.join(dict.fromkeys(order)) or 'nothing'}")]
    before = order[: order.index(f.target) + (1 if f.error == "timeout" else 0)]
    if not set(before) & created_tables(auto):
        return [(("fault", "target"), f"nothing the job makes comes before its write to "
                 f"'{f.target}', so a retry repeats nothing; name a table written after an "
                 "email, entry or record the job makes, or use error: timeout on one it creates")]
    return []


def _scaffold(site: ScaffoldSite) -> dict[str, object]:
    for step in site.does:
        made = (step.get("create_record", {}).get("table") if "create_record" in step
                else step.get("log_activity") if "log_activity" in step
                else CATALOG.messages_table() if "send_email" in step else None)
        if made:
            # The call that makes it times out after it went through: the retry makes it
            # again, with everything before it.
            return {"target": made, "failing": "30%", "error": "timeout"}
    raise ValueError(
        f"--fault partial_failure needs a job that sends or creates records, and a job on "
        f"{site.table} makes none; add --touches customer_messages or pick another --fault"
    )


FAULT = FaultKind(
    name="partial_failure",
    title="the target answers errors for part of a batch and the retry re-applies the rest",
    position=12,
    spec=PartialFailure,
    injector=lambda f, _table: PartialFailureInjector(f.target, f.failing, f.error),
    check=_check,
    default_stop_rule="failed_calls >= 5",
    scaffold=Scaffolding(keys=_scaffold, complaint="5 duplicate emails"),
)
