"""Where ``--out`` puts a drill's set (its reports and journal), never over another drill's.

A folder holding an earlier drill (a journal, or report files ``drill-*``) is refused
with one line, so a second ``drills run --out DIR`` cannot leave one drill's reports
beside another's journal. With ``--overwrite`` the new drill is written into a hidden
work folder beside DIR (journal first, reports last) and put in DIR's place only when
complete (:func:`drills.files.replace_folder`): the earlier set stays whole until then,
and a drill stopped early leaves it untouched. An earlier drill that never finished is
refused even with ``--overwrite``: its journal is the only record of it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from drills.errors import DrillsError
from drills.files import new_folder_beside, replace_folder
from drills.journal import read_journal
from drills.reports.writer import FORMATS

__all__ = ["JOURNAL_SUFFIX", "OutFolder", "OutputError", "check_out", "drill_files"]

JOURNAL_SUFFIX = ".journal.jsonl"

_REPORT_SUFFIXES = tuple(suffix for suffix, _ in FORMATS.values())


class OutputError(DrillsError):
    """An output folder drills cannot write to, or one holding an earlier drill."""


def check_out(out: Path) -> None:
    """An --out folder drills can write to (it need not exist yet)."""
    if out.exists() and not out.is_dir():
        raise OutputError(f"--out {out} is a file; name a folder for the reports")
    probe = out if out.exists() else next((p for p in out.parents if p.exists()), Path("."))
    if not os.access(probe, os.W_OK):
        raise OutputError(f"cannot write to {probe}; choose an --out folder you can write to")


def _is_drill_file(path: Path) -> bool:
    name = path.name
    if name.endswith(JOURNAL_SUFFIX):
        return True
    return name.startswith("drill-") and name.endswith(_REPORT_SUFFIXES)


def drill_files(folder: Path) -> list[Path]:
    """The journals and report files of drills in ``folder`` (not below it), sorted."""
    if not folder.is_dir():
        return []
    try:
        entries = sorted(folder.iterdir())
    except OSError as err:
        raise OutputError(f"--out {folder}: cannot list the folder ({err.strerror or err}); "
                          "choose a folder you can read and write") from None
    return [p for p in entries if _is_drill_file(p) and (p.is_file() or p.is_symlink())]


def _unfinished(journal: Path) -> bool:
    """True unless ``journal`` reads as a drill that ended with its report."""
    try:
        return not read_journal(journal).finished
    except DrillsError:
        return True


@dataclass
class OutFolder:
    """The ``--out`` folder of one command, checked before anything is written."""

    folder: Path
    replace: bool = False
    """True when the folder holds an earlier drill and ``--overwrite`` was given."""
    work: Path | None = field(default=None, init=False)
    placed: Path | None = field(default=None, init=False)
    """The work folder that now stands in the folder's place (after :meth:`commit`)."""

    @classmethod
    def prepare(
        cls, folder: Path, *, overwrite: bool | None, own: Path | None = None
    ) -> OutFolder:
        """Check ``folder`` for ``--out``: refuse an earlier drill there unless ``overwrite``
        (None: the command has no ``--overwrite``).

        ``own`` is the journal this command carries on or rebuilds from; a folder holding
        it holds this drill's own set, which is no earlier drill.
        """
        check_out(folder)
        if own is not None and own.parent.resolve() == folder.resolve():
            return cls(folder)
        found = drill_files(folder)
        if not found:
            return cls(folder)
        if not overwrite:
            raise OutputError(
                f"--out {folder} holds an earlier drill ({found[0].name}); choose a new "
                "folder" + ("" if overwrite is None else
                            ", or add --overwrite to replace it once this drill is complete")
            )
        if folder.is_symlink():
            raise OutputError(f"--out {folder} is a link; --overwrite replaces a folder, so "
                              f"name the folder itself: --out {folder.resolve()}")
        journals = [p for p in found if p.name.endswith(JOURNAL_SUFFIX)]
        stopped = next((p for p in journals if _unfinished(p)), None)
        if stopped is not None:
            raise OutputError(
                f"--out {folder}: {stopped.name} is the journal of a drill that did not "
                f"finish, its only record; rebuild its report with 'drills report {stopped}' "
                "and move the folder away, then run again"
            )
        others = sorted(p.name for p in folder.iterdir() if p not in found)
        if others:
            raise OutputError(
                f"--out {folder} also holds {others[0]}, which drills did not write; "
                "--overwrite replaces the whole folder, so move it out or choose another folder"
            )
        return cls(folder, replace=True)

    @property
    def target(self) -> Path:
        """Where the set is written now: the folder, or the work folder that replaces it."""
        if not self.replace:
            return self.folder
        if self.work is None:
            try:
                self.work = new_folder_beside(self.folder)
            except OSError as err:
                raise OutputError(f"--out {self.folder}: cannot make a work folder beside it "
                                  f"({err.strerror or err}); choose a folder you can "
                                  "write to") from None
        return self.work

    def commit(self) -> None:
        """Put the complete set in the folder's place (with ``--overwrite``)."""
        if self.work is None:
            return
        try:
            replace_folder(self.work, self.folder)
        except OSError as err:
            raise OutputError(
                f"--out {self.folder}: cannot put the new drill in place "
                f"({err.strerror or err}); the earlier drill is still there and the new "
                f"one is in {self.work}"
            ) from None
        self.placed, self.work = self.work, None

    def abandon(self) -> str | None:
        """After a failure: drop an empty work folder; say where a kept one is (its journal
        is the record of the drill that failed)."""
        work, self.work = self.work, None
        if work is None:
            return None
        try:
            if not any(work.iterdir()):
                work.rmdir()
                return None
        except OSError:
            return None
        return f"{self.folder} still holds the earlier drill; this drill's files are in {work}"

    def moved(self, path: Path) -> Path:
        """Where ``path``, written under :attr:`target`, is once the set is in place."""
        work = self.placed or self.work
        if work is not None and path.is_relative_to(work):
            return self.folder / path.relative_to(work)
        return path
