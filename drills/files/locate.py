"""Walk a key path down a YAML node tree to the line and column a person should look at.

PyYAML's composed nodes keep the position of every key and value; pydantic's errors and the
cross-checks name a key path. This module joins the two, following ``<<`` merges and the
tag segments pydantic adds for tagged unions, and stops where the file stops (a missing key
is pointed at the mapping that should hold it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from yaml.error import Mark
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from drills.files.fileerror import KeyPath

__all__ = ["MERGE_TAG", "Spot", "locate", "mark_position"]

MERGE_TAG = "tag:yaml.org,2002:merge"
"""The tag of a ``<<: *anchor`` key."""


def mark_position(mark: Mark | None) -> tuple[int, int]:
    if mark is None:
        return 1, 1
    return mark.line + 1, mark.column + 1


@dataclass(frozen=True)
class Spot:
    node: Node
    key: Node | None
    path: KeyPath
    rest: KeyPath

    def position(self) -> tuple[int, int]:
        """A scalar's own position; for a mapping or list, the key that holds it."""
        if isinstance(self.node, ScalarNode) or self.key is None:
            return mark_position(self.node.start_mark)
        return mark_position(self.key.start_mark)


def _lookup(node: MappingNode, name: str) -> tuple[Node, Node] | None:
    """The last ``name: value`` pair (the one PyYAML keeps), looking into ``<<`` merges."""
    for key, value in reversed(node.value):
        if isinstance(key, ScalarNode) and key.value == name and key.tag != MERGE_TAG:
            return key, value
    for key, value in node.value:
        if isinstance(key, ScalarNode) and key.tag == MERGE_TAG:
            merged = value.value if isinstance(value, SequenceNode) else [value]
            for source in merged:
                if isinstance(source, MappingNode):
                    found = _lookup(source, name)
                    if found is not None:
                        return found
    return None


def _is_tag(node: MappingNode, segment: str) -> bool:
    """A segment pydantic adds for a tagged union: the value of the discriminating key."""
    return any(
        isinstance(k, ScalarNode) and isinstance(v, ScalarNode) and v.value == segment
        for k, v in node.value
    )


def locate(root: Node, loc: Sequence[str | int]) -> Spot:
    """Walk ``loc`` down the node tree as far as the file goes."""
    node, key = root, None
    path: list[str | int] = []
    for i, segment in enumerate(loc):
        if isinstance(node, MappingNode) and isinstance(segment, str | int):
            found = _lookup(node, str(segment))
            if found is None:
                if isinstance(segment, str) and _is_tag(node, segment):
                    continue
                return Spot(node, key, tuple(path), tuple(loc[i:]))
            key, node = found
        elif (
            isinstance(node, SequenceNode)
            and isinstance(segment, int)
            and 0 <= segment < len(node.value)
        ):
            key, node = None, node.value[segment]
        else:
            return Spot(node, key, tuple(path), tuple(loc[i:]))
        path.append(segment)
    return Spot(node, key, tuple(path), ())
