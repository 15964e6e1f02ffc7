"""Which fields each system keeps a history of, and for how long.

A repair can only put back a value someone still has. Business systems differ in what
they remember: a billing system keeps an event log with each object's previous values
for a few weeks; a CRM tracks the handful of fields an admin chose, for many months; an
email outbox, a help desk's free-text fields, a shop's orders and a warehouse copy keep
nothing but their current value. So a bulk revert by run id works only on fields the
system tracks, and only while it still keeps them; every other value must come from an
export or from re-running the fixed job.

What each table keeps is part of the world's declaration (``history:`` per table; the
built-in systems' choices, in ``worlds/builtin.yaml``, mirror common software of each
kind); a scenario overrides them per table with ``world.history`` (see
``docs/sources.md``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

__all__ = ["History"]


@dataclass(frozen=True)
class History:
    """A table's field history: the fields it tracks (``None``: every field) and how long."""

    fields: frozenset[str] | None
    keep: timedelta

    def tracks(self, field: str) -> bool:
        return self.fields is None or field in self.fields
