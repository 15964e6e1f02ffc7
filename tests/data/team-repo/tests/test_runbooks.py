"""Acme's runbooks drilled in the test suite, beside the tests of the code they name.

One drill per runbook, shared by the tests that read it (``drill_result`` runs it once
for the session); a pull request that adds a webhook without the step that turns it
off fails here with the finding that names the step.
"""

from __future__ import annotations

import pytest

from drills.fixtures import DrillResult, RunDrill
from drills.reports.model import DrillReport


@pytest.fixture(scope="module")
def storm(drill_result: DrillResult) -> DrillReport:
    return drill_result("scenarios/invoice-storm.yaml", "runbooks/invoice-reminder.runbook.yaml")


@pytest.fixture(scope="module")
def retries(drill_result: DrillResult) -> DrillReport:
    return drill_result("scenarios/welcome-retry.yaml", "runbooks/welcome-email.runbook.yaml")


def test_the_invoice_storm_is_contained(storm: DrillReport) -> None:
    assert storm.outcome.contained


def test_no_invoice_left_wrong(storm: DrillReport) -> None:
    assert storm.outcome.records_left_wrong == 0


def test_no_critical_or_high_gap_in_the_reminder_runbook(storm: DrillReport) -> None:
    assert [f.code for f in storm.findings if f.severity in ("critical", "high")] == []


def test_the_welcome_retries_are_stopped(retries: DrillReport) -> None:
    assert retries.outcome.contained
    assert not retries.critical


@pytest.mark.drills(scenario="scenarios/invoice-storm.yaml",
                    runbook="runbooks/invoice-reminder.runbook.yaml", seed=7)
def test_another_seed_is_contained_by_our_pause_script(run_drill: RunDrill) -> None:
    report = run_drill()  # the runbook's call: step imports acme_billing.ops itself
    assert report.seed == 7
    assert report.outcome.contained
    assert any(s.outcome.startswith("reminder rule paused") for s in report.steps)
