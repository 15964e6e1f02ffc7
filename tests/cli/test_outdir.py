"""``--out`` never destroys another drill: refused, or replaced once the new set is complete."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from drills.api import run_drill
from drills.cli.main import cli
from drills.cli.outdir import OutFolder, OutputError, drill_files
from drills.errors import DrillsError
from drills.files import atomic
from drills.journal import DEFAULT_NAME, JournalHeader, JournalSpec, JournalWriter
from drills.reports.jsonout import ReportError
from drills.reports.model import DrillReport
from drills.reports.writer import write_reports
from drills.runbook import load_runbook
from drills.scenarios.loader import load_scenario

REPO = Path(__file__).resolve().parents[2]
GOOD = REPO / "tests" / "data" / "runbooks" / "invoice-reminder.runbook.yaml"
SCENARIO = "invoice-triple-trigger"


@pytest.fixture(scope="module")
def finished(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, DrillReport]:
    """A folder as 'drills run --out' leaves it: a finished drill's journal and reports."""
    folder = tmp_path_factory.mktemp("earlier") / "out"
    report = run_drill(load_scenario(SCENARIO), load_runbook(GOOD), costs=False,
                       runbook_path=GOOD,
                       journal=JournalSpec(folder / DEFAULT_NAME, source=SCENARIO))
    write_reports(report, folder, ["json", "md"])
    return folder, report


def _copy(source: Path, target: Path) -> Path:
    target.mkdir()
    for path in source.iterdir():
        (target / path.name).write_bytes(path.read_bytes())
    return target


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_a_folder_without_a_drill_is_written_in_place(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    (tmp_path / "runbook.json").write_text("{}", encoding="utf-8")
    for folder in (tmp_path, tmp_path / "new"):
        out = OutFolder.prepare(folder, overwrite=False)
        assert (out.replace, out.target) == (False, folder)
    assert drill_files(tmp_path) == []


def test_an_earlier_drill_is_refused_in_one_line(
    finished: tuple[Path, DrillReport], tmp_path: Path
) -> None:
    folder = _copy(finished[0], tmp_path / "out")
    before = _tree(folder)
    with pytest.raises(OutputError) as caught:
        OutFolder.prepare(folder, overwrite=False)
    assert str(caught.value) == (
        f"--out {folder} holds an earlier drill (drill-invoice-triple-trigger-1729.json); "
        "choose a new folder, or add --overwrite to replace it once this drill is complete")
    (folder / "drill-invoice-triple-trigger-1729.json").unlink()
    (folder / "drill-invoice-triple-trigger-1729.md").unlink()
    with pytest.raises(OutputError, match=r"\(drill.journal.jsonl\); choose a new folder$"):
        OutFolder.prepare(folder, overwrite=None)  # a command without --overwrite
    assert set(_tree(folder).items()) <= set(before.items())


def test_overwrite_replaces_the_set_only_once_the_new_one_is_complete(
    finished: tuple[Path, DrillReport], tmp_path: Path
) -> None:
    good_report = finished[1]
    folder = _copy(finished[0], tmp_path / "out")
    before = _tree(folder)
    out = OutFolder.prepare(folder, overwrite=True)
    assert out.replace
    assert out.work is None
    work = out.target
    assert work.parent == tmp_path
    assert work.name.startswith(".out.partial-")
    new = good_report.model_copy(update={"seed": 7})
    written = write_reports(new, out.target, ["json"])
    assert _tree(folder) == before  # the earlier set is whole until the new one is complete
    out.commit()
    assert _listing(folder) == ["drill-invoice-triple-trigger-7.json"]
    assert out.moved(written["json"]) == folder / "drill-invoice-triple-trigger-7.json"
    assert _listing(tmp_path) == ["out"]


def test_a_failing_write_leaves_the_earlier_set_whole(
    finished: tuple[Path, DrillReport], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good_report = finished[1]
    folder = _copy(finished[0], tmp_path / "out")
    before = _tree(folder)
    out = OutFolder.prepare(folder, overwrite=True)

    def full_disk(files: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("drills.reports.writer.write_texts_atomic", full_disk)
    with pytest.raises(ReportError, match="No space left on device"):
        write_reports(good_report, out.target, ["json", "md"])
    assert out.abandon() is None  # nothing of the new drill: its work folder goes
    assert _tree(folder) == before
    assert _listing(tmp_path) == ["out"]


def test_a_failing_swap_keeps_both_and_says_where(
    finished: tuple[Path, DrillReport], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good_report = finished[1]
    folder = _copy(finished[0], tmp_path / "out")
    before = _tree(folder)
    out = OutFolder.prepare(folder, overwrite=True)
    write_reports(good_report, out.target, ["json"])
    work = out.target

    def broken(src: Path, dst: Path) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(atomic, "replace_folder", broken)
    monkeypatch.setattr("drills.cli.outdir.replace_folder", broken)
    with pytest.raises(OutputError, match=r"the earlier drill is still there and the new one "
                       rf"is in {work}$"):
        out.commit()
    assert _tree(folder) == before
    assert out.abandon() == (f"{folder} still holds the earlier drill; this drill's files "
                             f"are in {work}")
    assert _listing(work) == ["drill-invoice-triple-trigger-1729.json"]


def test_an_unfinished_earlier_drill_is_kept_even_with_overwrite(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    header = JournalHeader.build("scripted", load_scenario(SCENARIO))
    JournalWriter.create(folder / DEFAULT_NAME, header).close()  # killed after its header
    with pytest.raises(OutputError, match=(
            r"drill.journal.jsonl is the journal of a drill that did not finish, its only "
            r"record; rebuild its report with 'drills report .*drill.journal.jsonl' and move "
            r"the folder away, then run again$")):
        OutFolder.prepare(folder, overwrite=True)
    # ...but it is this drill's own folder when the command carries that journal on
    assert not OutFolder.prepare(folder, overwrite=False, own=folder / DEFAULT_NAME).replace


def test_overwrite_never_takes_files_drills_did_not_write(
    finished: tuple[Path, DrillReport], tmp_path: Path
) -> None:
    for name in ("notes.txt", ".gitkeep"):
        folder = _copy(finished[0], tmp_path / name.strip("."))
        (folder / name).write_text("mine", encoding="utf-8")
        with pytest.raises(OutputError, match=rf"also holds {name}, which drills did not "
                           r"write; --overwrite replaces the whole folder"):
            OutFolder.prepare(folder, overwrite=True)
        assert (folder / name).read_text(encoding="utf-8") == "mine"


def test_overwrite_through_a_link_names_the_folder_itself(
    finished: tuple[Path, DrillReport], tmp_path: Path
) -> None:
    folder = _copy(finished[0], tmp_path / "out")
    link = tmp_path / "latest"
    link.symlink_to(folder)
    with pytest.raises(OutputError, match=rf"--out {link} is a link; --overwrite replaces a "
                       rf"folder, so name the folder itself: --out {folder.resolve()}$"):
        OutFolder.prepare(link, overwrite=True)
    assert OutFolder.prepare(folder, overwrite=True).replace


def test_a_drill_failing_midway_keeps_its_journal_and_the_earlier_drill(
    finished: tuple[Path, DrillReport], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _copy(finished[0], tmp_path / "out")
    before = _tree(folder)

    def failing(*args: object, journal: JournalSpec, **kwargs: object) -> DrillReport:
        header = JournalHeader.build("scripted", load_scenario(SCENARIO))
        JournalWriter.create(journal.path, header).close()
        raise DrillsError("ops.reminders:send_reminder raised ValueError")

    monkeypatch.setattr("drills.cli.commands.run.run_drill", failing)
    result = CliRunner().invoke(cli, ["run", SCENARIO, "--no-costs", "-q", "--out",
                                      str(folder), "--overwrite"])
    (work,) = tmp_path.glob(".out.partial-*")
    assert result.exit_code == 2
    assert result.output == (
        "drills: error: ops.reminders:send_reminder raised ValueError; "
        f"{folder} still holds the earlier drill; this drill's files are in {work}\n")
    assert _tree(folder) == before
    assert _listing(work) == [DEFAULT_NAME]
