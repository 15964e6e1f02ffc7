"""Documented ceilings on what a scenario may ask for, so a typo cannot fill the disk.

Each limit is checked where the value is parsed and its error says the limit and how
to stay under it. They are generous: a real drill needs far less.
"""

from __future__ import annotations

from datetime import timedelta

__all__ = [
    "MAX_DRILL_LENGTH",
    "MAX_RATE_PER_MINUTE",
    "MAX_RECORDS_PER_TABLE",
    "MAX_REPEATS",
    "MAX_TOTAL_RECORDS",
]

MAX_RECORDS_PER_TABLE = 5_000_000
"""One table of the fake world; a million-record drill fits five times over."""

MAX_TOTAL_RECORDS = 10_000_000
"""The whole world, all tables together (about 2-3 GB of SQLite)."""

MAX_RATE_PER_MINUTE = 1_000_000
"""Events per minute of a fault or of people's edits."""

MAX_DRILL_LENGTH = timedelta(days=7)
"""How far a scenario's clock may run; an incident drill is hours, not weeks."""

MAX_REPEATS = 100
"""How often one event may be delivered (triple_trigger ``times``) or copied."""
