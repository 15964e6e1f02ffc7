"""The backend protocol: everything dialect-specific that the store needs, and nothing else."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.engine import make_url

__all__ = ["Backend", "redact_url"]


def redact_url(url: str) -> str:
    """A URL fit for output: the password never leaves the process."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return url.split("@")[-1]


class Backend(Protocol):
    """A database the store can live in.

    Portable SQL (Core expressions, ``INSERT ... SELECT``, ``UPDATE ... FROM``,
    ``IS DISTINCT FROM``) lives in the store; what differs per database - engine
    options, the fastest bulk load, ``CREATE TABLE AS`` - lives behind this protocol.
    """

    name: str

    @property
    def engine(self) -> sa.Engine: ...

    @property
    def display_url(self) -> str:
        """The URL with credentials removed, for logs and reports."""
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

    def copy_table(self, conn: sa.Connection, source: sa.Table, target_name: str) -> None:
        """Create ``target_name`` as a full copy of ``source`` in one statement."""
        ...

    def dispose(self) -> None: ...
