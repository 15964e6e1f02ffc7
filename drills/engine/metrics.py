"""Live drill metrics that stop rules are checked against.

A stop rule like ``duplicate_messages >= 5`` or ``changed_records >= 100 within 5m``
must be checkable while the bad run is happening, from what a team could see: the
messages in the outbox, the records the job changed, the complaints. Counts come
from the run's ground truth (what is visibly wrong) and its change log (what the
job touched); ``within`` counts only the last stretch of drill time.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections.abc import Callable
from datetime import datetime, timedelta

import sqlalchemy as sa

from drills.fakes.catalog import OUTBOX
from drills.fakes.store import SqlStore, format_time
from drills.scenarios.truth import Damage, DamageKind, GroundTruth

__all__ = ["MetricReader"]


_TRUTH_METRICS: dict[str, Callable[[Damage], bool]] = {
    "duplicate_messages": lambda d: d.kind is DamageKind.EXTRA and d.table == OUTBOX,
    "duplicate_records": lambda d: d.kind is DamageKind.EXTRA and d.table != OUTBOX,
    "blank_writes": lambda d: d.kind is DamageKind.VALUE and d.wrong in ("", None),
    "messages_without_review": lambda d: (
        d.table == OUTBOX and d.field == "status" and d.wrong == "sent"
    ),
    "wrong_values": lambda d: d.kind is not DamageKind.EXTRA,
}
"""Metrics counted from the ground truth: which damage each one counts."""


class _Tally:
    """The damage one truth metric counts, by the time each was first done.

    Kept up to date from the truth's journal, so a stop rule checked every tick costs
    what changed since the last tick, not a pass over every damaged field.
    """

    def __init__(self, counts: Callable[[Damage], bool]) -> None:
        self.counts = counts
        self.members: dict[tuple[str, int, str], datetime] = {}
        self.times: list[datetime] = []
        """Sorted times of the members (damage is first done as the clock moves on)."""

    def update(self, damage: Damage) -> None:
        now_in = self.counts(damage)
        was_in = damage.ident in self.members
        if now_in and not was_in:
            self.members[damage.ident] = damage.at
            insort(self.times, damage.at)
        elif was_in and not now_in:
            at = self.members.pop(damage.ident)
            del self.times[bisect_left(self.times, at)]

    def after(self, since: datetime | None) -> int:
        if since is None:
            return len(self.times)
        return len(self.times) - bisect_right(self.times, since)


class MetricReader:
    """Reads one metric at a moment of the drill."""

    def __init__(self, store: SqlStore, truth: GroundTruth, run_id: str) -> None:
        self.store = store
        self.truth = truth
        self.run_id = run_id
        self.complaints: list[datetime] = []
        self._tallies = {name: _Tally(rule) for name, rule in _TRUTH_METRICS.items()}
        self._seen = 0

    def read(self, metric: str, now: datetime, window: timedelta | None = None) -> float:
        since = now - window if window is not None else None
        tally = self._tallies.get(metric)
        if tally is not None:
            self._catch_up()
            return tally.after(since)
        if metric == "complaints":
            return sum(1 for at in self.complaints if since is None or at > since)
        if metric == "changed_records":
            return self._changed(since)
        if metric == "records_per_minute":
            return self._changed(now - timedelta(minutes=1)) / 1.0
        if metric == "status_flips":
            return self._status_flips(since)
        raise KeyError(metric)

    def _catch_up(self) -> None:
        """Bring every tally up to date with what the truth recorded since the last read."""
        upto = self.truth.position
        if upto == self._seen:
            return
        for damage in self.truth.since(self._seen, upto):
            for tally in self._tallies.values():
                tally.update(damage)
        self._seen = upto

    def _where(self, since: datetime | None) -> list[sa.ColumnElement[bool]]:
        cl = self.store.changelog
        conds = [cl.c.run_id == self.run_id]
        if since is not None:
            conds.append(cl.c.at > format_time(since))
        return conds

    def _changed(self, since: datetime | None) -> int:
        cl = self.store.changelog
        q = (
            sa.select(sa.func.count())
            .select_from(
                sa.select(cl.c.table_name, cl.c.record_key)
                .where(*self._where(since))
                .distinct()
                .subquery()
            )
        )
        with self.store.engine.connect() as conn:
            return int(conn.scalar(q) or 0)

    def _status_flips(self, since: datetime | None) -> int:
        """Status writes beyond the first per record: a status that keeps changing."""
        cl = self.store.changelog
        per_record = (
            sa.select((sa.func.count() - 1).label("flips"))
            .where(*self._where(since), cl.c.field == "status", cl.c.op == "update")
            .group_by(cl.c.table_name, cl.c.record_key)
            .subquery()
        )
        total = sa.select(sa.func.coalesce(sa.func.sum(per_record.c.flips), 0))
        with self.store.engine.connect() as conn:
            return int(conn.scalar(total) or 0)
