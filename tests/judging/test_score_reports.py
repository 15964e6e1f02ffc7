"""The score as every report shows it: interrupted drills, old reports, the no-repair sweep."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import yaml

from drills.judging import build_report, drill_findings, evaluate
from drills.reports import render_console_text, render_html, render_junit, render_markdown
from drills.reports.findings import Check
from drills.reports.jsonout import parse_report, render_json
from drills.reports.model import DrillReport, Score, ScoreItem
from drills.responders.scripted import Drill
from drills.runbook import Runbook
from drills.runbook.complete import complete_sections
from drills.scenarios.loader import builtin_names, load_scenario

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def interrupted() -> DrillReport:
    scenario = load_scenario("invoice-triple-trigger")
    sections = yaml.safe_load((ROOT / "examples" / "invoice-reminder.runbook.yaml")
                              .read_text(encoding="utf-8"))
    result = Drill(scenario, Runbook.model_validate(sections)).run(
        until=scenario.starts + timedelta(minutes=12))
    assert result.interrupted
    ev = evaluate(result)
    return build_report(result, drill_findings(result, ev), ev)


@pytest.mark.slow
def test_an_interrupted_drill_reports_no_score(interrupted: DrillReport) -> None:
    s = interrupted.score
    assert s.total is None
    assert s.status == "interrupted"
    assert s.verdict is not None
    assert not s.verdict.ready
    assert s.gates == []  # the end-of-drill outcomes were not reached
    assert s.interrupted_minute == 12
    assert s.harm  # what was done so far: the harm up to the interruption
    assert all(line.nothing is None and line.perfect is None for line in s.harm)
    assert "no score" in interrupted.headline()
    assert "minute 12" in interrupted.headline()
    assert "/100" not in interrupted.headline()


@pytest.mark.slow
def test_every_format_says_no_score_and_what_was_done(interrupted: DrillReport) -> None:
    said = "No score: the drill was interrupted at minute 12"
    assert said in render_console_text(interrupted)
    assert f"## {said}" in render_markdown(interrupted)
    assert said in render_html(interrupted)
    assert "this is what was done so far" in render_markdown(interrupted)
    junit = render_junit(interrupted)
    assert '<property name="score" value="" />' in junit
    assert '<property name="score_status" value="interrupted" />' in junit
    data = json.loads(render_json(interrupted))
    assert data["score"]["total"] is None
    assert parse_report(render_json(interrupted)) == interrupted


@pytest.mark.slow
def test_a_report_from_before_the_harm_score_still_loads_and_renders(
    interrupted: DrillReport,
) -> None:
    old = Score(total=82, items=[ScoreItem(check=c, points=10, max_points=10)
                                 for c in list(Check)[:8]])
    report = interrupted.model_copy(update={"score": old, "status": "finished",
                                            "interrupted_at": None})
    data = json.loads(render_json(report))
    for key in ("harm", "deductions", "gates", "verdict", "run_points"):
        data["score"].pop(key, None)
    back = parse_report(json.dumps(data))
    assert back.score.items == old.items
    assert "completeness" in render_console_text(back)
    assert "| completeness | 10/10 |" in render_markdown(back)


NOTHING_TO_REPAIR = {"card-payments-arrive-late"}
"""Built-in scenarios whose complete runbook pauses before any harm is done, so a runbook
without repair leaves nothing wrong either (the held card events are caught by the
sender/receiver drift before their burst lands): known, to be reworked so the burst
lands before a team can see the drift."""


@pytest.mark.slow
def test_no_repair_step_fails_drills_check_on_every_built_in_scenario(tmp_path: Path) -> None:
    """A complete runbook less its repair fails ``--fail-under 80`` everywhere: by its
    score, or by a gate (records left wrong in money or customer-message systems)."""
    paths = []
    names = [n for n in builtin_names() if n not in NOTHING_TO_REPAIR]
    for name in names:
        sections = complete_sections(load_scenario(name))
        del sections["repair"]
        path = tmp_path / f"{name}.runbook.yaml"
        path.write_text(yaml.safe_dump(sections, sort_keys=False), encoding="utf-8")
        paths.append(str(path))
    done = subprocess.run(
        [sys.executable, "-m", "drills", "check", *paths, "--fail-under", "80", "--no-costs",
         "--format", "json"],
        cwd=tmp_path, capture_output=True, text=True, timeout=1200, check=False)
    assert done.returncode == 1, done.stderr
    result = json.loads(done.stdout)
    assert len(result["runbooks"]) == len(names)
    for runbook in result["runbooks"]:
        assert runbook["verdict"] == "failed", runbook["file"]


@pytest.mark.slow
def test_reruns_are_kept_on_disk_only_where_the_cache_is_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from drills.judging import costs
    from drills.judging.rerun_cache import CACHE_ENV

    scenario = load_scenario("newsletter-reaches-churned")
    monkeypatch.setattr(costs, "_SHARED", {})
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    first = costs.Reruns(scenario).get(None)
    files = list((tmp_path / "cache").glob("rerun-*.json"))
    assert len(files) == 1
    monkeypatch.setattr(costs, "_SHARED", {})
    assert costs.Reruns(scenario).get(None) == first  # read back, not run again
    other = scenario.model_copy(update={"seed": scenario.seed + 1})
    costs.Reruns(other).get(None)
    assert len(list((tmp_path / "cache").glob("rerun-*.json"))) == 2  # another seed, another key
    monkeypatch.delenv(CACHE_ENV)
    monkeypatch.setattr(costs, "_SHARED", {})
    costs.Reruns(scenario).get(None)
    assert len(list((tmp_path / "cache").glob("rerun-*.json"))) == 2


@pytest.mark.slow
def test_drills_check_fails_on_a_gate_whatever_fail_under_says(tmp_path: Path) -> None:
    sections = complete_sections(load_scenario("invoice-triple-trigger"))
    del sections["repair"]
    path = tmp_path / "no-repair.runbook.yaml"
    path.write_text(yaml.safe_dump(sections, sort_keys=False), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "drills", "check", str(path), "--no-costs", "--fail-under", "0",
         "--junit", str(tmp_path / "junit.xml")],
        cwd=tmp_path, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "gate left-wrong-money-or-messages in invoice-triple-trigger" in done.stdout
    junit = (tmp_path / "junit.xml").read_text(encoding="utf-8")
    assert (f'classname="drills.gate" name="gate left-wrong-money-or-messages: {path} in '
            'invoice-triple-trigger"') in junit
