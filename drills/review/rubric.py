"""The readiness rubric: every point traced to a check, aged by a quarterly cadence.

A drill report already scores itself (:func:`drills.judging.points.score`: 100 points over
eight checks, each finding costing a share of its check). A readiness review scores
the same findings again, with two changes an advisor needs (``docs/scoring.md``):

- **Weights per risk class** (:mod:`drills.review.risk`): a job that moves money
  gives verification more points, one that sends customer messages gives detection,
  containment and comms more. Each finding still costs
  :data:`~drills.judging.points.SEVERITY_SHARE` of its check's points; when a check's findings
  together would cost more than the check has, each is scaled down in proportion, so
  the points lost always add up to what the check lost.
- **Age**: drills are due every quarter. A result up to :data:`CADENCE_DAYS` old counts
  fully; after that it loses :data:`DECAY_PER_CADENCE` of its credit per further
  cadence, linearly by the day, down to :data:`FLOOR`. A report without ``ran_at``
  (written before drills recorded it) is *undated* and counts at the floor, as does an
  automation never drilled. The points age takes are traced too (``drill-overdue``,
  ``drill-undated``, ``never-drilled``), check by check.

Points are counted in whole hundredths: each lost item is rounded once, a check's
points are what its weight leaves after them, so ``max_points - points == sum(lost)``
exactly, and the score is the rounded sum of the checks.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime

from drills.findings import message
from drills.judging.points import SEVERITY_SHARE
from drills.reports.findings import Check, Finding, Severity
from drills.reports.model import DrillReport
from drills.reports.review.model import (
    CheckPoints,
    DrillAge,
    LostPoints,
    Regression,
    RiskProfile,
    Rubric,
)

__all__ = [
    "CADENCE_DAYS",
    "DECAY_PER_CADENCE",
    "FLOOR",
    "REGRESSES",
    "check_points",
    "drill_age",
    "never_drilled",
    "regression",
    "rubric",
    "total",
]

CADENCE_DAYS = 92
"""A quarter, rounded up (the longest three calendar months: July to September)."""

DECAY_PER_CADENCE = 0.25
"""An overdue drill loses a quarter of its credit per further quarter."""

FLOOR = 0.25
"""The least share a drill keeps however old: reached a year after the drill."""

REGRESSES: frozenset[Severity] = frozenset({Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM})
"""Severities whose new finding makes a drill regressed even when its score held."""


def drill_age(ran_at: datetime | None, as_of: date) -> DrillAge:
    """How much a drill run at ``ran_at`` counts on the review date ``as_of``.

    Age is counted in whole days between the drill's date (in UTC) and the review date,
    as an advisor counts it: a drill run on 1 January is 92 days old on 3 April and
    still counts fully, 93 days old on 4 April and counts 99.73%. A drill dated after
    the review date (run while writing a review with ``--as-of`` in the past) is 0 days
    old.
    """
    if ran_at is None:
        return DrillAge(status="undated", age_days=None, factor=FLOOR)
    day = ran_at.date() if ran_at.tzinfo is None else ran_at.astimezone(UTC).date()
    days = max(0, (as_of - day).days)
    if days <= CADENCE_DAYS:
        return DrillAge(status="current", age_days=days, factor=1.0)
    factor = max(FLOOR, 1.0 - DECAY_PER_CADENCE * (days - CADENCE_DAYS) / CADENCE_DAYS)
    return DrillAge(status="overdue", age_days=days, factor=round(factor, 4))


def never_drilled() -> DrillAge:
    """The age of an automation no drill has tested: it counts at the floor, like old."""
    return DrillAge(status="never", age_days=None, factor=FLOOR)


def _age_reason(age: DrillAge) -> tuple[str, str]:
    share = f"{age.factor * 100:.4g}%"
    if age.status == "undated":
        return "drill-undated", message("drill-undated", share=share)
    if age.status == "never":
        return "never-drilled", message("never-drilled", share=share)
    return "drill-overdue", message("drill-overdue", days=age.age_days, cadence=CADENCE_DAYS,
                                    share=share)


def check_points(
    findings: Iterable[Finding], profile: RiskProfile, age: DrillAge
) -> list[CheckPoints]:
    """The points of each check for these findings, in this risk class, at this age."""
    by_check: dict[Check, list[Finding]] = defaultdict(list)
    for f in findings:
        if SEVERITY_SHARE[f.severity]:
            by_check[f.check].append(f)
    items = []
    for check, weight in profile.weights.items():
        cents = _losses([SEVERITY_SHARE[f.severity] * weight * 100 for f in by_check[check]],
                        weight * 100)
        lost = [
            LostPoints(code=f.code, kind="finding", points=c / 100, where=f.where,
                       severity=f.severity, reason=f.message)
            for f, c in zip(by_check[check], cents, strict=True)
        ]
        kept = weight * 100 - sum(cents)
        if age.factor < 1 and kept > 0:
            code, reason = _age_reason(age)
            aged = math.floor(kept * (1 - age.factor) + 0.5)  # half a hundredth rounds up
            lost.append(LostPoints(code=code, kind="age", points=aged / 100, reason=reason))
            kept -= aged
        lost.sort(key=lambda x: (-x.points, x.code))
        items.append(CheckPoints(check=check, points=kept / 100, max_points=weight, lost=lost))
    return items


def _losses(wanted: Sequence[float], weight: int) -> list[int]:
    """Each finding's loss in hundredths of a point, adding up to at most ``weight``.

    Within the weight each loss is its severity's share, exactly (shares of whole
    weights are whole hundredths). Over it, each is scaled down in proportion and the
    hundredths are handed out by largest remainder, so the losses add up to the weight
    exactly and a check that lost everything shows 0, not 0.01.
    """
    asked = sum(wanted)
    if asked <= weight:
        return [round(w) for w in wanted]
    scaled = [w * weight / asked for w in wanted]
    cents = [math.floor(x) for x in scaled]
    order = sorted(range(len(scaled)), key=lambda i: (-(scaled[i] - cents[i]), i))
    for i in order[: weight - sum(cents)]:
        cents[i] += 1
    return cents


def total(checks: Sequence[CheckPoints]) -> tuple[int, float]:
    """(score, points): the checks' sum, rounded to an integer score and to hundredths."""
    points = round(sum(c.points for c in checks), 2)
    return round(points), points


def regression(latest: DrillReport, latest_score: int,
               previous: DrillReport, previous_score: int) -> Regression | None:
    """A :class:`Regression` when the latest drill of a scenario scored lower than the one
    before (in the same risk class, before age) or has a finding of severity medium or
    above whose code the one before had not. A new low or info finding is advice, not a
    step back: a drill that scores the same or better with one is not regressed."""
    new = sorted({f.code for f in latest.findings if f.severity in REGRESSES}
                 - {f.code for f in previous.findings})
    if latest_score >= previous_score and not new:
        return None
    return Regression(scenario=latest.scenario.name, drill_id=latest.drill_id,
                      ran_at=latest.ran_at, previous_drill_id=previous.drill_id,
                      previous_ran_at=previous.ran_at, score=latest_score,
                      previous_score=previous_score, new_codes=new)


def rubric(profiles: Iterable[RiskProfile]) -> Rubric:
    """The rubric as the review records it."""
    return Rubric(cadence_days=CADENCE_DAYS, decay_per_cadence=DECAY_PER_CADENCE, floor=FLOOR,
                  severity_share=dict(SEVERITY_SHARE), profiles=list(profiles))
