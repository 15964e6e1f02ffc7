"""write_reports: every format into one folder with one call, atomically, or one clear error."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from drills.files import atomic
from drills.reports import writer
from drills.reports.console import render_console_text
from drills.reports.html import render_html
from drills.reports.jsonout import ReportError, load_report, render_json
from drills.reports.junit import render_junit
from drills.reports.markdown import render_markdown
from drills.reports.model import DrillReport
from drills.reports.writer import FORMATS, report_basename, write_reports


@pytest.mark.slow
def test_every_format_in_one_call(flawed_report: DrillReport, tmp_path: Path) -> None:
    folder = tmp_path / "out" / "q1"  # created when missing
    written = write_reports(flawed_report, folder, ["console", "md", "html", "json", "junit"])
    base = "drill-invoice-triple-trigger-1729"
    assert written == {
        "console": folder / f"{base}.txt",
        "md": folder / f"{base}.md",
        "html": folder / f"{base}.html",
        "json": folder / f"{base}.json",
        "junit": folder / f"{base}.junit.xml",
    }
    assert written["console"].read_text(encoding="utf-8") == render_console_text(flawed_report)
    assert written["md"].read_text(encoding="utf-8") == render_markdown(flawed_report)
    assert written["html"].read_text(encoding="utf-8") == render_html(flawed_report)
    assert written["json"].read_text(encoding="utf-8") == render_json(flawed_report)
    assert written["junit"].read_text(encoding="utf-8") == render_junit(flawed_report)
    assert load_report(written["json"]) == flawed_report
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in written.values())


def test_formats_are_written_once_in_the_order_asked(good_report: DrillReport,
                                                     tmp_path: Path) -> None:
    written = write_reports(good_report, tmp_path, ["json", "html", "json"])
    assert list(written) == ["json", "html"]
    assert write_reports(good_report, tmp_path, []) == {}


def test_rewriting_replaces_the_file(good_report: DrillReport, flawed_report: DrillReport,
                                     tmp_path: Path) -> None:
    write_reports(flawed_report, tmp_path, ["json"])
    (path,) = write_reports(good_report, tmp_path, ["json"]).values()
    assert load_report(path) == good_report
    assert [p.name for p in tmp_path.iterdir()] == [path.name], "no temporary files left"


def test_an_unknown_format_lists_the_known_ones_and_writes_nothing(
    good_report: DrillReport, tmp_path: Path
) -> None:
    with pytest.raises(ValueError, match=r"^unknown report formats 'pdf', 'xml'; known "
                       r"formats: console, md, html, json, junit$"):
        write_reports(good_report, tmp_path, ["json", "pdf", "xml"])
    assert list(tmp_path.iterdir()) == []


def test_a_file_is_not_a_folder(good_report: DrillReport, tmp_path: Path) -> None:
    file = tmp_path / "report"
    file.write_text("x", encoding="utf-8")
    with pytest.raises(ReportError, match=r"report: not a folder; give a folder"):
        write_reports(good_report, file, ["json"])
    with pytest.raises(ReportError, match=r"cannot create the report folder"):
        write_reports(good_report, file / "below", ["json"])


class _PatchedOs:
    """The ``os`` module as :mod:`drills.reports.writer` sees it, with some functions replaced."""

    def __init__(self, **replaced: object) -> None:
        self.__dict__.update(replaced)

    def __getattr__(self, name: str) -> object:
        return getattr(os, name)


def test_an_unwritable_folder_is_one_clear_error(
    good_report: DrillReport, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # root ignores permission bits, so the refusal is simulated at the OS boundary
    monkeypatch.setattr(writer, "os", _PatchedOs(access=lambda *_a, **_k: False))
    with pytest.raises(ReportError, match=r"cannot write reports here: permission denied$"):
        write_reports(good_report, tmp_path, ["json"])


def test_a_failed_write_leaves_no_half_file(
    good_report: DrillReport, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full_disk(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic, "os", _PatchedOs(replace=full_disk))
    with pytest.raises(ReportError, match=r": cannot write the reports \(No space left on "
                       r"device\); nothing was written: free some space or choose another "
                       r"folder$"):
        write_reports(good_report, tmp_path, ["json"])
    assert list(tmp_path.iterdir()) == []


def test_a_renderer_that_fails_writes_nothing(
    good_report: DrillReport, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(report: DrillReport) -> str:
        raise RuntimeError("renderer bug")

    monkeypatch.setitem(FORMATS, "html", (".html", broken))
    with pytest.raises(RuntimeError):
        write_reports(good_report, tmp_path, ["json", "html"])
    assert list(tmp_path.iterdir()) == []


def test_file_names_are_safe(good_report: DrillReport) -> None:
    odd = good_report.model_copy(update={
        "scenario": good_report.scenario.model_copy(update={"name": "../q1 drill/*"})})
    assert report_basename(odd) == "drill-q1-drill-1729"


def test_a_write_failing_midway_leaves_the_earlier_set_whole(
    good_report: DrillReport, flawed_report: DrillReport, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # a full disk on the second of three files: before, the first was already renamed over
    earlier = write_reports(flawed_report, tmp_path, ["json", "md", "html"])
    before = {path.name: path.read_bytes() for path in tmp_path.iterdir()}
    real_fdopen = os.fdopen
    calls: list[int] = []

    def fdopen(fd: int, *args: object, **kwargs: object) -> object:
        calls.append(fd)
        if len(calls) == 2:
            os.close(fd)
            raise OSError(28, "No space left on device")
        return real_fdopen(fd, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(atomic, "os", _PatchedOs(fdopen=fdopen))
    with pytest.raises(ReportError, match=r"No space left on device\); nothing was written"):
        write_reports(good_report.model_copy(update={"seed": flawed_report.seed}), tmp_path,
                      ["json", "md", "html"])
    assert {path.name: path.read_bytes() for path in tmp_path.iterdir()} == before
    assert sorted(before) == sorted(path.name for path in earlier.values())
