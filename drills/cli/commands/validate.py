"""``drills validate FILE...``: check drill files before a drill or a launch needs them.

Every problem is printed on its own line as ``file:line:column: message`` (the format
editors and CI annotate), valid files as ``ok: FILE``. Exit 0 when every file is valid,
2 when any is not, so CI can gate on it. Files are checked by kind: the kind is read
from the file name (``*.runbook.yaml``) or its top-level keys, and each kind has one
checker in :data:`CHECKERS`: scenarios and runbooks. A runbook is checked for what
would stop it loading; gaps in what it says are lint findings (:mod:`drills.runbook.lint`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import click

from drills.cli.main import EXIT_OK, EXIT_USAGE, say
from drills.files import FileError, read_regular
from drills.runbook.loader import validate_runbook_file
from drills.scenarios.loader import validate_scenario_file

__all__ = ["CHECKERS", "Checker", "check_path", "command", "kind_of"]

Checker = Callable[[Path], list[FileError]]
"""Reads one file and returns every problem in it; an empty list means valid."""

CHECKERS: dict[str, Checker] = {
    "scenario": validate_scenario_file,
    "runbook": validate_runbook_file,
}
"""File kind -> its checker."""

_RUNBOOK_SUFFIXES = (".runbook.yaml", ".runbook.yml")
_RUNBOOK_KEYS = re.compile(
    r"^(?:owner|stop_rules|backup_owner|first_safe_action)\s*:", re.MULTILINE
)
_SCENARIO_KEYS = re.compile(r"^(?:fault|world)\s*:", re.MULTILINE)
_PEEK_BYTES = 64 * 1024


def kind_of(path: Path) -> str:
    """``runbook`` or ``scenario``: by the file name first, then by its top-level keys.

    Anything that cannot be read or recognised counts as a scenario, whose checker then
    says what is wrong with it.
    """
    if path.name.endswith(_RUNBOOK_SUFFIXES):
        return "runbook"
    if path.name.endswith((".scenario.yaml", ".scenario.yml")):
        return "scenario"
    try:
        head = read_regular(path, _PEEK_BYTES).decode("utf-8", errors="replace")
    except OSError:
        return "scenario"
    if _RUNBOOK_KEYS.search(head) and not _SCENARIO_KEYS.search(head):
        return "runbook"
    return "scenario"


def check_path(path: Path) -> list[FileError]:
    """Every problem in one file, whatever its kind."""
    kind = kind_of(path)
    checker = CHECKERS.get(kind)
    if checker is None:
        return [FileError(
            str(path), 1, 1, f"'drills validate' cannot check {kind} files yet",
            fix=f"pass only {', '.join(sorted(CHECKERS))} files for now",
        )]
    return checker(path)


@click.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-q", "--quiet", is_flag=True, help="Print only errors, not the 'ok:' lines.")
def command(files: tuple[Path, ...], quiet: bool) -> None:
    """Check scenario and runbook files; print each error as FILE:LINE:COL: message.

    Exit code 0 when every file is valid, 2 when any is not.
    """
    failed = False
    for path in files:
        errors = check_path(path)
        if errors:
            failed = True
            for err in errors:
                say(str(err))
        elif not quiet:
            say(f"ok: {path}")
    ctx = click.get_current_context()
    ctx.exit(EXIT_USAGE if failed else EXIT_OK)
