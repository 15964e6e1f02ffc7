"""Work takes the time it takes: a scripted drill never runs a step faster than its minimum.

The shared example drilled with ``takes: 0s`` on every step used to contain and repair in
no time; now each step runs at least the modelled minimum for its size, and the drill says
which written times it raised. A runbook whose times are already above the minimums runs
exactly as before. Every test that runs a drill is marked slow (a drill takes a second
or two); the table's own tests are fast.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

import drills.runbook.durations as durations
from drills.engine.loop import DrillResult
from drills.judging import build_report, drill_findings, evaluate
from drills.levers.repair import RepairStage
from drills.reports.findings import Check, Finding, Severity
from drills.reports.model import DrillReport, PhaseName
from drills.responders.scripted import MANUAL_RATE, Drill
from drills.runbook import DEFAULT_TAKES, Runbook, load_runbook
from drills.runbook.durations import MINIMUMS, modelled, repair_minimum
from drills.scenarios.loader import load_scenario
from drills.scenarios.scaling import scale_scenario
from drills.scenarios.schema import Scenario

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "tests" / "data" / "examples"
RUNBOOK = EXAMPLES / "invoice-reminder.runbook.yaml"
SCENARIO = EXAMPLES / "invoice-triple-trigger.scenario.yaml"
DOC = REPO / "docs" / "durations.md"

STEPS = ("snapshot", "scope", "repair", "verify", "restart")
"""The runbook sections with a ``takes`` of their own (pause steps have one each)."""

RAISED_STEPS = (
    ("pause_job invoice-reminder", "pause[0].takes"),
    ("stop_queue email.outbox", "pause[1].takes"),
    ("disable_feeder billing.invoice-updated", "pause[2].takes"),
    ("disable_feeder activity-logger", "pause[3].takes"),
    ("export billing, email, warehouse", "snapshot.takes"),
    ("scope billing, email, warehouse", "scope.takes"),
    ("repair (script)", "repair.takes"),
    ("reconcile billing, email, warehouse", "verify.takes"),
    ("restart invoice-reminder", "restart.takes"),
)
"""Every step of the all-zero runbook, as the finding names it and where its time is."""

BEFORE_ZERO = {"detected": 1.0, "contained": 1.0, "repaired": 1.0}
"""The all-zero runbook's phase minutes before step times were modelled: contained and
repaired in the minute it was detected."""

BEFORE_GOOD_PHASES = {
    "run_started": 0.0, "detected": 1.0, "paused": 3.0, "contained": 6.0, "snapshot": 11.0,
    "first_note": 16.0, "scoped": 26.0, "repaired": 56.0, "verified": 66.0, "restarted": 81.0,
}
"""The example runbook's phase minutes before step times were modelled (its times are all
above the minimums, so they must not move)."""

BEFORE_GOOD_STEPS = [2.0, 1.0, 1.0, 1.0, 5.0, 15.0, 7.5, 7.5, 7.5, 7.5, 10.0, 15.0]
"""... and the minutes of each of its steps, in order."""


def _zero_sections() -> dict[str, Any]:
    sections: dict[str, Any] = yaml.safe_load(RUNBOOK.read_text(encoding="utf-8"))
    for step in sections["pause"]:
        step["takes"] = "0s"
    for key in STEPS:
        sections[key]["takes"] = "0s"
    return sections


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return load_scenario(SCENARIO)


@pytest.fixture(scope="module")
def zero_runbook(tmp_path_factory: pytest.TempPathFactory) -> Runbook:
    """The shared example runbook with ``takes: 0s`` on every step, through the real loader."""
    path = tmp_path_factory.mktemp("zero") / "invoice-reminder.zero.runbook.yaml"
    path.write_text(yaml.safe_dump(_zero_sections(), sort_keys=False), encoding="utf-8")
    return load_runbook(path)


def judged(scenario: Scenario, runbook: Runbook) -> tuple[DrillResult, DrillReport]:
    result = Drill(scenario, runbook).run()
    ev = evaluate(result)
    return result, build_report(result, drill_findings(result, ev), ev)


@pytest.fixture(scope="module")
def zero(scenario: Scenario, zero_runbook: Runbook) -> tuple[DrillResult, DrillReport]:
    return judged(scenario, zero_runbook)


def minute(report: DrillReport, name: str) -> float:
    phase = next(p for p in report.phases if p.name == PhaseName(name))
    assert phase.minute is not None, name
    return phase.minute


def since(report: DrillReport, start: str, end: str) -> timedelta:
    return timedelta(minutes=minute(report, end) - minute(report, start))


def the_finding(report: DrillReport) -> Finding:
    found = [f for f in report.findings if f.code == "takes-below-minimum"]
    assert len(found) == 1, [f.code for f in report.findings]
    return found[0]


# -- the table -------------------------------------------------------------------------------


def test_docs_durations_md_carries_the_table_and_the_module_gives_each_reason() -> None:
    text = DOC.read_text(encoding="utf-8")
    current = text[text.index(durations.DOC_START):text.index(durations.DOC_END)
                   + len(durations.DOC_END)]
    assert current == durations.markdown_table(), (
        "docs/durations.md is stale: paste the output of "
        "'python -m drills.runbook.durations' between its markers")
    doc = " ".join((durations.__doc__ or "").split())
    for row in MINIMUMS.values():
        assert f"``{row.action}``" in doc, row.action
        assert row.why in doc, f"the module docstring does not give the reason for {row.action}"


def test_the_minimum_grows_with_size() -> None:
    for strategy in ("manual", "script", "bulk_revert"):
        small = repair_minimum(strategy, 20, 20)
        large = repair_minimum(strategy, 2000, 20)
        assert large.time > small.time, strategy
    assert repair_minimum("manual", 2000, 20).time >= timedelta(minutes=2000 / MANUAL_RATE)
    assert repair_minimum("script", 20, 20).time >= MINIMUMS["repair.script"].fixed
    assert modelled("snapshot", 3, 200_000).time > modelled("snapshot", 3, 2_000).time
    assert modelled("snapshot", 3, 2_000).time > modelled("snapshot", 1, 2_000).time
    assert modelled("scope", 3, 5_000).time > modelled("scope", 3, 50).time
    assert modelled("verify", 4).time > modelled("verify", 2).time
    assert modelled("restart", 2).time > modelled("restart", 0).time
    assert repair_minimum("script", 200, 20).time > repair_minimum("script", 200, 0).time


def test_the_manual_rate_is_the_tables() -> None:
    assert MANUAL_RATE == 2.0
    assert repair_minimum("manual", 120, 0) == durations.Modelled(
        timedelta(minutes=60), "120 records repaired")


# -- the all-zero runbook ------------------------------------------------------------------


@pytest.mark.slow
def test_zero_takes_contain_no_faster_than_the_pause_minimums(
    zero: tuple[DrillResult, DrillReport],
) -> None:
    result, report = zero
    pauses = timedelta(0)
    for step in result.steps:
        if step.section == "pause":
            assert step.finished - step.started >= MINIMUMS[step.action].time(), step
            pauses += MINIMUMS[step.action].time()
    assert pauses == timedelta(minutes=4)
    to_contain = since(report, "detected", "contained")
    assert to_contain >= pauses
    before = timedelta(minutes=BEFORE_ZERO["contained"] - BEFORE_ZERO["detected"])
    assert to_contain > before


@pytest.mark.slow
def test_zero_takes_repair_no_faster_than_the_modelled_minimums(
    zero: tuple[DrillResult, DrillReport],
) -> None:
    result, report = zero
    by_section = {o.section: o for o in result.outcomes}
    snapshot_rows = sum(by_section["snapshot"].data.row_counts.values())
    repaired = sum(o.data.records for o in result.outcomes
                   if o.section == "repair" and isinstance(o.data, RepairStage))
    assert repaired > 20
    floor = (
        4 * MINIMUMS["pause_job"].time()
        + modelled("snapshot", 3, snapshot_rows).time
        + modelled("scope", 3, 0).time
        + repair_minimum("script", repaired, 20).time
    )
    to_repair = since(report, "detected", "repaired")
    assert to_repair >= floor
    assert to_repair > timedelta(minutes=BEFORE_ZERO["repaired"] - BEFORE_ZERO["detected"])
    for step in result.steps:
        if step.section in ("verify", "restart"):
            assert step.finished - step.started >= timedelta(minutes=9 if step.section ==
                                                             "verify" else 12), step


@pytest.mark.slow
def test_zero_takes_get_a_finding_naming_each_raised_step(
    zero: tuple[DrillResult, DrillReport],
) -> None:
    result, report = zero
    found = the_finding(report)
    assert (found.severity, found.check) == (Severity.LOW, Check.COMPLETENESS)
    assert found.message.startswith(f"{len(RAISED_STEPS)} step time(s) in the runbook are "
                                    "below what the work takes")
    for step, path in RAISED_STEPS:
        assert f"{step} 0s < " in found.message, step
        assert path in found.fix, path
    assert [(r.step, r.path) for r in result.raised] == list(RAISED_STEPS)
    assert all(r.written == timedelta(0) for r in result.raised)
    assert "docs/durations.md" in found.fix


@pytest.mark.slow
def test_zero_takes_replay_the_same(
    scenario: Scenario, zero_runbook: Runbook, zero: tuple[DrillResult, DrillReport],
) -> None:
    again, report = judged(scenario, zero_runbook)
    first = zero[0]
    assert [s.model_dump() for s in again.steps] == [s.model_dump() for s in first.steps]
    assert again.raised == first.raised
    assert the_finding(report) == the_finding(zero[1])


# -- a runbook above the minimums --------------------------------------------------------


@pytest.mark.slow
def test_a_runbook_above_the_minimums_runs_exactly_as_before(scenario: Scenario) -> None:
    result, report = judged(scenario, load_runbook(RUNBOOK))
    assert result.raised == []
    assert "takes-below-minimum" not in {f.code for f in report.findings}
    assert {p.name.value: p.minute for p in report.phases} == BEFORE_GOOD_PHASES
    assert [s.minutes for s in result.steps] == BEFORE_GOOD_STEPS
    assert report.outcome.records_damaged == 134  # the feeders holding their work (item 3)


@pytest.mark.slow
def test_a_first_note_sooner_than_a_note_can_be_written_is_raised(
    scenario: Scenario, tmp_path: Path,
) -> None:
    sections = yaml.safe_load(RUNBOOK.read_text(encoding="utf-8"))
    sections["comms"]["first_note_within"] = "1m"
    path = tmp_path / "quick-note.runbook.yaml"
    path.write_text(yaml.safe_dump(sections, sort_keys=False), encoding="utf-8")
    result, report = judged(scenario, load_runbook(path))
    detected = result.detection
    assert detected is not None
    assert result.notes[0] - detected.at == MINIMUMS["comms"].time()
    assert [(r.step, r.path) for r in result.raised] == [
        ("first note", "comms.first_note_within")]
    assert "first note 1m < 5m" in the_finding(report).message


@pytest.mark.slow
def test_a_default_below_the_minimum_is_raised_without_a_finding(scenario: Scenario) -> None:
    """The team wrote no time, so nothing it wrote is wrong; the step still takes its
    minimum (the snapshot's default 10 minutes is raised for a world 20 times larger)."""
    sections = yaml.safe_load(RUNBOOK.read_text(encoding="utf-8"))
    del sections["snapshot"]["takes"]
    result, report = judged(scale_scenario(scenario, 20), Runbook.model_validate(sections))
    snapshot = next(o for o in result.outcomes if o.section == "snapshot")
    rows = sum(snapshot.data.row_counts.values())
    step = next(s for s in result.steps if s.section == "snapshot")
    took = step.finished - step.started
    assert took > DEFAULT_TAKES["snapshot"]
    # Sized when the step starts; a few records may arrive while the export runs.
    assert modelled("snapshot", 3, rows - 50).time <= took <= modelled("snapshot", 3, rows).time
    assert result.raised == []
    assert "takes-below-minimum" not in {f.code for f in report.findings}
