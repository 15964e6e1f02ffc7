"""The real incident an imported scenario replays (``drills import``), for the report.

A scenario made from a system's audit log keeps what the log showed of the bad run:
who ran it, what the reading was, when it started, how long the real team took to stop
it (the burst's end), and its changes per minute in each system. The drill is judged as
any other; the report sets the incident's curve and stopping time beside the drill's.
Every value here is already masked by the import: no personal value is kept.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from pydantic import Field

from drills.files import Duration
from drills.scenarios.basics import Strict, Text
from drills.scenarios.limits import MAX_ITEMS

__all__ = ["MAX_CURVE_MINUTES", "Incident"]

MAX_CURVE_MINUTES = 24 * 60
"""A day of minutes: a burst longer than that is not one bad run."""

PerMinute = Annotated[list[Annotated[int, Field(ge=0)]],
                      Field(min_length=1, max_length=MAX_CURVE_MINUTES)]


class Incident(Strict):
    """What the audit log showed of the real bad run this scenario replays."""

    source: Text = Field(description="the export it was read from, e.g. 'Salesforce field "
                         "history (ContactHistory)'")
    actor: Text = Field(description="who or what made the burst's changes (masked)")
    reading: Text = Field(description="the import's one-line reading of the burst")
    started: datetime = Field(description="the burst's first change")
    stopped_after: Duration = Field(description="from the burst's first change to its last: "
                                    "how long the real team took to stop it")
    changes_per_minute: dict[str, PerMinute] = Field(
        min_length=1, max_length=MAX_ITEMS,
        description="per system, the burst's changes in each minute from its first")

    @property
    def minutes(self) -> float:
        return self.stopped_after / timedelta(minutes=1)
