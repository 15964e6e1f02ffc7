"""Folders and globs wherever a command takes files: ``drills check runbooks/``,
``--scenario 'drills/*.yaml'``.

A shell expands an unquoted glob before drills sees it, but CI files quote them, a
configuration file holds them as text, and Windows shells never expand them; and a
folder is what a team means by "all our runbooks". So a command expands each argument
itself: a folder gives the files in it (and below it) whose names mark their kind, a
glob the files it matches, in sorted order, and either matching nothing is one error
line saying what was looked for. Anything else passes through for the loader to
read (or to say it is missing).
"""

from __future__ import annotations

import glob
from collections.abc import Iterable
from pathlib import Path

from drills.errors import DrillsError

__all__ = ["RUNBOOK_PATTERNS", "SCENARIO_PATTERNS", "NothingMatchedError", "expand", "is_glob"]

RUNBOOK_PATTERNS = ("*.runbook.yaml", "*.runbook.yml")
"""What a folder of runbooks holds."""

SCENARIO_PATTERNS = ("*.yaml", "*.yml")
"""What a folder of scenarios holds (a runbook in it is left out)."""


class NothingMatchedError(DrillsError):
    """A folder or glob, given where files go, that names no file."""


def is_glob(text: str) -> bool:
    return any(c in text for c in "*?[")


def expand(items: Iterable[str | Path], patterns: tuple[str, ...], *, what: str,
           option: str = "", skip: tuple[str, ...] = ()) -> list[Path]:
    """Each item as files: a folder's files matching ``patterns`` (recursively), a glob's
    matches, else the path itself; each file once, in the order given.

    ``what`` names the files in an error (``runbooks``); ``option`` the flag they came
    from; ``skip`` are name patterns a folder's files must not match.
    """
    out: list[Path] = []
    seen: set[Path] = set()

    def add(path: Path) -> None:
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            out.append(path)

    for item in items:
        text = str(item)
        given = f"{option} {text}" if option else text
        path = Path(text)
        if path.is_dir():
            found = sorted({p for pattern in patterns for p in path.rglob(pattern)
                            if p.is_file() and not any(p.match(s) for s in skip)})
            if not found:
                raise NothingMatchedError(
                    f"{given}: the folder holds no {what} ({', '.join(patterns)}); name "
                    f"the files, or a folder that holds them")
            for p in found:
                add(p)
        elif is_glob(text) and not path.exists():
            matches = sorted(Path(p) for p in glob.glob(text, recursive=True))
            files = [p for p in matches if p.is_file()]
            folders = [p for p in matches if p.is_dir()]
            for folder in folders:
                files += [p for pattern in patterns for p in sorted(folder.rglob(pattern))
                          if p.is_file() and not any(p.match(s) for s in skip)]
            if not files:
                raise NothingMatchedError(
                    f"{given}: the pattern matches no {what} file; check the pattern "
                    f"(from {Path.cwd()}), or name the files")
            for p in files:
                add(p)
        else:
            add(path)
    return out
