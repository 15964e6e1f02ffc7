"""``drills run``: a real scripted drill through the real CLI, in its own process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).parents[2]
GOOD = "examples/invoice-reminder.runbook.yaml"
FLAWED = "examples/invoice-reminder.flawed.runbook.yaml"


def drills(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONWARNINGS": "error", "COLUMNS": "100"}
    return subprocess.run(
        [sys.executable, "-m", "drills", *args],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False,
    )


def assert_one_line_error(run: subprocess.CompletedProcess[str], message: str) -> None:
    assert run.returncode == 2, run.stderr
    assert run.stdout == ""
    assert run.stderr == f"drills: error: {message}\n"


def test_run_writes_every_format(tmp_path: Path) -> None:
    out = tmp_path / "report"
    run = drills("run", "invoice-triple-trigger", "--runbook", GOOD, "--out", str(out),
                 "--format", "console,md,html,json,junit", "--no-costs")
    assert run.returncode == 0, run.stderr
    assert "invoice-reminder drill: contained in" in run.stdout
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(
        [f"drill-invoice-triple-trigger-1729{ext}"
         for ext in (".txt", ".md", ".html", ".json", ".junit.xml")]
        + ["drill.journal.jsonl"]
    )
    data = json.loads((out / "drill-invoice-triple-trigger-1729.json").read_text())
    assert data["outcome"]["records_left_wrong"] == 0


def test_quiet_prints_the_headline_only() -> None:
    run = drills("run", "invoice-triple-trigger", "--runbook", GOOD, "-q", "--no-costs")
    assert run.returncode == 0
    assert run.stdout.count("\n") == 1
    assert run.stdout.startswith("invoice-reminder drill: contained in")


def test_fail_under_exits_one() -> None:
    run = drills("run", "invoice-triple-trigger", "--runbook", FLAWED, "-q", "--no-costs",
                 "--fail-under", "50")
    assert run.returncode == 1
    assert "never contained" in run.stdout
    assert run.stderr.startswith("drills: score ")


@pytest.mark.slow
def test_seed_changes_the_drill(tmp_path: Path) -> None:
    reports = []
    for seed in ("1729", "7"):
        out = tmp_path / seed
        run = drills("run", "invoice-triple-trigger", "--runbook", GOOD, "-q", "--no-costs",
                     "--seed", seed, "--out", str(out), "--format", "json")
        assert run.returncode == 0, run.stderr
        reports.append(json.loads(next(out.glob("*.json")).read_text()))
    assert [r["seed"] for r in reports] == [1729, 7]
    assert reports[0]["log"] != reports[1]["log"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["invoice-tripple-trigger"],
         "unknown scenario 'invoice-tripple-trigger'; did you mean 'invoice-triple-trigger'?"),
        (["invoice-triple-trigger", "--format", "pdf"],
         "unknown format 'pdf' in --format; choose from console, md, html, json, junit"),
        (["invoice-triple-trigger", "--seed", "-3"],
         "--seed must be 0 to 9,223,372,036,854,775,807, got -3; e.g. --seed 1729"),
        (["order-status-flapping", "--runbook", GOOD],
         f"{GOOD} is the runbook for 'invoice-reminder', but scenario 'order-status-flapping' "
         "drills 'fulfilment-status-sync'; pick the matching pair"),
        (["invoice-triple-trigger", "--out", "README.md"],
         "--out README.md is a file; name a folder for the reports"),
        (["invoice-triple-trigger", "--db", "README.md"],
         "--db README.md exists already; name a new file for the drill database"),
        (["invoice-triple-trigger", "-q", "-v"],
         "--quiet and --verbose contradict each other; choose one"),
        (["invoice-triple-trigger", "--scale", "0"],
         "--scale must be above 0, got 0; e.g. --scale 10 or 0.5"),
        (["invoice-triple-trigger", "--scale", "100000"],
         "--scale 100000 takes world.crm.contacts of scenario 'invoice-triple-trigger' past "
         "its limit (80,000,000 records, over the limit of 5,000,000); the largest --scale "
         "that fits is 4166.66"),
    ],
)
def test_bad_input_is_one_line(args: list[str], message: str) -> None:
    assert_one_line_error(drills("run", *args, "--no-costs"), message)


def test_bad_runbook_points_at_the_line() -> None:
    bad = REPO / "tests/data/runbooks/bad"
    first = sorted(bad.glob("*.yaml"))[0].relative_to(REPO)
    run = drills("run", "invoice-triple-trigger", "--runbook", str(first), "--no-costs")
    assert run.returncode == 2
    assert run.stderr.startswith(f"drills: error: {first}:")
    assert run.stderr.count("\n") == 1


def test_help_names_the_exit_codes() -> None:
    run = drills("run", "--help")
    assert run.returncode == 0
    assert "Exit codes: 0 passed, 1 score under --fail-under, 2 bad input or usage." in run.stdout


def test_verbose_prints_events_as_they_happen() -> None:
    run = drills("run", "invoice-triple-trigger", "--runbook", GOOD, "-v", "--no-costs")
    assert run.returncode == 0
    lines = run.stderr.splitlines()
    assert "09:11:00  detected: stop rule 'duplicate_messages >= 5' fired (10)" in lines
    assert any(line.endswith("pause: stop_queue email.outbox - done; 2 feeder(s) still running")
               for line in lines)


def test_without_a_terminal_a_drill_prints_no_progress() -> None:
    run = drills("run", "invoice-triple-trigger", "--runbook", GOOD, "-q", "--no-costs")
    assert run.stderr == ""


@pytest.mark.slow
def test_scale_grows_world_and_reach(tmp_path: Path) -> None:
    run = drills("run", "invoice-triple-trigger", "--scale", "2", "--no-costs", "-q",
                 "--out", str(tmp_path), "--format", "json")
    assert run.returncode == 0, run.stderr
    data = json.loads(next(tmp_path.glob("*.json")).read_text())
    damaged_by = {s["system"]: s["damaged"] for s in data["systems"]}
    assert damaged_by["email"] == 2 * 240  # twice the reach, two extra emails per invoice
