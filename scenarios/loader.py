"""Find and load scenarios: a file a team wrote, or one from the built-in library.

Teams start from the library (``drills live invoice-triple-trigger``) and move to their
own files, so one function takes either a path or a library name. Loading always runs
:meth:`Scenario.cross_check` too, so a file that loads is a file a drill can run; every
problem comes back as a :class:`~drills.files.FileError` pointing at its line.
The library is read through :mod:`importlib.resources`, so it works from a wheel too.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.resources import as_file, files
from importlib.resources.abc import Traversable
from pathlib import Path

import yaml

from drills.errors import DrillsError, did_you_mean
from drills.fakes.catalog import Catalog
from drills.files import FileError, check_file, load_model, read_regular
from drills.files.reader import read_yaml
from drills.scenarios.declaration import declared_catalog, load_declaration, resolve
from drills.scenarios.schema import Scenario

__all__ = [
    "LIBRARY_SUFFIX",
    "ScenarioInfo",
    "UnknownScenarioError",
    "builtin_by_automation",
    "builtin_names",
    "builtin_scenarios",
    "load_scenario",
    "scenario_text",
    "validate_scenario_file",
    "world_of_automation",
    "world_of_file",
]

LIBRARY_SUFFIX = ".yaml"
"""Built-in scenarios are ``scenarios/library/<name>.yaml``."""

_SUFFIXES = (".yaml", ".yml")


class UnknownScenarioError(DrillsError):
    """A name that is neither a file nor a scenario in the built-in library."""


@dataclass(frozen=True)
class ScenarioInfo:
    """One line of ``drills scenarios``: what a built-in scenario drills, at a glance."""

    name: str
    automation: str
    fault: str
    systems: tuple[str, ...]
    records: int
    title: str
    path: Path


def _library() -> Traversable:
    return files("drills.scenarios") / "library"


def builtin_names() -> list[str]:
    """The names of the built-in scenarios, sorted."""
    return sorted(
        entry.name.removesuffix(LIBRARY_SUFFIX)
        for entry in _library().iterdir()
        if entry.is_file() and entry.name.endswith(LIBRARY_SUFFIX)
    )


@functools.cache
def world_of_automation(automation: str) -> Catalog | None:
    """The declared systems of the built-in scenarios of ``automation``; None: built-in.

    Read from the files' text (no scenario is validated for it), and only the declaration
    of ``automation``'s own scenarios is checked: validating a runbook of a built-in job
    stays light (checking a declaration's Faker providers imports Faker).
    """
    for name in builtin_names():
        with _builtin_path(name) as path:
            try:
                data = yaml.safe_load(path.read_text(encoding="utf-8"))
            except (OSError, yaml.YAMLError):
                continue
            if not isinstance(data, dict) or not isinstance(data.get("automation"), dict):
                continue
            if str(data["automation"].get("name")) != automation:
                continue
            catalog = declared_catalog(data.get("world"), path.parent)
            if catalog is not None:
                return catalog
    return None


def world_of_file(path: Path) -> Catalog:
    """The systems a file declares: a ``world.yaml``, or a scenario (its world's systems,
    the built-in ones when it declares none). Raises FileError / DrillsError."""
    doc = read_yaml(path, what="world declaration or scenario")
    if "systems" in doc.data and "automation" not in doc.data:
        return load_declaration(path).catalog()
    return _load(path).catalog


def builtin_by_automation() -> dict[str, list[Scenario]]:
    """The built-in scenarios grouped by the automation they drill, each group by name.

    This is how a runbook finds its drills without the team naming one: a runbook is
    for one automation (``automation: invoice-reminder``), and every built-in scenario
    of that automation drills it. ``drills check`` and ``drills score`` both ask here.
    """
    out: dict[str, list[Scenario]] = {}
    for name in builtin_names():
        scenario = load_scenario(name)
        out.setdefault(scenario.automation.name, []).append(scenario)
    return out


@contextmanager
def _builtin_path(name: str) -> Iterator[Path]:
    with as_file(_library() / f"{name}{LIBRARY_SUFFIX}") as path:
        yield path


def _looks_like_path(value: str | Path) -> bool:
    if isinstance(value, Path):
        return True
    return "/" in value or "\\" in value or value.endswith(_SUFFIXES)


def load_scenario(path_or_name: str | Path) -> Scenario:
    """A scenario from a file path, or from the library by name (``invoice-triple-trigger``).

    Raises :class:`~drills.files.FileError` for a file that is wrong (with its line)
    and :class:`UnknownScenarioError` for a name that is not in the library.
    """
    if _looks_like_path(path_or_name):
        return _load(Path(path_or_name))
    name = str(path_or_name)
    names = builtin_names()
    if name in names:
        with _builtin_path(name) as path:
            return _load(path)
    if Path(name).is_file():
        return _load(Path(name))
    hint = did_you_mean(name, names)
    raise UnknownScenarioError(
        f"unknown scenario '{name}'{hint}"
        + ("" if hint.startswith("; did you mean") else
           "; or give the path of a scenario file, e.g. my-drill.yaml")
    )


def scenario_text(path_or_name: str | Path) -> str | None:
    """The text :func:`load_scenario` reads for ``path_or_name``; None when it finds none.

    A drill journal keeps the scenario as written, so a report can be rebuilt from the
    journal alone even after the file changed or the library moved on.
    """
    try:
        if not _looks_like_path(path_or_name) and str(path_or_name) in builtin_names():
            raw = (_library() / f"{path_or_name}{LIBRARY_SUFFIX}").read_bytes()
        else:
            raw = read_regular(Path(path_or_name))
        return raw.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None


def _declared_problem(path: Path) -> FileError | None:
    """What is wrong with the world file a scenario names, at that file's own line (or at
    the scenario's ``world.declared`` when there is no such file); None when it is sound
    or not named. The scenario is not checked further: every name in it depends on it."""
    try:
        doc = read_yaml(path, what="scenario")
    except FileError:
        return None  # the scenario's own check says why
    world = doc.data.get("world")
    declared = world.get("declared") if isinstance(world, dict) else None
    if not isinstance(declared, str):
        return None
    target = resolve(declared, path.parent)
    if not target.is_file():
        return doc.error(("world", "declared"), f"no world file at {target}",
                         "give the path of a world.yaml, relative to the scenario file")
    try:
        load_declaration(target)
    except FileError as err:
        return err
    return None


def _load(path: Path) -> Scenario:
    problem = _declared_problem(path)
    if problem is not None:
        raise problem
    return load_model(path, Scenario, what="scenario", cross_check=Scenario.cross_check,
                      context={"base": path.parent})


def validate_scenario_file(path: Path) -> list[FileError]:
    """Every problem in a scenario file, cross-file checks included; empty when valid."""
    problem = _declared_problem(path)
    if problem is not None:
        return [problem]
    return check_file(path, Scenario, what="scenario", cross_check=Scenario.cross_check,
                      context={"base": path.parent}).errors


def _systems(scenario: Scenario) -> tuple[str, ...]:
    """The systems a scenario happens in, in its catalog's order: those of the tables it
    gives records, those the automation and the syncs write, and the warehouse when it
    copies anything."""
    from drills.scenarios.build import tables_written  # the fakes' stack, only when listing

    catalog = scenario.catalog
    tables = {t for t, n in scenario.world.counts.items() if n} | tables_written(scenario)
    present = {t.split(".")[0] for t in tables}
    if scenario.world.warehouse.copies:
        present.add(catalog.warehouse)
    order = [*dict.fromkeys(t.system for t in catalog), catalog.warehouse]
    return tuple(s for s in order if s in present)


def builtin_scenarios() -> list[ScenarioInfo]:
    """Every scenario of the built-in library, loaded and checked, sorted by name."""
    out: list[ScenarioInfo] = []
    for name in builtin_names():
        with _builtin_path(name) as path:
            scenario = _load(path)
            out.append(ScenarioInfo(
                name=scenario.name,
                automation=scenario.automation.name,
                fault=scenario.fault.kind,
                systems=_systems(scenario),
                records=scenario.world.total,
                title=scenario.title,
                path=path,
            ))
    return out
