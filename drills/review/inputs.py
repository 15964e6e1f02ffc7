"""What a readiness review reads: runbooks, drill reports and drill journals, by file or folder.

An advisor points ``drills score`` at what a team has: a folder of runbooks, the
reports their drills wrote (``drills run --out``), journals of drills that never got
to write one. Files are told apart by name, the way drills writes them:

- ``*.runbook.yaml`` / ``*.runbook.yml``: a runbook (any ``.yaml`` named on its own is
  read as one too);
- ``*.json``: a drill report (a readiness review's own ``.json`` is recognised and
  skipped, so a review can be written into the folder it reads);
- ``*.journal.jsonl``, or any ``.jsonl`` whose first line is a journal header
  (``{"kind": "header", "journal_version": ...}``): a drill journal, rebuilt into its
  report by :func:`drills.api.report_from_journal`.

Folders are read recursively in name order. In a folder, files of other kinds (the
Markdown, HTML and JUnit a drill also writes, scenario YAML next to runbooks, hidden
files) are skipped and counted in the review's notes, and a subfolder that cannot be
listed is named there; a ``.json`` or ``.jsonl`` that is
neither a report nor a journal, an unreadable file, or a folder with nothing to read is
an :class:`InputError`: one line naming the file, what is wrong and what to do. A file
named on its own must be one of the three kinds. The same file given twice is read
once, and so is the same drill in two files (its report and its journal, or a copy);
two runbooks for one automation are an error (a review scores one plan per
automation).

The files may come from someone else, so no code they name is imported unless the
user trusts it (:class:`~drills.engine.hooks.CodeTrust`): a journal whose rebuild would
import untrusted code is set aside with a note saying what it names and how to allow it.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path
from typing import Any, Literal

from drills.engine.hooks import CodeTrust, UntrustedCodeError
from drills.errors import DrillsError
from drills.files import open_regular, read_regular
from drills.reports.jsonout import ReportError, parse_report
from drills.reports.model import DrillReport
from drills.runbook import LoadedRunbook, read_runbook

__all__ = [
    "InputError",
    "Inputs",
    "LoadedResult",
    "collect_inputs",
    "is_journal",
]

RUNBOOK_SUFFIXES = (".runbook.yaml", ".runbook.yml")
JOURNAL_SUFFIX = ".journal.jsonl"
_SPECIAL = (
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)
_KINDS = ("runbooks (*.runbook.yaml), drill reports (*.json) or drill journals "
          "(*.journal.jsonl)")


class InputError(DrillsError):
    """A path ``drills score`` cannot read as a runbook, drill report or journal."""


@dataclass(frozen=True)
class LoadedResult:
    """One drill's report, and where it came from."""

    report: DrillReport
    source: str
    kind: Literal["report", "journal", "run"]


@dataclass
class Inputs:
    """Everything a review reads, each file once, in the order given (folders by name)."""

    runbooks: list[LoadedRunbook] = field(default_factory=list)
    results: list[LoadedResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def runbook_for(self, automation: str) -> LoadedRunbook | None:
        return next((r for r in self.runbooks if r.runbook.automation == automation), None)


def _json(path: Path, data: bytes) -> Any:
    """``data`` parsed, or None when it is not JSON; JSON past drills' limits (nested
    thousands deep, a number of thousands of digits) is one :class:`InputError`."""
    from drills.journal.format import JsonProblem, loads

    try:
        return loads(data)
    except JsonProblem as err:
        if err.limit:
            raise InputError(f"{path}: {err}, which no drill report or journal is; "
                             f"drills score reads {_KINDS}") from None
        return None


def _first_line(path: Path) -> bytes:
    try:
        with open_regular(path) as handle:
            return handle.readline(64 * 1024)
    except OSError as err:
        raise InputError(f"{path}: cannot read: {err.strerror or err}") from None


def _header(path: Path) -> dict[str, Any] | None:
    """The journal header on the file's first line, or None when it is not a journal."""
    data = _json(path, _first_line(path))
    if isinstance(data, dict) and data.get("kind") == "header" and "journal_version" in data:
        return data
    return None


def is_journal(path: Path) -> bool:
    """A drill journal by its conventional name, or a ``.jsonl`` starting with its header."""
    if path.name.endswith(JOURNAL_SUFFIX):
        return True
    return path.suffix == ".jsonl" and _header(path) is not None


def _read_bytes(path: Path) -> bytes:
    try:
        return read_regular(path)
    except OSError as err:
        raise InputError(f"{path}: cannot read: {err.strerror or err}") from None


def _load_report(path: Path, data: bytes) -> DrillReport:
    try:
        return parse_report(data, str(path))
    except ReportError as err:
        raise InputError(
            f"{err}; drills score reads {_KINDS}: move other files out of the folder or name "
            "the files to read") from None


def _is_review(path: Path, data: bytes) -> bool:
    parsed = _json(path, data)
    return isinstance(parsed, dict) and "review_version" in parsed


def _load_journal(path: Path, trust: CodeTrust) -> DrillReport:
    """The journal's report: the one it holds, or one rebuilt by replaying it.

    ``drills.api`` is imported here, when a journal is given, so reading runbooks
    and reports never pays for the engine. A journal's own errors are one-line
    :class:`~drills.fakes.errors.DrillsError` already; a rebuild that would import code
    ``trust`` does not allow raises :class:`~drills.engine.hooks.UntrustedCodeError`.
    """
    from drills.api import report_from_journal

    try:
        return report_from_journal(path, trust=trust)
    except ReportError as err:
        raise InputError(str(err)) from None


class _Collector:
    def __init__(self, trust: CodeTrust) -> None:
        self.trust = trust
        self.inputs = Inputs()
        self.seen: set[Path] = set()
        self.drills: dict[tuple[str, str], str] = {}
        self.runbook_files: dict[str, str] = {}
        self.skipped: list[Path] = []
        self.reviews: list[Path] = []

    def add(self, path: Path, *, in_folder: bool) -> bool:
        """Read one file; True when it was an input, False when skipped (folders only)."""
        key = path.resolve()
        if key in self.seen:
            return True
        self.seen.add(key)
        name = path.name
        if name.endswith(RUNBOOK_SUFFIXES) or (
            not in_folder and path.suffix in (".yaml", ".yml")
        ):
            self._runbook(path)
            return True
        if path.suffix in (".yaml", ".yml"):
            self.skipped.append(path)
            return False
        if path.suffix == ".json":
            data = _read_bytes(path)
            if _is_review(path, data):
                self.reviews.append(path)
                return False
            self._result(_load_report(path, data), str(path), "report")
            return True
        if path.suffix == ".jsonl":
            if not is_journal(path):
                raise InputError(
                    f"{path}: not a drill journal (its first line is no journal header); "
                    f"drills score reads {_KINDS}")
            try:
                report = _load_journal(path, self.trust)
            except UntrustedCodeError as err:
                self.inputs.notes.append(str(err))
                return True
            self._result(report, str(path), "journal")
            return True
        if in_folder:
            self.skipped.append(path)
            return False
        raise InputError(f"{path}: not something drills score reads; give {_KINDS}, "
                         "or a folder holding them")

    def _runbook(self, path: Path) -> None:
        loaded = read_runbook(path)
        auto = loaded.runbook.automation
        if auto in self.runbook_files:
            raise InputError(
                f"{path}: a second runbook for '{auto}' (the first is "
                f"{self.runbook_files[auto]}); a review scores one runbook per automation, "
                "so give only the one in use")
        self.runbook_files[auto] = loaded.file
        self.inputs.runbooks.append(loaded)

    def _result(self, report: DrillReport, source: str,
                kind: Literal["report", "journal"]) -> None:
        if report.ran_at is not None and report.ran_at.tzinfo is None:
            # drills writes ran_at in UTC with its offset; a naive one (an edited or older
            # file) is read as UTC, so it can be compared with the others
            report = report.model_copy(update={"ran_at": report.ran_at.replace(tzinfo=UTC)})
        # A drill id names a scenario and seed, so every quarter's drill of a scenario
        # shares it; a copy of the same run also has the same ran_at (or, undated, the
        # same content).
        key = (report.drill_id, report.ran_at.isoformat() if report.ran_at is not None
               else report.model_dump_json())
        if report.status == "interrupted":
            when = f" at {report.interrupted_at:%Y-%m-%d %H:%M}" if report.interrupted_at else ""
            self.inputs.notes.append(
                f"{source}: drill {report.drill_id} was interrupted{when}, so it is not scored "
                "(what it never reached cannot count for or against the team); resume a live "
                "drill with 'drills live --resume', or drill it again")
            return
        first = self.drills.get(key)
        if first is not None:
            self.inputs.notes.append(
                f"{source} holds the same drill as {first} ({report.drill_id}); counted once")
            return
        self.drills[key] = source
        self.inputs.results.append(LoadedResult(report, source, kind))

    def folder(self, folder: Path) -> None:
        try:
            files, unreadable, special = _listing(folder)
        except OSError as err:
            raise InputError(f"{folder}: cannot read the folder: {err.strerror or err}") from None
        for sub, reason in unreadable:
            self.inputs.notes.append(
                f"{sub}: cannot read this folder ({reason}), so nothing in it was reviewed; "
                "make it readable to the user running drills score, or leave it out")
        for path, kind in special:
            self.inputs.notes.append(
                f"{path}: skipped, it is {kind}, not a file (drills score reads no pipes, "
                "devices or sockets, which could block it or never end)")
        read = [p for p in files if self.add(p, in_folder=True)]
        if not read:
            why = ""
            if unreadable:
                plural = "s" if len(unreadable) != 1 else ""
                why = (f" (and {len(unreadable)} unreadable subfolder{plural}, "
                       f"first {unreadable[0][0]})")
            if special:
                why += f" (skipped {special[0][0]}: {special[0][1]})"
            raise InputError(f"{folder}: no {_KINDS} in this folder{why}")


def _special(path: Path) -> str | None:
    """What ``path`` is when it is neither a file nor a folder (``a named pipe``), else None."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return None  # a dangling symlink: nothing to read, and nothing to warn of
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    return next((name for test, name in _SPECIAL if test(mode)), "a special file")


def _listing(
    folder: Path,
) -> tuple[list[Path], list[tuple[Path, str]], list[tuple[Path, str]]]:
    """The files under ``folder`` in name order, hidden files and folders left out; the
    subfolders that could not be listed, with why (``Path.rglob`` passes over those
    without a word); and the pipes, devices and sockets, with what each is (never
    opened: reading a pipe blocks until someone writes to it). Symlinked folders are not
    followed. An ``OSError`` listing ``folder`` itself comes out unchanged."""
    files: list[Path] = []
    unreadable: list[tuple[Path, str]] = []
    special: list[tuple[Path, str]] = []
    pending = [folder]
    while pending:
        current = pending.pop()
        try:
            with os.scandir(current) as entries:
                found = list(entries)
        except OSError as err:
            if current == folder:
                raise
            unreadable.append((current, err.strerror or str(err)))
            continue
        for entry in found:
            if entry.name.startswith("."):
                continue
            path = Path(entry.path)
            if entry.is_dir(follow_symlinks=False):
                pending.append(path)
            elif path.is_file():
                files.append(path)
            elif (kind := _special(path)) is not None:
                special.append((path, kind))
    return sorted(files), sorted(unreadable), sorted(special)


def collect_inputs(paths: Sequence[Path], trust: CodeTrust | None = None) -> Inputs:
    """Read every path (files and folders) into runbooks and drill results.

    A journal whose rebuild would import code ``trust`` does not allow (default: the
    modules ``DRILLS_TRUSTED`` lists) is not rebuilt; a note says what it names and how
    to allow it.

    Raises :class:`InputError` (or the runbook loader's
    :class:`~drills.files.FileError`, with file and line) for the first path that
    cannot be read; nothing is run or written before every input is sound.
    """
    if not paths:
        raise InputError(f"nothing to review; give {_KINDS}, or a folder holding them")
    collector = _Collector(trust if trust is not None else CodeTrust.from_env())
    for path in paths:
        path = Path(path)
        if path.is_dir():
            collector.folder(path)
        elif path.is_file():
            collector.add(path, in_folder=False)
        elif path.exists():
            raise InputError(f"{path}: not a file or folder (a named pipe or a device); give "
                             f"{_KINDS}, or a folder holding them")
        else:
            raise InputError(f"{path}: no such file or folder")
    inputs = collector.inputs
    if collector.skipped:
        kinds = sorted({p.suffix or p.name for p in collector.skipped})
        inputs.notes.append(
            f"skipped {len(collector.skipped)} file{'s' if len(collector.skipped) != 1 else ''} "
            f"that are not runbooks, reports or journals ({', '.join(kinds)})")
    if collector.reviews:
        inputs.notes.append(
            "skipped " + ", ".join(str(p) for p in collector.reviews)
            + ": a readiness review, not a drill report")
    return inputs
