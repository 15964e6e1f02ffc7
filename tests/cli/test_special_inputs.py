"""Inputs a terminal or a pipe would act on: named pipes, escapes in fields, names with a
trailing newline. Each is one line and exit 2 at once, or printed escaped."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes"),
]

REPO = Path(__file__).parents[2]
SCENARIO = REPO / "scenarios" / "library" / "invoice-triple-trigger.yaml"
RUNBOOK = REPO / "examples" / "invoice-reminder.runbook.yaml"
NASTY = "\x1b[2J\x1b]0;owned\x07 \u202e gnp.exe"
"""Clears the screen, retitles the terminal, turns the rest of the line right to left."""


def drills(*args: str, cwd: Path = REPO, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONWARNINGS": "error", "COLUMNS": "100"}
    return subprocess.run(
        [sys.executable, "-m", "drills", *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False,
    )


@pytest.mark.parametrize(("args", "message"), [
    (["validate", "{pipe}.yaml"],
     "{pipe}.yaml:1:1: is a named pipe, not a file; name a scenario file (drills reads no pipes "
     "or devices)\n"),
    (["run", "{pipe}.yaml", "--no-costs"],
     "drills: error: {pipe}.yaml:1:1: is a named pipe, not a file; name a scenario file (drills "
     "reads no pipes or devices)\n"),
    (["run", "invoice-triple-trigger", "--runbook", "{pipe}.runbook.yaml", "--no-costs"],
     "drills: error: {pipe}.runbook.yaml:1:1: is a named pipe, not a file; name a runbook file "
     "(drills reads no pipes or devices)\n"),
    (["report", "{pipe}.journal.jsonl"],
     "drills: error: {pipe}.journal.jsonl: is a named pipe, not a journal file; name the "
     "drill.journal.jsonl a drill wrote (drills reads no pipes or devices)\n"),
    (["live", "--resume", "{pipe}.journal.jsonl"],
     "drills: error: {pipe}.journal.jsonl: is a named pipe, not a journal file; name the "
     "drill.journal.jsonl a drill wrote (drills reads no pipes or devices)\n"),
    (["score", "{pipe}.journal.jsonl"],
     "drills: error: {pipe}.journal.jsonl: not a file or folder (a named pipe or a device); "
     "give runbooks (*.runbook.yaml), drill reports (*.json) or drill journals "
     "(*.journal.jsonl), or a folder holding them\n"),
])
def test_a_named_pipe_is_one_line_at_once(tmp_path: Path, args: list[str], message: str) -> None:
    pipe = tmp_path / "in"
    for suffix in (".yaml", ".runbook.yaml", ".journal.jsonl"):
        os.mkfifo(f"{pipe}{suffix}")
    run = drills(*(a.format(pipe=pipe) for a in args), timeout=60)
    assert run.returncode == 2
    assert (run.stdout + run.stderr) == message.format(pipe=pipe)


def _nasty_pair(tmp_path: Path) -> tuple[Path, Path]:
    scenario = yaml.safe_load(SCENARIO.read_text())
    scenario["title"] = f"Evil {NASTY} title"
    runbook = yaml.safe_load(RUNBOOK.read_text())
    runbook["owner"]["name"] = f"Dana {NASTY}"
    (tmp_path / "evil.yaml").write_text(yaml.safe_dump(scenario, allow_unicode=True))
    (tmp_path / "evil.runbook.yaml").write_text(yaml.safe_dump(runbook, allow_unicode=True))
    return tmp_path / "evil.yaml", tmp_path / "evil.runbook.yaml"


def assert_escaped(text: str, *, whole: bool = True) -> None:
    """No raw ESC, BEL or right-to-left override; their escapes shown instead (``whole``:
    on one line, where a table cell might wrap them)."""
    assert "\x1b" not in text
    assert "\x07" not in text
    assert "\u202e" not in text
    assert "\\x1b[2J\\x1b]0;owned\\x07" in text
    if whole:
        assert "\\x1b[2J\\x1b]0;owned\\x07 \\u202e gnp.exe" in text


def test_run_report_and_score_print_escapes_escaped(tmp_path: Path) -> None:
    scenario, runbook = _nasty_pair(tmp_path)
    out = tmp_path / f"drill{NASTY}"
    run = drills("run", str(scenario), "--runbook", str(runbook), "--no-costs",
                 "--out", str(out), "--format", "json", "-v")
    assert run.returncode == 0, run.stderr
    assert_escaped(run.stdout)
    assert "\x1b" not in run.stderr
    report = drills("report", str(out / "drill.journal.jsonl"))
    assert report.returncode == 0, report.stderr
    assert_escaped(report.stdout)
    score = drills("score", str(runbook), str(out), "--no-costs")
    assert score.returncode in (0, 1), score.stderr
    assert_escaped(score.stdout, whole=False)  # the folder, in the note on the drill read twice
    assert "\x1b" not in score.stderr


def test_file_names_are_escaped(tmp_path: Path) -> None:
    _, runbook = _nasty_pair(tmp_path)
    named = tmp_path / f"x{NASTY}.runbook.yaml"
    named.write_text(runbook.read_text())
    valid = drills("validate", str(named))
    assert valid.returncode == 0, valid.stderr
    assert_escaped(valid.stdout)


def test_a_name_with_a_trailing_newline_is_one_line(tmp_path: Path) -> None:
    runbook = yaml.safe_load(RUNBOOK.read_text())
    runbook["automation"] = "invoice-reminder\n"
    path = tmp_path / "newline.runbook.yaml"
    path.write_text(yaml.safe_dump(runbook))
    run = drills("validate", str(path))
    assert run.returncode == 2
    assert run.stdout.count("\n") == 1
    assert run.stdout.startswith(f"{path}:")
    assert "'invoice-reminder\\n' is not a valid name (automation)" in run.stdout
