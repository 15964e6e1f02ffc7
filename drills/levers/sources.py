"""Where a repair's right values come from: only what the team would really have.

The harness knows every value the bad run broke and what it should hold; a team does
not. A team puts a field back from one of these, and each gives only what it holds:

* **rerun** - the fixed job run again over the records the run handled. It writes what
  the job should have written (a date into the date field instead of the note), and
  nothing for a record the job should never have touched. Needs the cause found.
* **history** - a system's field history (:mod:`drills.fakes.history`): the value before
  the run's first write, for tracked fields only, and only while the system keeps it.
* **export** - the last clean export the runbook names, taken on its schedule before
  the bad run. It holds each field as it was when taken, so a person's legitimate change
  made after it comes back stale, and a record created after it is not in it at all.
* **replay** - the events the sender's log lists as sent that the job's own log never
  received (lost on the way), run through the fixed job. Needs the cause found and a
  sender that keeps a log of what it sent: a webhook or a queue feeding the job.

A snapshot taken during the incident holds damaged values and is never a source of right
ones. A field no available source holds is left as it is and counted, per table, as
missing a source: the repair report says which source was missing for how many records.

Every source is one ``UPDATE`` over the stage's damage table, in order of preference, each
filling only what an earlier one left empty; nothing here reads the ground truth.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

import sqlalchemy as sa

from drills.fakes.automations import PlanContext, Update, Write, fetch_records
from drills.fakes.catalog import KEY
from drills.fakes.history import History
from drills.fakes.store import Op, SqlStore, Value, encode_value, format_time
from drills.runbook import Runbook
from drills.runbook.proof import cause_problem
from drills.scenarios.badrun import BadRun, edited_after
from drills.scenarios.faults._delivery import GUARDED_BY
from drills.scenarios.schema import Scenario

__all__ = [
    "RERUN_VALUES",
    "RepairSources",
    "Source",
    "as_received",
    "export_taken_at",
    "fill_right_values",
    "guarded",
    "keeps_sender_log",
    "rerun_values",
    "sources_for",
]

RERUN_VALUES = "_drills_rerun_values"
"""What the fixed job writes to the records the run handled: the rerun source's values."""


class Source(StrEnum):
    RERUN = "rerun"
    HISTORY = "history"
    EXPORT = "export"
    REPLAY = "replay"


@dataclass(frozen=True)
class RepairSources:
    """What the team has to repair from at the moment of the repair."""

    history: Mapping[str, History] = field(default_factory=dict)
    export_at: datetime | None = None
    """When the clean export the runbook names was taken; None when it names none."""
    rerun: bool = False
    """Whether the fixed job can be run again (the cause is known)."""
    replay: bool = False
    """Whether lost events can be replayed from the sender's log (the cause is known, and a
    webhook or queue feeds the job)."""
    allowed: Collection[Source] = tuple(Source)

    def uses(self, source: Source) -> bool:
        return source in self.allowed


def sources_for(scenario: Scenario, runbook: Runbook | None) -> RepairSources:
    """What a team following ``runbook`` has to repair from in ``scenario``'s world.

    Field history is the systems' own, whatever the runbook says; the export exists only
    if the runbook names one (as old as its schedule makes it when the run starts); the
    fixed job can be rerun only once the cause is known (``restart.cause``). A runbook's
    ``repair.from`` narrows these to the ones it names.
    """
    export = runbook.last_clean_export if runbook is not None else None
    repair = runbook.repair if runbook is not None else None
    restart = runbook.restart if runbook is not None else None
    run_start = scenario.starts + scenario.fault.starts
    cause = (restart is not None and cause_problem(restart.cause) is None) or guarded(
        scenario, runbook)
    return RepairSources(
        history=scenario.world.field_history(),
        export_at=export_taken_at(run_start, export.every) if export is not None else None,
        rerun=cause,
        replay=cause and keeps_sender_log(scenario),
        allowed=tuple(Source(s) for s in (repair.from_ if repair and repair.from_ else Source)),
    )


def guarded(scenario: Scenario, runbook: Runbook | None) -> bool:
    """Whether the runbook's ``deliveries`` guard answers the drill's fault, so the team
    knows what each event should have written without the cause written down.

    A job that dedupes by event id can sort the run's writes by event from its own log
    (the first delivery of each event is the event's; the rest are repeats), and one
    that applies each record's latest event by the sender's time can tell the newest
    event from the late ones. Either way the job as written, each event once and in
    order, is what should have run: the values the fixed job gives.
    """
    spec = runbook.deliveries if runbook is not None else None
    guard = GUARDED_BY.get(scenario.fault.kind)
    return spec is not None and guard is not None and guard in spec.guards


def keeps_sender_log(scenario: Scenario) -> bool:
    """Whether something feeding the job keeps a log of what it sent: a webhook's sender
    (Stripe and Shopify list every event) or a queue (its messages have ids)."""
    auto = scenario.automation
    return auto.trigger.webhook is not None or any(
        f.kind in ("webhook", "queue") for f in auto.feeders)


def export_taken_at(run_start: datetime, every: timedelta) -> datetime:
    """The last export on an ``every`` schedule (counted from midnight) before ``run_start``."""
    midnight = run_start.replace(hour=0, minute=0, second=0, microsecond=0)
    if every <= timedelta(0):
        return run_start
    if every >= timedelta(days=1):
        days = max(1, round(every / timedelta(days=1)))
        return midnight - timedelta(days=days - 1)
    steps = (run_start - midnight) // every
    return midnight + steps * every


def rerun_values(store: SqlStore, run: BadRun, at: datetime) -> sa.Table:
    """Load into :data:`RERUN_VALUES` every field the fixed job writes when run again over
    the records the run handled (its own log of them), and return that table.

    The job is replayed on the records as it received them (a webhook's payload, a
    queue's message): each as it stood when the run began, so neither the run's own
    writes nor a person's later edit to a field the job reads changes what it computes.
    """
    t = store.work_table(
        RERUN_VALUES,
        sa.Column("table_name", sa.Text, primary_key=True),
        sa.Column("record_key", sa.Integer, primary_key=True),
        sa.Column("field", sa.Text, primary_key=True),
        sa.Column("value", sa.Text),
        sa.Column("replayed", sa.Integer, nullable=False, default=0),
    )
    rows: dict[tuple[str, int, str], tuple[Value, int]] = {}
    handled = set(run.handled)
    keys = list(dict.fromkeys([*run.handled, *run.sent]))
    if keys:
        auto = run.automation
        ctx = PlanContext(store, at, auto.name, auto.table)
        records = as_received(store, auto.table, fetch_records(store, auto.table, keys),
                               run.scenario.starts + run.scenario.fault.starts)
        plans = auto.plan(records, ctx)
        newer = _changed_since_sent(store, run, plans)
        for key, writes in plans.items():
            for w in writes:
                ident = (w.table, w.key, w.field) if type(w) is Update else None
                if ident is not None and ident not in newer:
                    rows[ident] = (w.value, 0 if key in handled else 1)  # type: ignore[union-attr]
    with store.begin() as conn:
        conn.execute(t.delete())
        store.backend.bulk_load(
            conn, t, ("table_name", "record_key", "field", "value", "replayed"),
            [(tb, k, f, encode_value(v), r) for (tb, k, f), (v, r) in sorted(rows.items())],
        )
        store.backend.analyze(conn, t)
    return t


def _changed_since_sent(
    store: SqlStore, run: BadRun, plans: Mapping[int, list[Write]]
) -> set[tuple[str, int, str]]:
    """Fields of late events' records a person changed after the event was sent: the fixed
    job lets a change newer than its event win, so it writes nothing there."""
    if not run.sent_at:
        return set()
    trigger = run.automation.table
    since = {(trigger, key): sent for key, sent in run.sent_at.items()}
    fields = [(w.table, w.key, w.field) for key in run.sent_at for w in plans.get(key, ())
              if type(w) is Update and w.table == trigger]
    return edited_after(store, fields, since)


def as_received(
    store: SqlStore, table: str, records: list[dict[str, Value]], since: datetime
) -> list[dict[str, Value]]:
    """``records`` as they stood at ``since``: each field changed later takes back the value
    its first later change found (the change log holds it)."""
    cl = store.changelog
    wanted = {int(r[KEY]) for r in records}  # type: ignore[arg-type]
    first: dict[tuple[int, str], str | None] = {}
    with store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(cl.c.record_key, cl.c.field, cl.c.old_value)
            .where(cl.c.table_name == table, cl.c.op == Op.UPDATE,
                   cl.c.at >= format_time(since))
            .order_by(cl.c.seq)
        )
        for key, name, old in rows:
            if int(key) in wanted:
                first.setdefault((int(key), name), old)
    columns = {c.name: c for c in store.table(table).columns}
    out: list[dict[str, Value]] = []
    for record in records:
        key = int(record[KEY])  # type: ignore[arg-type]
        then = dict(record)
        for name in record:
            if (key, name) in first:
                then[name] = columns[name].decode(first[(key, name)])
        out.append(then)
    return out


def fill_right_values(
    store: SqlStore, damage: sa.Table, run_id: str, sources: RepairSources, now: datetime,
    rerun: sa.Table | None,
) -> None:
    """Set ``right_value`` and ``source`` of each damage row from the first source holding it."""
    cl = store.changelog
    unset = damage.c.source.is_(None)
    with store.begin() as conn:
        for source, replayed, have in ((Source.RERUN, 0, sources.rerun),
                                       (Source.REPLAY, 1, sources.replay)):
            if rerun is None or not have or not sources.uses(source):
                continue
            match = sa.and_(
                rerun.c.table_name == damage.c.table_name,
                rerun.c.record_key == damage.c.record_key,
                rerun.c.field == damage.c.field,
                rerun.c.replayed == replayed,
            )
            conn.execute(damage.update().where(unset, sa.exists().where(match)).values(
                right_value=sa.select(rerun.c.value).where(match).scalar_subquery(),
                source=source.value,
            ))
        if sources.uses(Source.HISTORY):
            for table, kept in sorted(sources.history.items()):
                _from_history(conn, cl, damage, run_id, table, kept, now)
        if sources.export_at is not None and sources.uses(Source.EXPORT):
            _from_export(conn, cl, damage, format_time(sources.export_at))


def _run_writes(cl: sa.Table, damage: sa.Table, run_id: str) -> list[sa.ColumnElement[bool]]:
    return [
        cl.c.run_id == run_id,
        cl.c.actor_kind == "automation",
        cl.c.table_name == damage.c.table_name,
        cl.c.record_key == damage.c.record_key,
        cl.c.field == damage.c.field,
    ]


def _from_history(
    conn: sa.Connection, cl: sa.Table, damage: sa.Table, run_id: str, table: str,
    kept: History, now: datetime,
) -> None:
    """The value before the run's first write, where the field is tracked and still kept."""
    cutoff = format_time(now - kept.keep)
    scope = [damage.c.source.is_(None), damage.c.table_name == table]
    if kept.fields is not None:
        scope.append(damage.c.field.in_(sorted(kept.fields)))
    run = _run_writes(cl, damage, run_id)
    first = (
        sa.select(cl.c.old_value).where(*run).order_by(cl.c.seq).limit(1).scalar_subquery()
    )
    forgotten = sa.exists().where(*run, cl.c.at < cutoff)
    conn.execute(damage.update().where(
        *scope, sa.exists().where(*run), ~forgotten
    ).values(right_value=first, source=Source.HISTORY.value))


def _from_export(conn: sa.Connection, cl: sa.Table, damage: sa.Table, taken: str) -> None:
    """The value the field held when the export was taken; nothing for later records."""
    same_field = [
        cl.c.table_name == damage.c.table_name,
        cl.c.record_key == damage.c.record_key,
        cl.c.field == damage.c.field,
        cl.c.at > taken,
    ]
    created_later = sa.exists().where(
        cl.c.table_name == damage.c.table_name,
        cl.c.record_key == damage.c.record_key,
        cl.c.op == Op.INSERT,
        cl.c.at > taken,
    )
    # The first change after the export, found as MIN(seq) by the record's index and read
    # by its key: "ORDER BY seq LIMIT 1", or a bare MIN(seq), led SQLite to walk the
    # table's whole change log in seq order (the (table, seq) index) for every damaged
    # field - 45 s of repair at 100,000 records; "seq + 0" keeps it on the record's index.
    later = cl.alias("later")
    first = sa.select(sa.func.min(later.c.seq + 0)).where(
        later.c.table_name == damage.c.table_name, later.c.record_key == damage.c.record_key,
        later.c.field == damage.c.field, later.c.at > taken,
    ).correlate(damage).scalar_subquery()
    then = sa.select(cl.c.old_value).where(cl.c.seq == first).scalar_subquery()
    conn.execute(damage.update().where(
        damage.c.source.is_(None), ~created_later, sa.exists().where(*same_field)
    ).values(right_value=then, source=Source.EXPORT.value))
