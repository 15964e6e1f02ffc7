"""Read runbook files: the model when the file is sound, one line per problem when not.

Runbooks go through the same reader as scenarios (:mod:`drills.files`), so a
broken runbook reads exactly like a broken scenario in CI logs::

    ops/reminder.runbook.yaml:9:5: unknown key 'pause_jobb' (pause.0); did you mean 'pause_job'?

Loading runs :meth:`Runbook.cross_check` too, so a runbook that loads is one a drill
can follow. Gaps in what the runbook says (no backup owner, no snapshot) are not load
errors; they are lint findings, and the lint wants to point at lines as well. So
:func:`read_runbook` also returns :class:`Positions`, every key path's line and column
in the file, for :func:`drills.runbook.lint.lint_runbook` to put in a finding's
``where``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from drills.errors import DrillsError
from drills.fakes.active import using_catalog
from drills.fakes.catalog import Catalog
from drills.files import (
    FileError,
    KeyPath,
    YamlDocument,
    check_file,
    load_model,
    read_yaml,
)
from drills.runbook.schema import Runbook
from drills.scenarios.declaration import resolve
from drills.scenarios.loader import world_of_automation, world_of_file

__all__ = [
    "LoadedRunbook",
    "Positions",
    "load_runbook",
    "positions_of",
    "read_runbook",
    "runbook_world",
    "validate_runbook_file",
]

_WHAT = "runbook"
_MERGE = "tag:yaml.org,2002:merge"


@dataclass(frozen=True)
class Positions:
    """Where each key path of a file is written: ``('pause', 0, 'pause_job') -> (9, 6)``.

    A mapping key is placed at the key, a list item at the item. Paths the file does not
    write (a missing section) have no position; :meth:`line_of` then falls back to the
    nearest ancestor the file does write, so a finding about ``restart.approver`` in a
    file with ``restart: {}`` points at the ``restart`` line.
    """

    file: str
    spots: Mapping[KeyPath, tuple[int, int]] = field(default_factory=dict)

    def position(self, path: KeyPath) -> tuple[int, int] | None:
        """(line, column) of ``path`` or its nearest written ancestor; None for neither."""
        for end in range(len(path), 0, -1):
            spot = self.spots.get(path[:end])
            if spot is not None:
                return spot
        return None

    def line_of(self, path: KeyPath) -> int | None:
        spot = self.position(path)
        return None if spot is None else spot[0]


def positions_of(doc: YamlDocument) -> Positions:
    """Every key path of a parsed file and where it is (1-based line and column)."""
    spots: dict[KeyPath, tuple[int, int]] = {}
    stack: list[tuple[Node, KeyPath]] = [(doc.root, ())]
    while stack:
        node, path = stack.pop()
        if len(path) > 64:  # an alias that refers back up; read_yaml refuses deeper files
            continue
        if isinstance(node, MappingNode):
            for key, value in node.value:
                if not isinstance(key, ScalarNode) or key.tag == _MERGE:
                    continue
                child = (*path, str(key.value))
                spots.setdefault(child, (key.start_mark.line + 1, key.start_mark.column + 1))
                stack.append((value, child))
        elif isinstance(node, SequenceNode):
            for i, item in enumerate(node.value):
                child = (*path, i)
                spots.setdefault(child, (item.start_mark.line + 1, item.start_mark.column + 1))
                stack.append((item, child))
    return Positions(doc.file, spots)


@dataclass(frozen=True)
class LoadedRunbook:
    """A runbook with the file it came from and where each of its keys is written."""

    runbook: Runbook
    file: str
    positions: Positions


def runbook_world(path: Path) -> Catalog | None:
    """The systems the runbook at ``path`` names: its ``world:`` file's, else those of the
    built-in scenarios of its automation; None for the built-in ones (or a file too broken
    to tell: its own check says why)."""
    try:
        data = read_yaml(path, what=_WHAT).data
    except FileError:
        return None
    world = data.get("world")
    if isinstance(world, str):
        try:
            return world_of_file(resolve(world, path.parent))
        except (DrillsError, OSError):
            return None  # the world key's own check reports it
    automation = data.get("automation")
    return world_of_automation(automation) if isinstance(automation, str) else None


def load_runbook(path: str | Path, *, catalog: Catalog | None = None) -> Runbook:
    """The runbook in ``path``; raise the file's first :class:`FileError` (counting the rest).

    Systems, tables and fields are checked against ``catalog`` (the scenario the runbook
    is loaded for), else against :func:`runbook_world`.
    """
    where = Path(path)
    with using_catalog(catalog or runbook_world(where)):
        return load_model(where, Runbook, what=_WHAT, cross_check=Runbook.cross_check,
                          context={"base": where.parent})


def read_runbook(path: str | Path, *, catalog: Catalog | None = None) -> LoadedRunbook:
    """Like :func:`load_runbook`, with the key positions the lint points findings at."""
    runbook = load_runbook(path, catalog=catalog)
    doc = read_yaml(Path(path), what=_WHAT)
    return LoadedRunbook(runbook, doc.file, positions_of(doc))


def validate_runbook_file(path: Path) -> list[FileError]:
    """Every problem in a runbook file, cross-checks included; empty when it loads."""
    with using_catalog(runbook_world(path)):
        return check_file(path, Runbook, what=_WHAT, cross_check=Runbook.cross_check,
                          context={"base": path.parent}).errors
