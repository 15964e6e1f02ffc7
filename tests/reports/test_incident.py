""""Real incident vs this drill" in every format, from a real drill of an imported scenario.

The report comes from ``run_drill`` on ``tests/data/incident/invoice-reminder-incident.yaml``
(the good runbook contains it in 6 min; the real team took 16). The HTML chart is read
back through its ``data-*`` attributes and its polyline coordinates; the sentence's
other shapes (later, as fast, never, interrupted) are checked on hand-made comparisons.
A report without an incident must render exactly as before: the golden files of the
other report tests pin that, and the last tests here check no trace of the section.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path

import jsonschema
import pytest

from drills.api import run_drill
from drills.reports.console import render_console_text
from drills.reports.html import INCIDENT_COLOURS, render_html
from drills.reports.incidenttext import (
    INCIDENT_TITLE,
    curve_rows,
    incident_rows,
    incident_sentence,
    sparkline,
)
from drills.reports.jsonout import SCHEMA_FILE, ReportError, load_report, render_json
from drills.reports.markdown import render_markdown
from drills.reports.model import DrillReport, IncidentComparison, IncidentCurve
from drills.runbook import load_runbook
from drills.scenarios.loader import load_scenario
from tests.reports.conftest import Page, assert_no_raw_controls, poisoned

REPO = Path(__file__).resolve().parents[2]
INCIDENT = REPO / "tests" / "data" / "incident" / "invoice-reminder-incident.yaml"
GOOD = REPO / "tests" / "data" / "runbooks" / "invoice-reminder.runbook.yaml"
SENTENCE = ("The real team stopped it after 16 min; this drill contained it in 6 min, 10 min "
            "sooner: 156 fewer changes (and 50 changes in systems the export does not show).")


@pytest.fixture(scope="module")
def drilled() -> DrillReport:
    return run_drill(load_scenario(INCIDENT), load_runbook(GOOD), costs=False)


def comparison(report: DrillReport) -> IncidentComparison:
    assert report.incident is not None
    return report.incident


def words(text: str) -> str:
    return " ".join(text.split())


def hand_made(stopped: float, contained: float | None, real: list[int],
              drill: list[int]) -> IncidentComparison:
    return IncidentComparison(
        source="Salesforce field history (ContactHistory)", actor="user 005x",
        reading="blanked MailingCountry", started=datetime(2026, 1, 5, 9, 10),
        stopped_after=stopped, drill_started=datetime(2026, 3, 2, 9, 10),
        contained_after=contained, curves=[IncidentCurve(system="crm", incident=real,
                                                         drill=drill)])


# -- the words ----------------------------------------------------------------------------


def test_the_sentence_says_the_difference(drilled: DrillReport) -> None:
    assert incident_sentence(comparison(drilled)) == SENTENCE


@pytest.mark.parametrize(("contained", "real", "drill", "interrupted", "expected"), [
    (20.5, [1], [1, 1], False, "this drill contained it in 20.5 min, 4.5 min later: "
                               "1 more change."),
    (16, [4], [3], False, "this drill contained it in 16 min, as fast: 1 fewer change."),
    (7, [4], [4], False, "this drill contained it in 7 min, 9 min sooner: as many changes."),
    (None, [4], [9, 9], False, "this drill never contained it: 14 more changes."),
    (None, [4], [1], True, "this drill had not contained it when it was interrupted: "
                           "3 fewer changes so far."),
])
def test_every_shape_of_the_sentence(
    contained: float | None, real: list[int], drill: list[int], interrupted: bool,
    expected: str,
) -> None:
    text = incident_sentence(hand_made(16, contained, real, drill), interrupted=interrupted)
    assert text == f"The real team stopped it after 16 min; {expected}"


def test_rows_compare_each_system_and_the_totals(drilled: DrillReport) -> None:
    assert incident_rows(comparison(drilled)) == [
        ("first change", "2026-02-10 14:02", "09:10 drill time"),
        ("time to stop it", "16 min", "6 min"),
        ("changes in billing", "120", "50"),
        ("changes in email", "120", "34"),
        ("changes in warehouse", "not in the export", "50"),
        ("changes, systems in the export", "240", "84"),
    ]
    interrupted = hand_made(16, None, [4], [1])
    assert incident_rows(interrupted, interrupted=True)[1] == ("time to stop it", "16 min",
                                                               "not yet")


def test_sparklines_share_one_scale_and_fold_long_curves() -> None:
    assert sparkline([0, 1, 4, 8, 2], top=8) == "·▁▄█▂"
    assert sparkline([], top=8) == ""
    long = hand_made(100, 50, [8] * 100, [2] * 30)
    (real, drill) = curve_rows(long)
    # 100 minutes in marks of 3: the last mark holds one minute, a third of a full one
    assert real == ("crm", "real incident", "█" * 33 + "▃", "peak 8/min, 1 mark = 3 min")
    assert drill == ("", "this drill", "▂" * 10, "peak 2/min, 1 mark = 3 min")
    none = curve_rows(hand_made(5, None, [1], []))
    assert none[1] == ("", "this drill", "none", "")


# -- console, Markdown --------------------------------------------------------------------


def test_the_console_shows_the_section(drilled: DrillReport) -> None:
    text = render_console_text(drilled, width=100)
    section = text[text.index(INCIDENT_TITLE):text.index("Damage by system")]
    lines = [words(line) for line in section.splitlines()]
    assert "time to stop it 16 min 6 min" in lines
    assert "changes in warehouse not in the export 50" in lines
    assert "changes, systems in the export 240 84" in lines
    assert "billing real incident ▂██████████████▆ peak 8/min" in lines
    assert "this drill ▂██████ peak 8/min" in lines
    assert "warehouse real incident not in the export" in lines
    assert SENTENCE in words(section)
    assert words(comparison(drilled).reading) in words(section)
    # the section sits after the phases, before the damage by system
    assert text.index("Phases") < text.index(INCIDENT_TITLE) < text.index("Damage by system")


def test_the_console_shows_no_raw_control_character_from_an_incident(
    drilled: DrillReport,
) -> None:
    assert_no_raw_controls(render_console_text(poisoned(drilled), width=200))


def test_markdown_shows_the_section(drilled: DrillReport) -> None:
    text = render_markdown(drilled)
    section = text[text.index(f"## {INCIDENT_TITLE}"):text.index("## Damage by system")]
    assert "| time to stop it | 16 min | 6 min |" in section
    assert "| changes in warehouse | not in the export | 50 |" in section
    assert "| billing | real incident | `▂██████████████▆` | peak 8/min |" in section
    assert "|  | this drill | `▂██████` | peak 8/min |" in section
    assert "| warehouse | real incident | not in the export |  |" in section
    assert f"**{SENTENCE}**" in section


def test_markdown_escapes_the_incidents_words(drilled: DrillReport) -> None:
    c = comparison(drilled).model_copy(update={"reading": "a | b *c*", "actor": "u_1"})
    text = render_markdown(drilled.model_copy(update={"incident": c}))
    assert r"u\_1: a \| b \*c\*" in text


# -- HTML -----------------------------------------------------------------------------------


def _points(attrs: dict[str, str]) -> list[tuple[float, float]]:
    return [(float(x), float(y)) for x, y in
            (p.split(",") for p in attrs["points"].split())]


def test_the_html_draws_both_curves_per_system(drilled: DrillReport) -> None:
    c = comparison(drilled)
    page = Page(render_html(drilled))
    assert page.errors == []
    assert page.find("section", id="incident")
    charts = page.find("svg", **{"class": "chart incident"})
    assert [a["data-system"] for a in charts] == ["billing", "email", "warehouse"]
    lines = [a for t, a in page.with_attr("data-counts") if t == "polyline"]
    assert [(a["data-side"], int(a["data-total"])) for a in lines][:2] == [
        ("drill", 50), ("incident", 120)]
    by_chart: list[dict[str, list[int]]] = []
    for tag, attrs in page.elements:
        if tag == "svg" and attrs.get("class") == "chart incident":
            by_chart.append({})
        elif tag == "polyline" and "data-counts" in attrs:
            by_chart[-1][attrs["data-side"]] = [int(n) for n in attrs["data-counts"].split(",")]
    assert by_chart == [
        {"drill": curve.drill, **({"incident": curve.incident} if curve.incident else {})}
        for curve in c.curves]
    colours = {a["data-side"]: a["stroke"] for a in lines}
    assert colours == INCIDENT_COLOURS


def test_the_html_curves_are_drawn_to_scale(drilled: DrillReport) -> None:
    """Billing: the real burst runs 16 minutes, the drill's 7; both peak at 8 a minute."""
    page = Page(render_html(drilled))
    billing = [a for t, a in page.elements if t == "polyline" and "data-counts" in a][:2]
    spans = {}
    for attrs in billing:
        points = _points(attrs)
        xs, ys = [x for x, _ in points], [y for _, y in points]
        spans[attrs["data-side"]] = (max(xs) - min(xs), min(ys), max(ys))
        assert points[0][1] == points[-1][1] == max(ys)  # from the axis, back to it
    real, drill = spans["incident"], spans["drill"]
    assert real[0] / drill[0] == pytest.approx(16 / 7)
    assert real[1] == drill[1]  # the same peak is drawn at the same height
    assert real[2] == drill[2]


def test_the_html_marks_both_stopping_times(drilled: DrillReport) -> None:
    page = Page(render_html(drilled))
    markers = [(a["data-side"], float(a["data-minute"])) for t, a in page.with_attr("data-side")
               if t == "g"]
    assert markers[:2] == [("incident", 16.0), ("drill", 6.0)]
    text = words(" ".join(page.text))
    assert "real team stopped 16 min" in text
    assert "drill contained 6 min" in text
    assert SENTENCE in text
    html = render_html(drilled)
    difference = re.search(r'<p id="incident-difference"><strong>(.*?)</strong></p>', html)
    assert difference is not None
    assert difference.group(1) == SENTENCE


def test_the_html_escapes_the_incidents_words(drilled: DrillReport) -> None:
    c = comparison(drilled).model_copy(update={"reading": "<script>x</script>"})
    html = render_html(drilled.model_copy(update={"incident": c}))
    assert "<script>" not in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html


# -- JSON -----------------------------------------------------------------------------------


def test_the_json_validates_and_reads_back(drilled: DrillReport, tmp_path: Path) -> None:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    data = json.loads(render_json(drilled))
    assert list(validator.iter_errors(data)) == []
    assert data["incident"]["curves"][0]["drill"] == [2, 8, 8, 8, 8, 8, 8]
    path = tmp_path / "r.json"
    path.write_text(render_json(drilled), encoding="utf-8")
    assert load_report(path) == drilled
    data["incident"]["curves"][0]["incident"][3] = -1
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema)


def test_a_bad_incident_in_a_saved_report_is_one_line(
    drilled: DrillReport, tmp_path: Path
) -> None:
    data = json.loads(render_json(drilled))
    data["incident"]["curves"][1]["drill"][0] = -2
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ReportError) as err:
        load_report(path)
    assert str(err.value) == (
        f"{path}: not a valid drill report: incident.curves[1].drill[0]: Input should be "
        "greater than or equal to 0")


# -- no incident -----------------------------------------------------------------------------


def test_a_report_without_incident_has_no_such_section(report: DrillReport) -> None:
    assert report.incident is None
    assert INCIDENT_TITLE not in render_console_text(report)
    assert INCIDENT_TITLE not in render_markdown(report)
    html = render_html(report)
    assert INCIDENT_TITLE not in html
    assert 'id="incident"' not in html
    assert "chart incident" not in html
    assert "incident" not in json.loads(render_json(report))
