"""The live screen drawn from a view, as plain text at a fixed width."""

from __future__ import annotations

from datetime import datetime

from drills.reports.model import LogEntry
from drills.responders.live.drill import LiveView
from drills.responders.live.screen import render_status

T = datetime(2026, 3, 2, 9, 10)


def test_the_status_shows_clock_damage_feeders_alerts_and_the_log() -> None:
    view = LiveView(
        started=T, speed=10, job="invoice-reminder", clock=datetime(2026, 3, 2, 9, 24, 5),
        ready=True, damaged=83, by_system={"billing": 30, "email": 23, "warehouse": 30},
        detected="09:11:00 stop rule fired", job_paused=True,
        feeders=[("email.outbox", "queue", False), ("activity-logger", "chained", True)],
        alerts=[(datetime(2026, 3, 2, 9, 11), "ALERT stop rule 'duplicate_messages >= 5'"),
                (datetime(2026, 3, 2, 9, 15), "customer complaint: duplicate emails")],
        log=[LogEntry(at=datetime(2026, 3, 2, 9, 13, 2), who="alice",
                      what="pause: done; 1 feeder(s) still running: activity-logger")],
        notes=1, snapshots=["snap1"],
    )
    text = render_status(view, 100, who="alice", color=False)
    assert "\x1b[" not in text
    lines = text.splitlines()
    assert lines[0].startswith("DRILL clock 09:24:05 (+14 min) · speed x10 · acting: alice")
    assert "damaged records 83  billing 30  email 23  warehouse 30" in text
    assert "job invoice-reminder: paused  queue email.outbox: off  chained activity-logger: on" \
        in text
    assert "snapshots snap1" in text
    assert "09:11:00  ALERT stop rule 'duplicate_messages >= 5'" in text
    assert "09:13:02   alice   pause: done; 1 feeder(s) still running: activity-logger" in text
    assert all(len(line) <= 100 for line in lines)
    coloured = render_status(view, 100, who="alice")
    assert "\x1b[" in coloured


def test_before_the_world_is_built_and_after_the_drill() -> None:
    view = LiveView(started=T, speed=60, job="invoice-reminder")
    assert "building the world" in render_status(view, 80, color=False)
    view.over = True
    view.clock = T
    assert "DRILL OVER" in render_status(view, 80, color=False)


def test_left_wrong_is_shown_beside_damaged_as_the_judges_count() -> None:
    view = LiveView(started=T, speed=10, job="invoice-reminder",
                    clock=datetime(2026, 3, 2, 9, 40), ready=True, damaged=1_240,
                    left_wrong=1_105, by_system={"billing": 620, "email": 620})
    text = render_status(view, 100, color=False)
    assert "damaged records 1,240  left wrong 1,105 (judge's count)  billing 620  email 620" \
        in text
    view.left_wrong = None  # not measured yet: nothing shown rather than a guess
    assert "left wrong" not in render_status(view, 100, color=False)


def test_an_ended_drill_says_the_rest_of_its_window_is_played_out() -> None:
    view = LiveView(started=T, speed=10, job="invoice-reminder",
                    clock=datetime(2026, 3, 2, 10, 5), ready=True, playing_out=True)
    assert "ENDED: PLAYING OUT THE REST OF THE WINDOW" in render_status(view, 120, color=False)
