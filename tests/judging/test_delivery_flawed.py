"""A flawed runbook on each delivery fault: every gap is a finding, and each carries the
cost measured by running the same seeded drill again with that gap closed.

The flawed runbook is the complete one with four gaps teams really have: a stop rule on
something the fault never moves, a pause of the job alone (its webhook or queue keeps
delivering), no ``deliveries`` section (no dedupe, no latest-per-record, nothing held),
and a restart plan that names no cause (so neither the fixed job nor a replay from the
sender's log can give right values back).

The ``deliveries`` steps act on their own: with the cause still unwritten, a runbook
that dedupes by event id (a storm) or applies each record's latest event (a reorder)
leaves nothing wrong where one without them leaves dozens of records wrong.
"""

from __future__ import annotations

import pytest

from drills.api import run_drill
from drills.runbook import Runbook
from drills.runbook.complete import complete_sections
from drills.scenarios.loader import load_scenario

pytestmark = pytest.mark.slow

DELIVERY = ["order-paid-webhook-redelivered", "dispatch-events-out-of-order",
            "crm-conversions-lost-in-outage", "card-payments-arrive-late",
            "welcome-email-timeouts-resent"]

OUTCOMES = {"records-left-wrong", "counts-do-not-reconcile"}
"""Findings that report the outcome the gaps add up to (records still wrong, counts that
do not match across systems), not a gap of their own: no runbook section closes them."""


@pytest.mark.parametrize("name", DELIVERY)
def test_a_flawed_runbooks_gaps_are_findings_with_measured_costs(name: str) -> None:
    scenario = load_scenario(name)
    sections = complete_sections(scenario)
    sections["stop_rules"] = ["bounced_emails >= 1"]
    sections["pause"] = [{"pause_job": scenario.automation.name}]
    del sections["deliveries"]
    del sections["restart"]["cause"]
    report = run_drill(scenario, Runbook.model_validate(sections))
    codes = {f.code for f in report.findings}
    assert {"pause-job-only", "restart-without-cause"} <= codes
    # Every one of them: also where the restart's test record passed, the job came back
    # with its fault and the watch's re-pause shut the feeders (lost events, seed 3131).
    assert "feeder-left-running" in codes
    assert codes & {"stop-rule-never-fires", "detected-by-complaint", "never-detected"}
    assert report.outcome.records_damaged > 0
    assert report.outcome.records_left_wrong > 0
    unmeasured = sorted(f.code for f in report.findings
                        if f.cost is None and f.code not in OUTCOMES)
    assert unmeasured == []
    cause = next(f for f in report.findings if f.code == "restart-without-cause")
    assert cause.cost is not None
    assert cause.cost.records_left_wrong > 0


GUARDED = {"order-paid-webhook-redelivered": {"dedupe": "event_id"},
           "dispatch-events-out-of-order": {"latest_per_record": True}}


@pytest.mark.parametrize("name", sorted(GUARDED))
def test_the_intake_guard_answers_the_fault_without_the_cause(name: str) -> None:
    """Without the cause, the job's guard alone decides: each event once (or the latest
    per record) restarts the job healthy and gives the review and repair right values."""
    scenario = load_scenario(name)
    outcomes = {}
    for guard in (None, GUARDED[name]):
        sections = complete_sections(scenario)
        del sections["restart"]["cause"]
        del sections["deliveries"]
        if guard is not None:
            sections["deliveries"] = guard
        report = run_drill(scenario, Runbook.model_validate(sections), costs=False)
        outcomes[guard is not None] = report
    without, with_guard = outcomes[False], outcomes[True]
    assert without.outcome.records_left_wrong > 20
    assert with_guard.outcome.records_left_wrong == 0
    assert with_guard.outcome.records_damaged == without.outcome.records_damaged
    guards = [s for s in with_guard.steps if s.action in ("dedupe", "latest_per_record")]
    assert len(guards) == 1
    assert guards[0].outcome.endswith("the fault bends nothing now")
    assert "restarted-with-fault" not in {f.code for f in with_guard.findings}
