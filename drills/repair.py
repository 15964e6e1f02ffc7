"""Repair: put damaged values back and compensate what cannot be undone, set-based.

Rule 5: repair with the safest fast method, on a sample first, then in stages, and
never overwrite what a person changed during the window without review. Each
stage is a handful of statements: one ``UPDATE ... FROM`` per damaged (table,
field) pair restoring the value the field held before the run (or, for a write
the run never made, the value it should have written), guarded so that a field
somebody changed since is left alone; and one compensation per table for records
that should not exist (a sent duplicate email is marked, not unsent; a second
invoice is voided). Warehouse copies are brought in line from their repaired
source when the warehouse is in scope. Running a repair again changes nothing.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from drills.scope import scope_table, truth_table
from fakes.actors import Actor
from fakes.catalog import CATALOG, KEY, WAREHOUSE, ColumnType
from fakes.store import SqlStore

__all__ = ["COMPENSATION", "RepairStage", "repair_stage", "stage_bounds"]

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
    include_unclear: bool,
    actor: Actor,
    label: str,
) -> RepairStage:
    """Repair the scoped records in ``keys`` (table, key) that the scope tagged wrong.

    ``include_unclear`` also repairs records a person changed during the window
    (overwriting their edits): what a repair without review does.
    """
    truth = truth_table(store)
    scope = scope_table(store)
    tags = ["wrong", "unclear"] if include_unclear else ["wrong"]
    by_table: dict[str, list[int]] = {}
    for table, key in keys:
        by_table.setdefault(table, []).append(key)
    restored = compensated = 0
    for table, table_keys in sorted(by_table.items()):
        if table.startswith(f"{WAREHOUSE}."):
            continue
        chosen = (
            sa.select(scope.c.record_key)
            .where(
                scope.c.scope_id == scope_id,
                scope.c.table_name == table,
                scope.c.tag.in_(tags),
                scope.c.record_key.in_(table_keys),
            )
            .scalar_subquery()
        )
        target = store.sa_table(table)
        with store.engine.connect() as conn:
            fields = [
                f
                for (f,) in conn.execute(
                    sa.select(truth.c.field)
                    .where(truth.c.run_id == run_id, truth.c.table_name == table)
                    .distinct()
                    .order_by(truth.c.field)
                )
            ]
        for field in fields:
            if field == "*":
                name, value = COMPENSATION.get(table, ("status", "void"))
                src = (
                    sa.select(
                        truth.c.record_key.label(KEY),
                        sa.literal(value, sa.Text).label(name),
                    )
                    .where(
                        truth.c.run_id == run_id,
                        truth.c.table_name == table,
                        truth.c.field == "*",
                        truth.c.record_key.in_(chosen),
                    )
                )
                compensated += store.update_from(table, src, [name], actor)
                continue
            col = CATALOG.table(table).column(field)
            sql_type: sa.types.TypeEngine[Any] = (
                sa.Integer() if col.type is ColumnType.INT else sa.Text()
            )
            guard = (
                sa.true()
                if include_unclear
                else sa.cast(target.c[field], sa.Text).is_not_distinct_from(truth.c.wrong_value)
            )
            src = (
                sa.select(
                    truth.c.record_key.label(KEY),
                    sa.cast(truth.c.right_value, sql_type).label(field),
                )
                .select_from(truth.join(target, target.c[KEY] == truth.c.record_key))
                .where(
                    truth.c.run_id == run_id,
                    truth.c.table_name == table,
                    truth.c.field == field,
                    truth.c.record_key.in_(chosen),
                    guard,
                )
            )
            restored += store.update_from(table, src, [field], actor)
    copied = _refresh_copies(store, scope_id, by_table, actor)
    return RepairStage(label, len(keys), restored + copied, compensated)


def _refresh_copies(
    store: SqlStore, scope_id: str, by_table: dict[str, list[int]], actor: Actor
) -> int:
    """Bring scoped warehouse copies in line with their (repaired) source records."""
    scope = scope_table(store)
    fixed = 0
    for copy, keys in sorted(by_table.items()):
        if not copy.startswith(f"{WAREHOUSE}."):
            continue
        source = CATALOG.table(copy).copy_of
        if source is None or source not in store.tables:
            continue
        src = store.sa_table(source)
        chosen = sa.select(scope.c.record_key).where(
            scope.c.scope_id == scope_id,
            scope.c.table_name == copy,
            scope.c.record_key.in_(keys),
        )
        fixed += store.update_from(
            copy,
            sa.select(src).where(src.c[KEY].in_(chosen)),
            CATALOG.table(copy).data_fields,
            actor,
        )
    return fixed
