"""What a team hit in the room, typed into the real ``drills live`` in a terminal (tmux).

- The screen shows the records left wrong beside the damaged ones, labelled as the
  judge's count (the facilitator's view), and they agree while nothing is repaired.
- Tab completes filter values, not just names: the run and batches a query showed,
  and the drill-clock times the screen shows.
- After ``end`` the rest of the window is played out and the report covers all of it,
  with the note the team sent in its Messages.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from drills.scenarios.loader import load_scenario
from tests.live.tmux import ROOT, Tmux

pytestmark = [
    pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux"),
    pytest.mark.slow,
]

RUNBOOK = str(ROOT / "examples" / "invoice-reminder.runbook.yaml")
RUN = "invoice-reminder-run-1729"


@pytest.fixture
def tmux(tmp_path: Path) -> Iterator[Tmux]:
    term = Tmux(tmp_path)
    try:
        yield term
    finally:
        term.close()


def _flat(screen: str) -> str:
    """The screen with the answers' wrapped lines joined (a wrap may fall on a hyphen)."""
    return re.sub(r"[ ]*\n[ ]*", "", screen)


def _numbers(screen: str) -> tuple[int, int]:
    match = re.search(r"damaged records ([\d,]+)\s+left wrong ([\d,]+) \(judge's count\)",
                      screen)
    assert match is not None, screen
    return int(match.group(1).replace(",", "")), int(match.group(2).replace(",", ""))


def test_the_room_sees_left_wrong_completes_values_and_gets_the_whole_window(
    tmux: Tmux, tmp_path: Path
) -> None:
    s = tmux.start("live", "invoice-triple-trigger", "--runbook", RUNBOOK, "--speed", "60",
                   "--team", "alice,bob", "--out", "out")
    tmux.wait_for(s, r"alice>")
    tmux.wait_for(s, r"left wrong [\d,]+ \(judge's count\)", timeout=30)

    # The run is found by asking; from then on Tab offers it, and the batches shown.
    tmux.type(s, "query actor=automation")
    screen = tmux.wait_for(s, r"query actor=automation -> [\d,]+ records")
    assert RUN in _flat(screen)
    tmux.send(s, "-l", "query r")
    tmux.send(s, "Tab")
    tmux.wait_for(s, r"alice> query run=\s*$|alice> query run=")
    tmux.send(s, "Tab")
    tmux.wait_for(s, rf"alice> query run={RUN}")
    tmux.send(s, "Enter")
    screen = tmux.wait_for(s, rf"query run={RUN} -> [\d,]+ records")
    assert re.search(rf"in\s*[\d,]+\s*batches\s*\({RUN}/b00001\s*\.\.", _flat(screen))
    tmux.send(s, "-l", f"query batch={RUN}/b0000")
    tmux.send(s, "Tab")  # more than one: the menu offers them (as 'batch=...')
    tmux.wait_for(s, rf"batch={RUN}/b00002")
    tmux.send(s, "Tab")  # the first is chosen
    tmux.wait_for(s, rf"alice> query batch={RUN}/b00001")
    tmux.send(s, "Enter")
    screen = tmux.wait_for(s, rf"query batch={RUN}/b00001 -> [\d,]+ records")
    assert re.search(rf"in\s*batch\s*{RUN}/b00001", _flat(screen))
    # Times on the screen complete since=: the drill started at 09:10.
    tmux.send(s, "-l", "query since=09:1")
    tmux.send(s, "Tab")
    tmux.wait_for(s, r"since=09:11")
    tmux.send(s, "Tab")
    tmux.wait_for(s, r"alice> query since=09:10")
    tmux.send(s, "Enter")
    tmux.wait_for(s, r"query since=09:10 -> [\d,]+ records")

    for line in ("pause", "stop email.outbox", "bob: disable billing.invoice-updated",
                 "bob: disable activity-logger"):
        tmux.type(s, line)
    tmux.wait_for(s, r"job invoice-reminder: CONTAINED")
    tmux.type(s, "notify reminders paused; duplicates being counted")
    tmux.wait_for(s, r"first note sent")
    # Nothing repaired by the team: the judge's count of records left wrong is shown
    # beside the damaged ones. It can be below them only by people's own fixes, which a
    # slower host gives more drill minutes to happen in (at --speed 60 a wall second is
    # a drill minute), so the test asserts the bound, not equality.
    tmux.type(s, "note waiting for the scope")
    tmux.wait_for(s, r"note waiting for the scope -> noted")
    damaged, left_wrong = _numbers(tmux.screen(s))
    assert 0 < left_wrong <= damaged

    tmux.type(s, "end")
    tmux.wait_for(s, r"type 'end' again to confirm")
    tmux.type(s, "end")
    tmux.wait_for(s, r"EXIT=0", timeout=60)
    report = json.loads(next((tmp_path / "out").glob("*.json")).read_text())
    scenario = load_scenario("invoice-triple-trigger")
    assert datetime.fromisoformat(report["finished"]) == scenario.starts + scenario.runs_for
    assert [(n["who"], n["kind"], n["text"]) for n in report["comms"]["sent"]] == [
        ("alice", "first note", "reminders paused; duplicates being counted")]
    assert report["comms"]["sent"][0]["contained"] is True
    assert report["outcome"]["records_left_wrong"] >= left_wrong
