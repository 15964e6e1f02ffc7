"""Reconcile: counts that must agree across systems after a repair, in set-based SQL.

Rule 5 ends with "500 orders, 500 invoices, 500 status updates, not 497 and 503".
Three kinds of pair are checked: each warehouse copy against its source (one full
outer join with a changed flag per column, counted), each field sync's target
against its source field (one join), and what the run created against what it
processed (one record out per record in, once duplicates are compensated).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa

from drills.fakes.active import CATALOG
from drills.fakes.catalog import KEY
from drills.fakes.store import SqlStore
from drills.reports.model import Reconcile
from drills.scenarios.schema import Scenario

__all__ = ["EXAMPLES", "reconcile"]


EXAMPLES = 3
"""Mismatched records a pair names: enough to look at, few enough to read in a line."""


def _keys(store: SqlStore, stmt: sa.Select[Any]) -> list[int]:
    """The first :data:`EXAMPLES` record ids ``stmt`` selects, lowest first."""
    column = stmt.selected_columns[0]
    with store.engine.connect() as conn:
        return [int(k) for k in conn.scalars(stmt.order_by(column).limit(EXAMPLES))]


def _count(store: SqlStore, stmt: sa.Select[Any]) -> int:
    with store.engine.connect() as conn:
        return int(conn.scalar(stmt) or 0)


def _copy_pairs(store: SqlStore) -> Iterable[Reconcile]:
    """Each warehouse copy against its source, by one join over the pairs and two counts.

    Records on both sides pair up by ``id``; a pair is mismatched when any field is
    distinct, and a record without a partner is mismatched too, which the counts tell
    (each side's count less the pairs). That is what a full outer join flagging each
    column finds, at the cost of an inner join, which SQLite runs twice as fast.
    """
    for copy in sorted(t for t in store.tables if CATALOG.is_copy(t)):
        source = CATALOG.table(copy).copy_of
        if source is None or source not in store.tables:
            continue
        src = store.sa_table(source)
        dst = store.sa_table(copy)
        names = list(store.table(source).data_fields)
        distinct = [src.c[f].is_distinct_from(dst.c[f]) for f in names]
        differ = sa.or_(*distinct)
        joined = src.join(dst, src.c[KEY] == dst.c[KEY])
        with store.engine.connect() as conn:
            pairs, differing, *per_field = conn.execute(
                sa.select(sa.func.count(), sa.func.count(sa.case((differ, 1))),
                          *(sa.func.count(sa.case((d, 1))) for d in distinct))
                .select_from(joined)
            ).one()
        left, right = store.count(source), store.count(copy)
        mismatched = (left - pairs) + (right - pairs) + int(differing)
        examples: list[int] = []
        if mismatched:
            # Which records, for the people who must look: a few that differ, then any
            # one side holds alone (a copy that missed a record, or kept a deleted one).
            examples = _keys(store, sa.select(src.c[KEY]).select_from(joined).where(differ))
            examples += _keys(store, sa.select(src.c[KEY]).where(
                ~sa.exists().where(dst.c[KEY] == src.c[KEY])))
            examples += _keys(store, sa.select(dst.c[KEY]).where(
                ~sa.exists().where(src.c[KEY] == dst.c[KEY])))
        yield Reconcile(
            left=source,
            right=copy,
            left_count=left,
            right_count=right,
            mismatched=mismatched,
            examples=sorted(examples)[:EXAMPLES],
            fields=[f for f, n in zip(names, per_field, strict=True) if n],
        )


def _person_has_last_word(
    store: SqlStore, table: str, key: sa.ColumnElement[Any], field: str
) -> sa.ColumnElement[bool]:
    """A person wrote the field last: their value stands, and no sync is meant to undo it.

    A sync carries upstream changes only, so a downstream value a person set by hand
    differs from its source until someone upstream changes it again; that is their
    decision, not a count the repair left wrong.
    """
    cl = store.changelog
    later = cl.alias("later")
    return sa.exists().where(
        cl.c.table_name == table, cl.c.record_key == key, cl.c.field == field,
        cl.c.actor_kind == "person",
        ~sa.exists().where(
            later.c.table_name == table, later.c.record_key == cl.c.record_key,
            later.c.field == field, later.c.seq > cl.c.seq,
        ),
    )


def _sync_pairs(store: SqlStore, scenario: Scenario) -> Iterable[Reconcile]:
    for spec in scenario.world.syncs:
        src_table, src_field = spec.from_.rsplit(".", 1)
        dst_table, dst_field = spec.to.rsplit(".", 1)
        src = store.sa_table(src_table)
        dst = store.sa_table(dst_table)
        joined = dst.join(src, dst.c[spec.key] == src.c[KEY])
        linked = _count(store, sa.select(sa.func.count()).select_from(joined))
        wrong = (dst.c[dst_field].is_distinct_from(src.c[src_field]),
                 ~_person_has_last_word(store, dst_table, dst.c[KEY], dst_field))
        differ = _count(store, sa.select(sa.func.count()).select_from(joined).where(*wrong))
        # The counts agree by construction (each linked record has both sides): what
        # disagrees is values, so name the records (the copies' ids) and the field.
        examples = (_keys(store, sa.select(dst.c[KEY]).select_from(joined).where(*wrong))
                    if differ else [])
        yield Reconcile(
            left=spec.from_, right=spec.to, left_count=linked, right_count=linked,
            mismatched=differ, examples=examples, fields=[dst_field] if differ else [],
        )


def _output_pairs(
    store: SqlStore, scenario: Scenario, run_id: str, processed: Mapping[str, int]
) -> Iterable[Reconcile]:
    made: list[str] = []
    for action in scenario.automation.does:
        if action.kind == "send_email":
            made.append(CATALOG.messages_table())
        elif action.kind == "create_record":
            made.append(action.spec.table)
    cl = store.changelog
    for table in dict.fromkeys(made):
        t = store.sa_table(table)
        created = sa.select(cl.c.record_key).where(
            cl.c.run_id == run_id, cl.c.actor_kind == "automation", cl.c.table_name == table,
            cl.c.op == "insert",
        ).distinct()
        name, value = CATALOG.cancels().get(table, ("status", "void"))
        live = _count(
            store,
            sa.select(sa.func.count())
            .select_from(t)
            .where(t.c[KEY].in_(created), sa.or_(
                t.c[name].is_distinct_from(value),
                # A person's own mark is their call, not the repair's compensation.
                _person_has_last_word(store, table, t.c[KEY], name),
            )),
        )
        yield Reconcile(
            left=f"{scenario.automation.trigger.table} handled",
            right=f"{table} from the run",
            left_count=processed.get(table, 0),
            right_count=live,
            mismatched=abs(processed.get(table, 0) - live),
        )


def reconcile(
    store: SqlStore, scenario: Scenario, run_id: str, processed: Mapping[str, int]
) -> list[Reconcile]:
    """Every pair that should agree, with its counts and mismatches.

    ``processed`` counts, per table the run writes into, the triggering records the
    run handled while the component writing that table was running.
    """
    return [
        *_copy_pairs(store),
        *_sync_pairs(store, scenario),
        *_output_pairs(store, scenario, run_id, processed),
    ]
