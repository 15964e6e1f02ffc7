"""The errors of the fake world: a wrong system, table or field, a refused store call.

They derive from the one root :class:`~drills.errors.DrillsError` (re-exported here with
its helpers :func:`did_you_mean` and :func:`one_line`, which the fakes' messages use), so
the CLI prints each as one line and exits 2.
"""

from __future__ import annotations

from drills.errors import DrillsError, did_you_mean, one_line

__all__ = [
    "DrillsError",
    "ExportError",
    "StoreError",
    "UnknownFieldError",
    "UnknownSystemError",
    "UnknownTableError",
    "WorldError",
    "did_you_mean",
    "one_line",
]


class WorldError(DrillsError):
    """The description of a fake world is wrong: a system, table, field or count."""


class UnknownSystemError(WorldError):
    """A system name that drills does not simulate."""


class UnknownTableError(WorldError):
    """A table that the named system does not have."""


class UnknownFieldError(WorldError):
    """A field that the named table does not have."""


class StoreError(DrillsError):
    """A write or read the store refused: a missing record, a duplicate key, a bad URL."""


class ExportError(DrillsError):
    """An export folder that is missing, incomplete or does not match its manifest."""
