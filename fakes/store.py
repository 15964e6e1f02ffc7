"""The store: every record of the fake world, and the one write path that logs it.

Each write (insert, update, delete, set-based update) runs in one transaction that also
appends to the change log, one row per changed field: who (actor kind, name, run id, batch
id), what (table, record key, field, old, new) and when (the passed-in clock). Scope, repair
and ground truth are all read back from that log, so a write that bypassed it would make the
drill lie; there is deliberately no other way in, except :meth:`SqlStore.bulk_load`, which
lays down the baseline world before any drill time exists.

The change log's vocabulary (its columns, :class:`Op`, how values and times are spelt
in it) lives in :mod:`drills.fakes.changelog` and is re-exported here.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, Protocol

import sqlalchemy as sa

from drills.errors import did_you_mean
from drills.fakes.active import CATALOG
from drills.fakes.actors import Actor
from drills.fakes.backends.base import Backend
from drills.fakes.catalog import KEY, Catalog, ColumnType, TableDef
from drills.fakes.changelog import (
    CHANGELOG,
    LOG_COLUMNS,
    Op,
    Value,
    encode_value,
    format_time,
    log_row,
)
from drills.fakes.clock import Clock
from drills.fakes.errors import StoreError, UnknownTableError

__all__ = ["CHANGELOG", "Op", "SqlStore", "Store", "Value", "encode_value", "format_time"]

_IN_CHUNK = 5_000

class Store(Protocol):
    """What scenarios and drills may rely on, whatever database holds the records."""

    clock: Clock
    catalog: Catalog

    @property
    def tables(self) -> Mapping[str, TableDef]: ...

    @property
    def changelog(self) -> sa.Table: ...

    def add_tables(self, defs: Iterable[TableDef]) -> None: ...

    def table(self, qualname: str) -> TableDef: ...

    def sa_table(self, qualname: str) -> sa.Table: ...

    def insert(
        self, qualname: str, rows: Sequence[Mapping[str, Value]], actor: Actor
    ) -> list[int]: ...

    def update(
        self, qualname: str, changes: Mapping[int, Mapping[str, Value]], actor: Actor
    ) -> int: ...

    def update_from(
        self, qualname: str, source: sa.Select[Any], fields: Sequence[str], actor: Actor
    ) -> int: ...

    def delete(self, qualname: str, keys: Iterable[int], actor: Actor) -> int: ...

    def get(self, qualname: str, key: int) -> dict[str, Value] | None: ...

    def rows(self, qualname: str) -> list[dict[str, Value]]: ...

    def count(self, qualname: str) -> int: ...


class SqlStore:
    """A :class:`Store` on SQLAlchemy Core; the backend supplies the dialect-specific parts."""

    def __init__(self, backend: Backend, clock: Clock, catalog: Catalog = CATALOG) -> None:
        self.backend = backend
        self.clock = clock
        self.catalog = catalog
        self.metadata = sa.MetaData()
        self._defs: dict[str, TableDef] = {}
        self._sa: dict[str, sa.Table] = {}
        self._held = threading.local()
        self._temporaries: dict[tuple[Any, ...], sa.Table] = {}
        self._work: dict[str, sa.Table] = {}
        self._changelog = self.declare_table(
            CHANGELOG,
            self.metadata,
            sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("at", sa.Text, nullable=False),
            sa.Column("actor_kind", sa.Text, nullable=False),
            sa.Column("actor_name", sa.Text, nullable=False),
            sa.Column("run_id", sa.Text),
            sa.Column("batch_id", sa.Text),
            sa.Column("table_name", sa.Text, nullable=False),
            sa.Column("record_key", sa.Integer, nullable=False),
            sa.Column("op", sa.Text, nullable=False),
            sa.Column("field", sa.Text, nullable=False),
            sa.Column("old_value", sa.Text),
            sa.Column("new_value", sa.Text),
            sa.Index("ix_changes_run", "run_id", "batch_id"),
            sa.Index("ix_changes_record", "table_name", "record_key", "actor_kind", "field", "seq"),
            sa.Index("ix_changes_at", "at"),
            # What a sync or a check has not seen yet: one table's changes after a seq.
            sa.Index("ix_changes_table_seq", "table_name", "seq"),
        )
        self._changelog.create(self.engine, checkfirst=True)

    # -- shape ---------------------------------------------------------------------------

    @property
    def engine(self) -> sa.Engine:
        return self.backend.engine

    @property
    def changelog(self) -> sa.Table:
        return self._changelog

    @property
    def tables(self) -> Mapping[str, TableDef]:
        return dict(self._defs)

    def add_tables(self, defs: Iterable[TableDef]) -> None:
        """Create the SQL tables for ``defs`` (idempotent)."""
        new = []
        for d in defs:
            if d.qualname in self._defs:
                continue
            cols = [
                sa.Column(
                    c.name,
                    sa.Integer if c.type is ColumnType.INT else sa.Text,
                    primary_key=c.name == KEY,
                    autoincrement=False,
                    nullable=c.nullable or c.name == KEY,
                )
                for c in d.columns
            ]
            self._sa[d.qualname] = self.declare_table(d.sql_name, self.metadata, *cols)
            self._defs[d.qualname] = d
            new.append(self._sa[d.qualname])
        if new:
            self.metadata.create_all(self.engine, tables=new, checkfirst=True)

    def table(self, qualname: str) -> TableDef:
        try:
            return self._defs[qualname]
        except KeyError:
            self.catalog.table(qualname)  # raises if the name is wrong everywhere
            raise UnknownTableError(
                f"table '{qualname}' is not in this world; add it to the world's counts"
                f"{did_you_mean(qualname, self._defs)}"
            ) from None

    def sa_table(self, qualname: str) -> sa.Table:
        self.table(qualname)
        return self._sa[qualname]

    def declare_table(
        self, name: str, metadata: sa.MetaData, *items: sa.Column[Any] | sa.Index
    ) -> sa.Table:
        """A Core table as this store creates its lasting tables (``UNLOGGED`` on PostgreSQL:
        see :attr:`Backend.table_prefixes`); temporary tables are declared apart."""
        return sa.Table(name, metadata, *items, prefixes=list(self.backend.table_prefixes))

    def work_table(self, name: str, *columns: sa.Column[Any] | sa.Index) -> sa.Table:
        """A table of the drill's own (the truth, the scope, a repair stage's keys),
        created if it is missing; ``columns`` (and its indexes) are read the first time only.

        One Core handle per name for the store's life: SQLAlchemy caches compiled
        statements by the identity of their tables, and a new handle per call would
        also ask the database whether the table exists, every time.
        """
        table = self._work.get(name)
        if table is None:
            table = self.declare_table(name, sa.MetaData(), *columns)
            table.create(self.engine, checkfirst=True)
            self._work[name] = table
        return table

    @contextmanager
    def begin(self) -> Iterator[sa.Connection]:
        """A write transaction, as the backend starts one; inside :meth:`atomic`, that one's.

        Reads use ``engine.connect()``.
        """
        held: sa.Connection | None = getattr(self._held, "conn", None)
        if held is not None:
            yield held
            return
        with self.backend.begin() as conn:
            yield conn

    @contextmanager
    def atomic(self) -> Iterator[sa.Connection]:
        """Make every write inside one transaction: all of them land, or none does.

        The writes (:meth:`insert`, :meth:`update`, :meth:`update_from`, :meth:`delete`)
        made in this thread inside the block share its connection, so an error or a
        crash halfway leaves nothing of the block behind; a repair stage runs this way.
        Read what the block needs before it starts: a read through :attr:`engine`
        inside it uses another connection (or, for an in-memory database, resets the
        shared one). Nested blocks join the outer one.
        """
        held: sa.Connection | None = getattr(self._held, "conn", None)
        if held is not None:
            yield held
            return
        with self.backend.begin() as conn:
            self._held.conn = conn
            try:
                yield conn
            finally:
                self._held.conn = None

    def close(self) -> None:
        self.backend.dispose()

    # -- writes --------------------------------------------------------------------------

    def bulk_load(
        self, qualname: str, columns: Sequence[str], rows: Iterable[Sequence[Value]]
    ) -> int:
        """Lay down baseline records before the drill starts; deliberately not change-logged."""
        d = self.table(qualname)
        for c in columns:
            d.column(c)
        with self.begin() as conn:
            return self.backend.bulk_load(conn, self._sa[qualname], columns, rows)

    def insert(
        self, qualname: str, rows: Sequence[Mapping[str, Value]], actor: Actor
    ) -> list[int]:
        """Insert records, giving each an ``id`` past the largest one; logs every field."""
        d = self.table(qualname)
        t = self._sa[qualname]
        if not rows:
            return []
        prepared: list[dict[str, Value]] = []
        explicit: list[int] = []
        for row in rows:
            rec: dict[str, Value] = dict.fromkeys(d.field_names)
            for name, value in row.items():
                rec[name] = self._check(d, name, value)
            key = rec[KEY]
            if isinstance(key, int):
                explicit.append(key)
            prepared.append(rec)
        with self.begin() as conn:
            taken = list(self._fetch(conn, t, explicit, ())) if explicit else []
            if taken or len(set(explicit)) != len(explicit):
                dup = taken[0] if taken else next(k for k in explicit if explicit.count(k) > 1)
                raise StoreError(
                    f"cannot insert into {qualname}: a record with id {dup} exists already; "
                    "leave 'id' out to have one assigned"
                )
            top = int(conn.scalar(sa.select(sa.func.max(t.c[KEY]))) or 0)
            next_id = max([top, *explicit]) + 1
            for rec in prepared:
                if rec[KEY] is None:
                    rec[KEY] = next_id
                    next_id += 1
            names = d.field_names
            self.backend.bulk_load(
                conn, t, names, (tuple(rec[f] for f in names) for rec in prepared)
            )
            at = format_time(self.clock.now())
            log = [
                log_row(at, actor, qualname, int(rec[KEY]), Op.INSERT, f, None, rec[f])  # type: ignore[arg-type]
                for rec in prepared
                for f in d.data_fields
            ]
            self._append(conn, log)
        return [int(rec[KEY]) for rec in prepared]  # type: ignore[arg-type]

    def update(
        self, qualname: str, changes: Mapping[int, Mapping[str, Value]], actor: Actor
    ) -> int:
        """Set fields per record; logs each field whose value really changed. Returns that count.

        Set-based for more than one record: the new values go into a temporary table
        through the backend's bulk load, then one change-log ``INSERT ... SELECT`` and
        one ``UPDATE ... FROM`` per set of fields written (a bad run's batch of 25k
        records is one set), instead of a statement and a log row built in Python per
        record. One record is compared in Python (:meth:`_update_one`).
        """
        d = self.table(qualname)
        t = self._sa[qualname]
        if any(KEY in values for values in changes.values()):
            raise StoreError(
                f"cannot change the id of a record in {qualname}; delete it and insert a new one"
            )
        groups: dict[tuple[str, ...], list[tuple[Value, ...]]] = defaultdict(list)
        for key, values in changes.items():
            names = tuple(sorted(values))
            groups[names].append(
                (key, *(self._check(d, f, values[f]) for f in names))
            )
        if not groups:
            return 0
        if len(changes) == 1:
            return self._update_one(qualname, t, *next(iter(groups.items())), actor)
        logged = 0
        with self.begin() as conn:
            self._check_exist(conn, qualname, t, list(changes))
            for names, rows in groups.items():
                if not names:
                    continue
                src = self._scratch(conn, t, names)
                # Loaded in key order, so the joins below visit the table's pages in order.
                rows.sort(key=_first)
                self.backend.bulk_load(conn, src, (KEY, *names), rows)
                logged += self._apply_scratch(conn, qualname, t, src, names, actor)
                src.drop(conn)
        return logged

    def _update_one(
        self, qualname: str, t: sa.Table, names: tuple[str, ...],
        rows: list[tuple[Value, ...]], actor: Actor,
    ) -> int:
        """One record's update, compared in Python: a person's edit, a single fix.

        The set-based path's scratch tables cost a dozen statements and their DDL
        (about 2 ms); a drill makes one such update per edit by a person. The log rows
        and the record come out the same: the fields whose value really changes, in
        the order of their names, old and new values as text.
        """
        (key, *new) = rows[0]
        assert isinstance(key, int)
        with self.begin() as conn:
            old = self._check_exist(conn, qualname, t, [key], names)[key]
            changed = {f: v for f, v in zip(names, new, strict=True) if old[f] != v}
            if changed:
                at = format_time(self.clock.now())
                self._append(conn, [
                    log_row(at, actor, qualname, key, Op.UPDATE, f, old[f], v)
                    for f, v in changed.items()
                ])
                conn.execute(t.update().where(t.c[KEY] == key).values(changed))
        return len(changed)

    def _check_exist(
        self, conn: sa.Connection, qualname: str, t: sa.Table, keys: Sequence[int],
        fields: Sequence[str] = (),
    ) -> dict[int, dict[str, Value]]:
        """The records of ``keys`` (their ``fields``); a StoreError naming any missing."""
        found = self._fetch(conn, t, keys, fields)
        missing = [k for k in keys if k not in found]
        if missing:
            raise StoreError(
                f"{qualname} has no record with id {missing[0]}"
                + (f" (and {len(missing) - 1} more)" if len(missing) > 1 else "")
                + "; scope writes to records that exist"
            )
        return found

    def update_from(
        self, qualname: str, source: sa.Select[Any], fields: Sequence[str], actor: Actor
    ) -> int:
        """Set-based update: copy ``fields`` from ``source`` (which has ``id`` and those fields).

        The source is run once, into a temporary table indexed on ``id``; the change-log
        rows and the update are then single statements joining it (``INSERT ... SELECT``
        then ``UPDATE ... FROM``), which is what keeps a 100k-record repair in seconds. A
        source that reads the change log (a sync's "changed since") would otherwise be
        evaluated again for every field. Only fields whose value differs are logged and
        written.
        """
        d = self.table(qualname)
        for f in fields:
            d.column(f)
        if KEY in fields:
            raise StoreError(
                f"cannot change the id of a record in {qualname}; delete it and insert a new one"
            )
        if not fields:
            return 0
        t = self._sa[qualname]
        given = source.subquery("given")
        with self.begin() as conn:
            src = self._scratch(conn, t, fields)
            conn.execute(
                src.insert().from_select(
                    [KEY, *fields], sa.select(given.c[KEY], *(given.c[f] for f in fields))
                )
            )
            logged = self._apply_scratch(conn, qualname, t, src, fields, actor)
            src.drop(conn)
        return int(logged)

    def _apply_scratch(
        self, conn: sa.Connection, qualname: str, t: sa.Table, src: sa.Table,
        fields: Sequence[str], actor: Actor,
    ) -> int:
        """Log and write every field of ``src`` that differs from ``t``; returns rows logged.

        The records that differ at all are joined once into a second temporary table
        holding old and new values side by side; the change log's one row per changed
        field is then read from it field by field, without joining the big table again.
        """
        names = [(f"old_{i}", f"new_{i}") for i in range(len(fields))]
        pairs = self._temporary(
            "_drills_update_pairs",
            [(n, t.c[f].type) for f, both in zip(fields, names, strict=True) for n in both],
            indexed=False,
        )
        _fresh(conn, pairs)
        differs = sa.or_(*(t.c[f].is_distinct_from(src.c[f]) for f in fields))
        conn.execute(
            pairs.insert().from_select(
                [KEY, *(n for both in names for n in both)],
                sa.select(t.c[KEY], *(c for f in fields for c in (t.c[f], src.c[f])))
                .select_from(t.join(src, t.c[KEY] == src.c[KEY]))
                .where(differs),
            )
        )
        at = format_time(self.clock.now())
        selects = [
            sa.select(
                sa.literal(at),
                sa.literal(actor.kind.value),
                sa.literal(actor.name),
                sa.literal(actor.run_id, sa.Text),
                sa.literal(actor.batch_id, sa.Text),
                sa.literal(qualname),
                pairs.c[KEY],
                sa.literal(Op.UPDATE),
                sa.literal(f),
                sa.cast(pairs.c[old], sa.Text),
                sa.cast(pairs.c[new], sa.Text),
            ).where(pairs.c[old].is_distinct_from(pairs.c[new]))
            for f, (old, new) in zip(fields, names, strict=True)
        ]
        union = selects[0] if len(selects) == 1 else sa.union_all(*selects)
        # rowcount of an INSERT ... SELECT is reported only when asked for (psycopg).
        logged = conn.execute(
            self._changelog.insert()
            .from_select(list(LOG_COLUMNS), union)
            .execution_options(preserve_rowcount=True)
        ).rowcount
        if logged:
            conn.execute(
                t.update()
                .where(t.c[KEY] == src.c[KEY])
                .where(differs)
                .values({f: src.c[f] for f in fields})
            )
        pairs.drop(conn)
        return int(logged)

    def _scratch(self, conn: sa.Connection, like: sa.Table, fields: Sequence[str]) -> sa.Table:
        """A temporary table for an update's source rows: ``id`` (indexed) and ``fields``."""
        scratch = self._temporary(
            "_drills_update_source", [(f, like.c[f].type) for f in fields], indexed=True
        )
        _fresh(conn, scratch)
        return scratch

    def _temporary(
        self, name: str, columns: Sequence[tuple[str, Any]], *, indexed: bool
    ) -> sa.Table:
        """The Core handle of a temporary table of this shape, made once and kept.

        SQLAlchemy caches a statement's compiled SQL by the identity of the tables in
        it, so a new handle per update would compile every statement afresh: measured
        at more than half of a small drill's time (0.9 s of 1.6 s) before this cache.
        """
        shape = (name, indexed, tuple((n, repr(type_)) for n, type_ in columns))
        table = self._temporaries.get(shape)
        if table is None:
            table = sa.Table(
                name,
                sa.MetaData(),
                sa.Column(KEY, sa.Integer, index=indexed),
                *(sa.Column(n, type_) for n, type_ in columns),
                prefixes=["TEMPORARY"],
            )
            self._temporaries[shape] = table
        return table

    def delete(self, qualname: str, keys: Iterable[int], actor: Actor) -> int:
        """Delete records; logs every field's last value so the record can be restored."""
        d = self.table(qualname)
        t = self._sa[qualname]
        wanted = list(dict.fromkeys(keys))
        if not wanted:
            return 0
        with self.begin() as conn:
            current = self._fetch(conn, t, wanted, d.data_fields)
            missing = [k for k in wanted if k not in current]
            if missing:
                raise StoreError(
                    f"{qualname} has no record with id {missing[0]}; nothing was deleted"
                )
            at = format_time(self.clock.now())
            log = [
                log_row(at, actor, qualname, k, Op.DELETE, f, current[k][f], None)
                for k in wanted
                for f in d.data_fields
            ]
            for chunk in _chunks(wanted):
                conn.execute(t.delete().where(t.c[KEY].in_(chunk)))
            self._append(conn, log)
        return len(wanted)

    # -- reads ---------------------------------------------------------------------------

    def read_keyed(
        self, conn: sa.Connection, t: sa.Table, columns: Sequence[str], keys: Iterable[int],
        *, by: str = KEY,
    ) -> list[tuple[Any, ...]]:
        """``columns`` of the records whose ``by`` field is in ``keys``, in ``by`` order.

        The bulk read behind every "these records, by key" of a drill (a batch's
        triggering records, the values a truth check compares, a sync's targets):
        through the backend's driver cursor, since SQLAlchemy's row processing cost
        more than the queries themselves at a million records.
        """
        return self.backend.read_keyed(conn, t, columns, by, keys)

    def get(self, qualname: str, key: int) -> dict[str, Value] | None:
        t = self.sa_table(qualname)
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(t).where(t.c[KEY] == key)).mappings().first()
        return dict(row) if row else None

    def rows(self, qualname: str) -> list[dict[str, Value]]:
        """Every record of a table in key order; for small tables and tests."""
        t = self.sa_table(qualname)
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(sa.select(t).order_by(t.c[KEY])).mappings()]

    def count(self, qualname: str) -> int:
        t = self.sa_table(qualname)
        with self.engine.connect() as conn:
            return int(conn.scalar(sa.select(sa.func.count()).select_from(t)) or 0)

    # -- internals -----------------------------------------------------------------------

    @staticmethod
    def _check(d: TableDef, name: str, value: Value) -> Value:
        col = d.column(name)
        if value is None:
            if name == KEY:
                return None
            return None
        if col.type is ColumnType.INT:
            if isinstance(value, bool) or not isinstance(value, int):
                raise StoreError(
                    f"{d.qualname}.{name} holds whole numbers, got {value!r}; pass an int"
                )
        elif not isinstance(value, str):
            raise StoreError(f"{d.qualname}.{name} holds text, got {value!r}; pass a str")
        return value

    def _fetch(
        self, conn: sa.Connection, t: sa.Table, keys: Iterable[int], fields: Sequence[str]
    ) -> dict[int, dict[str, Value]]:
        return {
            row[0]: dict(zip(fields, row[1:], strict=True))
            for row in self.read_keyed(conn, t, (KEY, *fields), keys)
        }

    def _append(self, conn: sa.Connection, log: list[dict[str, Any]]) -> None:
        """Append change-log rows through the backend's bulk path (the hot path of a drill)."""
        if log:
            rows = (tuple(r[c] for c in LOG_COLUMNS) for r in log)
            self.backend.bulk_load(conn, self._changelog, LOG_COLUMNS, rows)


def _fresh(conn: sa.Connection, scratch: sa.Table) -> None:
    """Create a temporary table, dropping one left by an update that was rolled back.

    SQLite runs DDL before a transaction's first write outside it, so the CREATE of
    an update that later failed survives the rollback (while its DROP does not).
    """
    conn.execute(sa.schema.DropTable(scratch, if_exists=True))  # no catalog look-up first
    scratch.create(conn)


def _first(row: tuple[Value, ...]) -> int:
    key = row[0]
    assert isinstance(key, int)
    return key


def _chunks(items: Sequence[int]) -> Iterator[Sequence[int]]:
    for i in range(0, len(items), _IN_CHUNK):
        yield items[i : i + _IN_CHUNK]
