"""Live drill metrics that stop rules are checked against, read from what a team can see.

A stop rule like ``duplicate_messages >= 5`` or ``changed_records >= 100 within 5m``
must be checkable while the bad run is happening by the person on duty, so every
metric here is read from the world as it shows itself: the change log (who wrote
what, from which value to which, when), the rows the run wrote (the outbox a person
can open) and the complaints that came in. Nothing here reads the drill's ground
truth: a duplicate is two messages that look the same to whoever receives them, a
blank write is a value the change log shows emptied, an unreviewed message is one the
outbox shows sent with its review flag unset although the job sends that template
only after review.

The run's change-log rows are read once each, as they come (the rows after the last
one seen, one query per moment), and tallied by the time each happened, so a rule
checked every tick costs what changed since the last tick. ``within`` counts only the
last stretch of drill time. Distinct records changed are counted by SQL over the
run's rows, which is what a team would query.
"""

from __future__ import annotations

import re
from bisect import bisect_right, insort
from collections import defaultdict
from collections.abc import Callable, Collection, Mapping
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from drills.fakes.active import CATALOG
from drills.fakes.catalog import KEY, Column, ColumnType
from drills.fakes.errors import WorldError
from drills.fakes.store import SqlStore, format_time
from drills.scenarios.badrun import delivery_log
from drills.scenarios.jobshape import JobShape, job_shape, review_templates

__all__ = ["DELIVERED", "TALLIED", "JobShape", "MetricReader", "fits", "job_shape",
           "review_templates"]

TALLIED = (
    "messages_sent", "duplicate_messages", "duplicate_records", "blank_writes",
    "misshapen_writes", "unexpected_writes", "bounced_emails", "messages_without_review",
    "approvals_skipped", "status_flips",
)
"""Metrics tallied from the run's change-log rows as they come."""

DELIVERED = ("delivery_drift", "redeliveries", "out_of_order_arrivals", "failed_calls",
             "redeliveries_per_event", "error_rate")
"""Metrics read from the delivery log: the sender's log of what it sent beside the job's
log of what it received (:data:`drills.scenarios.badrun.DELIVERY_LOG`)."""

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _is_datetime(text: str) -> bool:
    try:
        datetime.fromisoformat(text)
    except ValueError:
        return False
    return True


_SHAPES: Mapping[str, Callable[[str], bool]] = {
    "email": lambda v: _EMAIL.match(v) is not None,
    "date": lambda v: _DATE.match(v) is not None and _is_datetime(v),
    "datetime": _is_datetime,
}
"""A field kind -> whether a value has its shape; kinds not here take any text."""


def fits(column: Column, value: str) -> bool:
    """Whether a (non-blank) change-log value has the shape of ``column``'s values.

    What a team can check on sight or with a validation: one of a choice field's
    choices, an address with '@' and a domain, a date that is a date, digits in a
    number. Free text (names, notes) fits any value.
    """
    if column.type is ColumnType.INT:
        return value.lstrip("-").isdigit()
    if column.choices:
        return value in column.choices
    shape = _SHAPES.get(column.shape)
    return shape is None or shape(value)


def _blank(value: str | None) -> bool:
    return value is None or value == ""


class _Times:
    """When each counted thing happened, as sorted change-log times (fixed-width text)."""

    def __init__(self) -> None:
        self.times: list[str] = []

    def add(self, at: str) -> None:
        if not self.times or at >= self.times[-1]:
            self.times.append(at)
        else:
            insort(self.times, at)

    def after(self, since: str | None) -> int:
        if since is None:
            return len(self.times)
        return len(self.times) - bisect_right(self.times, since)


class MetricReader:
    """Reads one metric at a moment of the drill, from the world the run has written to.

    ``review`` names the templates the job sends only after review (see
    :func:`review_templates`); ``complaints`` is appended to as they come in.
    """

    def __init__(self, store: SqlStore, run_id: str, review: Collection[str] = (),
                 job: JobShape | None = None) -> None:
        self.store = store
        self.job = job
        self.run_id = run_id
        self.review = frozenset(review)
        self.complaints: list[datetime] = []
        self._tallies = {name: _Times() for name in TALLIED}
        self._seq = 0
        self._messages: set[tuple[str | None, ...]] = set()
        self._records: set[tuple[str | None, ...]] = set()
        self._approvals: set[str | None] = set()
        self._statuses: set[tuple[str, int]] = set()
        self._columns: dict[str, dict[str, Column]] = {}

    def read(self, metric: str, now: datetime, window: timedelta | None = None) -> float:
        since = now - window if window is not None else None
        tally = self._tallies.get(metric)
        if tally is not None:
            self._catch_up()
            return tally.after(format_time(since) if since is not None else None)
        if metric == "complaints":
            return sum(1 for at in self.complaints if since is None or at > since)
        if metric == "changed_records":
            return self._changed(since)
        if metric == "records_per_minute":
            return self._changed(now - timedelta(minutes=1)) / 1.0
        if metric in DELIVERED:
            return self._delivered(metric, now, since)
        raise KeyError(metric)

    def _delivered(self, metric: str, now: datetime, since: datetime | None) -> float:
        """One count over the delivery log, as the sender's and the job's logs show it at
        ``now``: drift counts events sent and not received; the others, what was received."""
        t = delivery_log(self.store)
        upto = format_time(now)
        conds: list[sa.ColumnElement[bool]] = [t.c.run_id == self.run_id]
        if metric == "delivery_drift":
            conds += [t.c.sent_at <= upto,
                      sa.or_(t.c.received_at.is_(None), t.c.received_at > upto)]
            if since is not None:
                conds.append(t.c.sent_at > format_time(since))
            counted: sa.ColumnElement[Any] = sa.func.count()
        else:
            conds += [t.c.received_at.is_not(None), t.c.received_at <= upto]
            if since is not None:
                conds.append(t.c.received_at > format_time(since))
            if metric == "redeliveries_per_event":
                counted = sa.func.coalesce(sa.func.max(t.c.deliveries - 1), 0)
            elif metric == "error_rate":
                # A share of what was received: no event received yet is no error rate.
                counted = sa.func.coalesce(
                    100.0 * sa.func.sum(t.c.failed) / sa.func.nullif(sa.func.count(), 0), 0)
            else:
                column = {"redeliveries": t.c.deliveries - 1, "out_of_order_arrivals":
                          t.c.out_of_order, "failed_calls": t.c.failed}[metric]
                counted = sa.func.coalesce(sa.func.sum(column), 0)
        with self.store.engine.connect() as conn:
            return float(conn.scalar(sa.select(counted).where(*conds)) or 0)

    # -- the run's change-log rows, each read once -----------------------------------------

    def _catch_up(self) -> None:
        """Tally the run's change-log rows written since the last read."""
        cl = self.store.changelog
        q = (
            sa.select(cl.c.seq, cl.c.at, cl.c.table_name, cl.c.record_key, cl.c.op,
                      cl.c.field, cl.c.old_value, cl.c.new_value)
            .where(cl.c.seq > self._seq, cl.c.run_id == self.run_id)
            .order_by(cl.c.seq)
        )
        inserted: dict[tuple[str, int], dict[str, str | None]] = defaultdict(dict)
        first_at: dict[tuple[str, int], str] = {}
        with self.store.engine.connect() as conn:
            rows = conn.execute(q).all()
        for seq, at, table, key, op, field, old, new in rows:
            self._seq = max(self._seq, int(seq))
            if op == "insert":
                ident = (table, int(key))
                inserted[ident][field] = new
                first_at.setdefault(ident, at)
            elif op == "update":
                self._update(at, table, int(key), field, old, new)
        for ident, values in inserted.items():
            if ident[0] == CATALOG.outbox:
                self._message(first_at[ident], values)
            else:
                self._record(first_at[ident], ident[0], values)

    def _column(self, table: str, field: str) -> Column | None:
        columns = self._columns.get(table)
        if columns is None:
            try:
                columns = {c.name: c for c in self.store.table(table).columns}
            except WorldError:
                columns = {}
            self._columns[table] = columns
        return columns.get(field)

    def _update(self, at: str, table: str, key: int, field: str, old: str | None,
                new: str | None) -> None:
        job = self.job
        if job is not None and (
            (table, field) not in job.writes
            or (table == job.table and field in job.where and old != job.where[field])
        ):
            self._tallies["unexpected_writes"].add(at)
        if _blank(new):
            if not _blank(old):
                self._tallies["blank_writes"].add(at)
        else:
            assert new is not None
            column = self._column(table, field)
            if column is not None and not fits(column, new):
                self._tallies["misshapen_writes"].add(at)
        if field == "status":
            ident = (table, key)
            if ident in self._statuses:
                self._tallies["status_flips"].add(at)
            else:
                self._statuses.add(ident)

    def _message(self, at: str, row: Mapping[str, str | None]) -> None:
        """One message the run wrote to the outbox, as whoever opens the outbox sees it."""
        sent = row.get("status") == "sent"
        same = (row.get("to_address"), row.get("template"), row.get("related"))
        if same in self._messages:
            self._tallies["duplicate_messages"].add(at)
        self._messages.add(same)
        if not sent:
            return
        self._tallies["messages_sent"].add(at)
        if self._outside_filter(row.get("related")):
            self._tallies["unexpected_writes"].add(at)
        address = row.get("to_address")
        if _blank(address) or _EMAIL.match(address or "") is None:
            self._tallies["bounced_emails"].add(at)
        if row.get("template") in self.review and row.get("reviewed") in (None, "", "0"):
            self._tallies["messages_without_review"].add(at)
            related = row.get("related")
            if related not in self._approvals:
                self._approvals.add(related)
                self._tallies["approvals_skipped"].add(at)

    def _outside_filter(self, related: str | None) -> bool:
        """A message about a trigger record the job's filter leaves out, as that record
        reads now (a newsletter for active customers sent to a churned one)."""
        job = self.job
        if job is None or not job.where or not related:
            return False
        table, _, key = related.rpartition(":")
        if table != job.table or not key.isdigit():
            return False
        record = self.store.get(table, int(key))
        return record is not None and any(
            str(record.get(f)) != v for f, v in job.where.items()
        )

    def _record(self, at: str, table: str, row: Mapping[str, str | None]) -> None:
        """One record the run created: a duplicate when one it created before looks the same
        (time stamps aside: two copies made a second apart are still the same record)."""
        same = (table, *(
            value for field, value in sorted(row.items())
            if field != KEY and not self._stamp(table, field)
        ))
        if same in self._records:
            self._tallies["duplicate_records"].add(at)
        self._records.add(same)

    def _stamp(self, table: str, field: str) -> bool:
        column = self._column(table, field)
        return column is not None and column.shape == "datetime"

    # -- distinct records changed, by SQL -------------------------------------------------

    def _changed(self, since: datetime | None) -> int:
        cl = self.store.changelog
        conds = [cl.c.run_id == self.run_id]
        if since is not None:
            conds.append(cl.c.at > format_time(since))
        q = (
            sa.select(sa.func.count())
            .select_from(
                sa.select(cl.c.table_name, cl.c.record_key).where(*conds).distinct().subquery()
            )
        )
        with self.store.engine.connect() as conn:
            return int(conn.scalar(q) or 0)
