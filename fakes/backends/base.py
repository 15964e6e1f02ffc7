"""The backend protocol: everything dialect-specific that the store needs, and nothing else."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Any, Protocol
from urllib.parse import unquote

import sqlalchemy as sa

from drills.errors import DrillsError

__all__ = [
    "Backend", "BackendError", "TranslatedErrors", "redact_url", "scrub", "url_parts",
    "url_secrets",
]


class BackendError(DrillsError):
    """A database drills cannot or may not use: a bad URL, a missing driver, no engine."""


def url_parts(url: str) -> tuple[str, str, str, str] | None:
    """(scheme, user info, host and port, path) of ``scheme://user:secret@host/path``.

    The user info ends at the *last* ``@`` of the URL, so a password holding an
    unescaped ``@``, ``/`` or ``?`` is still cut out whole: a secret is never taken for
    a host or a path. (An ``@`` in a query value must therefore be written ``%40``.)
    None for text that is not a URL.
    """
    if "://" not in url:
        return None
    scheme, _, rest = url.partition("://")
    if scheme.startswith("sqlite"):
        return scheme, "", "", rest.split("?", 1)[0]
    userinfo, at, after = rest.rpartition("@")
    if not at:
        userinfo, after = "", rest
    after = after.split("?", 1)[0].split("#", 1)[0]
    hostport, slash, path = after.partition("/")
    return scheme, userinfo, hostport, slash + path


def redact_url(url: str) -> str:
    """A URL fit for output: no password, no query (which may carry one), no driver.

    ``postgresql+psycopg://ana:s3cret@db:5432/drills?sslpassword=x`` becomes
    ``postgresql://ana@db:5432/drills``. What is shown names the database and the user,
    never how to log in as them.
    """
    parts = url_parts(url)
    if parts is None:
        return url
    scheme, userinfo, hostport, path = parts
    if scheme.startswith("sqlite"):
        return f"{scheme}://{path}"
    if scheme.startswith("postgresql+") or scheme == "postgres":
        scheme = "postgresql"
    user = userinfo.partition(":")[0]
    return f"{scheme}://{user + '@' if user else ''}{hostport}{path}"


def url_secrets(url: str) -> list[str]:
    """The secret parts of ``url``: its password (raw and decoded) and secret query values."""
    out: list[str] = []
    parts = url_parts(url)
    if parts is not None:
        _, colon, password = parts[1].partition(":")
        if colon and password:
            out += [password, unquote(password)]
    query = url.rpartition("@")[2].partition("?")[2].split("#", 1)[0]
    for pair in query.split("&"):
        key, eq, value = pair.partition("=")
        if eq and value and any(w in key.lower() for w in ("pass", "secret", "key", "token")):
            out += [value, unquote(value)]
    return sorted({s for s in out if s}, key=len, reverse=True)


def scrub(message: str, url: str) -> str:
    """``message`` with every secret of ``url`` replaced by ``***`` (for driver errors).

    Defence in depth: drivers do not echo passwords, but a message that ever did would
    still not show one. Secrets under three characters are left (they would mangle text).
    """
    for secret in url_secrets(url):
        if len(secret) >= 3:
            message = message.replace(secret, "***")
    return message


class Backend(Protocol):
    """A database the store can live in.

    Portable SQL (Core expressions, ``INSERT ... SELECT``, ``UPDATE ... FROM``,
    ``IS DISTINCT FROM``) lives in the store; what differs per database - engine
    options, how a write transaction starts, the fastest bulk load, ``CREATE TABLE
    AS`` - lives behind this protocol. Reads use ``engine.connect()``.
    """

    name: str

    table_prefixes: tuple[str, ...]
    """Words between ``CREATE`` and ``TABLE`` for the drill's own tables (``UNLOGGED``)."""

    @property
    def engine(self) -> sa.Engine: ...

    @property
    def display_url(self) -> str:
        """The URL with credentials removed, for logs and reports."""
        ...

    def begin(self) -> AbstractContextManager[sa.Connection]:
        """A write transaction: everything in it commits together or not at all."""
        ...

    def bulk_load(
        self,
        conn: sa.Connection,
        table: sa.Table,
        columns: Sequence[str],
        rows: Iterable[Sequence[Any]],
    ) -> int:
        """Load rows as fast as the database allows; returns the count. Not change-logged."""
        ...

    def read_keyed(
        self,
        conn: sa.Connection,
        table: sa.Table,
        columns: Sequence[str],
        by: str,
        keys: Iterable[int],
    ) -> list[tuple[Any, ...]]:
        """The ``columns`` of every record whose ``by`` is in ``keys``, in ``by`` order.

        Read through the driver's own cursor, as :meth:`bulk_load` writes: the fields
        are integers and text, which no SQLAlchemy result processing changes, and that
        processing cost more than the query (1.5 us a row; 2 million rows in a
        million-record drill).
        """
        ...

    def copy_table(self, conn: sa.Connection, source: sa.Table, target_name: str) -> int:
        """Create ``target_name`` as a full copy of ``source``, keyed on ``id``; returns its rows.

        The count comes from the copying statement itself: counting the copy again
        would read a million records a second time.

        The key matters: a diff against the copy is a full outer join on ``id``, which
        SQLite runs as a nested loop (quadratic) when the copy has no index on it.
        """
        ...

    def analyze(self, conn: sa.Connection, table: sa.Table) -> None:
        """Give the planner statistics on a table just filled, before it is joined.

        A table made and filled inside a drill (the truth, the scope, a repair stage's
        keys) has none until autovacuum gets round to it, and a planner guessing its
        size can pick a nested loop that rescans it per row.
        """
        ...

    def keep_seeded(self, tables: Sequence[sa.Table]) -> object:
        """Keep ``tables`` as they stand (just seeded) to fork reruns from; returns the
        handle :meth:`fork_seeded` takes. The handle lives until this backend is disposed
        and is inherited by forked processes (never pickled)."""
        ...

    def fork_seeded(self, seeded: object, tables: Sequence[sa.Table]) -> bool:
        """Fill ``tables`` (created, empty) from a handle of :meth:`keep_seeded`, exactly
        as they were kept; False (nothing done) when the handle is of another database."""
        ...

    def dispose(self) -> None: ...


class TranslatedErrors:
    """A backend's database errors as one line wherever they surface: in a statement
    SQLAlchemy runs (listen :meth:`_on_error` to its ``handle_error`` event) or in a
    driver-level call that bypasses it (wrap it in :meth:`_raw`). A backend says which
    errors it can explain by overriding :meth:`_translate`."""

    _RAW_ERRORS: tuple[type[BaseException], ...] = (Exception,)
    """What :meth:`_raw` offers to :meth:`_translate`; anything else passes untouched."""

    def _translate(self, err: BaseException) -> DrillsError | None:
        """The one line for ``err``, or None to let it through as it is."""
        return None

    def _on_error(self, context: sa.engine.ExceptionContext) -> None:
        translated = self._translate(context.original_exception)
        if translated is not None:
            raise translated

    @contextmanager
    def _raw(self) -> Iterator[None]:
        try:
            yield
        except self._RAW_ERRORS as err:
            translated = self._translate(err)
            if translated is None:
                raise
            raise translated from None
