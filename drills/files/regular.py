"""Read only regular files: a named pipe, a device or a socket is refused before it is read.

Reading a named pipe waits for a writer that may never come, so ``drills validate pipe``
would hang for ever; a device such as ``/dev/zero`` never ends, and opening some devices
acts on the hardware. Every reader of a file a person names (scenarios, runbooks, journals,
reports, the inputs of ``drills score``) opens it here: the path is looked at first
(``stat``, which opens nothing), then opened without waiting (``O_NONBLOCK``) and looked at
again through the open handle, so a file swapped for a pipe in between is refused too.

:class:`NotRegularFileError` is an :class:`OSError` (and a
:class:`~drills.errors.DrillsError`), so a reader that already turns
``OSError`` into one line gives one for a pipe as well; readers that know their kind of
file catch it first and say what to name instead.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import BinaryIO

from drills.errors import DrillsError

__all__ = ["NotRegularFileError", "open_regular", "read_regular"]

_KINDS = (
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


class NotRegularFileError(DrillsError, OSError):
    """Raised when a path a person named is a pipe, device or socket; ``kind`` says which
    (``a named pipe``). An :class:`OSError` too, so any reader's ``except OSError`` turns
    it into its own one line; one that reaches the CLI is one line as well."""

    def __init__(self, path: str | Path, kind: str) -> None:
        super().__init__(errno.EINVAL, f"it is {kind}, not a regular file", str(path))
        self.kind = kind

    def __str__(self) -> str:
        return f"{self.filename}: {self.strerror}"


def _check(path: str | Path, mode: int) -> None:
    if stat.S_ISDIR(mode):
        raise IsADirectoryError(errno.EISDIR, "is a folder, not a file", str(path))
    if not stat.S_ISREG(mode):
        kind = next((name for test, name in _KINDS if test(mode)), "a special file")
        raise NotRegularFileError(path, kind)


def open_regular(path: str | Path) -> BinaryIO:
    """``path`` opened for reading in binary; :class:`NotRegularFileError` (an
    :class:`OSError`) for a pipe, device or socket, :class:`IsADirectoryError` for a folder,
    and the usual :class:`OSError` for a missing or unreadable file."""
    _check(path, os.stat(path).st_mode)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    try:
        _check(path, os.fstat(fd).st_mode)
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_regular(path: str | Path, limit: int | None = None) -> bytes:
    """The bytes of a regular file (at most ``limit`` of them, when given); raises like
    :func:`open_regular`."""
    with open_regular(path) as handle:
        return handle.read() if limit is None else handle.read(limit)
