"""Gap costs: what closing one gap changes, as plain arithmetic over rerun measurements.

The reruns themselves are drills (tested end to end elsewhere); here ``measure`` is
replaced by a table of made-up numbers, so each test pins down the arithmetic alone.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any, cast

import pytest

import drills.judging.costs
from drills.engine import DrillResult
from drills.judging import CLOSERS, Evaluation, Measured, close_gap, measured, with_costs
from drills.judging.costs import perfect_runbook
from drills.judging.rerun_cache import CACHE_ENV
from drills.reports.findings import Finding, GapCost
from drills.runbook import Runbook, lint_runbook, load_runbook
from drills.scenarios.schema import Scenario

EXAMPLES = Path(__file__).resolve().parents[1] / "data" / "examples"
BASE = Measured(damaged=80, left_wrong=8, minutes_to_contain=20.0)
_PLAIN: dict[str, Any] = {"interrupted": False, "feeder_accounts": {},
                          "people": type("People", (), {"edits": []})}
"""What a finished drill's result holds besides its times, for harm (no person acted)."""


@pytest.fixture(scope="module")
def flawed() -> Runbook:
    return load_runbook(EXAMPLES / "invoice-reminder.flawed.runbook.yaml")


def lint(runbook: Runbook, *codes: str) -> list[Finding]:
    found = {f.code: f for f in lint_runbook(runbook)}
    return [found[c] for c in codes]


def fake_measure(
    monkeypatch: pytest.MonkeyPatch, numbers: dict[str, Measured], default: Measured
) -> list[Runbook]:
    """``measure`` answers from ``numbers`` (by runbook JSON); returns the runbooks asked.

    The baselines (nobody acts, the complete runbook) answer ``default`` too and are not
    counted; made-up numbers are never kept for other tests (no process or disk cache).
    """
    asked: list[Runbook] = []
    def measure(scenario: Scenario, runbook: Runbook | None, *_args: Any) -> Measured:
        if runbook is None or runbook == perfect_runbook(scenario):
            return default
        asked.append(runbook)
        return numbers.get(runbook.model_dump_json(), default)

    monkeypatch.setattr(drills.judging.costs, "measure", measure)
    monkeypatch.setattr(drills.judging.costs, "_SHARED", {})
    monkeypatch.delenv(CACHE_ENV, raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 1)  # reruns in this process
    return asked


def test_closing_a_gap_changes_only_its_part_of_the_runbook(
    scenario: Scenario, flawed: Runbook
) -> None:
    (f,) = lint(flawed, "no-comms")
    closed = close_gap(flawed, f, scenario)
    assert closed is not None
    assert flawed.comms is None
    assert closed.comms is not None
    changed = {k for k in type(flawed).model_fields if getattr(flawed, k) != getattr(closed, k)}
    assert changed == {"comms"}


def test_a_gap_no_runbook_change_closes_has_no_closer(
    scenario: Scenario, flawed: Runbook
) -> None:
    (f,) = lint(flawed, "no-first-safe-action")
    assert f.code not in CLOSERS
    assert close_gap(flawed, f, scenario) is None


def test_a_gap_costs_the_difference_its_rerun_made(
    monkeypatch: pytest.MonkeyPatch, scenario: Scenario, flawed: Runbook
) -> None:
    findings = lint(flawed, "no-comms", "no-verification")
    asked = fake_measure(monkeypatch, {}, Measured(50, 5, 12.25))
    out = with_costs(scenario, flawed, findings, BASE)
    assert [f.code for f in out] == ["no-comms", "no-verification"]
    # the made-up reruns carry no harm, so no harm points and nothing avoidable to share
    assert {f.cost for f in out} == {GapCost(records_damaged=30, records_left_wrong=3,
                                             minutes_to_contain=7.75, harm_points=0.0,
                                             basis="alone")}
    assert len(asked) == 2  # one rerun per closed gap


def test_findings_without_a_closer_keep_no_cost(
    monkeypatch: pytest.MonkeyPatch, scenario: Scenario, flawed: Runbook
) -> None:
    findings = lint(flawed, "no-first-safe-action")
    asked = fake_measure(monkeypatch, {}, BASE)
    assert with_costs(scenario, flawed, findings, BASE) == findings
    assert asked == []


def test_a_masked_gap_is_measured_with_every_other_gap_closed(
    monkeypatch: pytest.MonkeyPatch, scenario: Scenario, flawed: Runbook
) -> None:
    first, second = findings = lint(flawed, "no-comms", "no-verification")
    one = close_gap(flawed, first, scenario)
    assert one is not None
    both = close_gap(one, second, scenario)
    assert both is not None
    # Closing either gap alone changes nothing; closing both saves a lot.
    fake_measure(monkeypatch, {both.model_dump_json(): Measured(10, 1, 5.5)}, BASE)
    out = with_costs(scenario, flawed, findings, BASE)
    expected = GapCost(records_damaged=70, records_left_wrong=7, minutes_to_contain=14.5,
                       harm_points=0.0, basis="others-closed")
    assert [f.cost for f in out] == [expected, expected]


def test_minutes_to_contain_run_from_the_first_bad_write(scenario: Scenario) -> None:
    first = scenario.starts + timedelta(minutes=3)
    runtime = type("Runtime", (), {"first_write": first,
                                   "contained_at": first + timedelta(seconds=450),
                                   "restarted_at": None})
    result = cast(DrillResult, type("Result", (), {
        "runtime": runtime, "scenario": scenario, "finished": first + timedelta(hours=1),
        "detection": None, **_PLAIN,
    }))
    ev = Evaluation(damaged={"t": {1, 2, 3}, "u": {1}}, damaged_after_detection={},
                    left_wrong={"t": {2}}, human_edits_overwritten=0, duplicates_left=0,
                    reconciled=[], scoped={})
    m = measured(result, ev)
    assert (m.damaged, m.left_wrong, m.minutes_to_contain, m.minutes_to_detect) == (
        4, 1, 7.5, 60.0)
    # never detected: live from the first bad write to containment
    assert (m.harm.damaged, dict(m.harm.left_wrong), m.harm.live_minutes) == (4, {"t": 1}, 7.5)


def test_an_uncontained_drill_counts_minutes_to_its_end(scenario: Scenario) -> None:
    runtime = type("Runtime", (), {"first_write": None, "contained_at": None,
                                   "restarted_at": None})
    result = cast(DrillResult, type("Result", (), {
        "runtime": runtime, "scenario": scenario,
        "finished": scenario.starts + timedelta(minutes=90), "detection": None, **_PLAIN,
    }))
    ev = Evaluation(damaged={}, damaged_after_detection={}, left_wrong={},
                    human_edits_overwritten=0, duplicates_left=0, reconciled=[], scoped={})
    assert measured(result, ev).minutes_to_contain == 90.0
