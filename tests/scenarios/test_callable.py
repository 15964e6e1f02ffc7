"""A scenario whose automation is the team's own Python function, with faults around it."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from drills.api import run_drill
from drills.runbook.complete import complete_runbook
from drills.scenarios.badrun import AutomationImportError
from drills.scenarios.loader import load_scenario
from drills.scenarios.schema import Scenario
from tests.scenarios.test_badrun import assert_truth_matches_twin, shrink

AUTOMATIONS = Path(__file__).resolve().parents[1] / "data" / "automations"


@pytest.fixture(autouse=True)
def importable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(AUTOMATIONS))


def with_callable(fault: dict[str, Any] | None = None, seed: int = 3) -> Scenario:
    base = shrink(load_scenario("invoice-triple-trigger"), seed)
    data = base.model_dump(mode="json", by_alias=True, exclude_none=True)
    data["automation"].pop("does")
    data["automation"]["callable"] = "team_reminders:send_reminder"
    if fault is not None:
        data["fault"] = {**fault, "rate": "4/min", "reach": 12}
    return Scenario.model_validate(data)


@pytest.mark.slow
@pytest.mark.parametrize(
    "fault",
    [
        {"kind": "triple_trigger", "times": 3},
        {"kind": "wrong_field_mapping", "writes": "billing.invoices.notes",
         "into": "billing.invoices.billing_terms"},
        {"kind": "blank_writes", "fields": ["billing.invoices.customer_email"]},
        {"kind": "duplicate_records", "table": "billing.activity"},
    ],
    ids=lambda f: f["kind"],
)
def test_faults_bend_the_teams_own_function(fault: dict[str, Any]) -> None:
    truth = assert_truth_matches_twin(with_callable(fault))
    assert len(truth) > 0


@pytest.mark.slow
def test_a_complete_runbook_recovers_from_the_teams_own_function() -> None:
    scenario = with_callable()
    report = run_drill(scenario, complete_runbook(scenario), costs=False)
    assert report.outcome.records_damaged > 0
    assert report.outcome.records_left_wrong == 0


def test_an_unimportable_function_is_one_clear_error() -> None:
    data = with_callable().model_dump(mode="json", by_alias=True, exclude_none=True)
    data["automation"]["callable"] = "nope_module:run"
    scenario = Scenario.model_validate(data)
    with pytest.raises(AutomationImportError, match=r"cannot import 'nope_module'"):
        run_drill(scenario, None, costs=False)
    assert "nope_module" not in sys.modules


def test_does_and_callable_are_exclusive() -> None:
    data = load_scenario("invoice-triple-trigger").model_dump(
        mode="json", by_alias=True, exclude_none=True)
    data["automation"]["callable"] = "team_reminders:send_reminder"
    with pytest.raises(ValueError, match="give either 'does' steps or a 'callable', not both"):
        Scenario.model_validate(data)
