"""The HTML report: one well-formed, self-contained file whose charts say what the report says.

The charts are checked through the ``data-*`` attributes every drawn point carries:
the timeline's circles against :attr:`DrillReport.timeline`, its vertical markers
against :attr:`DrillReport.phases`, the bars against :attr:`DrillReport.systems`.
"""

from __future__ import annotations

import itertools
import re

import pytest

from drills.reports.findings import Check, Finding, Severity
from drills.reports.html import MARKED_PHASES, render_html
from drills.reports.model import DamagePoint, DrillReport, LogEntry, Phase, PhaseName
from tests.reports.conftest import Page


@pytest.fixture(scope="module")
def flawed_page(flawed_report: DrillReport) -> Page:
    return Page(render_html(flawed_report))


def test_the_page_is_well_formed_html5(report: DrillReport) -> None:
    text = render_html(report)
    assert text.startswith("<!DOCTYPE html>")
    page = Page(text)
    assert page.errors == []
    assert page.find("html", lang="en")
    assert page.find("meta", charset="utf-8")
    assert page.find("h1", id="headline")
    assert report.headline() in "".join(page.text)


def test_nothing_is_fetched_from_anywhere(report: DrillReport) -> None:
    text = render_html(report)
    page = Page(text)
    for tag, attrs in page.elements:
        for name in ("src", "href", "xlink:href", "action", "poster", "data"):
            value = attrs.get(name, "")
            assert not re.match(r"\s*(https?:)?//", value), f"<{tag} {name}={value!r}>"
    assert not page.find("link"), "no external stylesheets or icons"
    assert not page.find("script"), "no JavaScript is needed"
    assert not page.find("img")
    css = "".join(page.styles)
    assert "@import" not in css
    assert "url(" not in css
    assert "@media print" in css
    assert "http://" not in text
    assert "https://" not in text


def test_the_timeline_points_are_the_reports_points(
    flawed_report: DrillReport, flawed_page: Page
) -> None:
    circles = flawed_page.find("circle", **{"class": "point"})
    assert [(float(c["data-minute"]), int(c["data-damaged"])) for c in circles] == [
        (p.minute, p.damaged) for p in flawed_report.timeline
    ]
    assert [c["data-at"] for c in circles] == [p.at.isoformat() for p in flawed_report.timeline]
    # higher damage is drawn higher: y falls as damage grows
    ys = [float(c["cy"]) for c in circles]
    damaged = [p.damaged for p in flawed_report.timeline]
    for (y0, d0), (y1, d1) in itertools.pairwise(zip(ys, damaged, strict=True)):
        assert (y1 < y0) if d1 > d0 else (y1 == y0) if d1 == d0 else (y1 > y0)


def test_the_phase_markers_are_the_reports_phases(report: DrillReport) -> None:
    page = Page(render_html(report))
    markers = [a for t, a in page.with_attr("data-phase") if t == "g"]
    drawn = {a["data-phase"]: float(a["data-minute"]) for a in markers}
    expected = {p.name.value: p.minute for p in report.phases
                if p.name in MARKED_PHASES and p.minute is not None}
    assert drawn == expected
    for name in ("detected", "paused", "contained", "scoped", "repaired"):
        assert name in drawn


def test_phases_never_reached_are_named_not_drawn(flawed_page: Page) -> None:
    drawn = {a["data-phase"] for t, a in flawed_page.with_attr("data-phase") if t == "g"}
    assert not drawn & {"snapshot", "verified", "restarted"}
    assert "Never reached: snapshot taken, verified, restarted." in "".join(flawed_page.text)


def test_the_band_runs_from_detection_to_containment(flawed_page: Page) -> None:
    (band,) = flawed_page.find("rect", **{"class": "exposure"})
    assert (float(band["data-from"]), float(band["data-to"])) == (18.0, 47.0)


def test_the_system_lines_and_bars_are_the_reports_systems(
    flawed_report: DrillReport, flawed_page: Page
) -> None:
    lines = {a["data-system"] for a in flawed_page.find("polyline")
             if "data-system" in a}
    assert lines == {"billing", "email", "warehouse"}  # crm and support took no damage
    bars = [a for t, a in flawed_page.with_attr("data-system") if t == "g"]
    assert [(b["data-system"], int(b["data-damaged"]), int(b["data-after-detection"]),
             int(b["data-left-wrong"]), b["data-scoped"]) for b in bars] == [
        (s.system, s.damaged, s.after_detection, s.left_wrong, str(s.scoped).lower())
        for s in flawed_report.systems
    ]
    assert [b["class"] for b in bars if "missed" in b["class"]] == ["bar missed"] * 2


def test_findings_are_grouped_by_severity_worst_first(flawed_page: Page) -> None:
    rows = flawed_page.find("tr")
    severities = [r["data-severity"] for r in rows if "data-severity" in r]
    assert len(severities) == 15
    order = [s.value for s in Severity]
    assert severities == sorted(severities, key=order.index)
    fix_first = [a["data-code"] for a in flawed_page.find("li") if "data-code" in a]
    assert fix_first == ["downstream-not-scoped", "queue-not-paused", "chained-job-not-paused",
                         "stop-rule-not-checkable", "owner-not-a-person"]


def test_report_text_is_escaped_everywhere(good_report: DrillReport) -> None:
    evil = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    report = good_report.model_copy(update={
        "findings": [Finding(code="evil", severity=Severity.HIGH, check=Check.COMMS,
                             message=evil, fix=evil, where=evil)],
        "log": [LogEntry(at=good_report.started, who=evil, what=evil)],
        "phases": [p.model_copy(update={"how": evil}) for p in good_report.phases],
        "timeline": [DamagePoint(minute=1.0, at=good_report.started, damaged=3,
                                 by_system={evil: 3})],
        "comms": good_report.comms.model_copy(update={"first_note": evil}),
    })
    text = render_html(report)
    page = Page(text)
    assert page.errors == []
    assert not page.find("script")
    assert not page.find("img")
    assert "&lt;script&gt;" in text


def test_an_empty_drill_still_renders(good_report: DrillReport) -> None:
    report = good_report.model_copy(update={
        "timeline": [], "findings": [], "log": [], "steps": [], "reconcile": [],
        "restart_checklist": [], "systems": [],
        "phases": [Phase(name=PhaseName.RUN_STARTED, at=good_report.started, minute=0.0)],
    })
    page = Page(render_html(report))
    assert page.errors == []
    text = "".join(page.text)
    assert "no damage was recorded" in text
    assert "No findings." in text


def test_the_score_shows_the_three_responses_the_gates_and_the_verdict(
    flawed_report: DrillReport,
) -> None:
    page = render_html(flawed_report)
    assert "<h2>Score 43/100 · NOT READY (needs 85 for money, and no gate)</h2>" in page
    assert "<th class=\"n\">this drill</th><th class=\"n\">do nothing</th>" in page
    line = next(ln for ln in flawed_report.score.harm if ln.unit.value == "sent_wrongly")
    assert (f'<tr data-harm="{line.label}"><td>{line.label}</td><td class="n">5</td>'
            '<td class="n"><b>292</b></td><td class="n">1,600</td><td class="n">12</td></tr>'
            in page)
    assert "GATE left-wrong-money-or-messages" in page
    assert "cost nothing in this drill: -2 points" in page
