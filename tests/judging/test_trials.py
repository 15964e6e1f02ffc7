"""Stop rules tried both ways: false alarms on a healthy run, silent rules on the bad run."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest

from drills.judging.trials import paused_minutes, rule_findings, try_rules
from drills.runbook import load_runbook, parse_stop_rule
from drills.runbook.schema import Runbook
from drills.scenarios.loader import load_scenario
from drills.scenarios.schema import Scenario

REPO = Path(__file__).resolve().parents[2]
SCENARIO = REPO / "tests/data/examples/invoice-triple-trigger.scenario.yaml"
RUNBOOK = REPO / "tests/data/examples/invoice-reminder.runbook.yaml"


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return load_scenario(SCENARIO)


def with_rules(*rules: str) -> Runbook:
    data = load_runbook(RUNBOOK).model_dump(mode="json", by_alias=True, exclude_none=True)
    return Runbook.model_validate({**data, "stop_rules": list(rules)})


def test_a_rule_that_counts_volume_fires_on_the_healthy_run(scenario: Scenario) -> None:
    runbook = with_rules("duplicate_messages >= 5", "changed_records >= 10")
    found = [f for f in rule_findings(scenario, runbook) if f.code == "stop-rule-false-alarm"]
    assert len(found) == 1
    alarm = found[0]
    assert alarm.where == "stop_rules.1"
    assert "'changed_records >= 10'" in alarm.message
    assert alarm.cost is not None
    assert alarm.cost.healthy_minutes_paused > 0
    # pause steps 2+1+1+1 min and the restart's own 15 min: the job waits 20 minutes
    assert alarm.cost.healthy_minutes_paused == 20.0
    assert "a false alarm that pauses the healthy job for 20 min" in alarm.message


def test_a_rule_on_damage_gives_no_false_alarm(scenario: Scenario) -> None:
    runbook = with_rules("duplicate_messages >= 5", "5 duplicate emails in a row")
    codes = [f.code for f in rule_findings(scenario, runbook)]
    assert "stop-rule-false-alarm" not in codes
    assert "stop-rule-never-fires" not in codes


def test_the_healthy_run_sends_the_same_traffic_without_duplicates(scenario: Scenario) -> None:
    rules = [parse_stop_rule(t) for t in ("messages_sent >= 100", "duplicate_messages >= 1")]
    healthy = try_rules(scenario, rules, healthy=True)
    bad = try_rules(scenario, rules, healthy=False)
    assert healthy[0].fired_at is not None
    assert healthy[1].fired_at is None
    assert healthy[1].peak == 0
    assert bad[1].fired_at is not None
    # the bad run triples every message, so it reaches 100 sent far sooner
    assert bad[0].fired_at is not None
    assert bad[0].fired_at < healthy[0].fired_at


def test_a_rule_the_fault_cannot_move_never_fires(scenario: Scenario) -> None:
    runbook = with_rules("duplicate_messages >= 5", "messages_without_review >= 1",
                         "duplicate_messages >= 100000")
    found = [f for f in rule_findings(scenario, runbook) if f.code == "stop-rule-never-fires"]
    assert [f.where for f in found] == ["stop_rules.1", "stop_rules.2"]
    # beside a rule that does fire, a silent one delays nothing: info, no points
    assert {f.severity.value for f in found} == {"info"}
    assert "messages_without_review reaches 0 at most" in found[0].message


def test_alone_a_silent_rule_is_a_gap(scenario: Scenario) -> None:
    found = [f for f in rule_findings(scenario, with_rules("blank_writes >= 1"))
             if f.code == "stop-rule-never-fires"]
    assert [f.severity.value for f in found] == ["medium"]
    assert "'duplicate_messages >= 5'" in found[0].fix


def test_without_a_restart_a_false_alarm_pauses_to_the_end(scenario: Scenario) -> None:
    data = with_rules("changed_records >= 10").model_dump(
        mode="json", by_alias=True, exclude_none=True)
    del data["restart"]
    runbook = Runbook.model_validate(data)
    fired = scenario.starts + timedelta(minutes=30)
    assert paused_minutes(scenario, runbook, fired) == 90.0


@pytest.mark.slow
def test_the_report_shows_how_a_plain_rule_was_read(scenario: Scenario) -> None:
    from drills.api import run_drill

    report = run_drill(scenario, with_rules("5 duplicate emails in a row"), costs=False)
    detected = next(p for p in report.phases if p.name.value == "detected")
    assert detected.how.startswith(
        "stop rule '5 duplicate emails in a row' read as duplicate_messages >= 5 fired")
    read = [f for f in report.findings if f.code == "stop-rule-read"]
    assert [f.message for f in read] == [
        "stop rule '5 duplicate emails in a row' is read as duplicate_messages >= 5"]


def test_a_rule_tried_before_is_not_tried_again_and_answers_the_same(
    scenario: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    from drills.judging import trials

    monkeypatch.setattr(trials, "_KNOWN", {})
    ran: list[tuple[bool, list[str]]] = []
    real = trials.try_rules

    def counted(sc: Scenario, rules: list[object], **kw: object) -> list[trials.Trial]:
        ran.append((bool(kw["healthy"]), [r.canonical for r in rules]))  # type: ignore[attr-defined]
        return real(sc, rules, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(trials, "try_rules", counted)
    monkeypatch.setattr(os, "cpu_count", lambda: 1)  # trials in this process, to count
    first = with_rules("duplicate_messages >= 5", "changed_records >= 10")
    fresh = rule_findings(scenario, first)
    assert sorted(ran) == [(False, ["duplicate_messages >= 5", "changed_records >= 10"]),
                           (True, ["duplicate_messages >= 5", "changed_records >= 10"])]
    ran.clear()
    # The same rules in other words and order, beside a new one: only the new one runs.
    second = with_rules("changed_records >= 10", "duplicate_messages >= 5.0",
                        "complaints >= 1")
    again = rule_findings(scenario, second)
    assert sorted(ran) == [(False, ["complaints >= 1"]), (True, ["complaints >= 1"])]
    before, after = (next(f for f in found if f.code == "stop-rule-false-alarm")
                     for found in (fresh, again))
    assert after.cost == before.cost
    assert (before.where, after.where) == ("stop_rules.1", "stop_rules.0")  # as each holds it
