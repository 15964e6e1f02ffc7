"""The one root exception of drills, and the two helpers every error message uses.

Every error a user can cause derives from :class:`DrillsError`, so the CLI catches one
class, prints its message on one line and exits 2, and the pytest plugin turns it into
one failed test instead of a traceback. Messages say what is wrong and how to mend it,
because the person reading them is mid-drill or reading CI logs.

This module sits below every other module of drills (it imports the standard library
only), so any layer may raise a subclass without importing a higher one. The subclasses
live next to the code that raises them (``FileError`` in :mod:`drills.files`,
``StoreError`` in :mod:`drills.fakes.errors`, ``ReportError`` in
:mod:`drills.reports.jsonout`, ...); each says in its docstring when it is raised, and a
test walks every module to check that each error class is under this root.
"""

from __future__ import annotations

from collections.abc import Iterable
from difflib import get_close_matches

__all__ = ["DrillsError", "did_you_mean", "one_line"]


class DrillsError(Exception):
    """Root of every error drills raises on purpose; ``str(err)`` is the one line to show."""


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
