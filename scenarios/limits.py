"""Documented ceilings on what a scenario may ask for, so a typo cannot fill the disk.

Each limit is checked where the value is parsed and its error says the limit and how
to stay under it. They are generous: a real drill needs far less. ``docs/limits.md``
lists every limit of drills with its reason and its error; this module holds the
scenario ones (the world's record limits live in :mod:`drills.fakes.sizes`, which builds
worlds without knowing of scenarios, and are re-exported here; the generic limits of any
file people write, with :class:`LimitError`, live in :mod:`drills.files.limits` and are
re-exported here too; the runbook ones in :mod:`drills.runbook.schema`).
"""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta
from pathlib import Path

from drills.fakes.sizes import MAX_RECORDS_PER_TABLE, MAX_TOTAL_RECORDS
from drills.files.limits import MAX_ITEMS, MAX_NAME_LENGTH, MAX_TEXT_LENGTH, LimitError

__all__ = [
    "BYTES_PER_RECORD",
    "EARLIEST_START",
    "LATEST_START",
    "MAX_DRILL_LENGTH",
    "MAX_ITEMS",
    "MAX_NAME_LENGTH",
    "MAX_PEOPLE_EDITS",
    "MAX_PEOPLE_PER_HOUR",
    "MAX_RATE_PER_MINUTE",
    "MAX_RECORDS_PER_TABLE",
    "MAX_REPEATS",
    "MAX_RUN_WRITES",
    "MAX_TEXT_LENGTH",
    "MAX_TOTAL_RECORDS",
    "MIN_INTERVAL",
    "LimitError",
    "check_disk_room",
    "database_bytes",
]

MAX_RATE_PER_MINUTE = 1_000_000
"""Events per minute of a fault."""

MAX_DRILL_LENGTH = timedelta(days=7)
"""How far a scenario's clock may run, and so the longest time a scenario may name
(``runs_for``, ``escalation_delay``, a fault's start, every interval and lag):
an incident drill is hours, not weeks."""

MIN_INTERVAL = timedelta(seconds=1)
"""The shortest ``every`` of a schedule: an interval of 0s is no schedule at all."""

MAX_REPEATS = 100
"""How often one event may be delivered (triple_trigger ``times``) or copied."""

MAX_RUN_WRITES = MAX_TOTAL_RECORDS
"""Records the bad run may write if nobody stops it: the records it reaches times what it
writes per record (``times``, ``copies``, ``flips``, steps). As large as the world may be."""

MAX_PEOPLE_PER_HOUR = 10_000
"""People's edits (or shadow fixes) per hour: fifty people editing every 20 seconds is 9,000."""

MAX_PEOPLE_EDITS = 100_000
"""People's edits and shadow fixes over the whole drill (per hour times ``runs_for``); each
is a write of its own, so this bounds the drill's time and its change log."""

EARLIEST_START = datetime(1900, 1, 1)
LATEST_START = datetime(2999, 12, 31, 23, 59, 59)
"""A scenario's ``starts``: the world's records are dated years before it, and the drill
and its runbook run on after it, and Python's dates end at the year 9999."""

BYTES_PER_RECORD = 600
"""What one record of the world costs on disk over a whole drill: the record, its warehouse
copy, its snapshot and the change log (measured: 400 bytes; a drill of 94,400 records left
a 38 MB database), with half again to spare."""


def database_bytes(records: int) -> int:
    """The disk a drill database of ``records`` records may need, at most."""
    return records * BYTES_PER_RECORD


def check_disk_room(db_path: Path, records: int, *, flag: str = "--db") -> None:
    """Refuse to seed ``records`` records into ``db_path`` when its disk lacks the room.

    Checked before anything is written, so a world too big for the disk is one line,
    not a disk filled to the last byte and a half-written database.
    """
    folder = db_path.parent if str(db_path.parent) else Path(".")
    try:
        free = shutil.disk_usage(folder).free
    except OSError:
        return  # the store reports a missing folder in its own words
    need = database_bytes(records)
    if need > free:
        raise LimitError(
            f"{flag} {db_path}: a world of {records:,} records needs up to {_size(need)} and "
            f"{folder} has {_size(free)} free; free some space, choose a folder on another "
            "disk, or leave out --db to keep the drill in memory"
        )


def _size(n: int) -> str:
    if n >= 10**9:
        return f"{n / 10**9:,.1f} GB"
    if n >= 10**6:
        return f"{n / 10**6:.1f} MB"
    return f"{n / 10**3:.1f} KB"
