"""Drill reports: a typed report model and its renderers. Knows no engine (see DESIGN.md).

The engine fills a :class:`DrillReport`; everything here reads only that model, so
a saved JSON report renders the same way later, on another machine, without drills'
engine or its database.

Public names are loaded on first use, as in :mod:`drills`: a command that renders
one format does not import every renderer.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from reports.console import render_console, render_console_text
    from reports.drafts import customer_message, first_note, format_when, restart_checklist
    from reports.findings import Check, Finding, GapCost, Severity
    from reports.html import render_html, systems_svg, timeline_svg
    from reports.jsonout import (
        SCHEMA_FILE,
        ReportError,
        load_report,
        parse_report,
        render_json,
        report_json_schema,
    )
    from reports.junit import render_junit
    from reports.markdown import render_markdown
    from reports.model import (
        SCHEMA_VERSION,
        ChecklistItem,
        Comms,
        DamagePoint,
        DrillReport,
        LogEntry,
        Outcome,
        Phase,
        PhaseName,
        Reconcile,
        RunbookRef,
        ScenarioRef,
        Score,
        ScoreItem,
        StepRecord,
        SystemDamage,
        ThreeTimes,
    )
    from reports.multi import (
        AutomationTrend,
        MultiReport,
        TrendPoint,
        render_multi_console,
        render_multi_console_text,
        render_multi_html,
        render_multi_markdown,
        trend_svg,
    )
    from reports.review import (
        ReadinessReview,
        render_review_console,
        render_review_html,
        render_review_json,
        render_review_markdown,
        write_review,
    )
    from reports.writer import FORMATS, report_basename, write_reports

__all__ = [
    "FORMATS",
    "SCHEMA_FILE",
    "SCHEMA_VERSION",
    "AutomationTrend",
    "Check",
    "ChecklistItem",
    "Comms",
    "DamagePoint",
    "DrillReport",
    "Finding",
    "GapCost",
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
    "Severity",
    "StepRecord",
    "SystemDamage",
    "ThreeTimes",
    "TrendPoint",
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
    "render_console": "reports.console",
    "render_console_text": "reports.console",
    "customer_message": "reports.drafts",
    "first_note": "reports.drafts",
    "format_when": "reports.drafts",
    "restart_checklist": "reports.drafts",
    "Check": "reports.findings",
    "Finding": "reports.findings",
    "GapCost": "reports.findings",
    "Severity": "reports.findings",
    "render_html": "reports.html",
    "systems_svg": "reports.html",
    "timeline_svg": "reports.html",
    "SCHEMA_FILE": "reports.jsonout",
    "ReportError": "reports.jsonout",
    "load_report": "reports.jsonout",
    "parse_report": "reports.jsonout",
    "render_json": "reports.jsonout",
    "report_json_schema": "reports.jsonout",
    "render_junit": "reports.junit",
    "render_markdown": "reports.markdown",
    "SCHEMA_VERSION": "reports.model",
    "ChecklistItem": "reports.model",
    "Comms": "reports.model",
    "DamagePoint": "reports.model",
    "DrillReport": "reports.model",
    "LogEntry": "reports.model",
    "Outcome": "reports.model",
    "Phase": "reports.model",
    "PhaseName": "reports.model",
    "Reconcile": "reports.model",
    "RunbookRef": "reports.model",
    "ScenarioRef": "reports.model",
    "Score": "reports.model",
    "ScoreItem": "reports.model",
    "StepRecord": "reports.model",
    "SystemDamage": "reports.model",
    "ThreeTimes": "reports.model",
    "AutomationTrend": "reports.multi",
    "MultiReport": "reports.multi",
    "TrendPoint": "reports.multi",
    "render_multi_console": "reports.multi",
    "render_multi_console_text": "reports.multi",
    "render_multi_html": "reports.multi",
    "render_multi_markdown": "reports.multi",
    "trend_svg": "reports.multi",
    "ReadinessReview": "reports.review",
    "render_review_console": "reports.review",
    "render_review_html": "reports.review",
    "render_review_json": "reports.review",
    "render_review_markdown": "reports.review",
    "write_review": "reports.review",
    "FORMATS": "reports.writer",
    "report_basename": "reports.writer",
    "write_reports": "reports.writer",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'reports' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
