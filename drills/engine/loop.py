"""The drill engine: a discrete-event loop where a bad run meets a responder.

Everything that happens in a drill is a process with a next time: the bad run's
next batch, each sync's schedule, people's next edit or shadow fix, the
responder's next step. The loop jumps the virtual clock to the earliest of them,
lets everything due act, checks the stop rules against the live metrics, and
records the blast radius. An hour-long incident is a few hundred iterations.

The engine returns :class:`DrillResult`, the raw facts; :mod:`drills.judging`
turns them into a :class:`drills.reports.model.DrillReport`. Progress is only announced
through handlers (:mod:`drills.engine.handlers`); the engine never prints.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from drills.engine.clock import DrillClock
from drills.engine.collector import collector_paused
from drills.engine.context import Detection, Responder, StepOutcome
from drills.engine.downstream import propagate
from drills.engine.handlers import DrillEvent, DrillEventHandler, HandlerRegistry
from drills.engine.hooks import AutomationControl, HookContext, PauseHook
from drills.engine.metrics import MetricReader, job_shape, review_templates
from drills.engine.people import Complaint, People, PersonEdit
from drills.engine.runtime import AutomationRuntime
from drills.fakes.active import CATALOG, activate
from drills.fakes.backends.base import Backend
from drills.fakes.backends.sqlite import SqliteBackend
from drills.fakes.store import SqlStore
from drills.fakes.syncs import Sync, TableCopy
from drills.fakes.world import WorldTemplate
from drills.reports.model import DamagePoint, LogEntry, StepRecord
from drills.runbook import Runbook
from drills.runbook.durations import Raised
from drills.scenarios.badrun import BadRun
from drills.scenarios.build import ScenarioWorld, build_scenario_world
from drills.scenarios.schema import Scenario

__all__ = ["Detection", "Drill", "DrillResult", "Pacer"]

TICK = timedelta(minutes=1)
"""How finely the bad run is batched and the stop rules are checked."""


class Pacer(Protocol):
    """Ties drill time to the wall clock for live drills; without one, time just jumps.

    Called before the clock moves: ``proposed`` is the next moment the world has
    something to do (None when only the responder can change it). Return that time
    after waiting for it, an earlier time at which the team acted, or None to end.
    """

    def wait(self, now: datetime, proposed: datetime | None) -> datetime | None: ...


@dataclass
class DrillResult:
    """What happened in one drill, before any judging."""

    scenario: Scenario
    runbook: Runbook | None
    world: ScenarioWorld
    run: BadRun
    runtime: AutomationRuntime
    people: People
    detection: Detection | None
    acted_at: datetime | None
    steps: list[StepRecord]
    outcomes: list[StepOutcome]
    log: list[LogEntry]
    timeline: list[DamagePoint]
    notes: list[datetime]
    started: datetime
    finished: datetime
    wall_seconds: float
    drill_id: str
    extras: dict[str, object] = field(default_factory=dict)
    ran_at: datetime | None = None
    """Wall-clock UTC time the drill was started (a resumed or replayed drill keeps the first)."""
    interrupted: bool = False
    """The drill was stopped at ``until`` before its end (no end-of-drill catch-up ran)."""
    raised: list[Raised] = field(default_factory=list)
    """Steps whose time in the runbook was below the modelled minimum for their size, so
    the scripted responder raised it (:mod:`drills.runbook.durations`); people in a live
    drill take the time they take, so theirs is empty."""

    @property
    def store(self) -> SqlStore:
        return self.world.store

    @property
    def restarted_with_fault(self) -> bool:
        """The job was restarted (at least once) while its fault was still live: the
        damage done again is in ``runtime.redamaged``; a gate no score can buy."""
        return self.runtime.restarted_with_fault

    @property
    def feeder_accounts(self) -> dict[str, dict[str, int]]:
        """What happened to the work each feeder would have delivered (held, retried,
        delivered, lost, given up, still held), and what waited for the paused job."""
        return self.runtime.accounting()


class Drill:
    """One drill: a scenario's world, its bad run, its people and a responder.

    The engine has no responder of its own: pass ``responder``, or use
    :class:`drills.Drill` (:class:`drills.responders.scripted.Drill`), whose responder
    defaults to the scripted one following ``runbook``.

    ``store`` defaults to a fresh in-memory SQLite database; pass ``db_path`` to keep
    the drill database as a file to inspect afterwards, or ``backend`` (an open
    :class:`~drills.fakes.backends.Backend`, which the caller disposes) to build the world there.
    """

    def __init__(
        self,
        scenario: Scenario,
        runbook: Runbook | None = None,
        *,
        responder: Responder | None = None,
        store: SqlStore | None = None,
        db_path: Path | None = None,
        backend: Backend | None = None,
        handlers: Iterable[DrillEventHandler] = (),
        drill_id: str | None = None,
        ran_at: datetime | None = None,
        hooks: Mapping[str, PauseHook] | None = None,
        pacer: Pacer | None = None,
        template: WorldTemplate | None = None,
        keep_template: bool = False,
    ) -> None:
        activate(scenario.catalog)  # every look-up from here on is in the scenario's systems
        self.scenario = scenario
        self.template = template
        """A seeded world to fork this drill's world from instead of seeding it."""
        self.keep_template = keep_template
        """Keep this drill's freshly seeded world (``result.world.world.template``) for
        its reruns to fork from."""
        self.pacer = pacer
        self.runbook = runbook
        self.clock = DrillClock(scenario.starts)
        if backend is not None and (store is not None or db_path is not None):
            raise ValueError("a drill's world lives in one place: give store, db_path or "
                             "backend, not two")
        if store is None:
            store = SqlStore(backend if backend is not None else SqliteBackend(db_path),
                             self.clock)
        else:
            store.clock = self.clock
        self.store = store
        self.handlers = HandlerRegistry(handlers)
        self.responder = responder or self.default_responder(scenario, runbook, hooks)
        self.drill_id = drill_id or f"{scenario.name}-{scenario.seed}"
        self.ran_at = ran_at or datetime.now(UTC)
        self.until: datetime | None = None

    def default_responder(
        self, scenario: Scenario, runbook: Runbook | None, hooks: Mapping[str, PauseHook] | None
    ) -> Responder:
        """The responder when none is given; the engine has none (see the class docstring)."""
        raise ValueError("the drill engine needs a responder: pass responder=..., or use "
                         "drills.Drill, which follows the runbook with the scripted responder")

    def run(self, until: datetime | None = None) -> DrillResult:
        """Run the drill to its end, or only through the moments at or before ``until``.

        ``until`` replays a drill that was interrupted (see :mod:`drills.journal`): the
        world stops as it stood after the last moment reached, with no end-of-drill sync
        catch-up, because that catch-up never happened in the drill being rebuilt.
        """
        self.until = until
        wall = time.perf_counter()
        scenario = self.scenario
        # A scripted drill ends in seconds: the collector waits (drills.engine.collector). A
        # paced (live) drill runs beside a terminal for as long as the team takes.
        paused = collector_paused() if self.pacer is None else nullcontext()
        with self.clock, paused:
            world = build_scenario_world(scenario, self.store, template=self.template,
                                         keep_template=self.keep_template)
            run = BadRun(scenario, self.store)
            runtime = AutomationRuntime(scenario, run)
            people = People(scenario, self.store, run.truth)
            metrics = MetricReader(self.store, run.run_id, review_templates(scenario),
                                   job_shape(scenario))
            loop = _Loop(self, world, run, runtime, people, metrics)
            loop.go()
        return DrillResult(
            scenario=scenario,
            runbook=self.runbook,
            world=world,
            run=run,
            runtime=runtime,
            people=people,
            detection=loop.detection,
            acted_at=self.responder.acted_at,
            steps=self.responder.steps,
            outcomes=self.responder.outcomes,
            log=loop.log,
            timeline=loop.timeline,
            notes=self.responder.notes,
            started=scenario.starts,
            finished=self.clock.now(),
            wall_seconds=time.perf_counter() - wall,
            drill_id=self.drill_id,
            ran_at=self.ran_at,
            interrupted=loop.interrupted,
            # Only a responder that models step times has any (the Responder protocol
            # does not ask for it, so people's own responders need not).
            raised=list(getattr(self.responder, "raised", [])),
        )


class _Loop:
    """The event loop proper, split out so :class:`Drill` stays a small facade.

    It is the :class:`~drills.engine.context.DrillContext` the responder is bound to.
    """

    def __init__(
        self,
        drill: Drill,
        world: ScenarioWorld,
        run: BadRun,
        runtime: AutomationRuntime,
        people: People,
        metrics: MetricReader,
    ) -> None:
        self.drill = drill
        self.world = world
        self.run = run
        self.runtime = runtime
        self.people = people
        self.metrics = metrics
        self.clock = drill.clock
        self.responder = drill.responder
        self.detection: Detection | None = None
        self.log: list[LogEntry] = []
        self.timeline: list[DamagePoint] = []
        self.end = drill.scenario.starts + drill.scenario.runs_for
        self.interrupted = False
        self._last_step: datetime | None = None

    # -- the DrillContext a responder sees -------------------------------------------------

    @property
    def scenario(self) -> Scenario:
        return self.drill.scenario

    @property
    def store(self) -> SqlStore:
        return self.world.store

    @property
    def syncs(self) -> Sequence[Sync]:
        return self.world.syncs.syncs

    def now(self) -> datetime:
        return self.clock.now()

    def advance_to(self, moment: datetime) -> None:
        self.clock.set(max(moment, self.clock.now()))

    def hook_context(self, at: datetime) -> HookContext:
        return HookContext(at, self.drill.scenario, self.world.store,
                           AutomationControl(self.runtime, self.clock.now))

    def emit(self, kind: str, at: datetime, **data: Any) -> None:
        self.drill.handlers.emit(kind, at, **data)

    def note(self, at: datetime, who: str, what: str) -> None:
        self.log.append(LogEntry(at=at, who=who, what=what))
        self.emit(DrillEvent.LOG, at, who=who, what=what)

    def go(self) -> None:
        start = self.drill.scenario.starts
        self.emit(DrillEvent.STARTED, start, scenario=self.drill.scenario.name)
        self.responder.bind(self)
        now = start
        self._point(now)
        while not self._stops_at(now):
            self._act(now)
            nxt = self._next(now)
            if self.drill.pacer is not None and not self.responder.done:
                nxt = self.drill.pacer.wait(now, nxt)
            if nxt is None or nxt > self.end or self._stops_at(nxt):
                break
            now = nxt
            self.clock.set(now)
        if self.interrupted:
            return  # the world as it stood; the drill being replayed never got further
        self._settle(self.clock.now())
        self.emit(DrillEvent.FINISHED, self.clock.now(), damaged=len(self.run.truth.records))

    def _stops_at(self, moment: datetime) -> bool:
        """True (and the drill counts as interrupted) when ``moment`` is past ``until``."""
        until = self.drill.until
        if until is None or moment <= until:
            return False
        self.interrupted = True
        return True

    def _settle(self, now: datetime) -> None:
        """At the end, the running job takes what a restart released, the feeders' accounts
        go to the log, and every copy catches up once, so counts compare like with like.

        Field syncs flush first (what is in flight lands), then table copies take
        what they delivered.
        """
        runtime = self.runtime
        last = self._last_step
        if runtime.restarted_at is not None and not runtime.job_paused and (
            last is None or last < now or runtime.restarted_at >= last
        ):
            self._step_runtime(now)  # what a last-minute restart released is done, not lost
        for n in runtime.summary(now):
            self.note(n.at, n.who, n.what)
        store = self.world.store
        for sync in sorted(self.world.syncs.syncs, key=lambda s: isinstance(s, TableCopy)):
            sync.flush(store, now)
        propagate(store, self.run.truth, self.world.syncs.syncs)
        self._point(now)

    # -- one moment ----------------------------------------------------------------------

    def _act(self, now: datetime) -> None:
        self._step_runtime(now)
        ran = self.world.syncs.run_due(self.world.store, now)
        if any(ran.values()):
            propagate(self.world.store, self.run.truth, self.world.syncs.syncs)
            self.emit(DrillEvent.SYNC, now, ran=ran)
        for edit in self.people.edit_due(now):
            self._person(edit)
        visible = sum(
            len(keys)
            for table, keys in self.run.truth.records.items()
            if CATALOG.seen(table)
        )
        complaint = self.people.complain_due(now, visible)
        if complaint is not None:
            self._complaint(complaint)
        if self.detection is None:
            self._detect(now, complaint)
        self.responder.advance(now)
        for edit in self.people.shadow_fix_due(
            now,
            self.detection.at if self.detection else None,
            self.responder.notes[0] if self.responder.notes else None,
        ):
            self._person(edit)
        self._point(now)

    def _step_runtime(self, now: datetime) -> None:
        """One batch of the bad run, and what its feeders held, released or lost, in the log."""
        self._last_step = now
        result = self.runtime.step(now)
        if result is not None and result.writes:
            self.emit(DrillEvent.BATCH, now, events=result.events, damage=len(result.damage))
        self._runtime_notes()

    def _runtime_notes(self) -> None:
        for n in self.runtime.notes:
            self.note(n.at, n.who, n.what)
        self.runtime.notes.clear()

    def _person(self, edit: PersonEdit) -> None:
        kind = DrillEvent.SHADOW_FIX if edit.shadow else DrillEvent.PERSON_EDIT
        self.emit(kind, edit.at, table=edit.table, key=edit.key, field=edit.field, who=edit.who)
        if not edit.shadow:  # shadow fixes are, by definition, not in the shared log
            self.note(edit.at, edit.who, f"edited {edit.table} #{edit.key} ({edit.field})")

    def _complaint(self, complaint: Complaint) -> None:
        self.metrics.complaints.append(complaint.at)
        self.emit(DrillEvent.COMPLAINT, complaint.at, about=complaint.about)
        self.note(complaint.at, "support", f"customer complaint: {complaint.about}")

    def _detect(self, now: datetime, complaint: Complaint | None) -> None:
        for rule in self.responder.stop_rules():
            assert rule.metric is not None
            value = self.metrics.read(rule.metric, now, rule.window)
            if rule.fires(value):
                how = f"stop rule {rule.shown} fired ({value:g})"
                self.detection = Detection(now, how, rule.text)
                break
        else:
            if complaint is None:
                return
            self.detection = Detection(now, f"first customer complaint ({complaint.about})", None)
        self.emit(DrillEvent.DETECTED, now, how=self.detection.how)
        self.note(now, "drill", f"detected: {self.detection.how}")
        self.responder.detected(now)

    def _point(self, now: datetime) -> None:
        counts = self.run.truth.counts()
        by_system: dict[str, int] = {}
        for table, n in counts.items():
            system = table.split(".")[0]
            by_system[system] = by_system.get(system, 0) + n
        minute = (now - self.drill.scenario.starts).total_seconds() / 60
        point = DamagePoint(
            minute=round(minute, 2), at=now, damaged=sum(counts.values()), by_system=by_system
        )
        if self.timeline and self.timeline[-1].damaged == point.damaged and (
            self.timeline[-1].by_system == point.by_system
        ) and minute - self.timeline[-1].minute < 10:
            return
        self.timeline.append(point)

    # -- what comes next -----------------------------------------------------------------

    def _next(self, now: datetime) -> datetime | None:
        """The next moment anything happens; None when the drill is over.

        While the bad run, the people or the stop rules can change something, the
        clock moves one tick at a time (batches and rule checks are per tick); once
        the world is quiet it jumps straight to the responder's next step.
        """
        if self.responder.done:
            return None
        step = self.responder.next_time()
        if self._quiet():
            return step
        nxt = now + TICK
        if step is not None and now < step < nxt:
            return step
        return nxt

    def _quiet(self) -> bool:
        """Nothing but the responder can change the world from here on."""
        runtime = self.runtime
        run_idle = runtime.exhausted or (runtime.contained and not runtime.restarted_at)
        people_idle = not self.drill.scenario.people.edits_per_hour
        waiting_for_complaint = self.detection is None and not runtime.exhausted
        return run_idle and people_idle and not waiting_for_complaint and (
            self.detection is not None or runtime.exhausted
        )
