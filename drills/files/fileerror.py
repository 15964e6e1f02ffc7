"""The one error a file people wrote can give: where it is wrong and how to mend it.

Scenario files and runbooks (and the journal's copies of them) are read in CI logs, so every
way such a file can be wrong ends as one :class:`FileError` whose ``str()`` is one line::

    x.yaml:17:9: unknown fault kind 'tripple_trigger' (fault.kind); did you mean 'triple_trigger'?
"""

from __future__ import annotations

from collections.abc import Sequence

from drills.errors import DrillsError, one_line

__all__ = ["FileError", "KeyPath", "format_path"]

KeyPath = tuple[str | int, ...]
"""A key path into a file, e.g. ``('fault', 'kind')`` or ``('automation', 'does', 0)``."""


def format_path(path: Sequence[str | int]) -> str:
    """``('automation', 'does', 0)`` -> ``'automation.does.0'``."""
    return ".".join(str(p) for p in path)


class FileError(DrillsError):
    """A file that cannot be read or does not say what it must, with where and how to fix.

    ``str()`` is one line: ``file:line:column: message (key.path); fix``. Problems with the
    file as a whole (missing, a directory, binary) point at line 1, column 1, like ruff.
    ``more`` counts further errors in the same file that ``drills validate`` would list.
    """

    def __init__(
        self,
        file: str,
        line: int,
        column: int,
        message: str,
        *,
        path: KeyPath = (),
        fix: str = "",
        more: int = 0,
    ) -> None:
        self.file = file
        self.line = line
        self.column = column
        self.message = message
        self.path = path
        self.fix = fix
        self.more = more
        super().__init__(str(self))

    def __str__(self) -> str:
        text = f"{self.file}:{self.line}:{self.column}: {self.message}"
        if self.path:
            text += f" ({format_path(self.path)})"
        if self.fix:
            text += f"; {self.fix}"
        if self.more:
            s = "s" if self.more > 1 else ""
            text += f" (and {self.more} more error{s}; run 'drills validate {self.file}')"
        return one_line(text)

    def __repr__(self) -> str:
        return f"FileError({str(self)!r})"

    @property
    def sort_key(self) -> tuple[str, int, int]:
        return (self.file, self.line, self.column)
