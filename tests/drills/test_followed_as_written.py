"""The runbook is followed as written: each step acts on exactly the systems it names."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from drills.responders.scripted import Drill
from drills.runbook import Runbook
from drills.runbook.complete import complete_sections
from drills.scenarios.loader import load_scenario


def _run(sections: dict[str, Any]) -> Any:
    scenario = load_scenario("tests/data/examples/invoice-triple-trigger.scenario.yaml")
    return Drill(scenario, Runbook.model_validate(sections)).run()


def _sections() -> dict[str, Any]:
    scenario = load_scenario("tests/data/examples/invoice-triple-trigger.scenario.yaml")
    return copy.deepcopy(complete_sections(scenario))


def _outcome(result: Any, section: str) -> Any:
    return next(o for o in result.outcomes if o.section == section)


def test_a_verify_step_reconciles_only_the_systems_it_names() -> None:
    good = _run(_sections())
    checked = {(r.left, r.right) for r in _outcome(good, "verify").data}
    assert any(side.startswith("email.outbox") for pair in checked for side in pair)
    wrong = _sections()
    wrong["verify"]["reconcile"] = ["support"]
    result = _run(wrong)
    step = _outcome(result, "verify")
    assert not step.ok
    assert step.data == []
    assert "none of the named systems" in step.detail


def test_a_scope_of_one_system_finds_nothing_in_the_others() -> None:
    one = _sections()
    one["scope"]["systems"] = ["email"]
    scope = _outcome(_run(one), "scope").data
    assert set(scope.counts) == {"email.outbox"}
    assert scope.total.wrong > 0


def test_a_snapshot_of_a_system_the_run_never_touched_captures_none_of_its_damage() -> None:
    elsewhere = _sections()
    elsewhere["snapshot"]["export"] = ["support"]
    snap = _outcome(_run(elsewhere), "snapshot").data
    assert set(snap.row_counts) == {"support.tickets"}


@pytest.mark.slow
def test_verify_counts_after_the_copies_catch_up() -> None:
    """Copies keep coming: a field sync still carries values for minutes after a repair.
    The complete runbook's verify refreshes the copies it checks before counting, so
    what it reports is what the next copy would show, and it matches."""
    scenario = load_scenario("crm-blank-emails")
    assert any(s.lag for s in scenario.world.syncs)
    result = Drill(scenario, Runbook.model_validate(complete_sections(scenario))).run()
    step = _outcome(result, "verify")
    assert step.ok
    assert step.detail.startswith("all counts match"), step.detail
    assert {r.right for r in step.data} >= {"billing.invoices.customer_email",
                                            "warehouse.crm_contacts"}
