"""The real backend: PostgreSQL through psycopg 3, one schema per drill.

Each drill gets a schema of its own (``drill_<id>``) in a database marked as a drill
sandbox (see :mod:`drills.fakes.backends.sandbox`), recorded there as drills' own when
it is created; every pooled connection has its ``search_path`` set to that schema
alone, so the store's Core SQL runs unchanged and two drills on one database never see
each other's tables. The schema is dropped when the store closes, unless ``keep``. For
as long as the backend is open it holds the schema's advisory lock
(:func:`~drills.fakes.backends.sandbox.schema_lock_key`) on a connection of its own,
outside the pool, so ``drills sandbox clean`` never drops the schema of a drill still
running. Bulk loads go through ``COPY ... FROM STDIN`` on
the driver connection (about 4 s for a million rows here, against minutes for
``INSERT``), snapshots through ``CREATE TABLE ... AS``.

The URL may hold a password: it is used to connect and nowhere else. Everything
shown (``display_url``, errors, reports) goes through :func:`redact_url`.
"""

from __future__ import annotations

import os
import re
import uuid
import weakref
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from difflib import get_close_matches
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, unquote

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.pool import NullPool

from drills.fakes.backends.base import (
    BackendError,
    TranslatedErrors,
    redact_url,
    scrub,
    url_parts,
)
from drills.fakes.backends.sandbox import (
    SCHEMA_PREFIX,
    drop_schema,
    is_recorded,
    is_sandbox,
    not_a_sandbox,
    record_created,
    schema_lock_key,
)

if TYPE_CHECKING:
    import psycopg

__all__ = [
    "INSTALL_HINT",
    "PostgresBackend",
    "PostgresSeeded",
    "admin_engine",
    "check_query",
    "connect_error",
    "engine_url",
    "is_postgres_url",
    "new_schema_name",
    "require_psycopg",
]

INSTALL_HINT = 'pip install "drills[postgres]"'
_SCHEMES = ("postgresql", "postgres", "postgresql+psycopg")
_SCHEMA = re.compile(rf"{SCHEMA_PREFIX}[a-z0-9_]{{1,57}}")
_CONNECT_TIMEOUT = 10
_KEYS_CHUNK = 50_000
"""Keys per ``= ANY`` array: bounded, so one read never builds a huge parameter."""
_NAME_TRIES = 8
_TRY_LOCK = "SELECT pg_try_advisory_lock(%s, %s)"
_UNLOCK = "SELECT pg_advisory_unlock(%s, %s)"


def is_postgres_url(text: str) -> bool:
    """Whether ``text`` is a URL this backend takes (``postgresql://``, ``postgres://``)."""
    return text.partition("://")[0].lower() in _SCHEMES and "://" in text


def require_psycopg() -> None:
    """Fail with one line saying what to install when the driver is missing."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        raise BackendError(
            f"PostgreSQL backends need the psycopg driver, which is not installed: "
            f"{INSTALL_HINT}"
        ) from None


def _accepted_parameters() -> list[str] | None:
    """The connection parameters the installed libpq takes (None: no driver to ask)."""
    try:
        from psycopg import pq

        return sorted(o.keyword.decode() for o in pq.Conninfo.get_defaults())
    except Exception:  # no psycopg, or no libpq behind it: the driver's own error says so
        return None


def check_query(url: str, where: str = "the backend URL") -> dict[str, str]:
    """The URL's query as a dict; one :class:`BackendError` naming a parameter libpq does
    not take (``?bogus=1``, a typo such as ``?sslmod=require``) and the ones it does.

    Checked before anything connects: libpq's own refusal comes from deep inside the
    connection pool as a traceback, and names neither the URL nor the way out.
    """
    query = url.rpartition("@")[2].partition("?")[2].split("#", 1)[0]
    pairs = parse_qsl(query, keep_blank_values=True)
    accepted = _accepted_parameters()
    for key, _ in pairs:
        if accepted is not None and key not in accepted:
            close = get_close_matches(key, accepted, n=1, cutoff=0.6)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            shown = key if len(key) <= 40 else key[:37] + "..."
            raise BackendError(
                f"{where} {redact_url(url)} has the parameter '{shown}', which PostgreSQL "
                f"does not take{hint}; the parameters it takes: {', '.join(accepted)}"
            )
    return dict(pairs)


def engine_url(url: str) -> sa.URL:
    """The SQLAlchemy URL (``postgresql+psycopg``) for a user's ``postgresql://`` URL.

    Parsed here rather than by ``make_url`` so that a password holding ``@`` or ``/``
    is taken whole (the user info ends at the last ``@``) and never ends up as a host
    name in a driver error.
    """
    parts = url_parts(url)
    if parts is None or not is_postgres_url(url):
        raise BackendError(
            f"'{redact_url(url)}' is not a PostgreSQL URL; write it as "
            "postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE"
        )
    _, userinfo, hostport, path = parts
    user, _, password = userinfo.partition(":")
    host, port = _host_port(hostport, url)
    query = check_query(url)
    return sa.URL.create(
        "postgresql+psycopg",
        username=unquote(user) or None,
        password=unquote(password) or None,
        host=unquote(host) or None,
        port=port,
        database=unquote(path.lstrip("/")) or None,
        query=query,
    )


def _host_port(hostport: str, url: str) -> tuple[str, int | None]:
    if hostport.startswith("["):
        host, _, rest = hostport[1:].partition("]")
        port_text = rest.removeprefix(":")
    else:
        host, colon, port_text = hostport.rpartition(":")
        if not colon:
            host, port_text = hostport, ""
    if not port_text:
        return host, None
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise BackendError(
            f"the port in {redact_url(url)} is not a port number; write e.g. "
            "postgresql://USER@HOST:5432/DATABASE"
        )
    return host, int(port_text)


def connect_error(err: BaseException, url: str) -> BackendError:
    """One line for a failed connection: which database (no credentials) and why."""
    orig = getattr(err, "orig", None) or err
    reason = " ".join(str(orig).split()) or type(orig).__name__
    reason = reason.removeprefix("connection failed: ")
    return BackendError(
        f"cannot connect to {redact_url(url)}: {scrub(reason, url)}; check the URL and "
        "that the server is running"
    )


def admin_engine(url: str) -> sa.Engine:
    """An engine on ``url`` outside any drill schema, for marks and schema DDL."""
    require_psycopg()
    return sa.create_engine(
        engine_url(url), poolclass=NullPool, connect_args=_connect_args(url),
        hide_parameters=True,
    )


def _connect_args(url: str) -> dict[str, Any]:
    query = url.rpartition("@")[2].partition("?")[2]
    return {} if "connect_timeout" in query else {"connect_timeout": _CONNECT_TIMEOUT}


def new_schema_name() -> str:
    """A fresh, unguessable drill schema name such as ``drill_3f9c0a1b2d4e``."""
    return f"{SCHEMA_PREFIX}{uuid.uuid4().hex[:12]}"


@dataclass(frozen=True)
class PostgresSeeded:
    """A seeded world kept in a drill schema of its own (``schema``) of the database at
    ``location`` (its URL without credentials: a container's reruns reach it by URL
    too), to fork reruns from by ``INSERT ... SELECT``."""

    location: str
    schema: str
    tables: tuple[str, ...]


_ENGINES: weakref.WeakSet[sa.Engine] = weakref.WeakSet()


def _forget_pools_in_child() -> None:
    """After a fork the child must not use, or close, the parent's pooled connections.

    SQLAlchemy's advice for multiprocessing: ``dispose(close=False)`` in the child drops
    the inherited pool without touching the sockets the parent still uses.
    """
    for engine in list(_ENGINES):
        engine.dispose(close=False)


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pools_in_child)


class PostgresBackend(TranslatedErrors):
    """A drill database in schema ``schema`` (default: a new ``drill_<id>``) of ``url``.

    Refuses, with one line saying how to mark it, a database that is not a drill
    sandbox. ``keep`` leaves the schema behind after :meth:`dispose` for inspection;
    otherwise it is dropped. A forked child never drops its parent's schema, nor
    touches the connection holding its lock. A schema another backend has open (its
    lock is held) is refused, and so is an existing ``schema`` drills did not create.
    """

    name = "postgresql"
    table_prefixes: tuple[str, ...] = ("UNLOGGED",)
    """A drill's tables skip the write-ahead log, for the reason it commits without
    waiting for it (:meth:`_on_connect`): the world is rebuilt from its seed, and a
    replayed journal rebuilds it, so what the log would save after a server crash is
    never used, while writing it cost the million-record benchmark drill 9-11 s of
    51.6 (42.5 and 40.7 s unlogged; the seed 4.4 -> 3.2 s, the bad run 23.1 -> 18.3 s).
    A transaction still rolls back; only a crash of the server itself empties them.
    """

    def __init__(self, url: str, schema: str | None = None, *, keep: bool = False) -> None:
        require_psycopg()
        sa_url = engine_url(url)
        if schema is not None and not _SCHEMA.fullmatch(schema):
            raise BackendError(
                f"schema name '{schema}' is not a drill schema; use '{SCHEMA_PREFIX}' followed "
                "by lower-case letters, digits or '_' (drills drops no other schema)"
            )
        self._url = url
        self.keep = keep
        self._pid = os.getpid()
        self._disposed = False
        self._lock: psycopg.Connection[Any] | None = None
        self._seeded: list[PostgresBackend] = []
        """Schemas holding seeded worlds kept to fork from; dropped with this one."""
        self.schema = self._prepare(schema)
        try:
            # Reads autocommit: a drill makes hundreds of small reads, and in a transaction
            # each would cost a BEGIN and a ROLLBACK round trip more. Writes go through
            # begin(), which opens a real transaction on its connection.
            self._engine = sa.create_engine(
                sa_url, connect_args=_connect_args(url), hide_parameters=True,
                isolation_level="AUTOCOMMIT",
            )
        except BaseException:
            self._release(self.schema)
            raise
        event.listen(self._engine, "connect", self._on_connect, insert=True)
        event.listen(self._engine, "handle_error", self._on_error)
        _ENGINES.add(self._engine)

    def _prepare(self, schema: str | None) -> str:
        """Check the sandbox mark, take the schema's lock and create the schema.

        The lock is taken first, on a connection of its own that the backend keeps
        until :meth:`dispose` (outside the pool, so pooled connections never carry it),
        so no clean can drop the schema between its creation and the drill's end.
        Returns the schema's name: ``schema``, or a new free ``drill_<id>``.
        """
        admin = admin_engine(self._url)
        name = schema or "drill_..."
        try:
            self._lock = self._lock_connection(admin)
            with admin.begin() as conn:
                if not is_sandbox(conn):
                    raise not_a_sandbox(self._url)
                name, fresh = self._claim(conn, schema)
                if fresh:
                    conn.execute(sa.text(f'CREATE SCHEMA "{name}"'))
                    record_created(conn, name)
            return name
        except BaseException as err:
            import psycopg

            self._release(None)
            if isinstance(err, (sa.exc.OperationalError, psycopg.OperationalError)):
                raise connect_error(err, self._url) from None
            if isinstance(err, sa.exc.ProgrammingError):
                raise BackendError(
                    f"cannot create schema {name} in {redact_url(self._url)}: "
                    f"{scrub(' '.join(str(err.orig).split()), self._url)}; the user needs "
                    "the CREATE privilege on the database"
                ) from None
            raise
        finally:
            admin.dispose()

    def _lock_connection(self, admin: sa.Engine) -> psycopg.Connection[Any]:
        """A plain psycopg connection (no pool) to hold the schema's advisory lock.

        Plain, because a pooled connection is reset or closed when collected, which
        in a forked child would end the parent's session and free its lock; psycopg
        never closes a connection opened by another process.
        """
        import psycopg

        cargs, cparams = admin.dialect.create_connect_args(admin.url)
        try:
            return psycopg.connect(*cargs, autocommit=True,
                                   **{**cparams, **_connect_args(self._url)})
        except (psycopg.OperationalError, psycopg.ProgrammingError) as err:
            raise connect_error(err, self._url) from None  # a bad value: ?connect_timeout=x

    def _claim(self, conn: sa.Connection, schema: str | None) -> tuple[str, bool]:
        """Lock ``schema`` (or a new free name); the name, and whether to create it."""
        exists = sa.text("SELECT EXISTS (SELECT FROM pg_namespace WHERE nspname = :name)")
        if schema is not None:
            if not self._try_lock(schema):
                raise BackendError(
                    f"schema {schema} in {redact_url(self._url)} is in use: another drill "
                    "has it open (or `drills sandbox clean` is dropping it); wait for it "
                    "to end, or leave out the schema name for a new one"
                )
            if not conn.scalar(exists, {"name": schema}):
                return schema, True
            if not is_recorded(conn, schema):
                raise BackendError(
                    f"schema {schema} in {redact_url(self._url)} was not created by drills "
                    "(it carries no record of drills creating it), so a drill neither uses "
                    "nor drops it; leave out the schema name for a new drill schema"
                )
            return schema, False
        for _ in range(_NAME_TRIES):
            name = new_schema_name()
            if self._try_lock(name):
                if not conn.scalar(exists, {"name": name}):
                    return name, True
                self._unlock(name)
        raise BackendError(  # eight random names in a row taken: not plausible by chance
            f"found no free drill schema name in {redact_url(self._url)} after "
            f"{_NAME_TRIES} tries; see `drills sandbox status`"
        )

    def _try_lock(self, schema: str) -> bool:
        assert self._lock is not None
        row = self._lock.execute(_TRY_LOCK, schema_lock_key(schema)).fetchone()
        return bool(row and row[0])

    def _unlock(self, schema: str) -> None:
        assert self._lock is not None
        self._lock.execute(_UNLOCK, schema_lock_key(schema))

    def _release(self, schema: str | None) -> None:
        """Free ``schema``'s lock and close the lock's connection (which frees any lock)."""
        if self._lock is None:
            return
        import psycopg

        try:
            if schema is not None:
                with suppress(psycopg.Error):  # a lost connection holds no lock anyway
                    self._unlock(schema)
        finally:
            self._lock.close()
            self._lock = None

    def _on_connect(self, dbapi_conn: Any, _record: Any) -> None:
        """Every pooled connection sees the drill schema and nothing else.

        Runs before SQLAlchemy's first-connect set-up (``insert=True``), so the dialect
        takes the drill schema as the default for reflection and ``has_table``.
        ``synchronous_commit=off`` for this session only, for the reason SQLite runs
        with ``synchronous=OFF``: a drill's data is rebuilt from its seed, so waiting
        for the WAL flush at each of a drill's hundreds of commits buys nothing.
        """
        autocommit = dbapi_conn.autocommit
        dbapi_conn.autocommit = True
        with dbapi_conn.cursor() as cur:
            cur.execute(f'SET search_path TO "{self.schema}"')
            cur.execute("SET synchronous_commit TO off")
        dbapi_conn.autocommit = autocommit

    # -- the database going away under the drill ----------------------------------------

    def _schema_gone(self) -> bool:
        """Whether the drill schema no longer exists (asked on the lock's connection)."""
        import psycopg

        if self._lock is None or os.getpid() != self._pid:
            return False
        try:
            row = self._lock.execute(
                "SELECT EXISTS (SELECT FROM pg_namespace WHERE nspname = %s)", (self.schema,)
            ).fetchone()
        except psycopg.Error:
            return False  # the connection is gone too: the lost-connection line says so
        return not (row and row[0])

    def _translate(self, err: BaseException) -> BackendError | None:
        """One line for a schema dropped, or a connection lost, while the drill ran."""
        import psycopg

        if not isinstance(err, psycopg.Error):
            return None
        if isinstance(err, psycopg.errors.UndefinedTable | psycopg.errors.InvalidSchemaName) \
                and self._schema_gone():
            return BackendError(
                f"the drill schema {self.schema} in {self.location} was dropped while the "
                "drill ran (by another connection: a DROP SCHEMA, or a database reset), so "
                "the drill cannot go on; run it again, and leave drill schemas to 'drills "
                "sandbox clean', which never drops one in use"
            )
        if isinstance(err, psycopg.OperationalError):
            reason = scrub(" ".join(str(err).split()) or type(err).__name__, self._url)
            return BackendError(
                f"lost the connection to {self.location} while the drill ran ({reason}); "
                "check the server (was the database dropped or restarted?), then run the "
                "drill again"
            )
        return None

    @property
    def engine(self) -> sa.Engine:
        return self._engine

    @property
    def location(self) -> str:
        """Which database, fit for output: the URL without credentials."""
        return redact_url(self._url)

    @property
    def display_url(self) -> str:
        return f"{self.location} (schema {self.schema})"

    @property
    def url(self) -> str:
        """The URL as given, credentials included: for opening more drills, never for output."""
        return self._url

    def __repr__(self) -> str:
        return f"PostgresBackend({self.display_url!r}, keep={self.keep})"

    @contextmanager
    def begin(self) -> Iterator[sa.Connection]:
        """A READ COMMITTED transaction on a connection of its own (the engine autocommits)."""
        with self._engine.connect() as conn:
            conn.execution_options(isolation_level="READ COMMITTED")
            with conn.begin():
                yield conn

    def bulk_load(
        self,
        conn: sa.Connection,
        table: sa.Table,
        columns: Sequence[str],
        rows: Iterable[Sequence[Any]],
    ) -> int:
        from psycopg import sql

        raw = conn.connection.driver_connection
        assert raw is not None
        stmt = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, columns))
        )
        total = 0
        with self._raw(), raw.cursor() as cur, cur.copy(stmt) as copy:
            for row in rows:
                copy.write_row(row)
                total += 1
        return total

    def read_keyed(
        self,
        conn: sa.Connection,
        table: sa.Table,
        columns: Sequence[str],
        by: str,
        keys: Iterable[int],
    ) -> list[tuple[Any, ...]]:
        """``= ANY(array)``: one parameter per chunk, however many keys it holds."""
        from psycopg import sql

        ordered = sorted(set(keys))
        raw = conn.connection.driver_connection
        assert raw is not None
        stmt = sql.SQL("SELECT {} FROM {} WHERE {} = ANY(%s::bigint[]) ORDER BY {}").format(
            sql.SQL(", ").join(map(sql.Identifier, columns)), sql.Identifier(table.name),
            sql.Identifier(by), sql.Identifier(by),
        )
        out: list[tuple[Any, ...]] = []
        with self._raw(), raw.cursor() as cur:
            for i in range(0, len(ordered), _KEYS_CHUNK):
                cur.execute(stmt, (ordered[i : i + _KEYS_CHUNK],))
                out.extend(cur.fetchall())
        return out

    def copy_table(self, conn: sa.Connection, source: sa.Table, target_name: str) -> int:
        quote = self._engine.dialect.identifier_preparer.quote_identifier
        copied = conn.execute(sa.text(
            f"CREATE {' '.join((*self.table_prefixes, 'TABLE'))} {quote(target_name)} AS "
            f"SELECT * FROM {quote(source.name)}"
        ).execution_options(preserve_rowcount=True)).rowcount
        # Keyed after the copy: building the index once is cheaper than keeping it up.
        key = ", ".join(quote(c.name) for c in source.primary_key)
        conn.execute(sa.text(f"ALTER TABLE {quote(target_name)} ADD PRIMARY KEY ({key})"))
        return int(copied)

    def analyze(self, conn: sa.Connection, table: sa.Table) -> None:
        """``ANALYZE`` it, as PostgreSQL's docs advise after populating a table: a repair
        stage's keys with no statistics made one 100k-record stage take 30 s, not 0.1 s."""
        quote = self._engine.dialect.identifier_preparer.quote_identifier
        conn.execute(sa.text(f"ANALYZE {quote(table.name)}"))

    def keep_seeded(self, tables: Sequence[sa.Table]) -> PostgresSeeded:
        """Copy ``tables`` into a new drill schema of this database (recorded as drills'
        own, locked, dropped when this backend is disposed, whatever ``keep`` says).

        A schema copy, not a template database: on the shared example (2,360 records)
        ``CREATE DATABASE ... TEMPLATE`` took 0.05-0.19 s (WAL_LOG) or 0.35-1.15 s
        (FILE_COPY) against 0.12-0.15 s for a schema copy, both far under the 0.62 s
        seed; but a database per rerun needs ``CREATEDB``, a sandbox mark in each new
        database and no other session on the template, and leaves the sandbox guard's
        one-database model. Rows are copied in key order, as the seed's ``COPY`` laid
        them down, so scans see them in the same order.
        """
        holder = PostgresBackend(self._url)
        self._seeded.append(holder)
        quote = self._engine.dialect.identifier_preparer.quote_identifier
        with self.begin() as conn:
            for t in tables:
                conn.execute(sa.text(
                    f"CREATE UNLOGGED TABLE {quote(holder.schema)}.{quote(t.name)} AS "
                    f"SELECT * FROM {quote(self.schema)}.{quote(t.name)} ORDER BY 1"))
        return PostgresSeeded(redact_url(self._url), holder.schema, tuple(t.name for t in tables))

    def fork_seeded(self, seeded: object, tables: Sequence[sa.Table]) -> bool:
        """Fill this schema's (created, empty) ``tables`` from the kept schema, in key order."""
        if not (isinstance(seeded, PostgresSeeded) and seeded.location == redact_url(self._url)
                and set(seeded.tables) == {t.name for t in tables}):
            return False
        quote = self._engine.dialect.identifier_preparer.quote_identifier
        with self.begin() as conn:
            for t in tables:
                conn.execute(sa.text(
                    f"INSERT INTO {quote(t.name)} SELECT * FROM "
                    f"{quote(seeded.schema)}.{quote(t.name)} ORDER BY 1"))
        return True

    def dispose(self) -> None:
        """Drop the drill schema (unless ``keep``), and any seeded world kept from it, and
        close every connection."""
        if self._disposed:
            return
        self._disposed = True
        if os.getpid() != self._pid:  # a forked child: the schema and its lock are the parent's
            self._engine.dispose(close=False)
            return
        try:
            if not self.keep:
                with self._engine.begin() as conn:
                    drop_schema(conn, self.schema)  # one dropped meanwhile: nothing to do
        except sa.exc.OperationalError as err:
            raise connect_error(err, self._url) from None
        finally:
            self._engine.dispose()
            self._release(self.schema)  # after the drop: until then no clean may take it
            for holder in self._seeded:
                holder.dispose()
