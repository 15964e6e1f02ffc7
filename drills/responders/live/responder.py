"""The live responder: people at a terminal acting on the drill, one typed action at a time.

The scripted responder follows a runbook; this one does what the team types, when
they type it. Every action arrives already checked (:mod:`drills.responders.live.commands`) and
stamped with the drill time it was entered and who entered it; the engine's loop
reaches that moment and :meth:`LiveResponder.advance` applies it with the same
levers a runbook step pulls - :class:`~drills.engine.runtime.AutomationRuntime` to pause
and contain, :func:`~drills.fakes.snapshots.take_snapshot`, the change log and snapshot
diffs to find records, :func:`~drills.levers.scope.submit_scope`,
:func:`~drills.levers.repair.repair_stage`, :func:`~drills.levers.reconcile.reconcile` - and
records the same facts (``steps``, ``outcomes``, ``notes``, ``acted_at``), so
:mod:`drills.judging.scoring` grades a live drill exactly like a scripted one.

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
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

import sqlalchemy as sa

from drills.engine.handlers import DrillEvent
from drills.fakes.actors import Actor
from drills.fakes.errors import DrillsError
from drills.fakes.queries import change_conditions, last_seq
from drills.fakes.snapshots import Snapshot, diff_select, list_snapshots, take_snapshot
from drills.levers.reconcile import reconcile
from drills.levers.repair import RepairStage, ScopeSlice, repair_stage, repairable_count
from drills.levers.scope import ScopeResult, scope_table, submit_scope
from drills.reports.model import StepRecord
from drills.responders.live.commands import (
    Command,
    CommandContext,
    CommandError,
    parse_command,
    query_filters,
)
from drills.responders.scripted import MANUAL_RATE, StepOutcome
from drills.runbook import Runbook, StopRule
from drills.runbook.schema import Restart, Scope
from drills.scenarios.schema import Scenario

if TYPE_CHECKING:
    from drills.engine.loop import _Loop

__all__ = [
    "ActionJournal",
    "ActionResult",
    "JournaledAction",
    "LiveResponder",
    "ReplayError",
    "TeamAction",
    "context_for",
]

DRAFT = "team-draft"
"""Scope id of the records the team has tagged but not yet submitted."""
SCOPE = "team"
"""Scope id of the submitted scope: what scoring grades and the repair works on."""

_STEP_SECTIONS = {
    "pause": "pause", "disable": "pause", "stop": "pause", "snapshot": "snapshot",
    "repair": "repair", "reconcile": "verify", "restart": "restart",
}


@dataclass(frozen=True)
class TeamAction:
    """One checked command, stamped with the drill time it was entered and who entered it."""

    at: datetime
    who: str
    command: Command
    replayed: bool = False
    """Applied again from the journal when a drill resumes: not journaled twice."""


@dataclass(frozen=True)
class JournaledAction:
    """An action as the journal keeps it: parsed again when a drill resumes or is rebuilt."""

    at: datetime
    who: str
    command: str


class ReplayError(DrillsError):
    """A journaled action this drills cannot read back (the journal was edited)."""


def context_for(
    loop: _Loop, team: Sequence[str], snapshots: Sequence[str] = ()
) -> CommandContext:
    """What commands are checked against in this drill's world."""
    scenario = loop.drill.scenario
    tables = sorted(loop.world.store.tables)
    return CommandContext(
        job=scenario.automation.name,
        feeders={f.name: f.kind for f in scenario.automation.feeders},
        systems=sorted({t.split(".")[0] for t in tables}),
        tables=tables,
        day=scenario.starts.date(),
        team=tuple(team),
        snapshots=tuple(snapshots),
    )


@dataclass(frozen=True)
class ActionResult:
    """What an action did (``ok``), or why it was refused and changed nothing."""

    action: TeamAction
    ok: bool
    message: str


class ActionJournal(Protocol):
    """Where applied actions go as they happen (a :class:`drills.journal.JournalWriter`)."""

    def write(self, kind: str, at: datetime, **data: Any) -> None: ...


@dataclass
class _Last:
    """The last query or diff, kept so 'tag last' takes exactly what it showed."""

    kind: str
    selects: list[sa.Select[Any]]
    """Each yields (table_name, record_key) rows."""
    method: str


@dataclass
class _Restart:
    tests: list[tuple[datetime, bool]] = field(default_factory=list)
    ramp: list[int | str] = field(default_factory=list)


class LiveResponder:
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
        on_advance: Callable[[_Loop, datetime], None] | None = None,
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
        self.results: list[ActionResult] = []
        self.cause: str | None = None
        self.scope: ScopeResult | None = None
        self.repairs: list[RepairStage] = []
        self.snapshots: list[Snapshot] = []
        self.detected_at: datetime | None = None
        self.ended_at: datetime | None = None
        self.ended_by: str | None = None
        self.team = tuple(team)
        self.run_ids: list[str] = []
        """Runs the team's queries have shown (offered by completion)."""
        self._journaled = list(replay)
        self._pending: list[TeamAction] = []
        self._lock = threading.Lock()
        self._loop: _Loop | None = None
        self._last: _Last | None = None
        self._methods: set[str] = set()
        self._repaired = 0
        self._sampled = False
        self._restart = _Restart()
        self._since: dict[str, datetime] = {}

    # -- the Responder protocol ------------------------------------------------------------

    def bind(self, loop: _Loop) -> None:
        self._loop = loop
        if self._journaled:
            self._pending = self._parse_journaled(loop)

    def _parse_journaled(self, loop: _Loop) -> list[TeamAction]:
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
        while True:
            with self._lock:
                if not self._pending or self._pending[0].at > now:
                    break
                action = self._pending.pop(0)
            self._apply(action)
        if self.on_advance is not None and self._loop is not None:
            self.on_advance(self._loop, now)

    def next_time(self) -> datetime | None:
        with self._lock:
            return self._pending[0].at if self._pending else None

    @property
    def busy(self) -> bool:
        return False

    @property
    def done(self) -> bool:
        return self.ended_at is not None

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

    @property
    def _lp(self) -> _Loop:
        assert self._loop is not None, "the responder acts only inside a drill"
        return self._loop

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

    def _do_pause(self, action: TeamAction) -> str:
        rt = self._lp.runtime
        target = action.command.args["target"]
        was = rt.job_paused
        rt.pause_job(target, action.at)
        self.acted_at = self.acted_at or action.at
        detail = ("already paused; " if was else "done; ") + self._containment()
        self._step(action, "pause", "pause_job", target, True, detail)
        return detail

    def _do_disable(self, action: TeamAction) -> str:
        return self._feeder(action, "disable_feeder")

    def _do_stop(self, action: TeamAction) -> str:
        return self._feeder(action, "stop_queue")

    def _feeder(self, action: TeamAction, name: str) -> str:
        rt = self._lp.runtime
        target = action.command.args["target"]
        was = rt.feeders[target].live
        rt.stop_feeder(target, action.at)
        self.acted_at = self.acted_at or action.at
        detail = ("done; " if was else "already off; ") + self._containment()
        self._step(action, "pause", name, target, True, detail)
        return detail

    # -- snapshot, look, tag, scope ------------------------------------------------------

    def _do_snapshot(self, action: TeamAction) -> str:
        store = self._lp.world.store
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

    def _do_query(self, action: TeamAction) -> str:
        store = self._lp.world.store
        args = action.command.args
        cl = store.changelog
        terms = change_conditions(store, **query_filters(args))
        if "system" in args:
            terms.append(cl.c.table_name.like(f"{args['system']}.%"))
        terms.append(cl.c.seq <= last_seq(store))  # 'tag last' takes what was shown, no more
        pairs = sa.select(cl.c.table_name, cl.c.record_key).where(*terms).distinct()
        per_table = self._count_pairs(pairs)
        actors = sa.select(cl.c.actor_kind, cl.c.actor_name, cl.c.run_id).where(*terms) \
            .group_by(cl.c.actor_kind, cl.c.actor_name, cl.c.run_id) \
            .order_by(sa.func.count().desc()).limit(3)
        with store.engine.connect() as conn:
            rows = conn.execute(actors).all()
        seen = [f"{kind} {name}" + (f" (run {run})" if run else "") for kind, name, run in rows]
        self.run_ids.extend(r for _, _, r in rows if r and r not in self.run_ids)
        method = "run_id" if "run" in args else "batch" if "batch" in args else (
            "window" if "since" in args or "until" in args else "filter")
        self._last = _Last("query", [pairs], method)
        total = sum(per_table.values())
        if not total:
            return "no changes match"
        tables = ", ".join(f"{t} {n:,}" for t, n in per_table.items())
        return f"{total:,} records ({tables}); by " + "; ".join(seen)

    def _count_pairs(self, pairs: sa.Select[Any]) -> dict[str, int]:
        sub = pairs.subquery()
        stmt = sa.select(sub.c.table_name, sa.func.count()).group_by(sub.c.table_name) \
            .order_by(sub.c.table_name)
        with self._lp.world.store.engine.connect() as conn:
            return {t: int(n) for t, n in conn.execute(stmt)}

    def _do_diff(self, action: TeamAction) -> str:
        store = self._lp.world.store
        args = action.command.args
        snap = next((s for s in list_snapshots(store) if s.name == args["snapshot"]), None)
        if snap is None:
            raise CommandError(f"no snapshot named '{args['snapshot']}'; take one first")
        tables = args["tables"] or sorted(snap.tables)
        outside = [t for t in tables if t not in snap.tables]
        if outside and args["tables"]:
            raise CommandError(
                f"snapshot {snap.name} holds no copy of {outside[0]}; it holds "
                f"{', '.join(sorted(snap.tables))}"
            )
        selects: list[sa.Select[Any]] = []
        parts: list[str] = []
        total = 0
        with store.engine.connect() as conn:
            for table in tables:
                sub = diff_select(store, table, snap.tables[table]).subquery()
                row = conn.execute(sa.select(
                    sa.func.count(),
                    sa.func.coalesce(sa.func.sum(sa.case((sa.not_(sub.c.in_other), 1), else_=0)),
                                     0),
                    sa.func.coalesce(sa.func.sum(sa.case((sa.not_(sub.c.in_live), 1), else_=0)),
                                     0),
                )).one()
                n, added, removed = int(row[0]), int(row[1]), int(row[2])
                total += n
                if n:
                    parts.append(f"{table} {n - added - removed:,} changed"
                                 + (f", {added:,} added" if added else "")
                                 + (f", {removed:,} removed" if removed else ""))
                selects.append(sa.select(sa.literal(table).label("table_name"),
                                         sub.c.id.label("record_key")))
        self._last = _Last("diff", selects, "filter")
        if not total:
            return f"nothing differs from snapshot {snap.name}"
        return f"{total:,} records differ from {snap.name}: " + "; ".join(parts)

    def _draft_counts(self) -> dict[str, int]:
        scope = scope_table(self._lp.world.store)
        return self._count_pairs(
            sa.select(scope.c.table_name, scope.c.record_key).where(scope.c.scope_id == DRAFT)
        )

    def _draft_text(self) -> str:
        counts = self._draft_counts()
        if not counts:
            return "nothing tagged"
        total = sum(counts.values())
        return f"{total:,} tagged: " + ", ".join(f"{t} {n:,}" for t, n in counts.items())

    def _do_tag(self, action: TeamAction) -> str:
        store = self._lp.world.store
        args = action.command.args
        scope = scope_table(store)
        before = sum(self._draft_counts().values())
        if args.get("last"):
            if self._last is None:
                raise CommandError("there is no query or diff to tag yet; run 'query ...' or "
                                   "'diff SNAPSHOT' first")
            with store.begin() as conn:
                for select in self._last.selects:
                    sub = select.subquery()
                    mine = scope.alias("mine")
                    new = sa.select(sa.literal(DRAFT), sub.c.table_name, sub.c.record_key) \
                        .where(~sa.exists().where(
                            mine.c.scope_id == DRAFT, mine.c.table_name == sub.c.table_name,
                            mine.c.record_key == sub.c.record_key)).distinct()
                    conn.execute(scope.insert().from_select(
                        ["scope_id", "table_name", "record_key"], new))
            self._methods.add(self._last.method)
        else:
            table, keys = args["table"], args["keys"]
            key_col = store.sa_table(table).c.id
            found: set[int] = set()
            with store.engine.connect() as conn:
                for i in range(0, len(keys), 500):
                    chunk = keys[i:i + 500]
                    found.update(conn.scalars(sa.select(key_col).where(key_col.in_(chunk))))
            missing = [k for k in keys if k not in found]
            if missing:
                shown = ", ".join(str(k) for k in missing[:5])
                raise CommandError(f"{table} has no record {shown}"
                                   + (" ..." if len(missing) > 5 else "") + "; nothing tagged")
            with store.begin() as conn:
                have = set(conn.scalars(sa.select(scope.c.record_key).where(
                    scope.c.scope_id == DRAFT, scope.c.table_name == table)))
                rows = [{"scope_id": DRAFT, "table_name": table, "record_key": k}
                        for k in keys if k not in have]
                if rows:
                    conn.execute(scope.insert(), rows)
            self._methods.add("noticed")
        added = sum(self._draft_counts().values()) - before
        return f"{added:,} added; {self._draft_text()}"

    def _do_untag(self, action: TeamAction) -> str:
        store = self._lp.world.store
        args = action.command.args
        scope = scope_table(store)
        where = [scope.c.scope_id == DRAFT]
        if not args.get("all"):
            where.append(scope.c.table_name == args["table"])
            if "keys" in args:
                where.append(scope.c.record_key.in_(args["keys"]))
        with store.begin() as conn:
            removed = conn.execute(scope.delete().where(*where)).rowcount
        return f"{removed:,} removed; {self._draft_text()}"

    def _do_scope(self, action: TeamAction) -> str:
        if not action.command.args.get("submit"):
            return self._draft_text()
        loop = self._lp
        if not self._draft_counts():
            raise CommandError("nothing is tagged yet: tag records with 'tag last' after a "
                               "query or diff, or 'tag TABLE KEYS', then submit")
        loop.run.truth.persist(loop.world.store)
        start = loop.runtime.first_write or self.scenario.starts
        self.scope = submit_scope(
            loop.world.store, scope_id=SCOPE, draft_id=DRAFT, run_id=loop.run.run_id,
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
        total = repairable_count(loop.world.store, SCOPE)
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
        stage = repair_stage(
            loop.world.store, scope_id=SCOPE, run_id=loop.run.run_id,
            keys=ScopeSlice(SCOPE, done, upto),
            overwrite=not (sample or self._sampled),
            actor=Actor.repair(action.who, loop.run.run_id), label=label,
        )
        self._sampled = self._sampled or sample
        self._repaired = upto
        self.repairs.append(stage)
        detail = (f"{label}: {stage.records:,} records, {stage.fields_restored:,} values "
                  f"restored, {stage.records_compensated:,} compensated; "
                  f"{self._repaired:,} of {total:,} done")
        self._step(action, "repair", strategy, label, True, detail, stage)
        return detail

    def _do_reconcile(self, action: TeamAction) -> str:
        loop = self._lp
        for sync in loop.world.syncs.syncs:  # bring every copy up to date first
            sync.run(loop.world.store, action.at)
        pairs = reconcile(loop.world.store, self.scenario, loop.run.run_id,
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
        return ("first note sent" if first else "update sent") + (f": {text}" if text else "")

    def _do_cause(self, action: TeamAction) -> str:
        self.cause = action.command.args["text"]
        return "cause written down"

    def _do_note(self, action: TeamAction) -> str:
        return "noted"

    def _do_restart(self, action: TeamAction) -> str:
        loop = self._lp
        rt = loop.runtime
        args = action.command.args
        if args["step"] == "test":
            ok = self.cause is not None
            self._restart.tests.append((action.at, ok))
            detail = ("the test record came out right" if ok else
                      "the test record showed the fault is still there: write down the cause "
                      "and fix it first")
            self._step(action, "restart", "test", "one test record", ok, detail)
            return detail
        if rt.restarted_at is None and not rt.job_paused and not any(
            f.stopped_at for f in rt.feeders.values()
        ):
            raise CommandError("nothing is paused, so there is nothing to restart")
        limit = args.get("limit")
        step: int | str = limit if limit is not None else "normal"
        before = self._restart.ramp[-1] if self._restart.ramp else None
        if before == "normal" or (isinstance(step, int) and isinstance(before, int)
                                  and step <= before):
            raise CommandError(f"a ramp grows: batch {step} is not bigger than {before} "
                               "before it")
        if rt.restarted_at is None or rt.job_paused:
            rt.restart(action.at, fixed=self.cause is not None, limit=limit)
        else:
            rt.limit = limit
        self._restart.ramp.append(step)
        how = "fixed" if rt.fixed else "with the fault still in place"
        detail = f"running again {how}, " + (f"batches of {limit}" if limit else "normal volume")
        self._step(action, "restart", "restart", str(step), True, detail)
        return detail

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
        rt = self._loop.runtime if self._loop is not None else None
        restarted = rt.restarted_at if rt is not None else None
        if rb.restart is not None or self.cause or self._restart.tests or self._restart.ramp:
            restart = Restart.model_construct(
                approver=rb.restart.approver if rb.restart is not None else None,
                cause=self.cause,
                test=[f"test record at {at:%H:%M}" for at, _ in self._restart.tests],
                ramp=list(self._restart.ramp),
                watch=(finished - restarted) if restarted is not None and finished > restarted
                else None,
                takes=None,
            )
        return rb.model_copy(update={"scope": scope, "restart": restart})

