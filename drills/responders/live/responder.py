"""The live responder: people at a terminal acting on the drill, one typed action at a time.

The scripted responder follows a runbook; this one does what the team types, when
they type it. Every action arrives already checked (:mod:`drills.responders.live.commands`) and
stamped with the drill time it was entered and who entered it; the engine's loop
reaches that moment and :meth:`LiveResponder.advance` applies it with the same
levers a runbook step pulls - :class:`~drills.engine.runtime.AutomationRuntime` to pause
and contain, :func:`~drills.fakes.snapshots.take_snapshot`, the change log and snapshot
diffs to find records, :func:`~drills.levers.scope.submit_scope`,
:func:`~drills.levers.repair.repair_stage`, :func:`~drills.levers.counts.reconcile` - and
records the same facts (``steps``, ``outcomes``, ``notes``, ``acted_at``), so
:mod:`drills.judging` grades a live drill exactly like a scripted one.

An action that cannot be done in the world as it is now (repairing before any
scope was submitted, a snapshot name that is taken) is refused with one clear
message and changes nothing. Every action that was applied is written to the
journal with its time, who and what it did; a resumed drill hands those back in
``replay`` and they are applied again at their drill times, which on the same seed
rebuilds the same world.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from drills.engine.context import DrillContext, StepOutcome
from drills.engine.handlers import DrillEvent
from drills.engine.people import owner_away
from drills.errors import DrillsError
from drills.fakes.actors import Actor
from drills.fakes.snapshots import Snapshot, list_snapshots, take_snapshot
from drills.files import format_duration
from drills.levers.counts import reconcile
from drills.levers.repair import (
    RepairStage,
    ScopeSlice,
    repair_stage,
    repairable_count,
    stage_summary,
)
from drills.levers.review import review_run
from drills.levers.scope import ScopeResult, submit_scope
from drills.levers.sources import rerun_values, sources_for
from drills.reports.model import SentNote, StepRecord
from drills.responders.live.actions import (
    DRAFT,
    SCOPE,
    ActionJournal,
    ActionResult,
    JournaledAction,
    TeamAction,
    context_for,
)
from drills.responders.live.commands import CommandError, parse_command
from drills.responders.live.finding import RecordFinding
from drills.responders.live.twists import apply_twist
from drills.responders.scripted import MANUAL_RATE
from drills.runbook import Runbook, StopRule, can_pause
from drills.runbook.proof import cause_problem
from drills.runbook.schema import Restart, Scope
from drills.scenarios.schema import Scenario

__all__ = [
    "ActionJournal",
    "ActionResult",
    "JournaledAction",
    "LiveResponder",
    "ReplayError",
    "TeamAction",
    "context_for",
]


class ReplayError(DrillsError):
    """A journaled action this drills cannot read back (the journal was edited)."""


@dataclass
class _Restart:
    tests: list[tuple[datetime, bool]] = field(default_factory=list)
    ramp: list[int | str] = field(default_factory=list)
    """The ramp since the job was last paused: a new pause starts a new one."""


class LiveResponder(RecordFinding):
    """Applies the team's actions at their drill times; the engine's :class:`Responder`."""

    def __init__(
        self,
        scenario: Scenario,
        runbook: Runbook | None,
        *,
        team: Sequence[str] = ("team",),
        replay: Sequence[JournaledAction] = (),
        journal: ActionJournal | None = None,
        on_result: Callable[[ActionResult], None] | None = None,
        on_advance: Callable[[DrillContext, datetime], None] | None = None,
    ) -> None:
        self.scenario = scenario
        self.runbook = runbook
        self.journal = journal
        self.on_result = on_result
        self.on_advance = on_advance
        self.acted_at: datetime | None = None
        self.steps: list[StepRecord] = []
        self.outcomes: list[StepOutcome] = []
        self.notes: list[datetime] = []
        self.sent: list[SentNote] = []
        """The notes sent, with their words and the drill's numbers when each went out."""
        self.results: list[ActionResult] = []
        self.cause: str | None = None
        self.scope: ScopeResult | None = None
        self.repairs: list[RepairStage] = []
        self._rerun: sa.Table | None = None
        self.snapshots: list[Snapshot] = []
        self.detected_at: datetime | None = None
        self.ended_at: datetime | None = None
        self.ended_by: str | None = None
        self.owner_gone_at: datetime | None = None
        """When a facilitator's twist made the owner unreachable (None: it did not)."""
        self.team = tuple(team)
        self.run_ids: list[str] = []
        """Runs the team's queries have shown (offered by completion)."""
        self.batch_ids: list[str] = []
        """Batches the team's queries have shown (offered by completion)."""
        self._journaled = list(replay)
        self._pending: list[TeamAction] = []
        self._lock = threading.Lock()
        self._context: DrillContext | None = None
        self._last = None
        self._methods = set()
        self._repaired = 0
        self._sampled = False
        self._restart = _Restart()
        self._since: dict[str, datetime] = {}
        self._now: datetime | None = None
        self.window_end = scenario.starts + scenario.runs_for
        """When the drill's window closes: a drill the team ended is played out to here."""

    # -- the Responder protocol ------------------------------------------------------------

    def bind(self, loop: DrillContext) -> None:
        self._context = loop
        if owner_away(self.scenario):
            loop.note(self.scenario.starts, "drill", self._away_line())
        if self._journaled:
            self._pending = self._parse_journaled(loop)

    def _parse_journaled(self, loop: DrillContext) -> list[TeamAction]:
        """The journal's actions, checked again against this (identical) world."""
        named = [a.command.split()[1] for a in self._journaled
                 if a.command.startswith("diff ") and len(a.command.split()) > 1]
        ctx = context_for(loop, self.team, named)
        out: list[TeamAction] = []
        for entry in self._journaled:
            try:
                command = parse_command(entry.command, ctx)
            except CommandError as err:
                raise ReplayError(
                    f"journaled action '{entry.command}' at {entry.at:%H:%M:%S} cannot be read "
                    f"back ({err}); the journal was edited or comes from another drills version"
                ) from None
            out.append(TeamAction(entry.at, entry.who, command, replayed=True))
        return sorted(out, key=lambda a: a.at)

    def stop_rules(self) -> Sequence[StopRule]:
        """The runbook's checkable stop rules: the alerts this team would have had."""
        return [] if self.runbook is None else self.runbook.checkable_rules

    def detected(self, at: datetime) -> None:
        self.detected_at = at

    def advance(self, now: datetime) -> None:
        self._now = now
        while True:
            with self._lock:
                if not self._pending or self._pending[0].at > now:
                    break
                action = self._pending.pop(0)
            self._apply(action)
        if self.on_advance is not None and self._context is not None:
            self.on_advance(self._context, now)

    def next_time(self) -> datetime | None:
        with self._lock:
            if self._pending:
                return self._pending[0].at
        if self.ended_at is not None and (self._now is None or self._now < self.window_end):
            # The team ended the drill; the world goes on as they left it to the window's end.
            return self.window_end
        return None

    @property
    def busy(self) -> bool:
        return False

    @property
    def done(self) -> bool:
        """The team ended the drill and the rest of its window has been played out.

        Ending a drill early does not stop the damage: a job left running keeps running,
        feeders too, until the window closes, and that is what is judged.
        """
        return self.ended_at is not None and self._now is not None and (
            self._now >= self.window_end)

    @property
    def playing_out(self) -> bool:
        """The team ended the drill; the rest of the window is being played out."""
        return self.ended_at is not None and not self.done

    # -- feeding it ----------------------------------------------------------------------

    def submit(self, action: TeamAction) -> None:
        """Queue an action for its drill time (called by the pacer, in the engine's thread)."""
        with self._lock:
            self._pending.append(action)
            self._pending.sort(key=lambda a: a.at)

    @property
    def replaying(self) -> bool:
        with self._lock:
            return any(a.replayed for a in self._pending)

    # -- applying one action -----------------------------------------------------------------

    def _apply(self, action: TeamAction) -> None:
        cmd = action.command
        handler = getattr(self, f"_do_{cmd.action}")
        try:
            message = handler(action)
        except (CommandError, DrillsError) as err:
            result = ActionResult(action, False, str(err))
        else:
            result = ActionResult(action, True, message)
            self._record(action, message)
        self.results.append(result)
        if self.on_result is not None:
            self.on_result(result)

    def _record(self, action: TeamAction, message: str) -> None:
        cmd = action.command
        if cmd.action == "scope" and not cmd.args.get("submit"):
            return  # looking at the tags changes nothing and is not an action
        self._since.setdefault(action.who, action.at)
        self._lp.note(action.at, action.who, f"{cmd.text}: {message}")
        if self.journal is not None and not action.replayed:
            self.journal.write("action", action.at, who=action.who, command=cmd.text,
                               result=message)

    def _step(self, action: TeamAction, section: str, name: str, target: str, ok: bool,
              detail: str, data: Any = None) -> None:
        at, who = action.at, action.who
        started = min(self._since.pop(who, at), at)
        self.steps.append(StepRecord(
            section=section, action=name, target=target, who=who, started=started,
            finished=at, minutes=round((at - started).total_seconds() / 60, 2), outcome=detail,
        ))
        self.outcomes.append(StepOutcome(section, name, target, at, ok, detail, data))
        self._lp.emit(DrillEvent.STEP, at, section=section, action=name, target=target, ok=ok,
                      detail=detail, started=started, who=who)

    # -- pause and contain ---------------------------------------------------------------

    def _containment(self) -> str:
        rt = self._lp.runtime
        running = rt.left_running
        if rt.contained:
            return "contained"
        if not rt.job_paused:
            return "the job is still running"
        return f"{len(running)} feeder(s) still running: " + ", ".join(f.name for f in running)

    def _away_line(self) -> str:
        rb = self.runbook
        owner = rb.owner.name if rb is not None else "the owner"
        backup = rb.backup_owner if rb is not None else None
        if can_pause(backup):
            assert backup is not None
            return f"the owner, {owner}, is away today; {backup.name} (backup) may pause"
        delay = format_duration(self.scenario.escalation_delay)
        return (f"the owner, {owner}, is away today and no backup may pause: pausing waits "
                f"{delay} after detection for escalation")

    def _may_pause(self, action: TeamAction) -> None:
        """With the owner away and no backup who may pause, nobody may until escalation
        reaches someone: one line, nothing changed (counted from detection)."""
        gone = self.owner_gone_at is not None and action.at >= self.owner_gone_at
        if not owner_away(self.scenario) and not gone:
            return
        if self.runbook is not None and can_pause(self.runbook.backup_owner):
            return
        since = self.detected_at or self.scenario.starts
        if gone and self.owner_gone_at is not None:  # escalation starts when the owner went dark
            since = max(since, self.owner_gone_at)
        allowed = since + self.scenario.escalation_delay
        if action.at < allowed:
            raise CommandError(f"the owner is away and nobody here may pause yet; escalation "
                               f"reaches someone who may at {allowed:%H:%M:%S}")

    def _new_pause(self) -> None:
        """A pause after a restart starts the way back afresh: the next restart ramps from
        its first batch again (a team that restarted early and paused again must be able
        to restart with proof)."""
        if self._lp.runtime.restarted_at is not None:
            self._restart.ramp = []

    def _do_pause(self, action: TeamAction) -> str:
        self._may_pause(action)
        rt = self._lp.runtime
        target = action.command.args["target"]
        was = rt.job_paused
        if not was:
            self._new_pause()
        rt.pause_job(target, action.at)
        self.acted_at = self.acted_at or action.at
        detail = ("already paused; " if was else "done; ") + self._containment()
        self._step(action, "pause", "pause_job", target, True, detail)
        return detail

    def _do_disable(self, action: TeamAction) -> str:
        return self._feeder(action, "disable_feeder")

    def _do_stop(self, action: TeamAction) -> str:
        return self._feeder(action, "stop_queue")

    def _do_hold(self, action: TeamAction) -> str:
        return self._feeder(action, "hold_feeder", hold=True)

    def _do_dedupe(self, action: TeamAction) -> str:
        return self._guard(action, "dedupe", "the job skips an event id it has handled")

    def _do_latest(self, action: TeamAction) -> str:
        return self._guard(action, "latest_per_record", "the job applies only newer events")

    def _guard(self, action: TeamAction, name: str, what: str) -> str:
        self._lp.runtime.guard(name, action.at)
        self._step(action, "pause", name, "events", True, what)
        return what

    def _do_retry(self, action: TeamAction) -> str:
        args = action.command.args
        self._lp.runtime.set_retry(args["target"], args["every"], args["for"])
        detail = (f"its sender retries every {format_duration(args['every'])} for "
                  f"{format_duration(args['for'])}")
        self._step(action, "pause", "set_retry", args["target"], True, detail)
        return detail

    def _feeder(self, action: TeamAction, name: str, *, hold: bool = False) -> str:
        self._may_pause(action)
        rt = self._lp.runtime
        target = action.command.args["target"]
        was = rt.feeders[target].live
        if was:
            self._new_pause()
        (rt.hold_feeder if hold else rt.stop_feeder)(target, action.at)
        self.acted_at = self.acted_at or action.at
        done = "done; " if was else "already off; "
        detail = ("held: its events wait, drained after the fix; " if hold else done
                  ) + self._containment()
        self._step(action, "pause", name, target, True, detail)
        return detail

    # -- snapshot, look, tag, scope ------------------------------------------------------

    def _do_snapshot(self, action: TeamAction) -> str:
        store = self._lp.store
        args = action.command.args
        taken = {s.name.lower() for s in list_snapshots(store)}
        name = args["name"]
        if name is None:
            n = len(taken) + 1
            while f"snap{n}" in taken:
                n += 1
            name = f"snap{n}"
        systems = [s for s in args["systems"] if any(t.split(".")[0] == s for t in store.tables)]
        missing = [s for s in args["systems"] if s not in systems]
        if missing:
            raise CommandError(f"system {missing[0]} has no tables in this drill; nothing copied")
        snap = take_snapshot(store, name, systems=systems)
        self.snapshots.append(snap)
        rows = sum(snap.row_counts.values())
        detail = f"snapshot {name}: {rows:,} records copied from {', '.join(systems)}"
        self._step(action, "snapshot", "export", ", ".join(systems), True, detail, snap)
        return detail

    def _do_scope(self, action: TeamAction) -> str:
        if not action.command.args.get("submit"):
            return self._draft_text()
        loop = self._lp
        if not self._draft_counts():
            raise CommandError("nothing is tagged yet: tag records with 'tag last' after a "
                               "query or diff, or 'tag TABLE KEYS', then submit")
        known = (self._cause_known or sources_for(self.scenario, self.runbook).rerun
                 or loop.runtime.guarded)
        review_run(loop.store, loop.run, action.at, cause_known=known)
        start = loop.runtime.first_write or self.scenario.starts
        self.scope = submit_scope(
            loop.store, scope_id=SCOPE, draft_id=DRAFT, run_id=loop.run.run_id,
            start=start, by=sorted(self._methods) or ["noticed"], now=action.at,
        )
        self._repaired = 0
        c = self.scope.total
        detail = (f"{c.changed:,} changed, {c.wrong:,} wrong, {c.safe:,} safe, "
                  f"{c.unclear:,} unclear")
        self._step(action, "scope", "scope", ", ".join(self.scope.systems), True, detail,
                   self.scope)
        return detail

    # -- repair, verify ------------------------------------------------------------------

    def _do_repair(self, action: TeamAction) -> str:
        loop = self._lp
        args = action.command.args
        if self.scope is None:
            raise CommandError("nothing to repair yet: submit a scope first ('scope submit')")
        total = repairable_count(loop.store, SCOPE)
        done = min(self._repaired, total)
        if args["sample"] is not None:
            upto = min(total, done + args["sample"])
            label = f"sample of {upto - done}"
        else:
            upto = max(done, round(total * args["upto"]))
            label = f"{args['upto']:.0%}"
        if upto <= done:
            raise CommandError(
                f"nothing left to repair up to {label}: {done:,} of {total:,} records in the "
                "scope are repaired already" if total else
                "the submitted scope holds no record the run got wrong; nothing to repair"
            )
        strategy = args["strategy"]
        if strategy == "manual":
            elapsed = (action.at - (self.acted_at or action.at)).total_seconds() / 60
            capacity = int(MANUAL_RATE * max(elapsed, 0))
            done_before = sum(r.records for r in self.repairs)
            upto = min(upto, done + max(0, capacity - done_before))
            if upto <= done:
                raise CommandError(
                    f"by hand at {MANUAL_RATE:g} records a minute, nobody has had time for "
                    "more yet; wait, or repair with a script or bulk_revert"
                )
        sample = args["sample"] is not None
        sources = sources_for(self.scenario, self.runbook)
        if loop.runtime.guarded and not sources.rerun:  # each event once: the job's values
            sources = replace(sources, rerun=True)
        if sources.rerun and self._rerun is None:
            self._rerun = rerun_values(loop.store, loop.run, action.at)
        stage = repair_stage(
            loop.store, scope_id=SCOPE, run_id=loop.run.run_id,
            keys=ScopeSlice(SCOPE, done, upto),
            overwrite=not (sample or self._sampled),
            actor=Actor.repair(action.who, loop.run.run_id), label=label,
            sources=sources, rerun=self._rerun,
        )
        self._sampled = self._sampled or sample
        self._repaired = upto
        self.repairs.append(stage)
        detail = f"{stage_summary(stage)}; {self._repaired:,} of {total:,} done"
        self._step(action, "repair", strategy, label, True, detail, stage)
        return detail

    def _do_reconcile(self, action: TeamAction) -> str:
        loop = self._lp
        for sync in loop.syncs:  # bring every copy up to date first
            sync.run(loop.store, action.at)
        pairs = reconcile(loop.store, self.scenario, loop.run.run_id,
                          loop.runtime.handled)
        bad = [r for r in pairs if not r.ok]
        detail = ("all counts match" if not bad else
                  f"{len(bad)} of {len(pairs)} pairs do not match, e.g. {bad[0].left} "
                  f"{bad[0].left_count:,} vs {bad[0].right} {bad[0].right_count:,}")
        systems = sorted({p.left.split(".")[0] for p in pairs})
        self._step(action, "verify", "reconcile", ", ".join(systems), True, detail, pairs)
        return detail

    # -- comms, cause, restart, notes ----------------------------------------------------

    def _do_notify(self, action: TeamAction) -> str:
        first = not self.notes
        self.notes.append(action.at)
        self._lp.emit(DrillEvent.NOTE, action.at, first=first)
        text = action.command.args["text"]
        self.sent.append(self._sent_note(action, text, first))
        return ("first note sent" if first else "update sent") + (f": {text}" if text else "")

    def _sent_note(self, action: TeamAction, text: str, first: bool) -> SentNote:
        """The note as it went out, with the drill's own numbers at that moment."""
        loop = self._lp
        rt = loop.runtime
        counts = loop.run.truth.counts()
        by_system: dict[str, int] = {}
        for table, n in counts.items():
            by_system[table.split(".")[0]] = by_system.get(table.split(".")[0], 0) + n
        origin = rt.origin()
        return SentNote(
            at=action.at, minute=round((action.at - origin).total_seconds() / 60, 2),
            who=action.who, kind="first note" if first else "update", text=text,
            records_damaged=sum(counts.values()), by_system=dict(sorted(by_system.items())),
            records_repaired=sum(r.records for r in self.repairs),
            job_paused=rt.job_paused, contained=rt.contained,
        )

    @property
    def _cause_known(self) -> bool:
        """The team wrote down a cause that names the mechanism (docs/rules.md, rule 7):
        "unknown" or "TBD" fixes nothing, in a live drill as in a scripted one."""
        return self.cause is not None and cause_problem(self.cause) is None

    def _do_cause(self, action: TeamAction) -> str:
        self.cause = action.command.args["text"]
        problem = cause_problem(self.cause)
        if problem is not None:
            return f"cause written down, but it does not count as known: the cause {problem}"
        return "cause written down"

    def _do_note(self, action: TeamAction) -> str:
        return "noted"

    def _do_restart(self, action: TeamAction) -> str:
        loop = self._lp
        rt = loop.runtime
        args = action.command.args
        if args["step"] == "test":
            ok = self._cause_known
            self._restart.tests.append((action.at, ok))
            detail = ("the test record came out right" if ok else
                      "the test record showed the fault is still there: write down the cause "
                      "and fix it first")
            self._step(action, "restart", "test", "one test record", ok, detail)
            return detail
        stopped = any(not f.live for f in rt.feeders.values())
        if not rt.job_paused and not stopped and (
            rt.restarted_at is None or not self._restart.ramp
        ):
            raise CommandError("nothing is paused, so there is nothing to restart")
        limit = args.get("limit")
        step: int | str = limit if limit is not None else "normal"
        before = self._restart.ramp[-1] if self._restart.ramp else None
        if before == "normal" or (isinstance(step, int) and isinstance(before, int)
                                  and step <= before):
            raise CommandError(f"a ramp grows: batch {step} is not bigger than {before} "
                               "before it")
        if rt.restarted_at is None or rt.job_paused or stopped:
            rt.restart(action.at, fixed=self._cause_known, limit=limit)
        else:
            rt.limit = limit
        self._restart.ramp.append(step)
        how = "fixed" if rt.fixed else "with the fault still in place"
        detail = f"running again {how}, " + (f"batches of {limit}" if limit else "normal volume")
        self._step(action, "restart", "restart", str(step), True, detail)
        return detail

    def _do_twist(self, action: TeamAction) -> str:
        return apply_twist(self, self._lp, action)

    def _do_end(self, action: TeamAction) -> str:
        self.ended_at = action.at
        self.ended_by = action.who
        return "drill ended"

    # -- what the team did, as the runbook it followed -----------------------------------

    def as_performed(self, finished: datetime) -> Runbook | None:
        """The written runbook with scope and restart as the team actually did them.

        Scoring reads a few things from the runbook (which systems were scoped, the
        cause, tests and ramp of the restart, whether anyone watched afterwards). In a
        live drill those come from the team's actions, not from the page.
        """
        rb = self.runbook
        if rb is None:
            return None
        scope = None
        if self.scope is not None and self.scope.systems:
            scope = Scope.model_construct(by=list(self.scope.by), systems=list(self.scope.systems),
                                          takes=None)
        restart = None
        rt = self._context.runtime if self._context is not None else None
        restarted = rt.restarted_at if rt is not None else None
        # Nobody watched after the team ended the drill: the played-out rest is not a watch.
        finished = min(finished, self.ended_at) if self.ended_at is not None else finished
        if rb.restart is not None or self.cause or self._restart.tests or self._restart.ramp:
            restart = Restart.model_construct(
                approver=rb.restart.approver if rb.restart is not None else None,
                cause=self.cause,
                # Only tests that passed are proof; a failed one is in the steps and outcomes.
                test=[f"test record at {at:%H:%M}" for at, ok in self._restart.tests if ok],
                ramp=list(self._restart.ramp),
                watch=(finished - restarted) if restarted is not None and finished > restarted
                else None,
                takes=None,
            )
        return rb.model_copy(update={"scope": scope, "restart": restart})

