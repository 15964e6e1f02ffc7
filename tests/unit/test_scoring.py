"""The score: 100 points over the rubric checks, each finding costing a share of its check."""

from __future__ import annotations

import pytest

from drills.judging import SEVERITY_SHARE, WEIGHTS, score
from drills.reports.findings import Check, Finding, Severity


def finding(code: str, check: Check, severity: Severity) -> Finding:
    return Finding(code=code, severity=severity, check=check, message="m", fix="f")


def points(check: Check, *findings: Finding) -> float:
    found: float = next(i.points for i in score(findings).items if i.check is check)
    return found


def test_the_weights_add_up_to_one_hundred() -> None:
    assert sum(WEIGHTS.values()) == 100


def test_no_findings_score_full_marks_on_every_check() -> None:
    result = score([])
    assert result.total == 100
    assert all(i.points == i.max_points and i.lost_to == [] for i in result.items)
    assert [i.check for i in result.items] == list(WEIGHTS)


@pytest.mark.parametrize("severity", list(Severity))
def test_one_finding_costs_its_severity_share_of_its_check(severity: Severity) -> None:
    f = finding("no-scope", Check.SCOPING, severity)
    lost = SEVERITY_SHARE[severity] * WEIGHTS[Check.SCOPING]
    assert points(Check.SCOPING, f) == round(WEIGHTS[Check.SCOPING] - lost, 2)


def test_a_check_never_goes_below_zero() -> None:
    many = [finding(f"gap-{n}", Check.CONTAINMENT, Severity.CRITICAL) for n in range(3)]
    assert points(Check.CONTAINMENT, *many) == 0
    assert score(many).total == 100 - WEIGHTS[Check.CONTAINMENT]


def test_findings_cost_only_their_own_check() -> None:
    f = finding("no-comms", Check.COMMS, Severity.CRITICAL)
    result = score([f])
    assert {i.check for i in result.items if i.points < i.max_points} == {Check.COMMS}


def test_lost_points_name_each_code_once_sorted() -> None:
    fs = [
        finding("b-gap", Check.REPAIR, Severity.LOW),
        finding("a-gap", Check.REPAIR, Severity.LOW),
        finding("b-gap", Check.REPAIR, Severity.LOW),
    ]
    item = next(i for i in score(fs).items if i.check is Check.REPAIR)
    assert item.lost_to == ["a-gap", "b-gap"]


def test_informational_findings_cost_nothing_and_are_not_blamed() -> None:
    f = finding("note", Check.DETECTION, Severity.INFO)
    item = next(i for i in score([f]).items if i.check is Check.DETECTION)
    assert item.points == item.max_points
    assert item.lost_to == []


def test_the_total_is_the_rounded_sum_of_the_checks() -> None:
    fs = [
        finding("x", Check.SCOPING, Severity.LOW),  # 1.5
        finding("y", Check.VERIFICATION, Severity.LOW),  # 1.0
        finding("z", Check.COMMS, Severity.MEDIUM),  # 1.25
    ]
    result = score(fs)
    assert result.total == round(sum(i.points for i in result.items)) == 96
