"""Every finding can be closed (issue 21, item 6): the perfect runbook - the complete one
for each scenario, ``complete_sections(scenario)`` - on every built-in scenario and
every seed 1-20 gets no finding of severity medium or above, and its JUnit has no
failing case. A finding that fires for every runbook (``edits-before-snapshot`` once
did, the good example included) is a bug in the simulation or the rule, not a finding.

Each scenario is one test case (xdist spreads them over the workers); gap costs are
off, since only the finding list is asserted. ``scripts/fairness.py`` prints the same
sweep by hand.
"""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from drills.api import run_drill
from drills.reports.findings import Severity
from drills.reports.junit import render_junit
from drills.reports.model import DrillReport
from drills.runbook import load_runbook
from drills.runbook.complete import complete_runbook, complete_sections
from drills.scenarios.loader import builtin_names, load_scenario

pytestmark = pytest.mark.slow

SEEDS = range(1, 21)
SERIOUS = {Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM}
ROOT = Path(__file__).resolve().parents[2]


def junit_failures(xml: str) -> list[str]:
    """The names of the failing cases in a JUnit document (its counts checked too)."""
    root = ET.fromstring(xml)
    failing = [case.get("name", "") for case in root.iter("testcase")
               if case.find("failure") is not None or case.find("error") is not None]
    assert int(root.get("failures", "0")) == len(failing)
    return failing


def assert_closed(report: DrillReport) -> None:
    """What the perfect response leaves: nothing of medium or above, a green JUnit."""
    where = (report.scenario.name, report.seed)
    serious = sorted(f"{f.code} ({f.severity.value}): {f.message}" for f in report.findings
                     if f.severity in SERIOUS)
    assert serious == [], where
    assert junit_failures(render_junit(report)) == [], where
    assert "edits-before-snapshot" not in {f.code for f in report.findings}, where
    assert not report.outcome.restarted or report.restart_checklist[2].done, where


@pytest.mark.parametrize("name", builtin_names())
def test_the_perfect_runbook_leaves_no_finding_to_close(name: str) -> None:
    base = load_scenario(name)
    for seed in SEEDS:
        scenario = base.model_copy(update={"seed": seed})
        report = run_drill(scenario, complete_runbook(scenario), costs=False)
        assert_closed(report)


def test_the_good_example_gets_no_edits_before_snapshot_on_any_seed() -> None:
    base = load_scenario("invoice-triple-trigger")
    runbook = load_runbook(ROOT / "examples" / "invoice-reminder.runbook.yaml")
    for seed in SEEDS:
        report = run_drill(base.model_copy(update={"seed": seed}), runbook, costs=False)
        codes = {f.code for f in report.findings}
        assert "edits-before-snapshot" not in codes, seed
        assert junit_failures(render_junit(report)) == [], (seed, codes)


def test_the_perfect_runbooks_junit_from_the_cli_has_no_failing_case(tmp_path: Path) -> None:
    scenario = load_scenario("renewal-notices-without-review")
    runbook = tmp_path / "perfect.runbook.yaml"
    runbook.write_text(yaml.safe_dump(complete_sections(scenario), sort_keys=False))
    out = tmp_path / "out"
    done = subprocess.run(
        [sys.executable, "-m", "drills", "run", scenario.name, "--runbook", str(runbook),
         "--no-costs", "--out", str(out), "--format", "junit"],
        capture_output=True, text=True, cwd=ROOT, timeout=300, check=False,
        env={**os.environ, "PYTHONPATH": str(ROOT), "PYTHONWARNINGS": "error"})
    assert done.returncode == 0, done.stderr
    [junit] = out.glob("*.junit.xml")
    assert junit_failures(junit.read_text()) == []
