"""``drills live`` through the real CLI: what the team did is what gets graded and written.

- A drill fed no actions (``--speed 600``, empty input) ends as doing nothing does: the
  window is played out, nothing is contained, every damaged record is left wrong, and
  no note or restart is credited.
- A drill closed before its end (Ctrl-C on piped input) prints a resume hint naming
  ``--out``; the journal keeps ``--out``, so the resumed drill writes its reports there
  without being told again, or where a resume's own ``--out`` says.
- A journal whose kept ``--out`` was edited is one line and exit 2.
"""

from __future__ import annotations

import json
import signal
import subprocess
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from drills.scenarios.loader import load_scenario
from tests.live.tmux import DRILLS, ROOT

RUNBOOK = str(ROOT / "examples" / "invoice-reminder.runbook.yaml")
SCENARIO = "invoice-triple-trigger"

"""The harm-based score (issue 21) has landed: Score holds more than the old rubric's
total and items. Until then the score is the section rubric's, which this test does not
judge."""

pytestmark = pytest.mark.slow


def _journal(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def test_a_drill_fed_no_actions_ends_as_doing_nothing(tmp_path: Path) -> None:
    done = subprocess.run(
        [DRILLS, "live", SCENARIO, "--runbook", RUNBOOK, "--speed", "600", "--out", "out",
         "--format", "json,md,html"],
        stdin=subprocess.DEVNULL, capture_output=True, text=True, cwd=tmp_path, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    out = tmp_path / "out"
    report = json.loads(next(out.glob("*.json")).read_text())
    scenario = load_scenario(SCENARIO)
    # The team's part ended at once; the rest of the window was played out, then judged.
    assert datetime.fromisoformat(report["finished"]) == scenario.starts + scenario.runs_for
    o = report["outcome"]
    assert (o["contained"], o["restarted"], o["minutes_to_contain"]) == (False, False, None)
    assert o["records_left_wrong"] == o["records_damaged"] > 0
    assert o["records_damaged"] == report["timeline"][-1]["damaged"]
    assert report["steps"] == []
    # Nothing that did not happen is credited.
    assert report["comms"]["sent"] == []
    assert report["comms"]["first_note_at"] is None
    assert report["containment"] == []
    assert not any("passed" in c["detail"] for c in report["restart_checklist"])
    assert not any(c["done"] for c in report["restart_checklist"])
    assert sum(c["detail"].startswith("not restarted") for c in report["restart_checklist"]) >= 3
    assert report["comparison"]["team"] == o
    for name in ("*.md", "*.html"):
        text = next(out.glob(name)).read_text()
        assert "No note was sent during the drill" in text
        assert "never contained" in text
    # issue 21: doing nothing is the do-nothing baseline, 0 of the harm avoided
    assert report["score"]["total"] < 10
    # Killed after its window was played out but before its report: rebuilt whole, not as
    # an interruption (the journal says the loop ended).
    journal = out / "drill.journal.jsonl"
    lines = journal.read_text().splitlines()
    assert json.loads(lines[-1])["kind"] == "finished"
    assert json.loads(lines[-2])["kind"] == "ended"
    cut = tmp_path / "cut.journal.jsonl"
    cut.write_text("\n".join(lines[:-1]) + "\n")
    rebuilt = subprocess.run([DRILLS, "report", str(cut), "--out", "rebuilt", "--format",
                              "json"], capture_output=True, text=True, cwd=tmp_path,
                             timeout=300)
    assert rebuilt.returncode in (0, 1), rebuilt.stderr
    again = json.loads(next((tmp_path / "rebuilt").glob("*.json")).read_text())
    assert again["status"] == "finished"
    assert again["outcome"] == o
    assert again["finished"] == report["finished"]


def _wait_for_actions(journal: Path, n: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if journal.exists() and sum(e["kind"] == "action" for e in _journal(journal)) >= n:
            return
        time.sleep(0.1)
    raise AssertionError(f"{journal} never held {n} actions")


def _closed_with_ctrl_c(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Start a drill on piped input, type two actions, and press Ctrl-C (SIGINT)."""
    journal = tmp_path / "j.jsonl"
    running = subprocess.Popen(
        # --speed 10: the drill's window lasts long enough on a loaded host that Ctrl-C
        # always comes before its end (at 60 a slow start let it finish first).
        [DRILLS, "live", SCENARIO, "--runbook", RUNBOOK, "--speed", "10", "--team",
         "alice,bob", "--journal", str(journal), *args],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        cwd=tmp_path,
    )
    assert running.stdin is not None
    running.stdin.write("pause\nbob: notify reminders paused\n")
    running.stdin.flush()
    try:
        _wait_for_actions(journal, 2)
    finally:
        running.send_signal(signal.SIGINT)
    stdout, stderr = running.communicate(timeout=60)
    return subprocess.CompletedProcess(running.args, running.returncode, stdout, stderr)


def test_a_resumed_drill_writes_its_reports_where_it_was_started_to(tmp_path: Path) -> None:
    closed = _closed_with_ctrl_c(tmp_path, "--out", "reports", "--format", "json,md")
    assert closed.returncode == 1, closed.stderr
    assert ("drill closed before its end; resume it with: drills live --resume "
            f"{tmp_path / 'j.jsonl'} --out reports") in closed.stderr
    journal = tmp_path / "j.jsonl"
    header = _journal(journal)[0]
    assert header["extra"]["out"] == str(tmp_path / "reports")
    assert header["extra"]["formats"] == ["json", "md"]
    assert not (tmp_path / "reports").exists() or not list((tmp_path / "reports").iterdir())
    # Resumed from another folder, without --out: the reports go where the journal says.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    resumed = subprocess.run([DRILLS, "live", "--resume", str(journal)], input="end yes\n",
                             capture_output=True, text=True, cwd=elsewhere, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    written = sorted(p.suffix for p in (tmp_path / "reports").iterdir())
    assert written == [".json", ".md"]
    assert list(elsewhere.iterdir()) == []
    report = json.loads(next((tmp_path / "reports").glob("*.json")).read_text())
    assert [(n["who"], n["text"]) for n in report["comms"]["sent"]] == [
        ("bob", "reminders paused")]
    assert report["status"] == "finished"


def test_a_resume_with_its_own_out_writes_there(tmp_path: Path) -> None:
    closed = _closed_with_ctrl_c(tmp_path)  # started without --out
    assert closed.returncode == 1, closed.stderr
    assert closed.stderr.count("resume it with: drills live --resume") == 1
    assert "--out" not in closed.stderr
    journal = tmp_path / "j.jsonl"
    # Closed again, after a resume that names a folder: the next resume remembers it.
    resumed = subprocess.Popen([DRILLS, "live", "--resume", str(journal), "--out", "later"],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    assert resumed.stdin is not None
    resumed.stdin.write("note still here\n")
    resumed.stdin.flush()
    try:
        _wait_for_actions(journal, 3)
    finally:
        resumed.send_signal(signal.SIGINT)
    _, stderr = resumed.communicate(timeout=60)
    assert f"--resume {journal} --out later" in stderr
    last = subprocess.run([DRILLS, "live", "--resume", str(journal)], input="end yes\n",
                          capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert last.returncode == 0, last.stderr
    assert sorted(p.suffix for p in (tmp_path / "later").iterdir()) == [
        ".html", ".json", ".md", ".xml"]


@pytest.mark.parametrize(("key", "value", "message"), [
    ("out", 5, "the journal header's out is '5', not a folder"),
    ("out", "", "the journal header's out is '', not a folder"),
    ("formats", ["pdf"], "the journal header's formats are \"['pdf']\", not report formats"),
])
def test_an_edited_out_in_the_journal_is_one_line(
    tmp_path: Path, key: str, value: object, message: str
) -> None:
    closed = _closed_with_ctrl_c(tmp_path, "--out", "reports")
    assert closed.returncode == 1, closed.stderr
    journal = tmp_path / "j.jsonl"
    lines = journal.read_text().splitlines()
    header = json.loads(lines[0])
    header["extra"][key] = value
    journal.write_text("\n".join([json.dumps(header), *lines[1:]]) + "\n")
    again = subprocess.run([DRILLS, "live", "--resume", str(journal)], input="end yes\n",
                           capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert again.returncode == 2
    assert again.stderr.startswith("drills: error: ")
    assert message in again.stderr
    assert again.stderr.count("\n") == 1


def test_the_window_is_played_out_after_end_even_when_typed_early(tmp_path: Path) -> None:
    scenario = load_scenario(SCENARIO)
    done = subprocess.run(
        [DRILLS, "live", SCENARIO, "--runbook", RUNBOOK, "--speed", "600", "--out", "out",
         "--format", "json"],
        input="pause\nend yes\n", capture_output=True, text=True, cwd=tmp_path, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(next((tmp_path / "out").glob("*.json")).read_text())
    ended = [e for e in report["log"] if e["what"].startswith("end yes")]
    assert len(ended) == 1
    assert datetime.fromisoformat(ended[0]["at"]) < scenario.starts + timedelta(minutes=5)
    assert datetime.fromisoformat(report["finished"]) == scenario.starts + scenario.runs_for
