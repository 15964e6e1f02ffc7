"""Through the real CLI: a folder or journal from elsewhere runs none of its code unless
the user trusts it (``--trust-code``, or ``DRILLS_TRUSTED`` module prefixes).

The folder holds ``evil.py``, which writes ``MARKER`` when imported, a runbook whose
pause step is ``call: evil:run``, and another automation's runbook. The folder is on
``PYTHONPATH`` (the way a team's code is found), so only trust decides.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from drills.journal import read_journal
from drills.runbook import read_runbook
from tests.review.test_trust import EVIL, calling_runbook, calling_scenario, unfinished_journal

pytestmark = pytest.mark.slow

REPO = Path(__file__).parents[2]
OTHER = REPO / "tests/data/review/runbooks/deal-auto-close.runbook.yaml"

Result = subprocess.CompletedProcess[str]


def drills(*args: str, folder: Path, cwd: Path | None = None, on_path: bool = True,
           trusted: str | None = None, stdin: str = "") -> Result:
    path = os.pathsep.join([str(REPO), str(folder)] if on_path else [str(REPO)])
    env = {k: v for k, v in os.environ.items() if k != "DRILLS_TRUSTED"}
    env.update(PYTHONPATH=path, PYTHONWARNINGS="error", COLUMNS="200")
    if trusted is not None:
        env["DRILLS_TRUSTED"] = trusted
    return subprocess.run(
        [sys.executable, "-m", "drills", *args], cwd=cwd or folder, env=env, input=stdin,
        capture_output=True, text=True, timeout=300, check=False,
    )


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    work = tmp_path / "client"
    work.mkdir()
    (work / "evil.py").write_text(EVIL, encoding="utf-8")
    calling_runbook(work / "invoice-reminder.runbook.yaml")
    shutil.copy(OTHER, work / "deal-auto-close.runbook.yaml")
    return work


def test_score_runs_no_code_from_the_folder_and_scores_the_rest(folder: Path) -> None:
    done = drills("score", str(folder), "--no-costs", folder=folder)
    assert done.returncode == 0, done.stderr
    assert not (folder / "MARKER").exists()
    notes = [" ".join(n.split()) for n in done.stdout.split("note: ")[1:]]
    (note,) = [n for n in notes if "evil:run" in n]
    assert note.startswith(f"{folder / 'invoice-reminder.runbook.yaml'} names code to run "
                           "(evil:run); its runbook was not drilled")
    assert "--trust-code" in note
    assert "DRILLS_TRUSTED=evil" in note
    assert any(n.startswith("invoice-reminder: not drilled: its runbook names code that is "
                            "not trusted")
               for n in notes), notes
    assert "drilling deal-auto-close" in done.stderr
    assert "drilling invoice-reminder" not in done.stderr
    assert "Traceback" not in done.stderr


def test_score_with_trust_code_runs_it(folder: Path) -> None:
    done = drills("score", str(folder), "--no-costs", "--trust-code", folder=folder)
    assert done.returncode == 0, done.stderr
    assert (folder / "MARKER").exists()
    assert "drilling invoice-reminder" in done.stderr
    assert "names code to run" not in done.stdout


def test_a_trusted_prefix_runs_it(folder: Path) -> None:
    done = drills("score", str(folder / "invoice-reminder.runbook.yaml"), "--no-costs",
                  folder=folder, trusted="evil")
    assert done.returncode == 0, done.stderr
    assert (folder / "MARKER").exists()


def test_the_current_directory_is_not_on_the_import_path(folder: Path) -> None:
    """Run from inside the folder, not on PYTHONPATH: trusted, evil still cannot import."""
    done = drills("score", "invoice-reminder.runbook.yaml", "--no-costs", "--trust-code",
                  folder=folder, on_path=False)
    assert not (folder / "MARKER").exists()
    assert done.returncode == 2, done.stderr
    assert "cannot import 'evil'" in done.stderr.splitlines()[-1]


@pytest.fixture(params=["scripted", "live"])
def journal(request: pytest.FixtureRequest, folder: Path) -> Path:
    runbook = read_runbook(folder / "invoice-reminder.runbook.yaml").runbook
    mode: str = request.param
    return unfinished_journal(folder / f"{mode}.journal.jsonl", mode, calling_scenario(),
                              runbook)


def test_report_rebuilds_no_journal_naming_code_without_trust(folder: Path,
                                                             journal: Path) -> None:
    done = drills("report", str(journal), folder=folder)
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1, done.stderr
    assert done.stderr.startswith(f"drills: error: {journal} names code to run (evil:run); "
                                  "the drill was not rebuilt")
    assert "--trust-code" in done.stderr
    assert not (folder / "MARKER").exists()


def test_report_with_trust_code_rebuilds_it(folder: Path, journal: Path) -> None:
    done = drills("report", str(journal), "-q", "--trust-code", folder=folder)
    assert done.returncode == 0, done.stderr
    assert (folder / "MARKER").exists()


def test_live_resume_runs_no_code_without_trust(folder: Path) -> None:
    journal = unfinished_journal(folder / "live.journal.jsonl", "live", calling_scenario(),
                                 None)
    before = journal.read_bytes()
    done = drills("live", "--resume", str(journal), folder=folder)
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1, done.stderr
    assert done.stderr.startswith(f"drills: error: {journal} names code to run (evil:run); "
                                  "the drill was not resumed")
    assert "--trust-code" in done.stderr
    assert not (folder / "MARKER").exists()
    assert journal.read_bytes() == before


def test_live_resume_with_trust_code_imports_it(folder: Path) -> None:
    journal = unfinished_journal(folder / "live.journal.jsonl", "live", calling_scenario(),
                                 None)
    done = drills("live", "--resume", str(journal), "--trust-code", folder=folder,
                  stdin="end\n")
    assert (folder / "MARKER").exists(), done.stderr
    assert read_journal(journal).events


def test_score_of_only_an_untrusted_journal_is_one_line(folder: Path) -> None:
    journal = unfinished_journal(folder / "live.journal.jsonl", "live", calling_scenario(),
                                 None)
    done = drills("score", str(journal), folder=folder)
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1, done.stderr
    assert done.stderr.startswith(f"drills: error: nothing to score: {journal} names code to "
                                  "run (evil:run)")
    assert "--trust-code" in done.stderr
    assert not (folder / "MARKER").exists()
