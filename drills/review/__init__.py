"""Readiness reviews: score many automations for an advisor's hand-over (``drills score``).

Reads runbooks, drill reports and journals (:mod:`drills.review.inputs`), drills what
was never drilled, and scores each automation by its drills' harm scores (the weakest
scenario decides, gates make it not ready) against the threshold of its risk class
(:mod:`drills.review.risk`), aged on a quarterly cadence (:mod:`drills.review.rubric`),
into a :class:`~drills.reports.review.ReadinessReview` that ``drills.reports.review``
renders. The rubric is written out in ``docs/scoring.md``.

May import: every layer below :mod:`drills.api` (the journal, the judging, runbooks,
reports, scenarios, fakes and the bottom layer); never the CLI.
"""

from drills.review.inputs import InputError, Inputs, LoadedResult, collect_inputs, is_journal
from drills.review.review import (
    EXPORT_CODES,
    OWNER_CODES,
    RUN_SOURCE,
    DrillRunner,
    build_review,
    drill_runner,
    review_inputs,
)
from drills.review.risk import PROFILES, profile_for, risk_class
from drills.review.rubric import (
    CADENCE_DAYS,
    DECAY_PER_CADENCE,
    FLOOR,
    check_points,
    drill_age,
    drill_points,
    never_drilled,
    regression,
    rubric,
    total,
)

__all__ = [
    "CADENCE_DAYS",
    "DECAY_PER_CADENCE",
    "EXPORT_CODES",
    "FLOOR",
    "OWNER_CODES",
    "PROFILES",
    "RUN_SOURCE",
    "DrillRunner",
    "InputError",
    "Inputs",
    "LoadedResult",
    "build_review",
    "check_points",
    "collect_inputs",
    "drill_age",
    "drill_points",
    "drill_runner",
    "is_journal",
    "never_drilled",
    "profile_for",
    "regression",
    "review_inputs",
    "risk_class",
    "rubric",
    "total",
]
