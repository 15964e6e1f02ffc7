"""How big a world may be: limits read by the world builder and by the scenario schema.

Kept apart from :mod:`drills.fakes.world` so that checking a scenario file's counts does not
import the factories, Faker and SQLAlchemy that building a world needs.
"""

from __future__ import annotations

__all__ = ["MAX_RECORDS_PER_TABLE", "MAX_TOTAL_RECORDS"]

MAX_RECORDS_PER_TABLE = 5_000_000
"""The most records one table may hold: past it a SQLite world takes minutes and GBs."""

MAX_TOTAL_RECORDS = 10_000_000
"""The most records a whole world may hold, all tables together (about 2-3 GB of SQLite)."""
