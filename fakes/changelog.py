"""The change log's vocabulary: its columns, its operations, and how values and times are spelt.

Every write of the store appends one change-log row per changed field, and scope, repair,
ground truth, syncs and snapshots all read those rows back. What a row holds is therefore
shared knowledge, kept here apart from the store's write path (:mod:`drills.fakes.store`,
which re-exports these names).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from drills.fakes.actors import Actor

__all__ = [
    "CHANGELOG",
    "LOG_COLUMNS",
    "Op",
    "Value",
    "encode_value",
    "format_time",
    "insert_log",
    "log_row",
]

Value = int | str | None
"""A field's value in the fake world: whole numbers, text, or nothing."""

CHANGELOG = "_drills_changes"
"""The change log's table name in every backend."""

LOG_COLUMNS = (
    "at", "actor_kind", "actor_name", "run_id", "batch_id", "table_name",
    "record_key", "op", "field", "old_value", "new_value",
)
"""The change log's columns, in the order the bulk append writes them."""


class Op:
    """What a change-log row records: an insert, an update or a delete of one field."""

    INSERT = "insert"
    UPDATE = "update"
    DELETE = "delete"


def format_time(when: datetime) -> str:
    """Change-log time: fixed-width ISO text, so string order is time order on every backend."""
    if when.tzinfo is not None:
        when = when.astimezone(UTC).replace(tzinfo=None)
    return when.isoformat(timespec="microseconds")


def encode_value(value: Value) -> str | None:
    """A value as the change log keeps it: text, or NULL for nothing."""
    return None if value is None else str(value)


def log_row(
    at: str, actor: Actor, qualname: str, key: int, op: str, field: str,
    old: Value, new: Value,
) -> dict[str, Any]:
    """One change-log row: who changed which field of which record, from what to what."""
    return {
        "at": at,
        "actor_kind": actor.kind.value,
        "actor_name": actor.name,
        "run_id": actor.run_id,
        "batch_id": actor.batch_id,
        "table_name": qualname,
        "record_key": key,
        "op": op,
        "field": field,
        "old_value": encode_value(old),
        "new_value": encode_value(new),
    }


def insert_log(
    at: str, actor: Actor, qualname: str, rows: sa.FromClause, key: sa.ColumnElement[Any],
    fields: Sequence[str], where: sa.ColumnElement[bool] | None = None,
) -> sa.Select[Any]:
    """The change-log rows of records just made, as one ``SELECT`` to insert from.

    The set-based twin of :func:`log_row` for inserts: one row per field of each record
    of ``rows`` (``key`` its id, filtered by ``where``), in the order the store's own
    insert logs them (by record, then field), the values as text. A bulk bad run or a
    warehouse copy makes 100,000s of records at once; built in Python, their log rows
    were a dictionary each (1.5 million for a copy of 300,000 activity rows).
    """
    parts = [
        sa.select(key.label("record_key"), sa.literal(i).label("i"),
                  sa.literal(f, sa.Text).label("field"),
                  sa.cast(rows.c[f], sa.Text).label("new_value"))
        .select_from(rows)
        .where(sa.true() if where is None else where)
        for i, f in enumerate(fields)
    ]
    made = (sa.union_all(*parts) if len(parts) > 1 else parts[0]).subquery("made")
    return sa.select(
        sa.literal(at, sa.Text), sa.literal(actor.kind.value, sa.Text),
        sa.literal(actor.name, sa.Text), sa.literal(actor.run_id, sa.Text),
        sa.literal(actor.batch_id, sa.Text), sa.literal(qualname, sa.Text),
        made.c.record_key, sa.literal(Op.INSERT, sa.Text), made.c.field, sa.null(),
        made.c.new_value,
    ).order_by(made.c.record_key, made.c.i)
