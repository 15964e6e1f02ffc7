"""Grading a live drill: the scripted judge, the team's real times, the runbook beside them.

A live drill is judged by the very code that judges a scripted one
(:mod:`drills.judging`): the same phases, findings and score, from the times the
team really acted and what their actions really did to the world - over the whole
drill window, since a drill the team ended early was played out to its end with the
world as they left it. Points come only from what was done: the Messages list only
the notes the team sent (their words, with the numbers of that moment). Two things
differ and are said so: the scope graded is the one the team submitted (precision and
recall per table against ground truth), and the report carries a
:class:`~drills.reports.model.Comparison` with the same seeded drill run by the runbook
followed perfectly, so the room sees "we contained in 9 minutes, the runbook says 6".
"""

from __future__ import annotations

import dataclasses

from drills.engine.collector import collector_paused
from drills.engine.loop import TICK, DrillResult
from drills.fakes.backends import open_backend
from drills.fakes.backends.spec import rerun_spec
from drills.judging import Evaluation, build_report, drill_findings, evaluate
from drills.reports.findings import Finding
from drills.reports.model import (
    ChecklistItem,
    Comparison,
    DrillReport,
    PhaseComparison,
    ScopeAccuracy,
)
from drills.responders.live.responder import LiveResponder
from drills.responders.scripted import Drill
from drills.runbook import Runbook, lint_runbook
from drills.scenarios.schema import Scenario

__all__ = ["compare", "grade_live", "not_restarted", "scope_accuracy"]


def grade_live(
    result: DrillResult,
    responder: LiveResponder,
    *,
    runbook_path: str | None = None,
    with_runbook: bool = True,
) -> DrillReport:
    """Judge a live drill; with ``with_runbook``, beside the same drill run by the runbook."""
    written = result.runbook
    acted = result.acted_at
    if acted is not None and result.detection is not None and (
        acted - result.detection.at < TICK
    ):
        # Stop rules are checked once a tick, so detection is known to the tick: a pause
        # within it was at once, as a scripted owner who may pause is.
        acted = result.detection.at
    performed = dataclasses.replace(
        result, runbook=responder.as_performed(result.finished), acted_at=acted
    )
    ev = evaluate(performed)
    findings = [_live_wording(f, responder) for f in drill_findings(performed, ev)]
    if written is not None:
        findings += lint_runbook(written, source=runbook_path)
    report = build_report(performed, findings, ev, runbook_path=runbook_path, responder="live")
    # The notes the team really sent, in their words, with the numbers of that moment.
    comms = report.comms.model_copy(update={"sent": list(responder.sent)})
    checklist = report.restart_checklist
    if result.runtime.restarted_at is None:
        checklist = not_restarted(checklist)
    comparison: Comparison | None = None
    if with_runbook and written is not None and not result.interrupted:
        # An interrupted drill is set beside nothing: the runbook's whole drill against
        # part of the team's would compare an end with a middle.
        comparison = compare(report, ev, written, result, runbook_path)
    return report.model_copy(update={"comparison": comparison, "comms": comms,
                                     "restart_checklist": checklist})


_RESTARTING = ("tiny batch", "normal volume", "on duty", "approved")
"""Checklist items only a restart can meet (the rest - cause, counts, a test record -
are things a team does or measures whether or not it restarts)."""


def not_restarted(checklist: list[ChecklistItem]) -> list[ChecklistItem]:
    """The restart checklist of a drill whose job was never restarted: nothing that only a
    restart can meet is credited (a runbook naming an approver approves nothing)."""
    out: list[ChecklistItem] = []
    for item in checklist:
        if any(word in item.item.lower() for word in _RESTARTING):
            named = f"; the runbook names {item.detail}" if item.done and item.detail else ""
            item = item.model_copy(update={"done": False, "detail": f"not restarted{named}"})
        out.append(item)
    return out


def _live_wording(finding: Finding, responder: LiveResponder) -> Finding:
    """Scripted wording blames an unreachable owner; live, the delay is the team's own."""
    if finding.code != "waited-for-escalation" or responder.acted_at is None:
        return finding
    assert responder.detected_at is not None
    minutes = (responder.acted_at - responder.detected_at).total_seconds() / 60
    return finding.model_copy(update={
        "message": f"the first pause came {minutes:.0f} minutes after detection",
        "fix": "practise the first safe action until pausing takes seconds: the owner pauses "
               "first and investigates second (rule 1)",
    })


def scope_accuracy(ev: Evaluation) -> list[ScopeAccuracy]:
    """The submitted scope per table against ground truth: what it found and what it missed."""
    tables = sorted(set(ev.damaged) | set(ev.scoped))
    out: list[ScopeAccuracy] = []
    for table in tables:
        damaged = ev.damaged.get(table, set())
        tagged = ev.scoped.get(table, set())
        hit = len(damaged & tagged)
        out.append(ScopeAccuracy(
            table=table, damaged=len(damaged), tagged=len(tagged), found=hit,
            precision=round(hit / len(tagged), 4) if tagged else None,
            recall=round(hit / len(damaged), 4) if damaged else None,
        ))
    return out


def compare(
    report: DrillReport,
    ev: Evaluation,
    runbook: Runbook,
    result: DrillResult,
    runbook_path: str | None,
) -> Comparison:
    """Run the same seeded drill with the runbook followed perfectly and set it beside the team.

    It runs on the same kind of database as the team's drill (on PostgreSQL, in a schema
    of its own, dropped afterwards), as a scripted drill's gap-cost reruns do.
    """
    scripted = _runbook_drill(result.scenario, runbook, result, runbook_path)
    theirs = {p.name: p for p in scripted.phases}
    phases = [
        PhaseComparison(name=p.name, team=p.minute, runbook=theirs[p.name].minute
                        if p.name in theirs else None)
        for p in report.phases
    ]
    return Comparison(
        runbook_drill_id=scripted.drill_id,
        phases=phases,
        team=report.outcome,
        runbook=scripted.outcome,
        team_score=report.score.total,
        runbook_score=scripted.score.total,
        scope=scope_accuracy(ev),
    )



def _runbook_drill(
    scenario: Scenario, runbook: Runbook, result: DrillResult, runbook_path: str | None
) -> DrillReport:
    """The scripted drill of ``runbook``, judged as ``drills run`` judges one (no gap costs)."""
    runbook_path = runbook_path or None
    backend = open_backend(rerun_spec(result.store.backend))
    try:
        drill = Drill(scenario, runbook, backend=backend)
        scripted = drill.run()
        with collector_paused():  # judging reads the whole truth (drills.engine.collector)
            ev = evaluate(scripted)
            findings = drill_findings(scripted, ev)
        findings += lint_runbook(runbook, source=runbook_path)
        return build_report(scripted, findings, ev, runbook_path=runbook_path)
    finally:
        backend.dispose()
