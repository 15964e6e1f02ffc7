"""One change, as every audit-log format is read into: the importer's common currency.

Salesforce field history, HubSpot property history, Stripe events and a database's own
change table all say the same thing in their own words: at this time, this actor set
this field of this record from that value to this one. Each reader
(:mod:`.formats`) turns its rows into :class:`Change` values, so finding the bad run
(:mod:`.burst`) and rebuilding the world (:mod:`.build`) know no format.

The values are the export's own, unmasked: they stay in memory and only counts, field
names, choice values and pseudonyms (:mod:`.mask`) leave this package.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from drills.files.fileerror import FileError

__all__ = ["Change", "Export", "parse_time"]


@dataclass(frozen=True, slots=True)
class Change:
    """One field of one record set from ``old`` to ``new`` by ``actor`` at ``at``.

    ``run`` groups an actor's changes into one job run when the export says so (a
    generic log's ``run``/``batch``); ``initial`` marks a value the record was created
    with (HubSpot's oldest history entry): it says what a field holds, not that anyone
    changed it, so it is profiled but never counted as an edit.
    """

    system: str
    table: str
    record: str
    field: str
    old: str
    new: str
    at: datetime
    actor: str
    actor_kind: str
    """What the actor is, for the reading: 'user', 'workflow', 'API', 'actor'."""
    run: str
    file: str
    line: int
    initial: bool = False

    @property
    def qualname(self) -> str:
        return f"{self.system}.{self.table}"


@dataclass(frozen=True)
class Export:
    """Every change read from the files, and what they came from (for the incident)."""

    changes: tuple[Change, ...]
    sources: tuple[str, ...]
    """One label per file, like 'Salesforce field history (ContactHistory.csv)'."""
    systems: tuple[str, ...]
    """The source systems, in order of first appearance."""


def parse_time(raw: object, file: str, line: int, what: str) -> datetime:
    """An export's time as naive UTC: ISO 8601 (with ``Z`` or ``+0000``), or epoch
    seconds or milliseconds. Raises a one-line :class:`FileError` otherwise."""
    when: datetime | None = None
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        when = _epoch(float(raw))
    elif isinstance(raw, str):
        text = raw.strip()
        if text.isdigit():
            when = _epoch(float(text))
        else:
            try:
                when = datetime.fromisoformat(text.replace("Z", "+00:00"))
            except ValueError:
                when = None
    if when is None:
        shown = repr(raw)[:60]
        raise FileError(file, line, 1, f"{what} {shown} is not a time",
                        fix="export times as ISO 8601 (2026-03-02T09:10:00Z) or epoch seconds")
    if when.tzinfo is not None:
        when = when.astimezone(UTC).replace(tzinfo=None)
    return when


def _epoch(value: float) -> datetime | None:
    if value > 1e11:  # milliseconds, as HubSpot and many logs write them
        value /= 1000
    try:
        return datetime(1970, 1, 1) + timedelta(seconds=value)
    except (OverflowError, ValueError):  # past the calendar, or not a number (nan)
        return None
