"""The review's four outputs say the same thing: ranking, traced points, gaps, regressions."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import jsonschema
import pytest
from freezegun import freeze_time

from drills.reports.jsonout import ReportError, render_json
from drills.reports.review import (
    REVIEW_SCHEMA_FILE,
    ReadinessReview,
    parse_review,
    render_review_console_text,
    render_review_html,
    render_review_json,
    render_review_markdown,
    review_json_schema,
    write_review,
)
from drills.reports.review.jsonout import main as schema_main
from drills.reports.scoretext import harm_rows
from drills.review import build_review
from tests.reports.conftest import Page, assert_no_raw_controls, build_report, poisoned

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def regressed_review(tmp_path_factory: pytest.TempPathFactory) -> ReadinessReview:
    """invoice-reminder's saved reports: good in January, flawed in May; reviewed in June."""
    folder = tmp_path_factory.mktemp("saved")
    good = build_report(flawed=False).model_copy(
        update={"ran_at": datetime(2026, 1, 5, 9, 0, tzinfo=UTC)})
    flawed = build_report(flawed=True).model_copy(
        update={"drill_id": good.drill_id, "ran_at": datetime(2026, 5, 20, 9, 0, tzinfo=UTC)})
    (folder / "january.json").write_text(render_json(good), encoding="utf-8")
    (folder / "may.json").write_text(render_json(flawed), encoding="utf-8")
    with freeze_time("2026-06-01 10:00:00"):
        return build_review([folder], costs=False, title="Q2 <review>")


def test_the_regressed_fixture_regressed(regressed_review: ReadinessReview) -> None:
    (row,) = regressed_review.automations
    assert row.regressed
    assert row.people.known is False
    assert row.people.owner == "Finance team"


# -- console ---------------------------------------------------------------------------


def test_the_console_ranks_and_flags(folder_review: ReadinessReview,
                                     regressed_review: ReadinessReview) -> None:
    text = render_review_console_text(folder_review)
    assert text.startswith(f"Readiness review: {folder_review.headline()}\n")
    positions = [text.index(f" {a.automation} ") for a in folder_review.automations]
    assert positions == sorted(positions)
    for a in folder_review.automations:
        assert re.search(rf"^{a.rank}\s+{a.automation}\s.*\s{a.score}/{a.threshold}\s", text,
                         re.MULTILINE), a.automation
        top = a.top_gaps()[0]
        assert top.finding.code in text
    assert "Owners and exports missing" in text
    assert "crm-billing-contact-sync: exports no-clean-export, no-snapshot" in text
    assert "regressed" not in text
    flagged = render_review_console_text(regressed_review)
    assert "regressed\n" in flagged
    assert "Regressed since the drill before" in flagged
    (row,) = regressed_review.automations
    (reg,) = row.regressions
    assert (f"invoice-reminder (invoice-triple-trigger): score {reg.previous_score} -> "
            f"{reg.score} ({reg.score - reg.previous_score:+d}) since the drill of 2026-01-05; "
            "new: ") in " ".join(flagged.split())


def test_no_text_in_a_review_reaches_the_terminal_raw(regressed_review: ReadinessReview) -> None:
    review = poisoned(regressed_review.model_copy(update={"notes": ["a note"]}))
    assert_no_raw_controls(render_review_console_text(review, width=400))


# -- Markdown --------------------------------------------------------------------------


def test_the_markdown_holds_every_gap_and_every_traced_point(
    folder_review: ReadinessReview,
) -> None:
    md = render_review_markdown(folder_review)
    sections = md.split('<a id="')[1:]
    assert [s.split('"')[0] for s in sections] == [a.automation for a in folder_review.automations]
    for a, section in zip(folder_review.automations, sections, strict=True):
        assert f"## {a.rank}. {a.automation}: {a.score}/100" in section
        for g in a.gaps:
            assert f"`{g.finding.code}`" in section
        for c in a.checks:
            for x in c.lost:
                assert x.code in section
    assert "| risk class | needs | completeness |" in md
    assert "## Owners and exports missing" in md


def test_the_markdown_flags_a_regression(regressed_review: ReadinessReview) -> None:
    md = render_review_markdown(regressed_review)
    assert "**not ready** · regressed" in md
    assert "### Regressed" in md
    assert "unknown (no runbook given)" in md
    assert md.startswith("# Q2 \\<review\\>\n")


# -- HTML ------------------------------------------------------------------------------


@pytest.mark.slow
def test_the_html_is_one_self_contained_page(folder_review: ReadinessReview) -> None:
    html = render_review_html(folder_review)
    page = Page(html)
    assert page.errors == []
    assert not page.find("script")
    assert not page.find("link")
    assert not page.find("img")
    assert all(a["href"].startswith("#") for a in page.find("a") if "href" in a)
    assert "http://" not in html.replace("http://www.w3.org", "")
    assert "https://" not in html


def test_the_html_ranks_and_traces_every_point(folder_review: ReadinessReview) -> None:
    html = render_review_html(folder_review)
    page = Page(html)
    rows = [a for t, a in page.with_attr("data-rank") if t == "tr"]
    assert [r["data-automation"] for r in rows] == [a.automation for a in folder_review.automations]
    assert [int(r["data-score"]) for r in rows] == [a.score for a in folder_review.automations]
    for a in folder_review.automations:
        section = html[html.index(f'<section id="a-{a.rank}"'):]
        section = section[:section.index("</section>")]
        part = Page(section + "</section>")
        for c in a.checks:
            (row,) = part.find("tr", data_check=c.check.value)
            assert float(row["data-points"]) == c.points
            lost = re.search(rf'data-check="{c.check.value}".*?</tr>', section, re.S)
            assert lost is not None
            spans = re.findall(r'data-lost="([0-9.]+)"', lost.group(0))
            assert sum(float(s) for s in spans) == pytest.approx(c.max_points - c.points)
        gap_rows = [x for t, x in part.with_attr("data-code") if t == "tr" and "data-kind" not in x]
        assert [x["data-code"] for x in gap_rows] == [g.finding.code for g in a.gaps]
        # every point lost is one row of the lost table, and they add up to 100 - points
        lost_rows = [x for t, x in part.with_attr("data-kind") if t == "tr"]
        assert [(x["data-code"], x["data-kind"]) for x in lost_rows] == [
            (x.code, x.kind) for x in a.lost]
        assert sum(float(x["data-lost"]) for x in lost_rows) == pytest.approx(100 - a.points)
        assert a.deciding_score is not None
        harm_table = section[section.index('<table class="harm">'):]
        harm_table = harm_table[:harm_table.index("</table>")]
        for label, _w, run, nothing, perfect in harm_rows(a.deciding_score):
            assert f"<td>{label}</td>" in harm_table
            assert f'<td class="n">{nothing}</td>' in harm_table
            assert f'<td class="n">{perfect}</td>' in harm_table
            assert f'<td class="n">{run}</td>' in harm_table
        assert 'class="chart trend trend-score"' in section
    assert len(page.find("tr", data_missing="owner")) == sum(
        1 for m in folder_review.missing if m.kind == "owner")


def test_the_html_flags_a_regression_and_escapes_text(regressed_review: ReadinessReview) -> None:
    html = render_review_html(regressed_review)
    page = Page(html)
    assert page.errors == []
    (row,) = [a for t, a in page.with_attr("data-rank")]
    assert row["data-regressed"] == "yes"
    assert 'class="flag regressed"' in html
    assert "Q2 &lt;review&gt;" in html
    assert "<review>" not in html


# -- JSON ------------------------------------------------------------------------------


@pytest.mark.slow
def test_the_json_round_trips_and_follows_the_shipped_schema(
    folder_review: ReadinessReview, regressed_review: ReadinessReview
) -> None:
    schema = json.loads(REVIEW_SCHEMA_FILE.read_text(encoding="utf-8"))
    assert schema == review_json_schema()
    for review in (folder_review, regressed_review):
        text = render_review_json(review)
        assert parse_review(text) == review
        jsonschema.validate(json.loads(text), schema)


def test_the_shipped_schema_is_up_to_date(capsys: pytest.CaptureFixture[str]) -> None:
    assert schema_main(["--check"]) == 0


def test_a_bad_review_file_is_one_line() -> None:
    with pytest.raises(ReportError, match=r"^x.json: not a readiness review of version '1'"):
        parse_review('{"review_version": "9"}', "x.json")


# -- files -----------------------------------------------------------------------------


def test_the_review_is_written_in_each_format(folder_review: ReadinessReview,
                                               tmp_path: Path) -> None:
    written = write_review(folder_review, tmp_path / "out", ["md", "html", "json", "console"])
    assert [p.name for p in written.values()] == [
        "readiness-review.md", "readiness-review.html", "readiness-review.json",
        "readiness-review.txt"]
    assert written["json"].read_text(encoding="utf-8") == render_review_json(folder_review)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(
        p.name for p in written.values()), "no temporary files left behind"


def test_a_bad_format_or_folder_writes_nothing(folder_review: ReadinessReview,
                                               tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown review format 'pdf'"):
        write_review(folder_review, tmp_path / "out", ["md", "pdf"])
    assert not (tmp_path / "out").exists()
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(ReportError, match="not a folder"):
        write_review(folder_review, blocker, ["md"])
