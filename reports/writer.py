"""Write a drill report in several formats to one folder, with one call.

The CLI, the pytest plugin and a live drill's end screen all want "put the report
there as HTML and JSON and JUnit", so the file names and the atomic writes live here
once. Each file is written to a temporary file in the same folder and renamed over
the target, so a reader (a CI upload step, a browser tab reloading) never sees half a
report. Every format is rendered before anything is written, and every file is on
disk before the first rename, so a renderer that fails or a full disk leaves the
folder as it was; a bad format name or folder is one
:class:`~drills.reports.jsonout.ReportError` or :class:`ValueError` line.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path

from drills.files.atomic import write_texts_atomic
from drills.reports.console import render_console_text
from drills.reports.html import render_html
from drills.reports.jsonout import ReportError, render_json
from drills.reports.junit import render_junit
from drills.reports.markdown import render_markdown
from drills.reports.model import DrillReport

__all__ = ["FORMATS", "check_folder", "report_basename", "write_reports", "write_set"]

FORMATS: dict[str, tuple[str, Callable[[DrillReport], str]]] = {
    "console": (".txt", render_console_text),
    "md": (".md", render_markdown),
    "html": (".html", render_html),
    "json": (".json", render_json),
    "junit": (".junit.xml", render_junit),
}
"""Format name: (file suffix, renderer)."""

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def report_basename(report: DrillReport) -> str:
    """``drill-<scenario>-<seed>``, with anything unsafe in a file name replaced by ``-``."""
    scenario = _UNSAFE.sub("-", report.scenario.name).strip("-.") or "scenario"
    return f"drill-{scenario}-{report.seed}"


def check_folder(folder: Path) -> None:
    """Create ``folder`` when missing; a file in the way or no write access is a ReportError."""
    if folder.exists() and not folder.is_dir():
        raise ReportError(f"{folder}: not a folder; give a folder to write reports into")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise ReportError(f"{folder}: cannot create the report folder: "
                          f"{err.strerror or err}") from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ReportError(f"{folder}: cannot write reports here: permission denied")


def write_reports(
    report: DrillReport, folder: Path, formats: Sequence[str]
) -> dict[str, Path]:
    """Write ``report`` to ``folder`` in each of ``formats`` (``console``, ``md``,
    ``html``, ``json``, ``junit``); returns format name to path, in the order given.

    The folder is created when missing. Raises :class:`ValueError` for an unknown
    format (before writing anything) and :class:`ReportError` for a folder that is a
    file or cannot be written.
    """
    wanted = list(dict.fromkeys(formats))
    unknown = [name for name in wanted if name not in FORMATS]
    if unknown:
        raise ValueError(
            f"unknown report format{'s' if len(unknown) > 1 else ''} "
            f"{', '.join(repr(u) for u in unknown)}; known formats: {', '.join(FORMATS)}"
        )
    folder = Path(folder)
    check_folder(folder)
    base = report_basename(report)
    rendered = {name: FORMATS[name][1](report) for name in wanted}
    written = {name: folder / f"{base}{FORMATS[name][0]}" for name in wanted}
    write_set(folder, [(written[name], text) for name, text in rendered.items()])
    return written


def write_set(folder: Path, files: Sequence[tuple[Path, str]]) -> None:
    """Write every file of a set or none: each is written to a temporary file first, and
    the renames come only once all are on disk, so a failed write (a full disk) leaves
    what ``folder`` held as it was. An ``OSError`` becomes one :class:`ReportError` line."""
    try:
        write_texts_atomic(files)
    except OSError as err:
        raise ReportError(f"{folder}: cannot write the reports ({err.strerror or err}); "
                          "nothing was written: free some space or choose another folder"
                          ) from None
