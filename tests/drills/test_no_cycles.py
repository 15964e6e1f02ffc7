"""No import cycle anywhere in drills: a graph of every module's imports, read from the source.

Each module under ``drills/`` (following the links to ``scenarios/``, ``fakes/`` and
``reports/``) is parsed, not imported, and every ``import drills...`` /
``from drills... import ...`` it holds becomes an edge: at module level, under
``if TYPE_CHECKING:``, and deferred inside functions alike, because a cycle that only a
deferred import hides is still two modules that cannot be understood apart.

One thing is left out: the root package's ``if TYPE_CHECKING:`` block. ``drills/__init__.py``
is the public facade, a lazy map (PEP 562) naming ``drills.Drill``, ``drills.run_drill``
and the rest; that block only tells type checkers what the lazy names are. Modules that
read ``drills.__version__`` import the root package, so counting the facade's typing
block would make every such module a cycle with the whole library.
"""

from __future__ import annotations

import ast
import os
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "drills"


def _sources() -> Iterator[tuple[str, Path]]:
    """Every module of the package, by dotted name (symlinked subpackages followed)."""
    for folder, dirs, files in os.walk(PACKAGE, followlinks=True):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if not name.endswith(".py"):
                continue
            path = Path(folder) / name
            parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            yield ".".join(parts), path


def _type_checking_nodes(tree: ast.Module) -> set[int]:
    """The ids of import nodes inside a module-level ``if TYPE_CHECKING:`` block."""
    out: set[int] = set()
    for node in tree.body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            out.update(id(n) for n in ast.walk(node))
    return out


def _imports(module: str, path: Path, modules: set[str]) -> set[str]:
    """The modules of the package ``module`` imports, resolved to dotted names."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    skipped = _type_checking_nodes(tree) if module == "drills" else set()
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*parent, base] if base else parent)
            for alias in node.names:
                target = f"{base}.{alias.name}"
                out.add(target if target in modules else base)
    return {name for name in out if name in modules and name != module}


def import_graph() -> dict[str, set[str]]:
    sources = dict(_sources())
    modules = set(sources)
    return {module: _imports(module, path, modules) for module, path in sources.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected set of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group: list[str] = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _shown(group: list[str], graph: dict[str, set[str]]) -> str:
    members = set(group)
    return "; ".join(f"{m} -> {', '.join(sorted(graph[m] & members))}" for m in group)


def test_the_graph_reads_every_layer() -> None:
    graph = import_graph()
    for module in ("drills.engine.loop", "drills.engine.context", "drills.responders.scripted",
                   "drills.responders.live.responder", "drills.journal", "drills.api",
                   "drills.fakes.store", "drills.scenarios.schema", "drills.reports.model"):
        assert module in graph, module
    assert "drills.engine.context" in graph["drills.responders.scripted"]
    assert "drills.engine.loop" in graph["drills.api"] or "drills.responders.scripted" in (
        graph["drills.api"])


def test_no_import_cycle_in_drills() -> None:
    graph = import_graph()
    found = cycles(graph)
    assert not found, "import cycles:\n" + "\n".join(_shown(g, graph) for g in found)


def test_the_engine_imports_no_responder() -> None:
    """The engine sees responders as the Responder protocol of drills.engine.context only."""
    graph = import_graph()
    for module, targets in graph.items():
        if module.startswith("drills.engine"):
            assert not {t for t in targets if t.startswith("drills.responders")}, module


def test_a_cycle_is_found() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]
