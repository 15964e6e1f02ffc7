"""The findings a drill observes: what the runbook's gaps cost in the drill world.

The lint reads a runbook on paper; a drill sees what its gaps did - a feeder left
running, a system the scope never looked at, records still wrong at the end. Each
finding is built from its row of :data:`drills.findings.FINDINGS`, so its severity,
check and wording are the registry's, byte for byte.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from drills.engine.loop import DrillResult
from drills.engine.people import owner_away
from drills.files import format_duration
from drills.findings import finding
from drills.judging.endstate import Evaluation, system_of
from drills.judging.restart import restart_findings
from drills.reports.findings import Check, Finding
from drills.runbook.durations import Raised

__all__ = ["JUDGED_AT_END", "drill_findings", "not_reached"]

JUDGED_AT_END: frozenset[str] = frozenset({
    "never-detected", "feeder-left-running", "queue-left-running", "never-contained",
    "records-left-wrong", "counts-do-not-reconcile",
})
"""Drill findings that say how the drill *ended*: an interrupted drill has not earned them.

"Never contained" at minute 12 of a drill stopped at minute 12 is not a fact about the
runbook, so a report rebuilt from a cut-off journal leaves these out and says which
were not reached (:func:`not_reached`) rather than calling them gaps.
"""


def drill_findings(result: DrillResult, ev: Evaluation) -> list[Finding]:
    """Every gap the drill saw, in a fixed order; an interrupted drill's end-of-drill
    findings are replaced by one that says they were not reached."""
    out: list[Finding] = []
    runtime = result.runtime
    rb: Any = result.runbook
    detection = result.detection

    if rb is None:
        out += [finding("no-runbook", check=check, where=check.value, covers=check.value)
                for check in Check]
    if detection is None:
        out.append(finding("never-detected"))
    elif detection.rule is None:
        out.append(finding("detected-by-complaint", how=detection.how))
    if detection is not None and result.acted_at is not None and result.acted_at > detection.at:
        minutes = (result.acted_at - detection.at).total_seconds() / 60
        if owner_away(result.scenario):
            out.append(finding("waited-for-escalation", where="backup_owner",
                               variant="owner_away", minutes=minutes))
        else:
            out.append(finding("waited-for-escalation", minutes=minutes))
    # A feeder first shut off after the job's first restart was left running by the
    # runbook: it was only stopped by the re-pause of whoever watched the restart.
    restarted = next((t.at for t in runtime.turns if t.kind == "restarted"), None)
    for feeder in runtime.feeders.values():
        first = feeder.first_stopped_at
        if detection is not None and (first is None or (restarted is not None
                                                         and first > restarted)):
            code = "queue-left-running" if feeder.kind == "queue" else "feeder-left-running"
            out.append(finding(code, where=feeder.name, kind=feeder.kind, name=feeder.name))
    if detection is not None and runtime.contained_at is None:
        out.append(finding("never-contained"))
    scope_systems = set(getattr(getattr(rb, "scope", None), "systems", []) or [])
    if rb is not None and detection is not None:
        for system in sorted({system_of(t) for t in ev.damaged} - scope_systems):
            n = sum(len(v) for t, v in ev.damaged.items() if system_of(t) == system)
            out.append(finding("system-never-scoped", where=system, system=system, n=n))
        snap_at = next((o.at for o in result.outcomes if o.section == "snapshot" and o.ok), None)
        # Hand fixes of the damage erase what the run wrote; people's ordinary work does not.
        early = [e for e in result.people.edits
                 if e.shadow and (snap_at is None or e.at < snap_at) and e.at >= detection.at]
        if early:
            out.append(finding("edits-before-snapshot", n=len(early)))
    shadow = [e for e in result.people.edits if e.shadow]
    if shadow:
        out.append(finding("shadow-fixes", n=len(shadow)))
    if ev.human_edits_overwritten:
        out.append(finding("human-edits-overwritten", n=ev.human_edits_overwritten))
    if ev.records_left_wrong:
        out.append(finding("records-left-wrong", n=ev.records_left_wrong))
    bad = [r for r in ev.reconciled if not r.ok]
    if bad:
        n = len(bad)
        out.append(finding(
            "counts-do-not-reconcile",
            pairs=f"{n} pair{'s' if n != 1 else ''} of systems disagree{'s' if n == 1 else ''}",
            detail=bad[0].disagreement(),
            more=f"; and {n - 1} more: {', '.join(f'{r.left} vs {r.right}' for r in bad[1:])}"
            if n > 1 else ""))
    out += restart_findings(result)
    for o in result.outcomes:
        if o.section == "pause" and not o.ok:
            out.append(finding("unknown-pause-target", where=o.target, action=o.action,
                               target=o.target, detail=o.detail))
    if result.raised:
        out.append(_takes_below_minimum(result.raised))
    return not_reached(out, result.finished) if result.interrupted else out


def _takes_below_minimum(raised: list[Raised]) -> Finding:
    """One finding naming every step whose written time the drill raised to the minimum."""
    steps = "; ".join(
        f"{r.step} {format_duration(r.written)} < {format_duration(r.minimum.time)} "
        f"({r.minimum.size})" for r in raised)
    writes = ", ".join(f"{r.path} {format_duration(r.minimum.time)}" for r in raised)
    return finding("takes-below-minimum", where=", ".join(r.path for r in raised),
                   n=len(raised), steps=steps, writes=writes)


def not_reached(findings: list[Finding], at: datetime) -> list[Finding]:
    """An interrupted drill's findings: the end-of-drill ones replaced by one that says so."""
    kept = [f for f in findings if f.code not in JUDGED_AT_END]
    dropped = sorted({f.code for f in findings if f.code in JUDGED_AT_END})
    what = (f"so these were not judged: {', '.join(dropped)}" if dropped
            else "so the checks judged at a drill's end were not reached")
    return [*kept, finding("drill-interrupted", at=at, what=what)]
