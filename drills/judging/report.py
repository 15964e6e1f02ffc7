"""The drill report: a finished drill's facts, findings and score in one DrillReport.

Built from the engine's :class:`~drills.engine.loop.DrillResult`, its
:class:`~drills.judging.endstate.Evaluation` and its findings: the phases and three
times, damage per system with scope precision and recall, the outcome, the drafted
first note and customer message, the restart checklist and the score; and for a
scenario made from a real incident, that incident beside the drill
(:mod:`drills.judging.incident`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from drills.engine.loop import DrillResult
from drills.fakes.active import CATALOG
from drills.judging.baselines import Baselines, baselines
from drills.judging.endstate import Evaluation, in_system, size, system_of
from drills.judging.harm import measure_harm
from drills.judging.incident import incident_comparison
from drills.judging.points import merge, score, unscored
from drills.judging.restart import restart_checklist_for
from drills.reports.drafts import customer_message, first_note
from drills.reports.findings import Finding
from drills.reports.model import (
    Comms,
    ContainmentEvent,
    DrillReport,
    Outcome,
    Phase,
    PhaseName,
    RunbookRef,
    ScenarioRef,
    SentNote,
    SystemDamage,
    ThreeTimes,
)
from drills.version import __version__

__all__ = ["build_report"]



def _no_source(result: DrillResult) -> dict[str, int]:
    """Per table, records the repair stages found no source for (each stage its own records)."""
    out: dict[str, int] = {}
    for o in result.outcomes:
        for table, n in getattr(o.data, "no_source", {}).items():
            out[table] = out.get(table, 0) + n
    return dict(sorted(out.items()))


def _minutes(at: datetime | None, origin: datetime) -> float | None:
    return None if at is None else round((at - origin).total_seconds() / 60, 2)


def build_report(
    result: DrillResult,
    findings: list[Finding],
    ev: Evaluation,
    *,
    runbook_path: str | None = None,
    responder: str = "scripted",
    baselines_: Baselines | None = None,
) -> DrillReport:
    """The report of a finished drill: its findings merged (one per code and place) and scored.

    The score sets the drill's harm between the two baselines of its seed
    (:mod:`drills.judging.baselines`): pass them when they were measured beside the gap
    costs, else they are measured here (once per scenario and process). An interrupted
    drill is not scored: its report carries the harm so far.
    """
    scenario = result.scenario
    runtime = result.runtime
    rb: Any = result.runbook
    origin = runtime.origin()
    outcomes = {(o.section): o for o in result.outcomes if o.ok}
    repaired_at = max((o.at for o in result.outcomes if o.section == "repair"), default=None)

    def phase(name: PhaseName, at: datetime | None, how: str = "") -> Phase:
        return Phase(name=name, at=at, minute=_minutes(at, origin), how=how)

    detection = result.detection
    phases = [
        phase(PhaseName.RUN_STARTED, origin,
              "first write of the bad run" if origin == runtime.first_write else
              f"the fault began ({scenario.fault.kind.replace('_', ' ')}); no bad write yet"),
        phase(PhaseName.DETECTED, detection.at if detection else None,
              detection.how if detection else "never detected"),
        phase(PhaseName.PAUSED, runtime.paused_at, "job paused"),
        phase(PhaseName.CONTAINED, runtime.contained_at,
              "job paused and every feeder off" if runtime.contained_at else
              "not contained when the drill was interrupted" if result.interrupted
              else "never contained"),
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
    all_systems = sorted({system_of(t) for t in ev.damaged} | set(team_scope))
    for system in all_systems:
        # Counted table by table: records of different tables never coincide, and
        # (table, key) sets of 200,000 records cost half a second per drill to build.
        dmg = in_system(ev.damaged, system)
        left = in_system(ev.left_wrong, system)
        damaged = size(dmg)
        scoped = in_system(ev.scoped, system)
        found = size(scoped)
        counts = scope_result.system_counts(system) if scope_result is not None else None
        hit = sum(len(ks & dmg.get(t, set())) for t, ks in scoped.items())
        systems.append(SystemDamage(
            system=system, damaged=damaged,
            after_detection=size(in_system(ev.damaged_after_detection, system)),
            scoped=system in team_scope,
            changed=counts.changed if counts else 0, wrong=counts.wrong if counts else 0,
            safe=counts.safe if counts else 0, unclear=counts.unclear if counts else 0,
            precision=round(hit / found, 4) if found else None,
            recall=round(hit / damaged, 4) if damaged and scope_result is not None else (
                0.0 if damaged else None),
            repaired=sum(len(ks - left.get(t, set())) for t, ks in dmg.items()),
            left_wrong=size(left),
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
        messages_sent_wrongly=ev.sent_wrongly,
        no_source=_no_source(result),
    )
    comms = _comms(result, ev, rb, origin)
    checklist = restart_checklist_for(result, outcome.unreconciled)
    final_findings = merge(findings)
    harm = measure_harm(result, ev, final_findings)
    touches = list(scenario.automation.touches)
    if result.interrupted:
        drill_score = unscored(harm, touches, minute=_minutes(result.finished, origin))
    else:
        base = baselines_ if baselines_ is not None else baselines(scenario)
        drill_score = score(
            final_findings, harm, base.nothing, base.perfect, touches,
            contained=runtime.contained_at is not None,
            detected_or_ran=runtime.first_write is not None,
            restarted_with_fault=runtime.restarted_at is not None and not runtime.fixed,
        )
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
            systems=sorted({system_of(t) for t in result.store.tables}),
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
        score=drill_score,
        comms=comms,
        restart_checklist=checklist,
        status="interrupted" if result.interrupted else "finished",
        interrupted_at=result.finished if result.interrupted else None,
        containment=[
            ContainmentEvent(kind=t.kind, at=t.at, minute=_minutes(t.at, origin) or 0.0,
                             fixed=t.fixed)
            for t in runtime.turns
        ],
        incident=incident_comparison(result, outcome.minutes_to_contain),
    )


def _sent(result: DrillResult, rb: Any, origin: datetime) -> list[SentNote]:
    """The notes a scripted responder sent, with the drill's numbers at each moment.

    The damage is the timeline's point at the note's time; paused and contained follow the
    runtime's turns. (A live drill lists its own, with the words typed:
    :mod:`drills.responders.live`.)
    """
    runtime = result.runtime
    who = getattr(getattr(rb, "owner", None), "name", None) or "the runbook"
    out: list[SentNote] = []
    for i, at in enumerate(result.notes):
        point = None
        for p in result.timeline:
            if p.at <= at:
                point = p
        contained = False
        for t in runtime.turns:
            if t.at <= at:
                contained = t.kind == "contained"
        repaired = sum(getattr(o.data, "records", 0) for o in result.outcomes
                       if o.section == "repair" and o.ok and o.at <= at)
        out.append(SentNote(
            at=at, minute=_minutes(at, origin) or 0.0, who=who,
            kind="first note" if i == 0 else "update",
            records_damaged=point.damaged if point else 0,
            by_system=dict(point.by_system) if point else {},
            records_repaired=repaired,
            job_paused=contained or (runtime.paused_at is not None and runtime.paused_at <= at
                                     and not any(t.kind == "restarted" and t.at <= at
                                                 for t in runtime.turns)),
            contained=contained,
        ))
    return out


def _comms(result: DrillResult, ev: Evaluation, rb: Any, origin: datetime) -> Comms:
    runtime = result.runtime
    scenario = result.scenario
    paused = []
    if runtime.paused_at is not None:
        paused.append(f"the {scenario.automation.name} job")
    paused += [f"the {f.kind} {f.name}" for f in runtime.feeders.values() if f.stopped_at]
    wrong = [
        f"{len(keys):,} records in {table}" for table, keys in sorted(ev.damaged.items())
    ]
    damaged_systems = {system_of(t) for t in ev.damaged}
    normal = sorted({system_of(t) for t in result.store.tables} - damaged_systems)
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
    if message is None and any(t == CATALOG.outbox for t in ev.damaged):
        message = customer_message(
            f"our {scenario.automation.name} automation sent some messages it should not have",
            runtime.first_write or scenario.starts,
        )
    return Comms(first_note=note, first_note_at=first_at,
                 updates_sent=max(0, len(result.notes) - 1), customer_message=message,
                 sent=_sent(result, rb, origin))
