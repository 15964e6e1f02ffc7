"""Questions asked of the change log: what did this run, batch, window or actor touch?

Rule 4 of the discipline is "scope from the run, not from the records people happened
to notice". The change log already holds the run id, batch id, actor and clock time of
every field a write changed, so scoping is a filter over it. This module keeps that
filter in one place as a Core ``Select`` (so a caller can join it, count it or feed it
to a set-based repair) and offers small readers on top for tests and reports.
Filters compile on every backend: times compare as the fixed-width text that
:func:`drills.fakes.store.format_time` writes.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypedDict, Unpack

import sqlalchemy as sa

from drills.errors import did_you_mean
from drills.fakes.actors import Actor, ActorKind
from drills.fakes.catalog import TableDef
from drills.fakes.errors import StoreError, UnknownTableError
from drills.fakes.store import SqlStore, Value, format_time

__all__ = [
    "Change",
    "ChangeFilter",
    "change_conditions",
    "changes",
    "changes_select",
    "last_seq",
    "touched_records",
]


@dataclass(frozen=True)
class Change:
    """One change-log row: one field of one record changed by one write.

    ``old`` and ``new`` are decoded back to the column's Python type (``int`` or
    ``str``); an insert has ``old=None``, a delete has ``new=None``.
    """

    seq: int
    at: datetime
    actor_kind: ActorKind
    actor_name: str
    run_id: str | None
    batch_id: str | None
    table: str
    key: int
    op: str
    field: str
    old: Value
    new: Value

    @property
    def actor(self) -> Actor:
        """The actor that wrote this change."""
        return Actor(self.actor_kind, self.actor_name, self.run_id, self.batch_id)


class ChangeFilter(TypedDict, total=False):
    """The change-log filters every query here takes (see :func:`change_conditions`)."""

    run_id: str | None
    batch_id: str | None
    since: datetime | None
    until: datetime | None
    actor_kind: ActorKind | str | None
    actor_name: str | None
    table: str | None
    after_seq: int | None


def change_conditions(
    store: SqlStore,
    *,
    run_id: str | None = None,
    batch_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    actor_kind: ActorKind | str | None = None,
    actor_name: str | None = None,
    table: str | None = None,
    after_seq: int | None = None,
) -> list[sa.ColumnElement[bool]]:
    """The WHERE terms of a change-log filter; AND them together (empty means everything).

    The window is half-open, ``since <= at < until``, so consecutive windows never
    count a change twice.
    """
    cl = store.changelog
    terms: list[sa.ColumnElement[bool]] = []
    if run_id is not None:
        terms.append(cl.c.run_id == run_id)
    if batch_id is not None:
        terms.append(cl.c.batch_id == batch_id)
    if since is not None:
        terms.append(cl.c.at >= format_time(since))
    if until is not None:
        terms.append(cl.c.at < format_time(until))
    if actor_kind is not None:
        terms.append(cl.c.actor_kind == _actor_kind(actor_kind).value)
    if actor_name is not None:
        terms.append(cl.c.actor_name == actor_name)
    if table is not None:
        _table_def(store, table)  # an unknown name fails with the catalog's suggestion
        terms.append(cl.c.table_name == table)
    if after_seq is not None:
        terms.append(cl.c.seq > after_seq)
    return terms


def changes_select(
    store: SqlStore,
    **filters: Unpack[ChangeFilter],
) -> sa.Select[Any]:
    """Every change-log column of the matching changes, in ``seq`` order."""
    cl = store.changelog
    terms = change_conditions(store, **filters)
    return sa.select(cl).where(*terms).order_by(cl.c.seq)


def changes(
    store: SqlStore,
    **filters: Unpack[ChangeFilter],
) -> list[Change]:
    """The matching changes as :class:`Change` objects, oldest first.

    For tests, reports and small scopes; at scale, build on :func:`changes_select`.
    """
    stmt = changes_select(store, **filters)
    defs: dict[str, TableDef] = {}
    out: list[Change] = []
    with store.engine.connect() as conn:
        for row in conn.execute(stmt).mappings():
            name = row["table_name"]
            d = defs.get(name)
            if d is None:
                d = defs[name] = _table_def(store, name)
            col = d.column(row["field"])
            out.append(
                Change(
                    seq=row["seq"],
                    at=datetime.fromisoformat(row["at"]),
                    actor_kind=ActorKind(row["actor_kind"]),
                    actor_name=row["actor_name"],
                    run_id=row["run_id"],
                    batch_id=row["batch_id"],
                    table=name,
                    key=row["record_key"],
                    op=row["op"],
                    field=row["field"],
                    old=col.decode(row["old_value"]),
                    new=col.decode(row["new_value"]),
                )
            )
    return out


def touched_records(
    store: SqlStore,
    **filters: Unpack[ChangeFilter],
) -> dict[str, set[int]]:
    """Table qualname -> keys of the records the matching changes touched.

    The distinct pairs are found in SQL (``SELECT DISTINCT table_name, record_key``),
    so only the answer crosses into Python, not every field change.
    """
    cl = store.changelog
    terms = change_conditions(store, **filters)
    stmt = sa.select(cl.c.table_name, cl.c.record_key).where(*terms).distinct()
    out: dict[str, set[int]] = defaultdict(set)
    with store.engine.connect() as conn:
        for name, key in conn.execute(stmt):
            out[name].add(key)
    return dict(out)


def last_seq(store: SqlStore) -> int:
    """The newest change's ``seq``, or 0 when nothing has been written yet."""
    cl = store.changelog
    with store.engine.connect() as conn:
        return int(conn.scalar(sa.select(sa.func.max(cl.c.seq))) or 0)


def _actor_kind(kind: ActorKind | str) -> ActorKind:
    try:
        return ActorKind(kind)
    except ValueError:
        raise StoreError(
            f"unknown actor kind '{kind}'{did_you_mean(str(kind), [k.value for k in ActorKind])}"
        ) from None


def _table_def(store: SqlStore, qualname: str) -> TableDef:
    """The store's definition of a logged table, falling back to the catalog's."""
    try:
        return store.table(qualname)
    except UnknownTableError:
        return store.catalog.table(qualname)
