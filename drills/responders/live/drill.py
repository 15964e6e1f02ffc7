"""One live drill: the engine in a thread of its own, paced by the wall clock, fed by the team.

:class:`LiveDrill` wires the pieces and owns no terminal: the engine runs the world
with a :class:`~drills.responders.live.responder.LiveResponder` and a
:class:`~drills.responders.live.pacer.LivePacer`; whoever drives it (the full-screen session,
a script reading lines, a test) calls :meth:`LiveDrill.enter` with checked commands
and reads :meth:`LiveDrill.view` for the screen. All database work happens in the
engine's thread; the view is plain values copied under a lock.

Every applied action and engine event goes to the journal as it happens. On resume
the journal's actions are handed back to the responder and replayed at their drill
times without waiting; engine events up to the journal's last moment are not
written twice.

The world is built in the ``backend`` given (an open database the caller disposes,
e.g. a drill schema on the team's PostgreSQL sandbox), else in SQLite in memory. The
engine's thread is the only one using it; :meth:`LiveDrill.close` ends that thread
(stopping a drill the team closed before its end), after which the caller disposes
the backend.
"""

from __future__ import annotations

import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from drills.engine.context import DrillContext
from drills.engine.handlers import DrillEvent
from drills.engine.loop import Drill, DrillResult
from drills.journal import JournalHandler, JournalWriter
from drills.judging import evaluate
from drills.reports.model import DrillReport, LogEntry
from drills.responders.live.commands import Command, CommandContext
from drills.responders.live.grade import grade_live
from drills.responders.live.pacer import DrillClosed, Inbox, LivePacer
from drills.responders.live.responder import (
    ActionResult,
    JournaledAction,
    LiveResponder,
    context_for,
)
from drills.runbook import Runbook
from drills.scenarios.schema import Scenario

if TYPE_CHECKING:
    from drills.fakes.backends.base import Backend

__all__ = [
    "DEFAULT_SPEED", "MAX_SPEED", "MIN_SPEED", "LiveDrill", "LivePlan", "LiveView",
    "speed_problem",
]

DEFAULT_SPEED = 10.0
"""Drill seconds per wall second: an hour-long incident in six minutes, and a typed
command (about ten seconds) costs the team a minute or two of drill time, as in life."""

MIN_SPEED = 0.01
"""A drill second every 100 real seconds: slower helps nobody, and a speed near zero
turns the wait for the next moment into centuries (past what a clock can hold)."""

MAX_SPEED = 3600.0
"""An hour of drill time per second: beyond that nobody can type fast enough to matter."""


def speed_problem(speed: object) -> str | None:
    """Why ``speed`` cannot pace a live drill (``--speed``, or a journal's), else None."""
    shown = repr(speed) if len(repr(speed)) <= 24 else repr(speed)[:21] + "..."
    if type(speed) not in (int, float):
        return f"is {shown}, not a number"
    assert isinstance(speed, int | float)
    if not MIN_SPEED <= speed <= MAX_SPEED:  # NaN fails both
        return (f"must be above 0 (at least {MIN_SPEED:g}) and at most {MAX_SPEED:g} drill "
                f"seconds a second, got {shown}")
    return None

_ALERTS = {DrillEvent.COMPLAINT, DrillEvent.DETECTED, DrillEvent.SHADOW_FIX}


@dataclass(frozen=True)
class LivePlan:
    """Everything a live drill is run from (and resumed from: it is all in the journal)."""

    scenario: Scenario
    runbook: Runbook | None
    runbook_path: str | None = None
    team: tuple[str, ...] = ("team",)
    speed: float = DEFAULT_SPEED
    drill_id: str | None = None
    ran_at: datetime | None = None
    """When the drill first started (wall, UTC); a resumed drill keeps its journal's."""
    out: str | None = None
    """Where its report files go (``--out``), as the journal keeps it for a resume."""
    formats: tuple[str, ...] = ()
    """Which report files go there (``--format``); empty: the command's default."""


@dataclass
class LiveView:
    """What the screen shows, copied out of the drill under a lock."""

    started: datetime
    speed: float
    job: str
    clock: datetime | None = None
    ready: bool = False
    over: bool = False
    replaying: bool = False
    damaged: int = 0
    left_wrong: int | None = None
    """Records wrong right now, by the judge's measure against ground truth (the
    facilitator's view: a team finds out only by looking); None until first measured."""
    by_system: dict[str, int] = field(default_factory=dict)
    detected: str | None = None
    job_paused: bool = False
    contained: bool = False
    restarted: bool = False
    feeders: list[tuple[str, str, bool]] = field(default_factory=list)
    alerts: list[tuple[datetime, str]] = field(default_factory=list)
    log: list[LogEntry] = field(default_factory=list)
    notes: int = 0
    playing_out: bool = False
    """The team ended the drill; the rest of the window is being played out."""
    snapshots: list[str] = field(default_factory=list)
    run_ids: list[str] = field(default_factory=list)
    error: str | None = None


class _Feed:
    """An engine event handler keeping the alerts the screen shows."""

    def __init__(self, drill: LiveDrill) -> None:
        self.drill = drill

    def on_event(self, kind: str, at: datetime, data: dict[str, Any]) -> None:
        if kind not in _ALERTS:
            return
        text = {
            DrillEvent.COMPLAINT: lambda: f"customer complaint: {data.get('about')}",
            DrillEvent.DETECTED: lambda: f"ALERT {data.get('how')}",
            DrillEvent.SHADOW_FIX: lambda: f"untracked hand fix by {data.get('who')} on "
                                           f"{data.get('table')} #{data.get('key')}",
        }[kind]()
        with self.drill._lock:
            self.drill._alerts.append((at, text))


class _AfterReplay:
    """Journals engine events, except those the journal already holds (a resumed drill)."""

    def __init__(self, handler: JournalHandler, until: datetime | None) -> None:
        self.handler = handler
        self.until = until

    def on_event(self, kind: str, at: datetime, data: dict[str, Any]) -> None:
        if self.until is not None and at <= self.until:
            return
        self.handler.on_event(kind, at, data)


class LiveDrill:
    """A live drill running in a background thread until the team ends it or time runs out."""

    def __init__(
        self,
        plan: LivePlan,
        *,
        journal: JournalWriter | None = None,
        replay: Sequence[JournaledAction] = (),
        replay_until: datetime | None = None,
        on_result: Callable[[ActionResult], None] | None = None,
        grade_with_runbook: bool = True,
        backend: Backend | None = None,
    ) -> None:
        self.plan = plan
        self.journal = journal
        self.backend = backend
        self.on_result = on_result
        self.grade_with_runbook = grade_with_runbook
        scenario = plan.scenario
        self.inbox = Inbox()
        self.responder = LiveResponder(
            scenario, plan.runbook, team=plan.team, replay=replay, journal=journal,
            on_result=self._result, on_advance=self._observe,
        )
        self.pacer = LivePacer(self.responder, self.inbox, speed=plan.speed,
                               end=scenario.starts + scenario.runs_for,
                               replay_until=replay_until)
        self.replay_until = replay_until
        self._lock = threading.Lock()
        self._alerts: deque[tuple[datetime, str]] = deque(maxlen=50)
        self._view = LiveView(started=scenario.starts, speed=plan.speed,
                              job=scenario.automation.name, replaying=bool(replay))
        self._context: CommandContext | None = None
        self._measured: tuple[int, int, float] | None = None
        """(damaged, actions applied) when left-wrong was last measured, and the monotonic
        time before which it is not measured again."""
        self._done = threading.Event()
        self.result: DrillResult | None = None
        self.report: DrillReport | None = None
        self.error: BaseException | None = None
        self.closed = False
        """The team closed the drill before its end: not judged, its journal resumable."""
        self._thread = threading.Thread(target=self._run, name="drill", daemon=True)

    # -- driving it ----------------------------------------------------------------------

    def start(self) -> LiveDrill:
        self._thread.start()
        return self

    def enter(self, who: str, command: Command) -> None:
        """Hand a checked command to the drill; it is stamped with the drill time now."""
        self.inbox.put(who, command)

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the drill to be over and judged (or closed); True when it is."""
        return self._done.wait(timeout)

    @property
    def over(self) -> bool:
        """The drill ended and was judged (or failed); not when it was closed before its end."""
        return self._done.is_set() and not self.closed

    def close(self) -> None:
        """Stop the drill if it has not ended, and wait for its thread to end.

        Afterwards nothing touches the world's database, so the caller may dispose the
        backend. A drill closed before its end is not judged and its journal gets no
        report, so ``drills live --resume`` carries it on. Closing twice is harmless.
        """
        if self._thread.is_alive():
            self.pacer.stop()
            self._thread.join()

    def context(self) -> CommandContext | None:
        """What commands are checked against; None until the world is built."""
        with self._lock:
            return self._context

    def view(self) -> LiveView:
        with self._lock:
            view = self._view
            clock = self.pacer.drill_now()
            copy = LiveView(**{**view.__dict__})
            copy.alerts = list(self._alerts)
            if clock is not None and not view.over and not view.replaying and (
                not view.playing_out
            ):
                copy.clock = max(clock, view.clock) if view.clock else clock
            return copy

    # -- the engine's thread -------------------------------------------------------------

    def _run(self) -> None:
        plan = self.plan
        handlers: list[Any] = [_Feed(self)]
        if self.journal is not None:
            handlers.insert(0, _AfterReplay(JournalHandler(self.journal), self.replay_until))
        try:
            drill = Drill(plan.scenario, plan.runbook, responder=self.responder,
                          handlers=handlers, drill_id=plan.drill_id, pacer=self.pacer,
                          ran_at=plan.ran_at, backend=self.backend)
            self.result = drill.run()
            with self._lock:
                self._view.over = True
            self.report = grade_live(self.result, self.responder, runbook_path=plan.runbook_path,
                                     with_runbook=self.grade_with_runbook)
            with self._lock:
                self._view.left_wrong = self.report.outcome.records_left_wrong
                self._view.damaged = self.report.outcome.records_damaged
                self._view.playing_out = False
            if self.journal is not None:
                self.journal.finish(self.report)
        except DrillClosed:
            self.closed = True
        except BaseException as err:  # shown to the team; the journal keeps what happened
            self.error = err
            with self._lock:
                self._view.error = "".join(traceback.format_exception_only(err)).strip()
                self._view.over = True
        finally:
            self._done.set()

    def _result(self, result: ActionResult) -> None:
        if self.on_result is not None:
            self.on_result(result)

    def _left_wrong(self, loop: DrillContext, now: datetime, damaged: int) -> int | None:
        """Records wrong now by the judge's own measure, remeasured when damage or the
        team's actions changed, at most once a wall second (a measure reads the world)."""
        if self.responder.playing_out or self.responder.replaying:
            return None  # the report measures the played-out end; a replay is not watched
        applied = len(self.responder.results)
        last = self._measured
        if last is not None and ((last[0], last[1]) == (damaged, applied)
                                 or time.monotonic() < last[2]):
            return None
        # The engine's loop is the context; the measure needs its world and people too.
        world, people = getattr(loop, "world", None), getattr(loop, "people", None)
        if world is None or people is None:
            return None  # a context without the world's parts: nothing to measure with
        began = time.monotonic()
        result = DrillResult(
            scenario=loop.scenario, runbook=None, world=world, run=loop.run,
            runtime=loop.runtime, people=people, detection=loop.detection, acted_at=None,
            steps=[], outcomes=[], log=[], timeline=[], notes=[], started=loop.scenario.starts,
            finished=now, wall_seconds=0.0, drill_id=self.plan.drill_id or loop.scenario.name,
        )
        left = evaluate(result).records_left_wrong
        took = time.monotonic() - began
        # Next measure no sooner than a second, or five times what this one took (a large
        # world's measure must not hold the drill's clock back).
        self._measured = (damaged, applied, time.monotonic() + max(1.0, 5 * took))
        return left

    def _observe(self, loop: DrillContext, now: datetime) -> None:
        rt = loop.runtime
        counts = loop.run.truth.counts()
        by_system: dict[str, int] = {}
        for table, n in counts.items():
            by_system[table.split(".")[0]] = by_system.get(table.split(".")[0], 0) + n
        left_wrong = self._left_wrong(loop, now, sum(counts.values()))
        with self._lock:
            if self._context is None:
                self._context = context_for(loop, self.plan.team)
            v = self._view
            v.ready = True
            v.clock = now
            v.replaying = self.responder.replaying
            v.damaged = sum(counts.values())
            if left_wrong is not None:
                v.left_wrong = left_wrong
            v.playing_out = self.responder.playing_out
            v.by_system = dict(sorted(by_system.items()))
            v.detected = (f"{loop.detection.at:%H:%M:%S} {loop.detection.how}"
                          if loop.detection else None)
            v.job_paused = rt.job_paused
            v.contained = rt.contained
            v.restarted = rt.restarted_at is not None
            v.feeders = [(f.name, f.kind, f.live) for f in rt.feeders.values()]
            v.log = list(loop.log[-40:])
            v.notes = len(self.responder.notes)
            v.snapshots = [s.name for s in self.responder.snapshots]
            v.run_ids = list(self.responder.run_ids)
            shown = {self.plan.scenario.starts, now, *(at for at, _ in self._alerts),
                     *(e.at for e in v.log)}
            self._context = replace(
                self._context, snapshots=tuple(v.snapshots), run_ids=tuple(v.run_ids),
                batch_ids=tuple(self.responder.batch_ids),
                times=tuple(sorted({f"{at:%H:%M}" for at in shown})),
            )
