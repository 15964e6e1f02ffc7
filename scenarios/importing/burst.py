"""Finding the bad run in an audit log, and reading what it did wrong.

A bad run looks like nobody else in the log: one actor (an integration user, a
workflow, an API client, a job's run) making many changes to many records, minutes
apart at most, at a rate far above everyone else's. Each actor's changes are cut into
sessions wherever ten minutes pass without one (:data:`GAP`); a session is a burst when
it is big (:data:`MIN_CHANGES` changes to :data:`MIN_RECORDS` records) and fast
(:data:`MIN_RATE` a minute, and :data:`OVER_BACKGROUND` times the rest of the log's).

What it did wrong is read from its values, the most telling sign first: a field
bouncing between two values on each record (``status_flapping``), the same change
written again and again (``triple_trigger``), real values overwritten with blanks
(``blank_writes``), one field's values landing in another (``wrong_field_mapping``).
A burst with none of these signs is refused: a drill of it would replay ordinary edits.
"""

from __future__ import annotations

import itertools
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from drills.scenarios.importing.changes import Change
from drills.scenarios.limits import MAX_REPEATS

__all__ = [
    "GAP",
    "MIN_CHANGES",
    "MIN_RATE",
    "MIN_RECORDS",
    "OVER_BACKGROUND",
    "Burst",
    "Finding",
    "find_bursts",
    "read_fault",
]

GAP = timedelta(minutes=10)
"""A pause this long in an actor's changes ends one session (a run) and starts the next."""
MIN_CHANGES = 20
MIN_RECORDS = 10
MIN_RATE = 2.0
"""Changes a minute: people editing by hand rarely keep this up for long."""
OVER_BACKGROUND = 5.0
"""A burst runs this many times faster than the rest of the log, per minute."""
_MOST = 0.5
_NEARLY_ALL = 0.8


@dataclass(frozen=True)
class Burst:
    """One actor's session that stands out: its changes, oldest first."""

    actor: str
    actor_kind: str
    run: str
    changes: tuple[Change, ...]
    table: str = field(init=False)
    """The ``system.table`` it changed most (the drill's triggering table)."""
    records: tuple[str, ...] = field(init=False)
    """The records of :attr:`table` it changed, in the order it first changed them."""

    def __post_init__(self) -> None:
        table = Counter(c.qualname for c in self.changes).most_common(1)[0][0]
        object.__setattr__(self, "table", table)
        object.__setattr__(self, "records", tuple(dict.fromkeys(
            c.record for c in self.changes if c.qualname == table)))

    @property
    def main(self) -> list[Change]:
        """Its changes to :attr:`table`."""
        return [c for c in self.changes if c.qualname == self.table]

    @property
    def minutes(self) -> float:
        return (self.changes[-1].at - self.changes[0].at) / timedelta(minutes=1)

    @property
    def changes_per_minute(self) -> float:
        return _per_minute(len(self.changes), self.minutes)

    @property
    def records_per_minute(self) -> float:
        return _per_minute(len(self.records), self.minutes)


def _per_minute(count: int, minutes: float) -> float:
    """Events a minute over a span: n events at a steady pace span n - 1 gaps."""
    return float(count) if minutes <= 0 else (count - 1) / minutes


@dataclass(frozen=True)
class Finding:
    """What the burst did wrong: a fault kind, its keys (export field names) and the
    healthy step the job meant to take."""

    kind: str
    keys: dict[str, Any]
    step: dict[str, Any]
    """``{'field': name, 'value': v}`` or ``{'field': name, 'from': name}``."""


def find_bursts(changes: Sequence[Change]) -> tuple[list[Burst], list[Change]]:
    """The bursts in an export, oldest first, and the background (every other edit)."""
    edits = sorted((c for c in changes if not c.initial), key=lambda c: c.at)
    if not edits:
        return [], []
    sessions: list[list[Change]] = []
    open_: dict[tuple[str, str], list[Change]] = {}
    for change in edits:
        key = (change.actor, change.run)
        current = open_.get(key)
        if current is None or change.at - current[-1].at > GAP:
            current = []
            sessions.append(current)
            open_[key] = current
        current.append(change)
    span = (edits[-1].at - edits[0].at) / timedelta(minutes=1)
    candidates = [s for s in sessions if _big_and_fast(s)]
    inside = {id(c) for s in candidates for c in s}
    background = [c for c in edits if id(c) not in inside]
    calm = len(background) / max(span, 1.0)
    made = [Burst(s[0].actor, s[0].actor_kind, s[0].run, tuple(s)) for s in candidates]
    bursts = [b for b in made if b.changes_per_minute >= OVER_BACKGROUND * calm]
    kept = {id(c) for b in bursts for c in b.changes}
    return (sorted(bursts, key=lambda b: b.changes[0].at),
            [c for c in edits if id(c) not in kept])


def _big_and_fast(session: list[Change]) -> bool:
    records = len({(c.qualname, c.record) for c in session})
    minutes = (session[-1].at - session[0].at) / timedelta(minutes=1)
    return (len(session) >= MIN_CHANGES and records >= MIN_RECORDS
            and _per_minute(len(session), minutes) >= MIN_RATE)


def read_fault(burst: Burst, export: Sequence[Change]) -> Finding | None:
    """The fault kind the burst's values show, or None when they look like plain edits."""
    main = burst.main
    by_field = Counter(c.field for c in main)
    top = by_field.most_common(1)[0][0]
    return (_flapping(main, top) or _repeats(main) or _blanks(main, by_field)
            or _wrong_mapping(burst, main, top, export))


def _flapping(main: list[Change], top: str) -> Finding | None:
    seqs: dict[str, list[Change]] = {}
    for c in main:
        if c.field == top:
            seqs.setdefault(c.record, []).append(c)
    values = {v for s in seqs.values() for c in s for v in (c.old, c.new)}
    bouncing = [s for s in seqs.values() if len(s) >= 3 and all(
        a.new != b.new and a.old != a.new for a, b in itertools.pairwise(s))]
    if len(values) != 2 or len(bouncing) < _MOST * len(seqs):
        return None
    bad = Counter(s[-1].new for s in bouncing).most_common(1)[0][0]
    good = next(v for v in sorted(values) if v != bad)
    flips = max(1, int(statistics.median(len(s) for s in bouncing)) // 2)
    return Finding("status_flapping",
                   {"field": top, "between": [bad, good], "flips": min(flips, MAX_REPEATS)},
                   {"field": top, "value": good})


def _repeats(main: list[Change]) -> Finding | None:
    per_record: dict[str, Counter[tuple[str, str]]] = {}
    for c in main:
        per_record.setdefault(c.record, Counter())[(c.field, c.new)] += 1
    tops = [counts.most_common(1)[0] for counts in per_record.values()]
    repeated = [n for _, n in tops if n >= 2]
    if len(repeated) < _MOST * len(tops):
        return None
    times = max(2, min(MAX_REPEATS, int(statistics.median(repeated))))
    (name, value), _ = Counter(t for t, _ in tops).most_common(1)[0]
    return Finding("triple_trigger", {"times": times}, {"field": name, "value": value})


def _blanks(main: list[Change], by_field: Counter[str]) -> Finding | None:
    blanked = Counter(c.field for c in main if not c.new.strip() and c.old.strip())
    fields = [f for f, n in blanked.most_common() if n >= _NEARLY_ALL * by_field[f]]
    if sum(blanked[f] for f in fields) < _MOST * len(main):
        return None
    return Finding("blank_writes", {"fields": fields, "blank": "empty"},
                   {"field": fields[0], "from": fields[0]})


def _wrong_mapping(burst: Burst, main: list[Change], into: str,
                   export: Sequence[Change]) -> Finding | None:
    written = Counter(c.new for c in main if c.field == into)
    total = sum(written.values())
    inside = {id(c) for c in burst.changes}
    seen: dict[str, set[str]] = {}
    for c in export:
        if c.qualname != burst.table:
            continue
        values = seen.setdefault(c.field, set())
        values.add(c.old)
        if id(c) not in inside:
            values.add(c.new)
    own = seen.get(into, set())

    def share(values: set[str]) -> float:
        return sum(n for v, n in written.items() if v in values) / total

    if share(own) > 1 - _NEARLY_ALL:
        return None
    best = max((f for f in seen if f != into), key=lambda f: share(seen[f]), default=None)
    if best is None or share(seen[best]) < _NEARLY_ALL:
        return None
    value = written.most_common(1)[0][0]
    return Finding("wrong_field_mapping", {"writes": best, "into": into},
                   {"field": best, "value": value})
