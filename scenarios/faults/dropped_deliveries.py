"""Fault kind ``dropped_deliveries``: a share of the events is lost on the way.

During an outage the sender counts an event as delivered (a proxy answered, a queue
acknowledged it) but the job never runs for it. Nothing looks wrong where anyone looks:
the records the lost events were about simply do not get the job's writes, so the
systems downstream silently stop matching the source. What a healthy delivery would
have written is known from the job; the sender's log still lists every event it sent,
which is what a team replays (the ``replay`` repair source, docs/sources.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from drills.fakes.catalog import TableDef
from drills.scenarios.automation import Automation, written_fields
from drills.scenarios.basics import Issue
from drills.scenarios.faults._delivery import Delivery, Share, created_tables, picked
from drills.scenarios.faults.base import FaultKind, FaultSpec, Scaffolding, ScaffoldSite

if TYPE_CHECKING:
    from drills.fakes.automations import PlanContext, Record, Write

__all__ = ["FAULT", "DroppedDeliveries", "DroppedDeliveriesInjector"]


class DroppedDeliveries(FaultSpec):
    """A share of the events is lost: the job never runs for them, and systems drift apart."""

    kind: Literal["dropped_deliveries"]
    lost: Share = 25.0
    """The share of the events the run reaches that never arrive, like '25%'."""


@dataclass(frozen=True)
class DroppedDeliveriesInjector:
    """An event in the ``lost`` share makes no write at all; the others run as meant."""

    lost: float = 25.0
    kind: str = "dropped_deliveries"
    ignores_filter: bool = False

    def _lost(self, key: int) -> bool:
        return picked(self.kind, key, self.lost)

    def bend(self, record: Record, plan: Sequence[Write], ctx: PlanContext) -> list[Write]:
        from drills.fakes.catalog import KEY  # the engine stack, only when a run bends

        return [] if self._lost(int(record[KEY])) else list(plan)  # type: ignore[arg-type]

    def delivery(self, key: int) -> Delivery:
        return Delivery(received=not self._lost(key))

    def arrival(self, sent: datetime, start: datetime) -> datetime:
        return sent


def _check(f: DroppedDeliveries, auto: Automation, source: TableDef) -> list[Issue]:
    issues: list[Issue] = []
    if not written_fields(auto):
        issues.append((("fault", "kind"), "the automation writes no field, so a lost event "
                       "leaves nothing to drift; drill a job that syncs or sets a field"))
    made = created_tables(auto)
    if made:
        issues.append((("fault", "kind"), "the automation also creates records ("
                       f"{', '.join(sorted(made))}); a lost event's records would simply be "
                       "missing, which reconcile counts but no repair here recreates; drill "
                       "dropped deliveries on a job that only writes fields"))
    return issues


def _scaffold(site: ScaffoldSite) -> dict[str, object]:
    makes = [step for step in site.does
             if "send_email" in step or "create_record" in step or "log_activity" in step]
    if makes:
        raise ValueError(
            f"--fault dropped_deliveries drills a job that only writes fields, and a job on "
            f"{site.table} here also sends or creates records; leave out --touches "
            "customer_messages, pick a --table whose job only sets a field, or another --fault"
        )
    return {"lost": "25%"}


FAULT = FaultKind(
    name="dropped_deliveries",
    title="a share of the events is lost on the way and the systems silently drift apart",
    position=10,
    spec=DroppedDeliveries,
    injector=lambda f, _table: DroppedDeliveriesInjector(f.lost),
    check=_check,
    default_stop_rule="delivery_drift >= 5",
    scaffold=Scaffolding(keys=_scaffold, complaint="3 records out of step"),
)
