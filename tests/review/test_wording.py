"""The review's wording reads right (issue 21, item 7), in its Markdown and its HTML:

- records damaged and records left wrong are reported apart, never added together;
- a pair of systems that disagrees names the mismatched records (how many, which ids,
  which fields), not two equal totals;
- "regressed" only when the score fell or a finding of medium or above is new;
- a runbook drilled by ``drills score`` itself is "drilled now by this review", not a
  team drill of the review's day.
"""

from __future__ import annotations

import copy
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from freezegun import freeze_time

import drills.api  # noqa: F401  (the engine before any freeze: see tests/review/conftest.py)
from drills.findings import finding
from drills.reports.findings import Finding, Severity
from drills.reports.jsonout import render_json
from drills.reports.model import DrillReport, Reconcile
from drills.reports.review import (
    ReadinessReview,
    render_review_html,
    render_review_markdown,
)
from drills.reports.review.model import DRILLED_NOW
from drills.review import build_review
from drills.review.rubric import regression
from drills.runbook.complete import complete_sections
from drills.scenarios.loader import load_scenario
from tests.reports.conftest import Page, build_report
from tests.review.conftest import REVIEWED_AT

EQUAL_TOTALS = re.compile(r"\b(\d[\d,]*) vs [\w.]* ?\1\b")
"""``9,000 vs warehouse.crm_contacts 9,000`` or ``4,200 vs 4,200``: equal totals shown as
if they disagreed."""


@pytest.fixture(scope="module")
def half_scoped(tmp_path_factory: pytest.TempPathFactory) -> ReadinessReview:
    """crm-blank-emails' automation with a runbook that scopes and checks crm only: the
    warehouse copy of crm keeps the blanks, with the same totals on both sides. Reviewed
    with costs, so its gaps carry measured records damaged and left wrong."""
    scenario = load_scenario("crm-blank-emails")
    data = copy.deepcopy(complete_sections(scenario))
    data["scope"]["systems"] = ["crm"]
    data["verify"]["reconcile"] = ["crm"]
    folder = tmp_path_factory.mktemp("half")
    (folder / "attendees.runbook.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    with freeze_time(REVIEWED_AT):
        return build_review([folder], costs=True)


@pytest.mark.slow
def test_a_pair_that_disagrees_names_its_records_not_equal_totals(
        half_scoped: ReadinessReview) -> None:
    (row,) = half_scoped.automations
    gap = next(g for g in row.gaps if g.finding.code == "counts-do-not-reconcile")
    text = gap.finding.message
    assert re.search(r"^1 pair of systems disagrees after repair: crm\.contacts vs "
                     r"warehouse\.crm_contacts: [\d,]+ records differ in email(, phone)?, "
                     r"e\.g\. #\d+, #\d+, #\d+$", text), text
    assert not EQUAL_TOTALS.search(text)
    md = render_review_markdown(half_scoped)
    html = render_review_html(half_scoped)
    assert "records differ in email" in md
    assert "records differ in email" in html
    for output in (md, html):
        assert not EQUAL_TOTALS.search(output.replace("2026-03-02", ""))


@pytest.mark.slow
def test_records_damaged_and_left_wrong_are_reported_apart(
        half_scoped: ReadinessReview) -> None:
    (row,) = half_scoped.automations
    costed = [g for g in row.gaps if g.finding.cost is not None
              and (g.finding.cost.records_damaged or g.finding.cost.records_left_wrong)]
    assert costed, [g.finding.code for g in row.gaps]
    md = render_review_markdown(half_scoped)
    html = render_review_html(half_scoped)
    assert Page(html).errors == []
    cells = " | ".join(re.findall(r'<span class="cost">(.*?)</span>', html))
    for g in costed:
        cost = g.finding.cost
        assert cost is not None
        damaged, wrong = cost.records_damaged, cost.records_left_wrong
        if damaged:
            assert f"{damaged:+,} records damaged" in md
        if wrong:
            assert f"{wrong:+,} left wrong" in md
        if g in row.top_gaps():
            if damaged:
                assert f"{damaged:+,} damaged" in cells
            if wrong:
                assert f"{wrong:+,} wrong" in cells
        if damaged and wrong:
            assert f"{damaged + wrong:+,} rec" not in cells
    assert not re.search(r"\d rec\b", cells), cells
    # Ranked costliest first by records left wrong, then damaged: never by their sum.
    keys = [(g.finding.cost.records_left_wrong, g.finding.cost.records_damaged)
            for g in row.gaps if g.finding.cost is not None]
    assert keys == sorted(keys, reverse=True)


def _saved(folder: Path, name: str, report: DrillReport) -> None:
    (folder / f"{name}.json").write_text(render_json(report), encoding="utf-8")


def _review(folder: Path) -> ReadinessReview:
    with freeze_time("2026-06-01 10:00:00"):
        return build_review([folder], costs=False)


def _twice(tmp_path: Path, added: Finding) -> ReadinessReview:
    """A January drill and a May drill of the same scenario; May has one new finding."""
    before = build_report(flawed=False).model_copy(
        update={"ran_at": datetime(2026, 1, 5, 9, 0, tzinfo=UTC)})
    after = before.model_copy(update={
        "ran_at": datetime(2026, 5, 20, 9, 0, tzinfo=UTC),
        "findings": [*before.findings, added]})
    _saved(tmp_path, "january", before)
    _saved(tmp_path, "may", after)
    return _review(tmp_path)


def test_a_new_info_finding_with_the_score_held_is_not_a_regression(tmp_path: Path) -> None:
    added = finding("stop-rule-read", text="5 duplicates", reading="duplicate_messages >= 5")
    assert added.severity is Severity.INFO
    review = _twice(tmp_path, added)
    (row,) = review.automations
    assert not row.regressed
    md = render_review_markdown(review)
    assert "regressed" not in md.lower()
    (tr,) = [a for t, a in Page(render_review_html(review)).with_attr("data-rank")]
    assert tr["data-regressed"] == "no"


def test_a_new_medium_finding_is_a_regression(tmp_path: Path) -> None:
    added = finding("no-customer-message")
    assert added.severity is Severity.MEDIUM
    review = _twice(tmp_path, added)
    (row,) = review.automations
    assert row.regressed
    (reg,) = row.regressions
    assert reg.new_codes == ["no-customer-message"]
    md = render_review_markdown(review)
    assert "· regressed" in md
    # The drill's own score held (the finding was added to the report, its harm was not),
    # so the new finding alone makes it regressed, said against the drill before.
    assert re.search(r"### Regressed\n\n- invoice-triple-trigger: new since the drill of "
                     r"2026-01-05: no-customer-message", md)
    assert 'class="flag regressed"' in render_review_html(review)


def test_the_rubric_regresses_on_a_fall_or_a_new_serious_finding_only() -> None:
    before = build_report(flawed=False)
    low = finding("stop-rule-exact-count", rule="x == 5", exactly=5, rewritten="x >= 5")
    medium = finding("no-customer-message")
    with_low = before.model_copy(update={"findings": [*before.findings, low]})
    with_medium = before.model_copy(update={"findings": [*before.findings, medium]})
    assert regression(with_low, 90, before, 90) is None
    assert regression(with_low, 95, before, 90) is None
    fell = regression(with_low, 89, before, 90)
    assert fell is not None
    assert fell.new_codes == []
    new = regression(with_medium, 90, before, 90)
    assert new is not None
    assert new.new_codes == ["no-customer-message"]


@pytest.mark.slow
def test_a_drill_run_by_the_review_is_labelled_drilled_now(
        folder_review: ReadinessReview) -> None:
    md = render_review_markdown(folder_review)
    html = render_review_html(folder_review)
    for a in folder_review.automations:
        assert a.last_drill_now, a.automation
        assert all(d.source == DRILLED_NOW for d in a.drills)
    assert f"Last drill {DRILLED_NOW}; the score comes from" in md
    assert "now, by this review" in md
    assert "(0 days, counts 100%)" not in md
    assert f"Last drill {DRILLED_NOW}." in html
    assert "drilled by this review" in html
    assert "now, by this review" in html
    assert "0 days, counts 100%" not in html


def test_a_team_drill_keeps_its_date(tmp_path: Path) -> None:
    _saved(tmp_path, "may", build_report(flawed=False).model_copy(
        update={"ran_at": datetime(2026, 5, 20, 9, 0, tzinfo=UTC)}))
    review = _review(tmp_path)
    (row,) = review.automations
    assert not row.last_drill_now
    md = render_review_markdown(review)
    html = render_review_html(review)
    assert "Last drill 2026-05-20 (12 days, counts 100%)" in md
    assert "Last drill 2026-05-20 (12 days, counts 100%)." in html
    assert DRILLED_NOW not in md
    assert DRILLED_NOW not in html


def test_a_reconcile_pair_says_what_disagrees() -> None:
    equal = Reconcile(left="crm.contacts.email", right="billing.invoices.customer_email",
                      left_count=4200, right_count=4200, mismatched=12, examples=[3, 8, 40],
                      fields=["customer_email"])
    assert equal.disagreement() == (
        "crm.contacts.email vs billing.invoices.customer_email: 12 records differ in "
        "customer_email, e.g. #3, #8, #40")
    counts = Reconcile(left="billing.invoices handled", right="email.outbox from the run",
                       left_count=120, right_count=360, mismatched=240)
    assert counts.disagreement() == (
        "billing.invoices handled vs email.outbox from the run: 120 vs 360 records")
    one = Reconcile(left="a", right="b", left_count=5, right_count=5, mismatched=1,
                    examples=[7], fields=["x"])
    assert one.disagreement() == "a vs b: 1 record differs in x, e.g. #7"
