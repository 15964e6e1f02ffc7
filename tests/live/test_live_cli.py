"""``drills live`` through the real CLI: bad input is one line and exit 2, piped lines drive it.

Without a terminal each line of standard input is one command, so a whole drill can
be scripted; input errors are refused before anything starts or is written.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from drills.cli.main import cli
from tests.live.tmux import DRILLS, ROOT

RUNBOOK = str(ROOT / "examples" / "invoice-reminder.runbook.yaml")
SCENARIO = "invoice-triple-trigger"


@pytest.mark.parametrize(("args", "message"), [
    ([SCENARIO], "--runbook FILE is needed"),
    ([], "name a SCENARIO to drill"),
    ([SCENARIO, "--runbook", RUNBOOK, "--speed", "0"], "--speed must be above 0"),
    ([SCENARIO, "--runbook", RUNBOOK, "--speed", "100000"], "at most 3600"),
    ([SCENARIO, "--runbook", RUNBOOK, "--team", "alice,Alice"], "names someone twice"),
    ([SCENARIO, "--runbook", RUNBOOK, "--team", "pause"], "is also an action"),
    ([SCENARIO, "--runbook", RUNBOOK, "--team", "ana maria"], "cannot be typed as a prefix"),
    ([SCENARIO, "--runbook", RUNBOOK, "--team", ","], "--team names nobody"),
    ([SCENARIO, "--runbook", RUNBOOK, "--seed", "-1"], "--seed must be 0 to 9,223,372"),
    (["crm-blank-emails", "--runbook", RUNBOOK], "is the runbook for 'invoice-reminder'"),
    ([SCENARIO, "--runbook", RUNBOOK, "--format", "pdf"], "unknown format 'pdf'"),
    ([SCENARIO, "--resume", "x.jsonl"], "--resume carries on the drill in its journal; drop "
                                         "SCENARIO"),
    (["--resume", "missing.jsonl"], "missing.jsonl: no such file"),
])
def test_bad_input_is_one_line_and_exit_2(
    args: list[str], message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["live", *args])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert result.output.startswith("drills: error: ")
    assert result.output.count("\n") == 1
    assert list(tmp_path.iterdir()) == []  # nothing started, nothing written


@pytest.mark.slow
def test_a_scripted_journal_cannot_be_resumed_live(tmp_path: Path) -> None:
    scripted = tmp_path / "scripted"
    runner = CliRunner()
    done = runner.invoke(cli, ["run", SCENARIO, "--runbook", RUNBOOK, "--no-costs", "-q",
                               "--out", str(scripted), "--format", "json"])
    assert done.exit_code == 0, done.output
    journal = next(scripted.glob("*.jsonl"))
    result = runner.invoke(cli, ["live", "--resume", str(journal)])
    assert result.exit_code == 2
    assert "the drill finished" in result.output
    assert "'drills report " in result.output
    scripted_text = journal.read_text().splitlines()
    unfinished = tmp_path / "cut.jsonl"
    unfinished.write_text("\n".join(scripted_text[:-1]) + "\n")
    result = runner.invoke(cli, ["live", "--resume", str(unfinished)])
    assert result.exit_code == 2
    assert "a scripted drill's journal, not a live drill's" in result.output


@pytest.mark.slow
def test_piped_lines_drive_a_whole_live_drill(tmp_path: Path) -> None:
    lines = "\n".join([
        "pause",
        "bob: stop email.outbox",
        "disable nothing-here",          # a mistake: one message, nothing done
        "disable billing.invoice-updated",
        "disable activity-logger",
        "note containment done",
        "end yes",
    ]) + "\n"
    done = subprocess.run(
        [DRILLS, "live", SCENARIO, "--runbook", RUNBOOK, "--speed", "600", "--team",
         "alice,bob", "--out", "out", "--format", "json,md"],
        input=lines, capture_output=True, text=True, cwd=tmp_path, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "error: the job has no feeder named 'nothing-here'" in done.stdout
    assert "bob: stop email.outbox -> done" in done.stdout
    assert "Team vs runbook" in done.stdout
    report = json.loads(next((tmp_path / "out").glob("*.json")).read_text())
    assert [(s["who"], s["action"]) for s in report["steps"]] == [
        ("alice", "pause_job"), ("bob", "stop_queue"), ("alice", "disable_feeder"),
        ("alice", "disable_feeder")]
    assert report["outcome"]["contained"] is True
    assert any(e["what"] == "note containment done: noted" for e in report["log"])
    md = next((tmp_path / "out").glob("*.md")).read_text()
    assert "## Team vs runbook" in md
    journal = tmp_path / "out" / "drill.journal.jsonl"
    assert json.loads(journal.read_text().splitlines()[-1])["kind"] == "finished"
    again = CliRunner().invoke(cli, ["live", "--resume", str(journal)])
    assert again.exit_code == 2
    assert "the drill finished" in again.output
