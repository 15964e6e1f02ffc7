"""What every review renderer says the same way: verdicts, ages, gap costs, check names.

Console, Markdown and HTML must agree word for word on how a drill's age reads or what
a gap costs, so the wording lives here once and reads only the review model.
"""

from __future__ import annotations

from datetime import datetime

from drills.reports._present import cost_text
from drills.reports.review.model import (
    DRILLED_NOW,
    AutomationReview,
    DrillAge,
    DrillEntry,
    Gap,
    LostPoints,
)

__all__ = [
    "LOST_KINDS",
    "age_text",
    "basis_text",
    "drill_age",
    "drill_run",
    "gap_cost",
    "last_drill",
    "lost_text",
    "lost_total",
    "points",
    "short_age",
    "short_cost",
    "verdict",
    "when",
]


def points(value: float) -> str:
    """``12``, ``3.75``: hundredths only when there are any."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def when(at: datetime | None) -> str:
    return "never" if at is None else f"{at:%Y-%m-%d}"


def age_text(age: DrillAge) -> str:
    """``12 days, counts 100%``; ``140 days, counts 87%``; ``undated, counts 25%``."""
    share = f"counts {age.factor * 100:.4g}%"
    if age.status == "undated":
        return f"undated, {share}"
    if age.status == "never":
        return f"never drilled, {share}"
    day = "day" if age.age_days == 1 else "days"
    return f"{age.age_days} {day}, {share}"


def last_drill(a: AutomationReview) -> str:
    """``2026-05-20 (12 days, counts 100%)``, or ``drilled now by this review`` when the
    newest drill is one the review ran itself: not a team drill of the review's day."""
    if a.last_drill_now:
        return DRILLED_NOW
    return f"{when(a.last_drill)} ({age_text(a.age)})"


def drill_run(d: DrillEntry) -> str:
    """When a drill ran: its date, or ``now, by this review`` for one the review ran."""
    return "now, by this review" if d.source == DRILLED_NOW else when(d.ran_at)


def drill_age(d: DrillEntry) -> str:
    """A drill's age as :func:`age_text` says it; ``now, counts 100%`` for one the review
    ran itself (its age is the review's own moment, not days since a team drilled)."""
    if d.source == DRILLED_NOW:
        return f"now, counts {d.age.factor * 100:.4g}%"
    return age_text(d.age)


def verdict(a: AutomationReview) -> str:
    return "ready" if a.ready else "not ready"


def gap_cost(gap: Gap) -> str:
    """``+64 records damaged, +11 min to contain; 13.33 points`` - measured cost and score."""
    measured = cost_text(gap.finding.cost)
    score = f"{points(gap.points_lost)} points" if gap.points_lost else "no points"
    return f"{measured}; {score}"


def lost_text(items: list[LostPoints]) -> str:
    """``owner-is-team 6.67, drill-overdue 1.2``: what a check lost, largest first."""
    return ", ".join(f"{x.code} {points(x.points)}" for x in items) or "nothing"


def short_age(age: DrillAge) -> str:
    """``12 d``; ``140 d, 87%``; ``undated, 25%``; ``never, 25%``: for narrow columns."""
    share = f"{age.factor * 100:.0f}%"
    if age.status in ("undated", "never"):
        return f"{age.status}, {share}"
    return f"{age.age_days} d" + ("" if age.factor == 1 else f", {share}")


def short_cost(gap: Gap) -> str:
    """``+64 damaged, +12 wrong, +11 min, -13.33 pts``: a gap's measured cost and points,
    for a narrow cell. Records damaged and records left wrong stay apart: one record can
    be both, so their sum counts it twice."""
    parts = []
    cost = gap.finding.cost
    if cost is not None:
        if cost.records_damaged:
            parts.append(f"{cost.records_damaged:+,} damaged")
        if cost.records_left_wrong:
            parts.append(f"{cost.records_left_wrong:+,} wrong")
        if cost.minutes_to_contain:
            parts.append(f"{cost.minutes_to_contain:+,.0f} min")
    if gap.points_lost:
        parts.append(f"-{points(gap.points_lost)} pts")
    return ", ".join(parts) or "no cost"


LOST_KINDS = {"harm": "harm not avoided", "deduction": "deduction (cost nothing)",
              "age": "age", "before-harm": "before harm scores", "finding": "lint finding"}
"""How each kind of lost point reads in a table."""


def basis_text(a: AutomationReview) -> str:
    """Where the score comes from, in one plain sentence."""
    if a.basis == "paper":
        return ("Never drilled: no drill measured its harm, so it is scored on paper (its "
                "runbook's lint, per check) at the age floor.")
    if a.basis == "before-harm":
        return (f"Drill {a.deciding_drill} predates harm scores: its own total counts as it "
                "was scored (per rubric check); drill it again to score its harm.")
    return (f"The score is drill {a.deciding_drill}'s harm score: the share of avoidable harm "
            "it avoided between doing nothing and the perfect response on the same seed, "
            "less deductions for gaps that cost nothing, then aged.")


def lost_total(a: AutomationReview) -> str:
    """``100 - 62.5 = 37.5 points lost``: the check every lost-points table closes with."""
    return f"100 - {points(a.points)} = {points(round(100 - a.points, 2))} points lost"
