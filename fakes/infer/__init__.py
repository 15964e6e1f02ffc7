"""From a real export to a world declaration: ``drills world infer``'s library.

A team has the export of its systems (a CSV or JSONL file per table) long before it has
a declaration of them. This package reads such an export and writes the declaration
that would make a world like it (docs/worlds.md): a table per file, its count from the
rows, each field's type and generator from its values, with a comment per field saying
what was inferred from what, for people to check and edit.

It sits in ``fakes`` beside :mod:`drills.fakes.exports`, whose files it reads back, and
:mod:`drills.fakes.declared`, whose format it writes: it needs the catalog's field types
and key and nothing of scenarios or drills. One module per step: :mod:`.read` (files ->
profiles, and every way a file can be wrong), :mod:`.profile` (a column's counts),
:mod:`.rules` (profile -> field), :mod:`.declare` (the tables), :mod:`.render` (YAML).

No value of the export reaches the declaration but a choice's values, and those only
with ``keep_choices``: a test scans an inferred declaration for every cell of its export.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from drills.fakes.infer.declare import Inference, InferredTable, infer_world
from drills.fakes.infer.render import render_declaration
from drills.fakes.infer.rules import InferredField

__all__ = [
    "Inference",
    "InferredField",
    "InferredTable",
    "infer_declaration",
    "infer_world",
    "render_declaration",
]


def infer_declaration(
    paths: Sequence[Path], system: str | None = None, *, keep_choices: bool = False,
    name: str | None = None,
) -> str:
    """The declaration's YAML text for the export files ``paths`` (one per table).

    ``system`` names the system of files named after their table alone; ``name`` the
    world (by default the system, when there is one, else ``inferred``).
    """
    inference = infer_world(paths, system, keep_choices=keep_choices)
    systems = inference.systems
    chosen = name or (systems[0] if len(systems) == 1 else "inferred")
    return render_declaration(inference, chosen)
