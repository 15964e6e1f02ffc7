"""The drill score: the share of avoidable harm the response avoided, with its gates.

Every scripted drill is set between two responses on the same seed
(:mod:`drills.judging.baselines`): nobody acting in the drill window, and the complete
runbook followed. In harm points (:mod:`drills.judging.harm`)::

    avoided = 100 x (harm_nothing - harm_run) / (harm_nothing - harm_perfect)

clamped to 0..100 and not capped per section: every unit counts where it falls. When
nothing is avoidable (doing nothing harms no more than the perfect response, by less
than one harm point) the score is 100 less one point per harm point the response added
over the lesser of the two. Then each finding whose measured cost was nothing (a form
gap: no backup owner while the owner was there) costs a few points by severity
(:data:`SEVERITY_POINTS`), so any gap lowers the score, and the report says so plainly.

Some outcomes fail a drill whatever its score (:func:`gates`): never contained, records
left wrong in a money or customer-message system, a restart while the fault was live.
A drill is ready with no gate and a score at or over its risk class's threshold
(:data:`READY_AT`). An interrupted drill has no score. The old per-check weights stay
(:data:`WEIGHTS`, :data:`SEVERITY_SHARE`) for the readiness review that still reads them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType

from drills.judging.harm import UNIT_LABELS, Harm, critical_system, harm_class, weight_of, weights
from drills.reports.findings import Check, Finding, Severity
from drills.reports.model import (
    Deduction,
    Gate,
    GateCode,
    HarmLine,
    HarmUnit,
    Score,
    Verdict,
)
from drills.reports.scoretext import deduction_text

__all__ = [
    "OUTCOME_CODES",
    "READY_AT",
    "SEVERITY_POINTS",
    "SEVERITY_SHARE",
    "WEIGHTS",
    "avoided_share",
    "deductions",
    "gates",
    "harm_lines",
    "merge",
    "ready_at",
    "score",
    "unscored",
    "verdict",
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
"""Points per rubric check of the readiness review (:mod:`drills.review.risk`); a drill's
own score follows harm instead."""

SEVERITY_SHARE: dict[Severity, float] = {
    Severity.CRITICAL: 1.0,
    Severity.HIGH: 0.5,
    Severity.MEDIUM: 0.25,
    Severity.LOW: 0.1,
    Severity.INFO: 0.0,
}
"""Share of its check's points one finding costs in the readiness review's rubric."""

SEVERITY_POINTS: Mapping[Severity, int] = MappingProxyType({
    Severity.CRITICAL: 4,
    Severity.HIGH: 3,
    Severity.MEDIUM: 2,
    Severity.LOW: 1,
    Severity.INFO: 0,
})
"""Score points a finding costs when its measured cost was nothing (or it cannot be
measured): enough that adding any gap lowers the score, few enough that a gap which cost
nothing never outweighs harm."""

OUTCOME_CODES = frozenset({
    "records-left-wrong", "never-contained", "never-detected", "detected-by-complaint",
    "shadow-fixes", "human-edits-overwritten", "restarted-with-fault", "counts-do-not-reconcile",
    "edits-before-snapshot", "drill-interrupted", "no-runbook",
})
"""Findings that name what happened rather than a gap in the runbook: their harm is in
the score already, so they are never deducted again."""

READY_AT: Mapping[str, int] = MappingProxyType({
    "standard": 70,
    "customer_messages": 80,
    "money": 85,
    "legal_records": 85,
    "access": 90,
})
"""The score a drill must reach to be ready, by risk class: the readiness review's
thresholds (:data:`drills.review.risk.PROFILES`); a job that touches several classes
clears the highest."""


def merge(findings: Iterable[Finding]) -> list[Finding]:
    """One finding per (code, where), most severe first, then by check and code."""
    seen: dict[tuple[str, str | None], Finding] = {}
    for f in findings:
        key = (f.code, f.where)
        if key not in seen or f.severity.rank < seen[key].severity.rank:
            seen[key] = f
    order = list(Check)
    return sorted(seen.values(), key=lambda f: (f.severity.rank, order.index(f.check), f.code))


def ready_at(touches: Iterable[str]) -> tuple[str, int]:
    """The strictest risk class a job touches and its threshold."""
    classes = harm_class(touches)
    best = max(classes, key=lambda c: (READY_AT[c], -list(READY_AT).index(c)))
    return best, READY_AT[best]


def harm_lines(
    run: Harm, nothing: Harm | None, perfect: Harm | None, table: Mapping[str, float]
) -> list[HarmLine]:
    """Every harm unit side by side; records left wrong per system any of the three has."""
    systems = sorted({*run.left_wrong, *(nothing.left_wrong if nothing else {}),
                      *(perfect.left_wrong if perfect else {})})
    keys: list[tuple[HarmUnit, str | None]] = [(HarmUnit.LEFT_WRONG, s) for s in systems]
    keys += [(u, None) for u in HarmUnit if u is not HarmUnit.LEFT_WRONG]
    out = []
    for unit, system in keys:
        label = UNIT_LABELS[unit]
        if system is not None:
            kind = critical_system(system)
            label = f"{label} in {system}" + (f" ({kind.replace('_', ' ')})" if kind else "")
        out.append(HarmLine(
            unit=unit, system=system, label=label, weight=weight_of(unit, system, table),
            run=run.count(unit, system),
            nothing=nothing.count(unit, system) if nothing else None,
            perfect=perfect.count(unit, system) if perfect else None,
            run_damaged=float(run.damaged_by_system.get(system, 0)) if system else None,
        ))
    return out


def avoided_share(
    run: Harm, nothing: Harm, perfect: Harm, table: Mapping[str, float]
) -> tuple[float, str]:
    """The share (0-100) of avoidable harm avoided, and how it was worked out, in words.

    Every unit but records left wrong counts as ``nothing - run`` harm points. Records
    left wrong weigh their avoidable harm points (``nothing - perfect``) times the share
    of this run's own damage the response put right, measured against the perfect
    response: containment and repair are each paid once (docs/scoring.md).
    """
    r, n, p = run.points(table), nothing.points(table), perfect.points(table)
    avoidable = n - p
    if r <= p:
        return 100.0, f"harm {r:,.1f} points, at or under the perfect response's {p:,.1f}"
    if avoidable < 1:
        added = r - min(n, p)
        share = max(0.0, 100.0 - added)
        return round(share, 2), (
            f"nothing was avoidable (doing nothing {n:,.1f} harm points, the perfect "
            f"response {p:,.1f}): 100 less {added:,.1f}, one point per harm point this "
            "response added")
    lw_n, lw_r, lw_p = (nothing.left_wrong_points(table), run.left_wrong_points(table),
                        perfect.left_wrong_points(table))
    had = run.unrepaired_points(table) - lw_p
    repaired = 1.0 if lw_r <= lw_p else (max(0.0, 1 - (lw_r - lw_p) / had) if had > 0 else 0.0)
    rest = (n - lw_n) - (r - lw_r)
    share = 100 * (rest + (lw_n - lw_p) * repaired) / avoidable
    share = min(100.0, max(0.0, share))
    return round(share, 2), (
        f"of {avoidable:,.1f} avoidable harm points ({n:,.1f} doing nothing, {p:,.1f} the "
        f"perfect response), {rest:,.1f} avoided outside records left wrong, and "
        f"{repaired:.0%} of the {lw_n - lw_p:,.1f} points of records left wrong (the share "
        f"of this run's damage put right): {share:.1f}% avoided")


def deductions(findings: Iterable[Finding]) -> list[Deduction]:
    """Points for findings whose measured cost was nothing (or cannot be measured)."""
    out = []
    for f in findings:
        points = SEVERITY_POINTS[f.severity]
        if not points or f.code in OUTCOME_CODES:
            continue
        cost = f.cost
        harm = cost.harm_points if cost is not None else None
        if cost is not None and harm is None:
            harm = 0.0 if cost.is_zero else 1.0  # measured in records and minutes only
        if harm is not None and harm > 0:
            continue  # its harm is in the score already
        if harm is None:
            why = "its cost cannot be measured in a drill"
        elif harm < 0:
            why = "closing it alone did not lower the harm in this drill"
        else:
            why = "cost nothing in this drill"
        out.append(Deduction(code=f.code, severity=f.severity, where=f.where, points=points,
                             reason=f"{why}: {deduction_text(points)}"))
    return out


def gates(
    run: Harm, *, contained: bool, detected_or_ran: bool, restarted_with_fault: bool
) -> list[Gate]:
    """The outcomes no score can buy: each fails the drill whatever its total."""
    out: list[Gate] = []
    if detected_or_ran and not contained:
        out.append(Gate(code=GateCode.NEVER_CONTAINED, message=(
            f"the bad run was never contained: it was live {run.live_minutes:g} min after "
            "detection, to the end of the drill")))
    critical = {s: n for s, n in run.left_wrong.items() if n and critical_system(s)}
    if critical:
        where = ", ".join(f"{n:,} in {s} ({critical_system(s) or ''})".replace("_", " ")
                          for s, n in critical.items())
        out.append(Gate(code=GateCode.LEFT_WRONG_MONEY_OR_MESSAGES, message=(
            f"records left wrong in a money or customer-message system: {where}")))
    if restarted_with_fault:
        out.append(Gate(code=GateCode.RESTARTED_WITH_FAULT, message=(
            "the job was restarted while the fault was still in it")))
    return out


def verdict(total: int | None, found: Sequence[Gate], touches: Iterable[str]) -> Verdict:
    risk, threshold = ready_at(touches)
    reasons = [g.message for g in found]
    if total is None:
        reasons.append("no score: the drill was interrupted")
    elif total < threshold:
        reasons.append(f"score {total} is under {threshold}, the threshold for "
                       f"{risk.replace('_', ' ')}")
    return Verdict(ready=not reasons, risk=risk, threshold=threshold, reasons=reasons)


def score(
    findings: Sequence[Finding],
    run: Harm,
    nothing: Harm,
    perfect: Harm,
    touches: Iterable[str],
    *,
    contained: bool,
    detected_or_ran: bool = True,
    restarted_with_fault: bool = False,
) -> Score:
    """The drill's score from its harm, the two baselines' harm and its findings."""
    touches = list(touches)
    table = weights(touches)
    run_points, nothing_points, perfect_points = (
        run.points(table), nothing.points(table), perfect.points(table))
    share, basis = avoided_share(run, nothing, perfect, table)
    taken = deductions(findings)
    total = max(0, min(100, round(share - sum(d.points for d in taken))))
    found = gates(run, contained=contained, detected_or_ran=detected_or_ran,
                  restarted_with_fault=restarted_with_fault)
    return Score(
        total=total, harm=harm_lines(run, nothing, perfect, table), risk=harm_class(touches),
        run_points=run_points, nothing_points=nothing_points, perfect_points=perfect_points,
        avoided=share, basis=basis, deductions=taken, gates=found,
        verdict=verdict(total, found, touches),
    )


def unscored(
    run: Harm, touches: Iterable[str], *, minute: float | None
) -> Score:
    """An interrupted drill's score: none, only the harm so far."""
    touches = list(touches)
    table = weights(touches)
    return Score(
        total=None, status="interrupted", harm=harm_lines(run, None, None, table),
        risk=harm_class(touches), run_points=run.points(table),
        basis=("no score: the drill was interrupted"
               + (f" at minute {minute:.0f}" if minute is not None else "")
               + "; this is what was done so far"),
        verdict=verdict(None, [], touches), interrupted_minute=minute,
    )
