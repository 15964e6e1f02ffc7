"""What every review renderer says the same way: verdicts, ages, gap costs, check names.

Console, Markdown and HTML must agree word for word on how a drill's age reads or what
a gap costs, so the wording lives here once and reads only the review model.
"""

from __future__ import annotations

from datetime import datetime

from drills.reports._present import cost_text
from drills.reports.review.model import AutomationReview, DrillAge, Gap, LostPoints

__all__ = [
    "age_text",
    "gap_cost",
    "lost_text",
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
    """``+64 rec, +11 min, -13.33 pts``: a gap's measured cost and points, for a narrow cell."""
    parts = []
    cost = gap.finding.cost
    if cost is not None:
        records = cost.records_damaged + cost.records_left_wrong
        if records:
            parts.append(f"{records:+,} rec")
        if cost.minutes_to_contain:
            parts.append(f"{cost.minutes_to_contain:+,.0f} min")
    if gap.points_lost:
        parts.append(f"-{points(gap.points_lost)} pts")
    return ", ".join(parts) or "no cost"
