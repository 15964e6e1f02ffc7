"""Repair: put damaged values back and compensate what cannot be undone, set-based.

Rule 5: repair with the safest fast method, on a sample first, then in stages, and
never overwrite what a person changed during the window without review. Each
stage is a handful of statements: one ``UPDATE ... FROM`` per damaged (table,
field) pair restoring the value the field held before the run (or, for a write
the run never made, the value it should have written), guarded so that a field
somebody changed since is left alone; and one compensation per table for records
that should not exist (a sent duplicate email is marked, not unsent; a second
invoice is voided). Warehouse copies are brought in line from their repaired
source when the warehouse is in scope.

A stage is one transaction, and each statement is guarded (``IS DISTINCT FROM`` the
value it writes), so a repair is safe to repeat: run again, or rerun from its first
stage after a crash, it changes nothing that is already repaired.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from drills.scope import scope_table, truth_table
from fakes.actors import Actor
from fakes.catalog import CATALOG, KEY, WAREHOUSE, ColumnType
from fakes.store import SqlStore
from scenarios.truth import WHOLE_RECORD

__all__ = ["COMPENSATION", "STAGE_KEYS", "RepairStage", "repair_stage", "stage_bounds"]

STAGE_KEYS = "_drills_repair_keys"
"""The records of the stage under way, so statements join them instead of listing 100k ids."""

COMPENSATION: dict[str, tuple[str, str]] = {
    "email.outbox": ("status", "duplicate"),
    "billing.invoices": ("status", "void"),
    "billing.activity": ("kind", "note"),
    "shop.orders": ("status", "cancelled"),
    "crm.deals": ("stage", "lost"),
    "crm.contacts": ("status", "churned"),
    "support.tickets": ("status", "closed"),
}
"""How a record that should not exist is neutralised while keeping the trail."""


@dataclass(frozen=True)
class RepairStage:
    label: str
    records: int
    fields_restored: int
    records_compensated: int


def stage_bounds(total: int, sample: int | None, stages: Sequence[float]) -> list[tuple[str, int]]:
    """Cumulative record counts per stage: the sample, then each stage's share of all."""
    bounds: list[tuple[str, int]] = []
    if sample:
        bounds.append((f"sample of {min(sample, total)}", min(sample, total)))
    for share in stages or [1.0]:
        upto = max(bounds[-1][1] if bounds else 0, round(total * share))
        bounds.append((f"{share:.0%}", upto))
    if not bounds or bounds[-1][1] < total:
        bounds.append(("100%", total))
    return bounds


def repair_stage(
    store: SqlStore,
    *,
    scope_id: str,
    run_id: str,
    keys: Collection[tuple[str, int]],
    overwrite: bool,
    actor: Actor,
    label: str,
) -> RepairStage:
    """Repair the scoped records in ``keys`` (table, key) tagged wrong or unclear.

    Field by field, a value is restored only while the field still holds what the
    run wrote: a field a person has changed since keeps their value, and the rest of
    their record is repaired around it. ``overwrite`` drops that guard and restores
    every damaged field: what a blind repair without a reviewed sample does.

    The stage is one transaction: a crash halfway leaves it undone, never half done.
    Every statement writes only values that differ from what it would write, so
    running a stage again, or the whole repair again from its first stage after a
    crash, writes nothing twice and ends where an uninterrupted repair ends.
    """
    truth = truth_table(store)
    scope = scope_table(store)
    by_table: dict[str, list[int]] = {}
    for table, key in keys:
        by_table.setdefault(table, []).append(key)
    staged = _stage(store, by_table)
    sources = sorted(t for t in by_table if not t.startswith(f"{WAREHOUSE}."))
    fields = _damaged_fields(store, truth, run_id, sources)
    plan: list[tuple[str, sa.Select[Any], str, bool]] = []
    for table in sources:
        chosen = (
            sa.select(scope.c.record_key)
            .where(
                scope.c.scope_id == scope_id,
                scope.c.table_name == table,
                scope.c.tag.in_(["wrong", "unclear"]),
                scope.c.record_key.in_(staged(table)),
            )
            .scalar_subquery()
        )
        for field in fields.get(table, []):
            if field == WHOLE_RECORD:
                plan.append((table, *_compensation(truth, run_id, table, chosen), True))
            else:
                plan.append((table, _restore(store, truth, run_id, table, field, chosen,
                                             overwrite), field, False))
    copies = _copy_plan(store, scope, scope_id, by_table, staged)
    restored = compensated = 0
    with store.atomic():
        for table, src, field, compensating in plan:
            written = store.update_from(table, src, [field], actor)
            if compensating:
                compensated += written
            else:
                restored += written
        for copy, src, copy_fields in copies:
            restored += store.update_from(copy, src, copy_fields, actor)
    return RepairStage(label, len(keys), restored, compensated)


def _stage(
    store: SqlStore, by_table: dict[str, list[int]]
) -> Callable[[str], sa.Select[tuple[int]]]:
    """Load the stage's keys into :data:`STAGE_KEYS`; returns the select of one table's keys.

    A stage of 100k records written into the statements as an ``IN`` list would pass
    one parameter per key per statement, past SQLite's limit at a million records.
    Loaded before the stage's own transaction begins; a rerun loads them again.
    """
    meta = sa.MetaData()
    t = sa.Table(
        STAGE_KEYS,
        meta,
        sa.Column("table_name", sa.Text, primary_key=True),
        sa.Column("record_key", sa.Integer, primary_key=True),
    )
    meta.create_all(store.engine)
    rows = ((table, key) for table, ks in by_table.items() for key in dict.fromkeys(ks))
    with store.begin() as conn:
        conn.execute(t.delete())
        store.backend.bulk_load(conn, t, ("table_name", "record_key"), rows)

    def keys_of(table: str) -> sa.Select[tuple[int]]:
        return sa.select(t.c.record_key).where(t.c.table_name == table)

    return keys_of


def _damaged_fields(
    store: SqlStore, truth: sa.Table, run_id: str, tables: Sequence[str]
) -> dict[str, list[str]]:
    """The fields the run damaged, per table: one query, read before the stage begins."""
    out: dict[str, list[str]] = {}
    if not tables:
        return out
    with store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(truth.c.table_name, truth.c.field)
            .where(truth.c.run_id == run_id, truth.c.table_name.in_(tables))
            .distinct()
            .order_by(truth.c.table_name, truth.c.field)
        )
        for table, field in rows:
            out.setdefault(table, []).append(field)
    return out


def _compensation(
    truth: sa.Table, run_id: str, table: str, chosen: sa.ScalarSelect[Any]
) -> tuple[sa.Select[Any], str]:
    """Mark the records that should not exist (a duplicate email, a second invoice)."""
    name, value = COMPENSATION.get(table, ("status", "void"))
    src = sa.select(
        truth.c.record_key.label(KEY),
        sa.literal(value, sa.Text).label(name),
    ).where(
        truth.c.run_id == run_id,
        truth.c.table_name == table,
        truth.c.field == WHOLE_RECORD,
        truth.c.record_key.in_(chosen),
    )
    return src, name


def _restore(
    store: SqlStore,
    truth: sa.Table,
    run_id: str,
    table: str,
    field: str,
    chosen: sa.ScalarSelect[Any],
    overwrite: bool,
) -> sa.Select[Any]:
    """The values ``field`` should hold again, for the chosen records still safe to touch.

    A record that is compensated as a whole is left to its compensation where this
    field is the one the compensation sets; else each run would set the field back
    and forth between the two.
    """
    target = store.sa_table(table)
    col = CATALOG.table(table).column(field)
    sql_type: sa.types.TypeEngine[Any] = sa.Integer() if col.type is ColumnType.INT else sa.Text()
    guard = sa.true() if overwrite else _untouched_since_run(store, run_id, truth, field)
    conditions = [
        truth.c.run_id == run_id,
        truth.c.table_name == table,
        truth.c.field == field,
        truth.c.record_key.in_(chosen),
        guard,
    ]
    if COMPENSATION.get(table, ("status", "void"))[0] == field:
        whole = truth.alias("whole")
        conditions.append(~sa.exists().where(
            whole.c.run_id == truth.c.run_id,
            whole.c.table_name == truth.c.table_name,
            whole.c.record_key == truth.c.record_key,
            whole.c.field == WHOLE_RECORD,
        ))
    return (
        sa.select(
            truth.c.record_key.label(KEY),
            sa.cast(truth.c.right_value, sql_type).label(field),
        )
        .select_from(truth.join(target, target.c[KEY] == truth.c.record_key))
        .where(*conditions)
    )


def _copy_plan(
    store: SqlStore,
    scope: sa.Table,
    scope_id: str,
    by_table: dict[str, list[int]],
    staged: Callable[[str], sa.Select[tuple[int]]],
) -> list[tuple[str, sa.Select[Any], list[str]]]:
    """Bring scoped warehouse copies in line with their (repaired) source records."""
    plan: list[tuple[str, sa.Select[Any], list[str]]] = []
    for copy in sorted(by_table):
        if not copy.startswith(f"{WAREHOUSE}."):
            continue
        source = CATALOG.table(copy).copy_of
        if source is None or source not in store.tables:
            continue
        src = store.sa_table(source)
        chosen = sa.select(scope.c.record_key).where(
            scope.c.scope_id == scope_id,
            scope.c.table_name == copy,
            scope.c.record_key.in_(staged(copy)),
        )
        plan.append((copy, sa.select(src).where(src.c[KEY].in_(chosen)),
                     list(CATALOG.table(copy).data_fields)))
    return plan


def _untouched_since_run(
    store: SqlStore, run_id: str, truth: sa.Table, field: str
) -> sa.ColumnElement[bool]:
    """No person has written this field since the run last wrote this record.

    Judged by who wrote last, not by value: a person who happens to set the value the
    run also wrote (a status flipped back by hand) still has the last word. Downstream,
    a sync that delivered a person's upstream edit counts as that person.
    """
    cl = store.changelog
    later = cl.alias("later")
    run_last = (
        sa.select(sa.func.max(cl.c.seq))
        .where(
            cl.c.run_id == run_id,
            cl.c.actor_kind == "automation",
            cl.c.table_name == later.c.table_name,
            cl.c.record_key == later.c.record_key,
        )
        .correlate(later)
        .scalar_subquery()
    )
    someone_else = sa.or_(
        later.c.actor_kind == "person",
        # A sync that carried something other than the damage (a person's value upstream).
        sa.and_(
            later.c.actor_kind == "sync",
            later.c.new_value.is_distinct_from(truth.c.wrong_value),
        ),
    )
    return ~sa.exists().where(
        later.c.table_name == truth.c.table_name,
        later.c.record_key == truth.c.record_key,
        later.c.field == field,
        someone_else,
        later.c.seq > sa.func.coalesce(run_last, 0),
    )
