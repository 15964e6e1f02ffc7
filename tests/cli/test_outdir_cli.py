"""No drill destroys another: ``--out`` through the real CLI, in its own process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).parents[2]
GOOD = "examples/invoice-reminder.runbook.yaml"
FLAWED = "examples/invoice-reminder.flawed.runbook.yaml"
SCENARIO = "invoice-triple-trigger"
JOURNAL = "drill.journal.jsonl"
ENV = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONWARNINGS": "error", "COLUMNS": "100"}


def drills(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "drills", *args], cwd=REPO, env=ENV, capture_output=True,
        text=True, timeout=300, check=False, input=stdin,
    )


def assert_one_line_error(run: subprocess.CompletedProcess[str], message: str) -> None:
    assert run.returncode == 2, run.stderr
    assert run.stdout == ""
    assert run.stderr == f"drills: error: {message}\n"


def tree(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def first_drill(out: Path) -> dict[str, bytes]:
    run = drills("run", SCENARIO, "--runbook", GOOD, "--no-costs", "-q", "--out", str(out),
                 "--format", "json,md")
    assert run.returncode == 0, run.stderr
    return tree(out)


def test_a_second_drill_into_the_same_folder_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "q3"
    before = first_drill(out)
    again = drills("run", SCENARIO, "--runbook", FLAWED, "--no-costs", "-q", "--seed", "7",
                   "--out", str(out))
    assert_one_line_error(again, f"--out {out} holds an earlier drill "
                          "(drill-invoice-triple-trigger-1729.json); choose a new folder, or "
                          "add --overwrite to replace it once this drill is complete")
    assert tree(out) == before  # its reports and its journal
    no_out = drills("run", SCENARIO, "--overwrite")
    assert_one_line_error(no_out, "--overwrite replaces an earlier drill in --out DIR; add "
                          "--out, or leave --overwrite out")
    # a report rebuilt into its own drill's folder is that drill's, not another's
    own = drills("report", str(out / JOURNAL), "-q", "--out", str(out), "--format", "json")
    assert own.returncode == 0, own.stderr
    assert tree(out) == before
    other = tmp_path / "other"
    first_drill(other)
    into_other = drills("report", str(out / JOURNAL), "-q", "--out", str(other))
    assert_one_line_error(into_other, f"--out {other} holds an earlier drill "
                          "(drill-invoice-triple-trigger-1729.json); choose a new folder, or "
                          "add --overwrite to replace it once this drill is complete")
    live = drills("live", SCENARIO, "--runbook", GOOD, "--out", str(out), stdin="end\n")
    assert_one_line_error(live, f"--out {out} holds an earlier drill "
                          "(drill-invoice-triple-trigger-1729.json); choose a new folder")
    assert tree(out) == before


def test_overwrite_replaces_the_whole_set(tmp_path: Path) -> None:
    out = tmp_path / "q3"
    first_drill(out)
    run = drills("run", SCENARIO, "--runbook", FLAWED, "--no-costs", "-q", "--seed", "7",
                 "--out", str(out), "--format", "json", "--overwrite")
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines()[1:] == [
        f"wrote {out / 'drill-invoice-triple-trigger-7.json'}", f"wrote {out / JOURNAL}"]
    assert sorted(tree(out)) == ["drill-invoice-triple-trigger-7.json", JOURNAL]
    assert '"seed":7' in (out / JOURNAL).read_text(encoding="utf-8").replace(" ", "")
    assert [p.name for p in tmp_path.iterdir()] == ["q3"]  # no work folder left behind


def test_a_drill_killed_while_overwriting_leaves_the_earlier_one_whole(tmp_path: Path) -> None:
    out = tmp_path / "q3"
    before = first_drill(out)
    scored = drills("score", str(out), "--no-costs", "-q", "--as-of", "2026-12-01")
    assert scored.returncode == 0, scored.stderr
    proc = subprocess.Popen(
        [sys.executable, "-m", "drills", "run", SCENARIO, "--runbook", FLAWED, "-q",
         "--seed", "7", "--out", str(out), "--overwrite"],
        cwd=REPO, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while not any(j.read_bytes().count(b"\n") > 1
                      for j in tmp_path.glob(f".q3.partial-*/{JOURNAL}")):
            assert proc.poll() is None, "the drill ended before its journal was seen"
            assert time.monotonic() < deadline
            time.sleep(0.01)
        assert tree(out) == before  # the new drill journals beside, never over, the earlier
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait()
    assert tree(out) == before
    (work,) = tmp_path.glob(".q3.partial-*")  # the killed drill's own journal is kept too
    assert (work / JOURNAL).read_text(encoding="utf-8").startswith('{"kind":"header"')
    rescored = drills("score", str(out), "--no-costs", "-q", "--as-of", "2026-12-01")
    assert (rescored.returncode, rescored.stdout) == (0, scored.stdout)  # no false regression
    parent = drills("score", str(tmp_path), "--no-costs", "-q", "--as-of", "2026-12-01")
    assert (parent.returncode, parent.stdout) == (0, scored.stdout)  # the hidden work is skipped


def test_a_failed_drill_with_overwrite_leaves_the_earlier_one_and_no_work(tmp_path: Path) -> None:
    out = tmp_path / "q3"
    before = first_drill(out)
    blocker = tmp_path / "report-here"
    blocker.write_text("a file, not a folder", encoding="utf-8")
    # the drill's journal cannot be written under a file: the drill fails as it starts
    run = drills("run", SCENARIO, "--runbook", GOOD, "--no-costs", "-q", "--seed", "7",
                 "--out", str(out), "--overwrite", "--journal", str(blocker / "j.jsonl"))
    assert run.returncode == 2
    assert tree(out) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_score_refuses_an_earlier_review_and_overwrite_replaces_it(tmp_path: Path) -> None:
    drill = tmp_path / "drill"
    first_drill(drill)
    review = tmp_path / "review"
    first = drills("score", str(drill), "--no-costs", "-q", "--out", str(review), "--format",
                   "md,html")
    assert first.returncode == 0, first.stderr
    before = tree(review)
    again = drills("score", str(drill), "--no-costs", "-q", "--out", str(review))
    assert_one_line_error(again, f"--out {review} holds an earlier review "
                          "(readiness-review.html); choose a new folder, or add --overwrite "
                          "to replace it")
    assert tree(review) == before
    replaced = drills("score", str(drill), "--no-costs", "-q", "--out", str(review),
                      "--format", "json", "--overwrite")
    assert replaced.returncode == 0, replaced.stderr
    assert sorted(tree(review)) == ["readiness-review.json"]  # never two reviews in one folder
