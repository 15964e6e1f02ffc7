"""The drill-sandbox mark: the one thing that lets drills write to a PostgreSQL database.

A drill creates and drops schemas, so pointed at the wrong URL it could do harm. It
therefore writes only to a database it created itself (a throwaway container) or to
one somebody marked on purpose with ``drills sandbox init URL``, which creates the
table ``public.drills_sandbox`` and records who marked it and when. Like
pytest-django's "Database access not allowed" guard, the refusal says how to get past
it. Everything here is plain SQL on a given connection; opening one is the backend's job.
"""

from __future__ import annotations

import getpass
import socket
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from fakes.backends.base import BackendError, redact_url

__all__ = [
    "SANDBOX_TABLE",
    "SCHEMA_PREFIX",
    "SandboxError",
    "SandboxMark",
    "drill_schemas",
    "is_sandbox",
    "mark",
    "marks",
    "not_a_sandbox",
    "who_am_i",
]

SANDBOX_TABLE = "public.drills_sandbox"
"""The marker table; its presence (with a row) is what makes a database a drill sandbox."""

SCHEMA_PREFIX = "drill_"
"""Every schema drills creates starts with this, and drills drops no other."""


class SandboxError(BackendError):
    """A PostgreSQL database that is not marked as a drill sandbox."""


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
        f"run `drills sandbox init {shown}` once (with your password in the URL if it needs "
        "one) to mark it, or use --backend docker for a throwaway database"
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
    rows = conn.execute(
        sa.text("SELECT nspname FROM pg_namespace WHERE starts_with(nspname, :prefix) "
                "ORDER BY nspname"),
        {"prefix": SCHEMA_PREFIX},
    )
    return [name for (name,) in rows]
