"""What the delivery faults share: how each event reached the job, as the logs show it.

Five kinds (``redelivery_storm``, ``reordered_deliveries``, ``dropped_deliveries``,
``delayed_deliveries``, ``partial_failure``) bend how events *reach* a job rather than
what the job writes. Their injectors bend the plan like every other kind (the plan of
writes an event makes), and say besides how the event travelled (:class:`Delivery`):
received or lost, how many times, behind a newer event for the same record, answered
with an error. The bad run writes that into the delivery log
(:data:`drills.scenarios.badrun.DELIVERY_LOG`): the sender's log of what it sent and
the job's log of what it received, which is what a team compares to see deliveries
drift, repeat or arrive out of order (the stop-rule metrics ``delivery_drift``,
``redeliveries``, ``out_of_order_arrivals``, ``failed_calls``).

A module starting with ``_`` is not a kind: the registry passes it by.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Protocol, runtime_checkable

from pydantic import BeforeValidator, Field, WithJsonSchema

from drills.fakes.active import CATALOG
from drills.scenarios.automation import Automation

if TYPE_CHECKING:
    from drills.fakes.automations import PlanContext, Record, Write

__all__ = [
    "GUARDED_BY",
    "ON_TIME",
    "Delivery",
    "DeliveryInjector",
    "Share",
    "created_tables",
    "fed_by_sender",
    "picked",
]


@dataclass(frozen=True)
class Delivery:
    """How one event reached the job: what the sender's log and the job's log show."""

    received: bool = True
    """The job got it (False: lost on the way; the sender's log still lists it as sent)."""
    times: int = 1
    """Deliveries of it the job received (a redelivery storm: more than one)."""
    out_of_order: int = 0
    """Older events for the same record that arrived after it (and were applied)."""
    failed: bool = False
    """The job's call to the target answered an error (a rate limit, a timeout)."""


ON_TIME = Delivery()
"""An event delivered once, in order, and handled without an error."""

GUARDED_BY: dict[str, str] = {
    "redelivery_storm": "dedupe",
    "reordered_deliveries": "latest_per_record",
}
"""Fault kind -> the job's intake guard (a runbook's ``deliveries`` step) under which the
fault bends nothing: a job that skips an event id it has handled runs each redelivered
event once; one that applies only an event newer than its record's last keeps the newer
value. The other delivery kinds have no such guard: a lost event never arrives to be
guarded (it is replayed), a held one is late whatever the job does (a person's newer
change wins in the fixed job), a half-failed call is the target's doing."""


@runtime_checkable
class DeliveryInjector(Protocol):
    """An injector that also says how each event travelled, and when it arrives."""

    @property
    def kind(self) -> str: ...

    @property
    def ignores_filter(self) -> bool: ...

    def bend(self, record: Record, plan: Sequence[Write], ctx: PlanContext) -> list[Write]: ...

    def delivery(self, key: int) -> Delivery:
        """How the event for the triggering record ``key`` reached the job."""
        ...

    def arrival(self, sent: datetime, start: datetime) -> datetime:
        """When an event the sender sent at ``sent`` reaches the job (``start``: the fault's)."""
        ...


def _percent(value: Any) -> Any:
    """'25%' -> 25.0; numbers pass through (and are checked by the field's bounds)."""
    if isinstance(value, bool):
        raise ValueError("a share is a percentage like '25%'")
    if isinstance(value, str):
        text = value.strip()
        if not text.endswith("%"):
            raise ValueError(f"a share is a percentage like '25%', not {value!r}")
        try:
            return float(text[:-1])
        except ValueError:
            raise ValueError(f"a share is a percentage like '25%', not {value!r}") from None
    return value


Share = Annotated[
    float,
    BeforeValidator(_percent),
    Field(gt=0, le=100),
    WithJsonSchema({
        "anyOf": [
            {"type": "number", "exclusiveMinimum": 0, "maximum": 100},
            {"type": "string", "pattern": r"^\s*[0-9]+(\.[0-9]+)?\s*%\s*$"},
        ],
        "description": "a share of the events, as a percentage: '25%'",
    }),
]
"""A share of the events the fault reaches, written '25%' (or 25)."""


def picked(kind: str, key: int, percent: float) -> bool:
    """Whether the event for record ``key`` is in a ``percent`` share, the same every run.

    A hash of the kind and the key, so the same drill loses, fails or reorders the same
    events, and the healthy twin (which has no fault) is not asked at all.
    """
    return zlib.crc32(f"{kind}:{key}".encode()) % 10_000 < percent * 100


def created_tables(auto: Automation) -> set[str]:
    """The tables the job creates records in: its emails, its activity log, its records."""
    out = {a.spec.table for a in auto.does if a.kind == "create_record"}
    out |= {CATALOG.messages_table() for a in auto.does if a.kind == "send_email"}
    out |= {a.spec for a in auto.does if a.kind == "log_activity"}
    return out


def fed_by_sender(auto: Automation, via: str | None) -> str | None:
    """The feeder whose sender delivers the events (``via``, or a webhook trigger), when
    it is one that delivers events (a webhook or a queue); None when there is none."""
    if via is not None:
        feeder = auto.feeder(via)
        return via if feeder is not None and feeder.kind in ("webhook", "queue") else None
    return auto.trigger.webhook
