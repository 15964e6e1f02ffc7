"""The team's review of a bad run: which of its writes were wrong, found as a team finds them.

A team that scopes a bad run has the run's own log (every write it made, under its run
id), its systems as they stand, and, once it knows the cause, the fixed job to replay
(:func:`~drills.levers.sources.rerun_values`). From those alone it sorts the run's writes:

* a field the run wrote is wrong when the fixed job would write something else there,
  or nothing at all (a record its filter leaves out, a field it never writes); without
  the cause known, the team cannot tell a right write from a wrong one and treats every
  write of the run as one to undo;
* a field the fixed job writes and the run never did (the value went to another field)
  is wrong while it does not hold the fixed job's value;
* a record the run created is one too many when it repeats one the run created in the
  same batch of its log (time stamps aside: one event made it twice), or when it is a
  message about a record the job's filter leaves out; a message sent without the review
  its template needs is wrong in its status;
* what the syncs and the warehouse copied from a wrong field is wrong downstream too.

The result is a table with the columns scope and repair join (:data:`REVIEW_TABLE`):
the harness's ground truth is never read here; it judges the review afterwards (scope
precision and recall, records left wrong).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import datetime

import sqlalchemy as sa

from drills.fakes.active import CATALOG
from drills.fakes.automations import fetch_records
from drills.fakes.catalog import KEY
from drills.fakes.store import Op, SqlStore, encode_value
from drills.levers.sources import as_received, rerun_values
from drills.scenarios.badrun import BadRun
from drills.scenarios.jobshape import job_shape, review_templates
from drills.scenarios.truth import WHOLE_RECORD, read_values

__all__ = ["REVIEW_TABLE", "review_run", "review_table"]

REVIEW_TABLE = "_drills_review"
"""The run's writes the team's review found wrong: (run, table, record, field, value now)."""

FieldId = tuple[str, int, str]


def review_table(store: SqlStore) -> sa.Table:
    return store.work_table(
        REVIEW_TABLE,
        sa.Column("run_id", sa.Text, primary_key=True),
        sa.Column("table_name", sa.Text, primary_key=True),
        sa.Column("record_key", sa.Integer, primary_key=True),
        sa.Column("field", sa.Text, primary_key=True),
        sa.Column("wrong_value", sa.Text),
    )


def review_run(store: SqlStore, run: BadRun, at: datetime, *, cause_known: bool) -> int:
    """Sort the run's writes as the team would at ``at``; returns the fields found wrong."""
    found: dict[FieldId, str | None] = {}
    last = _run_updates(store, run.run_id)
    if cause_known:
        healthy = _healthy(store, run, at)
        for ident, value in last.items():
            if healthy.get(ident, _MISSING) != value:
                found[ident] = value
        never = [i for i in healthy if i not in last]
        now = {i: encode_value(v) for i, v in read_values(store, never).items()}
        for ident in never:
            if now.get(ident, _MISSING) != healthy[ident]:
                found[ident] = now.get(ident)
    else:
        found.update(last)
    for ident in _created_wrong(store, run):
        found.setdefault(ident, None)
    found.update(_downstream(store, run, found))
    t = review_table(store)
    with store.begin() as conn:
        conn.execute(t.delete().where(t.c.run_id == run.run_id))
        store.backend.bulk_load(
            conn, t, ("run_id", "table_name", "record_key", "field", "wrong_value"),
            [(run.run_id, tb, k, f, v) for (tb, k, f), v in sorted(found.items())],
        )
        store.backend.analyze(conn, t)
    return len(found)


_MISSING = object()


def _run_updates(store: SqlStore, run_id: str) -> dict[FieldId, str | None]:
    """What the run last wrote to each field it updated (its own log)."""
    cl = store.changelog
    out: dict[FieldId, str | None] = {}
    with store.engine.connect() as conn:
        for table, key, field, new in conn.execute(
            sa.select(cl.c.table_name, cl.c.record_key, cl.c.field, cl.c.new_value)
            .where(cl.c.run_id == run_id, cl.c.actor_kind == "automation",
                   cl.c.op == Op.UPDATE)
            .order_by(cl.c.seq)
        ):
            out[(table, int(key), field)] = new
    return out


def _healthy(store: SqlStore, run: BadRun, at: datetime) -> dict[FieldId, str | None]:
    """What the fixed job writes, replayed on the records the run handled."""
    t = rerun_values(store, run, at)
    with store.engine.connect() as conn:
        return {
            (table, int(key), field): value
            for table, key, field, value in conn.execute(
                sa.select(t.c.table_name, t.c.record_key, t.c.field, t.c.value))
        }


def _created_wrong(store: SqlStore, run: BadRun) -> list[FieldId]:
    """Records the run created that should not exist, and messages sent unreviewed."""
    cl = store.changelog
    rows: dict[tuple[str, int], dict[str, str | None]] = defaultdict(dict)
    batches: dict[tuple[str, int], str | None] = {}
    with store.engine.connect() as conn:
        for table, key, field, new, batch in conn.execute(
            sa.select(cl.c.table_name, cl.c.record_key, cl.c.field, cl.c.new_value,
                      cl.c.batch_id)
            .where(cl.c.run_id == run.run_id, cl.c.actor_kind == "automation",
                   cl.c.op == Op.INSERT)
            .order_by(cl.c.seq)
        ):
            rows[(table, int(key))][field] = new
            batches[(table, int(key))] = batch
    out: list[FieldId] = []
    seen: set[tuple[object, ...]] = set()
    review = review_templates(run.scenario)
    outside = _outside_filter(store, run, [r.get("related") for (t, _), r in rows.items()
                                           if t == CATALOG.outbox])
    for (table, key), row in sorted(rows.items()):
        columns = {c.name: c for c in CATALOG.table(table).columns}
        # One delivery of one event made it twice: the same content in the same batch of
        # the run's log. The same message for a second event is that event's own.
        same = (table, batches[(table, key)], *(
            v for f, v in sorted(row.items()) if f != KEY and columns[f].kind != "datetime"))
        if same in seen or (table == CATALOG.outbox and row.get("related") in outside):
            out.append((table, key, WHOLE_RECORD))
        elif (table == CATALOG.outbox and row.get("template") in review
              and row.get("status") == "sent" and row.get("reviewed") in (None, "", "0")):
            out.extend([(table, key, "status"), (table, key, "sent_at")])
        seen.add(same)
    return out


def _outside_filter(store: SqlStore, run: BadRun, related: Iterable[str | None]) -> set[str]:
    """The ``related`` references of messages about records the job's filter leaves out,
    each record read as it stood when the run began (the run may have changed it since)."""
    shape = job_shape(run.scenario)
    if shape is None or not shape.where:
        return set()
    keys: dict[int, str] = {}
    for ref in related:
        name, _, key = (ref or "").rpartition(":")
        if name == shape.table and key.isdigit():
            keys[int(key)] = ref or ""
    if not keys:
        return set()
    records = as_received(store, shape.table, fetch_records(store, shape.table, sorted(keys)),
                          run.scenario.starts + run.scenario.fault.starts)
    return {keys[int(r[KEY])] for r in records  # type: ignore[arg-type]
            if any(str(r.get(f)) != v for f, v in shape.where.items())}


def _downstream(
    store: SqlStore, run: BadRun, found: Mapping[FieldId, str | None]
) -> dict[FieldId, str | None]:
    """What the field syncs and the warehouse copies carried from the wrong fields."""
    out: dict[FieldId, str | None] = {}
    for spec in run.scenario.world.syncs:
        src_table, src_field = spec.from_.rsplit(".", 1)
        dst_table, dst_field = spec.to.rsplit(".", 1)
        keys = sorted({k for (t, k, f) in found if t == src_table and f == src_field})
        if not keys or dst_table not in store.tables:
            continue
        dst = store.sa_table(dst_table)
        with store.engine.connect() as conn:
            for start in range(0, len(keys), 500):
                for (k,) in conn.execute(sa.select(dst.c[KEY]).where(
                        dst.c[spec.key].in_(keys[start:start + 500]))):
                    out[(dst_table, int(k), dst_field)] = None
    everything = {**found, **out}
    for (table, key, field), value in list(everything.items()):
        copy = CATALOG.copy_name(table)
        if not CATALOG.is_copy(table) and copy in store.tables:
            out[(copy, key, field)] = value
    return out
