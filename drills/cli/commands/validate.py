"""``drills validate FILE...``: check drill files before a drill or a launch needs them.

Every problem is printed on its own line as ``file:line:column: message`` (the format
editors and CI annotate), valid files as ``ok: FILE``. Exit 0 when every file is valid,
2 when any is not, so CI can gate on it. Files are checked by kind: the kind is read
from the file name (``*.runbook.yaml``) or its top-level keys, and each kind has one
checker in :data:`CHECKERS`: scenarios, runbooks and world declarations (a shared
``world.yaml`` of a team's own systems, see ``docs/worlds.md``). A runbook is checked for what
would stop it loading; gaps in what it says are lint findings (:mod:`drills.runbook.lint`).

The team's own code a file names (a scenario's ``automation.callable``, a runbook's
``call:`` steps) is imported only with ``--imports``: validating a file someone sent
must not run their code. With it, each name is resolved the way a drill resolves it
(:func:`drills.engine.hooks.resolve_hook`) and each failure is one line at its key;
without it, an ``ok:`` line for a file naming code says that the code was not imported.
"""

from __future__ import annotations

import importlib
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from drills.cli.config import LoadedConfig

from drills.cli.main import EXIT_OK, EXIT_USAGE, say
from drills.cli.paths import expand
from drills.errors import DrillsError, did_you_mean
from drills.files import FileError, KeyPath, read_regular, read_yaml
from drills.runbook.loader import load_runbook, validate_runbook_file
from drills.scenarios.loader import load_scenario, validate_scenario_file

__all__ = [
    "CHECKERS", "NAMERS", "Checker", "Namer", "check_imports", "check_path", "command",
    "kind_of", "resolve_problem", "validate_world_file",
]

Checker = Callable[[Path], list[FileError]]
"""Reads one file and returns every problem in it; an empty list means valid."""

def validate_world_file(path: Path) -> list[FileError]:
    """Every problem in a ``world.yaml`` declaring a team's own systems."""
    from drills.files import check_file
    from drills.scenarios.declaration import Declaration

    return check_file(path, Declaration, what="world declaration").errors


CHECKERS: dict[str, Checker] = {
    "scenario": validate_scenario_file,
    "runbook": validate_runbook_file,
    "world": validate_world_file,
}
"""File kind -> its checker."""

Namer = Callable[[Path], list[tuple[KeyPath, str]]]
"""Reads one valid file and returns the team's code it names: (key path, 'module:name')."""


def _scenario_code(path: Path) -> list[tuple[KeyPath, str]]:
    ref = load_scenario(path).automation.callable
    return [] if ref is None else [(("automation", "callable"), ref)]


def _runbook_code(path: Path) -> list[tuple[KeyPath, str]]:
    runbook = load_runbook(path)
    named: list[tuple[KeyPath, str]] = [
        (("pause", i, "call"), step.call) for i, step in enumerate(runbook.pause)
        if step.call is not None
    ]
    if runbook.repair is not None and runbook.repair.call is not None:
        named.append((("repair", "call"), runbook.repair.call))
    return named


NAMERS: dict[str, Namer] = {"scenario": _scenario_code, "runbook": _runbook_code}
"""File kind -> what lists the code it names."""

_RUNBOOK_SUFFIXES = (".runbook.yaml", ".runbook.yml")
_RUNBOOK_KEYS = re.compile(
    r"^(?:owner|stop_rules|backup_owner|first_safe_action)\s*:", re.MULTILINE
)
_SCENARIO_KEYS = re.compile(r"^(?:fault|world)\s*:", re.MULTILINE)
_WORLD_KEYS = re.compile(r"^systems\s*:", re.MULTILINE)
_PEEK_BYTES = 64 * 1024


def kind_of(path: Path) -> str:
    """``runbook``, ``scenario`` or ``world``: by the file name first, then by its
    top-level keys (a world declaration has ``systems`` and none of a scenario's).

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
    if _WORLD_KEYS.search(head) and not _SCENARIO_KEYS.search(head):
        return "world"
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


def named_code(path: Path) -> list[tuple[KeyPath, str]]:
    """The team's code a valid file names, with the key naming each; none for other kinds."""
    namer = NAMERS.get(kind_of(path))
    try:
        return [] if namer is None else namer(path)
    except FileError:  # pragma: no cover - only valid files are asked
        return []


def resolve_problem(target: str) -> tuple[str, str] | None:
    """Import ``module:name`` as a drill would; (what is wrong, how to fix) or None if found.

    The drill's own resolution (:func:`~drills.engine.hooks.resolve_hook`) decides; when
    it fails, the module is looked at again only to say which part is missing.
    """
    # the engine, only with --imports
    from drills.engine.hooks import HookError, TeamCodeError, resolve_hook

    module_name, _, attr = target.partition(":")
    try:
        resolve_hook(target, {})
    except HookError:
        pass
    except TeamCodeError as err:  # the team's module failing as it is imported, located
        said = f"importing '{module_name}' {err.happened or 'failed'}"
        return (f"{said} at {err.where}" if err.where else said,
                "fix the module so it imports cleanly")
    except (Exception, SystemExit) as err:
        return (f"importing '{module_name}' raised {type(err).__name__}: {err}",
                "fix the module so it imports cleanly")
    else:
        return None
    module = sys.modules.get(module_name)
    if module is None:
        try:
            importlib.import_module(module_name)
        except ImportError as err:
            return (f"cannot import '{module_name}' ({err})",
                    "install the team's package or put it on PYTHONPATH")
        module = sys.modules[module_name]  # pragma: no cover - resolve_hook imported it
    if not hasattr(module, attr):
        names = [n for n in dir(module) if not n.startswith("_")]
        hint = did_you_mean(attr, names).removeprefix("; ")
        return (f"module '{module_name}' has no attribute '{attr}'",
                hint if hint.startswith("did you mean") else "name a function it defines")
    kind = type(getattr(module, attr)).__name__
    return (f"'{target}' is not callable (a value of type {kind})", "name a function")


def check_imports(path: Path) -> list[FileError]:
    """One error per name in ``path`` that does not import to something callable."""
    named = named_code(path)
    if not named:
        return []
    doc = read_yaml(path, what=kind_of(path))
    errors: list[FileError] = []
    for loc, target in named:
        problem = resolve_problem(target)
        if problem is not None:
            errors.append(doc.error(loc, *problem))
    return errors


def _configured_files(config: LoadedConfig) -> list[Path]:
    """The runbooks and scenario files ``[tool.drills]`` names (built-in names aside)."""
    from drills.cli.paths import RUNBOOK_PATTERNS, is_glob

    settings = config.config
    where = f"{config.shown}:{config.line_of('runbooks')}: runbooks"
    files = expand([config.resolve(p) for p in settings.runbooks], RUNBOOK_PATTERNS,
                   what="runbooks", option=where) if settings.runbooks else []
    for auto, refs in settings.scenarios.items():
        for ref in refs:
            if "/" in ref or ref.endswith((".yaml", ".yml")) or is_glob(ref):
                files += expand([config.resolve(ref)], _FILE_PATTERNS, what="scenario",
                                option=f"{config.shown}:{config.line_of('scenarios', auto)}: "
                                       f"scenarios.{auto}")
    return files


_FILE_PATTERNS = ("*.yaml", "*.yml")
"""What a folder given to ``validate`` holds: runbooks and scenarios alike."""


@click.command("validate")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option("--config", "config_path", type=click.Path(path_type=Path), default=None,
              metavar="FILE", help="Read [tool.drills] from FILE instead of the one found "
                                   "from here up; with no FILES, its runbooks and scenario "
                                   "files are validated.")
@click.option("-q", "--quiet", is_flag=True, help="Print only errors, not the 'ok:' lines.")
@click.option("--imports", is_flag=True,
              help="Also import the team's code each file names (automation.callable, "
                   "call: steps) and check that it is there and callable.")
def command(files: tuple[Path, ...], config_path: Path | None, quiet: bool,
            imports: bool) -> None:
    """Check scenario, runbook and world.yaml files; print each error as FILE:LINE:COL: message.

    FILES may be files, folders (their .yaml files) or globs; with none, the runbooks
    and scenario files [tool.drills] names. Exit code 0 when every file is valid, 2
    when any is not. The team's code a file names is imported only with --imports (from
    the configuration's python-path too).
    """
    from drills.cli.config import apply_config, read_config

    config = read_config(config_path)
    if config is not None:
        apply_config(config, click.get_current_context())
    if files:
        paths = expand(files, _FILE_PATTERNS, what="runbooks or scenarios")
    elif config is not None:
        paths = _configured_files(config)
    else:
        paths = []
    if not paths:
        raise DrillsError("nothing to validate: give FILES (runbooks, scenarios, folders or "
                          "globs), or list runbooks = [\"runbooks/\"] under [tool.drills] in "
                          "pyproject.toml")
    failed = False
    for path in paths:
        errors = check_path(path)
        if not errors and imports:
            errors = check_imports(path)
        if errors:
            failed = True
            for err in errors:
                say(str(err))
        elif not quiet:
            unchecked = not imports and named_code(path)
            note = " (callables not imported; add --imports to check them)" if unchecked else ""
            say(f"ok: {path}{note}")
    ctx = click.get_current_context()
    ctx.exit(EXIT_USAGE if failed else EXIT_OK)
