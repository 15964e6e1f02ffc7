"""The real ``drills live`` program in a terminal (tmux): a whole drill typed and read.

Keys go in with ``send-keys``, the screen comes back with ``capture-pane``; the
report the program writes must hold the actions typed, at drill times that match
the clock the screen showed while they were typed.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from drills.api import run_drill
from drills.runbook import load_runbook
from drills.scenarios.loader import load_scenario
from tests.live.tmux import ROOT, Tmux, screen_clock

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


def _typed(tmux: Tmux, s: str, line: str, answer: str) -> tuple[datetime, datetime]:
    """Type a line, wait for its answer; the screen's drill clock before and after."""
    before = screen_clock(tmux.screen(s))
    tmux.type(s, line)
    after_screen = tmux.wait_for(s, answer)
    after = screen_clock(after_screen)
    assert before is not None
    assert after is not None
    return before, after


def test_a_whole_live_drill_typed_in_a_terminal(tmux: Tmux, tmp_path: Path) -> None:
    s = tmux.start("live", "invoice-triple-trigger", "--runbook", RUNBOOK, "--speed", "60",
                   "--team", "alice,bob", "--out", "out")
    screen = tmux.wait_for(s, r"alice>")
    screen = tmux.wait_for(s, r"queue email\.outbox: on")
    assert "job invoice-reminder: RUNNING" in screen

    # A mistake: one clear message, nothing done.
    tmux.type(s, "pasue")
    screen = tmux.wait_for(s, r"unknown action 'pasue'; did you mean 'pause'\?")

    # The stop rule fires and the alert shows.
    tmux.wait_for(s, r"ALERT stop rule 'duplicate_messages >= 5' fired", timeout=20)

    times: dict[str, tuple[datetime, datetime]] = {}
    times["pause"] = _typed(tmux, s, "pause", r"alice: pause -> done")
    # Tab completion: 'sto' + Tab completes the action, Tab again the only queue.
    tmux.send(s, "-l", "sto")
    tmux.send(s, "Tab")
    tmux.wait_for(s, r"alice> stop")
    tmux.send(s, "Tab")
    tmux.wait_for(s, r"alice> stop email\.outbox")
    tmux.send(s, "Enter")
    tmux.wait_for(s, r"alice: stop email\.outbox -> done")
    times["disable"] = _typed(tmux, s, "bob: disable billing.invoice-updated",
                              r"bob: disable billing\.invoice-updated -> done")
    _, contained = _typed(tmux, s, "bob: disable activity-logger",
                          r"activity-logger -> done; contained")
    screen = tmux.wait_for(s, r"job invoice-reminder: CONTAINED")
    _typed(tmux, s, "snapshot billing email warehouse", r"snapshot snap1: [\d,]+ records")
    _typed(tmux, s, "notify reminders paused", r"first note sent")
    tmux.type(s, "help tag")
    tmux.wait_for(s, r"tag last \| tag TABLE KEYS")
    _typed(tmux, s, "as bob", r"now acting as bob")
    tmux.wait_for(s, r"bob>")
    _typed(tmux, s, "query run=invoice-reminder-run-1729", r"query run=\S+ -> \d+ records")
    _typed(tmux, s, "tag last", r"tag last -> \d+ added")
    # The warehouse copies every 5 drill minutes and does not follow a repair (rule 4):
    # asking which copies the sync wrote before its first run after containment would
    # miss the damage it carries over later, and reconcile would rightly find the copy
    # stale. How far the clock runs between two typed lines depends on the machine, so
    # the team waits for that run, as a team that knows its warehouse would.
    tmux.wait_for_clock(s, contained + timedelta(minutes=5, seconds=10))
    _typed(tmux, s, "query actor=sync", r"query actor=sync -> \d+ records")
    _typed(tmux, s, "tag last", r"\d+ tagged: .*warehouse")
    times["scope"] = _typed(tmux, s, "scope submit", r"scope submit -> \d+ changed, \d+ wrong")
    _typed(tmux, s, "repair script sample 20", r"sample of 20: 20 records")
    _typed(tmux, s, "repair script all", r"repair script all -> 100%")
    _typed(tmux, s, "reconcile", r"reconcile -> all counts match")
    tmux.type(s, "end")
    tmux.wait_for(s, r"type 'end' again to confirm")
    tmux.type(s, "end")
    screen = tmux.wait_for(s, r"EXIT=0", timeout=30)

    report = json.loads(next((tmp_path / "out").glob("*.json")).read_text())
    assert report["responder"] == "live"
    steps: dict[tuple[str, str], dict[str, str]] = {}
    for st in report["steps"]:
        steps.setdefault((st["section"], st["action"]), st)  # the first of each
    for key, name in (("pause", ("pause", "pause_job")),
                      ("disable", ("pause", "disable_feeder")),
                      ("scope", ("scope", "scope"))):
        at = datetime.fromisoformat(steps[name]["finished"])
        before, after = times[key]
        assert before <= at <= after, (key, before, at, after)
    assert steps[("pause", "disable_feeder")]["who"] == "bob"
    assert steps[("pause", "pause_job")]["who"] == "alice"
    assert report["outcome"]["contained"] is True
    assert report["outcome"]["records_left_wrong"] == 0
    log = [(e["who"], e["what"]) for e in report["log"]]
    assert ("bob", "scope submit: " + steps[("scope", "scope")]["outcome"]) in log
    assert not any("pasue" in what for _, what in log)  # the mistake changed nothing
    comparison = report["comparison"]
    # The runbook followed perfectly on the same seed: the scripted drill's own score.
    scripted = run_drill(load_scenario("invoice-triple-trigger"), load_runbook(Path(RUNBOOK)),
                         costs=False)
    assert comparison["runbook_score"] == scripted.score.total
    assert {p["name"] for p in comparison["phases"]} >= {"paused", "contained", "scoped"}
    # The journal holds the same actions at the same drill times.
    journal = [json.loads(line) for line in
               (tmp_path / "out" / "drill.journal.jsonl").read_text().splitlines()]
    actions = {e["command"]: e["at"] for e in journal if e["kind"] == "action"}
    assert actions["pause"] == steps[("pause", "pause_job")]["finished"]
    assert journal[-1]["kind"] == "finished"
    assert "Team vs runbook" in screen or (tmp_path / "out").joinpath(
        next((tmp_path / "out").glob("*.md")).name).read_text().count("Team vs runbook") == 1
