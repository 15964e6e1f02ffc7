"""The import contract: layers, no cycles, small modules, one import root.

An AST-based equivalent of import-linter, so the contract needs no extra package and
reads the tree exactly as it is laid out: ``drills/scenarios``, ``drills/fakes`` and
``drills/reports`` are links to the top-level folders and are followed. Every import
counts, wherever it stands (``TYPE_CHECKING`` blocks and function bodies included), and
so does ``importlib.import_module`` with a literal name; a package ``__init__``'s lazy
``_LAZY`` map is not an import, but ``from pkg import name`` is read through it to the
module that really defines ``name``.

Known violations that other changes are removing are listed by name in
:data:`KNOWN_LAYER_BREAKS`, :data:`KNOWN_CYCLE_EDGES` and :data:`KNOWN_LONG_MODULES`,
each with its reason; an entry no longer needed fails its own test, so the lists only
shrink.
"""

from __future__ import annotations

import ast
import os
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
ROOT = "drills"

RANKS: dict[str, int] = {
    "drills.errors": 0,
    "drills.files": 0,
    "drills.version": 0,
    "drills.fakes": 1,
    "drills.scenarios": 2,
    "drills.reports": 3,
    "drills.runbook": 4,
    "drills.findings": 4,
    "drills.levers": 5,
    "drills.engine": 6,
    "drills.responders": 7,
    "drills.responders.scripted": 7,
    "drills.judging": 8,
    "drills.journal": 9,
    "drills.responders.live": 10,
    "drills.room": 11,
    "drills.api": 11,
    "drills.review": 11,
    "drills.plugin": 12,
    "drills.fixtures": 12,
    "drills.cli": 12,
    "drills.__main__": 12,
    "drills": 0,
}
"""Layer of each module (longest matching prefix); a module imports its rank or lower.

The package ``drills`` itself is a lazy facade: ``from drills import X`` is read
through its ``_LAZY`` map to the module defining ``X``, so what is left (``__version__``)
is its own eager part, rank 0. Its ``TYPE_CHECKING`` imports mirror that map for the
type checker and are not checked as layers or cycle edges; that it imports only
``drills.errors`` eagerly is its own test.
"""

REPORTS_MAY_IMPORT = ("drills.errors", "drills.files", "drills.reports")
"""The reports render a finished report; they read nothing of the drill but rank 0."""

ROOT_EAGER = ("drills.errors", "drills.version")
"""What ``drills/__init__.py`` may import when it is imported (the rest is lazy)."""

MAX_LINES = 600
LIMITED_FOLDERS = ("drills", "scenarios", "fakes", "reports")
TOP_LEVEL_NAMES = ("scenarios", "fakes", "reports")


@dataclass(frozen=True)
class Known:
    """One known violation: ``importer`` imports ``imported`` until ``reason`` is done."""

    importer: str
    imported: str
    reason: str


KNOWN_LAYER_BREAKS: tuple[Known, ...] = ()
"""Lower layer importing a higher one, kept until its fix merges (issue 19)."""

KNOWN_CYCLE_EDGES: tuple[Known, ...] = ()
"""Import edges closing a cycle, kept until its fix merges (issue 19)."""

KNOWN_LONG_MODULES: dict[str, str] = {}
"""Modules over :data:`MAX_LINES` lines (path from the repository root), until split."""

KNOWN_ROOT_EAGER: tuple[Known, ...] = ()
"""Eager imports of ``drills/__init__.py`` beyond :data:`ROOT_EAGER`, until moved."""


# -- reading the tree ---------------------------------------------------------------


@dataclass(frozen=True)
class Import:
    """One import statement of ``importer``: the module it reaches, where, and how."""

    importer: str
    imported: str
    line: int
    eager: bool
    """Runs when the importer is imported: module level, outside ``TYPE_CHECKING``."""


def module_files() -> dict[str, Path]:
    """Every module under ``drills/`` by dotted name, following the linked folders."""
    found: dict[str, Path] = {}
    for folder, dirs, files in os.walk(REPO / ROOT, followlinks=True):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        here = Path(folder)
        parts = here.relative_to(REPO).parts
        for name in sorted(files):
            if not name.endswith(".py"):
                continue
            stem = name[:-3]
            dotted = ".".join(parts if stem == "__init__" else (*parts, stem))
            found[dotted] = here / name
    return found


@cache
def modules() -> dict[str, Path]:
    return module_files()


@cache
def tree(name: str) -> ast.Module:
    path = modules()[name]
    return ast.parse(path.read_text(encoding="utf-8"), str(path))


def is_package(name: str) -> bool:
    return modules()[name].name == "__init__.py"


def is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


@cache
def reexports(package: str) -> dict[str, str]:
    """Names a package ``__init__`` hands out, mapped to the module defining them."""
    out: dict[str, str] = {}
    for node in tree(package).body:
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            for alias in node.names:
                out[alias.asname or alias.name] = node.module
        targets = node.targets if isinstance(node, ast.Assign) else []
        if isinstance(node, ast.AnnAssign):
            targets = [node.target]
        value = node.value if isinstance(node, ast.Assign | ast.AnnAssign) else None
        if (
            any(isinstance(t, ast.Name) and t.id == "_LAZY" for t in targets)
            and isinstance(value, ast.Dict)
        ):
            for key, mod in zip(value.keys, value.values, strict=True):
                if isinstance(key, ast.Constant) and isinstance(mod, ast.Constant):
                    out[str(key.value)] = resolve_relative(package, str(mod.value), package)
    return out


def resolve_relative(name: str, target: str, package: str) -> str:
    """``target`` as ``importlib.import_module(target, package)`` would read it."""
    if not target.startswith("."):
        return target
    level = len(target) - len(target.lstrip("."))
    base = package.split(".")
    base = base[: len(base) - (level - 1)]
    rest = target.lstrip(".")
    return ".".join([*base, rest] if rest else base)


def target_of(module: str, name: str) -> str:
    """The module ``from module import name`` really reaches."""
    if f"{module}.{name}" in modules():
        return f"{module}.{name}"
    if module in modules() and is_package(module):
        defined = reexports(module).get(name)
        if defined is not None and defined != module and defined.startswith(ROOT):
            return target_of_module(defined, name)
    return module


def target_of_module(defined: str, name: str) -> str:
    # A re-export of a re-export (drills -> drills.fakes -> drills.fakes.errors).
    if defined in modules() and is_package(defined) and name in reexports(defined):
        return target_of(defined, name)
    return defined


def in_drills(name: str) -> bool:
    return name == ROOT or name.startswith(ROOT + ".")


@cache
def imports_of(importer: str) -> tuple[Import, ...]:
    """Every import of ``importer`` that reaches into ``drills``."""
    package = importer if is_package(importer) else importer.rpartition(".")[0]

    found: list[Import] = []
    todo: list[tuple[ast.AST, bool]] = [(tree(importer), True)]
    while todo:
        node, eager = todo.pop()
        if isinstance(node, ast.If) and is_type_checking(node.test):
            todo += [(child, False) for child in node.body]
            todo += [(child, eager) for child in node.orelse]
            continue
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            eager = False
        if isinstance(node, ast.Import):
            found += [Import(importer, a.name, node.lineno, eager) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = resolve_relative(importer, "." * node.level + base, package)
            found += [
                Import(importer, target_of(base, a.name), node.lineno, eager) for a in node.names
            ]
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and (node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id)
            == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            name = resolve_relative(importer, node.args[0].value, package)
            found.append(Import(importer, name, node.lineno, eager))
        todo += [(inner, eager) for inner in ast.iter_child_nodes(node)]
    found.sort(key=lambda i: (i.line, i.imported))
    return tuple(i for i in found if in_drills(i.imported) and i.imported != importer)


@cache
def all_imports() -> tuple[Import, ...]:
    return tuple(i for name in sorted(modules()) for i in imports_of(name))


def rank(name: str) -> int:
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        prefix = ".".join(parts[:end])
        if prefix in RANKS:
            return RANKS[prefix]
    raise KeyError(name)


def where(found: Import) -> str:
    return f"{modules()[found.importer].relative_to(REPO)}:{found.line}"


def allowed(found: Import, known: tuple[Known, ...]) -> bool:
    return any(k.importer == found.importer and k.imported == found.imported for k in known)


def layer_breaks() -> list[Import]:
    out = []
    for found in all_imports():
        if found.importer == ROOT:
            continue
        if found.importer.startswith("drills.reports"):
            if not found.imported.startswith(REPORTS_MAY_IMPORT):
                out.append(found)
        elif rank(found.imported) > rank(found.importer):
            out.append(found)
    return out


def import_graph() -> dict[str, set[str]]:
    """Module -> modules it imports (a name not a module counts as its package)."""
    graph: dict[str, set[str]] = {name: set() for name in modules()}
    for found in all_imports():
        if allowed(found, KNOWN_CYCLE_EDGES) or (found.importer == ROOT and not found.eager):
            continue
        target = found.imported
        while target not in modules() and "." in target:
            target = target.rpartition(".")[0]
        if target in modules() and target != found.importer:
            graph[found.importer].add(target)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def strongconnect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                strongconnect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            strongconnect(v)
    return out


def python_files(*folders: str) -> Iterator[Path]:
    for folder in folders:
        for path in sorted((REPO / folder).rglob("*.py")):
            if "__pycache__" not in path.parts:
                yield path


# -- the contract ---------------------------------------------------------------------


def test_every_module_has_a_layer() -> None:
    unranked = []
    for name in modules():
        try:
            rank(name)
        except KeyError:
            unranked.append(name)
    assert not unranked, f"add these modules to RANKS in {Path(__file__).name}: {unranked}"


def test_no_module_imports_a_higher_layer() -> None:
    breaks = [
        f"{where(f)}: {f.importer} (rank {rank(f.importer)}) imports {f.imported}"
        f" (rank {rank(f.imported)})"
        for f in layer_breaks()
        if not allowed(f, KNOWN_LAYER_BREAKS)
    ]
    assert not breaks, "lower layer imports a higher one:\n" + "\n".join(breaks)


def test_known_layer_breaks_are_still_there() -> None:
    found = {(f.importer, f.imported) for f in layer_breaks()}
    stale = [k for k in KNOWN_LAYER_BREAKS if (k.importer, k.imported) not in found]
    assert not stale, f"fixed, delete from KNOWN_LAYER_BREAKS: {stale}"


def test_no_import_cycle() -> None:
    found = cycles(import_graph())
    assert not found, "import cycles:\n" + "\n".join(" <-> ".join(c) for c in found)


def test_known_cycle_edges_are_still_there() -> None:
    edges = {(f.importer, f.imported) for f in all_imports()}
    stale = [k for k in KNOWN_CYCLE_EDGES if (k.importer, k.imported) not in edges]
    assert not stale, f"gone, delete from KNOWN_CYCLE_EDGES: {stale}"


def test_the_package_imports_only_the_root_error_eagerly() -> None:
    eager = [
        f"{where(f)}: {f.imported}"
        for f in imports_of(ROOT)
        if f.eager
        and not f.imported.startswith(ROOT_EAGER)
        and not allowed(f, KNOWN_ROOT_EAGER)
    ]
    assert not eager, "drills/__init__.py must stay lazy:\n" + "\n".join(eager)


def test_no_module_is_longer_than_the_limit() -> None:
    long = {}
    for path in python_files(*LIMITED_FOLDERS):
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_LINES:
            long[path.relative_to(REPO).as_posix()] = lines
    over = {p: n for p, n in long.items() if p not in KNOWN_LONG_MODULES}
    assert not over, f"modules over {MAX_LINES} lines, split them: {over}"
    stale = sorted(set(KNOWN_LONG_MODULES) - set(long))
    assert not stale, f"short enough now, delete from KNOWN_LONG_MODULES: {stale}"


@pytest.mark.parametrize("folder", ["drills", "scenarios", "fakes", "reports", "tests",
                                    "benchmarks", "scripts"])
def test_nothing_imports_the_folders_as_top_level_packages(folder: str) -> None:
    bad = []
    for path in python_files(folder):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                names = [(a.name, node.lineno) for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [(node.module, node.lineno)]
            else:
                continue
            for name, line in names:
                if name.split(".")[0] in TOP_LEVEL_NAMES:
                    bad.append(f"{path.relative_to(REPO)}:{line}: import {name}")
    assert not bad, "import these as drills.<name>:\n" + "\n".join(bad)


def test_the_contract_sees_the_linked_folders() -> None:
    # Guards the walk itself: a reader that skipped the links would pass vacuously.
    assert {"drills.scenarios.loader", "drills.fakes.store", "drills.reports.model"} <= set(
        modules()
    )
    assert any(f.importer.startswith("drills.scenarios") for f in all_imports())
