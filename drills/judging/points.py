"""The drill score: 100 points over eight rubric checks, each point lost traced to a finding.

A finding costs a share of its check's points by severity (:data:`SEVERITY_SHARE`);
a check never goes below zero. The weights and shares are documented in
``docs/scoring.md``; the readiness review (:mod:`drills.review.rubric`) reuses both.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from drills.reports.findings import Check, Finding, Severity
from drills.reports.model import Score, ScoreItem

__all__ = ["SEVERITY_SHARE", "WEIGHTS", "merge", "score"]

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

