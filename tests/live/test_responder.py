"""The live responder driven by code: actions at given drill times, no wall clock.

Judged by the scripted drill's own scoring, a team that does what the good runbook
says ends with nothing left wrong; an action refused for a mistake changes nothing;
and a live drill's journal replays to the very same report.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from drills.engine.loop import Drill, DrillResult
from drills.journal import JournalHandler, JournalHeader, JournalWriter, read_journal
from drills.reports.model import DrillReport, PhaseName
from drills.responders.live.commands import CommandContext, parse_command
from drills.responders.live.grade import grade_live
from drills.responders.live.pacer import Inbox, LivePacer
from drills.responders.live.replay import report_from_live_journal
from drills.responders.live.responder import (
    ActionResult,
    JournaledAction,
    LiveResponder,
    TeamAction,
)
from drills.runbook import Runbook, load_runbook
from drills.runbook.complete import complete_sections
from drills.scenarios.loader import load_scenario
from drills.scenarios.schema import Scenario

ROOT = Path(__file__).parents[2]
RUNBOOK = ROOT / "examples" / "invoice-reminder.runbook.yaml"
RUN = "invoice-reminder-run-1729"


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return load_scenario("invoice-triple-trigger")


@pytest.fixture(scope="module")
def runbook() -> Runbook:
    return load_runbook(RUNBOOK)


def _at(scenario: Scenario, minutes: float) -> datetime:
    return scenario.starts + timedelta(minutes=minutes)


GOOD = [
    (1.2, "alice", "pause"),
    (1.3, "alice", "stop email.outbox"),
    (1.4, "bob", "disable billing.invoice-updated"),
    (1.5, "bob", "disable activity-logger"),
    (2, "alice", "snapshot billing email warehouse"),
    (3, "alice", "notify reminders paused, duplicates being marked"),
    (5, "bob", f"query run={RUN}"),
    (5.5, "bob", "tag last"),
    (6, "bob", "query actor=sync since=09:10"),
    (6.5, "bob", "tag last"),
    (7, "bob", "scope submit"),
    (9, "alice", "repair script sample 20"),
    (11, "alice", "repair script all"),
    (12, "alice", "reconcile"),
    (13, "alice", "cause The reminder rule fired once per changed field instead of once per edit."),
    (14, "alice", "restart test"),
    (15, "alice", "restart ramp 1"),
    (16, "alice", "restart ramp 10"),
    (17, "alice", "restart normal"),
    (30, "alice", "end yes"),
]


def _drill(
    scenario: Scenario, runbook: Runbook, actions: Sequence[tuple[float, str, str]]
) -> tuple[LiveResponder, DrillResult, list[ActionResult]]:
    results: list[ActionResult] = []
    responder = LiveResponder(
        scenario, runbook, team=("alice", "bob"),
        replay=[JournaledAction(_at(scenario, m), who, text) for m, who, text in actions],
        on_result=results.append,
    )
    result = Drill(scenario, runbook, responder=responder).run()
    return responder, result, results


@pytest.mark.slow
def test_a_team_doing_the_good_runbooks_steps_leaves_nothing_wrong(
    scenario: Scenario, runbook: Runbook
) -> None:
    responder, result, results = _drill(scenario, runbook, GOOD)
    assert [r.message for r in results if not r.ok] == []
    report = grade_live(result, responder, runbook_path=str(RUNBOOK))
    assert report.responder == "live"
    o = report.outcome
    assert (o.contained, o.records_left_wrong, o.human_edits_overwritten, o.unreconciled,
            o.restarted) == (True, 0, 0, 0, True)
    # The team ended at minute 30; the rest of the window was played out, then judged.
    assert responder.ended_at == _at(scenario, 30)
    assert report.finished == scenario.starts + scenario.runs_for
    paused = report.phase(PhaseName.PAUSED)
    assert paused is not None
    assert paused.at == _at(scenario, 1.2)
    # The times graded are the team's: each step finished when it was typed.
    assert [(s.finished, s.who, s.section, s.action) for s in report.steps[:4]] == [
        (_at(scenario, 1.2), "alice", "pause", "pause_job"),
        (_at(scenario, 1.3), "alice", "pause", "stop_queue"),
        (_at(scenario, 1.4), "bob", "pause", "disable_feeder"),
        (_at(scenario, 1.5), "bob", "pause", "disable_feeder"),
    ]
    # A pause within the tick detection was seen in is "at once", as for a scripted owner.
    assert "waited-for-escalation" not in {f.code for f in report.findings}
    # The submitted scope, graded per table against ground truth.
    assert report.comparison is not None
    assert report.comparison.scope
    assert all(s.recall == 1.0 for s in report.comparison.scope if s.damaged)
    assert {s.system for s in report.systems if s.scoped} == {"billing", "email", "warehouse"}
    # Side by side: the same seeded drill with the runbook followed perfectly.
    assert report.comparison.runbook_score == 99  # the example good runbook, scripted
    assert report.comparison.runbook.records_left_wrong == 0
    assert report.comparison.team == report.outcome
    team = {p.name: p.team for p in report.comparison.phases}
    assert team[PhaseName.CONTAINED] == pytest.approx(1.5)
    checklist = {c.item: c.done for c in report.restart_checklist}
    assert checklist["The exact cause in one sentence"]
    assert checklist["Then normal volume"]


def _changes(result: DrillResult) -> list[tuple[object, ...]]:
    cl = result.store.changelog
    with result.store.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.select(cl).order_by(cl.c.seq))]


@pytest.mark.slow
def test_a_refused_action_changes_nothing(scenario: Scenario, runbook: Runbook) -> None:
    base = [(2, "alice", "pause"), (2, "alice", "snapshot billing as before"), (20, "alice",
                                                                                   "end yes")]
    mistakes = [
        (2, "alice", "repair script all"),              # no scope submitted yet
        (2, "bob", "tag billing.invoices 1,999999"),    # no such record
        (2, "bob", "snapshot email as before"),          # the name is taken
        (2, "bob", "scope submit"),                     # nothing tagged
        (2, "bob", "tag last"),                          # no query to tag
        (2, "alice", "restart normal"),                  # already paused: this one applies
    ]
    clean_r, clean, _ = _drill(scenario, runbook, base[:2] + base[2:])
    _, messy, results = _drill(scenario, runbook, base[:2] + mistakes[:-1] + base[2:])
    refused = [r for r in results if not r.ok]
    assert [r.action.command.text for r in refused] == [m[2] for m in mistakes[:-1]]
    assert refused[0].message == "nothing to repair yet: submit a scope first ('scope submit')"
    assert refused[1].message == "billing.invoices has no record 999999; nothing tagged"
    assert "exists already" in refused[2].message
    assert _changes(messy) == _changes(clean)
    assert [s.model_dump() for s in messy.steps] == [s.model_dump() for s in clean.steps]
    assert not any("repair" in e.what for e in messy.log)
    assert clean_r.results[-1].message == "drill ended"


def _journal(tmp_path: Path, scenario: Scenario, runbook: Runbook) -> Path:
    """A live drill's journal as the program writes it, cut off at minute 9 as by a kill."""
    header = JournalHeader.build("live", scenario, runbook, source="invoice-triple-trigger",
                                 runbook_path=RUNBOOK, drill_id="test-live",
                                 extra={"speed": 10, "team": ["alice", "bob"]})
    ctx = CommandContext(
        job=scenario.automation.name,
        feeders={f.name: f.kind for f in scenario.automation.feeders},
        systems=("billing", "crm", "email", "support", "warehouse"), tables=(),
        day=scenario.starts.date(), team=("alice", "bob"),
    )
    path = tmp_path / "live.journal.jsonl"
    with JournalWriter.create(path, header) as writer:
        responder = LiveResponder(scenario, runbook, team=("alice", "bob"), journal=writer)
        for m, who, text in GOOD[:12]:  # as typed: stamped, then journaled when applied
            responder.submit(TeamAction(_at(scenario, m), who, parse_command(text, ctx)))
        drill = Drill(scenario, runbook, responder=responder,
                      handlers=[JournalHandler(writer)], drill_id="test-live")
        result = drill.run(until=_at(scenario, 9))
    assert result.interrupted
    return path


@pytest.mark.slow
def test_a_killed_live_journal_rebuilds_the_same_report(
    tmp_path: Path, scenario: Scenario, runbook: Runbook
) -> None:
    path = _journal(tmp_path, scenario, runbook)
    report: DrillReport = report_from_live_journal(read_journal(path))
    assert report.status == "interrupted"
    assert report.interrupted_at == _at(scenario, 9)
    assert [s.finished for s in report.steps] == [
        _at(scenario, m) for m, _, t in GOOD[:12]
        if t.split()[0] in ("pause", "stop", "disable", "snapshot", "scope", "repair")
    ]
    assert report.outcome.contained
    # Only what was done so far: the note sent before the kill, and no comparison of a
    # drill's middle with the runbook's whole drill.
    assert [(n.at, n.who, n.text) for n in report.comms.sent] == [
        (_at(scenario, 3), "alice", "reminders paused, duplicates being marked")]
    assert report.comparison is None
    assert report.finished == _at(scenario, 9)


def test_the_pacer_stamps_actions_in_whole_seconds_after_now(scenario: Scenario) -> None:
    responder = LiveResponder(scenario, None)
    inbox = Inbox()
    start = scenario.starts
    pacer = LivePacer(responder, inbox, speed=600, end=start + timedelta(hours=2))
    ctx = CommandContext(job="invoice-reminder", feeders={}, systems=("billing",),
                         tables=("billing.invoices",), day=start.date())
    # Nothing typed: the proposed moment comes after its wall-clock wait (60 s / 600).
    t0 = time.monotonic()
    assert pacer.wait(start, start + timedelta(minutes=1)) == start + timedelta(minutes=1)
    assert time.monotonic() - t0 >= 0.09
    # Typed: stamped now, to the second, strictly after the loop's moment, before proposed.
    now = start + timedelta(minutes=1)
    inbox.put("alice", parse_command("note hello", ctx))
    stamped = pacer.wait(now, now + timedelta(minutes=5))
    assert stamped is not None
    assert now < stamped < now + timedelta(minutes=5)
    assert stamped.microsecond == 0
    assert responder.next_time() == stamped
    # Quiet world, nothing proposed, drill time runs out: the drill ends.
    late = LivePacer(responder, Inbox(), speed=3600, end=start + timedelta(seconds=30))
    assert late.wait(start, None) is None


@pytest.mark.slow
def test_the_delivery_commands_act_on_the_job_and_its_feeders() -> None:
    """A team that types the deliveries section's steps live turns on the same guard,
    hold and retry policy a scripted drill does, each a pause-section step of its own."""
    storm = load_scenario("order-paid-webhook-redelivered")
    actions = [(2, "alice", "dedupe"), (2.1, "alice", "pause"),
               (2.2, "bob", "retry payments.order-paid every=10m for=24h"),
               (2.3, "bob", "hold payments.order-paid"), (2.4, "alice", "stop email.outbox"),
               (20, "alice", "end yes")]
    book = Runbook.model_validate(complete_sections(storm))
    responder, result, results = _drill(storm, book, actions)
    assert [r.message for r in results if not r.ok] == []
    rt = result.runtime
    assert rt.guards == {"dedupe"}
    assert rt.guarded
    hook = rt.feeders["payments.order-paid"]
    assert (hook.on_disable, hook.retry_every, hook.retry_for, hook.live) == (
        "hold", timedelta(minutes=10), timedelta(hours=24), False)
    assert rt.contained
    assert [(s.action, s.target) for s in responder.steps[:4]] == [
        ("dedupe", "events"), ("pause_job", "order-paid-handler"),
        ("set_retry", "payments.order-paid"), ("hold_feeder", "payments.order-paid")]
