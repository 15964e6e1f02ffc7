"""The facilitator's twists in the live engine, and the hand on the pacer's clock.

Twists are live commands: checked like the team's lines, applied at their drill times
through the engine's own levers, journaled and replayed. The room's clock controls are
the pacer's: a held clock stands still, and a new speed carries on from the time it was.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from datetime import datetime, timedelta

import pytest

from drills.engine.loop import Drill
from drills.responders.live import CommandContext, CommandError, complete, parse_command
from drills.responders.live.pacer import Inbox, LivePacer
from drills.responders.live.responder import ActionResult, JournaledAction, LiveResponder
from drills.runbook import Runbook, load_runbook
from drills.scenarios.loader import load_scenario
from drills.scenarios.schema import Scenario
from tests.live.tmux import ROOT

CTX = CommandContext(job="invoice-reminder", feeders={"email.outbox": "queue",
                                                      "billing.invoice-updated": "webhook"},
                     systems=("billing",), tables=("billing.invoices",),
                     day=datetime(2026, 3, 2).date())


def test_twists_parse_like_any_line() -> None:
    assert parse_command("twist second-batch", CTX).args == {"kind": "second-batch", "count": 20}
    assert parse_command("twist second-batch 5", CTX).args["count"] == 5
    assert parse_command("twist escalation the CFO", CTX).args == {
        "kind": "escalation", "text": "the CFO"}
    assert parse_command("twist feeder-on email.outbox", CTX).args["target"] == "email.outbox"
    assert parse_command("twist owner-unreachable", CTX).args == {"kind": "owner-unreachable"}


@pytest.mark.parametrize(("line", "says"), [
    ("twist", "write twist owner-unreachable | twist escalation [TEXT]"),
    ("twist second-bach", "unknown twist 'second-bach'; did you mean 'second-batch'?"),
    ("twist second-batch 0", "a second batch is a number of records from 1 to 100,000"),
    ("twist second-batch many", "a second batch is a number of records"),
    ("twist feeder-on email.outbx", "no feeder named 'email.outbx'; did you mean 'email.outbox'?"),
    ("twist feeder-on", "write 'twist feeder-on FEEDER' with one feeder's name"),
    ("twist owner-unreachable now", "'twist owner-unreachable' takes nothing after it"),
])
def test_a_bad_twist_is_one_line(line: str, says: str) -> None:
    with pytest.raises(CommandError) as err:
        parse_command(line, CTX)
    assert says in str(err.value)
    assert "\n" not in str(err.value)


def test_twists_complete_like_any_line() -> None:
    assert complete("twist ", CTX) == ["owner-unreachable", "escalation", "second-batch",
                                       "feeder-on"]
    assert complete("twist feeder-on em", CTX) == ["email.outbox"]
    assert "twist" in complete("tw", CTX)


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return load_scenario("invoice-triple-trigger")


@pytest.fixture(scope="module")
def runbook() -> Runbook:
    return load_runbook(ROOT / "examples" / "invoice-reminder.runbook.yaml")


def test_a_held_clock_stands_still_and_a_new_speed_carries_on(scenario: Scenario) -> None:
    start = scenario.starts
    pacer = LivePacer(LiveResponder(scenario, None), Inbox(), speed=600,
                      end=start + timedelta(hours=2))
    pacer.pause()  # held before pacing starts: held at the drill's start
    assert pacer.paused
    got: list[datetime | None] = []
    waiting = threading.Thread(target=lambda: got.append(
        pacer.wait(start, start + timedelta(seconds=30))))
    waiting.start()
    time.sleep(0.25)  # 0.05 s at 600x would have reached the moment; held, it has not
    assert waiting.is_alive()
    assert pacer.drill_now() == start
    pacer.set_speed(3600)  # a new speed while held: still held
    time.sleep(0.05)
    assert waiting.is_alive()
    pacer.resume()
    waiting.join(2)
    assert got == [start + timedelta(seconds=30)]
    now = pacer.drill_now()
    assert now is not None
    assert start < now < start + timedelta(minutes=10)
    with pytest.raises(ValueError, match="above zero"):
        pacer.set_speed(0)


def _drill(scenario: Scenario, runbook: Runbook,
           actions: Sequence[tuple[float, str, str]]) -> tuple[list[ActionResult], int]:
    results: list[ActionResult] = []
    at = [JournaledAction(scenario.starts + timedelta(minutes=m), who, text)
          for m, who, text in actions]
    responder = LiveResponder(scenario, runbook, team=("ana",), replay=at,
                              on_result=results.append)
    result = Drill(scenario, runbook, responder=responder).run()
    return results, sum(result.run.truth.counts().values())


@pytest.mark.slow
def test_twists_do_real_damage_and_hold_the_pause(scenario: Scenario, runbook: Runbook) -> None:
    base = [(1.2, "ana", "stop email.outbox"), (1.3, "ana", "disable billing.invoice-updated"),
            (1.4, "ana", "disable activity-logger"), (5, "ana", "pause"), (40, "ana", "end yes")]
    plain, damaged = _drill(scenario, runbook, base)
    assert all(r.ok for r in plain)
    twisted = [*base[:3], (2, "facilitator", "twist feeder-on email.outbox"),
               (2.5, "facilitator", "twist second-batch 40"),
               (3, "facilitator", "twist owner-unreachable"),
               (3.5, "facilitator", "twist feeder-on email.outbox"),
               (4, "facilitator", "twist escalation the CFO is calling"), *base[3:]]
    results, damaged_twisted = _drill(scenario, runbook, twisted)
    said = {r.action.command.text: (r.ok, r.message) for r in results}
    assert said["twist feeder-on email.outbox"][1] == "email.outbox is on already; a feeder " \
        "turns itself back on only after the team turned it off"  # the second one, refused
    assert said["twist second-batch 40"] == (True, "the sender replayed 40 records of the bad "
                                             "run (arriving now)")
    assert said["twist owner-unreachable"][1].startswith(
        "the owner, Dana Whitfield, is unreachable from now on; no backup may pause")
    assert said["pause"][0] is False
    assert "nobody here may pause yet; escalation reaches someone who may at" in said["pause"][1]
    assert said["twist escalation the CFO is calling"] == (
        True, "customer escalation: the CFO is calling")
    assert damaged_twisted > damaged  # the outbox back on and a second batch: more harm
