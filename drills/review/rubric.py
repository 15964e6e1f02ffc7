"""The readiness rubric: a drill's harm score, every point lost traced, aged by a cadence.

A drill report scores itself (:func:`drills.judging.points.score`): the share of avoidable
harm its response avoided, between doing nothing and the perfect response on the same
seed, less small deductions for gaps that cost nothing, with gates no score can buy. A
readiness review counts that score as it is (:func:`drill_points`) and traces every point
it lost: harm not avoided, each deduction, and the drill's **age** (below). Re-scoring a
drill's findings with per-check weights would let a runbook full of nonsense that its
drill scores 0 look ready, so the review never does that for a drill.

Two paths remain for what has no harm score (``docs/scoring.md``):

- a report from **before harm scores** (legacy ``items``) counts its own total, noted as
  to be drilled again (:func:`drill_points` with ``kind`` 'before-harm');
- a runbook **never drilled** is scored on paper, its lint findings per check
  (:func:`check_points`), at the age floor, with weights per risk class
  (:mod:`drills.review.risk`). Each finding costs
  :data:`~drills.judging.points.SEVERITY_SHARE` of its check's points; when a check's findings
  together would cost more than the check has, each is scaled down in proportion, so
  the points lost always add up to what the check lost.
- **Age**: drills are due every quarter. A result up to :data:`CADENCE_DAYS` old counts
  fully; after that it loses :data:`DECAY_PER_CADENCE` of its credit per further
  cadence, linearly by the day, down to :data:`FLOOR`. A report without ``ran_at``
  (written before drills recorded it) is *undated* and counts at the floor, as does an
  automation never drilled. The points age takes are traced too (``drill-overdue``,
  ``drill-undated``, ``never-drilled``), check by check.

Points are counted in whole hundredths: each lost item is rounded once, so
``100 - points == sum(lost)`` exactly (on paper: ``max_points - points`` per check).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime

from drills.findings import message
from drills.judging.points import SEVERITY_SHARE
from drills.reports.findings import Check, Finding, Severity
from drills.reports.model import DrillReport, Score
from drills.reports.review.model import (
    BEFORE_HARM_CODE,
    HARM_CODE,
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
    "drill_points",
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


def drill_points(score: Score, age: DrillAge) -> tuple[list[LostPoints], float]:
    """(every point lost, points kept) of a drill's own score at this age.

    The drill's total counts as it is; the points it did not get are traced in whole
    hundredths, so ``100 - points == sum(lost)`` exactly: the avoidable harm it did not
    avoid (``100 - avoided``, and the rounding of the total), each deduction (what the
    score really took: a deduction past zero took nothing), then what age takes of the
    rest. A report from before harm scores has neither: it loses ``100 - total`` to
    ``scored-before-harm``. An interrupted drill has no total and counts 0.
    """
    total = score.value
    lost_cents = (100 - total) * 100
    lost: list[LostPoints] = []
    if score.harm or not score.items:
        avoided = score.avoided if score.avoided is not None else float(total)
        harm = min(lost_cents, max(0, round((100 - avoided) * 100)))
        rest = lost_cents - harm
        for d in score.deductions:
            took = min(rest, round(d.points * 100))
            rest -= took
            if took:
                lost.append(LostPoints(code=d.code, kind="deduction", points=took / 100,
                                       where=d.where, severity=d.severity, reason=d.reason))
        harm += rest  # the rounding of the total, when deductions do not account for it
        if harm:
            why = score.basis or ("no score: the drill was interrupted" if not score.scored
                                  else f"{avoided:g}% of it avoided")
            lost.insert(0, LostPoints(code=HARM_CODE, kind="harm", points=harm / 100,
                                      reason=f"avoidable harm not avoided: {why}"))
    elif lost_cents:
        lost.append(LostPoints(code=BEFORE_HARM_CODE, kind="before-harm",
                               points=lost_cents / 100,
                               reason="the report's own total, scored per rubric check "
                               "before drills scored harm; drill it again"))
    kept = total * 100
    if age.factor < 1 and kept > 0:
        code, reason = _age_reason(age)
        aged = math.floor(kept * (1 - age.factor) + 0.5)  # half a hundredth rounds up
        lost.append(LostPoints(code=code, kind="age", points=aged / 100, reason=reason))
        kept -= aged
    return lost, kept / 100


def check_points(
    findings: Iterable[Finding], profile: RiskProfile, age: DrillAge
) -> list[CheckPoints]:
    """The points of each check for these findings, in this risk class, at this age.

    Used on paper only: a runbook never drilled, scored on its lint findings."""
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
    before (its own score, before age) or has a finding of severity medium or
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
