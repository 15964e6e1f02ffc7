"""Several drills in one report: trends per automation, ordered by drill start."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from drills.reports.jsonout import ReportError, render_json
from drills.reports.multi import (
    MultiReport,
    render_multi_console_text,
    render_multi_html,
    render_multi_markdown,
    trend_svg,
)
from tests.reports.conftest import Page, check_golden, quarterly_series


@pytest.fixture(scope="module")
def multi() -> MultiReport:
    return MultiReport(reports=quarterly_series())


def test_trends_are_per_automation_and_ordered_by_start(multi: MultiReport) -> None:
    trends = multi.trends()
    assert [t.automation for t in trends] == ["crm-billing-contact-sync", "invoice-reminder"]
    invoice = trends[1]
    assert [p.drill_id for p in invoice.points] == ["d-2025q3", "d-2025q4", "d-2026q1"]
    assert [p.score for p in invoice.points] == [43, 58, 100]
    assert [p.minutes_to_contain for p in invoice.points] == [47.0, 21.0, 7.0]
    assert invoice.score_change == 57
    assert invoice.new == ["pause-steps-serial", "restart-watch-short"]
    assert invoice.still_open == []
    assert "queue-not-paused" in invoice.fixed
    sync = trends[0]
    assert sync.score_change is None
    assert sync.fixed == []
    assert sync.new == []
    assert sync.latest.minutes_to_contain is None  # never contained


def test_a_multi_report_needs_a_drill() -> None:
    with pytest.raises(ValidationError):
        MultiReport(reports=[])


def test_from_files_loads_and_validates(multi: MultiReport, tmp_path: Path) -> None:
    paths = []
    for report in multi.reports:
        path = tmp_path / f"{report.drill_id}.json"
        path.write_text(render_json(report), encoding="utf-8")
        paths.append(path)
    assert MultiReport.from_files(paths, title=multi.title) == multi
    (tmp_path / "bad.json").write_text("nope", encoding="utf-8")
    with pytest.raises(ReportError, match=r"bad\.json:1:1: not JSON"):
        MultiReport.from_files([*paths, tmp_path / "bad.json"])


def test_console_and_markdown_match_golden_files(multi: MultiReport) -> None:
    check_golden("trends.console.txt", render_multi_console_text(multi))
    check_golden("trends.md", render_multi_markdown(multi))


def test_the_html_trend_points_are_the_drills(multi: MultiReport) -> None:
    page = Page(render_multi_html(multi))
    assert page.errors == []
    assert not page.find("script")
    assert not page.find("link")
    scores = page.find("circle", **{"class": "point"})
    by_drill = {c["data-drill"]: c for c in scores if "data-score" in c}
    assert {d: int(c["data-score"]) for d, c in by_drill.items()} == {
        r.drill_id: r.score.total for r in multi.reports}
    minutes = {a["data-drill"]: a["data-minutes"] for _, a in page.with_attr("data-minutes")}
    assert minutes == {"d-2025q3": "47.0", "d-2025q4": "21.0", "d-2026q1": "7.0",
                       "d-sync-2026q1": "never"}
    # drills are drawn left to right in start order
    invoice = [c for c in scores if c["data-drill"].startswith("d-20") and "data-score" in c]
    xs = [float(c["cx"]) for c in sorted(invoice, key=lambda c: c["data-started"])]
    assert xs == sorted(xs)
    assert len(set(xs)) == 3


def test_trend_svg_knows_its_measures(multi: MultiReport) -> None:
    with pytest.raises(ValueError, match="choose 'score' or 'minutes'"):
        trend_svg(multi.trends()[0], "speed")


def test_drills_are_ordered_by_when_they_ran_and_undated_ones_first() -> None:
    from datetime import UTC, datetime

    series = quarterly_series()
    q1 = next(r for r in series if r.drill_id == "d-2026q1")
    q3 = next(r for r in series if r.drill_id == "d-2025q3")
    q4 = next(r for r in series if r.drill_id == "d-2025q4")
    # Scenario time says q3, q4, q1; the wall clock says q1 was run before q3.
    dated = [q1.model_copy(update={"ran_at": datetime(2025, 6, 1, tzinfo=UTC)}),
             q3.model_copy(update={"ran_at": datetime(2025, 9, 1, tzinfo=UTC)}), q4]
    (trend,) = MultiReport(reports=dated).trends()
    assert [p.drill_id for p in trend.points] == ["d-2025q4", "d-2026q1", "d-2025q3"]
    assert [p.when.date().isoformat() for p in trend.points] == [
        "2025-12-01", "2025-06-01", "2025-09-01"]
    svg = str(trend_svg(trend))
    assert 'data-ran-at="2025-06-01T00:00:00+00:00"' in svg
    assert ">2025-06-01</text>" in svg
