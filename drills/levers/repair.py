"""Repair: put damaged values back from what the team has, compensate what cannot be undone.

Rule 5: repair with the safest fast method, on a sample first, then in stages, and
never overwrite what a person changed during the window without review. Each stage is
a handful of statements: the stage's damaged fields are listed, each given the value
the first available source holds (:mod:`drills.levers.sources`: the fixed job rerun,
the system's field history, the clean export; never the harness's ground truth); one
``UPDATE ... FROM`` per damaged table restores the fields a source holds, guarded so a
field somebody changed since is left alone; a field no source holds stays wrong and is
counted. Records that should not exist are compensated (a second invoice is voided, a
duplicate email marked), and what already reached a customer is never undone: a message
that went out is followed by a correction instead. Warehouse copies are brought in line
from their repaired source when the warehouse is in scope.

A stage is one transaction, and each statement is guarded (``IS DISTINCT FROM`` the
value it writes), so a repair is safe to repeat: run again, or rerun from its first
stage after a crash, it changes nothing that is already repaired.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from drills.fakes.active import CATALOG
from drills.fakes.actors import Actor
from drills.fakes.catalog import KEY, ColumnType
from drills.fakes.store import SqlStore, format_time
from drills.levers.review import review_table
from drills.levers.scope import scope_table
from drills.levers.sources import RepairSources, fill_right_values
from drills.scenarios.truth import WHOLE_RECORD

__all__ = [
    "CORRECTION", "STAGE_DAMAGE", "STAGE_KEYS", "RepairStage",
    "ScopeSlice", "repair_stage", "repairable_count", "stage_bounds", "stage_summary",
    "undo_overwrites",
]

STAGE_KEYS = "_drills_repair_keys"
"""The records of the stage under way, so statements join them instead of listing 100k ids."""
STAGE_DAMAGE = "_drills_repair_damage"
"""The run's damage to the stage's records: what its restores and compensations read."""

# How a record that should not exist is neutralised while keeping the trail (``cancel:``),
# and which tables' records take effect outside the world once a field is set
# (``sends:``: a message that was sent cannot be unsent, so its damage is compensated by
# a correction, never restored), are both said by the world's declaration.

CORRECTION = "correction:"
"""``related`` of a correction message: the prefix, then the id of the message it corrects."""


@dataclass(frozen=True)
class RepairStage:
    label: str
    records: int
    fields_restored: int
    records_compensated: int
    no_source: dict[str, int] = dataclasses.field(default_factory=dict)
    """Per table: records with a damaged field no available source could put back."""
    by_source: dict[str, int] = dataclasses.field(default_factory=dict)
    """Per source (rerun, history, export): damaged fields it held a value for."""
    corrections: int = 0
    """Messages already sent wrongly, followed by a correction instead of being unsent."""


@dataclass(frozen=True)
class ScopeSlice:
    """Records ``lower`` up to ``upto`` of a scope's records to repair, in (table, key) order
    with the warehouse's copies after every source.

    A stage named this way is picked inside the database (``LIMIT``/``OFFSET`` over the
    scope's key), so a hundred-thousand-record stage never travels through Python.
    """

    scope_id: str
    lower: int
    upto: int

    def __len__(self) -> int:
        return max(0, self.upto - self.lower)


def stage_summary(stage: RepairStage) -> str:
    """One line for the log: what the stage did, and what no source could put back."""
    text = (f"{stage.label}: {stage.records:,} records, {stage.fields_restored:,} values "
            f"restored, {stage.records_compensated:,} compensated")
    if stage.corrections:
        text += f", {stage.corrections:,} corrections sent"
    missing = sum(stage.no_source.values())
    if missing:
        text += f"; {missing:,} records left wrong: no source holds their right values"
    return text


def undo_overwrites(
    store: SqlStore, tables: Mapping[str, datetime | None], who: str
) -> int:
    """Put back, from the saved values, people's edits a repair overwrote; returns how many.

    Only a team that saved the values it was about to overwrite (``repair.save_values``,
    or a snapshot of the system taken before the repair) can do this: the value a repair
    wrote over is gone from the record itself. An overwritten edit is a repair write that
    came straight after a person's own (not a shadow fix's) write to the same field; the
    value it wrote over is the person's, and it goes back only where the repair's value
    still stands. ``tables`` maps each table whose values were kept to when they were
    kept: ``None`` for values saved as the repair wrote over them (all of them), the
    snapshot's time for a snapshot (only edits made before it are in it). It is
    written as the person's own value again (by ``who``, on their
    behalf), so syncs and copies carry it downstream like any edit of theirs.
    """
    cl = store.changelog
    # Each log row beside the one before it on the same field (a window, not a correlated
    # look-up per row: that was quadratic, 11 s at 20k records and hours at 1M).
    by_field = (cl.c.record_key, cl.c.field)

    def before_it(column: sa.Column[Any]) -> sa.Over[Any]:
        return sa.func.lag(column).over(partition_by=by_field, order_by=cl.c.seq)

    fixes: dict[str, dict[int, dict[str, Any]]] = {}
    with store.engine.connect() as conn:
        for table in sorted(set(tables) & set(store.tables)):
            kept = tables[table]
            log = sa.select(
                cl.c.seq, cl.c.record_key, cl.c.field, cl.c.old_value, cl.c.new_value,
                cl.c.op, cl.c.actor_kind,
                before_it(cl.c.actor_kind).label("prev_kind"),
                before_it(cl.c.actor_name).label("prev_name"),
                before_it(cl.c.at).label("prev_at"),
            ).where(cl.c.table_name == table).subquery("log")
            rows = conn.execute(
                sa.select(log.c.seq, log.c.record_key, log.c.field, log.c.old_value,
                          log.c.new_value)
                .where(log.c.op == "update", log.c.actor_kind == "repair",
                       log.c.prev_kind == "person",
                       ~log.c.prev_name.startswith("shadow fix"),
                       log.c.prev_at <= format_time(kept) if kept is not None else sa.true())
                .order_by(log.c.seq)
            ).all()
            col = CATALOG.table(table)
            for _seq, key, field_name, old, new in rows:
                current = store.get(table, int(key))
                if current is None or col.column(field_name).decode(new) != current[field_name]:
                    continue
                fixes.setdefault(table, {}).setdefault(int(key), {})[field_name] = (
                    col.column(field_name).decode(old))
    actor = Actor.person(f"{who}, restoring saved values")
    for table, changes in fixes.items():
        store.update(table, changes, actor)
    return sum(len(fields) for by_key in fixes.values() for fields in by_key.values())


def repairable_count(store: SqlStore, scope_id: str) -> int:
    """How many records the scope tagged for repair (``wrong`` or ``unclear``)."""
    scope = scope_table(store)
    with store.engine.connect() as conn:
        return int(conn.scalar(
            sa.select(sa.func.count()).select_from(scope)
            .where(scope.c.scope_id == scope_id, scope.c.tag.in_(_REPAIRABLE))
        ) or 0)


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
    keys: ScopeSlice | Collection[tuple[str, int]],
    overwrite: bool,
    actor: Actor,
    label: str,
    sources: RepairSources,
    rerun: sa.Table | None = None,
) -> RepairStage:
    """Repair the scoped records in ``keys`` (a slice of the scope, or (table, key) pairs)
    tagged wrong or unclear.

    Field by field, a value is restored only while the field still holds what the
    run wrote: a field a person has changed since keys their value, and the rest of
    their record is repaired around it. ``overwrite`` drops that guard and restores
    every damaged field: what a blind repair without a reviewed sample does.

    The stage is one transaction: a crash halfway leaves it undone, never half done.
    Every statement writes only values that differ from what it would write, so
    running a stage again, or the whole repair again from its first stage after a
    crash, writes nothing twice and ends where an uninterrupted repair ends.

    The stage's damaged fields are listed first (:data:`STAGE_DAMAGE`: which fields of
    the scoped records the team's review found wrong, never what they should hold), each
    is given its value from ``sources`` (``rerun`` holds the fixed job's values, see
    :func:`~drills.levers.sources.rerun_values`), and every restore reads that list, so a
    stage costs what it repairs: the guard against people's edits runs for the sample's
    twenty records, not for the hundred thousand damaged fields.
    """
    scope = scope_table(store)
    staged, records = _stage(store, scope, keys)
    damage = _stage_damage(store, review_table(store), scope, staged, scope_id, run_id)
    fill_right_values(store, damage, run_id, sources, store.clock.now(), rerun)
    no_source, by_source = _source_counts(store, damage)
    fields = _damaged_fields(store, damage)
    plan: list[tuple[str, sa.Select[Any], list[str], bool]] = []
    for table in sorted(fields):
        values = [f for f in fields[table] if f != WHOLE_RECORD]
        if WHOLE_RECORD in fields[table]:
            src, name = _compensation(damage, table)
            plan.append((table, src, [name], True))
        if values:
            plan.append((table, _restore(store, damage, run_id, table, values, overwrite),
                         values, False))
    copies = _copy_plan(store, scope, staged, scope_id)
    restored = compensated = 0
    with store.atomic():
        corrections = _send_corrections(store, damage, actor)
        for table, src, names, compensating in plan:
            written = store.update_from(table, src, names, actor)
            if compensating:
                compensated += written
            else:
                restored += written
        for copy, src, copy_fields in copies:
            restored += store.update_from(copy, src, copy_fields, actor)
    return RepairStage(label, records, restored, compensated, no_source, by_source, corrections)


_REPAIRABLE = ("wrong", "unclear")


def _stage(
    store: SqlStore, scope: sa.Table, keys: ScopeSlice | Collection[tuple[str, int]]
) -> tuple[sa.Table, int]:
    """Load the stage's keys into :data:`STAGE_KEYS`; returns that table and the record count.

    A stage of 100k records written into the statements as an ``IN`` list would pass
    one parameter per key per statement, past SQLite's limit at a million records.
    A :class:`ScopeSlice` is copied from the scope by one ``INSERT ... SELECT``; other
    keys go through the backend's bulk load. Loaded before the stage's own transaction
    begins; a rerun loads them again.
    """
    t = store.work_table(
        STAGE_KEYS,
        sa.Column("table_name", sa.Text, primary_key=True),
        sa.Column("record_key", sa.Integer, primary_key=True),
    )
    with store.begin() as conn:
        conn.execute(t.delete())
        if isinstance(keys, ScopeSlice):
            picked = (
                sa.select(scope.c.table_name, scope.c.record_key)
                .where(scope.c.scope_id == keys.scope_id, scope.c.tag.in_(_REPAIRABLE))
                # copies last, whatever the warehouse is called: a copy is brought in
                # line from its source, which an earlier stage must have repaired
                .order_by(sa.case((scope.c.table_name.startswith(f"{CATALOG.warehouse}."), 1),
                                  else_=0),
                          scope.c.table_name, scope.c.record_key)
                .limit(len(keys))
                .offset(keys.lower)
            )
            # rowcount of an INSERT ... SELECT is reported only when asked for (psycopg).
            count = conn.execute(
                t.insert().from_select(["table_name", "record_key"], picked)
                .execution_options(preserve_rowcount=True)
            ).rowcount
        else:
            rows = list(dict.fromkeys(keys))
            store.backend.bulk_load(conn, t, ("table_name", "record_key"), rows)
            count = len(keys)
        store.backend.analyze(conn, t)
    return t, count


def _stage_damage(
    store: SqlStore, review: sa.Table, scope: sa.Table, staged: sa.Table, scope_id: str,
    run_id: str,
) -> sa.Table:
    """List the run's damaged fields of the stage's source records still tagged for repair.

    Which fields are wrong is the team's review of the run (:mod:`drills.levers.review`);
    the values to put back come from the sources alone.

    One ``INSERT ... SELECT`` per table over the stage's span of keys in the review's
    primary key, each record checked against the stage and the scope by theirs: a
    stage costs its own records even where the database has no statistics to plan by.
    Warehouse copies are brought in line from their source instead (:func:`_copy_plan`).
    """
    t = store.work_table(
        STAGE_DAMAGE,
        sa.Column("table_name", sa.Text, primary_key=True),
        sa.Column("field", sa.Text, primary_key=True),
        sa.Column("record_key", sa.Integer, primary_key=True),
        sa.Column("wrong_value", sa.Text),
        sa.Column("right_value", sa.Text),
        sa.Column("source", sa.Text),
    )
    with store.begin() as conn:
        conn.execute(t.delete())
        spans = conn.execute(
            sa.select(staged.c.table_name, sa.func.min(staged.c.record_key),
                      sa.func.max(staged.c.record_key))
            .where(~staged.c.table_name.startswith(f"{CATALOG.warehouse}."))
            .group_by(staged.c.table_name)
        ).all()
        for table, lowest, highest in spans:
            # The key range drives: the planner has no other way in than the review's
            # primary key, and the stage and scope are checked by theirs.
            # Which fields are wrong, and what they hold now: never what they should hold.
            picked = sa.select(
                review.c.table_name, review.c.field, review.c.record_key, review.c.wrong_value,
            ).where(
                review.c.run_id == run_id,
                review.c.table_name == table,
                review.c.record_key.between(lowest, highest),
                sa.exists().where(
                    staged.c.table_name == table, staged.c.record_key == review.c.record_key
                ),
                sa.exists().where(
                    scope.c.scope_id == scope_id,
                    scope.c.table_name == table,
                    scope.c.record_key == review.c.record_key,
                    scope.c.tag.in_(_REPAIRABLE),
                ),
            )
            conn.execute(t.insert().from_select(
                ["table_name", "field", "record_key", "wrong_value"], picked
            ))
        store.backend.analyze(conn, t)
    return t


def _source_counts(store: SqlStore, damage: sa.Table) -> tuple[dict[str, int], dict[str, int]]:
    """Records per table with a field no source holds, and fields held per source."""
    value = damage.c.field != WHOLE_RECORD
    with store.engine.connect() as conn:
        missing = conn.execute(
            sa.select(damage.c.table_name, sa.func.count(sa.distinct(damage.c.record_key)))
            .where(value, damage.c.source.is_(None))
            .group_by(damage.c.table_name)
        ).all()
        held = conn.execute(
            sa.select(damage.c.source, sa.func.count())
            .where(value, damage.c.source.is_not(None))
            .group_by(damage.c.source)
        ).all()
    return ({t: int(n) for t, n in missing}, {s: int(n) for s, n in held})


def _send_corrections(store: SqlStore, damage: sa.Table, actor: Actor) -> int:
    """Follow each damaged message that already went out with a correction, once.

    Sent is sent: a wrongly sent message is never marked unsent; the customer gets a
    correction (``related`` names the message it corrects), which is the trail.
    """
    out: list[dict[str, Any]] = []
    for table, sent in CATALOG.irreversible().items():
        if table not in store.tables or table != CATALOG.outbox:
            continue
        t = store.sa_table(table)
        damaged = sa.select(damage.c.record_key).where(
            damage.c.table_name == table, damage.c.field != WHOLE_RECORD
        )
        followed = sa.select(t.c.related).where(t.c.related.like(f"{CORRECTION}%"))
        rows = _rows(store, sa.select(t).where(
            t.c[KEY].in_(damaged), t.c[sent].is_not(None),
            (sa.literal(CORRECTION) + sa.cast(t.c[KEY], sa.Text)).not_in(followed),
        ).order_by(t.c[KEY]))
        now = format_time(store.clock.now())
        out.extend({
            "to_address": r["to_address"], "template": r["template"],
            "subject": f"Correction: {r['subject'] or ''}".strip(),
            "related": f"{CORRECTION}{r[KEY]}", "reviewed": 1, "status": "queued",
            "created_at": now, "sent_at": None,
        } for r in rows)
    if out:
        # Sent by the team as new messages, like any other: copies downstream carry them.
        store.insert(CATALOG.messages_table(), out,
                     Actor.person(f"{actor.name}, sending corrections"))
    return len(out)


def _rows(store: SqlStore, stmt: sa.Select[Any]) -> list[dict[str, Any]]:
    with store.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(stmt)]


def _damaged_fields(store: SqlStore, damage: sa.Table) -> dict[str, list[str]]:
    """The fields the run damaged in the stage, per table; read before the stage begins."""
    out: dict[str, list[str]] = {}
    with store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(damage.c.table_name, damage.c.field).distinct()
            .order_by(damage.c.table_name, damage.c.field)
        )
        for table, field in rows:
            out.setdefault(table, []).append(field)
    return out


def _in_scope(
    scope: sa.Table, staged: sa.Table, scope_id: str, tags: Sequence[str] | None = _REPAIRABLE
) -> sa.ColumnElement[bool]:
    """The scope's row for a staged record (with one of ``tags``): a primary-key lookup."""
    on = [
        scope.c.scope_id == scope_id,
        scope.c.table_name == staged.c.table_name,
        scope.c.record_key == staged.c.record_key,
    ]
    if tags is not None:
        on.append(scope.c.tag.in_(tags))
    return sa.and_(*on)


def _compensation(damage: sa.Table, table: str) -> tuple[sa.Select[Any], str]:
    """Mark the records that should not exist (a duplicate email, a second invoice)."""
    name, value = CATALOG.cancels().get(table, ("status", "void"))
    src = sa.select(
        damage.c.record_key.label(KEY), sa.literal(value, sa.Text).label(name)
    ).where(damage.c.table_name == table, damage.c.field == WHOLE_RECORD)
    return src, name


def _restore(
    store: SqlStore, damage: sa.Table, run_id: str, table: str, fields: Sequence[str],
    overwrite: bool,
) -> sa.Select[Any]:
    """Every damaged field of the stage's records of ``table``, as it should be again.

    One row per record: a field takes back its value from before the run where it is
    still safe to touch, and keeps its current value otherwise, so one ``UPDATE``
    rewrites each record once however many of its fields the run damaged (PostgreSQL
    writes a new row version per update), and only the fields that change are logged.

    A record that is compensated as a whole is left to its compensation where the field
    is the one the compensation sets; else each run would set the field back and forth
    between the two.
    """
    target = store.sa_table(table)
    mark = CATALOG.cancels().get(table, ("status", "void"))[0]
    columns: list[sa.ColumnElement[Any]] = [target.c[KEY]]
    joined: sa.FromClause = target
    for i, field in enumerate(fields):
        col = CATALOG.table(table).column(field)
        sql_type: sa.types.TypeEngine[Any] = (
            sa.Integer() if col.type is ColumnType.INT else sa.Text()
        )
        d = damage.alias(f"d{i}")
        joined = joined.outerjoin(d, sa.and_(
            d.c.table_name == table, d.c.field == field, d.c.record_key == target.c[KEY]
        ))
        safe: list[sa.ColumnElement[bool]] = [d.c.record_key.is_not(None), d.c.source.is_not(None)]
        out = CATALOG.irreversible().get(table)
        if out is not None:
            safe.append(target.c[out].is_(None))  # what went out stays out
        if not overwrite:
            safe.append(_untouched_since_run(store, run_id, d, table, field))
        if field == mark:
            whole = damage.alias(f"whole{i}")
            safe.append(~sa.exists().where(
                whole.c.table_name == table,
                whole.c.field == WHOLE_RECORD,
                whole.c.record_key == target.c[KEY],
            ))
        columns.append(sa.case(
            (sa.and_(*safe), sa.cast(d.c.right_value, sql_type)), else_=target.c[field]
        ).label(field))
    damaged = sa.select(damage.c.record_key).where(
        damage.c.table_name == table, damage.c.field.in_(fields)
    )
    return sa.select(*columns).select_from(joined).where(target.c[KEY].in_(damaged))


def _copy_plan(
    store: SqlStore, scope: sa.Table, staged: sa.Table, scope_id: str
) -> list[tuple[str, sa.Select[Any], list[str]]]:
    """Bring the stage's scoped warehouse copies in line with their (repaired) source records."""
    plan: list[tuple[str, sa.Select[Any], list[str]]] = []
    with store.engine.connect() as conn:
        copies = conn.scalars(
            sa.select(staged.c.table_name).distinct()
            .where(staged.c.table_name.startswith(f"{CATALOG.warehouse}."))
            .order_by(staged.c.table_name)
        ).all()
    for copy in copies:
        source = CATALOG.table(copy).copy_of
        if source is None or source not in store.tables:
            continue
        src = store.sa_table(source)
        plan.append((
            copy,
            sa.select(src)
            .select_from(
                staged.join(scope, _in_scope(scope, staged, scope_id, tags=None))
                .join(src, src.c[KEY] == staged.c.record_key)
            )
            .where(staged.c.table_name == copy),
            list(CATALOG.table(copy).data_fields),
        ))
    return plan


def _untouched_since_run(
    store: SqlStore, run_id: str, damage: sa.FromClause, table: str, field: str
) -> sa.ColumnElement[bool]:
    """No person has written this field since the run last wrote this record.

    Judged by who wrote last, not by value: a person who happens to set the value the
    run also wrote (a status flipped back by hand) still has the last word. Downstream,
    a sync that delivered a person's upstream edit counts as that person.
    """
    cl = store.changelog
    later = cl.alias("later")
    run_last = (
        # max(seq + 0), not max(seq): SQLite would otherwise answer max() by walking the
        # (table, seq) index backwards through every change to the table, not this record's.
        sa.select(sa.func.max(cl.c.seq + 0))
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
            later.c.new_value.is_distinct_from(damage.c.wrong_value),
        ),
    )
    return ~sa.exists().where(
        later.c.table_name == table,
        later.c.record_key == damage.c.record_key,
        later.c.field == field,
        someone_else,
        later.c.seq > sa.func.coalesce(run_last, 0),
    )
