"""Writing a journal: each event on disk before the drill moves on.

:class:`JournalWriter` appends lines (``flush`` and ``fsync`` per event, so a kill at
any moment loses nothing already written); :class:`JournalHandler` feeds it every
engine event; :func:`record_journal` is what ``run_drill`` wraps a drill in.
"""

from __future__ import annotations

import errno
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import IO, TYPE_CHECKING, Any, Protocol

from drills.files.atomic import replace_keep_open
from drills.journal.format import (
    DEFAULT_NAME,
    FINISHED,
    HEADER,
    RENAMED,
    JournalError,
    check_data,
    dumps,
    event_line,
    wall_now,
)
from drills.journal.header import JournalHeader
from drills.journal.reader import read_journal
from drills.reports.model import DrillReport

if TYPE_CHECKING:
    from drills.engine.loop import Drill

__all__ = [
    "EventList",
    "EventSink",
    "JournalHandler",
    "JournalRecorder",
    "JournalSpec",
    "JournalWriter",
    "record_journal",
]




def _put(handle: IO[str], line: str) -> None:
    """One whole line, on disk before this returns (a kill now loses nothing written).

    Written straight to the file descriptor, past the handle's buffer: a buffered line
    that a full disk refused would stay in the buffer and fail again at ``close``, and a
    line only partly written is cut off again, so the journal ends with a whole line
    and a full disk leaves nothing half-written. (The handle stays in text mode for
    its callers; nothing is ever buffered in it.)
    """
    fd = handle.fileno()
    data = (line + "\n").encode("utf-8")
    start = os.fstat(fd).st_size
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    except OSError:
        with suppress(OSError):
            os.ftruncate(fd, start)
        raise


def _size(n: int) -> str:
    if n >= 10**6:
        return f"{n / 10**6:.1f} MB"
    if n >= 10**3:
        return f"{n / 10**3:.1f} KB"
    return f"{n} bytes"


def full_disk(path: Path, need: int) -> str:
    """``the disk is full (FOLDER has N free, and the next line alone needs M)``."""
    folder = path.parent if str(path.parent) else Path(".")
    try:
        free = _size(shutil.disk_usage(folder).free)
    except OSError:
        free = "no room"
    return f"the disk is full ({folder} has {free} free, and the next line alone needs " \
        f"{_size(need)})"


def _sync_folder(folder: Path) -> None:
    """Make a new file's name durable too (POSIX); where a folder cannot be opened, skip."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _exists_error(path: Path) -> JournalError:
    return JournalError(
        f"{path}: a journal is there already; name a new file for this drill, or remove the "
        "old one first (it may be the only record of a drill that was stopped)"
    )


class JournalWriter:
    """Appends events to a journal; each is on disk (flushed, fsync-ed) when ``write`` returns.

    Make one with :meth:`create` (a new journal, header first) or :meth:`append_to` (resume
    an interrupted one). A context manager: leaving it closes the file.
    """

    def __init__(self, path: Path, handle: IO[str], lines: int) -> None:
        self.path = path
        self.lines = lines
        """Whole lines in the journal so far; the header is line 1."""
        self.finished = False
        self.unwritten = 0
        """Bytes of the last line that could not be written (0: every line was)."""
        self._handle: IO[str] | None = handle

    @classmethod
    def create(
        cls, path: str | Path, header: JournalHeader, *, overwrite: bool = False
    ) -> JournalWriter:
        """A new journal at ``path`` holding ``header``; a journal already there is an
        error unless ``overwrite``, which replaces it atomically (the old one stays whole
        until the new header is on disk)."""
        path = Path(path)
        cls.check_new(path, overwrite=overwrite)
        line = dumps(header.to_json())
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle = _replace(path, line) if overwrite else _create(path, line)
        except FileExistsError:
            raise _exists_error(path) from None
        except OSError as err:
            if err.errno == errno.ENOSPC:
                raise JournalError(
                    f"{path}: cannot write the journal: {full_disk(path, len(line) + 1)}; "
                    "free some space or choose a journal file on another disk"
                ) from None
            raise JournalError(
                f"{path}: cannot write the journal ({err.strerror or err}); choose a "
                "folder you can write to"
            ) from None
        _sync_folder(path.parent)
        return cls(path, handle, 1)

    @staticmethod
    def check_new(path: Path, *, overwrite: bool = False) -> None:
        """Refuse what :meth:`create` would refuse - a folder, or (unless ``overwrite``) a
        journal there already - without writing anything, so a command can check it
        before it opens anything else."""
        if path.is_dir():
            raise JournalError(
                f"{path}: is a folder; name the journal file, e.g. {path / DEFAULT_NAME}"
            )
        if not overwrite and (path.exists() or path.is_symlink()):
            raise _exists_error(path)

    @classmethod
    def append_to(cls, path: str | Path) -> JournalWriter:
        """Reopen an interrupted journal to go on writing (a live drill resuming).

        A last line cut off mid-event is removed first, so the next event starts on a
        line of its own. A finished journal cannot be resumed.
        """
        journal = read_journal(path)
        if journal.report is not None:
            raise JournalError(
                f"{journal.path}: the drill finished (the journal ends with its report); "
                "there is nothing to resume, start a new drill with a new journal"
            )
        try:
            if journal.path.stat().st_size != journal.whole_bytes:
                os.truncate(journal.path, journal.whole_bytes)
            handle = journal.path.open("a", encoding="utf-8", newline="\n")
            handle.flush()
            os.fsync(handle.fileno())
        except OSError as err:
            raise JournalError(
                f"{journal.path}: cannot reopen the journal ({err.strerror or err}); make it "
                "writable for this user"
            ) from None
        return cls(journal.path, handle, 1 + len(journal.events))

    def write(self, kind: str, at: datetime | None, **data: Any) -> None:
        """Append one event: ``kind``, drill time ``at`` (None: none applies), its data."""
        if self._handle is None:
            raise ValueError(f"{self.path}: the journal is closed")
        if self.finished:
            raise ValueError(f"{self.path}: the journal is finished; nothing follows its report")
        if not kind or kind == HEADER:
            raise ValueError(f"journal event kind {kind!r} is not allowed")
        if kind == FINISHED and "report" not in data:
            raise ValueError("'finished' is the last line and holds the report; use finish()")
        check_data(data)
        line = dumps({"kind": kind, "at": None if at is None else at.isoformat(),
                       "wall": wall_now().isoformat(), **data})
        try:
            _put(self._handle, line)
        except OSError:
            self.unwritten = len(line.encode("utf-8")) + 1
            raise
        self.lines += 1
        self.finished = kind == FINISHED

    def finish(self, report: DrillReport) -> None:
        """Write the last line: the drill ended normally, and this is its report."""
        self.write(FINISHED, report.finished, report=report.model_dump(mode="json"))

    def close(self) -> None:
        handle, self._handle = self._handle, None
        if handle is not None:
            handle.close()

    def __enter__(self) -> JournalWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _create(path: Path, line: str) -> IO[str]:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o666)
    handle = os.fdopen(fd, "a", encoding="utf-8", newline="\n")
    try:
        _put(handle, line)
    except BaseException:
        handle.close()
        path.unlink(missing_ok=True)  # an empty journal is no record of anything
        raise
    return handle


def _replace(path: Path, line: str) -> IO[str]:
    return replace_keep_open(path, lambda handle: _put(handle, line))


class EventSink(Protocol):
    """Where a :class:`JournalHandler` sends events: a :class:`JournalWriter` or an
    :class:`EventList`."""

    def write(self, kind: str, at: datetime | None, **data: Any) -> None: ...


class EventList:
    """The events a journal would hold, in memory: what a replay is compared with."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

    def write(self, kind: str, at: datetime | None, **data: Any) -> None:
        self.events.append(event_line(kind, at, data))


class JournalHandler:
    """A :class:`~drills.engine.handlers.DrillEventHandler` that journals every engine event.

    The engine's ``finished`` becomes ``ended`` (see :data:`ENDED`). A write that fails
    (disk full) is kept in :attr:`error` and stops the journal rather than filling the
    log with one traceback per event; :class:`JournalRecorder` reports it at the end.
    """

    def __init__(self, sink: EventSink) -> None:
        self.sink = sink
        self.error: OSError | None = None
        self.written = 0

    def on_event(self, kind: str, at: datetime, data: dict[str, Any]) -> None:
        if self.error is not None:
            return
        try:
            self.sink.write(RENAMED.get(kind, kind), at, **data)
        except OSError as err:
            self.error = err
            return
        self.written += 1


# -- run_drill's journal -----------------------------------------------------------------


@dataclass(frozen=True)
class JournalSpec:
    """Where ``run_drill`` writes its journal, and where the scenario came from.

    ``source`` is the file or built-in name the scenario was loaded from and ``scale``
    the factor applied to it, so the header keeps the text as written; ``overwrite``
    replaces a journal already at ``path`` (no command does: a journal there is an
    earlier drill's, and often its only record).
    """

    path: Path
    source: str | Path | None = None
    scale: float | None = None
    overwrite: bool = False


class JournalRecorder:
    """A drill's journal while it runs: the writer, and the handler that feeds it."""

    def __init__(self, writer: JournalWriter | None) -> None:
        self.writer = writer
        self.handler = JournalHandler(writer) if writer is not None else None

    def finish(self, report: DrillReport) -> None:
        """The last line; raise :class:`JournalError` if any event could not be written."""
        if self.writer is None or self.handler is None:
            return
        error = self.handler.error
        if error is None:
            try:
                self.writer.finish(report)
                return
            except OSError as err:
                error = err
        path, lines = self.writer.path, self.writer.lines
        why = (full_disk(path, self.writer.unwritten) if error.errno == errno.ENOSPC
               else error.strerror or str(error))
        raise JournalError(
            f"{path}: the journal could not be written after line {lines}: {why}; the "
            f"drill ran, but its journal holds only its first {lines} lines (whole; "
            "'drills report' reads them): free some space or choose another journal file"
        )


@contextmanager
def record_journal(
    target: Path | JournalSpec | None,
    drill: Drill,
    *,
    runbook_path: str | Path | None = None,
    costs: bool = False,
) -> Iterator[JournalRecorder]:
    """Journal ``drill`` into ``target`` (None: no journal) while the block runs.

    The header is on disk before this yields; call :meth:`JournalRecorder.finish` with the
    report when the drill is judged. Leaving the block any other way (an error, Ctrl-C)
    leaves the journal unfinished, which is what ``drills report`` rebuilds from.
    """
    if target is None:
        yield JournalRecorder(None)
        return
    spec = target if isinstance(target, JournalSpec) else JournalSpec(Path(target))
    header = JournalHeader.build(
        "scripted", drill.scenario, drill.runbook, source=spec.source, scale=spec.scale,
        runbook_path=runbook_path, costs=costs, drill_id=drill.drill_id, ran_at=drill.ran_at,
        extra={"backend": drill.store.backend.display_url},
    )
    with JournalWriter.create(spec.path, header, overwrite=spec.overwrite) as writer:
        recorder = JournalRecorder(writer)
        assert recorder.handler is not None
        drill.handlers.handlers.insert(0, recorder.handler)
        yield recorder
