"""The rubric alone: risk classes, weights, age decay at its exact boundaries, traced points."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from freezegun import freeze_time
from hypothesis import given
from hypothesis import strategies as st

from drills.judging import SEVERITY_SHARE, WEIGHTS
from drills.reports.findings import Check, Finding, Severity
from drills.reports.review import DrillAge, RiskClass
from drills.review import (
    CADENCE_DAYS,
    FLOOR,
    PROFILES,
    check_points,
    drill_age,
    never_drilled,
    risk_class,
    total,
)
from drills.review.rubric import regression
from tests.reports.conftest import build_report

CURRENT = DrillAge(status="current", age_days=0, factor=1.0)
RAN = datetime(2026, 1, 1, 10, 30, tzinfo=UTC)


def finding(code: str, severity: Severity, check: Check, where: str | None = None) -> Finding:
    return Finding(code=code, severity=severity, check=check, message=f"{code} happened",
                   fix="fix it", where=where)


# -- risk classes ----------------------------------------------------------------------


@pytest.mark.parametrize(("touches", "expected"), [
    ([], RiskClass.STANDARD),
    (["money"], RiskClass.MONEY),
    (["customer_messages"], RiskClass.CUSTOMER_MESSAGES),
    (["customer_messages", "money"], RiskClass.MONEY),
    (["customer_messages", "legal_records"], RiskClass.LEGAL_RECORDS),
    (["legal_records", "money"], RiskClass.MONEY),
    (["money", "access"], RiskClass.ACCESS),
    (["payroll"], RiskClass.STANDARD),
])
def test_the_strictest_class_touched_decides(touches: list[str], expected: RiskClass) -> None:
    assert risk_class(touches) is expected


def test_every_class_weighs_100_points_and_risky_classes_need_more() -> None:
    for profile in PROFILES.values():
        assert sum(profile.weights.values()) == 100, profile.risk
        assert list(profile.weights) == list(Check)
    assert PROFILES[RiskClass.STANDARD].weights == WEIGHTS
    standard = PROFILES[RiskClass.STANDARD].threshold
    assert all(p.threshold > standard for r, p in PROFILES.items() if r is not RiskClass.STANDARD)


# -- age -------------------------------------------------------------------------------


@pytest.mark.parametrize(("days", "status", "factor"), [
    (0, "current", 1.0),
    (CADENCE_DAYS, "current", 1.0),
    (CADENCE_DAYS + 1, "overdue", 0.9973),
    (138, "overdue", 0.875),
    (184, "overdue", 0.75),
    (276, "overdue", 0.5),
    (368, "overdue", FLOOR),
    (369, "overdue", FLOOR),
    (2000, "overdue", FLOOR),
])
def test_a_drill_counts_fully_for_a_quarter_then_decays_to_the_floor(
    days: int, status: str, factor: float
) -> None:
    # The review date is "today" on the frozen clock, exactly as drills score takes it.
    with freeze_time(RAN + timedelta(days=days, hours=13)):
        today = datetime.now(UTC).date()
    age = drill_age(RAN, today)
    assert (age.status, age.age_days, age.factor) == (status, days, factor)


def test_age_counts_calendar_days_in_utc() -> None:
    # 01:30 on 2 January in UTC+2 is 23:30 on 1 January in UTC: 3 April is 92 days later.
    east = datetime(2026, 1, 2, 1, 30, tzinfo=timezone(timedelta(hours=2)))
    assert drill_age(east, date(2026, 4, 3)).factor == 1.0
    assert drill_age(east, date(2026, 4, 4)).factor == 0.9973
    naive = datetime(2026, 1, 2, 0, 30)  # no zone: read as UTC, like every ran_at drills writes
    assert drill_age(naive, date(2026, 4, 4)).status == "current"


def test_undated_and_undrilled_count_as_old() -> None:
    assert drill_age(None, date(2026, 1, 1)) == DrillAge(status="undated", age_days=None,
                                                         factor=FLOOR)
    assert never_drilled().factor == FLOOR


def test_a_drill_after_the_review_date_is_current() -> None:
    assert drill_age(RAN, date(2025, 12, 1)) == DrillAge(status="current", age_days=0,
                                                         factor=1.0)


# -- points ----------------------------------------------------------------------------


def test_standard_weights_cost_each_finding_a_share_of_its_check() -> None:
    """The review's rubric (until it is re-based on the harm score): per check, its weight
    less each finding's severity share of it, never below zero."""
    report = build_report(flawed=True)
    checks = check_points(report.findings, PROFILES[RiskClass.STANDARD], CURRENT)
    lost = {c: 0.0 for c in WEIGHTS}
    for f in report.findings:
        lost[f.check] += SEVERITY_SHARE[f.severity] * WEIGHTS[f.check]
    expected = [(c, round(max(0.0, w - lost[c]), 2)) for c, w in WEIGHTS.items()]
    assert [(c.check, c.points) for c in checks] == expected
    assert total(checks)[0] == round(sum(p for _, p in expected))


def test_findings_over_a_checks_weight_share_it_in_proportion() -> None:
    money = PROFILES[RiskClass.MONEY]
    checks = check_points([
        finding("no-clean-export", Severity.CRITICAL, Check.REPAIR),
        finding("repair-without-saved-values", Severity.HIGH, Check.REPAIR),
        finding("edits-before-snapshot", Severity.MEDIUM, Check.REPAIR),
    ], money, CURRENT)
    repair = next(c for c in checks if c.check is Check.REPAIR)
    assert repair.points == 0
    assert [(x.code, x.points) for x in repair.lost] == [
        ("no-clean-export", 8.57), ("repair-without-saved-values", 4.29),
        ("edits-before-snapshot", 2.14)]


def test_three_equal_findings_over_the_weight_leave_exactly_zero() -> None:
    # 20 / 3 does not divide into hundredths: the remainder goes to one of them.
    checks = check_points(
        [finding("feeder-left-running", Severity.CRITICAL, Check.CONTAINMENT, where=w)
         for w in ("a", "b", "c")],
        PROFILES[RiskClass.MONEY], CURRENT)
    containment = next(c for c in checks if c.check is Check.CONTAINMENT)
    assert containment.points == 0
    assert sorted(x.points for x in containment.lost) == [6.66, 6.67, 6.67]


def test_age_takes_its_share_of_what_each_check_kept_and_says_so() -> None:
    age = drill_age(RAN, date(2026, 1, 1) + timedelta(days=138))
    checks = check_points([finding("no-fast-stop", Severity.MEDIUM, Check.DETECTION)],
                          PROFILES[RiskClass.MONEY], age)
    detection = next(c for c in checks if c.check is Check.DETECTION)
    assert detection.points == 9.84
    assert [(x.code, x.kind, x.points) for x in detection.lost] == [
        ("no-fast-stop", "finding", 3.75), ("drill-overdue", "age", 1.41)]
    assert "138 days old" in detection.lost[1].reason
    # Money weights at 87.5%: 8.75 + 9.84 + 17.5 + 8.75 + 13.12 + 13.12 + 4.37 + 8.75
    assert total(checks) == (84, 84.2)


_FINDINGS = st.lists(st.builds(
    finding,
    code=st.sampled_from(["a-gap", "b-gap", "c-gap", "d-gap"]),
    severity=st.sampled_from(list(Severity)),
    check=st.sampled_from(list(Check)),
    where=st.one_of(st.none(), st.sampled_from(["x", "y"])),
), max_size=30)


@given(findings=_FINDINGS, risk=st.sampled_from(list(RiskClass)),
       days=st.one_of(st.none(), st.integers(0, 800)))
def test_every_point_lost_is_traced_and_the_score_is_the_checks_sum(
    findings: list[Finding], risk: RiskClass, days: int | None
) -> None:
    profile = PROFILES[risk]
    age = drill_age(None if days is None else RAN, date(2026, 1, 1) + timedelta(days=days or 0))
    checks = check_points(findings, profile, age)
    for c in checks:
        assert c.points >= 0
        assert c.max_points == profile.weights[c.check]
        assert c.max_points - c.points == pytest.approx(sum(x.points for x in c.lost), abs=1e-9)
        assert {x.code for x in c.lost if x.kind == "finding"} == {
            f.code for f in findings if f.check is c.check and f.severity is not Severity.INFO}
    points_total = sum(c.points for c in checks)
    assert total(checks) == (round(round(points_total, 2)), round(points_total, 2))
    fresh = check_points(findings, profile, CURRENT)
    assert total(checks)[1] <= total(fresh)[1] + 1e-9


# -- regressions -----------------------------------------------------------------------


def test_a_lower_score_or_a_new_finding_is_a_regression() -> None:
    before = build_report(flawed=False, drill_id="d-1")
    before = before.model_copy(update={"ran_at": RAN})
    after = build_report(flawed=True, drill_id="d-1").model_copy(
        update={"ran_at": RAN + timedelta(days=90)})
    found = regression(after, 40, before, 90)
    assert found is not None
    assert found.score == 40
    assert found.previous_score == 90
    assert "queue-not-paused" in found.new_codes
    assert found.summary.startswith("score 90 -> 40 (-50) since the drill of 2026-01-01; new: ")
    same_score = regression(after, 90, before, 90)
    assert same_score is not None
    assert same_score.summary.startswith("new since the drill of 2026-01-01: ")
    assert regression(before, 95, before, 90) is None
