"""``drills score``: the advisor's review, run the way an advisor runs it, in real processes.

Exit codes are the contract (0 reviewed, 1 an automation under ``--fail-under``, 2 bad
input), so every case asserts the exact code, the lines a reader keys on, and that bad
input writes nothing. The processes start together in a module fixture; the folder of
seven runbooks runs with ``--no-costs``, one runbook runs with its costs measured.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest

from drills.reports.review import load_review
from tests.review.conftest import QUALITY_ORDER

pytestmark = pytest.mark.slow

REPO = Path(__file__).parents[2]
FOLDER = "tests/data/review/runbooks"
DEAL = f"{FOLDER}/deal-auto-close.runbook.yaml"
GOOD = "examples/invoice-reminder.runbook.yaml"
UNDATED = "tests/data/reports/invoice-reminder.good.report.json"

Result = subprocess.CompletedProcess[str]


def drills(*args: str) -> Result:
    """``python -m drills ARGS`` from the repository root."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONWARNINGS": "error"}
    return subprocess.run(
        [sys.executable, "-m", "drills", *args],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=600, check=False,
    )


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("score")
    (folder / "a-file").write_text("not a folder\n", encoding="utf-8")
    twice = folder / "twice"
    twice.mkdir()
    shutil.copy(REPO / GOOD, twice / "a.runbook.yaml")
    shutil.copy(REPO / "examples/invoice-reminder.flawed.runbook.yaml", twice / "b.runbook.yaml")
    return folder


def cases(out: Path) -> dict[str, tuple[str, ...]]:
    return {
        "folder": ("score", FOLDER, "--no-costs", "--out", str(out / "folder"),
                   "--fail-under", "50"),
        "costed": ("score", DEAL, "--out", str(out / "costed"), "--format", "json,md", "-q"),
        "undated": ("score", UNDATED, "--fail-under", "0", "--as-of", "2026-03-31",
                    "--out", str(out / "undated"), "--format", "console", "--format", "json"),
        "missing": ("score", "runbooks/nope", "--out", str(out / "x1")),
        "bad-date": ("score", GOOD, "--as-of", "31/03/2026", "--out", str(out / "x2")),
        "bad-format": ("score", GOOD, "--format", "md,pdf", "--out", str(out / "x3")),
        "format-without-out": ("score", GOOD, "--format", "md"),
        "out-is-a-file": ("score", GOOD, "--out", str(out / "a-file")),
        "two-runbooks": ("score", str(out / "twice"), "--out", str(out / "x4")),
        "malformed": ("score", "tests/data/runbooks/bad/unknown-key.runbook.yaml", "--out",
                      str(out / "x5")),
        "help": ("score", "--help"),
    }


@pytest.fixture(scope="module")
def runs(out: Path) -> dict[str, Result]:
    table = cases(out)
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = pool.map(lambda args: drills(*args), table.values())
        return dict(zip(table, results, strict=True))


def test_a_folder_of_runbooks_is_drilled_ranked_and_written(runs: dict[str, Result],
                                                            out: Path) -> None:
    result = runs["folder"]
    assert result.returncode == 1, result.stderr
    stdout = result.stdout
    assert stdout.startswith("Readiness review: 7 automations reviewed as of ")
    written = [line for line in stdout.splitlines() if line.startswith("wrote ")]
    assert written == [f"wrote {out / 'folder' / name}" for name in
                       ("readiness-review.md", "readiness-review.html", "readiness-review.json")]
    review = load_review(out / "folder" / "readiness-review.json")
    # ranked by the drills' harm scores, least ready first: half a plan first, the
    # complete example last; the console lists them in the same order
    names = [a.automation for a in review.automations]
    assert sorted(names) == sorted(QUALITY_ORDER)
    assert names[0] == QUALITY_ORDER[0]
    assert names[-1] == QUALITY_ORDER[-1]
    assert [a.score for a in review.automations] == sorted(a.score for a in review.automations)
    positions = [stdout.index(f" {name} ") for name in names]
    assert positions == sorted(positions)
    today = datetime.now(UTC).date()
    assert review.as_of == today
    below = [a for a in review.automations if a.score < 50]
    assert [line for line in result.stderr.splitlines() if line.startswith("drills: ")] == [
        f"drills: {a.automation} scores {a.score}, under --fail-under 50" for a in below]
    assert len(below) == 3
    drilled = [line for line in result.stderr.splitlines() if line.startswith("drilling ")]
    assert len(drilled) == 7
    assert all(line.endswith(" without costs ...") for line in drilled)


def test_with_costs_every_gap_a_rerun_can_close_is_costed(runs: dict[str, Result],
                                                         out: Path) -> None:
    result = runs["costed"]
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == (
        "1 automation reviewed as of "
        f"{load_review(out / 'costed' / 'readiness-review.json').as_of:%Y-%m-%d}: "
        "0 ready, 1 not ready")
    assert result.stderr == "", "-q prints no progress"
    (row,) = load_review(out / "costed" / "readiness-review.json").automations
    costed = [g for g in row.gaps if g.finding.cost is not None]
    assert {g.finding.code for g in costed} >= {"owner-is-team", "feeder-left-running",
                                                 "never-contained"}
    records = [g.finding.cost.records_damaged + g.finding.cost.records_left_wrong
               for g in row.gaps if g.finding.cost is not None]
    assert records[0] > 0, "the costliest gap cost records"
    assert row.gaps[0].finding.cost is not None
    top = row.gaps[0].finding.cost
    assert all(top.records_damaged + top.records_left_wrong >= r for r in records)
    md = (out / "costed" / "readiness-review.md").read_text(encoding="utf-8")
    assert "records damaged" in md


def test_saved_reports_alone_are_reviewed_as_of_a_date(runs: dict[str, Result],
                                                      out: Path) -> None:
    result = runs["undated"]
    assert result.returncode == 0, result.stderr
    assert "as of 2026-03-31" in result.stdout
    text = (out / "undated" / "readiness-review.txt").read_text(encoding="utf-8")
    assert "undated, 25%" in text
    data = json.loads((out / "undated" / "readiness-review.json").read_text(encoding="utf-8"))
    assert data["as_of"] == "2026-03-31"
    (row,) = data["automations"]
    assert row["age"] == {"status": "undated", "age_days": None, "factor": 0.25}
    assert not (out / "undated" / "readiness-review.md").exists()


@pytest.mark.parametrize(("case", "message"), [
    ("missing", "drills: error: runbooks/nope: no such file or folder"),
    ("bad-date", "drills: error: --as-of '31/03/2026' is not a date; write it as YYYY-MM-DD, "
                 "like 2026-04-01"),
    ("bad-format", "drills: error: unknown format 'pdf' in --format; choose from console, md, "
                   "html, json"),
    ("format-without-out", "drills: error: --format names review files, which need --out DIR; "
                           "add --out, or leave --format out to only print the review"),
    ("out-is-a-file", "drills: error: --out {out}/a-file is a file; name a folder for the "
                      "review"),
    ("two-runbooks", "drills: error: {out}/twice/b.runbook.yaml: a second runbook for "
                     "'invoice-reminder' (the first is {out}/twice/a.runbook.yaml); a review "
                     "scores one runbook per automation, so give only the one in use"),
    ("malformed", "drills: error: tests/data/runbooks/bad/unknown-key.runbook.yaml:"),
])
def test_bad_input_is_one_line_exit_2_and_nothing_written(
    runs: dict[str, Result], out: Path, case: str, message: str
) -> None:
    result = runs[case]
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert result.stderr.startswith(message.format(out=out))
    assert "Traceback" not in result.stderr
    assert not any((out / name).exists() for name in ("x1", "x2", "x3", "x4", "x5"))


def test_help_says_what_it_does_and_the_exit_codes(runs: dict[str, Result]) -> None:
    result = runs["help"]
    assert result.returncode == 0
    assert "Score how ready each automation is to recover from a bad run" in result.stdout
    assert "Exit codes: 0 reviewed, 1 an automation under --fail-under, 2 bad input or usage." \
        in " ".join(result.stdout.split())
