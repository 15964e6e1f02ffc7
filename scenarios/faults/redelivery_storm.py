"""Fault kind ``redelivery_storm``: a feeder redelivers each event N times.

A webhook sender that thinks its delivery failed retries it with backoff; a queue
redelivers a message after its visibility timeout when the consumer crashed before
acknowledging. The job runs once per delivery: every email, entry and record it makes
is made again, while its field writes (idempotent) only land over what changed since.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar, Literal

from drills.fakes.catalog import TableDef
from drills.scenarios.automation import Automation
from drills.scenarios.basics import Issue, Repeats
from drills.scenarios.faults._delivery import Delivery, created_tables, fed_by_sender
from drills.scenarios.faults.base import FaultKind, FaultSpec, Scaffolding, ScaffoldSite

if TYPE_CHECKING:
    from drills.fakes.automations import PlanContext, Record, Write

__all__ = ["FAULT", "RedeliveryStorm", "RedeliveryStormInjector"]


class RedeliveryStorm(FaultSpec):
    """A feeder redelivers each event N times (webhook retries, queue redelivery)."""

    kind: Literal["redelivery_storm"]
    deliveries: Repeats = 4
    """How many times the job receives each event (the first and the redeliveries)."""

    def repeats(self) -> int:
        return self.deliveries


@dataclass(frozen=True)
class RedeliveryStormInjector:
    """Each event is received ``deliveries`` times, and the job runs in full each time."""

    plan_determined: ClassVar[bool] = True
    """Bends every record's plan the same way (the bulk hook, drills.scenarios.bulkrun):
    its bend may be run once on a template record for a whole batch."""

    deliveries: int = 4
    kind: str = "redelivery_storm"
    ignores_filter: bool = False

    def bend(self, record: Record, plan: Sequence[Write], ctx: PlanContext) -> list[Write]:
        return [w for _ in range(self.deliveries) for w in plan]

    def delivery(self, key: int) -> Delivery:
        return Delivery(times=self.deliveries)

    def arrival(self, sent: datetime, start: datetime) -> datetime:
        return sent


def _check(f: RedeliveryStorm, auto: Automation, source: TableDef) -> list[Issue]:
    issues: list[Issue] = []
    if fed_by_sender(auto, f.via) is None:
        where = ("fault", "via") if f.via is not None else ("fault",)
        issues.append((where, "a redelivery storm comes from a sender that redelivers: name a "
                       "webhook or queue feeder in 'via', or give the job a webhook trigger"))
    if not created_tables(auto):
        issues.append((("fault", "kind"), "the automation creates nothing (no email, activity "
                       "or record), so a redelivered event changes nothing; drill a job that "
                       "sends or creates, or pick another fault kind"))
    return issues


def _scaffold(site: ScaffoldSite) -> dict[str, object]:
    makes = any(("send_email" in s) or ("create_record" in s) or ("log_activity" in s)
                for s in site.does)
    if not makes:
        raise ValueError(
            f"--fault redelivery_storm needs a job that sends or creates records, and a job "
            f"on {site.table} makes none; add --touches customer_messages or pick another --fault"
        )
    return {"deliveries": 4}


FAULT = FaultKind(
    name="redelivery_storm",
    title="a feeder redelivers each event several times and the job runs for every one",
    position=8,
    spec=RedeliveryStorm,
    injector=lambda f, _table: RedeliveryStormInjector(f.deliveries),
    check=_check,
    default_stop_rule="redeliveries >= 5",
    scaffold=Scaffolding(keys=_scaffold, complaint="5 duplicate emails"),
)
