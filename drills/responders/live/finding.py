"""How the team finds the damaged records in a live drill: query, diff, tag, untag.

The team asks the change log which records a run, batch, window or actor touched
(``query``), or compares the world with a snapshot (``diff``); ``tag last`` takes
exactly what the last answer showed into the draft scope, ``tag TABLE KEYS`` adds
records someone noticed, ``untag`` takes them out. The draft becomes the graded
scope only when the team submits it (:class:`~drills.responders.live.responder.LiveResponder`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from drills.engine.context import DrillContext
from drills.fakes.queries import change_conditions, last_seq
from drills.fakes.snapshots import diff_select, list_snapshots
from drills.levers.scope import scope_table
from drills.responders.live.actions import DRAFT, TeamAction
from drills.responders.live.commands import CommandError, query_filters

__all__ = ["RecordFinding"]

_BATCHES_KEPT = 500
"""The most batch ids one answer adds to completion (a run has one per drill minute)."""


@dataclass
class _Last:
    """The last query or diff, kept so 'tag last' takes exactly what it showed."""

    kind: str
    selects: list[sa.Select[Any]]
    """Each yields (table_name, record_key) rows."""
    method: str


class RecordFinding:
    """The live responder's record-finding actions (a mixin of its state, below)."""

    _context: DrillContext | None
    _last: _Last | None
    _methods: set[str]
    run_ids: list[str]
    batch_ids: list[str]

    @property
    def _lp(self) -> DrillContext:
        assert self._context is not None, "the responder acts only inside a drill"
        return self._context

    def _do_query(self, action: TeamAction) -> str:
        store = self._lp.store
        args = action.command.args
        cl = store.changelog
        terms = change_conditions(store, **query_filters(args))
        if "system" in args:
            terms.append(cl.c.table_name.like(f"{args['system']}.%"))
        terms.append(cl.c.seq <= last_seq(store))  # 'tag last' takes what was shown, no more
        pairs = sa.select(cl.c.table_name, cl.c.record_key).where(*terms).distinct()
        per_table = self._count_pairs(pairs)
        actors = sa.select(cl.c.actor_kind, cl.c.actor_name, cl.c.run_id).where(*terms) \
            .group_by(cl.c.actor_kind, cl.c.actor_name, cl.c.run_id) \
            .order_by(sa.func.count().desc()).limit(3)
        with store.engine.connect() as conn:
            rows = conn.execute(actors).all()
        seen = [f"{kind} {name}" + (f" (run {run})" if run else "") for kind, name, run in rows]
        self.run_ids.extend(r for _, _, r in rows if r and r not in self.run_ids)
        batches = self._batches(terms)
        method = "run_id" if "run" in args else "batch" if "batch" in args else (
            "window" if "since" in args or "until" in args else "filter")
        self._last = _Last("query", [pairs], method)
        total = sum(per_table.values())
        if not total:
            return "no changes match"
        tables = ", ".join(f"{t} {n:,}" for t, n in per_table.items())
        return f"{total:,} records ({tables}); by " + "; ".join(seen) + batches

    def _batches(self, terms: list[sa.ColumnElement[bool]]) -> str:
        """' in 40 batches (RUN/b00001 .. RUN/b00040)': the batches the answer holds, which
        completion offers from then on (as it offers the runs an answer named)."""
        cl = self._lp.store.changelog
        where = [*terms, cl.c.batch_id.is_not(None)]
        first = sa.func.min(cl.c.seq)
        ids = sa.select(cl.c.batch_id).where(*where).group_by(cl.c.batch_id) \
            .order_by(first).limit(_BATCHES_KEPT)
        count = sa.select(sa.func.count(sa.distinct(cl.c.batch_id))).where(*where)
        with self._lp.store.engine.connect() as conn:
            shown = [str(b) for b in conn.scalars(ids)]
            n = int(conn.scalar(count) or 0)
        self.batch_ids.extend(b for b in shown if b not in self.batch_ids)
        if not n:
            return ""
        if n == 1:
            return f"; in batch {shown[0]}"
        return f"; in {n:,} batches ({shown[0]} .. {shown[-1] if n <= _BATCHES_KEPT else '...'})"

    def _count_pairs(self, pairs: sa.Select[Any]) -> dict[str, int]:
        sub = pairs.subquery()
        stmt = sa.select(sub.c.table_name, sa.func.count()).group_by(sub.c.table_name) \
            .order_by(sub.c.table_name)
        with self._lp.store.engine.connect() as conn:
            return {t: int(n) for t, n in conn.execute(stmt)}

    def _do_diff(self, action: TeamAction) -> str:
        store = self._lp.store
        args = action.command.args
        snap = next((s for s in list_snapshots(store) if s.name == args["snapshot"]), None)
        if snap is None:
            raise CommandError(f"no snapshot named '{args['snapshot']}'; take one first")
        tables = args["tables"] or sorted(snap.tables)
        outside = [t for t in tables if t not in snap.tables]
        if outside and args["tables"]:
            raise CommandError(
                f"snapshot {snap.name} holds no copy of {outside[0]}; it holds "
                f"{', '.join(sorted(snap.tables))}"
            )
        selects: list[sa.Select[Any]] = []
        parts: list[str] = []
        total = 0
        with store.engine.connect() as conn:
            for table in tables:
                sub = diff_select(store, table, snap.tables[table]).subquery()
                row = conn.execute(sa.select(
                    sa.func.count(),
                    sa.func.coalesce(sa.func.sum(sa.case((sa.not_(sub.c.in_other), 1), else_=0)),
                                     0),
                    sa.func.coalesce(sa.func.sum(sa.case((sa.not_(sub.c.in_live), 1), else_=0)),
                                     0),
                )).one()
                n, added, removed = int(row[0]), int(row[1]), int(row[2])
                total += n
                if n:
                    parts.append(f"{table} {n - added - removed:,} changed"
                                 + (f", {added:,} added" if added else "")
                                 + (f", {removed:,} removed" if removed else ""))
                selects.append(sa.select(sa.literal(table).label("table_name"),
                                         sub.c.id.label("record_key")))
        self._last = _Last("diff", selects, "filter")
        if not total:
            return f"nothing differs from snapshot {snap.name}"
        return f"{total:,} records differ from {snap.name}: " + "; ".join(parts)

    def _draft_counts(self) -> dict[str, int]:
        scope = scope_table(self._lp.store)
        return self._count_pairs(
            sa.select(scope.c.table_name, scope.c.record_key).where(scope.c.scope_id == DRAFT)
        )

    def _draft_text(self) -> str:
        counts = self._draft_counts()
        if not counts:
            return "nothing tagged"
        total = sum(counts.values())
        return f"{total:,} tagged: " + ", ".join(f"{t} {n:,}" for t, n in counts.items())

    def _do_tag(self, action: TeamAction) -> str:
        store = self._lp.store
        args = action.command.args
        scope = scope_table(store)
        before = sum(self._draft_counts().values())
        if args.get("last"):
            if self._last is None:
                raise CommandError("there is no query or diff to tag yet; run 'query ...' or "
                                   "'diff SNAPSHOT' first")
            with store.begin() as conn:
                for select in self._last.selects:
                    sub = select.subquery()
                    mine = scope.alias("mine")
                    new = sa.select(sa.literal(DRAFT), sub.c.table_name, sub.c.record_key) \
                        .where(~sa.exists().where(
                            mine.c.scope_id == DRAFT, mine.c.table_name == sub.c.table_name,
                            mine.c.record_key == sub.c.record_key)).distinct()
                    conn.execute(scope.insert().from_select(
                        ["scope_id", "table_name", "record_key"], new))
            self._methods.add(self._last.method)
        else:
            table, keys = args["table"], args["keys"]
            key_col = store.sa_table(table).c.id
            found: set[int] = set()
            with store.engine.connect() as conn:
                for i in range(0, len(keys), 500):
                    chunk = keys[i:i + 500]
                    found.update(conn.scalars(sa.select(key_col).where(key_col.in_(chunk))))
            missing = [k for k in keys if k not in found]
            if missing:
                shown = ", ".join(str(k) for k in missing[:5])
                raise CommandError(f"{table} has no record {shown}"
                                   + (" ..." if len(missing) > 5 else "") + "; nothing tagged")
            with store.begin() as conn:
                have = set(conn.scalars(sa.select(scope.c.record_key).where(
                    scope.c.scope_id == DRAFT, scope.c.table_name == table)))
                rows = [{"scope_id": DRAFT, "table_name": table, "record_key": k}
                        for k in keys if k not in have]
                if rows:
                    conn.execute(scope.insert(), rows)
            self._methods.add("noticed")
        added = sum(self._draft_counts().values()) - before
        return f"{added:,} added; {self._draft_text()}"

    def _do_untag(self, action: TeamAction) -> str:
        store = self._lp.store
        args = action.command.args
        scope = scope_table(store)
        where = [scope.c.scope_id == DRAFT]
        if not args.get("all"):
            where.append(scope.c.table_name == args["table"])
            if "keys" in args:
                where.append(scope.c.record_key.in_(args["keys"]))
        with store.begin() as conn:
            removed = conn.execute(scope.delete().where(*where)).rowcount
        return f"{removed:,} removed; {self._draft_text()}"
