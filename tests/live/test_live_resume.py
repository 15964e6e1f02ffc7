"""A live drill killed with SIGKILL, at several points, resumes from its journal with nothing lost.

The real program runs in tmux; ``kill -9`` hits the Python process after an action,
after several, and right after a resume. Each time ``drills live --resume JOURNAL``
carries on: the journaled actions are replayed at their drill times, the clock goes
on from where it was, and the final report and journal hold every action typed
before each kill, at the same drill times, by the same people. ``drills report`` on a
killed journal rebuilds its (interrupted) report.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from tests.live.tmux import DRILLS, ROOT, Tmux, screen_clock

pytestmark = [
    pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux"),
    pytest.mark.slow,
]

RUNBOOK = str(ROOT / "examples" / "invoice-reminder.runbook.yaml")


@pytest.fixture
def tmux(tmp_path: Path) -> Iterator[Tmux]:
    term = Tmux(tmp_path)
    try:
        yield term
    finally:
        term.close()


def _lines(journal: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in journal.read_text().splitlines() if line.strip()]


def _actions(journal: Path) -> list[tuple[str, str, str]]:
    return [(e["at"], e["who"], e["command"]) for e in _lines(journal) if e["kind"] == "action"]


def _kill(tmux: Tmux, s: str) -> None:
    os.kill(tmux.pid(s), signal.SIGKILL)
    tmux.wait_for(s, r"EXIT=137")


def test_killed_live_drill_resumes_with_nothing_lost(tmux: Tmux, tmp_path: Path) -> None:
    journal = tmp_path / "drill.journal.jsonl"
    s = tmux.start("live", "invoice-triple-trigger", "--runbook", RUNBOOK, "--speed", "60",
                   "--team", "alice,bob", "--journal", str(journal))
    tmux.wait_for(s, r"queue email\.outbox: on")
    tmux.type(s, "pause")
    tmux.wait_for(s, r"alice: pause -> done")
    # Kill 1: right after one action.
    _kill(tmux, s)
    kept = _actions(journal)
    assert [c for _, _, c in kept] == ["pause"]
    assert _lines(journal)[-1]["kind"] != "finished"

    # The killed drill's report, rebuilt from its journal.
    done = subprocess.run([DRILLS, "report", str(journal), "--out", "rebuilt",
                           "--format", "json"], cwd=tmp_path, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode in (0, 1), done.stderr
    rebuilt = json.loads(next((tmp_path / "rebuilt").glob("*.json")).read_text())
    assert rebuilt["status"] == "interrupted"
    assert rebuilt["responder"] == "live"
    assert [(st["finished"], st["who"], st["action"]) for st in rebuilt["steps"]] == [
        (kept[0][0], "alice", "pause_job")]

    # Resume; the replayed pause is on the screen, the clock goes on from the journal.
    last = max(datetime.fromisoformat(e["at"]) for e in _lines(journal) if e.get("at"))
    s = tmux.start("live", "--resume", str(journal))
    tmux.wait_for(s, r"alice\s+pause: done")
    tmux.wait_for(s, r"alice>")
    clock = screen_clock(tmux.wait_for(s, r"clock \d\d:\d\d:\d\d"))
    assert clock is not None
    assert clock >= last.replace(microsecond=0)
    tmux.type(s, "stop email.outbox")
    tmux.wait_for(s, r"stop email\.outbox -> done")
    tmux.type(s, "bob: disable billing.invoice-updated")
    tmux.wait_for(s, r"bob: disable billing\.invoice-updated -> done")
    # Kill 2: after more actions.
    _kill(tmux, s)
    kept2 = _actions(journal)
    assert kept2[:1] == kept
    assert [c for _, _, c in kept2] == ["pause", "stop email.outbox",
                                        "disable billing.invoice-updated"]
    assert kept2[1][0] > kept[0][0]

    # Kill 3: right after resuming, while the journal is replayed.
    s = tmux.start("live", "--resume", str(journal))
    tmux.wait_for(s, r"alice>")
    _kill(tmux, s)
    assert _actions(journal) == kept2

    s = tmux.start("live", "--resume", str(journal), "--out", "out")
    tmux.wait_for(s, r"bob\s+disable billing\.invoice-updated: done")
    tmux.type(s, "bob: disable activity-logger")
    tmux.wait_for(s, r"activity-logger -> done; contained")
    tmux.type(s, "snapshot billing email warehouse")
    tmux.wait_for(s, r"snapshot snap1")
    tmux.type(s, "end yes")
    tmux.wait_for(s, r"EXIT=0", timeout=30)

    final = _actions(journal)
    assert final[:3] == kept2
    assert [c for _, _, c in final[3:]] == ["disable activity-logger",
                                            "snapshot billing email warehouse", "end yes"]
    report = json.loads(next((tmp_path / "out").glob("*.json")).read_text())
    assert report["status"] == "finished"
    steps = [(st["finished"], st["who"], st["action"], st["target"]) for st in report["steps"]]
    assert steps[:3] == [
        (kept2[0][0], "alice", "pause_job", "invoice-reminder"),
        (kept2[1][0], "alice", "stop_queue", "email.outbox"),
        (kept2[2][0], "bob", "disable_feeder", "billing.invoice-updated"),
    ]
    logged = {(e["at"], e["who"], e["what"].split(":")[0]) for e in report["log"]}
    for at, who, command in final:
        assert (at, who, command) in logged
    assert report["outcome"]["contained"] is True
    assert _lines(journal)[-1]["kind"] == "finished"
    assert sum(1 for e in _lines(journal) if e["kind"] == "resumed") == 3


def test_a_live_drill_closed_with_ctrl_c_says_how_to_resume(tmux: Tmux, tmp_path: Path) -> None:
    journal = tmp_path / "closed.journal.jsonl"
    s = tmux.start("live", "invoice-triple-trigger", "--runbook", RUNBOOK, "--speed", "60",
                   "--journal", str(journal))
    tmux.wait_for(s, r"queue email\.outbox: on")
    tmux.type(s, "pause")
    tmux.wait_for(s, r"team: pause -> done")
    tmux.send(s, "C-c")
    tmux.wait_for(s, r"EXIT=1")
    stderr = (tmp_path / f"stderr-{s}.txt").read_text()
    assert f"drill closed before its end; resume it with: drills live --resume {journal}" \
        in stderr
    assert [c for _, _, c in _actions(journal)] == ["pause"]
    assert _lines(journal)[-1]["kind"] != "finished"
