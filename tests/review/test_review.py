"""A review over real runbooks and real drills: ranking, traced points, gaps, age, regressions."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from freezegun import freeze_time

from drills.api import run_drill
from drills.reports.findings import Severity
from drills.reports.jsonout import render_json
from drills.reports.model import Deduction, DrillReport, HarmLine, HarmUnit
from drills.reports.review import AutomationReview, ReadinessReview, RiskClass
from drills.review import (
    EXPORT_CODES,
    OWNER_CODES,
    RUN_SOURCE,
    build_review,
    collect_inputs,
    drill_age,
    drill_points,
    review_inputs,
)
from drills.runbook import load_runbook, read_runbook
from drills.scenarios.loader import load_scenario
from tests.review.conftest import QUALITY_ORDER, REVIEWED_AT

pytestmark = pytest.mark.slow

EXAMPLES = Path(__file__).parents[2] / "examples"


def _row(review: ReadinessReview, name: str) -> AutomationReview:
    return next(a for a in review.automations if a.automation == name)


# -- the folder of seven runbooks ------------------------------------------------------


def test_the_ranking_follows_the_drills_harm_scores(folder_review: ReadinessReview) -> None:
    autos = folder_review.automations
    assert [a.rank for a in autos] == list(range(1, 8))
    scores = [a.score for a in autos]
    assert scores == sorted(scores)
    for a in autos:
        assert a.basis == "harm"
        assert a.deciding_score is not None
        # the score is the drill's own harm score, untouched by any re-weighting
        assert a.score == a.deciding_score.total, a.automation
        assert a.ready == (a.score >= a.threshold and not a.gates), a.automation
    # half a plan is least ready; the complete example is ready and ranks last
    assert autos[0].automation == QUALITY_ORDER[0]
    assert autos[-1].automation == "invoice-reminder"
    assert autos[-1].ready
    # a runbook whose drill hit a gate is not ready, whatever its score, and says why
    gated = [a for a in autos if a.gates]
    assert gated, "the folder holds runbooks that never contain their bad run"
    for a in gated:
        assert not a.ready
        for g in a.gates:
            assert f"gate {g.code.value} in {g.scenario}: {g.message}" in a.reasons


def test_every_point_lost_is_harm_a_deduction_or_age(folder_review: ReadinessReview) -> None:
    for a in folder_review.automations:
        assert a.checks == [], "a drilled automation is not re-scored per check"
        assert sum(x.points for x in a.lost) == pytest.approx(100 - a.points, abs=1e-9)
        assert a.score == round(a.points)
        assert {x.kind for x in a.lost} <= {"harm", "deduction"}, "all drills are current"
        gaps = {(g.finding.code, g.finding.where): g for g in a.gaps}
        taken = [x for x in a.lost if x.kind == "deduction"]
        for x in taken:
            assert gaps[(x.code, x.where)].points_lost >= x.points
        assert sum(g.points_lost for g in a.gaps) == pytest.approx(
            sum(x.points for x in taken))
        score = a.deciding_score
        assert score is not None
        assert score.avoided is not None
        harm = sum(x.points for x in a.lost if x.kind == "harm")
        # harm not avoided is 100 - avoided, up to the total's rounding (and a
        # total clamped at zero, where the deductions took nothing more)
        assert harm == pytest.approx(100 - score.avoided, abs=0.5) or score.total == 0


def test_critical_gaps_that_cost_nothing_do_not_block_on_their_own(
    folder_review: ReadinessReview,
) -> None:
    for a in folder_review.automations:
        if a.score >= a.threshold and not a.gates:
            assert a.ready, a.automation
    assert not any("critical gap" in r for a in folder_review.automations for r in a.reasons)


def test_an_aged_drill_score_traces_its_age_loss() -> None:
    """The worked example in docs/scoring.md: a drill scoring 85, reviewed 138 days on."""
    from drills.reports.model import Score

    score = Score(total=85, avoided=89.0, basis="made up for the example",
                  deductions=[Deduction(code="no-snapshot", severity=Severity.MEDIUM,
                                        points=4, reason="cost nothing in this drill")],
                  harm=[HarmLine(unit=HarmUnit.DAMAGED, label="records damaged", weight=1,
                                 run=9, nothing=100, perfect=0)])
    age = drill_age(REVIEWED_AT, date(2026, 3, 2) + timedelta(days=138))
    assert (age.status, age.factor) == ("overdue", 0.875)
    lost, points = drill_points(score, age)
    assert [(x.code, x.kind, x.points) for x in lost] == [
        ("harm-not-avoided", "harm", 11.0), ("no-snapshot", "deduction", 4.0),
        ("drill-overdue", "age", 10.63)]
    assert points == 74.37
    assert round(points) == 74
    assert sum(x.points for x in lost) == pytest.approx(100 - points)


def test_every_gap_is_listed_costliest_first(folder_review: ReadinessReview) -> None:
    for a in folder_review.automations:
        (drill,) = a.drills
        assert drill.source == RUN_SOURCE
        assert drill.decides
        codes = sorted((g.finding.code, g.finding.where or "") for g in a.gaps)
        assert len(codes) == len(set(codes))
        points = [g.points_lost for g in a.gaps]
        assert points == sorted(points, reverse=True), "no costs measured: points decide"
    flawed = _row(folder_review, "fulfilment-status-sync")
    assert len(flawed.gaps) >= 25


def test_risk_classes_come_from_what_each_automation_touches(
    folder_review: ReadinessReview,
) -> None:
    risks = {a.automation: (a.risk, a.touches) for a in folder_review.automations}
    assert risks["invoice-reminder"] == (RiskClass.MONEY, ["customer_messages", "money"])
    assert risks["welcome-email"] == (RiskClass.CUSTOMER_MESSAGES, ["customer_messages"])
    assert risks["product-newsletter"] == (RiskClass.LEGAL_RECORDS,
                                           ["customer_messages", "legal_records"])
    assert _row(folder_review, "welcome-email").threshold == 80


def test_missing_owners_and_exports_are_listed_together(folder_review: ReadinessReview) -> None:
    missing = {(m.automation, m.code) for m in folder_review.missing}
    assert ("crm-billing-contact-sync", "no-snapshot") in missing
    assert ("crm-billing-contact-sync", "no-clean-export") in missing
    assert not any(a == "crm-billing-contact-sync" and c in OWNER_CODES for a, c in missing)
    assert ("deal-auto-close", "owner-is-team") in missing
    assert ("deal-auto-close", "restart-without-approver") in missing
    assert not any(a == "deal-auto-close" and c in EXPORT_CODES for a, c in missing)
    assert all(m.kind == ("owner" if m.code in OWNER_CODES else "export")
               for m in folder_review.missing)
    crm = _row(folder_review, "crm-billing-contact-sync").people
    assert (crm.owner, crm.backup_owner, crm.clean_export, crm.snapshot) == (
        "Omar Haddad", "Ines Duarte", None, None)
    deal = _row(folder_review, "deal-auto-close").people
    assert deal.owner == "Sales operations team (may not pause)"
    assert deal.restart_approver is None


def test_the_review_is_dated_by_the_frozen_clock(folder_review: ReadinessReview) -> None:
    assert folder_review.as_of == date(2026, 3, 2)
    assert folder_review.generated_at == REVIEWED_AT
    for a in folder_review.automations:
        assert a.last_drill == REVIEWED_AT
        assert (a.age.status, a.age.age_days, a.age.factor) == ("current", 0, 1.0)


# -- old and regressed results, on frozen dates ----------------------------------------


@pytest.fixture(scope="module")
def quarterly(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """invoice-reminder drilled on 5 January 2026 with the good runbook, then on
    20 May 2026 with a copy that forgot to stop the email queue: reports saved as JSON."""
    folder = tmp_path_factory.mktemp("quarterly")
    scenario = load_scenario("invoice-triple-trigger")
    good = EXAMPLES / "invoice-reminder.runbook.yaml"
    with freeze_time("2026-01-05 09:00:00"):
        january = run_drill(scenario, load_runbook(good), costs=False, runbook_path=good)
    worse = folder / "invoice-reminder.runbook.yaml"
    data = yaml.safe_load(good.read_text(encoding="utf-8"))
    data["pause"] = [s for s in data["pause"] if "stop_queue" not in s]
    worse.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    with freeze_time("2026-05-20 15:45:00"):
        may = run_drill(scenario, load_runbook(worse), costs=False, runbook_path=worse)
    (folder / "reports").mkdir()
    (folder / "reports" / "2026-01.json").write_text(render_json(january), encoding="utf-8")
    (folder / "reports" / "2026-05.json").write_text(render_json(may), encoding="utf-8")
    return folder


def _own(path: Path) -> int:
    """The total a saved drill report gives itself."""
    return DrillReport.model_validate_json(path.read_text(encoding="utf-8")).score.value


def _review_on(day: str, *paths: Path) -> ReadinessReview:
    with freeze_time(day):
        return build_review(list(paths), costs=False)


def test_a_drill_within_the_quarter_counts_fully(quarterly: Path) -> None:
    january = quarterly / "reports" / "2026-01.json"
    review = _review_on("2026-04-07 18:00:00", january)  # 92 days after 5 January
    (row,) = review.automations
    assert (row.age.status, row.age.age_days, row.age.factor) == ("current", 92, 1.0)
    assert row.score == _own(january) >= 95
    assert not any(x.kind == "age" for x in row.lost)


def test_a_day_past_the_quarter_it_starts_to_count_less(quarterly: Path) -> None:
    january = quarterly / "reports" / "2026-01.json"
    review = _review_on("2026-04-08 06:00:00", january)  # 93 days
    (row,) = review.automations
    assert (row.age.status, row.age.age_days, row.age.factor) == ("overdue", 93, 0.9973)
    aged = [x for x in row.lost if x.kind == "age"]
    assert {x.code for x in aged} == {"drill-overdue"}
    own = _own(january)
    assert sum(x.points for x in aged) == pytest.approx(own * (1 - 0.9973), abs=0.01)
    assert row.points == pytest.approx(own - sum(x.points for x in aged))
    assert "last drill 93 days ago (due every quarter)" in row.reasons
    assert row.ready, "it counts a little less, and still clears the bar"


def test_a_year_old_drill_keeps_only_the_floor(quarterly: Path) -> None:
    january = quarterly / "reports" / "2026-01.json"
    review = _review_on("2027-01-20 10:00:00", january)
    (row,) = review.automations
    assert (row.age.age_days, row.age.factor) == (380, 0.25)
    assert row.score == round(_own(january) * 0.25)
    assert row.score < row.threshold


def test_an_undated_report_counts_as_old(quarterly: Path, tmp_path: Path) -> None:
    report = DrillReport.model_validate_json(
        (quarterly / "reports" / "2026-01.json").read_text(encoding="utf-8"))
    undated = tmp_path / "old.json"
    undated.write_text(render_json(report.model_copy(update={"ran_at": None})),
                       encoding="utf-8")
    review = _review_on("2026-01-06 10:00:00", undated)
    (row,) = review.automations
    assert row.age.status == "undated"
    assert row.age.factor == 0.25
    assert row.last_drill is None
    assert {x.code for x in row.lost if x.kind == "age"} == {"drill-undated"}
    assert any("does not say when it ran" in n for n in row.notes)


def test_a_drill_that_went_worse_is_flagged(quarterly: Path) -> None:
    review = _review_on("2026-06-01 08:00:00", quarterly / "reports")
    (row,) = review.automations
    assert row.last_drill == datetime(2026, 5, 20, 15, 45, tzinfo=UTC)
    assert row.age.age_days == 12
    (reg,) = row.regressions
    assert reg.previous_ran_at == datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    before = _own(quarterly / "reports" / "2026-01.json")
    assert reg.previous_score == before
    assert reg.score == _own(quarterly / "reports" / "2026-05.json")
    assert reg.score < reg.previous_score
    assert "queue-left-running" in reg.new_codes
    assert row.score == reg.score, "the latest drill decides, and it is current"
    assert [d.ran_at.month for d in row.drills if d.ran_at] == [1, 5]
    assert [d.decides for d in row.drills] == [False, True]
    assert any(r.startswith(f"regressed in invoice-triple-trigger: score {before} -> ")
               for r in row.reasons)
    # the queue left running keeps sending: its drill is gated, so it is not ready
    assert row.gates
    assert not row.ready
    assert review.regressed == [row]
    assert row.trend is not None
    # the trend shows each drill report's own score (drill_score)
    assert [p.score for p in row.trend.points] == [d.drill_score for d in row.drills]


def test_a_better_drill_is_not_a_regression(quarterly: Path, tmp_path: Path) -> None:
    # The May report first, then January's again as the newer one: better, nothing new.
    may = DrillReport.model_validate_json(
        (quarterly / "reports" / "2026-05.json").read_text(encoding="utf-8"))
    january = DrillReport.model_validate_json(
        (quarterly / "reports" / "2026-01.json").read_text(encoding="utf-8"))
    (tmp_path / "a.json").write_text(render_json(may.model_copy(
        update={"ran_at": datetime(2026, 1, 5, tzinfo=UTC)})), encoding="utf-8")
    (tmp_path / "b.json").write_text(render_json(january.model_copy(
        update={"ran_at": datetime(2026, 5, 20, tzinfo=UTC)})), encoding="utf-8")
    review = _review_on("2026-06-01", tmp_path)
    (row,) = review.automations
    assert row.regressions == []
    assert row.score == january.score.value


def test_a_runbook_with_a_result_is_not_drilled_again(quarterly: Path) -> None:
    runbook = quarterly / "invoice-reminder.runbook.yaml"
    inputs = collect_inputs([runbook, quarterly / "reports"])
    ran: list[str] = []

    def runner(*args: object) -> DrillReport:
        ran.append(str(args))
        raise AssertionError("invoice-triple-trigger has results already")

    with freeze_time("2026-06-01"):
        review = review_inputs(inputs, runner=runner)
    assert ran == []
    assert review.automations[0].people.runbook == str(runbook)


def test_a_runbook_no_scenario_drills_is_scored_on_paper(tmp_path: Path) -> None:
    shutil.copy(EXAMPLES / "invoice-reminder.flawed.runbook.yaml", tmp_path / "x.runbook.yaml")
    text = (tmp_path / "x.runbook.yaml").read_text(encoding="utf-8")
    (tmp_path / "x.runbook.yaml").write_text(
        text.replace("automation: invoice-reminder", "automation: payroll-export")
        .replace("pause_job: invoice-reminder", "pause_job: payroll-export"), encoding="utf-8")
    loaded = read_runbook(tmp_path / "x.runbook.yaml")
    assert loaded.runbook.automation == "payroll-export"
    review = _review_on("2026-06-01", tmp_path)
    (row,) = review.automations
    assert row.age.status == "never"
    assert row.drills == []
    assert row.trend is None
    assert row.risk is RiskClass.STANDARD
    assert row.touches is None
    assert any("scored on paper" in n for n in row.notes)
    assert any(n.startswith("not drilled:") and "No drill scored it" in n for n in row.notes)
    assert row.basis == "paper"
    assert row.deciding_score is None
    assert all(g.scenarios == ["lint"] for g in row.gaps)
    assert {x.code for c in row.checks for x in c.lost if x.kind == "age"} == {"never-drilled"}
    # the lost table is the checks' losses, and adds up like a drill's
    assert sorted(x.points for x in row.lost) == sorted(
        x.points for c in row.checks for x in c.lost)
    assert sum(x.points for x in row.lost) == pytest.approx(100 - row.points, abs=1e-6)
    assert not row.ready
