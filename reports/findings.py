"""Findings: what a drill or a runbook lint found missing, how bad it is, and what it cost.

A finding carries a stable ``code`` (CI rules and trend reports key on it, so codes
never change meaning), a severity, one line saying what is wrong, one saying how to
fix it, the rubric check it counts against, and - once a rerun with the gap closed
has measured it - its cost in records and minutes.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Check", "Finding", "GapCost", "Severity", "cost_text", "minute_text"]


class Severity(StrEnum):
    CRITICAL = "critical"
    """Blocks a launch: the team could not stop or undo this bad run."""
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        return list(Severity).index(self)


class Check(StrEnum):
    """The rubric check a finding counts against (see docs/scoring.md)."""

    COMPLETENESS = "completeness"
    DETECTION = "detection"
    CONTAINMENT = "containment"
    SCOPING = "scoping"
    REPAIR = "repair"
    VERIFICATION = "verification"
    COMMS = "comms"
    RESTART = "restart"


class GapCost(BaseModel):
    """The difference closing the gap made in a rerun of the same seeded drill."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    records_damaged: int = Field(description="damaged records the gap added")
    records_left_wrong: int = Field(description="records still wrong at the end that the gap added")
    minutes_to_contain: float = Field(description="minutes to contain the gap added")
    minutes_to_detect: float = Field(
        default=0.0, description="minutes to detect the bad run the gap added")
    healthy_minutes_paused: float = Field(
        default=0.0, description="minutes a healthy run of the job stays paused because a "
        "stop rule fires on it (a false alarm)")
    harm_points: float | None = Field(
        default=None, description="harm points the gap added (its harm units weighted as "
        "the drill's score weighs them, docs/scoring.md); negative: closing it alone made "
        "the drill worse")
    score_points: float | None = Field(
        default=None, description="score points closing the gap is worth (its harm points "
        "over the drill's avoidable harm)")
    worse: str | None = Field(
        default=None, description="when closing the gap alone made some harm unit worse: "
        "which one went up, by how much, and why")
    basis: Literal["alone", "others-closed"] = Field(
        default="alone",
        description="'alone': closing just this gap in the runbook as written made the "
        "difference; 'others-closed': other gaps masked it, so it was measured in the "
        "runbook with every other gap closed",
    )

    @property
    def is_zero(self) -> bool:
        return (
            self.records_damaged == 0
            and self.records_left_wrong == 0
            and self.minutes_to_contain == 0
            and self.minutes_to_detect == 0
            and self.healthy_minutes_paused == 0
            and not self.harm_points
        )


class Finding(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str = Field(pattern=r"^[a-z][a-z0-9-]*$", description="stable identifier")
    severity: Severity
    check: Check
    message: str = Field(description="what is wrong, one line")
    fix: str = Field(description="how to close the gap, one line")
    where: str | None = Field(
        default=None, description="file:line or runbook key the finding points at"
    )
    cost: GapCost | None = None


def minute_text(minutes: float) -> str:
    """``14 min``, ``6.5 min``: minutes to one decimal, the decimal only when it is not 0."""
    rounded = round(minutes, 1)
    if rounded == int(rounded):
        return f"{int(rounded)} min"
    return f"{rounded:.1f} min"


def cost_text(cost: GapCost | None) -> str:
    """``+64 records damaged, +12 left wrong, +11 min to contain``; only what is non-zero.

    The one wording of a gap's cost, for every report, ``drills check`` and the review.
    A gap can also cost less than nothing on one count (closing it alone moved damage
    elsewhere); that shows with a minus sign, never as ``+-8``.
    """
    if cost is None:
        return "not measured"

    def signed(value: float, text: str) -> str:
        return f"{'+' if value > 0 else '-'}{text}"

    damaged, wrong, minutes = cost.records_damaged, cost.records_left_wrong, cost.minutes_to_contain
    parts = []
    if damaged:
        parts.append(signed(damaged, f"{abs(damaged):,} records damaged"))
    if wrong:
        parts.append(signed(wrong, f"{abs(wrong):,} left wrong"))
    if minutes:
        parts.append(signed(minutes, f"{minute_text(abs(minutes))} to contain"))
    if cost.minutes_to_detect:
        detect = cost.minutes_to_detect
        parts.append(signed(detect, f"{minute_text(abs(detect))} to detect"))
    if cost.healthy_minutes_paused:
        parts.append(f"{minute_text(cost.healthy_minutes_paused)} a healthy job paused")
    text = ", ".join(parts) if parts else "no measured cost"
    if cost.harm_points:
        text += f" ({_points(cost.harm_points)} harm points"
        if cost.score_points:
            text += f", {_points(cost.score_points)} score points"
        text += ")"
    if cost.worse:
        text += f"; worse on one count: {cost.worse}"
    return text


def _points(value: float) -> str:
    """``+12.5``, ``-3``: a signed number of points, the decimal only when it is not 0."""
    rounded = round(value, 1)
    shown = f"{abs(rounded):,.0f}" if rounded == int(rounded) else f"{abs(rounded):,.1f}"
    return f"{'+' if rounded >= 0 else '-'}{shown}"
