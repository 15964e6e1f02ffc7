"""The real incident beside the drill that replays it: two damage curves and two stopping times.

A scenario made by ``drills import`` from an audit log keeps what the log showed of the
real bad run (``incident:``). Its drill's report then answers the question the team
asks first: did we do better this time? Each system gets the real burst's changes per
minute beside the drill's damaging writes per minute, both counted from their own first
change, and the real team's time to stop it sits beside the drill's time to contain.

Only the numbers are kept here; the words every renderer shows are built once in
:mod:`drills.reports.incidenttext`. The model holds no scenario type (reports sit below
the drill in the layers): :mod:`drills.judging.incident` copies what it needs.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["IncidentComparison", "IncidentCurve"]

Count = Annotated[int, Field(ge=0)]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class IncidentCurve(_Model):
    """One system's damage, minute by minute, in the real incident and in this drill."""

    system: str
    incident: list[Count] | None = Field(
        description="the real burst's changes in each minute from its first change; null: "
        "the export shows nothing of this system (a copy only the drill's world has)")
    drill: list[Count] = Field(
        description="this drill's damaging writes in each minute from the bad run's first "
        "write: each field the run made wrong (an extra record once), counted at the minute "
        "of the write that made it wrong, copies included; empty: none")

    @property
    def incident_total(self) -> int | None:
        return None if self.incident is None else sum(self.incident)

    @property
    def drill_total(self) -> int:
        return sum(self.drill)


class IncidentComparison(_Model):
    """The real incident an imported scenario replays, beside this drill of it.

    Totals compare like with like: the drill's writes are summed over the systems the
    export shows (:attr:`drill_total`); what the drill damaged elsewhere (a warehouse copy
    the export never saw) is :attr:`drill_elsewhere`, shown but not set against the export.
    """

    source: str = Field(description="the export the incident was read from")
    actor: str = Field(description="who or what made the real burst's changes (masked)")
    reading: str = Field(description="the import's one-line reading of the burst")
    started: datetime = Field(description="the real burst's first change")
    stopped_after: float = Field(
        ge=0, description="minutes from the real burst's first change to its last: how long the "
        "real team took to stop it")
    drill_started: datetime = Field(
        description="drill time of minute 0 of the drill's curves: the bad run's first write "
        "(the fault's start when the team acted before any write)")
    contained_after: float | None = Field(
        description="minutes this drill took to contain the run, as outcome.minutes_to_contain; "
        "null: not contained")
    curves: list[IncidentCurve] = Field(
        description="per system: the export's systems in its order, then those only the drill "
        "damaged")

    @property
    def incident_total(self) -> int:
        """The real burst's changes, all systems."""
        return sum(c.incident_total or 0 for c in self.curves)

    @property
    def drill_total(self) -> int:
        """The drill's damaging writes in the systems the export shows."""
        return sum(c.drill_total for c in self.curves if c.incident is not None)

    @property
    def drill_elsewhere(self) -> int:
        """The drill's damaging writes in systems the export does not show."""
        return sum(c.drill_total for c in self.curves if c.incident is None)
