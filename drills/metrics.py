"""Live drill metrics that stop rules are checked against.

A stop rule like ``duplicate_messages >= 5`` or ``changed_records >= 100 within 5m``
must be checkable while the bad run is happening, from what a team could see: the
messages in the outbox, the records the job changed, the complaints. Counts come
from the run's ground truth (what is visibly wrong) and its change log (what the
job touched); ``within`` counts only the last stretch of drill time.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from fakes.store import SqlStore, format_time
from scenarios.truth import DamageKind, GroundTruth

__all__ = ["MetricReader"]


class MetricReader:
    """Reads one metric at a moment of the drill."""

    def __init__(self, store: SqlStore, truth: GroundTruth, run_id: str) -> None:
        self.store = store
        self.truth = truth
        self.run_id = run_id
        self.complaints: list[datetime] = []

    def read(self, metric: str, now: datetime, window: timedelta | None = None) -> float:
        since = now - window if window is not None else None

        def recent(at: datetime) -> bool:
            return since is None or at > since

        damage = [d for d in self.truth if recent(d.at)]
        if metric == "duplicate_messages":
            return sum(
                1 for d in damage if d.kind is DamageKind.EXTRA and d.table == "email.outbox"
            )
        if metric == "duplicate_records":
            return sum(
                1 for d in damage if d.kind is DamageKind.EXTRA and d.table != "email.outbox"
            )
        if metric == "blank_writes":
            return sum(
                1 for d in damage if d.kind is DamageKind.VALUE and d.wrong in ("", None)
            )
        if metric == "messages_without_review":
            return sum(
                1
                for d in damage
                if d.table == "email.outbox" and d.field == "status" and d.wrong == "sent"
            )
        if metric == "wrong_values":
            return sum(1 for d in damage if d.kind is not DamageKind.EXTRA)
        if metric == "complaints":
            return sum(1 for at in self.complaints if recent(at))
        if metric == "changed_records":
            return self._changed(since)
        if metric == "records_per_minute":
            return self._changed(now - timedelta(minutes=1)) / 1.0
        if metric == "status_flips":
            return self._status_flips(since)
        raise KeyError(metric)

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
