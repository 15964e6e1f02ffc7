"""Drill reports: a typed report model and its renderers. Knows no engine (docs/architecture.md).

The engine fills a :class:`DrillReport`; everything here reads only that model, so
a saved JSON report renders the same way later, on another machine, without drills'
engine or its database.

Public names are loaded on first use, as in :mod:`drills`: a command that renders
one format does not import every renderer.

May import: the bottom layer only (``drills.errors``, ``drills.files``): the reports
render a finished report model and know no engine.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from drills.reports.console import render_console, render_console_text
    from drills.reports.drafts import customer_message, first_note, format_when, restart_checklist
    from drills.reports.findings import Check, Finding, GapCost, Severity
    from drills.reports.html import render_html, systems_svg, timeline_svg
    from drills.reports.jsonout import (
        SCHEMA_FILE,
        ReportError,
        load_report,
        parse_report,
        render_json,
        report_json_schema,
    )
    from drills.reports.junit import render_junit
    from drills.reports.markdown import render_markdown
    from drills.reports.model import (
        SCHEMA_VERSION,
        ChecklistItem,
        Comms,
        ContainmentEvent,
        DamagePoint,
        Deduction,
        DrillReport,
        Gate,
        GateCode,
        HarmLine,
        HarmUnit,
        LogEntry,
        Outcome,
        Phase,
        PhaseName,
        Reconcile,
        RunbookRef,
        ScenarioRef,
        Score,
        ScoreItem,
        SentNote,
        StepRecord,
        SystemDamage,
        ThreeTimes,
        Verdict,
    )
    from drills.reports.multi import (
        AutomationTrend,
        MultiReport,
        TrendPoint,
        render_multi_console,
        render_multi_console_text,
        render_multi_html,
        render_multi_markdown,
        trend_svg,
    )
    from drills.reports.review import (
        ReadinessReview,
        render_review_console,
        render_review_html,
        render_review_json,
        render_review_markdown,
        write_review,
    )
    from drills.reports.writer import FORMATS, report_basename, write_reports

__all__ = [
    "FORMATS",
    "SCHEMA_FILE",
    "SCHEMA_VERSION",
    "AutomationTrend",
    "Check",
    "ChecklistItem",
    "Comms",
    "ContainmentEvent",
    "DamagePoint",
    "Deduction",
    "DrillReport",
    "Finding",
    "GapCost",
    "Gate",
    "GateCode",
    "HarmLine",
    "HarmUnit",
    "LogEntry",
    "MultiReport",
    "Outcome",
    "Phase",
    "PhaseName",
    "ReadinessReview",
    "Reconcile",
    "ReportError",
    "RunbookRef",
    "ScenarioRef",
    "Score",
    "ScoreItem",
    "SentNote",
    "Severity",
    "StepRecord",
    "SystemDamage",
    "ThreeTimes",
    "TrendPoint",
    "Verdict",
    "customer_message",
    "first_note",
    "format_when",
    "load_report",
    "parse_report",
    "render_console",
    "render_console_text",
    "render_html",
    "render_json",
    "render_junit",
    "render_markdown",
    "render_multi_console",
    "render_multi_console_text",
    "render_multi_html",
    "render_multi_markdown",
    "render_review_console",
    "render_review_html",
    "render_review_json",
    "render_review_markdown",
    "report_basename",
    "report_json_schema",
    "restart_checklist",
    "systems_svg",
    "timeline_svg",
    "trend_svg",
    "write_reports",
    "write_review",
]

_LAZY = {
    "render_console": "drills.reports.console",
    "render_console_text": "drills.reports.console",
    "customer_message": "drills.reports.drafts",
    "first_note": "drills.reports.drafts",
    "format_when": "drills.reports.drafts",
    "restart_checklist": "drills.reports.drafts",
    "Check": "drills.reports.findings",
    "Finding": "drills.reports.findings",
    "GapCost": "drills.reports.findings",
    "Severity": "drills.reports.findings",
    "render_html": "drills.reports.html",
    "systems_svg": "drills.reports.html",
    "timeline_svg": "drills.reports.html",
    "SCHEMA_FILE": "drills.reports.jsonout",
    "ReportError": "drills.reports.jsonout",
    "load_report": "drills.reports.jsonout",
    "parse_report": "drills.reports.jsonout",
    "render_json": "drills.reports.jsonout",
    "report_json_schema": "drills.reports.jsonout",
    "render_junit": "drills.reports.junit",
    "render_markdown": "drills.reports.markdown",
    "SCHEMA_VERSION": "drills.reports.model",
    "ChecklistItem": "drills.reports.model",
    "Comms": "drills.reports.model",
    "ContainmentEvent": "drills.reports.model",
    "DamagePoint": "drills.reports.model",
    "DrillReport": "drills.reports.model",
    "LogEntry": "drills.reports.model",
    "Outcome": "drills.reports.model",
    "Phase": "drills.reports.model",
    "PhaseName": "drills.reports.model",
    "Reconcile": "drills.reports.model",
    "RunbookRef": "drills.reports.model",
    "ScenarioRef": "drills.reports.model",
    "Score": "drills.reports.model",
    "ScoreItem": "drills.reports.model",
    "SentNote": "drills.reports.model",
    "Deduction": "drills.reports.model",
    "Gate": "drills.reports.model",
    "GateCode": "drills.reports.model",
    "HarmLine": "drills.reports.model",
    "HarmUnit": "drills.reports.model",
    "Verdict": "drills.reports.model",
    "StepRecord": "drills.reports.model",
    "SystemDamage": "drills.reports.model",
    "ThreeTimes": "drills.reports.model",
    "AutomationTrend": "drills.reports.multi",
    "MultiReport": "drills.reports.multi",
    "TrendPoint": "drills.reports.multi",
    "render_multi_console": "drills.reports.multi",
    "render_multi_console_text": "drills.reports.multi",
    "render_multi_html": "drills.reports.multi",
    "render_multi_markdown": "drills.reports.multi",
    "trend_svg": "drills.reports.multi",
    "ReadinessReview": "drills.reports.review",
    "render_review_console": "drills.reports.review",
    "render_review_html": "drills.reports.review",
    "render_review_json": "drills.reports.review",
    "render_review_markdown": "drills.reports.review",
    "write_review": "drills.reports.review",
    "FORMATS": "drills.reports.writer",
    "report_basename": "drills.reports.writer",
    "write_reports": "drills.reports.writer",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'drills.reports' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
