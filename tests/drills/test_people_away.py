"""People are not always there: with the owner away only a backup who may pause acts at
once; without one the pause waits for the scenario's escalation delay, and costs records."""

from __future__ import annotations

from typing import Any

import pytest

from drills.api import run_drill
from drills.engine.people import owner_away
from drills.judging.endstate import evaluate
from drills.responders.scripted import ESCALATED, Drill
from drills.runbook import Runbook
from drills.runbook.complete import complete_sections
from drills.scenarios.loader import load_scenario
from drills.scenarios.schema import Scenario

AWAY = "invoices-billed-twice"


def runbook(scenario: Scenario, **changes: Any) -> Runbook:
    data = complete_sections(scenario)
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return Runbook.model_validate(data)


def with_owner(scenario: Scenario, owner: str) -> Scenario:
    people = scenario.people.model_copy(update={"owner": owner})
    return scenario.model_copy(update={"people": people})


@pytest.mark.slow
def test_owner_away_without_backup_waits_for_escalation_and_damages_more() -> None:
    scenario = load_scenario(AWAY)
    assert owner_away(scenario)
    backed = Drill(scenario, runbook(scenario)).run()
    alone = Drill(scenario, runbook(scenario, backup_owner=None)).run()
    assert backed.detection is not None
    assert alone.detection is not None
    assert backed.acted_at == backed.detection.at
    assert alone.acted_at == alone.detection.at + scenario.escalation_delay
    assert evaluate(alone).records_damaged > evaluate(backed).records_damaged
    assert {s.who for s in backed.steps} == {"Luis Ortega"}
    assert {s.who for s in alone.steps} == {ESCALATED}
    assert any("is away" in e.what for e in alone.log)


@pytest.mark.slow
def test_a_backup_who_may_not_pause_waits_too() -> None:
    scenario = load_scenario(AWAY)
    backup = {"name": "Luis Ortega", "role": "Operations", "can_pause": False}
    result = Drill(scenario, runbook(scenario, backup_owner=backup)).run()
    assert result.detection is not None
    assert result.acted_at == result.detection.at + scenario.escalation_delay
    assert {s.who for s in result.steps} == {"Luis Ortega"}


@pytest.mark.slow
def test_the_missing_backup_costs_records_when_the_owner_is_away() -> None:
    scenario = load_scenario(AWAY)
    report = run_drill(scenario, runbook(scenario, backup_owner=None))
    missing = next(f for f in report.findings if f.code == "missing-backup-owner")
    assert missing.cost is not None
    assert missing.cost.records_damaged > 0
    waited = next(f for f in report.findings if f.code == "waited-for-escalation")
    assert "the owner was away" in waited.message
    assert waited.cost is not None
    assert waited.cost.records_damaged > 0


@pytest.mark.slow
def test_an_owner_who_is_present_acts_at_once_without_a_backup() -> None:
    scenario = with_owner(load_scenario(AWAY), "present")
    result = Drill(scenario, runbook(scenario, backup_owner=None)).run()
    assert result.detection is not None
    assert result.acted_at == result.detection.at


def test_random_owner_is_decided_by_the_seed() -> None:
    scenario = with_owner(load_scenario(AWAY), "random")
    picks = {seed: owner_away(scenario.model_copy(update={"seed": seed})) for seed in range(40)}
    assert set(picks.values()) == {True, False}
    assert picks == {seed: owner_away(scenario.model_copy(update={"seed": seed}))
                     for seed in range(40)}
    assert not owner_away(with_owner(scenario, "present"))
