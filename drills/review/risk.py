"""Risk classes: what a bad run of an automation can hurt sets how it is scored.

Rule 1 (docs/rules.md): jobs that touch money, customer messages, legal records or access get
the fastest stop. A readiness review applies the same classification ``drills init``
uses for its stricter defaults (:func:`drills.runbook.scaffold.is_risky` over a scenario's
``automation.touches``) and turns it into two things: a higher bar to clear
(``threshold``) and weights that put the points where that kind of damage is made or
undone. Every class's weights add up to 100, so scores compare across classes; the
reasoning for each weight is in ``docs/scoring.md``.

An automation that touches several things is scored by the strictest class it
touches (the highest threshold), so a reminder that sends messages *and* moves money
clears the money bar.
"""

from __future__ import annotations

from collections.abc import Iterable

from drills.judging.points import WEIGHTS
from drills.reports.findings import Check
from drills.reports.review.model import RiskClass, RiskProfile
from drills.runbook.scaffold import is_risky
from drills.scenarios.schema import RISKS

__all__ = ["PROFILES", "profile_for", "risk_class"]

_C = Check

PROFILES: dict[RiskClass, RiskProfile] = {
    RiskClass.STANDARD: RiskProfile(
        risk=RiskClass.STANDARD, label="standard", threshold=70, weights=dict(WEIGHTS)),
    RiskClass.CUSTOMER_MESSAGES: RiskProfile(
        risk=RiskClass.CUSTOMER_MESSAGES, label="customer messages", threshold=80,
        weights={_C.COMPLETENESS: 10, _C.DETECTION: 20, _C.CONTAINMENT: 25, _C.SCOPING: 10,
                 _C.REPAIR: 10, _C.VERIFICATION: 5, _C.COMMS: 10, _C.RESTART: 10}),
    RiskClass.MONEY: RiskProfile(
        risk=RiskClass.MONEY, label="money movement", threshold=85,
        weights={_C.COMPLETENESS: 10, _C.DETECTION: 15, _C.CONTAINMENT: 20, _C.SCOPING: 10,
                 _C.REPAIR: 15, _C.VERIFICATION: 15, _C.COMMS: 5, _C.RESTART: 10}),
    RiskClass.LEGAL_RECORDS: RiskProfile(
        risk=RiskClass.LEGAL_RECORDS, label="contracts and legal records", threshold=85,
        weights={_C.COMPLETENESS: 15, _C.DETECTION: 10, _C.CONTAINMENT: 15, _C.SCOPING: 15,
                 _C.REPAIR: 20, _C.VERIFICATION: 15, _C.COMMS: 5, _C.RESTART: 5}),
    RiskClass.ACCESS: RiskProfile(
        risk=RiskClass.ACCESS, label="access and deletion", threshold=90,
        weights={_C.COMPLETENESS: 10, _C.DETECTION: 20, _C.CONTAINMENT: 25, _C.SCOPING: 15,
                 _C.REPAIR: 10, _C.VERIFICATION: 5, _C.COMMS: 5, _C.RESTART: 10}),
}
"""Risk class -> its threshold and per-check weights (each adds up to 100)."""

# Ties on the threshold go to the class listed first here: money before legal records.
_STRICTNESS = [RiskClass.ACCESS, RiskClass.MONEY, RiskClass.LEGAL_RECORDS,
               RiskClass.CUSTOMER_MESSAGES]


def risk_class(touches: Iterable[str]) -> RiskClass:
    """The strictest class among what a job touches; ``standard`` when it touches nothing
    rule 1 names (words outside :data:`drills.scenarios.schema.RISKS` are ignored)."""
    touched = [t for t in touches if t in RISKS]
    if not is_risky(touched):
        return RiskClass.STANDARD
    classes = {RiskClass(t) for t in touched}
    return max(classes, key=lambda c: (PROFILES[c].threshold, -_STRICTNESS.index(c)))


def profile_for(touches: Iterable[str]) -> RiskProfile:
    return PROFILES[risk_class(touches)]
