"""A live drill is graded on what the team did: over the whole window, from what happened.

Each test drives the live responder with real actions at given drill times on the real
seeded world (no wall clock), and judges it with the live grader:

- ending early does not stop the damage: the rest of the window is played out with the
  world as the team left it, so ending at minute 5 with the job half-paused ends where
  the same team that never typed 'end' does;
- the notes listed are the notes sent, with their words and the numbers of that moment;
- a team that restarted early and paused again can still restart with proof;
- the restart checklist says what the test record really showed;
- the headline tells every containment turn instead of one number that contradicts them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, timedelta
from itertools import pairwise
from pathlib import Path

import pytest

from drills.api import run_drill
from drills.engine.loop import Drill
from drills.reports.html import render_html
from drills.reports.markdown import render_markdown
from drills.reports.model import DrillReport
from drills.responders.live.grade import grade_live
from drills.responders.live.responder import ActionResult, JournaledAction, LiveResponder
from drills.runbook import Runbook, load_runbook
from drills.scenarios.loader import load_scenario
from drills.scenarios.schema import Scenario

ROOT = Path(__file__).parents[2]
RUNBOOK = ROOT / "examples" / "invoice-reminder.runbook.yaml"
CAUSE = "cause The reminder rule fired once per changed field instead of once per edit."
CONTAIN = ["pause", "stop email.outbox", "disable billing.invoice-updated",
           "disable activity-logger"]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return load_scenario("invoice-triple-trigger")


@pytest.fixture(scope="module")
def runbook() -> Runbook:
    return load_runbook(RUNBOOK)


def _at(scenario: Scenario, minutes: float) -> datetime:
    return scenario.starts + timedelta(minutes=minutes)


def _live(
    scenario: Scenario, runbook: Runbook, actions: Sequence[tuple[float, str, str]]
) -> tuple[DrillReport, LiveResponder, list[ActionResult]]:
    """The drill with these actions typed at these drill minutes, judged as a live drill."""
    results: list[ActionResult] = []
    responder = LiveResponder(
        scenario, runbook, team=("alice", "bob"),
        replay=[JournaledAction(_at(scenario, m), who, text) for m, who, text in actions],
        on_result=results.append,
    )
    result = Drill(scenario, runbook, responder=responder).run()
    report = grade_live(result, responder, runbook_path=str(RUNBOOK), with_runbook=False)
    return report, responder, results


def test_ending_early_plays_out_the_rest_of_the_window(
    scenario: Scenario, runbook: Runbook
) -> None:
    # The team looks, takes a snapshot and ends: the job they never paused keeps running.
    typed = [(2, "alice", "snapshot billing email"), (3, "alice", "note the job still runs")]
    ended, responder, _ = _live(scenario, runbook, [*typed, (5, "alice", "end yes")])
    left_on, _, _ = _live(scenario, runbook, typed)
    assert responder.ended_at == _at(scenario, 5)
    # The world went on after 'end': judged at the window's end, as if nobody had ended it.
    assert ended.finished == scenario.starts + scenario.runs_for
    at_end = [p.damaged for p in ended.timeline if p.at <= _at(scenario, 5)][-1]
    assert ended.outcome.records_damaged > at_end
    assert ended.outcome == left_on.outcome
    assert not ended.outcome.contained


def test_a_team_that_does_nothing_ends_where_doing_nothing_does(
    scenario: Scenario, runbook: Runbook
) -> None:
    report, _, _ = _live(scenario, runbook, [(0.1, "alice", "end yes")])
    nothing, _, _ = _live(scenario, runbook, [])
    o = report.outcome
    # The same harm; only the tick grid moved with the moment 'end' was typed at.
    timing = {"minutes_to_detect"}
    assert o.model_dump(exclude=timing) == nothing.outcome.model_dump(exclude=timing)
    assert o.minutes_to_detect is not None
    assert nothing.outcome.minutes_to_detect is not None
    assert abs(o.minutes_to_detect - nothing.outcome.minutes_to_detect) < 1
    assert (o.contained, o.restarted, o.minutes_to_contain) == (False, False, None)
    assert o.records_left_wrong == o.records_damaged > 0
    # Nothing that did not happen is credited: no note, no restart, no test record.
    assert report.comms.sent == []
    assert report.comms.first_note_at is None
    assert not any(item.done for item in report.restart_checklist)
    assert not any("passed" in item.detail for item in report.restart_checklist)
    approver = {c.item: c for c in report.restart_checklist}["Restart approved by a named person"]
    assert approver.detail == "not restarted; the runbook names Priya Nair"
    assert "not restarted" in render_markdown(report)
    md, html = render_markdown(report), render_html(report)
    assert "No note was sent during the drill" in md
    assert "No note was sent during the drill" in html
    assert "not sent" in md  # the drafted note is labelled a draft
    assert report.score.total is not None
    assert report.score.total < 10


def test_the_messages_are_the_notes_sent_with_the_numbers_of_their_moment(
    scenario: Scenario, runbook: Runbook
) -> None:
    # The job keeps running between the two notes, so the second knows of more damage.
    report, _, _ = _live(scenario, runbook, [
        (4, "bob", "notify reminders are going out three times; looking into it"),
        (20, "alice", "pause"),
        (21, "alice", "notify"),
        (25, "alice", "end yes"),
    ])
    sent = report.comms.sent
    assert [(n.at, n.who, n.kind, n.text) for n in sent] == [
        (_at(scenario, 4), "bob", "first note",
         "reminders are going out three times; looking into it"),
        (_at(scenario, 21), "alice", "update", ""),
    ]
    for note in sent:  # the judge's count at that moment: the timeline's point then
        point = [p for p in report.timeline if p.at <= note.at][-1]
        assert note.records_damaged == point.damaged
        assert note.by_system == point.by_system
    assert sent[1].records_damaged > sent[0].records_damaged > 0
    assert (sent[0].job_paused, sent[1].job_paused, sent[1].contained) == (False, True, False)
    assert report.comms.first_note_at == _at(scenario, 4)
    assert report.comms.updates_sent == 1
    md, html = render_markdown(report), render_html(report)
    for text in (md, html):
        assert "Notes sent (2)" in text
        assert "reminders are going out three times; looking into it" in text
        assert f"{sent[1].records_damaged:,}" in text
        assert "(sent without words)" in text
    assert len(re.findall(r'<tr data-at="2026-03-02T09:(?:14|31):00" data-damaged="\d+">',
                          html)) == 2


def test_after_an_early_restart_and_a_new_pause_the_ramp_restarts_the_job(
    scenario: Scenario, runbook: Runbook
) -> None:
    actions = [(1 + i * 0.1, "alice", c) for i, c in enumerate(CONTAIN)]
    actions += [(5, "alice", "restart normal")]  # early: no cause, the fault still there
    actions += [(7 + i * 0.1, "bob", c) for i, c in enumerate(CONTAIN)]
    actions += [(9, "bob", CAUSE), (10, "bob", "restart test"), (11, "bob", "restart ramp 1"),
                (12, "bob", "restart ramp 10"), (13, "bob", "restart normal"),
                (30, "bob", "end yes")]
    report, responder, results = _live(scenario, runbook, actions)
    assert [(r.action.command.text, r.message) for r in results if not r.ok] == []
    restarts = [s for s in report.steps if s.action == "restart"]
    assert [s.target for s in restarts] == ["normal", "1", "10", "normal"]
    assert "with the fault still in place" in restarts[0].outcome
    assert all("fixed" in s.outcome for s in restarts[1:])
    # The ramp as performed is the one that brought the job back.
    performed = responder.as_performed(report.finished)
    assert performed is not None
    assert performed.restart is not None
    assert performed.restart.ramp == [1, 10, "normal"]
    # Every turn is told: one "contained in N min" would contradict the restart.
    turns = [(t.kind, t.fixed) for t in report.containment]
    assert turns == [("contained", None), ("restarted", False), ("contained", None),
                     ("restarted", True)]
    first, again = (t.minute for t in report.containment if t.kind == "contained")
    headline = report.headline()
    assert (f"contained at {first:.0f} min, restarted at 5 with the fault in place, "
            f"contained again at {again:.0f}, restarted at 11") in headline
    assert "contained in" not in headline
    assert headline in render_markdown(report)


def test_a_ramp_still_only_grows_within_one_restart(
    scenario: Scenario, runbook: Runbook
) -> None:
    actions = [(1 + i * 0.1, "alice", c) for i, c in enumerate(CONTAIN)]
    actions += [(3, "alice", CAUSE), (4, "alice", "restart ramp 10"),
                (5, "alice", "restart ramp 5"), (6, "alice", "end yes")]
    _, _, results = _live(scenario, runbook, actions)
    refused = [r for r in results if not r.ok]
    assert [r.action.command.text for r in refused] == ["restart ramp 5"]
    assert refused[0].message == "a ramp grows: batch 5 is not bigger than 10 before it"


def test_the_checklist_says_what_the_test_record_showed(
    scenario: Scenario, runbook: Runbook
) -> None:
    contain = [(1 + i * 0.1, "alice", c) for i, c in enumerate(CONTAIN)]
    # A test that passed, and no restart after it: the test passed all the same.
    passed, _, _ = _live(scenario, runbook, [*contain, (3, "alice", CAUSE),
                                             (4, "alice", "restart test"),
                                             (5, "alice", "end yes")])
    item = {c.item: c for c in passed.restart_checklist}["One low-risk real test record"]
    assert (item.done, item.detail) == (True, "passed: the test record came out right")
    # A test before the cause was found failed; the one after it passed: the last counts.
    retried, _, _ = _live(scenario, runbook, [*contain, (3, "alice", "restart test"),
                                              (4, "alice", CAUSE),
                                              (5, "alice", "restart test"),
                                              (6, "alice", "end yes")])
    item = {c.item: c for c in retried.restart_checklist}["One low-risk real test record"]
    assert (item.done, item.detail) == (True, "passed: the test record came out right")
    failed, _, _ = _live(scenario, runbook, [*contain, (3, "alice", "restart test"),
                                             (6, "alice", "end yes")])
    item = {c.item: c for c in failed.restart_checklist}["One low-risk real test record"]
    assert (item.done, item.detail) == (
        False, "failed: the test record showed the fault is still there: write down the cause "
        "and fix it first")


def _polylines(html: str) -> dict[str, list[tuple[float, float]]]:
    """Each damage line of the timeline chart (total and per system) as (x, y) points."""
    chart = html[html.index('<svg class="chart timeline"'):]
    chart = chart[:chart.index("</svg>")]
    out: dict[str, list[tuple[float, float]]] = {}
    for attrs in re.findall(r"<polyline ([^>]*)/?>", chart):
        name = re.search(r'data-system="([^"]+)"', attrs)
        key = name.group(1) if name else "total"
        points = re.search(r'points="([^"]*)"', attrs)
        assert points is not None
        out[key] = [(float(x), float(y)) for x, y in
                    (p.split(",") for p in points.group(1).split())]
    return out


def _x_of(html: str, minute: float) -> float:
    """Where the chart draws ``minute``: the x scale read off two of its own dots."""
    dots = [(float(m), float(cx)) for cx, m in re.findall(
        r'<circle class="point" cx="([\d.]+)" cy="[\d.]+" r="[\d.]+" data-minute="([\d.]+)"',
        html)]
    (m0, x0), (m1, x1) = min(dots), max(dots)
    assert m1 > m0
    return x0 + (minute - m0) * (x1 - x0) / (m1 - m0)


def test_the_damage_chart_steps_and_runs_to_the_drills_end(
    scenario: Scenario, runbook: Runbook
) -> None:
    report, _, _ = _live(scenario, runbook, [(2, "alice", "pause"), (9, "alice", "end yes")])
    end = (report.finished - report.started).total_seconds() / 60
    # Also a report whose recorded damage stops early (its last point dropped): the line
    # still holds the last value to the drill's end.
    cut = report.model_copy(update={"timeline": report.timeline[:-2]})
    for each in (report, cut):
        html = render_html(each)
        lines = _polylines(html)
        assert set(lines) >= {"total", "billing", "email", "warehouse"}
        for name, points in lines.items():
            for (xa, ya), (xb, yb) in pairwise(points):
                # A step: flat, then straight up; never a slope across a gap.
                assert xa == xb or ya == yb, (name, (xa, ya), (xb, yb))
                assert xb >= xa
            assert points[-1][0] == pytest.approx(_x_of(html, end), abs=0.2), name
        total = lines["total"]
        assert total[-1][1] == total[-2][1]  # held flat at the last value
    assert f'data-end-minute="{round(end, 2)}"' in render_html(report)


def test_a_scripted_drill_lists_the_runbooks_notes_and_keeps_its_headline(
    scenario: Scenario, runbook: Runbook
) -> None:
    report = run_drill(scenario, runbook, costs=False)
    sent = report.comms.sent
    assert len(sent) == report.comms.updates_sent + 1 > 1
    assert sent[0].at == report.comms.first_note_at
    assert [n.kind for n in sent] == ["first note"] + ["update"] * (len(sent) - 1)
    assert {n.who for n in sent} == {runbook.owner.name}
    for note in sent:
        point = [p for p in report.timeline if p.at <= note.at][-1]
        assert note.records_damaged == point.damaged
    assert "the runbook's note (see the draft below)" in render_markdown(report)
    # One containment, then a fixed restart: the headline is the plain one.
    assert [(t.kind, t.fixed) for t in report.containment] == [("contained", None),
                                                                ("restarted", True)]
    assert report.outcome.minutes_to_contain is not None
    assert f"contained in {report.outcome.minutes_to_contain:.0f} min" in report.headline()
