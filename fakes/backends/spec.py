"""Choosing a backend from one string: ``sqlite``, ``docker`` or a ``postgresql://`` URL.

The CLI's ``--backend``, the ``DRILLS_BACKEND`` environment variable, the pytest
plugin's ``--drills-backend`` and :func:`drills.api.run_drill` all take the same
words and come through :func:`open_backend`, so every way in refuses the same bad
input with the same line, and no message ever shows a password.

A :class:`BackendSpec` is the parsed choice. It is small and picklable, so the
reruns that measure each gap's cost (in forked processes) can each open a backend of
their own - on PostgreSQL a schema of their own - from it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from drills.fakes.backends.base import Backend, BackendError, redact_url
from drills.fakes.backends.postgres import PostgresBackend, check_query, is_postgres_url
from drills.fakes.backends.sqlite import SqliteBackend

__all__ = ["BACKEND_ENV", "BackendSpec", "Kind", "open_backend", "parse_backend", "rerun_spec"]

BACKEND_ENV = "DRILLS_BACKEND"
"""The environment variable read when no backend is named."""

Kind = Literal["sqlite", "postgresql", "docker"]


@dataclass(frozen=True)
class BackendSpec:
    """Which database a drill runs on; ``url`` (kept out of ``repr``) for PostgreSQL."""

    kind: Kind
    url: str | None = field(default=None, repr=False)

    @property
    def display(self) -> str:
        """What may be shown: the kind, or the URL without credentials."""
        return redact_url(self.url) if self.url else self.kind

    def __repr__(self) -> str:
        return f"BackendSpec({self.display!r})"

    def check(self, *, db_path: Path | None = None, keep: bool = False) -> None:
        """Refuse options that do not fit this backend, before anything is opened."""
        if self.kind == "sqlite" and keep:
            raise BackendError(
                "--keep keeps a PostgreSQL drill schema; on SQLite keep the drill's "
                "database with --db FILE"
            )
        if self.kind != "sqlite" and db_path is not None:
            raise BackendError(
                f"--db names a SQLite file, but the backend is {self.display}; there the "
                "drill lives in a schema of its own: add --keep to keep it"
            )

    def open(self, *, db_path: Path | None = None, keep: bool = False) -> Backend:
        """A new backend of this kind: a SQLite file or memory, or a new drill schema."""
        self.check(db_path=db_path, keep=keep)
        if self.kind == "sqlite":
            return SqliteBackend(db_path)
        if self.kind == "docker":
            from drills.fakes.backends.docker import DockerBackend

            return DockerBackend(keep=keep)
        assert self.url is not None
        return PostgresBackend(self.url, keep=keep)


def parse_backend(
    text: str | None, *, env: Mapping[str, str] | None = None, option: str = "--backend"
) -> BackendSpec:
    """``sqlite`` / ``docker`` / ``postgresql://...`` -> a :class:`BackendSpec`.

    ``None`` reads ``DRILLS_BACKEND`` and falls back to ``sqlite``. ``postgres://`` and
    ``postgresql+psycopg://`` URLs are accepted too; anything else is one clear error.
    """
    where = option
    if text is None:
        text = (os.environ if env is None else env).get(BACKEND_ENV) or "sqlite"
        where = BACKEND_ENV
    word = text.strip()
    if word.lower() == "sqlite":
        return BackendSpec("sqlite")
    if word.lower() == "docker":
        return BackendSpec("docker")
    if is_postgres_url(word):
        check_query(word, where)
        return BackendSpec("postgresql", word)
    hint = (
        "; keep a SQLite drill database with --db FILE" if word.lower().startswith("sqlite:")
        else ""
    )
    raise BackendError(
        f"{where} '{redact_url(word)}' is not a backend; use sqlite (the default), docker, "
        f"or a PostgreSQL URL such as postgresql://USER@HOST:5432/DB{hint}"
    )


def open_backend(
    spec: str | BackendSpec | None,
    *,
    db_path: Path | None = None,
    keep: bool = False,
    option: str = "--backend",
) -> Backend:
    """Open the backend ``spec`` names (``None``: ``DRILLS_BACKEND``, else SQLite).

    ``db_path`` is the SQLite file (``--db``); ``keep`` keeps a PostgreSQL drill schema
    after the store closes (``--keep``). Each mismatched pair is one clear error.
    """
    chosen = spec if isinstance(spec, BackendSpec) else parse_backend(spec, option=option)
    return chosen.open(db_path=db_path, keep=keep)


def rerun_spec(backend: Backend) -> BackendSpec:
    """Where reruns of a drill on ``backend`` go: the same PostgreSQL, else SQLite in memory.

    A container's database is reached by its URL, so reruns share the container and
    each gets a schema of its own instead of a container of its own.
    """
    if isinstance(backend, PostgresBackend):
        return BackendSpec("postgresql", backend.url)
    return BackendSpec("sqlite")
