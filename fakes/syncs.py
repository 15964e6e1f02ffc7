"""Healthy downstream copies that spread whatever the source holds, good or bad.

A bad run rarely stays in one system: a warehouse copy picks the damage up on its
next schedule, and a field sync carries a wrong status into billing a few minutes
later. Rule 4 ("check every downstream system the data was copied to") only means
something if the fake world has such copies, so these syncs behave like healthy
integrations: they do exactly their job, on the passed-in clock, and write through
the store as ``Actor.sync(name)`` so the change log shows what they carried.

Both syncs read the change log rather than rescanning tables. :class:`TableCopy`
brings over only the records the log says changed since its last run, and
:class:`FieldSync` delivers a source change no earlier than ``lag`` after it
happened, with the value it had then. Copies are set-based SQL where the store
offers it (``update_from``); only inserted or deleted records cross into Python.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any, Protocol, runtime_checkable

import sqlalchemy as sa

from drills.errors import DrillsError
from drills.fakes.active import CATALOG
from drills.fakes.actors import Actor
from drills.fakes.catalog import KEY, Catalog, ColumnType, warehouse_copy
from drills.fakes.changelog import LOG_COLUMNS, insert_log
from drills.fakes.store import Op, SqlStore, format_time

__all__ = [
    "FieldSync",
    "Sync",
    "SyncError",
    "SyncSchedule",
    "TableCopy",
    "run_due",
]


class SyncError(DrillsError):
    """A sync that is set up wrongly or run before it is ready."""


@runtime_checkable
class Sync(Protocol):
    """Anything the drill's clock can run on a schedule to carry data downstream."""

    name: str
    target: str
    """The table it writes to."""

    def due(self, now: datetime) -> bool:
        """Whether a run is due at ``now``."""
        ...

    def run(self, store: SqlStore, now: datetime) -> int:
        """Carry what is pending; returns how many target records it wrote."""
        ...

    def flush(self, store: SqlStore, now: datetime) -> int:
        """Carry everything changed up to ``now``, in flight or not (a drill's last word)."""
        ...


class _Every:
    """A fixed schedule anchored at the first run: due then, and every ``every`` after."""

    def __init__(self, every: timedelta | None, what: str) -> None:
        if every is not None and every <= timedelta(0):
            raise SyncError(f"{what} must run every positive interval, got {every}; "
                            "pass e.g. timedelta(minutes=15)")
        self.every = every
        self.first: datetime | None = None
        self.last: datetime | None = None

    @property
    def next_due(self) -> datetime | None:
        if self.first is None or self.last is None or self.every is None:
            return None
        periods = (self.last - self.first) // self.every + 1
        return self.first + periods * self.every

    def due(self, now: datetime) -> bool:
        nxt = self.next_due
        return nxt is None or now >= nxt

    def ran(self, now: datetime) -> None:
        if self.first is None:
            self.first = now
        self.last = now


class TableCopy:
    """The warehouse copy of one table, refreshed incrementally every ``every``.

    ``billing.invoices`` is copied to ``warehouse.billing_invoices``. :meth:`prime` lays
    down the baseline at world build; each :meth:`run` then brings over only the
    records that the change log shows changed in the source since the last copied
    ``seq``, whoever changed them (a person, the bad run, another sync).

    Repairs are the exception unless ``follows_repairs``: like a real incremental
    sync keyed on an "updated" watermark, it does not see a bulk repair done in the
    database underneath the application, so a repaired source leaves a stale copy
    behind until someone scopes and fixes the warehouse too (rule 4).
    """

    def __init__(
        self,
        source: str,
        every: timedelta,
        name: str | None = None,
        *,
        follows_repairs: bool = False,
        catalog: Catalog = CATALOG,
    ) -> None:
        src = catalog.table(source)
        if src.system == catalog.warehouse:
            raise SyncError(
                f"'{source}' is a warehouse copy already; copy the table it mirrors, "
                f"'{src.copy_of}'"
            )
        self.source = src.qualname
        self.copy = warehouse_copy(src, catalog.warehouse)
        self.target = self.copy.qualname
        self.name = name or f"copy {self.source} -> {self.target}"
        self.actor = Actor.sync(self.name)
        self._schedule = _Every(every, f"the copy of {self.source}")
        self._copied_seq: int | None = None
        self.follows_repairs = follows_repairs

    @property
    def every(self) -> timedelta:
        assert self._schedule.every is not None
        return self._schedule.every

    @property
    def next_due(self) -> datetime | None:
        """When the next run is due; ``None`` before the first run (due at once)."""
        return self._schedule.next_due

    @property
    def copied_seq(self) -> int | None:
        """The change-log ``seq`` the copy is up to date with; ``None`` before priming."""
        return self._copied_seq

    def due(self, now: datetime) -> bool:
        return self._schedule.due(now)

    def prime(self, store: SqlStore) -> int:
        """Create the copy table and fill it with every source record; not change-logged.

        One ``INSERT ... SELECT``; the change log's current end is read in the same
        transaction, so later runs start exactly where the baseline stops.
        """
        store.table(self.source)
        store.add_tables([self.copy])
        src = store.sa_table(self.source)
        dst = store.sa_table(self.target)
        fields = list(self.copy.field_names)
        with store.begin() as conn:
            if conn.scalar(sa.select(dst.c[KEY]).limit(1)) is not None:
                raise SyncError(
                    f"{self.target} holds records already; prime a copy once, at world "
                    "build, and call run() to bring it up to date"
                )
            copied = conn.execute(
                dst.insert()
                .from_select(fields, sa.select(*(src.c[f] for f in fields)))
                .execution_options(preserve_rowcount=True)
            ).rowcount
            self._copied_seq = _max_seq(conn, store)
        return int(copied)

    def flush(self, store: SqlStore, now: datetime) -> int:
        """A copy has no lag: flushing is one more run."""
        return self.run(store, now)

    def run(self, store: SqlStore, now: datetime) -> int:
        """Copy the records changed in the source since the last run; returns how many."""
        if self._copied_seq is None:
            raise SyncError(
                f"the copy {self.target} has not been primed; call prime(store) at world "
                "build before running it"
            )
        cl = store.changelog
        src = store.sa_table(self.source)
        dst = store.sa_table(self.target)
        with store.engine.connect() as conn:
            start = _max_seq(conn, store)
            touched = (
                sa.select(cl.c.record_key)
                .where(
                    cl.c.table_name == self.source,
                    cl.c.seq > self._copied_seq,
                    cl.c.seq <= start,
                    sa.true() if self.follows_repairs else cl.c.actor_kind != "repair",
                )
                .distinct()
            )
            if conn.scalar(touched.limit(1)) is None:
                # Nothing to carry (the common case once a run is contained): no scratch
                # tables, no statements. Most of a small drill's syncs end here.
                self._copied_seq = start
                self._schedule.ran(now)
                return 0
            gone = list(
                conn.scalars(
                    sa.select(dst.c[KEY])
                    .where(dst.c[KEY].in_(touched), ~_exists_key(src, dst.c[KEY]))
                    .order_by(dst.c[KEY])
                )
            )
        if gone:
            store.delete(self.target, gone, self.actor)
        self._copy_new(store, src, dst, touched)
        store.update_from(
            self.target,
            sa.select(src).where(src.c[KEY].in_(touched)),
            self.copy.data_fields,
            self.actor,
        )
        self._copied_seq = start
        self._schedule.ran(now)
        return _records_written(store, self.target, self.actor, after_seq=start)


    def _copy_new(
        self, store: SqlStore, src: sa.Table, dst: sa.Table, touched: sa.Select[Any]
    ) -> None:
        """Copy the records the source made since the last run, logged, in two statements.

        The change log first (read from the source, the values the copy takes), then one
        ``INSERT ... SELECT``: the rows the store's insert would log, in its order, with
        no Python object per record (a copy of 300,000 new activity rows held 1.5
        million log dictionaries and peaked a 1M drill at 1.5 GB).
        """
        fields = list(self.copy.field_names)
        made = sa.and_(src.c[KEY].in_(touched), ~_exists_key(dst, src.c[KEY]))
        with store.begin() as conn:
            log = insert_log(format_time(store.clock.now()), self.actor, self.target, src,
                             src.c[KEY], self.copy.data_fields, made)
            conn.execute(store.changelog.insert().from_select(list(LOG_COLUMNS), log))
            conn.execute(dst.insert().from_select(
                fields, sa.select(*(src.c[f] for f in fields)).where(made)
                .order_by(src.c[KEY])))


class FieldSync:
    """Carries one field to the records that point at its record, ``lag`` later.

    ``FieldSync("crm.contacts.status", "billing.invoices.customer_status",
    key="customer_id", lag=timedelta(minutes=5))`` sets each invoice's
    ``customer_status`` to its contact's ``status``. A change made at time ``t`` is
    delivered by the first run at or after ``t + lag`` and never before, with the
    value the change wrote (not whatever the source holds by then). With ``every``
    the sync polls on that schedule; without, every run is due and ``lag`` is its
    only delay (:meth:`next_delivery` says when the next change becomes deliverable).
    """

    def __init__(
        self,
        source: str,
        target: str,
        key: str,
        lag: timedelta,
        name: str | None = None,
        *,
        every: timedelta | None = None,
        catalog: Catalog = CATALOG,
    ) -> None:
        src_table, src_col = catalog.field(source)
        tgt_table, tgt_col = catalog.field(target)
        key_col = tgt_table.column(key)
        if key_col.type is not ColumnType.INT:
            raise SyncError(
                f"{tgt_table.qualname}.{key} holds text, but a sync key must hold the ids "
                f"of {src_table.qualname}; pick an integer field such as a '..._id' field"
            )
        if src_col.type is not tgt_col.type:
            raise SyncError(
                f"cannot sync {source} ({src_col.type}) into {target} ({tgt_col.type}); "
                "pick a target field of the same type"
            )
        if lag < timedelta(0):
            raise SyncError(f"a sync lag cannot be negative, got {lag}; pass timedelta(0) or more")
        if tgt_col.name == KEY or key == tgt_col.name:
            raise SyncError(f"{target} cannot be both the key and the synced field; "
                            "sync a data field")
        self.source_table = src_table.qualname
        self.source_field = src_col.name
        self.target_table = tgt_table.qualname
        self.target = self.target_table
        self.target_field = tgt_col.name
        self.key = key
        self.lag = lag
        self._int = tgt_col.type is ColumnType.INT
        self.name = name or f"sync {source} -> {target}"
        self.actor = Actor.sync(self.name)
        self._schedule = _Every(every, f"the sync {self.name}")
        self._handled_seq = 0

    @property
    def next_due(self) -> datetime | None:
        """When the next scheduled run is due; ``None`` when due at once or every run."""
        return self._schedule.next_due

    def prime(self, store: SqlStore) -> int:
        """Settle the target at world build: each linked record holds its source's value,
        as a sync that has run for years leaves it; not change-logged. Returns the
        records changed.

        A seeded world draws every field on its own, so without this a declared world's
        sync targets would disagree with their sources before anything went wrong, and
        the reconcile after a perfect repair would blame the drill for it.
        """
        src = store.sa_table(self.source_table)
        dst = store.sa_table(self.target_table)
        value = (sa.select(src.c[self.source_field])
                 .where(src.c[KEY] == dst.c[self.key]).scalar_subquery())
        linked = sa.exists().where(src.c[KEY] == dst.c[self.key])
        with store.begin() as conn:
            return int(conn.execute(
                dst.update()
                .where(linked, dst.c[self.target_field].is_distinct_from(value))
                .values({self.target_field: value})
                .execution_options(preserve_rowcount=True)
            ).rowcount)

    @property
    def handled_seq(self) -> int:
        """Every source change up to this change-log ``seq`` has been delivered."""
        return self._handled_seq

    def due(self, now: datetime) -> bool:
        return self._schedule.due(now)

    def next_delivery(self, store: SqlStore) -> datetime | None:
        """When the oldest undelivered source change becomes deliverable, if any."""
        cl = store.changelog
        with store.engine.connect() as conn:
            oldest = conn.scalar(
                sa.select(sa.func.min(cl.c.at)).where(*self._pending(store, self._handled_seq))
            )
        return None if oldest is None else datetime.fromisoformat(oldest) + self.lag

    def flush(self, store: SqlStore, now: datetime) -> int:
        """Deliver every source change made up to ``now``, the ones still within their lag too.

        At a drill's end the world is judged as it settles: a person's edit made a
        minute before the end is on its way downstream, not damage left behind.
        """
        return self.run(store, now + self.lag)

    def run(self, store: SqlStore, now: datetime) -> int:
        """Deliver the source changes made at or before ``now - lag``; returns records set."""
        cl = store.changelog
        store.table(self.source_table)
        store.table(self.target_table)
        with store.engine.connect() as conn:
            upto = int(
                conn.scalar(
                    sa.select(sa.func.max(cl.c.seq)).where(cl.c.at <= format_time(now - self.lag))
                )
                or 0
            )
        self._schedule.ran(now)
        if upto <= self._handled_seq:
            return 0
        # Each target record whose key names a changed source record takes the value of
        # that record's newest delivered change. The target table is scanned once (or
        # probed through an index on the key field) and each value is one indexed
        # look-up in the log; a join driven from the changed keys instead would scan
        # the whole target once per changed source record on SQLite.
        window = [*self._pending(store, self._handled_seq), cl.c.seq <= upto]
        with store.engine.connect() as conn:
            if conn.scalar(sa.select(cl.c.seq).where(*window).limit(1)) is None:
                self._handled_seq = upto  # no change of the source field to deliver
                return 0
        tgt = store.sa_table(self.target_table).alias("target")
        change = cl.alias("change")
        newest: sa.ColumnElement[Any] = (
            sa.select(change.c.new_value)
            .where(
                change.c.table_name == self.source_table,
                change.c.record_key == tgt.c[self.key],
                change.c.field == self.source_field,
                change.c.op.in_([Op.INSERT, Op.UPDATE]),
                change.c.seq > self._handled_seq,
                change.c.seq <= upto,
            )
            .order_by(change.c.seq.desc())
            .limit(1)
            .scalar_subquery()
        )
        if self._int:
            newest = sa.cast(newest, sa.Integer)
        rows = sa.select(tgt.c[KEY], newest.label(self.target_field)).where(
            tgt.c[self.key].in_(sa.select(cl.c.record_key).where(*window))
        )
        written = store.update_from(self.target_table, rows, [self.target_field], self.actor)
        self._handled_seq = upto
        return written

    def _pending(self, store: SqlStore, after_seq: int) -> list[sa.ColumnElement[bool]]:
        cl = store.changelog
        return [
            cl.c.table_name == self.source_table,
            cl.c.field == self.source_field,
            cl.c.op.in_([Op.INSERT, Op.UPDATE]),
            cl.c.seq > after_seq,
        ]


def run_due(syncs: Iterable[Sync], store: SqlStore, now: datetime) -> dict[str, int]:
    """Run every sync due at ``now``, in the order given; sync name -> records written.

    Order matters within one instant: list a field sync before the copy of its
    target table and the copy carries the synced value the same tick.
    """
    chosen = _unique(syncs)
    return {s.name: s.run(store, now) for s in chosen if s.due(now)}


class SyncSchedule:
    """The syncs of one world, primed together and run together as the clock moves.

    The schedule runs upstream syncs first: a sync that writes a table runs before
    the syncs that read it (a field sync into ``billing.invoices`` before the
    warehouse copy of ``billing.invoices``), so damage travels every hop that is due
    in the same tick, as it would in a real chain. Otherwise the given order holds.
    """

    def __init__(self, syncs: Iterable[Sync]) -> None:
        self.syncs: tuple[Sync, ...] = _upstream_first(_unique(syncs))

    def prime(self, store: SqlStore) -> dict[str, int]:
        """Settle every field sync, then prime every table copy, upstream first, at world
        build; copy name -> records copied."""
        copied: dict[str, int] = {}
        for sync in self.syncs:
            if isinstance(sync, FieldSync):
                sync.prime(store)
            elif isinstance(sync, TableCopy):
                copied[sync.name] = sync.prime(store)
        return copied

    def run_due(self, store: SqlStore, now: datetime) -> dict[str, int]:
        return run_due(self.syncs, store, now)


# -- internals ---------------------------------------------------------------------------


def _unique(syncs: Iterable[Sync]) -> tuple[Sync, ...]:
    chosen = tuple(syncs)
    seen: set[str] = set()
    for s in chosen:
        if s.name in seen:
            raise SyncError(
                f"two syncs are named '{s.name}'; give each a distinct name so the "
                "change log can tell their writes apart"
            )
        seen.add(s.name)
    return chosen


def _flow(sync: Sync) -> tuple[str, str] | None:
    """(table read, table written) for the syncs defined here; None for others."""
    if isinstance(sync, TableCopy):
        return sync.source, sync.target
    if isinstance(sync, FieldSync):
        return sync.source_table, sync.target_table
    return None


def _upstream_first(syncs: tuple[Sync, ...]) -> tuple[Sync, ...]:
    """Order so that writers of a table come before its readers; stable otherwise.

    Picks, each time, the first remaining sync that no other remaining sync feeds;
    in a cycle (which a healthy world should not have) the given order wins.
    """
    left = list(syncs)
    out: list[Sync] = []
    while left:
        for s in left:
            flow = _flow(s)
            fed = flow is not None and any(
                (other := _flow(o)) is not None and o is not s and other[1] == flow[0]
                for o in left
            )
            if not fed:
                break
        else:
            s = left[0]
        out.append(s)
        left.remove(s)
    return tuple(out)


def _max_seq(conn: sa.Connection, store: SqlStore) -> int:
    return int(conn.scalar(sa.select(sa.func.max(store.changelog.c.seq))) or 0)


def _exists_key(table: sa.Table, key: sa.ColumnElement[Any]) -> sa.Exists:
    return sa.exists().where(table.c[KEY] == key)


def _records_written(store: SqlStore, table: str, actor: Actor, *, after_seq: int) -> int:
    cl = store.changelog
    with store.engine.connect() as conn:
        return int(
            conn.scalar(
                sa.select(sa.func.count(sa.distinct(cl.c.record_key))).where(
                    cl.c.seq > after_seq,
                    cl.c.table_name == table,
                    cl.c.actor_name == actor.name,
                )
            )
            or 0
        )

