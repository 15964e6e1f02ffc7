"""The runbook's ``deliveries`` section: what a team does about how events reach its job.

The delivery faults (docs/faults.md) bend how events *reach* a job: a sender redelivers,
events cross, a share is lost, a burst lands late. Pausing the job and its feeders stops
the damage; these steps are what a team does besides, on what it really has (its
sender's log of what it sent and its job's log of what it received), and each acts in
the drill world:

* ``dedupe: event_id`` - the job's intake skips a delivery of an event id it has already
  handled. From the step on, a redelivered event runs the job once; the team can also
  sort the run's writes (each event once) without knowing why the sender redelivered,
  so the review and the repair have right values even when the cause is not written.
* ``latest_per_record: true`` - the job applies an event only when it is newer than the
  last one applied to its record (the event's own time, from the sender's log): an
  older event arriving late changes nothing, and the repair takes each record's latest
  event's value.
* ``hold: [feeder]`` - the feeder's events are held (kept in order, none lost, none
  given up by a sender whose retries run out) and drained through the job after the fix,
  when it restarts.
* ``retry: [{feeder, every, for}]`` - a webhook sender's retry policy set for the
  incident: how often it retries a delivery the job refused, and for how long before it
  gives up on it.

The section is optional: a runbook without it is judged by what its absence costs.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, StrictBool, WithJsonSchema, model_validator

from drills.files import MAX_ITEMS, Duration
from drills.scenarios.schema import SLUG_PATTERN, Strict, check_slug

__all__ = ["DELIVERY_STEPS", "Deliveries", "RetryPolicy"]

MAX_RETRY = timedelta(days=30)
"""The longest retry window a sender is set to: senders cap theirs at days (Stripe 3
days, Shopify 48 hours); this only stops typos."""

DELIVERY_STEPS = ("dedupe", "latest_per_record", "hold", "retry")
"""The section's steps, in the order a drill takes them."""

_Slug = Annotated[
    str, AfterValidator(check_slug), WithJsonSchema({"type": "string", "pattern": SLUG_PATTERN})
]


def _window(value: timedelta) -> timedelta:
    if value <= timedelta(0):
        raise ValueError("a retry time is a positive duration, like '10m' or '24h'")
    if value > MAX_RETRY:
        raise ValueError(f"a sender retries for days at most; write up to {MAX_RETRY.days}d")
    return value


_Window = Annotated[Duration, AfterValidator(_window)]


class RetryPolicy(Strict):
    """A webhook sender's retry policy, set for the incident."""

    feeder: _Slug = Field(description="the webhook feeder whose sender retries")
    every: _Window = Field(description="how often it retries a refused delivery, e.g. 10m")
    for_: _Window = Field(alias="for", description="how long before it gives up, e.g. 24h")


class Deliveries(Strict):
    """What the team does about how events reach the job (docs/faults.md)."""

    dedupe: Literal["event_id"] | None = Field(
        default=None, description="skip a delivery of an event id the job has handled, and "
        "repair by each event once")
    latest_per_record: StrictBool = Field(
        default=False, description="apply an event only when it is newer than the last one "
        "applied to its record, and repair to each record's latest event")
    hold: list[_Slug] = Field(
        default_factory=list, max_length=MAX_ITEMS,
        description="feeders whose events are held (none lost) and drained after the fix")
    retry: list[RetryPolicy] = Field(
        default_factory=list, max_length=MAX_ITEMS,
        description="webhook senders' retry policies, set for the incident")
    takes: Duration | None = Field(default=None, description="how long the steps take a person")

    @model_validator(mode="after")
    def _something(self) -> Deliveries:
        if not (self.dedupe or self.latest_per_record or self.hold or self.retry):
            raise ValueError("the deliveries section names no step; write dedupe: event_id, "
                             "latest_per_record: true, hold: [feeder] or retry: [...], or "
                             "drop the section")
        return self

    @property
    def guards(self) -> frozenset[str]:
        """The job's intake guards the section turns on: ``dedupe``, ``latest_per_record``."""
        return frozenset(g for g, on in (("dedupe", self.dedupe is not None),
                                         ("latest_per_record", self.latest_per_record)) if on)
