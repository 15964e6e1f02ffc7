"""The real incident beside its drill: the drill's curve counted from the ground truth.

A real drill of ``tests/data/incident/invoice-reminder-incident.yaml`` (the library's
invoice-triple-trigger with an ``incident:`` section) through the Python API: the
curves must add up to the damage the judge measured, minute by minute as the engine's
own timeline saw it, on SQLite and PostgreSQL, and the same after a journal rebuild.
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from drills.api import report_from_journal, run_drill
from drills.journal import JournalSpec, read_journal
from drills.judging.incident import drill_curves
from drills.reports.model import DrillReport, IncidentComparison
from drills.runbook import Runbook, load_runbook
from drills.scenarios.loader import load_scenario
from drills.scenarios.schema import Scenario
from drills.scenarios.truth import Damage, DamageKind
from tests.conftest import BACKENDS

REPO = Path(__file__).resolve().parents[2]
INCIDENT = REPO / "tests" / "data" / "incident" / "invoice-reminder-incident.yaml"
RUNBOOKS = REPO / "tests" / "data" / "runbooks"
GOOD = RUNBOOKS / "invoice-reminder.runbook.yaml"
FLAWED = RUNBOOKS / "invoice-reminder.flawed.runbook.yaml"
T0 = datetime(2026, 3, 2, 9, 10)


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return load_scenario(INCIDENT)


@pytest.fixture(scope="module")
def good() -> Runbook:
    return load_runbook(GOOD)


@pytest.fixture(scope="module")
def journaled(
    tmp_path_factory: pytest.TempPathFactory, scenario: Scenario, good: Runbook
) -> tuple[Path, DrillReport]:
    """The good runbook on the incident scenario, journaled."""
    path = tmp_path_factory.mktemp("incident") / "drill.journal.jsonl"
    report = run_drill(scenario, good, costs=False, runbook_path=GOOD,
                       journal=JournalSpec(path, source=str(INCIDENT)))
    return path, report


def env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO), "PYTHONWARNINGS": "error", "COLUMNS": "100"}


def comparison(report: DrillReport) -> IncidentComparison:
    assert report.incident is not None
    return report.incident


def _damage(table: str, at: datetime, key: int = 1) -> Damage:
    return Damage(table, key, "status", DamageKind.VALUE, "x", "y", at)


# -- counting ---------------------------------------------------------------------------


def test_minute_buckets_are_half_open_from_the_origin() -> None:
    entries = [
        _damage("crm.contacts", T0),
        _damage("crm.contacts", T0 + timedelta(seconds=59.999), 2),
        _damage("crm.contacts", T0 + timedelta(minutes=1), 3),
        _damage("crm.contacts", T0 - timedelta(seconds=30), 4),  # before the origin: minute 0
        _damage("crm.deals", T0 + timedelta(minutes=3, seconds=1)),  # same system, a gap
        _damage("billing.invoices", T0 + timedelta(minutes=2)),
    ]
    assert drill_curves(entries, T0) == {"billing": [0, 0, 1], "crm": [3, 1, 0, 1]}
    assert drill_curves([], T0) == {}


def test_the_curves_add_up_to_the_damage_the_judge_measured(
    journaled: tuple[Path, DrillReport],
) -> None:
    report = journaled[1]
    c = comparison(report)
    drill = {curve.system: curve.drill for curve in c.curves}
    # triple_trigger damages by extra records: one truth entry per record, so the curves
    # add up to the records damaged, system by system
    assert {s: sum(v) for s, v in drill.items()} == {
        s.system: s.damaged for s in report.systems if s.damaged}
    assert sum(map(sum, drill.values())) == report.outcome.records_damaged == 134
    assert drill["billing"] == [2, 8, 8, 8, 8, 8, 8]
    assert c.drill_started == report.times.run_started == T0


def test_the_source_systems_curves_are_the_engines_timeline(
    journaled: tuple[Path, DrillReport],
) -> None:
    """The engine samples damage so far at each tick: the running sum of the curve at
    minute k is its count at minute k (the run's own systems; a copy carries the minute
    of the write it copied, and the timeline the minute it landed)."""
    report = journaled[1]
    c = comparison(report)
    assert report.started == c.drill_started  # the timeline's minutes count from here too
    for curve in c.curves:
        if curve.system == "warehouse":
            continue
        running = list(itertools.accumulate(curve.drill))
        for minute, so_far in enumerate(running):
            at_minute = [p for p in report.timeline if p.minute == minute]
            assert at_minute, minute
            assert at_minute[-1].by_system[curve.system] == so_far, (curve.system, minute)


def test_the_incident_side_and_the_times_come_from_the_scenario(
    journaled: tuple[Path, DrillReport], scenario: Scenario,
) -> None:
    report = journaled[1]
    c = comparison(report)
    incident = scenario.incident
    assert incident is not None
    assert [(curve.system, curve.incident) for curve in c.curves] == [
        ("billing", incident.changes_per_minute["billing"]),
        ("email", incident.changes_per_minute["email"]),
        ("warehouse", None),  # a copy the export never saw
    ]
    assert (c.source, c.actor, c.reading, c.started) == (
        incident.source, incident.actor, incident.reading, incident.started)
    assert c.stopped_after == 16.0
    assert c.contained_after == report.outcome.minutes_to_contain == 6.0
    assert (c.incident_total, c.drill_total, c.drill_elsewhere) == (240, 84, 50)


def test_a_drill_never_contained_says_so(scenario: Scenario) -> None:
    report = run_drill(scenario, load_runbook(FLAWED), costs=False)
    c = comparison(report)
    assert c.contained_after is None
    assert not report.outcome.contained
    assert c.drill_total == sum(s.damaged for s in report.systems if s.system != "warehouse")


@pytest.mark.parametrize("kind", BACKENDS)
def test_the_comparison_is_the_same_on_every_backend(
    kind: str, request: pytest.FixtureRequest, scenario: Scenario, good: Runbook,
    journaled: tuple[Path, DrillReport],
) -> None:
    backend = "sqlite" if kind == "sqlite" else request.getfixturevalue("pg_url")
    report = run_drill(scenario, good, costs=False, backend=backend)
    assert report.incident == journaled[1].incident


def test_a_scenario_without_incident_has_no_comparison(good: Runbook) -> None:
    report = run_drill(load_scenario("invoice-triple-trigger"), good, costs=False)
    assert report.incident is None
    assert "incident" not in json.loads(report.model_dump_json())


# -- journals -----------------------------------------------------------------------------


def test_the_journals_report_shows_the_comparison(journaled: tuple[Path, DrillReport]) -> None:
    path, report = journaled
    assert read_journal(path).header.scenario.text == INCIDENT.read_text(encoding="utf-8")
    assert report_from_journal(path).incident == report.incident


def test_a_rebuilt_report_shows_the_same_comparison(
    journaled: tuple[Path, DrillReport], tmp_path: Path
) -> None:
    """Killed after its end, before the report line: the replay rebuilds it whole."""
    source, report = journaled
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    path = tmp_path / "cut.jsonl"
    path.write_text("".join(lines[:-1]), encoding="utf-8")
    journal = read_journal(path)
    assert journal.report is None
    rebuilt = report_from_journal(journal)
    assert rebuilt.status == "finished"
    assert rebuilt.incident == report.incident


def test_a_drill_rebuilt_midway_compares_what_happened_so_far(
    journaled: tuple[Path, DrillReport], tmp_path: Path
) -> None:
    source, report = journaled
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    # cut after the first journaled moment past minute 3: damage so far, not yet contained
    cut = next(i for i, line in enumerate(lines[1:], 1)
               if json.loads(line).get("at", "") >= (T0 + timedelta(minutes=3)).isoformat())
    path = tmp_path / "midway.jsonl"
    path.write_text("".join(lines[:cut]), encoding="utf-8")
    rebuilt = report_from_journal(path)
    assert rebuilt.interrupted
    c, final = comparison(rebuilt), comparison(report)
    assert c.contained_after is None
    assert c.incident_total == final.incident_total
    billing = next(curve.drill for curve in c.curves if curve.system == "billing")
    assert billing == [2, 8, 8]  # minutes 0-2 whole; minute 3 not reached
    assert sum(billing) == next(s.damaged for s in rebuilt.systems if s.system == "billing")


@pytest.mark.slow
def test_drills_report_prints_the_comparison_of_a_journal(
    journaled: tuple[Path, DrillReport],
) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "drills", "report", str(journaled[0])], cwd=REPO,
        env=env(),
        capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stderr
    assert "Real incident vs this drill" in run.stdout
    assert "10 min sooner: 156 fewer changes" in " ".join(run.stdout.split())


# -- bad input --------------------------------------------------------------------------


def test_an_incident_system_the_world_lacks_is_one_line(tmp_path: Path) -> None:
    text = INCIDENT.read_text(encoding="utf-8").replace("    billing: [2", "    biling: [2")
    path = tmp_path / "typo.yaml"
    path.write_text(text, encoding="utf-8")
    line = text.splitlines().index(next(x for x in text.splitlines() if "biling:" in x)) + 1
    run = subprocess.run([sys.executable, "-m", "drills", "validate", str(path)], cwd=REPO,
                         env=env(),
                         capture_output=True, text=True, timeout=120, check=False)
    assert (run.returncode, run.stderr) == (2, "")
    assert run.stdout == (
        f"{path}:{line}:5: 'biling' is not a system of this world "
        "(incident.changes_per_minute.biling); name one of billing, crm, email, shop, support, "
        "warehouse; did you mean 'billing'?\n")
