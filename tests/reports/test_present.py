"""What every renderer agrees on: which finding to fix first, totals, axis ticks, and that
no text from a report can break a renderer."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drills.reports._present import (
    cost_text,
    fix_first,
    fmt_minute,
    fmt_pct,
    log_excerpt,
    nice_ticks,
    ordered_phases,
    overall_scope,
)
from drills.reports.console import render_console_text
from drills.reports.findings import Check, Finding, GapCost, Severity
from drills.reports.html import render_html
from drills.reports.junit import render_junit
from drills.reports.markdown import render_markdown
from drills.reports.model import DrillReport, PhaseName
from tests.reports.conftest import Page


def _finding(code: str, severity: Severity, cost: tuple[int, int, float] | None) -> Finding:
    return Finding(code=code, severity=severity, check=Check.SCOPING, message="m", fix="f",
                   cost=None if cost is None else GapCost(
                       records_damaged=cost[0], records_left_wrong=cost[1],
                       minutes_to_contain=cost[2]))


def test_fix_first_ranks_by_cost_then_severity(good_report: DrillReport) -> None:
    findings = [
        _finding("lint-only-critical", Severity.CRITICAL, None),
        _finding("cheap-high", Severity.HIGH, (1, 0, 0.0)),
        _finding("costly-low", Severity.LOW, (50, 10, 3.0)),
        _finding("costly-medium", Severity.MEDIUM, (50, 10, 3.0)),
        _finding("slow-medium", Severity.MEDIUM, (50, 10, 9.0)),
        _finding("free-info", Severity.INFO, (0, 0, 0.0)),
        _finding("unmeasured-low", Severity.LOW, None),
    ]
    report = good_report.model_copy(update={"findings": findings})
    assert [f.code for f in fix_first(report, limit=10)] == [
        "slow-medium", "costly-medium", "costly-low", "cheap-high", "lint-only-critical"]
    assert len(fix_first(report, limit=2)) == 2


def test_flawed_fix_first(flawed_report: DrillReport) -> None:
    assert [f.code for f in fix_first(flawed_report)] == [
        "downstream-not-scoped", "queue-not-paused", "chained-job-not-paused",
        "stop-rule-not-checkable", "owner-not-a-person"]


def test_overall_scope_weights_as_the_definitions_say(flawed_report: DrillReport) -> None:
    total = overall_scope(flawed_report.systems)
    assert total.damaged == flawed_report.outcome.records_damaged
    assert total.left_wrong == flawed_report.outcome.records_left_wrong
    assert total.after_detection == flawed_report.outcome.records_damaged_after_detection
    assert total.precision == pytest.approx(214 / 262)
    assert total.recall == pytest.approx(214 / 696)
    empty = overall_scope([])
    assert empty.precision is None
    assert empty.recall is None


def test_formats() -> None:
    assert [fmt_minute(m) for m in (None, 0.0, 7.0, 6.5, 6.96, 120.04)] == [
        "never", "0 min", "7 min", "6.5 min", "7 min", "120 min"]
    assert fmt_pct(None) == "—"
    assert fmt_pct(0.8168) == "82%"
    assert cost_text(None) == "not measured"
    assert cost_text(GapCost(records_damaged=0, records_left_wrong=0,
                             minutes_to_contain=0)) == "no measured cost"
    assert cost_text(GapCost(records_damaged=1200, records_left_wrong=3,
                             minutes_to_contain=2.5)) == (
        "+1,200 records damaged, +3 left wrong, +2.5 min to contain")


def test_phases_in_time_order_then_the_missing_ones(flawed_report: DrillReport) -> None:
    names = [p.name for p in ordered_phases(flawed_report)]
    assert names[:3] == [PhaseName.RUN_STARTED, PhaseName.DETECTED, PhaseName.PAUSED]
    assert names[-3:] == [PhaseName.SNAPSHOT, PhaseName.VERIFIED, PhaseName.RESTARTED]


def test_log_excerpt(flawed_report: DrillReport) -> None:
    log = flawed_report.log
    assert log_excerpt(log, limit=20) == (log, 0, [])
    head, skipped, tail = log_excerpt(log, limit=5)
    assert head == log[:3]
    assert tail == log[-2:]
    assert skipped == len(log) - 5


@given(st.floats(min_value=1e-3, max_value=1e9, allow_nan=False))
def test_ticks_are_round_and_cover_the_top(top: float) -> None:
    ticks = nice_ticks(top)
    assert ticks[0] == 0
    assert ticks[-1] >= top * (1 - 1e-9)
    assert 2 <= len(ticks) <= 11
    steps = {round(b - a, 6) for a, b in itertools.pairwise(ticks)}
    assert len({round(s / ticks[1], 6) for s in steps}) == 1


_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=60)


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(message=_text, fix=_text, who=_text)
def test_no_text_breaks_a_renderer(good_report: DrillReport, message: str, fix: str,
                                   who: str) -> None:
    finding = Finding(code="any", severity=Severity.HIGH, check=Check.COMMS, message=message,
                      fix=fix, where=who or None)
    log = [good_report.log[0].model_copy(update={"who": who, "what": message})]
    report = good_report.model_copy(update={"findings": [finding], "log": log})
    assert Page(render_html(report)).errors == []
    markdown = render_markdown(report)
    for line in markdown.splitlines():
        if line.startswith("| `any` |"):
            assert len(line.replace("\\|", "").split("|")) == 8
    render_console_text(report)
    render_junit(report)
