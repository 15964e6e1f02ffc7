"""The room's server through Starlette's test client, on a real live drill (SQLite).

Tokens guard every route, roles refuse with one line, lines sent at once are applied
in one order (the journal's), the facilitator holds and runs the clock, twists do real
things, and every screen gets the report when the drill is judged. (Waits count
sleeps: the drill's thread freezes the clock for the team's code.)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from drills.journal import JournalHeader, JournalWriter, read_journal
from drills.responders.live import LiveDrill, LivePlan
from drills.responders.live.replay import journaled_actions
from drills.room import Room, Roster, create_app
from drills.runbook import load_runbook
from drills.scenarios.loader import load_scenario
from tests.live.tmux import ROOT

RUNBOOK = ROOT / "examples" / "invoice-reminder.runbook.yaml"


class _Open:
    def __init__(self, tmp_path: Path,
                 seats: tuple[tuple[str, str], ...] = (("ana", "owner"), ("ben", "repair"),
                                                       ("cy", "comms"))) -> None:
        scenario = load_scenario("invoice-triple-trigger")
        runbook = load_runbook(RUNBOOK)
        header = JournalHeader.build("live", scenario, runbook, source="invoice-triple-trigger",
                                     runbook_path=RUNBOOK, drill_id="room-test",
                                     extra={"speed": 120, "team": ["ana", "ben", "cy"]})
        self.journal = JournalWriter.create(tmp_path / "drill.journal.jsonl", header)
        plan = LivePlan(scenario, runbook, str(RUNBOOK), ("ana", "ben", "cy"), 120.0,
                        "room-test")
        self.drill = LiveDrill(plan, journal=self.journal, grade_with_runbook=False)
        self.roster = Roster(seats)
        self.room = Room(self.drill, self.roster, journal=self.journal, out=tmp_path / "out",
                         formats=("json", "html"))
        self.client = TestClient(create_app(self.room))
        self.ana, self.ben, self.cy = self.roster.team[:3]
        self.fac = self.roster.facilitator
        self.drill.start()
        for _ in range(1500):
            if self.drill.context() is not None:
                break
            time.sleep(0.02)

    def act(self, token: str, line: str) -> dict[str, Any]:
        response = self.client.post(f"/act/{token}", json={"line": line})
        assert response.status_code == 200
        data: dict[str, Any] = response.json()
        return data

    def control(self, what: str, value: object = None) -> dict[str, Any]:
        data: dict[str, Any] = self.client.post(
            f"/control/{self.fac.token}", json={"what": what, "value": value}).json()
        return data

    def state(self, token: str) -> dict[str, Any]:
        data: dict[str, Any] = self.client.get(f"/state/{token}").json()
        return data


@pytest.fixture
def room(tmp_path: Path) -> Iterator[_Open]:
    opened = _Open(tmp_path)
    try:
        yield opened
    finally:
        opened.drill.close()
        opened.journal.close()


@pytest.mark.slow
def test_tokens_guard_every_route_and_each_link_opens_its_own_page(room: _Open) -> None:
    c = room.client
    for path in ("/join/", "/facilitate/", "/state/", "/report/", "/complete/", "/events/"):
        assert c.get(path + "not-a-token").status_code == 403
    assert c.post("/act/nope", json={"line": "pause"}).status_code == 403
    assert c.post("/control/nope", json={"what": "start"}).status_code == 403
    assert c.get(f"/facilitate/{room.ana.token}").status_code == 403  # a seat is not the desk
    assert c.get(f"/join/{room.fac.token}").status_code == 403
    page = c.get(f"/join/{room.ana.token}").text
    assert "ana · <b>owner</b>" in page
    assert "Ground truth" not in page
    desk = c.get(f"/facilitate/{room.fac.token}").text
    assert "Ground truth" in desk
    assert "twist owner-unreachable" in desk
    assert "http" not in page.split("<body")[1].replace("http://www.w3.org", "")  # no CDN
    assert c.get("/static/room.js").status_code == 200
    assert "truth" not in room.state(room.ana.token)
    assert c.post(f"/act/{room.ana.token}", content=b"{").status_code == 400
    assert c.post(f"/control/{room.ana.token}", json={"what": "start"}).status_code == 403


@pytest.mark.slow
def test_roles_the_clock_and_one_order_for_lines_sent_at_once(room: _Open) -> None:
    held = room.act(room.ana.token, "pause")
    assert held == {"ok": False, "seq": None,
                    "message": "the facilitator is holding the clock; act when it runs again"}
    assert room.state(room.ana.token)["held"] is True
    assert room.control("speed", "fast") == {"ok": False,
                                             "message": "speed is 'fast', not a number"}
    assert room.control("start") == {"ok": True, "message": "the clock runs"}
    assert room.act(room.ben.token, "pause")["message"] == \
        "'pause' is not for repair; ana (owner) may"
    assert room.act(room.cy.token, "twist escalation")["message"] == \
        "'twist' is the facilitator's; ask them"
    assert room.act(room.ana.token, "pasue")["message"] == \
        "unknown action 'pasue'; did you mean 'pause'?"
    assert room.act(room.ana.token, "ben: pause")["message"] == \
        "you act as yourself here (ana); drop 'ben:'"
    # Three people at the same instant: one order, the journal's.
    lines = [(room.ana, "pause"), (room.cy, "notify reminders paused"),
             (room.ben, "snapshot billing email")] * 3
    answers: list[dict[str, Any]] = []
    gate = threading.Barrier(len(lines))

    def send(token: str, line: str) -> None:
        gate.wait()
        answers.append(room.act(token, line))

    threads = [threading.Thread(target=send, args=(p.token, line)) for p, line in lines]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(a["seq"] for a in answers) == list(range(1, 10))
    by_seq = sorted(answers, key=lambda a: a["seq"])
    sent = [str(a["message"]).split(": ", 1)[1] for a in by_seq]
    assert room.control("end") == {"ok": True, "message": "#10 sent: end yes"}
    assert room.drill.wait(60)
    journaled = journaled_actions(read_journal(room.journal.path))
    assert [a.command for a in journaled] == [*sent, "end yes"]
    assert [a.who for a in journaled][-1] == "facilitator"
    assert len({a.at for a in journaled[:-1]}) <= 3  # stamped together, applied in order
    state = room.state(room.cy.token)
    assert state["over"] is True
    report = room.client.get(f"/report/{room.cy.token}")
    assert report.status_code == 200
    assert "<svg" in report.text
    assert sorted(p.name for p in room.room.written.values()) == sorted(
        p.name for p in (room.room.out or Path()).iterdir())
    assert room.act(room.ana.token, "pause")["message"] == \
        "the drill is over: the debrief follows"


def _wait_for(room: _Open, token: str, key: str, text: str) -> dict[str, Any]:
    for _ in range(400):
        state = room.state(token)
        if text in " ".join(state[key]):
            return state
        time.sleep(0.05)
    raise AssertionError(f"{text!r} never showed in {key}: {state[key]}")


@pytest.mark.slow
def test_twists_do_real_things_and_only_the_facilitator_sees_ground_truth(room: _Open) -> None:
    room.control("start")
    room.control("speed", 600)
    assert room.state(room.fac.token)["speed"] == 600
    assert room.act(room.ana.token, "stop email.outbox")["ok"]
    _wait_for(room, room.ana.token, "answers", "stop email.outbox -> done")
    assert room.act(room.fac.token, "twist feeder-on email.outbox")["ok"]
    assert room.act(room.fac.token, "twist escalation the CFO is calling")["ok"]
    assert room.act(room.fac.token, "twist owner-unreachable")["ok"]
    assert room.act(room.fac.token, "twist second-batch 0")["message"].startswith(
        "a second batch is a number of records from 1")
    _wait_for(room, room.fac.token, "answers", "is unreachable from now on")
    # No backup in this runbook may pause: with the owner gone, pausing waits for escalation.
    assert room.act(room.ana.token, "pause")["ok"]
    _wait_for(room, room.ana.token, "answers", "the owner is away and nobody here may pause yet")
    state = _wait_for(room, room.fac.token, "alerts", "the CFO is calling")
    log = " ".join(state["log"])
    assert "email.outbox: turned itself back on" in log
    truth = state["truth"]
    assert isinstance(truth, dict)
    assert truth["fault"] == "triple_trigger"
    assert truth["owner_away"] is True
    assert truth["twists"] == ["twist feeder-on email.outbox",
                               "twist escalation the CFO is calling", "twist owner-unreachable"]
    feeders = {f["name"]: f["on"] for f in state["feeders"]}
    assert feeders["email.outbox"] is True
    assert room.client.get(f"/complete/{room.fac.token}",
                           params={"text": "twist feeder-on email"}).json() == {
        "options": ["email.outbox"]}


@pytest.mark.slow
def test_an_unreachable_owners_seat_is_refused_and_the_backup_named(tmp_path: Path) -> None:
    room = _Open(tmp_path, (("ana", "owner"), ("ben", "repair"), ("cy", "comms"),
                            ("dee", "backup")))
    try:
        room.control("start")
        assert room.act(room.fac.token, "twist owner-unreachable")["ok"]
        _wait_for(room, room.fac.token, "answers", "is unreachable from now on")
        assert room.act(room.ana.token, "pause")["message"] == \
            "the owner is away in this drill, so ana cannot act; dee (backup) may"
        dee = room.roster.team[3]
        assert room.act(dee.token, "pause")["ok"]
        # This runbook's backup may not pause: the engine holds it until escalation.
        _wait_for(room, dee.token, "answers", "nobody here may pause yet")
    finally:
        room.drill.close()
        room.journal.close()


@pytest.mark.slow
def test_a_room_closed_before_its_end_resumes_in_drills_live(room: _Open, tmp_path: Path) -> None:
    room.control("start")
    assert room.act(room.ana.token, "pause")["ok"]
    assert room.act(room.cy.token, "notify reminders paused")["ok"]
    assert room.act(room.fac.token, "twist second-batch 5")["ok"]
    _wait_for(room, room.fac.token, "answers", "the sender replayed 5 records")
    _wait_for(room, room.cy.token, "answers", "first note sent")
    room.drill.close()  # the facilitator's laptop closes: the journal is whole, unfinished
    room.journal.close()
    done = subprocess.run(
        [sys.executable, "-m", "drills", "live", "--resume", str(room.journal.path), "--out",
         str(tmp_path / "again"), "--format", "json"],
        capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=300, check=False,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(next((tmp_path / "again").glob("*.json")).read_text())
    assert [(s["action"], s["who"]) for s in report["steps"]][:1] == [("pause_job", "ana")]
    assert [(n["who"], n["text"]) for n in report["comms"]["sent"]] == [
        ("cy", "reminders paused")]
    assert any(e["who"] == "facilitator" and e["what"].startswith(
        "twist second-batch 5: the sender replayed 5 records of the bad run")
        for e in report["log"])  # the twist, replayed at its drill time
