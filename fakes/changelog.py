"""The change log's vocabulary: its columns, its operations, and how values and times are spelt.

Every write of the store appends one change-log row per changed field, and scope, repair,
ground truth, syncs and snapshots all read those rows back. What a row holds is therefore
shared knowledge, kept here apart from the store's write path (:mod:`drills.fakes.store`,
which re-exports these names).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from drills.fakes.actors import Actor

__all__ = [
    "CHANGELOG",
    "LOG_COLUMNS",
    "Op",
    "Value",
    "encode_value",
    "format_time",
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
