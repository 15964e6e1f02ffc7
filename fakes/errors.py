"""The one root exception of drills and the errors of the fake world.

Every error a user can cause derives from :class:`DrillsError`, so the CLI catches
one class, prints its message on one line and exits 2. Messages say what is wrong
and how to mend it, because the person reading them is mid-drill or reading CI logs.
``fakes`` sits at the bottom of the dependency graph, so the root lives here and the
other packages re-export it.
"""

from __future__ import annotations

from collections.abc import Iterable
from difflib import get_close_matches

__all__ = [
    "DrillsError",
    "ExportError",
    "StoreError",
    "UnknownFieldError",
    "UnknownSystemError",
    "UnknownTableError",
    "WorldError",
    "did_you_mean",
    "one_line",
]


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A ``; did you mean 'x'?`` suffix when a close match exists, else a list of choices."""
    options = sorted(set(choices))
    close = get_close_matches(word, options, n=1, cutoff=0.6)
    if close:
        return f"; did you mean '{close[0]}'?"
    if options:
        return f"; choose one of: {', '.join(options)}"
    return ""


def _escape(char: str) -> str:
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def one_line(text: str) -> str:
    """``text`` as one printable line: whitespace runs become one space, and any other
    character a terminal would act on or hide (NUL, ESC, right-to-left overrides,
    zero-width spaces, lone surrogates) is shown as its escape, like ``\\x1b``.

    Error messages quote what a file or a flag said, and a message is read in a
    terminal or a CI log: an escape sequence in a misspelt key must not clear the
    screen, and a zero-width space must be visible, since it is often the typo.
    """
    shown = "".join(
        char if char.isprintable() or char.isspace() else _escape(char) for char in text
    )
    return " ".join(shown.split())


class DrillsError(Exception):
    """Root of every error drills raises on purpose; ``str(err)`` is the one line to show."""


class WorldError(DrillsError):
    """The description of a fake world is wrong: a system, table, field or count."""


class UnknownSystemError(WorldError):
    """A system name that drills does not simulate."""


class UnknownTableError(WorldError):
    """A table that the named system does not have."""


class UnknownFieldError(WorldError):
    """A field that the named table does not have."""


class StoreError(DrillsError):
    """A write or read the store refused: a missing record, a duplicate key, a bad URL."""


class ExportError(DrillsError):
    """An export folder that is missing, incomplete or does not match its manifest."""
