"""Responders: who acts on a bad run. The scripted one follows a runbook in virtual time.

Rule by rule, the scripted responder does what the runbook says and no more:
detection is the first stop rule that fires (or the first complaint); someone who
can pause acts at once, otherwise after the scenario's escalation delay; then the
runbook's steps run in order, each taking its time - pause and containment,
snapshot, scope, repair (sample, stages), verification, restart - while the first
note and updates go out on the comms schedule. A step's time is worked out when it
starts, once its size is known (records exported, records to repair): the runbook's
``takes`` (or its documented default), but never less than the modelled minimum for
that size (:mod:`drills.runbook.durations`); a written time below it is raised and
listed in :attr:`ScriptedResponder.raised`. A step the runbook leaves out is
simply not done, which is how a drill measures what the gap costs.

It acts through :class:`~drills.engine.context.DrillContext` only. :class:`Drill`
(``drills.Drill``) is the engine's drill with this responder as its default: the
engine itself knows no responder.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any

import sqlalchemy as sa

from drills.engine.context import DrillContext, Responder, StepOutcome
from drills.engine.handlers import DrillEvent
from drills.engine.hooks import PauseHook, resolve_hook, run_hook
from drills.engine.loop import Drill as EngineDrill
from drills.engine.people import owner_away
from drills.fakes.active import CATALOG
from drills.fakes.actors import Actor
from drills.fakes.snapshots import Snapshot, take_snapshot
from drills.files import format_duration
from drills.levers.counts import reconcile
from drills.levers.repair import (
    RepairStage,
    ScopeSlice,
    repair_stage,
    repairable_count,
    stage_bounds,
    stage_summary,
    undo_overwrites,
)
from drills.levers.review import review_run
from drills.levers.scope import ScopeResult, take_scope
from drills.levers.sources import RepairSources, rerun_values, sources_for
from drills.reports.model import Reconcile, StepRecord
from drills.responders.deliveries import DeliveryStep, delivery_steps, hold
from drills.runbook import Runbook, StopRule, can_pause, takes
from drills.runbook.defaults import first_note_within, next_update_every
from drills.runbook.durations import MANUAL_RATE as _MANUAL_RATE
from drills.runbook.durations import Modelled, Raised, modelled, repair_minimum
from drills.runbook.proof import cause_problem
from drills.scenarios.schema import Scenario

__all__ = ["Drill", "Responder", "ScriptedResponder", "StepOutcome"]

MANUAL_RATE = _MANUAL_RATE
"""Records one person repairs by hand per minute: why manual repair of hundreds is slow
(the figure and its reason are in :mod:`drills.runbook.durations`)."""

ESCALATED = "on-call manager (reached by escalation)"
"""Who acts when the owner is away and the runbook names no backup."""


@dataclass
class _Planned:
    section: str
    action: str
    target: str
    takes: timedelta
    effect: Callable[[datetime], tuple[bool, str, Any]]
    who: str
    minimum: Callable[[], Modelled] | None = None
    """The modelled minimum, worked out when the step starts (its size is known then)."""
    written: timedelta | None = None
    """The runbook's own time for the step, when it wrote one (None: the default)."""
    path: str = ""
    """Where that time is written in the runbook: ``pause[0].takes``."""
    shares: list[_Planned] = field(default_factory=list)
    """For the first stage of a repair: every stage, which share the repair's time."""


class ScriptedResponder:
    """Follows a runbook exactly, in virtual time."""

    def __init__(
        self,
        scenario: Scenario,
        runbook: Runbook | None,
        hooks: Mapping[str, PauseHook] | None = None,
    ) -> None:
        self.scenario = scenario
        self.runbook = runbook
        self.hooks: Mapping[str, PauseHook] = dict(hooks or {})
        self.acted_at: datetime | None = None
        self.steps: list[StepRecord] = []
        self.outcomes: list[StepOutcome] = []
        self.notes: list[datetime] = []
        self._queue: list[_Planned] = []
        self._current: tuple[_Planned, datetime] | None = None
        self._next_note: datetime | None = None
        self._context: DrillContext | None = None
        self._detected: datetime | None = None
        self.snapshot: Snapshot | None = None
        self.scope: ScopeResult | None = None
        self.repairs: list[RepairStage] = []
        self._repairable_for: tuple[ScopeResult | None, int] | None = None
        self._rerun: sa.Table | None = None
        self.reconciled: list[Reconcile] | None = None
        self._watch_until: datetime | None = None
        self._finished = False
        self.raised: list[Raised] = []
        """Steps whose written time was below the modelled minimum, raised to it."""
        self._updates_raised = False

    # -- protocol ------------------------------------------------------------------------

    def bind(self, context: DrillContext) -> None:
        self._context = context

    def stop_rules(self) -> Sequence[StopRule]:
        if self.runbook is None:
            return []
        return [r for r in self.runbook.stop_rules if r.parsed]

    def detected(self, at: datetime) -> None:
        self._detected = at
        if self.runbook is None:
            return  # nobody acts: the bad run goes on until it runs out or the drill ends
        self.acted_at = at if self._can_pause_now() else at + self.scenario.escalation_delay
        if owner_away(self.scenario) and self._context is not None:
            owner = self._rb.owner.name
            how = (f"{self._who()} (backup) may pause and acts at once" if self._can_pause_now()
                   else f"nobody who may pause is reachable; {self._who()} acts after "
                   f"{format_duration(self.scenario.escalation_delay)} of escalation")
            self._context.note(at, "drill", f"the owner, {owner}, is away: {how}")
        self._queue = self._plan()
        comms = self.runbook.comms
        if comms is not None:
            note = modelled("comms")
            self._next_note = at + max(first_note_within(comms), note.time)
            self._raise("first note", "comms.first_note_within", comms.first_note_within, note)
        if self._queue:
            self._begin(self.acted_at)

    def advance(self, now: datetime) -> None:
        self._send_notes(now)
        while self._current is not None:
            planned, started = self._current
            finish = started + planned.takes
            if finish > now:
                return
            self._finish(planned, started, finish)
            self._current = None
            if self._queue:
                self._begin(finish)
        idle = self._current is None and self._detected is not None and self.runbook is not None
        if idle and (self._watch_until is None or now >= self._watch_until):
            self._finished = True

    def next_time(self) -> datetime | None:
        times = []
        if self._current is not None:
            planned, started = self._current
            times.append(started + planned.takes)
        if self._next_note is not None and not self._finished:
            times.append(self._next_note)
        if self._watch_until is not None and not self._finished:
            times.append(self._watch_until)
        return min(times) if times else None

    @property
    def busy(self) -> bool:
        return self._current is not None

    @property
    def done(self) -> bool:
        return self._finished

    # -- how long work takes ---------------------------------------------------------------

    def _begin(self, at: datetime) -> None:
        """Start the next step at ``at``: its time is settled now that its size is known."""
        planned = self._queue.pop(0)
        if planned.minimum is not None:
            need = planned.minimum()
            steps = planned.shares or [planned]
            planned_total = sum((p.takes for p in steps), timedelta(0))
            if need.time > planned_total:
                for p in steps:
                    p.takes = (need.time * (p.takes / planned_total) if planned_total
                               else need.time / len(steps))
            name = (f"repair ({planned.action})" if planned.shares
                    else f"{planned.action} {planned.target}")
            self._raise(name, planned.path, planned.written, need)
        self._current = (planned, at)

    def _raise(self, step: str, path: str, written: timedelta | None, need: Modelled) -> None:
        """Note a time the runbook wrote that is below the modelled minimum."""
        if written is not None and written < need.time:
            self.raised.append(Raised(step, path, written, need))

    def _snapshot_size(self) -> Modelled:
        spec = self._rb.snapshot
        assert spec is not None
        assert self._context is not None
        store = self._context.store
        systems = [s for s in spec.export if any(t.split(".")[0] == s for t in store.tables)]
        rows = sum(store.count(t) for t in store.tables if t.split(".")[0] in systems)
        return modelled("snapshot", len(systems), rows)

    def _scope_size(self) -> Modelled:
        """The systems named and the records the change log says the run changed there."""
        spec = self._rb.scope
        assert spec is not None
        assert self._context is not None
        loop = self._context
        cl = loop.store.changelog
        tables = [t for t in loop.store.tables if t.split(".")[0] in spec.systems]
        found = (sa.select(cl.c.table_name, cl.c.record_key)
                 .where(cl.c.run_id == loop.run.run_id, cl.c.table_name.in_(tables))
                 .distinct().subquery())
        with loop.store.engine.connect() as conn:
            records = conn.execute(sa.select(sa.func.count()).select_from(found)).scalar_one()
        return modelled("scope", len(spec.systems), int(records))

    def _repair_size(self) -> Modelled:
        """The whole repair: the records the scope tagged for it, and the sample checked."""
        spec = self._rb.repair
        assert spec is not None
        records = self._repairable() if self.scope is not None else 0
        return repair_minimum(spec.strategy, records, min(spec.sample or 0, records))

    # -- the runbook, step by step -------------------------------------------------------

    @property
    def _rb(self) -> Runbook:
        """The runbook; steps only exist when there is one."""
        assert self.runbook is not None
        return self.runbook

    def _can_pause_now(self) -> bool:
        """The owner may pause, or, with the owner away, a backup who may pause is named."""
        if owner_away(self.scenario):
            return can_pause(self._rb.backup_owner)
        return can_pause(self._rb.owner)

    def _who(self) -> str:
        """Who acts: the owner, or, with the owner away, the backup (at once if they may
        pause, after escalation if not) or whoever escalation reaches."""
        if self.runbook is None:
            return "responder"
        if not owner_away(self.scenario):
            return self._rb.owner.name
        backup = self._rb.backup_owner
        return backup.name if backup is not None else ESCALATED

    def _plan(self) -> list[_Planned]:
        rb = self._rb
        who = self._who()
        out: list[_Planned] = []
        held = set(rb.deliveries.hold) if rb.deliveries else set()
        for i, step in enumerate(rb.pause or []):
            effect = (self._delivery(DeliveryStep(step.kind, step.target, takes(step),
                                                  hold(step.target)))
                      if step.kind in ("disable_feeder", "stop_queue") and step.target in held
                      else self._pause(step))
            out.append(
                _Planned("pause", step.kind, step.target, takes(step), effect, who,
                         partial(modelled, step.kind), step.takes, f"pause[{i}].takes")
            )
        off = {s.target for s in rb.pause or [] if s.kind in ("disable_feeder", "stop_queue")}
        steps = delivery_steps(rb.deliveries, off) if rb.deliveries else []
        for i, d in enumerate(steps):
            out.append(_Planned("pause", d.action, d.target, d.takes, self._delivery(d), who,
                                partial(modelled, "disable_feeder"),
                                rb.deliveries.takes if rb.deliveries and not i else None,
                                "deliveries.takes"))
        if rb.snapshot is not None:
            out.append(_Planned("snapshot", "export", ", ".join(rb.snapshot.export),
                                takes(rb.snapshot), self._snapshot, who,
                                self._snapshot_size, rb.snapshot.takes, "snapshot.takes"))
        if rb.scope is not None:
            out.append(_Planned("scope", "scope", ", ".join(rb.scope.systems),
                                takes(rb.scope), self._scope, who,
                                self._scope_size, rb.scope.takes, "scope.takes"))
        if rb.repair is not None:
            stages = self._repair_plan(who)
            if stages:
                stages[0].minimum, stages[0].shares = self._repair_size, list(stages)
                stages[0].written, stages[0].path = rb.repair.takes, "repair.takes"
            out.extend(stages)
        if rb.verify is not None:
            out.append(_Planned("verify", "reconcile", ", ".join(rb.verify.reconcile),
                                takes(rb.verify), self._verify, who,
                                partial(modelled, "verify", len(rb.verify.reconcile)),
                                rb.verify.takes, "verify.takes"))
        if rb.restart is not None:
            out.append(_Planned("restart", "restart", self.scenario.automation.name,
                                takes(rb.restart), self._restart, who,
                                partial(modelled, "restart", len(rb.restart.test)),
                                rb.restart.takes, "restart.takes"))
        return out

    def _finish(self, planned: _Planned, started: datetime, finish: datetime) -> None:
        loop = self._context
        assert loop is not None
        loop.advance_to(finish)
        ok, detail, data = planned.effect(finish)
        minutes = (finish - started).total_seconds() / 60
        self.steps.append(StepRecord(
            section=planned.section, action=planned.action, target=planned.target,
            who=planned.who, started=started, finished=finish, minutes=round(minutes, 2),
            outcome=detail,
        ))
        self.outcomes.append(StepOutcome(planned.section, planned.action, planned.target,
                                         finish, ok, detail, data))
        loop.note(finish, planned.who, f"{planned.action} {planned.target}: {detail}".strip())
        loop.emit(DrillEvent.STEP, finish, section=planned.section, action=planned.action,
                  target=planned.target, ok=ok, detail=detail, started=started,
                  who=planned.who)

    def _pause(self, step: Any) -> Callable[[datetime], tuple[bool, str, Any]]:
        def effect(at: datetime) -> tuple[bool, str, Any]:
            loop = self._context
            assert loop is not None
            rt = loop.runtime
            if step.kind == "pause_job":
                ok = rt.pause_job(step.target, at)
            elif step.kind in ("disable_feeder", "stop_queue"):
                ok = rt.stop_feeder(step.target, at)
            else:
                return self._call(step.target, at)
            if not ok:
                return False, f"the automation has no job or feeder named '{step.target}'", None
            running = len(rt.left_running)
            state = "contained" if rt.contained else f"{running} feeder(s) still running"
            return True, f"done; {state}", None
        return effect

    def _delivery(self, step: DeliveryStep) -> Callable[[datetime], tuple[bool, str, Any]]:
        def effect(at: datetime) -> tuple[bool, str, Any]:
            assert self._context is not None
            ok, detail = step.act(self._context.runtime, at)
            return ok, detail, None
        return effect

    def _call(self, target: str, at: datetime) -> tuple[bool, str, Any]:
        """Run the team's own pause code; the world, not its word, says what it did."""
        loop = self._context
        assert loop is not None
        hook = resolve_hook(target, self.hooks)
        # A script that raises, exits or hangs ends the drill (TeamCodeError, exit 2):
        # the runbook cannot be judged past code that does not run.
        said = run_hook(target, hook, loop.hook_context(at))
        rt = loop.runtime
        state = "contained" if rt.contained else f"{len(rt.left_running)} feeder(s) still running"
        text = f"{said}; " if isinstance(said, str) and said else ""
        return True, f"{text}{state}", None

    def _snapshot(self, at: datetime) -> tuple[bool, str, Any]:
        loop = self._context
        assert loop is not None
        assert self._rb.snapshot is not None
        systems = [s for s in self._rb.snapshot.export
                   if any(t.split(".")[0] == s for t in loop.store.tables)]
        if not systems:
            return False, "none of the named systems exist in this world", None
        self.snapshot = take_snapshot(loop.store, "drill", systems=systems)
        rows = sum(self.snapshot.row_counts.values())
        return True, f"{rows:,} records exported from {', '.join(systems)}", self.snapshot

    def _scope(self, at: datetime) -> tuple[bool, str, Any]:
        loop = self._context
        assert loop is not None
        run = loop.run
        review_run(loop.store, run, at, cause_known=self._sources().rerun)
        spec = self._rb.scope
        assert spec is not None
        start = loop.runtime.first_write or self.scenario.starts
        # The records customers noticed: their own, which they complained about.
        noticed = heapq.nsmallest(10, ((t, k) for t, keys in run.truth.records.items()
                                       for k in keys))
        self.scope = take_scope(
            loop.store, scope_id="team", run_id=run.run_id,
            automation=self.scenario.automation.name, by=list(spec.by),
            systems=set(spec.systems), window=(start, at), noticed=noticed, now=at,
        )
        c = self.scope.total
        return True, (f"{c.changed:,} changed, {c.wrong:,} wrong, {c.safe:,} safe, "
                      f"{c.unclear:,} unclear"), self.scope

    def _repair_plan(self, who: str) -> list[_Planned]:
        spec = self._rb.repair
        assert spec is not None
        total = takes(spec)
        stages = list(spec.stages or [])
        sample = spec.sample
        bounds_preview = stage_bounds(100, sample, stages)
        n = len(bounds_preview)
        out: list[_Planned] = []
        for i in range(n):
            out.append(_Planned("repair", spec.strategy, f"stage {i + 1} of {n}", total / n,
                                self._repair_stage(i, n), who))
        return out

    def _repair_stage(self, index: int, count: int) -> Callable[[datetime], tuple[bool, str, Any]]:
        def effect(at: datetime) -> tuple[bool, str, Any]:
            loop = self._context
            assert loop is not None
            if self.scope is None:
                return False, "nothing to repair: no scope was taken", None
            spec = self._rb.repair
            assert spec is not None
            total = self._repairable()
            bounds = stage_bounds(total, spec.sample, list(spec.stages or []))
            label, upto = bounds[min(index, len(bounds) - 1)]
            lower = bounds[index - 1][1] if 0 < index < len(bounds) else 0
            if index >= len(bounds):
                return True, "nothing left", None
            if spec.strategy == "manual":
                elapsed = (at - (self.acted_at or at)).total_seconds() / 60
                capacity = int(MANUAL_RATE * max(elapsed, 0))
                done_before = sum(r.records for r in self.repairs)
                upto = min(upto, lower + max(0, capacity - done_before))
            chosen = ScopeSlice("team", lower, upto)
            reviewed = bool(spec.sample)
            overwrite = spec.overwrite_human_edits or not reviewed
            sources = self._sources()
            rerun = (rerun_values(loop.store, loop.run, at)
                     if sources.rerun and index == 0 else self._rerun)
            self._rerun = rerun
            stage = repair_stage(
                loop.store, scope_id="team", run_id=loop.run.run_id, keys=chosen,
                overwrite=overwrite, actor=Actor.repair(self._who(), loop.run.run_id),
                label=label, sources=sources, rerun=rerun,
            )
            self.repairs.append(stage)
            return True, stage_summary(stage), stage
        return effect

    def _sources(self) -> RepairSources:
        return sources_for(self.scenario, self.runbook)

    def _repairable(self) -> int:
        """How many records the scope tagged for repair, counted once per scope."""
        if self._repairable_for is not None and self._repairable_for[0] is self.scope:
            return self._repairable_for[1]
        loop = self._context
        assert loop is not None
        total = repairable_count(loop.store, "team")
        self._repairable_for = (self.scope, total)
        return total

    def _verify(self, at: datetime) -> tuple[bool, str, Any]:
        """Bring the listed systems' copies up to date, then reconcile the pairs they are in.

        The runbook is followed as written: a verify step that names the wrong systems
        checks those, and finds nothing wrong where the damage is not.
        """
        loop = self._context
        assert loop is not None
        assert self._rb.verify is not None
        listed = set(self._rb.verify.reconcile)
        put_back = undo_overwrites(loop.store, self._saved_tables(listed), self._who())
        # The team brings the copies it checks up to date first (a refresh on demand, what
        # is in flight included): field syncs, then the whole-table copies they feed.
        for sync in sorted(loop.syncs, key=lambda s: CATALOG.is_copy(s.target)):
            if _system(sync.target) in listed:
                sync.flush(loop.store, at)
        pairs = reconcile(loop.store, self.scenario, loop.run.run_id, loop.runtime.handled)
        self.reconciled = [r for r in pairs
                           if _system(r.left) in listed or _system(r.right) in listed]
        if not self.reconciled:
            return False, "none of the named systems has anything to reconcile", []
        bad = [r for r in self.reconciled if not r.ok]
        detail = ("all counts match" if not bad else
                  f"{len(bad)} of {len(self.reconciled)} pairs do not match, e.g. "
                  f"{bad[0].disagreement()}")
        if put_back:
            detail += f"; {put_back:,} overwritten human edits put back from the saved values"
        return True, detail, self.reconciled

    def _saved_tables(self, systems: set[str]) -> dict[str, datetime | None]:
        """Tables of ``systems`` whose values before the repair the team kept, and as of
        when: all of them as the repair wrote with ``repair.save_values``, else those a
        snapshot taken before the repair holds, as of the snapshot."""
        loop = self._context
        assert loop is not None
        spec = self._rb.repair
        if spec is not None and spec.save_values:
            return {t: None for t in loop.store.tables if _system(t) in systems}
        first_repair = next((s.started for s in self.steps if s.section == "repair"), None)
        snap = next((s for s in self.steps if s.section == "snapshot"), None)
        if self.snapshot is None or snap is None or (
                first_repair is not None and snap.finished > first_repair):
            return {}
        return {t: snap.finished for t in self.snapshot.row_counts if _system(t) in systems}

    def _restart(self, at: datetime) -> tuple[bool, str, Any]:
        """Restart only with proof (rule 7): the job counts as fixed only when the cause
        names the mechanism; each listed test record is run through the job as it stands
        and checked first, and one that comes out wrong stops the restart."""
        loop = self._context
        assert loop is not None
        spec = self._rb.restart
        assert spec is not None
        tests, ramp, watch = list(spec.test), list(spec.ramp), spec.watch
        fixed = cause_problem(spec.cause) is None
        tried = (loop.runtime.test_restart(at, fixed=fixed or loop.runtime.guarded,
                                           count=len(tests)) if tests else [])
        failed = [t for t in tried if not t.ok]
        if failed:
            return False, f"{failed[0].detail}; not restarted", tried
        stages = [step if isinstance(step, int) else None for step in ramp]
        first = stages[0] if stages else None
        loop.runtime.restart(at, fixed=fixed, limit=first, ramp=stages[1:])
        if watch is not None:
            self._watch_until = at + watch
            if not fixed:
                # Whoever watches sees the fault come back and pauses again at the end of the watch.
                self._queue.append(_Planned("restart", "pause_job", self.scenario.automation.name,
                                            watch, self._repause, self._who()))
        how = "fixed" if fixed else "with the fault still in place"
        passed = f"{len(tried)} test record(s) came out right; " if tried else ""
        return True, f"{passed}restarted {how}" + (f", ramp {ramp}" if ramp else ""), tried

    def _repause(self, at: datetime) -> tuple[bool, str, Any]:
        loop = self._context
        assert loop is not None
        loop.runtime.pause_job(self.scenario.automation.name, at)
        for name in list(loop.runtime.feeders):
            loop.runtime.stop_feeder(name, at)
        return True, "fault seen again during the watch; paused", None

    # -- comms ---------------------------------------------------------------------------

    def _send_notes(self, now: datetime) -> None:
        comms = self.runbook.comms if self.runbook is not None else None
        loop = self._context
        while (
            comms is not None and loop is not None and self._next_note is not None
            and self._next_note <= now and not self._finished
        ):
            at = self._next_note
            first = not self.notes
            self.notes.append(at)
            loop.note(at, self._who(), "first note sent" if first else "update sent")
            loop.emit(DrillEvent.NOTE, at, first=first)
            note = modelled("comms")
            self._next_note = at + max(next_update_every(comms), note.time)
            if not self._updates_raised:
                self._updates_raised = True
                self._raise("updates", "comms.next_update_every", comms.next_update_every, note)


def _system(name: str) -> str:
    """``billing.invoices.customer_email`` or ``billing.invoices`` -> ``billing``."""
    return name.split(".", 1)[0]


class Drill(EngineDrill):
    """A drill whose responder, unless one is given, follows ``runbook`` (``drills.Drill``).

    The engine's :class:`drills.engine.loop.Drill` takes any responder and has none of
    its own; this is the one the library, the CLI and the pytest plugin run.
    """

    def default_responder(
        self, scenario: Scenario, runbook: Runbook | None, hooks: Mapping[str, PauseHook] | None
    ) -> Responder:
        return ScriptedResponder(scenario, runbook, hooks)
