"""Reading a journal: up to its last whole event, or one clear line saying what is wrong.

A crash can only cut the *last* line (every earlier one was fsync-ed before the next was
begun), so a last line that is not whole is dropped with a warning. Anything else that
is wrong - an empty file, a folder, binary junk, no header, another version, a damaged
line in the middle - is one :class:`~drills.journal.format.JournalError` naming the
file and line, what is wrong and what to do.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from drills.files import NotRegularFileError, read_regular
from drills.journal.format import (
    DEFAULT_NAME,
    ENDED,
    FINISHED,
    HEADER,
    JOURNAL_VERSION,
    JournalError,
    JsonProblem,
    drill_time,
    loads,
    sha256,
)
from drills.journal.header import HEADER_ADAPTER, JournalHeader, JournalRunbook, JournalScenario
from drills.reports.model import DrillReport
from drills.version import __version__

__all__ = ["Journal", "read_journal"]




@dataclass
class Journal:
    """A journal as read: the header, the events in order, the report if it finished.

    ``events`` are the event lines as JSON objects (``kind``, ``at``, ``wall`` and their
    data), without the header and the ``finished`` line. ``warnings`` collects what a
    reader should be told (a cut-off last line; a replay that differed from the journal).
    """

    path: Path
    header: JournalHeader
    events: list[dict[str, Any]]
    report: DrillReport | None
    truncated: bool
    warnings: list[str]
    whole_bytes: int
    """Bytes up to the end of the last whole line read (where a resumed drill appends)."""

    @property
    def finished(self) -> bool:
        return self.report is not None

    @property
    def ended(self) -> bool:
        """The drill's loop ran to its end (it may still have died before its report)."""
        return any(e["kind"] == ENDED for e in self.events)

    @property
    def last_at(self) -> datetime | None:
        """The latest drill time any journaled event has."""
        times = [drill_time(e["at"]) for e in self.events]
        return max((t for t in times if t is not None), default=None)


class _BadLine(Exception):
    pass


def _parse(raw: bytes) -> dict[str, Any]:
    if b"\x00" in raw:
        raise _BadLine("holds binary data")
    try:
        obj = loads(raw)
    except JsonProblem as err:
        raise _BadLine(str(err)) from None
    if not isinstance(obj, dict):
        raise _BadLine(f"is a JSON {type(obj).__name__}, not a journal event object")
    if not isinstance(obj.get("kind"), str) or not obj["kind"]:
        raise _BadLine("has no 'kind'")
    return obj


def _read_bytes(path: Path) -> bytes:
    if path.is_dir():
        inside = path / DEFAULT_NAME
        hint = f"did you mean {inside}?" if inside.is_file() else "name a journal file"
        raise JournalError(f"{path}: is a folder, not a journal; {hint}")
    try:
        return read_regular(path)
    except NotRegularFileError as err:
        raise JournalError(
            f"{path}: is {err.kind}, not a journal file; name the {DEFAULT_NAME} a drill "
            "wrote (drills reads no pipes or devices)"
        ) from None
    except FileNotFoundError:
        raise JournalError(
            f"{path}: no such file; a journal is the {DEFAULT_NAME} a drill writes "
            "(into its --out folder, or to --journal)"
        ) from None
    except OSError as err:
        raise JournalError(f"{path}: cannot read the journal ({err.strerror or err})") from None


def _not_a_journal(path: Path, problem: str) -> JournalError:
    return JournalError(
        f"{path}:1: not a drills journal: line 1 {problem}; a journal is the {DEFAULT_NAME} "
        "file a drill writes"
    )


def _header(path: Path, obj: dict[str, Any]) -> JournalHeader:
    if obj["kind"] != HEADER:
        raise _not_a_journal(path, f"is a {obj['kind']!r} event, not the journal header")
    version = obj.get("journal_version")
    if type(version) is not int or version != JOURNAL_VERSION:
        tool = obj.get("tool_version")
        by = f" (written by drills {tool})" if isinstance(tool, str) else ""
        found = "no journal_version" if version is None else f"journal version {version!r}"
        raise JournalError(
            f"{path}:1: the journal has {found}{by}; this drills {__version__} reads version "
            f"{JOURNAL_VERSION}; rebuild the report with the drills version that wrote it"
        )
    try:
        header = HEADER_ADAPTER.validate_python({k: v for k, v in obj.items() if k != "kind"})
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "(top level)"
        raise JournalError(
            f"{path}:1: the journal header is not valid: {where}: {first['msg']}; drills "
            "writes it, so the file was edited or comes from another tool"
        ) from None
    _check_scale(path, header.scale)
    if header.ran_at.tzinfo is None:  # drills writes UTC with its offset; naive is read as UTC
        header = replace(header, ran_at=header.ran_at.replace(tzinfo=UTC))
    kept: list[tuple[str, JournalScenario | JournalRunbook | None]] = [
        ("scenario", header.scenario), ("runbook", header.runbook),
    ]
    for what, part in kept:
        if part is not None and sha256(part.text) != part.sha256:
            raise JournalError(
                f"{path}:1: the {what} text in the journal header does not match its "
                "sha256; the journal was edited, so it cannot say which drill ran"
            )
    return header


def _check_scale(path: Path, scale: float | None) -> None:
    """A header's ``scale`` is what ``--scale`` took: a finite number above 0."""
    if scale is not None and not (math.isfinite(scale) and scale > 0):
        raise JournalError(
            f"{path}:1: the journal header's scale is {scale!r}, but a drill's scale is a "
            "finite number above 0 (what --scale took); drills writes it, so the file was "
            "edited: restore it from a copy"
        )


def _has_offset(at: object) -> bool:
    try:
        return isinstance(at, str) and datetime.fromisoformat(at).tzinfo is not None
    except ValueError:
        return False


def _event(path: Path, number: int, obj: dict[str, Any]) -> None:
    at = obj.get("at")
    if at is not None and drill_time(at) is None:
        shown = at if isinstance(at, str) and len(at) <= 40 else f"{str(at)[:37]}..."
        why = ("a time with a UTC offset, but drill times are on the drill clock and have "
               "none" if _has_offset(at) else
               "not an ISO 8601 drill time like 2026-03-02T09:10:00")
        raise JournalError(
            f"{path}:{number}: event {obj['kind']!r} has 'at' {shown!r}, {why}; drills "
            "writes these, so the file was edited: restore it from a copy"
        )
    if obj["kind"] == HEADER:
        raise JournalError(
            f"{path}:{number}: a second journal header; each drill has a journal of its own, "
            "so two journals were joined: split them"
        )


def _report(path: Path, number: int, obj: dict[str, Any]) -> DrillReport:
    try:
        return DrillReport.model_validate(obj.get("report"))
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "(top level)"
        raise JournalError(
            f"{path}:{number}: the report in the finished line is not valid: {where}: "
            f"{first['msg']}; rebuild it from the events with the drills version that "
            "wrote it"
        ) from None


def read_journal(path: str | Path) -> Journal:
    """Read a journal; a cut-off last line is dropped with a warning, anything else wrong
    is one :class:`JournalError` line."""
    path = Path(path)
    raw = _read_bytes(path)
    if not raw:
        raise JournalError(
            f"{path}:1: the journal is empty: the drill was stopped before it wrote its "
            "header, so there is nothing to rebuild; run the drill again"
        )
    lines = raw.split(b"\n")
    whole = raw.endswith(b"\n")
    if whole:
        lines.pop()
    header: JournalHeader | None = None
    events: list[dict[str, Any]] = []
    report: DrillReport | None = None
    warnings: list[str] = []
    truncated = False
    offset = 0
    for number, line in enumerate(lines, start=1):
        last = number == len(lines)
        try:
            obj = _parse(line)
        except _BadLine as err:
            if number == 1:
                if last and not whole and raw.startswith(b'{"kind":"header"'):
                    raise JournalError(
                        f"{path}:1: the journal ends inside its header: the drill was "
                        "stopped as it began, so there is nothing to rebuild; run it again"
                    ) from None
                raise _not_a_journal(path, str(err)) from None
            if not last:
                raise JournalError(
                    f"{path}:{number}: line {number} {err}; a crash only ever cuts the last "
                    "line, so this journal was damaged or edited: restore it from a copy"
                ) from None
            obj = None
        if last and (obj is None or not whole) and number > 1:
            truncated = True
            warnings.append(
                f"{path}:{number}: journal ends mid-event (the drill was interrupted while "
                "writing); read up to the last whole event"
            )
            break
        assert obj is not None
        if number == 1:
            header = _header(path, obj)
        elif report is not None:
            raise JournalError(
                f"{path}:{number}: an event after the drill's finished line; a journal ends "
                "with its report, so this one was edited or two journals were joined"
            )
        elif obj["kind"] == FINISHED and "report" in obj:
            report = _report(path, number, obj)
        else:
            _event(path, number, obj)
            events.append(obj)
        offset += len(line) + 1
    if header is None:  # a single header line with no newline after it
        raise JournalError(
            f"{path}:1: the journal ends inside its header: the drill was stopped as it "
            "began, so there is nothing to rebuild; run it again"
        )
    return Journal(path, header, events, report, truncated, warnings, offset)
