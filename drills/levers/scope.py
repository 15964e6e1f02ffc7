"""Scoping: which records the team finds, and how it tags them, in set-based SQL.

Rule 4: scope from the run (run id, window, batch ids), not from the records people
happened to notice, in every system the runbook names, including the downstream
copies. The scope lands in a table (``_drills_scope``) built with ``INSERT ...
SELECT`` from the change log, then each record is tagged: ``unclear`` when a person
changed it after the run started, ``wrong`` when the run damaged it, else ``safe``.
Counts are one ``GROUP BY``. Nothing here loops over rows in Python, so a
hundred-thousand-record scope costs a few statements.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from drills.fakes.active import CATALOG
from drills.fakes.catalog import KEY
from drills.fakes.store import SqlStore, format_time
from drills.levers.review import review_table
from drills.scenarios.badrun import delivery_log
from drills.scenarios.truth import GroundTruth

__all__ = [
    "SCOPE_TABLE", "ScopeResult", "TagCounts", "submit_scope", "take_scope", "truth_table",
]

SCOPE_TABLE = "_drills_scope"
TAGS = ("wrong", "safe", "unclear")


def truth_table(store: SqlStore) -> sa.Table:
    """The persisted ground truth (see :meth:`GroundTruth.persist`) as a Core table."""
    return GroundTruth.table(store)


def scope_table(store: SqlStore) -> sa.Table:
    """Every scope taken in ``store``: the records found per scope id, and their tags."""
    return store.work_table(
        SCOPE_TABLE,
        sa.Column("scope_id", sa.Text, primary_key=True),
        sa.Column("table_name", sa.Text, primary_key=True),
        sa.Column("record_key", sa.Integer, primary_key=True),
        sa.Column("tag", sa.Text, nullable=False, server_default="safe"),
    )


@dataclass(frozen=True)
class TagCounts:
    changed: int
    wrong: int
    safe: int
    unclear: int


@dataclass(frozen=True)
class ScopeResult:
    scope_id: str
    by: tuple[str, ...]
    systems: tuple[str, ...]
    at: datetime
    counts: dict[str, TagCounts]
    """Per table: the records found and their tags."""

    def system_counts(self, system: str) -> TagCounts:
        rows = [c for t, c in self.counts.items() if t.split(".")[0] == system]
        return TagCounts(
            sum(c.changed for c in rows),
            sum(c.wrong for c in rows),
            sum(c.safe for c in rows),
            sum(c.unclear for c in rows),
        )

    @property
    def total(self) -> TagCounts:
        rows = list(self.counts.values())
        return TagCounts(
            sum(c.changed for c in rows),
            sum(c.wrong for c in rows),
            sum(c.safe for c in rows),
            sum(c.unclear for c in rows),
        )


def take_scope(
    store: SqlStore,
    *,
    scope_id: str,
    run_id: str,
    automation: str,
    by: Sequence[str],
    systems: Collection[str],
    window: tuple[datetime, datetime],
    noticed: Collection[tuple[str, int]] = (),
    now: datetime,
) -> ScopeResult:
    """Build the scope the runbook's method finds and tag it against the world."""
    cl = store.changelog
    scope = scope_table(store)
    tables = [t for t in store.tables if t.split(".")[0] in systems]
    sources = [t for t in tables if not CATALOG.is_copy(t)]
    start, end = format_time(window[0]), format_time(window[1])
    ways: list[sa.ColumnElement[bool]] = []
    methods = set(by)
    if methods & {"run_id", "batch", "filter"}:
        ways.append(cl.c.run_id == run_id)
    if "window" in methods:
        ways.append(sa.and_(cl.c.at >= start, cl.c.at <= end))
    # What the syncs carried from the run into the scoped systems is part of the run's reach.
    if ways:
        ways.append(sa.and_(cl.c.actor_kind == "sync", cl.c.at >= start))
    log = delivery_log(store)  # created (if missing) before the write transaction begins
    with store.begin() as conn:
        conn.execute(scope.delete().where(scope.c.scope_id == scope_id))
        if ways and sources:
            found = (
                sa.select(sa.literal(scope_id), cl.c.table_name, cl.c.record_key)
                .where(cl.c.table_name.in_(sources), sa.or_(*ways))
                .distinct()
            )
            conn.execute(
                scope.insert().from_select(["scope_id", "table_name", "record_key"], found)
            )
        if methods & {"run_id", "batch", "filter"}:
            # The events the sender's log lists for the run, received or not: a lost
            # event's record holds no write of the run, but it is in the run's reach.
            sent = (
                sa.select(sa.literal(scope_id), log.c.table_name, log.c.record_key)
                .where(log.c.run_id == run_id, log.c.table_name.in_(sources),
                       log.c.sent_at <= format_time(now))
                .where(~sa.exists().where(scope.c.scope_id == scope_id,
                                          scope.c.table_name == log.c.table_name,
                                          scope.c.record_key == log.c.record_key))
                .distinct()
            )
            conn.execute(
                scope.insert().from_select(["scope_id", "table_name", "record_key"], sent)
            )
        picked = [
            {"scope_id": scope_id, "table_name": t, "record_key": k}
            for t, k in sorted(set(noticed))
            if "noticed" in methods and t in sources
        ]
        if picked:
            known = {
                (r.table_name, r.record_key)
                for r in conn.execute(
                    sa.select(scope.c.table_name, scope.c.record_key).where(
                        scope.c.scope_id == scope_id
                    )
                )
            }
            new = [p for p in picked if (p["table_name"], p["record_key"]) not in known]
            if new:
                conn.execute(scope.insert(), new)
        for copy in (t for t in tables if CATALOG.is_copy(t)):
            source = CATALOG.table(copy).copy_of
            if source is None:
                continue
            conn.execute(
                scope.insert().from_select(
                    ["scope_id", "table_name", "record_key"],
                    sa.select(sa.literal(scope_id), sa.literal(copy), scope.c.record_key)
                    .where(scope.c.scope_id == scope_id, scope.c.table_name == source)
                    # A key lookup per scoped record; ``IN (SELECT id ...)`` would first
                    # gather every key of the copy (a million) into a temporary index.
                    .where(sa.exists().where(store.sa_table(copy).c[KEY] == scope.c.record_key)),
                )
            )
        store.backend.analyze(conn, scope)
    _tag(store, scope, scope_id, run_id, start)
    return ScopeResult(
        scope_id, tuple(by), tuple(sorted(systems)), now, _counts(store, scope, scope_id)
    )


def _tag(store: SqlStore, scope: sa.Table, scope_id: str, run_id: str, start: str) -> None:
    """Tag each scoped record from the team's review of the run (:mod:`drills.levers.review`),
    which must have been made first: never from the harness's ground truth."""
    cl = store.changelog
    review = review_table(store)
    # Unclear: a person changed, after the run started, a field the run got wrong.
    # Their edit to some other field of the record does not stop its repair.
    person_after = sa.exists().where(
        cl.c.table_name == scope.c.table_name,
        cl.c.record_key == scope.c.record_key,
        cl.c.actor_kind == "person",
        cl.c.at >= start,
        sa.exists().where(
            review.c.run_id == run_id,
            review.c.table_name == cl.c.table_name,
            review.c.record_key == cl.c.record_key,
            review.c.field == cl.c.field,
        ),
    )
    damaged = sa.exists().where(
        review.c.run_id == run_id,
        review.c.table_name == scope.c.table_name,
        review.c.record_key == scope.c.record_key,
    )
    # One pass: a person's later edit makes a damaged record unclear, not wrong.
    tag = sa.case((person_after, "unclear"), (damaged, "wrong"), else_="safe")
    with store.begin() as conn:
        conn.execute(scope.update().where(scope.c.scope_id == scope_id).values(tag=tag))


def _counts(store: SqlStore, scope: sa.Table, scope_id: str) -> dict[str, TagCounts]:
    q = (
        sa.select(scope.c.table_name, scope.c.tag, sa.func.count())
        .where(scope.c.scope_id == scope_id)
        .group_by(scope.c.table_name, scope.c.tag)
    )
    raw: dict[str, dict[str, int]] = {}
    with store.engine.connect() as conn:
        for table, tag, n in conn.execute(q):
            raw.setdefault(table, dict.fromkeys(TAGS, 0))[tag] = int(n)
    return {
        t: TagCounts(sum(c.values()), c["wrong"], c["safe"], c["unclear"])
        for t, c in sorted(raw.items())
    }


def submit_scope(
    store: SqlStore,
    *,
    scope_id: str,
    draft_id: str,
    run_id: str,
    start: datetime,
    by: Sequence[str],
    now: datetime,
) -> ScopeResult:
    """Make the records tagged under ``draft_id`` the scope ``scope_id``, and tag them.

    A live team builds its scope by hand (queries, diffs, key lists) under a draft id;
    submitting copies the draft in one ``INSERT ... SELECT`` and tags each record
    against the world exactly as :func:`take_scope` does, so the scope is graded and
    repaired the same way whoever found it.
    """
    scope = scope_table(store)
    with store.begin() as conn:
        conn.execute(scope.delete().where(scope.c.scope_id == scope_id))
        conn.execute(
            scope.insert().from_select(
                ["scope_id", "table_name", "record_key"],
                sa.select(sa.literal(scope_id), scope.c.table_name, scope.c.record_key)
                .where(scope.c.scope_id == draft_id),
            )
        )
        store.backend.analyze(conn, scope)
    _tag(store, scope, scope_id, run_id, format_time(start))
    counts = _counts(store, scope, scope_id)
    systems = tuple(sorted({t.split(".")[0] for t in counts}))
    return ScopeResult(scope_id, tuple(by), systems, now, counts)
