"""The score: the share of avoidable harm avoided, less a few points per gap that cost nothing.

The per-check weights stay for the readiness review (``drills score``); a drill's own score
follows harm (docs/scoring.md). The harm numbers here are made up: each test pins the
arithmetic alone; real drills are scored in tests/judging.
"""

from __future__ import annotations

import pytest

from drills.judging import SEVERITY_POINTS, WEIGHTS, Harm, score
from drills.reports.findings import Check, Finding, GapCost, Severity

NOTHING = Harm(left_wrong={"crm": 200}, damaged=200, live_minutes=120, shadow_fixes=10,
               damaged_by_system={"crm": 200})
PERFECT = Harm(damaged=20, live_minutes=5, damaged_by_system={"crm": 20})
ZERO = GapCost(records_damaged=0, records_left_wrong=0, minutes_to_contain=0, harm_points=0.0)


def finding(code: str, check: Check, severity: Severity,
            cost: GapCost | None = ZERO) -> Finding:
    return Finding(code=code, severity=severity, check=check, message="m", fix="f", cost=cost)


def scored(*findings: Finding, run: Harm = PERFECT) -> int:
    total = score(list(findings), run, NOTHING, PERFECT, [], contained=True).total
    assert total is not None
    return total


def test_the_review_weights_add_up_to_one_hundred() -> None:
    assert sum(WEIGHTS.values()) == 100


def test_no_findings_at_the_perfect_harm_score_full_marks() -> None:
    result = score([], PERFECT, NOTHING, PERFECT, [], contained=True)
    assert result.total == 100
    assert result.deductions == []
    assert result.items == []  # per-check points belong to reports from before


@pytest.mark.parametrize("severity", list(Severity))
def test_a_gap_that_cost_nothing_costs_its_severity_points(severity: Severity) -> None:
    assert scored(finding("no-scope", Check.SCOPING, severity)) == 100 - SEVERITY_POINTS[severity]


def test_deductions_are_not_capped_per_check() -> None:
    many = [finding(f"gap-{n}", Check.CONTAINMENT, Severity.CRITICAL) for n in range(3)]
    assert scored(*many) == 100 - 3 * SEVERITY_POINTS[Severity.CRITICAL]


def test_a_gap_whose_harm_is_measured_is_not_deducted_again() -> None:
    paid = GapCost(records_damaged=10, records_left_wrong=10, minutes_to_contain=2,
                   harm_points=25.0, score_points=3.2)
    assert scored(finding("feeder-left-running", Check.CONTAINMENT, Severity.HIGH, paid)) == 100


def test_informational_findings_cost_nothing() -> None:
    assert scored(finding("stop-rule-read", Check.DETECTION, Severity.INFO)) == 100


def test_harm_lowers_the_score_by_its_share_of_the_avoidable() -> None:
    # half the damage the perfect response avoided, all of it put right
    run = Harm(damaged=110, live_minutes=5, damaged_by_system={"crm": 110})
    share = 100 * (NOTHING.points(_table()) - run.points(_table())) / (
        NOTHING.points(_table()) - PERFECT.points(_table()))
    assert scored(run=run) == round(share)


def _table() -> dict[str, float]:
    from drills.judging import weights

    return weights([])
