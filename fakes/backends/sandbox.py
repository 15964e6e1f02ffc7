"""The drill-sandbox mark: the one thing that lets drills write to a PostgreSQL database.

A drill creates and drops schemas, so pointed at the wrong URL it could do harm. It
therefore writes only to a database it created itself (a throwaway container) or to
one somebody marked on purpose with ``drills sandbox init URL``, which creates the
table ``public.drills_sandbox`` and records who marked it and when. Like
pytest-django's "Database access not allowed" guard, the refusal says how to get past
it. Everything here is plain SQL on a given connection; opening one is the backend's job.

A schema is a drill schema because drills recorded it, never because of its name: in
the transaction that creates it, drills writes on it a comment naming the schema, its
object id and its creation time (:func:`record_created`). A schema whose comment does
not say exactly that of itself (a person's ``drill_customer_archive``, a kept schema
renamed, or restored from a dump under a new object id, one made by a drills that
recorded no object id) is not drills' to drop: :func:`drop_schema` refuses it, and
``drills sandbox`` lists it as left alone. A comment, not a table of its own, because
only the schema's owner may write it, it goes when the schema goes, and an existing
sandbox needs no new table or grant. The backend that has a drill schema open holds an
advisory lock keyed on its name: ``drills sandbox clean`` drops only the schemas whose
lock it can take, so a running drill never loses its schema to a clean.
"""

from __future__ import annotations

import getpass
import re
import socket
import zlib
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from drills.fakes.backends.base import BackendError, redact_url

__all__ = [
    "LOCK_CLASS",
    "SANDBOX_TABLE",
    "SCHEMA_PREFIX",
    "DrillSchema",
    "SandboxError",
    "SandboxMark",
    "drill_schemas",
    "drill_schemas_created",
    "drop_schema",
    "is_recorded",
    "is_sandbox",
    "lock_schema",
    "mark",
    "marks",
    "not_a_sandbox",
    "not_recorded",
    "record_created",
    "schema_lock_key",
    "unlock_schema",
    "who_am_i",
]

SANDBOX_TABLE = "public.drills_sandbox"
"""The marker table; its presence (with a row) is what makes a database a drill sandbox."""

SCHEMA_PREFIX = "drill_"
"""Every schema drills creates starts with this; the name alone never makes one drills'."""


LOCK_CLASS = 0x6472696C
"""The first half of every drill schema's advisory-lock key ('dril'): the two-int key
space, which never overlaps the one-bigint keys other code on the database may use."""

_RECORD = re.compile(
    r"created by drills at (?P<at>\S+) as (?P<name>\S+) \(schema oid (?P<oid>[0-9]{1,10})\)"
)
"""The comment :func:`record_created` writes; read back whole (``fullmatch``), never searched."""


class SandboxError(BackendError):
    """A PostgreSQL database that is not marked as a drill sandbox."""


@dataclass(frozen=True)
class DrillSchema:
    """A drill schema drills created and recorded, and when."""

    name: str
    created: datetime


@dataclass(frozen=True)
class SandboxMark:
    """One ``drills sandbox init``: when, by whom, and why."""

    at: datetime
    by: str
    note: str


def who_am_i() -> str:
    """``user@host`` of this process, for the mark's ``marked_by``."""
    try:
        user = getpass.getuser()
    except Exception:  # no login name in some containers
        user = "unknown"
    return f"{user}@{socket.gethostname()}"


def not_a_sandbox(url: str) -> SandboxError:
    """The refusal for ``url``, saying how to mark it (credentials never shown)."""
    shown = redact_url(url)
    return SandboxError(
        f"{shown} is not a drill sandbox; drills only writes to databases marked for it: "
        f"run `drills sandbox init {shown}` once (a password it needs goes in ~/.pgpass) "
        "to mark it, or use --backend docker for a throwaway database"
    )


def is_sandbox(conn: sa.Connection) -> bool:
    """Whether the connected database carries the mark (the table, with a row in it)."""
    if conn.scalar(sa.text(f"SELECT to_regclass('{SANDBOX_TABLE}')")) is None:
        return False
    return bool(conn.scalar(sa.text(f"SELECT count(*) FROM {SANDBOX_TABLE}")))


def mark(conn: sa.Connection, *, by: str, note: str) -> bool:
    """Mark the connected database as a drill sandbox; True when it was not marked before.

    Marking twice adds a second row (the history of who vouched for it), never an error.
    """
    was = is_sandbox(conn)
    conn.execute(sa.text(
        f"CREATE TABLE IF NOT EXISTS {SANDBOX_TABLE} ("
        " marked_at timestamptz NOT NULL DEFAULT now(),"
        " marked_by text NOT NULL,"
        " note text NOT NULL)"
    ))
    conn.execute(
        sa.text(f"INSERT INTO {SANDBOX_TABLE} (marked_by, note) VALUES (:by, :note)"),
        {"by": by, "note": note},
    )
    return not was


def marks(conn: sa.Connection) -> list[SandboxMark]:
    """Every mark, oldest first; empty when the database is not a sandbox."""
    if not is_sandbox(conn):
        return []
    rows = conn.execute(sa.text(
        f"SELECT marked_at, marked_by, note FROM {SANDBOX_TABLE} ORDER BY marked_at"
    ))
    return [SandboxMark(at, by, note) for at, by, note in rows]


def drill_schemas(conn: sa.Connection) -> list[str]:
    """The drill schemas in the database (left by ``--keep``, or drills running now)."""
    return [schema.name for schema in drill_schemas_created(conn)]


def drill_schemas_created(conn: sa.Connection) -> list[DrillSchema]:
    """The schemas drills created and recorded, with the creation time on each."""
    found = (_recorded(name, oid, comment) for name, oid, comment in _prefixed(conn))
    return [schema for schema in found if schema is not None]


def not_recorded(conn: sa.Connection) -> list[str]:
    """Schemas named ``drill_...`` that drills has no record of creating: never touched."""
    return [name for name, oid, comment in _prefixed(conn)
            if _recorded(name, oid, comment) is None]


def is_recorded(conn: sa.Connection, schema: str) -> bool:
    """Whether ``schema`` exists and carries drills' record of creating it."""
    row = conn.execute(
        sa.text("SELECT oid::bigint, obj_description(oid, 'pg_namespace') FROM pg_namespace "
                "WHERE nspname = :name"),
        {"name": schema},
    ).one_or_none()
    return row is not None and _recorded(schema, row[0], row[1]) is not None


def _prefixed(conn: sa.Connection) -> list[tuple[str, int, str | None]]:
    """Every schema whose name starts with :data:`SCHEMA_PREFIX`: name, oid, comment."""
    rows = conn.execute(
        sa.text("SELECT nspname, oid::bigint, obj_description(oid, 'pg_namespace') "
                "FROM pg_namespace WHERE starts_with(nspname, :prefix) ORDER BY nspname"),
        {"prefix": SCHEMA_PREFIX},
    )
    return [(name, oid, comment) for name, oid, comment in rows]


def _recorded(name: str, oid: int, comment: str | None) -> DrillSchema | None:
    """The schema, if its comment is drills' record of this very schema; else None.

    The record names the schema and its object id: a schema renamed since, or restored
    from a dump (a new oid), or given the comment by hand for another schema, is not it.
    """
    found = _RECORD.fullmatch(comment or "")
    if found is None or found["name"] != name or int(found["oid"]) != oid:
        return None
    if not name.startswith(SCHEMA_PREFIX):
        return None
    try:
        at = datetime.fromisoformat(found["at"])
    except ValueError:
        return None
    return DrillSchema(name, at) if at.tzinfo is not None else None


def _quoted(schema: str) -> str:
    if not schema.startswith(SCHEMA_PREFIX):
        raise ValueError(f"{schema!r} is not a drill schema")
    return '"' + schema.replace('"', '""') + '"'


def record_created(conn: sa.Connection, schema: str, at: datetime | None = None) -> None:
    """Record on the drill schema (its comment) that drills created it: its name, its
    object id and ``at``, by default now by the server's clock.

    Written in the transaction that creates the schema; :func:`drop_schema` drops no
    schema without it, and ``drills sandbox clean --older-than`` reads the time back.
    """
    if at is None:
        at = conn.scalar(sa.text("SELECT now()"))
        assert at is not None
    oid = conn.scalar(sa.text("SELECT oid::bigint FROM pg_namespace WHERE nspname = :name"),
                      {"name": schema})
    if oid is None:
        raise ValueError(f"no schema {schema!r} to record")
    text = f"created by drills at {at.isoformat()} as {schema} (schema oid {oid})"
    literal = "'" + text.replace("'", "''") + "'"
    conn.execute(sa.text(f"COMMENT ON SCHEMA {_quoted(schema)} IS {literal}"))


def drop_schema(conn: sa.Connection, schema: str) -> bool:
    """``DROP SCHEMA ... CASCADE`` of a schema drills created and recorded, and of no other.

    Whether it was dropped: False when there is no such schema, or when it carries no
    record of drills creating it (a person's ``drill_...`` schema), which stays whole.
    """
    _quoted(schema)
    if not is_recorded(conn, schema):
        return False
    conn.execute(sa.text(f"DROP SCHEMA {_quoted(schema)} CASCADE"))
    return True


def schema_lock_key(schema: str) -> tuple[int, int]:
    """The advisory-lock key of a drill schema: :data:`LOCK_CLASS` and a hash of its name.

    A backend holds this lock (session level) for as long as it has the schema open,
    and ``drills sandbox clean`` drops only schemas whose lock it can take. Two names
    with the same hash do no harm: a clean leaves a schema it could have dropped, a new
    drill takes another name.
    """
    digest = zlib.crc32(schema.encode("utf-8"))
    return LOCK_CLASS, (digest - (1 << 32) if digest >= 1 << 31 else digest)


def lock_schema(conn: sa.Connection, schema: str) -> bool:
    """Take the schema's advisory lock for this session if it is free; whether it was taken.

    Never waits: a lock held elsewhere means a drill has the schema open. Session-level
    locks nest, so each one taken must be released once with :func:`unlock_schema`.
    """
    first, second = schema_lock_key(schema)
    return bool(conn.scalar(sa.text("SELECT pg_try_advisory_lock(:first, :second)"),
                            {"first": first, "second": second}))


def unlock_schema(conn: sa.Connection, schema: str) -> bool:
    """Release the schema's advisory lock taken by this session; False if it held none."""
    first, second = schema_lock_key(schema)
    return bool(conn.scalar(sa.text("SELECT pg_advisory_unlock(:first, :second)"),
                            {"first": first, "second": second}))
