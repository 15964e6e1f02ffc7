"""The generic ceilings on a file people wrote, shared by scenarios and runbooks.

Each limit is checked where the value is read and its error says the limit and how to stay
under it. They are generous: a real file needs far less. ``docs/limits.md`` lists every limit
of drills with its reason and its error. The file limits (size, aliases, nesting, numbers)
are enforced by :mod:`drills.files.reader` before anything is built from a file; the item and
text limits by the scenario and runbook models; the scenario-only limits (rates, drill length,
world size) stay in :mod:`drills.scenarios.limits`.
"""

from __future__ import annotations

from drills.errors import DrillsError

__all__ = [
    "MAX_ALIASES",
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "MAX_ITEMS",
    "MAX_NAME_LENGTH",
    "MAX_NODES",
    "MAX_NUMBER_LENGTH",
    "MAX_TEXT_LENGTH",
    "LimitError",
]

MAX_FILE_BYTES = 1024 * 1024
"""1 MiB. A scenario or runbook describes a world by counts; it never lists records."""

MAX_ALIASES = 100
"""YAML aliases (``*name``) per file; real files use a handful for shared settings."""

MAX_NODES = 100_000
"""Values a document may hold once every alias is expanded (stops "billion laughs")."""

MAX_DEPTH = 64
"""How deeply mappings and lists may nest; a scenario needs about six levels."""

MAX_NUMBER_LENGTH = 1_000
"""Characters in one number; no limit in a drill file needs more than 20 digits.

Python refuses to turn more than 4,300 digits into an ``int`` (a guard against slow
conversions); the reader refuses far earlier, with the line of the number.
"""


MAX_ITEMS = 100
"""Items in any one list of a scenario or a runbook (steps, feeders, syncs, stop rules)."""

MAX_NAME_LENGTH = 64
"""Characters in a name (a scenario, automation, feeder): names end up in file names."""

MAX_TEXT_LENGTH = 10_000
"""Characters in one text value (a title, a summary, a customer message): a page, not a book."""


class LimitError(DrillsError):
    """A request past one of the documented limits (see ``docs/limits.md``): a world too big
    for its disk, a count or rate past its ceiling, raised before anything is written."""
