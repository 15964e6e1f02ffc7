"""Validity of the review through the real ``drills score``: it follows the drills' harm.

A runbook with every section present and nonsense in each (tests/data/runbooks/harm)
must not look ready in a review because its sections exist: its drill avoids nothing,
so its review score is low and it is not ready. The good example is ready. A drill that
hit a gate is not ready whatever its score, and a report from before harm scores still
counts its own total, with a note to drill it again.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from drills.api import run_drill
from drills.reports.findings import Check, Severity
from drills.reports.jsonout import render_json
from drills.reports.model import DrillReport, Gate, GateCode, Score, ScoreItem
from drills.reports.review import ReadinessReview, parse_review
from drills.runbook import load_runbook
from drills.scenarios.loader import load_scenario

pytestmark = pytest.mark.slow

ROOT = Path(__file__).parents[2]
GOOD = ROOT / "examples" / "invoice-reminder.runbook.yaml"
NONSENSE = ROOT / "tests" / "data" / "runbooks" / "harm" / "nonsense.runbook.yaml"


def _score(folder: Path, out: Path, *args: str) -> tuple[subprocess.CompletedProcess[str],
                                                          ReadinessReview | None]:
    done = subprocess.run(
        [sys.executable, "-m", "drills", "score", str(folder), "--no-costs", "--out", str(out),
         "--format", "md,html,json", *args],
        cwd=folder, capture_output=True, text=True, timeout=600, check=False)
    json_file = out / "readiness-review.json"
    review = parse_review(json_file.read_text(encoding="utf-8")) if json_file.exists() else None
    return done, review


@pytest.fixture(scope="module")
def good_report(tmp_path_factory: pytest.TempPathFactory) -> DrillReport:
    return run_drill(load_scenario("invoice-triple-trigger"), load_runbook(GOOD), costs=False,
                     runbook_path=GOOD)


def test_a_nonsense_runbook_is_not_ready_and_scores_under_60(tmp_path: Path) -> None:
    folder = tmp_path / "runbooks"
    folder.mkdir()
    shutil.copy(NONSENSE, folder / "invoice-reminder.runbook.yaml")
    done, review = _score(folder, tmp_path / "out", "--fail-under", "60")
    assert done.returncode == 1, done.stdout + done.stderr
    assert review is not None
    (row,) = review.automations
    assert row.score < 60
    assert not row.ready
    assert row.basis == "harm"
    assert row.deciding_score is not None
    assert row.score == row.deciding_score.total
    # a score already at 0 takes no deduction, yet its serious gaps still head the row
    top = row.top_gaps()
    assert top
    assert all(g.finding.severity.rank <= Severity.MEDIUM.rank for g in top)
    assert top[0].finding.code in done.stdout
    md = (tmp_path / "out" / "readiness-review.md").read_text(encoding="utf-8")
    assert "### Where the points went" in md
    assert "| harm | weight | this drill | do nothing | perfect |" in md
    assert "### Points by check" not in md, "no per-check re-scoring of a drill"
    html = (tmp_path / "out" / "readiness-review.html").read_text(encoding="utf-8")
    assert '<table class="harm">' in html
    assert f"100 - {row.score} = {100 - row.score} points lost" in md


def test_the_good_example_is_ready(tmp_path: Path) -> None:
    folder = tmp_path / "runbooks"
    folder.mkdir()
    shutil.copy(GOOD, folder / "invoice-reminder.runbook.yaml")
    done, review = _score(folder, tmp_path / "out", "--fail-under", "85")
    assert done.returncode == 0, done.stdout + done.stderr
    assert review is not None
    (row,) = review.automations
    assert row.ready
    assert row.score >= row.threshold
    assert row.gates == []
    assert sum(x.points for x in row.lost) == pytest.approx(100 - row.points, abs=1e-6)


def test_a_gated_drill_is_not_ready_whatever_its_score(
    good_report: DrillReport, tmp_path: Path
) -> None:
    score = good_report.score
    assert score.total is not None
    assert score.total >= 85
    gate = Gate(code=GateCode.LEFT_WRONG_MONEY_OR_MESSAGES,
                message="records left wrong in a money or customer-message system: "
                "12 in billing")
    gated = good_report.model_copy(update={"score": score.model_copy(update={"gates": [gate]})})
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "gated.json").write_text(render_json(gated), encoding="utf-8")
    done, review = _score(folder, tmp_path / "out", "--fail-under", "85")
    assert done.returncode == 0, "the score itself clears 85: --fail-under follows the score"
    assert review is not None
    (row,) = review.automations
    assert row.score == score.total
    assert row.score >= row.threshold
    assert not row.ready
    assert [(g.code, g.scenario) for g in row.gates] == [
        (GateCode.LEFT_WRONG_MONEY_OR_MESSAGES, "invoice-triple-trigger")]
    assert (f"gate left-wrong-money-or-messages in invoice-triple-trigger: {gate.message}"
            in row.reasons)
    md = (tmp_path / "out" / "readiness-review.md").read_text(encoding="utf-8")
    assert "GATE left-wrong-money-or-messages" in md
    data = json.loads((tmp_path / "out" / "readiness-review.json").read_text(encoding="utf-8"))
    assert data["automations"][0]["gates"][0]["code"] == "left-wrong-money-or-messages"


def test_a_critical_gap_that_cost_nothing_does_not_block_on_its_own(
    good_report: DrillReport, tmp_path: Path
) -> None:
    from drills.findings import finding

    # the lint escalates it to critical when nobody named can pause
    critical = finding("owner-is-team", severity=Severity.CRITICAL, why="is a team")
    report = good_report.model_copy(update={"findings": [*good_report.findings, critical]})
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "r.json").write_text(render_json(report), encoding="utf-8")
    done, review = _score(folder, tmp_path / "out")
    assert done.returncode == 0, done.stdout + done.stderr
    assert review is not None
    (row,) = review.automations
    assert any(g.finding.code == "owner-is-team" for g in row.gaps)
    assert row.ready, "the drill's own score and gates decide, not the severity alone"


def test_a_report_from_before_harm_scores_counts_its_own_total(
    good_report: DrillReport, tmp_path: Path
) -> None:
    legacy = Score(total=72, items=[
        ScoreItem(check=c, points=9, max_points=12.5, lost_to=[]) for c in Check])
    report = good_report.model_copy(update={"score": legacy})
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "old.json").write_text(render_json(report), encoding="utf-8")
    done, review = _score(folder, tmp_path / "out")
    assert done.returncode == 0, done.stdout + done.stderr
    assert review is not None
    (row,) = review.automations
    assert row.basis == "before-harm"
    assert row.score == 72
    assert not row.ready
    assert [(x.code, x.points) for x in row.lost] == [("scored-before-harm", 28.0)]
    assert any("predates harm scores" in n and "drill it again" in n for n in row.notes)
    md = (tmp_path / "out" / "readiness-review.md").read_text(encoding="utf-8")
    assert "predates harm scores" in md
