"""Scripted drills of the shared example: the good runbook recovers, the flawed one pays.

These run the real engine on a real SQLite world and on a real PostgreSQL schema
(``drill_backend``); every number is measured against the run's ground truth, so the
assertions are about outcomes, not about internals.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from drills.api import run_drill
from drills.engine.loop import DrillResult
from drills.fakes import ManualClock, SqlStore, open_backend
from drills.reports.model import DrillReport, PhaseName
from drills.responders.scripted import Drill
from drills.runbook import Runbook
from drills.runbook.complete import complete_runbook
from drills.scenarios.loader import builtin_names, load_scenario
from drills.scenarios.schema import Scenario
from tests.conftest import ExampleReports
from tests.scenarios.test_badrun import shrink


@pytest.fixture(scope="module")
def good(example_reports: ExampleReports, drill_backend: str) -> DrillReport:
    return example_reports.get(drill_backend, "good", costs=False)


@pytest.fixture(scope="module")
def flawed(example_reports: ExampleReports, drill_backend: str) -> DrillReport:
    return example_reports.get(drill_backend, "flawed", costs=True)


def drill(scenario: Scenario, runbook: Runbook, backend: str) -> DrillResult:
    """Run the engine itself on a fresh database of ``backend``; closed afterwards."""
    store = SqlStore(open_backend(backend), ManualClock(scenario.starts))
    try:
        return Drill(scenario, runbook, store=store).run()
    finally:
        store.close()


def test_good_runbook_recovers_completely(good: DrillReport) -> None:
    o = good.outcome
    assert o.records_damaged > 0
    assert o.records_left_wrong == 0
    assert o.human_edits_overwritten == 0
    assert o.duplicates_left == 0
    assert o.contained
    assert o.restarted
    assert not good.critical
    assert all(s.left_wrong == 0 for s in good.systems)
    assert all(s.recall == 1.0 for s in good.systems)


def test_good_runbook_stops_every_feeder(
    example: Scenario, good_runbook: Runbook, drill_backend: str
) -> None:
    result = drill(example, good_runbook, drill_backend)
    assert result.runtime.contained_at is not None
    assert all(f.stopped_at is not None for f in result.runtime.feeders.values())
    assert result.runtime.fixed


def test_good_runbook_phases_come_in_order(good: DrillReport) -> None:
    order = [
        PhaseName.RUN_STARTED, PhaseName.DETECTED, PhaseName.PAUSED, PhaseName.CONTAINED,
        PhaseName.SNAPSHOT, PhaseName.SCOPED, PhaseName.REPAIRED, PhaseName.VERIFIED,
        PhaseName.RESTARTED,
    ]
    times = [good.phase(p).at for p in order]  # type: ignore[union-attr]
    assert None not in times
    assert times == sorted(times)  # type: ignore[type-var]
    detected = good.phase(PhaseName.DETECTED)
    assert detected is not None
    assert "duplicate_messages >= 5" in detected.how
    assert good.times.paused is not None
    assert good.times.last_changed_data is not None


FLAWED_GAPS = {
    "owner-is-team",
    "missing-backup-owner",
    "uncheckable-stop-rule",
    "queue-left-running",
    "feeder-left-running",
    "pause-job-only",
    "no-snapshot",
    "no-clean-export",
    "system-never-scoped",
    "repair-without-sample",
    "repair-without-stages",
    "repair-without-saved-values",
    "no-verification",
    "no-comms",
    "restart-without-approver",
    "restart-without-test",
    "restart-without-cause",
}


@pytest.mark.slow
def test_flawed_runbook_every_gap_is_a_finding(flawed: DrillReport) -> None:
    codes = {f.code for f in flawed.findings}
    assert codes >= FLAWED_GAPS
    left_running = {f.where for f in flawed.findings if f.code.endswith("-left-running")}
    assert left_running == {"email.outbox", "billing.invoice-updated", "activity-logger"}
    never_scoped = {f.where for f in flawed.findings if f.code == "system-never-scoped"}
    assert never_scoped == {"email", "warehouse"}
    assert flawed.critical
    assert flawed.outcome.records_left_wrong > 0
    assert not flawed.outcome.contained


@pytest.mark.slow
def test_flawed_runbook_gaps_have_measured_costs(flawed: DrillReport) -> None:
    costs = {(f.code, f.where): f.cost for f in flawed.findings if f.cost is not None}
    pause = costs[("pause-job-only", "pause")]
    assert pause is not None
    assert pause.minutes_to_contain > 0
    sample = costs[("repair-without-sample", "repair.sample")]
    assert sample is not None
    assert sample.records_left_wrong > 0
    for system in ("email", "warehouse"):
        scoped = costs[("system-never-scoped", system)]
        assert scoped is not None
        assert scoped.records_left_wrong > 0
    assert sum(1 for c in costs.values() if c is not None and not c.is_zero) >= 8


@pytest.mark.slow
def test_flawed_scores_far_below_good(good: DrillReport, flawed: DrillReport) -> None:
    assert good.score.value >= 95
    assert flawed.score.value <= 20
    assert good.score.ready
    assert not flawed.score.ready
    # every point flawed lost traces to harm it did or to a deduction it was charged
    assert (flawed.score.run_points or 0) > (good.score.run_points or 0)
    for d in flawed.score.deductions:
        assert d.reason.endswith(("point", "points")), d


@pytest.mark.slow
def test_same_seed_same_drill(
    example: Scenario, good_runbook: Runbook, drill_backend: str
) -> None:
    def facts(report: DrillReport) -> dict[str, Any]:
        # wall-clock facts (how long it took, when it ran) differ, and on PostgreSQL each
        # drill has a schema of its own, named in ``backend``; the drill itself must not
        return report.model_dump(mode="json", exclude={"wall_seconds", "ran_at", "backend"})

    assert facts(run_drill(example, good_runbook, costs=False, backend=drill_backend)) == facts(
        run_drill(example, good_runbook, costs=False, backend=drill_backend)
    )


@pytest.mark.slow
def test_escalation_delay_when_nobody_can_pause(
    example: Scenario, good_runbook: Runbook, drill_backend: str
) -> None:
    team = good_runbook.model_copy(
        update={"owner": good_runbook.owner.model_copy(update={"can_pause": False})}
    )
    report = run_drill(example, team, costs=False, backend=drill_backend)
    detected = report.phase(PhaseName.DETECTED)
    paused = report.phase(PhaseName.PAUSED)
    assert detected is not None
    assert paused is not None
    assert detected.at is not None
    assert paused.at is not None
    assert paused.at - detected.at >= example.escalation_delay
    assert "waited-for-escalation" in {f.code for f in report.findings}


@pytest.mark.slow
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # a drill is too slow to shrink
)
@given(name=st.sampled_from(builtin_names()), seed=st.integers(0, 2**31))
# A person's edit made minutes before the end is still within its sync's lag: it lands
# when the drill settles, and is not counted as damage left behind (found by this test).
@example(name="crm-blank-emails", seed=360)
def test_a_complete_runbook_leaves_no_damage(name: str, seed: int, drill_backend: str) -> None:
    scenario = shrink(load_scenario(name), seed, records=150, reach=40)
    report = run_drill(scenario, complete_runbook(scenario), costs=False, backend=drill_backend)
    assert report.outcome.records_left_wrong == 0, report.systems
    assert report.outcome.human_edits_overwritten == 0
    assert report.outcome.contained
