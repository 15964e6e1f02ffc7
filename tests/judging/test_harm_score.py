"""The score follows harm: what a drill must show before a team, CI or an advisor acts on it.

Each drill here is real (the example runbooks, the built-in scenario, SQLite in memory)
and scored by the same pipeline ``drills run`` uses: the two baselines on the drill's
seed, the gap costs, the deductions and the gates (docs/scoring.md).
"""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from drills.api import run_drill
from drills.judging.harm import Harm
from drills.judging.points import READY_AT, avoided_share, ready_at, score
from drills.reports.findings import Check, Finding, GapCost, Severity
from drills.reports.model import DrillReport, GateCode, HarmUnit
from drills.runbook import Runbook
from drills.scenarios.loader import load_scenario
from drills.scenarios.schema import Scenario

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
DATA = ROOT / "tests" / "data" / "runbooks" / "harm"


def _sections(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return load_scenario("invoice-triple-trigger")


@pytest.fixture(scope="module")
def good_sections() -> dict[str, Any]:
    return _sections(EXAMPLES / "invoice-reminder.runbook.yaml")


@pytest.fixture(scope="module")
def good(scenario: Scenario, good_sections: dict[str, Any]) -> DrillReport:
    return run_drill(scenario, Runbook.model_validate(good_sections),
                     runbook_path=str(EXAMPLES / "invoice-reminder.runbook.yaml"))


@pytest.fixture(scope="module")
def flawed(scenario: Scenario) -> DrillReport:
    sections = _sections(EXAMPLES / "invoice-reminder.flawed.runbook.yaml")
    return run_drill(scenario, Runbook.model_validate(sections), costs=False)


@pytest.mark.slow
def test_the_good_example_scores_at_least_95_and_is_ready(good: DrillReport) -> None:
    s = good.score
    assert s.scored
    assert s.value >= 95, s.basis
    assert s.ready, s.verdict
    assert s.gates == []
    # set between the two baselines of its own seed, every unit side by side
    assert (s.nothing_points or 0) > (s.perfect_points or 0) > 0
    units = {line.unit for line in s.harm}
    assert units == set(HarmUnit)


@pytest.mark.slow
def test_the_flawed_example_scores_under_20_and_is_gated(flawed: DrillReport) -> None:
    s = flawed.score
    assert s.scored
    assert s.value < 20, s.basis
    assert not s.ready
    codes = {g.code for g in s.gates}
    assert GateCode.NEVER_CONTAINED in codes
    assert GateCode.LEFT_WRONG_MONEY_OR_MESSAGES in codes


def _without_backup(rb: dict[str, Any]) -> None:
    del rb["backup_owner"]


def _webhook_left_running(rb: dict[str, Any]) -> None:
    rb["pause"] = [s for s in rb["pause"] if s.get("disable_feeder") != "billing.invoice-updated"]


def _vague_stop_rule(rb: dict[str, Any]) -> None:
    rb["stop_rules"] = ["if something looks wrong", *rb["stop_rules"][1:]]


def _owner_is_team(rb: dict[str, Any]) -> None:
    rb["owner"] = {**rb["owner"], "name": "Finance team"}


@pytest.mark.slow
@pytest.mark.parametrize("gap", [_without_backup, _webhook_left_running, _vague_stop_rule,
                                 _owner_is_team], ids=lambda f: f.__name__.strip("_"))
def test_adding_any_one_gap_lowers_the_score(
    gap: Any, scenario: Scenario, good_sections: dict[str, Any], good: DrillReport
) -> None:
    sections = copy.deepcopy(good_sections)
    gap(sections)
    report = run_drill(scenario, Runbook.model_validate(sections))
    assert report.score.scored
    assert report.score.value < good.score.value, report.score.basis


@pytest.mark.slow
def test_a_gap_that_cost_nothing_costs_few_points_and_says_so(
    scenario: Scenario, good_sections: dict[str, Any], good: DrillReport
) -> None:
    sections = copy.deepcopy(good_sections)
    _without_backup(sections)
    report = run_drill(scenario, Runbook.model_validate(sections))
    (deduction,) = [d for d in report.score.deductions if d.code == "missing-backup-owner"]
    assert deduction.reason == "cost nothing in this drill: -3 points"
    assert 0 < deduction.points <= 4
    assert good.score.value - report.score.value <= 4


@pytest.mark.slow
def test_nonsense_in_every_section_scores_under_60(scenario: Scenario) -> None:
    report = run_drill(scenario, Runbook.model_validate(_sections(DATA / "nonsense.runbook.yaml")),
                       costs=False)
    assert report.score.scored
    assert report.score.value < 60, report.score.basis
    assert not report.score.ready


@pytest.mark.slow
def test_drills_check_fails_nonsense_under_70(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "drills", "check", str(DATA / "nonsense.runbook.yaml"),
         "--fail-under", "70", "--no-costs"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "under --fail-under 70" in done.stdout + done.stderr


@pytest.mark.slow
def test_an_excellent_runbook_written_differently_scores_within_5_of_the_example(
    scenario: Scenario, good: DrillReport
) -> None:
    report = run_drill(scenario, Runbook.model_validate(_sections(DATA / "terse.runbook.yaml")))
    assert report.score.scored
    assert abs(report.score.value - good.score.value) <= 5, report.score.basis
    assert report.score.ready


def test_the_readiness_thresholds_are_the_reviews() -> None:
    from drills.review.risk import PROFILES

    assert {p.risk.value: p.threshold for p in PROFILES.values()} == dict(READY_AT)
    assert ready_at(["customer_messages", "money"]) == ("money", 85)
    assert ready_at([]) == ("standard", 70)


# -- the formula on its own: baselines, edge cases, gates ---------------------------------

TABLE = {"left_wrong_critical": 4.0, "left_wrong": 2.0, "damaged": 0.5, "sent_wrongly": 3.0,
         "live_minutes": 1.0, "human_edits_overwritten": 3.0, "shadow_fixes": 1.0,
         "healthy_minutes_paused": 0.5}


def test_doing_nothing_scores_0_and_the_perfect_response_100() -> None:
    nothing = Harm(left_wrong={"crm": 300}, damaged=300, live_minutes=120,
                   damaged_by_system={"crm": 300})
    perfect = Harm(damaged=30, live_minutes=5, damaged_by_system={"crm": 30})
    assert avoided_share(nothing, nothing, perfect, TABLE)[0] == 0
    assert avoided_share(perfect, nothing, perfect, TABLE)[0] == 100


def test_a_fast_pause_without_repair_is_far_from_ready() -> None:
    """Containing fast but repairing nothing avoids the damage, not the records left wrong:
    the repair's share is what this run's own damage needed (docs/scoring.md)."""
    nothing = Harm(left_wrong={"crm": 300}, damaged=300, live_minutes=120,
                   damaged_by_system={"crm": 300})
    perfect = Harm(damaged=30, live_minutes=5, damaged_by_system={"crm": 30})
    no_repair = Harm(left_wrong={"crm": 30}, damaged=30, live_minutes=5,
                     damaged_by_system={"crm": 30})
    share, basis = avoided_share(no_repair, nothing, perfect, TABLE)
    assert share < 50, basis
    half = Harm(left_wrong={"crm": 15}, damaged=30, live_minutes=5, damaged_by_system={"crm": 30})
    assert share < avoided_share(half, nothing, perfect, TABLE)[0] < 100


def test_nothing_avoidable_scores_by_the_harm_the_response_added() -> None:
    same = Harm(damaged=10, damaged_by_system={"crm": 10})
    assert avoided_share(same, same, same, TABLE)[0] == 100
    worse = Harm(damaged=10, human_edits_overwritten=4, damaged_by_system={"crm": 10})
    share, basis = avoided_share(worse, same, same, TABLE)
    assert share == 100 - 4 * TABLE["human_edits_overwritten"]
    assert "nothing was avoidable" in basis


def test_harm_worse_than_doing_nothing_clamps_at_0() -> None:
    nothing = Harm(damaged=100, damaged_by_system={"crm": 100}, left_wrong={"crm": 100})
    perfect = Harm(damaged=10, damaged_by_system={"crm": 10})
    run = Harm(damaged=100, damaged_by_system={"crm": 100}, left_wrong={"crm": 100},
               human_edits_overwritten=50)
    assert avoided_share(run, nothing, perfect, TABLE)[0] == 0


def _finding(code: str, severity: Severity, cost: GapCost | None) -> Finding:
    return Finding(code=code, severity=severity, check=Check.COMPLETENESS, message="m", fix="f",
                   cost=cost)


def test_deductions_only_for_gaps_that_cost_nothing_never_for_outcomes() -> None:
    zero = GapCost(records_damaged=0, records_left_wrong=0, minutes_to_contain=0,
                   harm_points=0.0)
    paid = GapCost(records_damaged=5, records_left_wrong=5, minutes_to_contain=1,
                   harm_points=22.5, score_points=3.0)
    worse = GapCost(records_damaged=-3, records_left_wrong=0, minutes_to_contain=0,
                    harm_points=-1.5, worse="closing it alone made records damaged 3 -> 6")
    findings = [
        _finding("missing-backup-owner", Severity.HIGH, zero),
        _finding("feeder-left-running", Severity.HIGH, paid),
        _finding("queue-left-running", Severity.HIGH, worse),
        _finding("no-first-safe-action", Severity.HIGH, None),
        _finding("records-left-wrong", Severity.HIGH, None),
        _finding("stop-rule-read", Severity.INFO, None),
    ]
    run = Harm(damaged=10, damaged_by_system={"crm": 10})
    nothing = Harm(damaged=100, left_wrong={"crm": 100}, damaged_by_system={"crm": 100})
    s = score(findings, run, nothing, run, [], contained=True)
    assert [(d.code, d.points) for d in s.deductions] == [
        ("missing-backup-owner", 3), ("queue-left-running", 3), ("no-first-safe-action", 3)]
    assert s.deductions[0].reason == "cost nothing in this drill: -3 points"
    assert s.total == 100 - 9


def test_the_gates_fire_whatever_the_score() -> None:
    run = Harm(left_wrong={"billing": 2, "crm": 5}, damaged=300, live_minutes=30,
               damaged_by_system={"billing": 295, "crm": 5})
    nothing = Harm(left_wrong={"billing": 900}, damaged=900, live_minutes=120,
                   damaged_by_system={"billing": 900})
    s = score([], run, nothing, Harm(), ["money"], contained=False, restarted_with_fault=True)
    assert [g.code for g in s.gates] == [GateCode.NEVER_CONTAINED,
                                         GateCode.LEFT_WRONG_MONEY_OR_MESSAGES,
                                         GateCode.RESTARTED_WITH_FAULT]
    assert "2 in billing (money)" in s.gates[1].message
    assert "crm" not in s.gates[1].message
    assert s.value >= 85, s.basis
    assert not s.ready
    assert s.verdict is not None
    assert s.verdict.reasons == [g.message for g in s.gates]


def test_a_cost_worse_on_one_count_says_which_unit_and_why() -> None:
    from drills.judging.costs import Measured, why_worse
    from drills.reports.findings import cost_text

    base = Measured(134, 50, 6.0, harm=Harm(left_wrong={"warehouse": 50}, damaged=134),
                    accounts={"email.outbox": {"delivered": 10, "held": 40}})
    closed = Measured(166, 66, 8.0, harm=Harm(left_wrong={"warehouse": 66}, damaged=166),
                      accounts={"email.outbox": {"delivered": 42, "held": 8}})
    why = why_worse(base, closed)
    assert why == ("closing it alone made records left wrong in warehouse 50 -> 66; records "
                   "damaged 134 -> 166 because, with it closed alone, email.outbox delivered "
                   "32 more, containment came 2 min later")
    assert why_worse(closed, base) is None
    cost = GapCost(records_damaged=-32, records_left_wrong=-16, minutes_to_contain=-2,
                   harm_points=-48.0, score_points=-1.2, worse=why)
    assert cost_text(cost) == (
        "-32 records damaged, -16 left wrong, -2 min to contain (-48 harm points, -1.2 score "
        f"points); worse on one count: {why}")
