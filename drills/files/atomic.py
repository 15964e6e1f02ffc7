"""Write a file or a folder so a reader sees the old one or the new one, never half of either.

Reports, shipped schemas, scaffolded runbooks, journals and table exports are all read while
drills may be writing them (a CI upload step, a browser tab reloading, a resumed drill), and
a full disk or a kill must not leave a torn file behind. Each helper writes into a temporary
name beside the target (same folder, so the same file system) and renames it over the target
(``os.replace``, atomic on POSIX); on any failure the temporary is removed and the target is
left as it was.
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO

__all__ = [
    "atomic_folder",
    "new_folder_beside",
    "replace_folder",
    "replace_keep_open",
    "write_text_atomic",
    "write_texts_atomic",
]


def umask_mode() -> int:
    """The mode a plain ``open(path, "w")`` would give a new file: 0o666 less the umask.

    The umask can only be read by setting it; it is set to the strict 0o077 for the instant
    between the two calls, so another thread creating a file then gets a private one.
    """
    current = os.umask(0o077)
    os.umask(current)
    return 0o666 & ~current


def _temp_beside(path: Path, mode: int | None = None) -> tuple[int, str]:
    """A new temporary file in ``path``'s folder (``.<name>.<random>.tmp``) with the mode
    ``mode``, or by default the mode the umask gives a plain write (mkstemp's 0600 would
    otherwise stay on the file once renamed over ``path``)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, umask_mode() if mode is None else mode)
    except BaseException:
        os.close(fd)
        Path(tmp).unlink(missing_ok=True)
        raise
    return fd, tmp


def replace_keep_open(
    path: Path, fill: Callable[[IO[str]], object], *, mode: int | None = None
) -> IO[str]:
    """Fill a temporary file beside ``path``, rename it over ``path`` and return its handle.

    The handle stays open for appending (UTF-8, ``\\n`` line ends), so a journal can go on
    writing into the file it has just put in place. ``fill`` may fsync; the handle is
    flushed before the rename in any case, so a reader never sees part of what it wrote.
    The file gets ``mode``, or by default the mode the umask gives a plain write.
    """
    fd, tmp = _temp_beside(path, mode)
    handle = os.fdopen(fd, "a", encoding="utf-8", newline="\n")
    try:
        fill(handle)
        handle.flush()
        os.replace(tmp, path)
    except BaseException:
        handle.close()
        Path(tmp).unlink(missing_ok=True)
        raise
    return handle


def write_text_atomic(path: Path, text: str, *, mode: int | None = None) -> None:
    """Write ``text`` as UTF-8 to a temporary file beside ``path``, then rename it over.

    The file gets the mode the umask gives a plain write, unless ``mode`` is given (shipped
    schemas pass 0o644 whatever the umask).
    """
    replace_keep_open(path, lambda handle: handle.write(text), mode=mode).close()


def write_texts_atomic(files: Sequence[tuple[Path, str]]) -> None:
    """Write several files: every text into its temporary first, then the renames.

    A failure while writing (a full disk) leaves every target as it was; the renames come
    last, one after the other. Temporary files never outlive the call. Each file gets the
    mode the umask gives a plain write.
    """
    temps: list[tuple[str, Path]] = []
    try:
        for path, text in files:
            fd, tmp = _temp_beside(path)
            temps.append((tmp, path))
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(text)
        for tmp, path in temps:
            os.replace(tmp, path)
    finally:
        for tmp, _ in temps:
            Path(tmp).unlink(missing_ok=True)


@contextmanager
def atomic_folder(folder: Path) -> Iterator[Path]:
    """Yield a new work folder beside ``folder``; a clean exit renames it onto ``folder``.

    ``folder`` must be missing or empty (renaming onto an empty folder is atomic on POSIX).
    On any error the work folder and everything in it are removed. An ``OSError`` raised
    before the ``with`` body runs (the parent cannot be created) comes out unchanged.
    """
    folder.parent.mkdir(parents=True, exist_ok=True)
    # mkdir, not mkdtemp: mkdtemp's folder is private (0700) and would stay so
    work = folder.parent / f".{folder.name}.partial-{secrets.token_hex(4)}"
    work.mkdir()
    try:
        yield work
        os.replace(work, folder)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise


def new_folder_beside(folder: Path) -> Path:
    """A new empty work folder beside ``folder`` (same file system): ``.<name>.partial-<hex>``.

    Hidden, so ``drills score`` over the parent never reads it as a drill of its own.
    """
    folder.parent.mkdir(parents=True, exist_ok=True)
    work = folder.parent / f".{folder.name}.partial-{secrets.token_hex(4)}"
    work.mkdir()
    return work


def replace_folder(work: Path, folder: Path) -> None:
    """Put the complete folder ``work`` in the place of ``folder``, which may hold files.

    ``folder`` is renamed aside first and removed only once ``work`` stands in its place,
    so until then it is whole (under ``.<name>.old-<hex>`` for the instant between the two
    renames). When the second rename fails, ``folder`` is put back and the error raised;
    ``work`` is then left as it was.
    """
    if not folder.exists():
        os.replace(work, folder)
        return
    old = folder.parent / f".{folder.name}.old-{secrets.token_hex(4)}"
    os.replace(folder, old)
    try:
        os.replace(work, folder)
    except BaseException:
        os.replace(old, folder)
        raise
    shutil.rmtree(old, ignore_errors=True)
