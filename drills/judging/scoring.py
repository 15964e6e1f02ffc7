"""Scoring: a drill's facts measured against ground truth, judged, and turned into a report.

Every number here is measured, never guessed: damage from the run's ground truth,
scope precision and recall from the team's scope table against it, records left
wrong and human edits overwritten from the world's final state and the change
log. Findings come from two places - the runbook lint (what the page is missing)
and the drill (what that cost here: a feeder left running, a system never
scoped) - and the score is 100 points split over eight rubric checks, each point
lost traced to a finding (see ``docs/scoring.md``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from drills import __version__
from drills.engine.loop import DrillResult
from drills.fakes.catalog import CATALOG, KEY
from drills.levers.reconcile import reconcile
from drills.levers.repair import COMPENSATION
from drills.levers.scope import scope_table
from drills.reports.drafts import customer_message, first_note, restart_checklist
from drills.reports.findings import Check, Finding, Severity
from drills.reports.model import (
    Comms,
    DrillReport,
    Outcome,
    Phase,
    PhaseName,
    Reconcile,
    RunbookRef,
    ScenarioRef,
    Score,
    ScoreItem,
    SystemDamage,
    ThreeTimes,
)
from drills.scenarios.schema import FieldSyncSpec
from drills.scenarios.truth import DamageKind, read_values

__all__ = [
    "JUDGED_AT_END",
    "SEVERITY_SHARE",
    "WEIGHTS",
    "Evaluation",
    "build_report",
    "evaluate",
    "not_reached",
    "score",
]

WEIGHTS: dict[Check, int] = {
    Check.COMPLETENESS: 10,
    Check.DETECTION: 15,
    Check.CONTAINMENT: 20,
    Check.SCOPING: 15,
    Check.REPAIR: 15,
    Check.VERIFICATION: 10,
    Check.COMMS: 5,
    Check.RESTART: 10,
}
"""Points per rubric check; they add up to 100."""

SEVERITY_SHARE: dict[Severity, float] = {
    Severity.CRITICAL: 1.0,
    Severity.HIGH: 0.5,
    Severity.MEDIUM: 0.25,
    Severity.LOW: 0.1,
    Severity.INFO: 0.0,
}
"""Share of its check's points one finding costs; a check never goes below zero."""

JUDGED_AT_END: frozenset[str] = frozenset({
    "never-detected", "feeder-left-running", "queue-left-running", "never-contained",
    "records-left-wrong", "counts-do-not-reconcile",
})
"""Drill findings that say how the drill *ended*: an interrupted drill has not earned them.

"Never contained" at minute 12 of a drill stopped at minute 12 is not a fact about the
runbook, so a report rebuilt from a cut-off journal leaves these out and says which
were not reached (:func:`not_reached`) rather than calling them gaps.
"""


@dataclass(frozen=True)
class Evaluation:
    """The end state of the world, judged against ground truth."""

    damaged: dict[str, set[int]]
    damaged_after_detection: dict[str, set[int]]
    left_wrong: dict[str, set[int]]
    human_edits_overwritten: int
    duplicates_left: int
    reconciled: list[Reconcile]
    scoped: dict[str, set[int]]

    @property
    def records_damaged(self) -> int:
        return sum(len(v) for v in self.damaged.values())

    @property
    def records_left_wrong(self) -> int:
        return sum(len(v) for v in self.left_wrong.values())


def _system(table: str) -> str:
    return table.split(".")[0]


def _in_system(by_table: Mapping[str, set[int]], system: str) -> dict[str, set[int]]:
    return {t: keys for t, keys in by_table.items() if _system(t) == system}


def _size(by_table: Mapping[str, set[int]]) -> int:
    return sum(len(keys) for keys in by_table.values())


def evaluate(result: DrillResult) -> Evaluation:
    """Compare the world's final state with ground truth and the change log."""
    store = result.store
    truth = result.run.truth
    detected = result.detection.at if result.detection else None
    damaged: dict[str, set[int]] = defaultdict(set)
    after: dict[str, set[int]] = defaultdict(set)
    for d in truth:
        damaged[d.table].add(d.key)
        if detected is not None and d.at > detected:
            after[d.table].add(d.key)
    upstream = _Upstream(result)
    fields = [d.ident for d in truth if d.kind is not DamageKind.EXTRA]
    governed = {*fields, *upstream.all(fields)}
    person, overwritten = _person_history(result, governed)
    values = read_values(store, governed)
    marks = read_values(store, [_mark(d.table, d.key) for d in truth if d.kind is DamageKind.EXTRA])
    left: dict[str, set[int]] = defaultdict(set)
    for d in truth:
        if d.kind is DamageKind.EXTRA:
            ident = _mark(d.table, d.key)
            if marks.get(ident) != _compensated(d.table):
                left[d.table].add(d.key)
            continue
        value = values.get(d.ident)
        if value == d.right:
            continue  # right whoever governs it: the common case, so asked first
        owner = upstream.governing(d.ident, person)
        if owner == d.ident:
            continue  # a person's own later value stands; overwriting it is counted apart
        # Downstream of a person's edit, either their value or (until the next sync
        # delivers it) the repaired value is right.
        if owner is None or value != values.get(owner):
            left[d.table].add(d.key)
    duplicates = sum(
        1
        for d in truth
        if d.kind is DamageKind.EXTRA and d.table == "email.outbox" and d.key in left[d.table]
    )
    final = reconcile(store, result.scenario, result.run.run_id, result.runtime.handled)
    scoped: dict[str, set[int]] = defaultdict(set)
    if sa.inspect(store.engine).has_table("_drills_scope"):
        scope = scope_table(store)
        with store.engine.connect() as conn:
            for table, key in conn.execute(
                sa.select(scope.c.table_name, scope.c.record_key).where(scope.c.scope_id == "team")
            ):
                scoped[table].add(int(key))
    return Evaluation(dict(damaged), dict(after), dict(left), overwritten, duplicates, final,
                      dict(scoped))


FieldId = tuple[str, int, str]


def _source_table(table: str) -> str:
    return CATALOG.table(table).copy_of or table


def _compensated(table: str) -> str:
    return COMPENSATION.get(_source_table(table), ("status", "void"))[1]


def _mark(table: str, key: int) -> FieldId:
    """The field whose compensation value says an extra record was neutralised."""
    return (table, key, COMPENSATION.get(_source_table(table), ("status", "void"))[0])


class _Upstream:
    """Where a downstream field's value comes from: the copied record, or the synced field.

    A copy of a field a person changed is right when it holds their value, so the
    residual check follows each damaged field upstream to whoever governs it. The
    record a synced field points at is read for a whole level of fields at once
    (:meth:`all`), and every answer is kept: a hundred thousand damaged fields cost a
    few queries, not one each.
    """

    def __init__(self, result: DrillResult) -> None:
        self.store = result.store
        self.syncs = {
            (spec.to.rsplit(".", 1)[0], spec.to.rsplit(".", 1)[1]): spec
            for spec in result.scenario.world.syncs
        }
        self._refs: dict[tuple[str, int], object] = {}
        self._ways: dict[tuple[str, str], str | FieldSyncSpec | None] = {}
        """Per (table, field): the copied table's name, the sync's spec, or None."""

    def of(self, ident: FieldId) -> FieldId | None:
        table, key, field = ident
        if (table, field) in self._ways:
            way = self._ways[(table, field)]
        else:
            source = CATALOG.table(table).copy_of
            way = source if source is not None else self.syncs.get((table, field))
            self._ways[(table, field)] = way
        if way is None:
            return None
        if isinstance(way, str):  # a warehouse copy: the same record upstream
            return (way, key, field)
        if (table, key) not in self._refs:
            row = self.store.get(table, key)
            self._refs[(table, key)] = row.get(way.key) if row else None
        ref = self._refs[(table, key)]
        if not isinstance(ref, int):
            return None
        src_table, src_field = way.from_.rsplit(".", 1)
        return (src_table, ref, src_field)

    def chain(self, ident: FieldId) -> list[FieldId]:
        out: list[FieldId] = []
        current: FieldId | None = self.of(ident)
        while current is not None and current not in out and len(out) < 4:
            out.append(current)
            current = self.of(current)
        return out

    def all(self, idents: Iterable[FieldId]) -> set[FieldId]:
        """Every field upstream of any of ``idents`` (up to four hops), level by level."""
        out: set[FieldId] = set()
        level = set(idents)
        for _ in range(4):
            self._prefetch(level)
            level = {u for i in level if (u := self.of(i)) is not None}
            if not level:
                break
            out |= level
        return out

    def _prefetch(self, idents: Iterable[FieldId]) -> None:
        """Read the sync key of every synced field in ``idents``, one query per table."""
        wanted: dict[tuple[str, str], set[int]] = defaultdict(set)
        for table, key, field in idents:
            spec = self.syncs.get((table, field))
            if spec is not None and (table, key) not in self._refs:
                wanted[(table, spec.key)].add(key)
        for (table, key_field), keys in wanted.items():
            t = self.store.sa_table(table)
            with self.store.engine.connect() as conn:
                for key, ref in self.store.read_keyed(conn, t, (KEY, key_field), keys):
                    self._refs[(table, int(key))] = ref
            for key in keys:
                self._refs.setdefault((table, key), None)

    def governing(self, ident: FieldId, person: set[FieldId]) -> FieldId | None:
        """The field a person set that this one should now mirror, or None."""
        if not person:
            return None
        for candidate in (ident, *self.chain(ident)):
            if candidate in person:
                return candidate
        return None


def _person_history(result: DrillResult, idents: set[FieldId]) -> tuple[set[FieldId], int]:
    """Fields whose last word is a person's, and how many of those a repair overwrote.

    Walks the change log in order, keeping the last writer of each field: a person's
    legitimate edit after the run's damage makes the field theirs; a repair write
    while a person is the last writer is an overwritten human edit. Shadow fixes
    are not legitimate edits and give nobody the last word. Only records a person
    wrote can end either way, so only their history is read.
    """
    store = result.store
    cl = store.changelog
    tables = sorted({t for t, _, _ in idents})
    if not tables:
        return set(), 0
    touched = (
        sa.select(cl.c.table_name, cl.c.record_key)
        .where(cl.c.table_name.in_(tables), cl.c.op == "update", cl.c.actor_kind == "person")
        .distinct()
        .subquery("touched")
    )
    with store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(cl.c.table_name, cl.c.record_key, cl.c.field, cl.c.actor_kind,
                      cl.c.actor_name)
            .select_from(cl.join(touched, sa.and_(
                cl.c.table_name == touched.c.table_name,
                cl.c.record_key == touched.c.record_key,
            )))
            .where(cl.c.op == "update")
            .order_by(cl.c.seq)
        ).all()
    last: dict[FieldId, str] = {}
    overwritten: set[FieldId] = set()
    for table, key, field, kind, name in rows:
        ident = (table, int(key), field)
        if ident not in idents:
            continue
        legit = kind == "person" and not str(name).startswith("shadow fix")
        if kind == "repair" and last.get(ident) == "person":
            overwritten.add(ident)
        if legit:
            last[ident] = "person"
        elif kind in ("automation", "repair") or (kind == "person" and not legit):
            last[ident] = kind
    return {i for i, who in last.items() if who == "person"}, len(overwritten)


# -- findings the drill itself observes ---------------------------------------------------


def drill_findings(result: DrillResult, ev: Evaluation) -> list[Finding]:
    out: list[Finding] = []
    runtime = result.runtime
    rb: Any = result.runbook

    def add(code: str, severity: Severity, check: Check, message: str, fix: str,
            where: str | None = None) -> None:
        out.append(Finding(code=code, severity=severity, check=check, message=message,
                           fix=fix, where=where))

    if rb is None:
        for check in Check:
            add("no-runbook", Severity.CRITICAL, check,
                f"there is no runbook, so nothing covers {check.value}",
                "write a one-page runbook: 'drills init' scaffolds one", where=check.value)
    if result.detection is None:
        add("never-detected", Severity.CRITICAL, Check.DETECTION,
            "nothing detected the bad run: no stop rule fired and no complaint came in",
            "add a stop rule on a metric this fault moves, e.g. changed_records >= 50 within 10m")
    elif result.detection.rule is None:
        add("detected-by-complaint", Severity.HIGH, Check.DETECTION,
            f"the bad run was noticed by a customer, not by a stop rule ({result.detection.how})",
            "add a stop rule that fires before customers see the damage")
    if result.detection is not None and result.acted_at is not None and (
        result.acted_at > result.detection.at
    ):
        minutes = (result.acted_at - result.detection.at).total_seconds() / 60
        add("waited-for-escalation", Severity.HIGH, Check.CONTAINMENT,
            f"nobody who could pause was reachable: {minutes:.0f} minutes lost to escalation",
            "name an owner (a person, not a team) who may pause without a meeting")
    for feeder in runtime.feeders.values():
        if feeder.stopped_at is None and result.detection is not None:
            queue = feeder.kind == "queue"
            add("queue-left-running" if queue else "feeder-left-running", Severity.HIGH,
                Check.CONTAINMENT,
                f"{feeder.kind} '{feeder.name}' kept running after the job was paused",
                f"add '{'stop_queue' if queue else 'disable_feeder'}: {feeder.name}' to the "
                "runbook's pause steps", where=feeder.name)
    if result.detection is not None and runtime.contained_at is None:
        add("never-contained", Severity.CRITICAL, Check.CONTAINMENT,
            "the bad run was never contained: something kept feeding it to the end of the drill",
            "pause the job and shut off every schedule, webhook, chained job and queue")
    scope_systems = set(getattr(getattr(rb, "scope", None), "systems", []) or [])
    if rb is not None and result.detection is not None:
        for system in sorted({_system(t) for t in ev.damaged} - scope_systems):
            n = sum(len(v) for t, v in ev.damaged.items() if _system(t) == system)
            add("system-never-scoped", Severity.HIGH, Check.SCOPING,
                f"{system} holds {n:,} damaged records but the scope never looked there",
                f"add {system} to scope.systems", where=system)
        snap_at = next((o.at for o in result.outcomes if o.section == "snapshot" and o.ok), None)
        early = [e for e in result.people.edits
                 if not e.shadow and (snap_at is None or e.at < snap_at)
                 and (result.detection is None or e.at >= result.detection.at)]
        if early:
            add("edits-before-snapshot", Severity.MEDIUM, Check.REPAIR,
                f"{len(early)} hand edits were made after detection before any snapshot",
                "take the snapshot first, before anyone edits by hand (rule 3)")
    shadow = [e for e in result.people.edits if e.shadow]
    if shadow:
        add("shadow-fixes", Severity.MEDIUM, Check.COMMS,
            f"{len(shadow)} untracked hand fixes started because nobody said anything in time",
            "send the first note within 15 minutes of detection and update on a schedule")
    if ev.human_edits_overwritten:
        add("human-edits-overwritten", Severity.HIGH, Check.REPAIR,
            f"the repair overwrote {ev.human_edits_overwritten} values people had changed",
            "repair a sample first and review records people touched during the window")
    if ev.records_left_wrong:
        add("records-left-wrong", Severity.HIGH, Check.REPAIR,
            f"{ev.records_left_wrong:,} records were still wrong when the drill ended",
            "scope every system the run reached and repair with a script or bulk revert")
    bad = [r for r in ev.reconciled if not r.ok]
    if bad:
        add("counts-do-not-reconcile", Severity.MEDIUM, Check.VERIFICATION,
            f"{len(bad)} pairs of systems disagree after repair "
            f"(e.g. {bad[0].left} {bad[0].left_count:,} vs {bad[0].right} {bad[0].right_count:,})",
            "reconcile counts across every system the data was copied to")
    if runtime.restarted_at is not None and not runtime.fixed:
        add("restarted-with-fault", Severity.HIGH, Check.RESTART,
            "the job was restarted with its cause unknown and the fault came back",
            "write the exact cause down and run one test record before restarting")
    for o in result.outcomes:
        if o.section == "pause" and not o.ok:
            add("unknown-pause-target", Severity.HIGH, Check.CONTAINMENT,
                f"pause step '{o.action}: {o.target}' failed: {o.detail}",
                "name the job and feeders exactly as the automation has them", where=o.target)
    return not_reached(out, result.finished) if result.interrupted else out


def not_reached(findings: list[Finding], at: datetime) -> list[Finding]:
    """An interrupted drill's findings: the end-of-drill ones replaced by one that says so."""
    kept = [f for f in findings if f.code not in JUDGED_AT_END]
    dropped = sorted({f.code for f in findings if f.code in JUDGED_AT_END})
    what = (f"so these were not judged: {', '.join(dropped)}" if dropped
            else "so the checks judged at a drill's end were not reached")
    return [*kept, Finding(
        code="drill-interrupted", severity=Severity.INFO, check=Check.COMPLETENESS,
        message=f"the drill was interrupted at {at:%H:%M} drill time, {what}",
        fix="run the drill to its end again: the same scenario, runbook and seed replay it "
            "exactly",
    )]


def merge(findings: Iterable[Finding]) -> list[Finding]:
    """One finding per (code, where), most severe first, then by check and code."""
    seen: dict[tuple[str, str | None], Finding] = {}
    for f in findings:
        key = (f.code, f.where)
        if key not in seen or f.severity.rank < seen[key].severity.rank:
            seen[key] = f
    order = list(Check)
    return sorted(seen.values(), key=lambda f: (f.severity.rank, order.index(f.check), f.code))


def score(findings: Iterable[Finding]) -> Score:
    """100 points over the rubric checks; each finding costs a share of its check."""
    lost: dict[Check, float] = defaultdict(float)
    codes: dict[Check, list[str]] = defaultdict(list)
    for f in findings:
        share = SEVERITY_SHARE[f.severity]
        if share:
            lost[f.check] += share * WEIGHTS[f.check]
            codes[f.check].append(f.code)
    items = [
        ScoreItem(check=c, points=round(max(0.0, w - lost[c]), 2), max_points=w,
                  lost_to=sorted(set(codes[c])))
        for c, w in WEIGHTS.items()
    ]
    return Score(total=round(sum(i.points for i in items)), items=items)


# -- the report ---------------------------------------------------------------------------


def _minutes(at: datetime | None, origin: datetime) -> float | None:
    return None if at is None else round((at - origin).total_seconds() / 60, 2)


def build_report(
    result: DrillResult,
    findings: list[Finding],
    ev: Evaluation,
    *,
    runbook_path: str | None = None,
    responder: str = "scripted",
) -> DrillReport:
    scenario = result.scenario
    runtime = result.runtime
    rb: Any = result.runbook
    origin = runtime.first_write or scenario.starts + scenario.fault.starts
    outcomes = {(o.section): o for o in result.outcomes if o.ok}
    repaired_at = max((o.at for o in result.outcomes if o.section == "repair"), default=None)

    def phase(name: PhaseName, at: datetime | None, how: str = "") -> Phase:
        return Phase(name=name, at=at, minute=_minutes(at, origin), how=how)

    detection = result.detection
    phases = [
        phase(PhaseName.RUN_STARTED, runtime.first_write, "first write of the bad run"),
        phase(PhaseName.DETECTED, detection.at if detection else None,
              detection.how if detection else "never detected"),
        phase(PhaseName.PAUSED, runtime.paused_at, "job paused"),
        phase(PhaseName.CONTAINED, runtime.contained_at,
              "job paused and every feeder off" if runtime.contained_at else "never contained"),
        phase(PhaseName.SNAPSHOT, outcomes["snapshot"].at if "snapshot" in outcomes else None),
        phase(PhaseName.SCOPED, outcomes["scope"].at if "scope" in outcomes else None,
              outcomes["scope"].detail if "scope" in outcomes else ""),
        phase(PhaseName.REPAIRED, repaired_at),
        phase(PhaseName.VERIFIED, outcomes["verify"].at if "verify" in outcomes else None,
              outcomes["verify"].detail if "verify" in outcomes else ""),
        phase(PhaseName.FIRST_NOTE, result.notes[0] if result.notes else None),
        phase(PhaseName.RESTARTED, runtime.restarted_at,
              "fixed" if runtime.fixed
              else ("fault still present" if runtime.restarted_at else "")),
    ]
    team_scope = getattr(getattr(rb, "scope", None), "systems", []) or []
    scope_result = None
    for o in result.outcomes:
        if o.section == "scope" and o.ok:
            scope_result = o.data
    systems: list[SystemDamage] = []
    all_systems = sorted({_system(t) for t in ev.damaged} | set(team_scope))
    for system in all_systems:
        # Counted table by table: records of different tables never coincide, and
        # (table, key) sets of 200,000 records cost half a second per drill to build.
        dmg = _in_system(ev.damaged, system)
        left = _in_system(ev.left_wrong, system)
        damaged = _size(dmg)
        scoped = _in_system(ev.scoped, system)
        found = _size(scoped)
        counts = scope_result.system_counts(system) if scope_result is not None else None
        hit = sum(len(ks & dmg.get(t, set())) for t, ks in scoped.items())
        systems.append(SystemDamage(
            system=system, damaged=damaged,
            after_detection=_size(_in_system(ev.damaged_after_detection, system)),
            scoped=system in team_scope,
            changed=counts.changed if counts else 0, wrong=counts.wrong if counts else 0,
            safe=counts.safe if counts else 0, unclear=counts.unclear if counts else 0,
            precision=round(hit / found, 4) if found else None,
            recall=round(hit / damaged, 4) if damaged and scope_result is not None else (
                0.0 if damaged else None),
            repaired=sum(len(ks - left.get(t, set())) for t, ks in dmg.items()),
            left_wrong=_size(left),
        ))
    contained_minutes = _minutes(runtime.contained_at, origin)
    outcome = Outcome(
        records_damaged=ev.records_damaged,
        records_damaged_after_detection=sum(len(v) for v in ev.damaged_after_detection.values()),
        records_left_wrong=ev.records_left_wrong,
        human_edits_overwritten=ev.human_edits_overwritten,
        duplicates_left=ev.duplicates_left,
        unreconciled=sum(1 for r in ev.reconciled if not r.ok),
        minutes_to_detect=_minutes(detection.at if detection else None, origin),
        minutes_to_contain=contained_minutes,
        contained=runtime.contained_at is not None,
        restarted=runtime.restarted_at is not None,
    )
    comms = _comms(result, ev, rb)
    restart = getattr(rb, "restart", None)
    approver = getattr(getattr(restart, "approver", None), "name", None)
    ramp = list(getattr(restart, "ramp", []) or [])
    # An interrupted drill may not have got to the restart step: its tests were not run.
    tried = not result.interrupted or any(o.section == "restart" for o in result.outcomes)
    checklist = restart_checklist(
        cause=getattr(restart, "cause", None),
        unreconciled=outcome.unreconciled,
        test_record_ok=(runtime.fixed if getattr(restart, "test", None) and tried else None),
        tiny_batch_ok=(runtime.fixed if ramp and tried else None),
        normal_volume=runtime.restarted_at is not None and runtime.fixed,
        on_duty=getattr(getattr(rb, "owner", None), "name", None)
        if getattr(restart, "watch", None) else None,
        approver=approver,
    )
    final_findings = merge(findings)
    return DrillReport(
        drill_id=result.drill_id,
        # Wall time, read after the drill's own freezer has stopped: the date a readiness
        # review ages this result by (a test's freezegun controls it).
        ran_at=result.ran_at or datetime.now(UTC),
        tool_version=__version__,
        responder=responder,  # type: ignore[arg-type]
        seed=scenario.seed,
        backend=result.store.backend.display_url,
        scenario=ScenarioRef(
            name=scenario.name, title=scenario.title, summary=scenario.summary.strip(),
            fault=scenario.fault.kind,
            systems=sorted({_system(t) for t in result.store.tables}),
            touches=list(scenario.automation.touches),
        ),
        runbook=RunbookRef(
            automation=getattr(rb, "automation", scenario.automation.name),
            path=runbook_path,
            owner=getattr(getattr(rb, "owner", None), "name", None),
        ) if rb is not None else None,
        automation=scenario.automation.name,
        started=result.started,
        finished=result.finished,
        wall_seconds=round(result.wall_seconds, 3),
        phases=phases,
        times=ThreeTimes(
            run_started=runtime.first_write or origin,
            paused=runtime.paused_at,
            last_changed_data=runtime.last_write,
        ),
        timeline=result.timeline,
        systems=systems,
        outcome=outcome,
        reconcile=ev.reconciled,
        steps=result.steps,
        log=sorted(result.log, key=lambda e: e.at),
        findings=final_findings,
        score=score(final_findings),
        comms=comms,
        restart_checklist=checklist,
        status="interrupted" if result.interrupted else "finished",
        interrupted_at=result.finished if result.interrupted else None,
    )


def _comms(result: DrillResult, ev: Evaluation, rb: Any) -> Comms:
    runtime = result.runtime
    scenario = result.scenario
    paused = []
    if runtime.paused_at is not None:
        paused.append(f"the {scenario.automation.name} job")
    paused += [f"the {f.kind} {f.name}" for f in runtime.feeders.values() if f.stopped_at]
    wrong = [
        f"{len(keys):,} records in {table}" for table, keys in sorted(ev.damaged.items())
    ]
    damaged_systems = {_system(t) for t in ev.damaged}
    normal = sorted({_system(t) for t in result.store.tables} - damaged_systems)
    comms = getattr(rb, "comms", None)
    first_at = result.notes[0] if result.notes else None
    every = getattr(comms, "next_update_every", None)
    note = first_note(
        scenario.automation.name,
        runtime.first_write or scenario.starts,
        paused,
        wrong,
        [f"everything in {s}" for s in normal],
        (first_at + every) if first_at is not None and every else None,
        owner=getattr(getattr(rb, "owner", None), "name", None),
    )
    message = getattr(comms, "customer_message", None)
    if message is None and any(t == "email.outbox" for t in ev.damaged):
        message = customer_message(
            f"our {scenario.automation.name} automation sent some messages it should not have",
            runtime.first_write or scenario.starts,
        )
    return Comms(first_note=note, first_note_at=first_at,
                 updates_sent=max(0, len(result.notes) - 1), customer_message=message)

