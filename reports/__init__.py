"""Drill reports: a typed report model and its renderers. Knows no engine (see DESIGN.md).

The engine fills a :class:`DrillReport`; everything here reads only that model, so
a saved JSON report renders the same way later, on another machine, without drills'
engine or its database.
"""

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
