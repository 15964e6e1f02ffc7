"""Readiness reviews: the model an advisor's review is made of, and its renderers.

``drills.review`` builds a :class:`ReadinessReview` from runbooks and drill reports;
everything here reads only that model (as :mod:`drills.reports` reads only a
:class:`~drills.reports.model.DrillReport`): console, Markdown, one self-contained HTML page,
and JSON with a shipped schema (``reports/schema/review.schema.json``).

May import: the rest of ``drills.reports`` and the bottom layer only.
"""

from drills.reports.review.console import render_review_console, render_review_console_text
from drills.reports.review.html import render_review_html
from drills.reports.review.jsonout import (
    REVIEW_SCHEMA_FILE,
    load_review,
    parse_review,
    render_review_json,
    review_json_schema,
)
from drills.reports.review.markdown import render_review_markdown
from drills.reports.review.model import (
    AGE_CODES,
    BEFORE_HARM_CODE,
    HARM_CODE,
    REVIEW_VERSION,
    AgeStatus,
    AutomationReview,
    CheckPoints,
    DrillAge,
    DrillEntry,
    Gap,
    InputRef,
    LostPoints,
    Missing,
    People,
    ReadinessReview,
    Regression,
    RiskClass,
    RiskProfile,
    Rubric,
    ScenarioGate,
    ScoreBasis,
)
from drills.reports.review.writer import REVIEW_BASENAME, REVIEW_FORMATS, write_review

__all__ = [
    "AGE_CODES",
    "BEFORE_HARM_CODE",
    "HARM_CODE",
    "REVIEW_BASENAME",
    "REVIEW_FORMATS",
    "REVIEW_SCHEMA_FILE",
    "REVIEW_VERSION",
    "AgeStatus",
    "AutomationReview",
    "CheckPoints",
    "DrillAge",
    "DrillEntry",
    "Gap",
    "InputRef",
    "LostPoints",
    "Missing",
    "People",
    "ReadinessReview",
    "Regression",
    "RiskClass",
    "RiskProfile",
    "Rubric",
    "ScenarioGate",
    "ScoreBasis",
    "load_review",
    "parse_review",
    "render_review_console",
    "render_review_console_text",
    "render_review_html",
    "render_review_json",
    "render_review_markdown",
    "review_json_schema",
    "write_review",
]
