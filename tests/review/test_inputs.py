"""What drills score reads: files and folders, and one clear line for everything it cannot."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from drills.api import run_drill
from drills.errors import DrillsError
from drills.reports.jsonout import render_json
from drills.reports.model import DrillReport
from drills.review import InputError, collect_inputs, is_journal
from drills.runbook import load_runbook
from drills.scenarios.loader import load_scenario
from tests.reports.conftest import build_report
from tests.review.conftest import RUNBOOKS

EXAMPLES = Path(__file__).parents[2] / "examples"
GOOD = EXAMPLES / "invoice-reminder.runbook.yaml"


def _error(paths: list[Path]) -> str:
    with pytest.raises(DrillsError) as caught:
        collect_inputs(paths)
    text = str(caught.value)
    assert "\n" not in text
    return text


def test_a_folder_is_read_recursively_and_other_files_are_noted(tmp_path: Path) -> None:
    shutil.copytree(RUNBOOKS, tmp_path / "runbooks")
    out = tmp_path / "drills" / "q1"
    out.mkdir(parents=True)
    (out / "drill.json").write_text(render_json(build_report(flawed=True)), encoding="utf-8")
    (out / "drill.md").write_text("# a drill\n", encoding="utf-8")
    (out / "drill.html").write_text("<p>a drill</p>\n", encoding="utf-8")
    (out / "scenario.yaml").write_text("name: x\n", encoding="utf-8")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "junk.json").write_text("{", encoding="utf-8")
    inputs = collect_inputs([tmp_path])
    assert sorted(r.runbook.automation for r in inputs.runbooks) == sorted(
        p.name.removesuffix(".runbook.yaml") for p in RUNBOOKS.glob("*.runbook.yaml"))
    assert [(r.kind, r.source) for r in inputs.results] == [("report", str(out / "drill.json"))]
    assert inputs.notes == ["skipped 3 files that are not runbooks, reports or journals "
                            "(.html, .md, .yaml)"]


def test_the_same_file_or_drill_is_read_once(tmp_path: Path) -> None:
    report = render_json(build_report(flawed=True))
    (tmp_path / "a.json").write_text(report, encoding="utf-8")
    (tmp_path / "b.json").write_text(report, encoding="utf-8")
    inputs = collect_inputs([tmp_path / "a.json", tmp_path, GOOD, GOOD])
    assert len(inputs.results) == 1
    assert len(inputs.runbooks) == 1
    assert inputs.notes == [f"{tmp_path / 'b.json'} holds the same drill as "
                            f"{tmp_path / 'a.json'} (d-20260302-0910-flawed); counted once"]


def test_a_review_written_into_the_folder_is_skipped(tmp_path: Path) -> None:
    shutil.copy(GOOD, tmp_path / "x.runbook.yaml")
    (tmp_path / "readiness-review.json").write_text(json.dumps({"review_version": "1"}),
                                                    encoding="utf-8")
    inputs = collect_inputs([tmp_path])
    assert len(inputs.runbooks) == 1
    assert inputs.notes == [f"skipped {tmp_path / 'readiness-review.json'}: a readiness "
                            "review, not a drill report"]


def test_a_missing_path_is_one_line(tmp_path: Path) -> None:
    assert _error([tmp_path / "nope"]) == f"{tmp_path / 'nope'}: no such file or folder"


def test_a_file_of_another_kind_named_on_its_own_is_refused(tmp_path: Path) -> None:
    page = tmp_path / "drill.html"
    page.write_text("<p>x</p>", encoding="utf-8")
    assert _error([page]) == (
        f"{page}: not something drills score reads; give runbooks (*.runbook.yaml), drill "
        "reports (*.json) or drill journals (*.journal.jsonl), or a folder holding them")


def test_a_folder_with_nothing_to_read_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    assert _error([tmp_path]) == (
        f"{tmp_path}: no runbooks (*.runbook.yaml), drill reports (*.json) or drill journals "
        "(*.journal.jsonl) in this folder")


def test_a_json_file_that_is_not_a_report_names_the_file_and_the_way_out(tmp_path: Path) -> None:
    shutil.copy(GOOD, tmp_path / "x.runbook.yaml")
    (tmp_path / "package.json").write_text('{"name": "x"}', encoding="utf-8")
    text = _error([tmp_path])
    assert text.startswith(f"{tmp_path / 'package.json'}: report has no schema_version")
    assert text.endswith("move other files out of the folder or name the files to read")


def test_broken_json_points_at_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "drill.json"
    bad.write_text('{\n  "drill_id": \n}', encoding="utf-8")
    assert _error([bad]).startswith(f"{bad}:3:1: not JSON")


def test_a_broken_runbook_points_at_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "x.runbook.yaml"
    bad.write_text(GOOD.read_text(encoding="utf-8").replace("pause:", "pauze:"),
                   encoding="utf-8")
    text = _error([tmp_path])
    assert text.startswith(f"{bad}:")
    assert "pauze" in text


def test_two_runbooks_for_one_automation_are_refused(tmp_path: Path) -> None:
    shutil.copy(GOOD, tmp_path / "a.runbook.yaml")
    shutil.copy(EXAMPLES / "invoice-reminder.flawed.runbook.yaml", tmp_path / "b.runbook.yaml")
    assert _error([tmp_path]) == (
        f"{tmp_path / 'b.runbook.yaml'}: a second runbook for 'invoice-reminder' (the first is "
        f"{tmp_path / 'a.runbook.yaml'}); a review scores one runbook per automation, so give "
        "only the one in use")


def test_nothing_to_review_is_refused() -> None:
    with pytest.raises(InputError, match="nothing to review"):
        collect_inputs([])


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_an_unreadable_report_is_one_line(tmp_path: Path) -> None:
    import os

    if os.geteuid() == 0:
        pytest.skip("root reads every file")
    bad = tmp_path / "drill.json"
    bad.write_text("{}", encoding="utf-8")
    bad.chmod(0)
    try:
        assert _error([bad]) == f"{bad}: cannot read: Permission denied"
    finally:
        bad.chmod(0o600)


def _unlistable(monkeypatch: pytest.MonkeyPatch, *folders: Path) -> None:
    """Listing ``folders`` fails as chmod 000 would (tests run as root, who lists all)."""
    real = os.scandir
    refused = {str(f) for f in folders}

    def scandir(path: Any = ".") -> Any:
        if str(path) in refused:
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)


def test_an_unreadable_subfolder_is_named_in_the_notes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "q1").mkdir()
    (tmp_path / "q1" / "drill.json").write_text(render_json(build_report(flawed=True)),
                                                encoding="utf-8")
    locked = tmp_path / "q2"
    locked.mkdir()
    (locked / "drill.json").write_text("{", encoding="utf-8")
    _unlistable(monkeypatch, locked)
    inputs = collect_inputs([tmp_path])
    assert [r.source for r in inputs.results] == [str(tmp_path / "q1" / "drill.json")]
    assert inputs.notes == [f"{locked}: cannot read this folder (Permission denied), so "
                            "nothing in it was reviewed; make it readable to the user "
                            "running drills score, or leave it out"]


def test_a_folder_with_only_unreadable_subfolders_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    locked = tmp_path / "q2"
    locked.mkdir()
    _unlistable(monkeypatch, locked)
    assert _error([tmp_path]).endswith(f"in this folder (and 1 unreadable subfolder, "
                                       f"first {locked})")
    _unlistable(monkeypatch, tmp_path)
    assert _error([tmp_path]) == f"{tmp_path}: cannot read the folder: Permission denied"


# -- journals: detected here, read by drills.journal -----------------------------------


def test_journals_are_known_by_name_or_by_their_header(tmp_path: Path) -> None:
    named = tmp_path / "drill.journal.jsonl"
    named.write_text("", encoding="utf-8")
    headed = tmp_path / "q1.jsonl"
    headed.write_text('{"kind": "header", "journal_version": 1, "ran_at": '
                      '"2026-01-05T09:00:00+00:00"}\n{"kind": "event"}\n', encoding="utf-8")
    other = tmp_path / "log.jsonl"
    other.write_text('{"level": "info"}\n', encoding="utf-8")
    assert is_journal(named)
    assert is_journal(headed)
    assert not is_journal(other)
    assert _error([other]).startswith(f"{other}: not a drill journal")


@pytest.fixture(scope="module")
def journaled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, DrillReport]:
    """A real scripted drill of the shared example, journaled and reported into one folder."""
    folder = tmp_path_factory.mktemp("journaled")
    scenario = load_scenario("invoice-triple-trigger")
    runbook = load_runbook(GOOD)
    report = run_drill(scenario, runbook, costs=False, runbook_path=GOOD,
                       journal=folder / "drill.journal.jsonl")
    (folder / "drill.json").write_text(render_json(report), encoding="utf-8")
    return folder, report


@pytest.mark.slow
def test_a_finished_journal_is_read_as_the_drill_it_holds(
    journaled: tuple[Path, DrillReport], tmp_path: Path
) -> None:
    folder, report = journaled
    journal = tmp_path / "q1.journal.jsonl"
    shutil.copy(folder / "drill.journal.jsonl", journal)
    (result,) = collect_inputs([journal]).results
    assert (result.kind, result.source) == ("journal", str(journal))
    assert result.report == report
    assert result.report.ran_at is not None


def test_a_journal_and_the_report_of_the_same_drill_count_once(
    journaled: tuple[Path, DrillReport],
) -> None:
    folder, report = journaled
    inputs = collect_inputs([folder])
    # folders are read in name order: the journal comes first and the report is the copy
    assert [r.kind for r in inputs.results] == ["journal"]
    assert inputs.results[0].report == report
    assert inputs.notes == [f"{folder / 'drill.json'} holds the same drill as "
                            f"{folder / 'drill.journal.jsonl'} ({report.drill_id}); counted once"]


@pytest.mark.slow
def test_an_interrupted_drill_is_noted_and_not_scored(
    journaled: tuple[Path, DrillReport], tmp_path: Path
) -> None:
    folder, report = journaled
    lines = (folder / "drill.journal.jsonl").read_text(encoding="utf-8").splitlines(True)
    cut = tmp_path / "killed.journal.jsonl"
    cut.write_text("".join(lines[: len(lines) // 2]) + lines[len(lines) // 2][:7],
                   encoding="utf-8")
    inputs = collect_inputs([cut])
    assert inputs.results == []
    (note,) = inputs.notes
    assert note.startswith(f"{cut}: drill {report.drill_id} was interrupted at ")
    assert note.endswith("so it is not scored (what it never reached cannot count for or "
                         "against the team); resume a live drill with 'drills live --resume', "
                         "or drill it again")


def test_a_corrupt_journal_is_one_clear_line(tmp_path: Path) -> None:
    journal = tmp_path / "bad.journal.jsonl"
    journal.write_text('{"kind": "header", "journal_version": 1}\n{"kind": \n{}\n',
                       encoding="utf-8")
    assert _error([journal]).startswith(f"{journal}:")
