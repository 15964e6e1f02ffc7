"""``--backend`` and ``--keep``: the same two options, the same words, on every command.

``drills run``, ``drills check``, ``drills world`` and ``drills live`` take them alike,
so a team can switch all of them to its PostgreSQL sandbox with one ``DRILLS_BACKEND``.
The backend is opened after every other input is checked (a refused or unreachable
database is then the one error), and what a command prints about it never holds a
password.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from drills.fakes.backends import Backend, PostgresBackend, redact_url

__all__ = ["BACKEND_HELP", "KEEP_HELP", "backend_options", "kept_line", "say_kept"]

F = TypeVar("F", bound=Callable[..., Any])

BACKEND_HELP = (
    "Where the drill's world lives: sqlite (default), docker (a throwaway PostgreSQL "
    "container) or a postgresql://USER@HOST/DB URL of a drill sandbox (see `drills "
    "sandbox init`). Default: $DRILLS_BACKEND, else sqlite."
)
KEEP_HELP = "On PostgreSQL, keep the drill's schema afterwards to inspect it (its name is printed)."


def backend_options(function: F) -> F:
    """Add ``--backend TEXT`` and ``--keep`` to a command."""
    function = click.option("--keep", is_flag=True, help=KEEP_HELP)(function)
    function = click.option("--backend", "backend", default=None, metavar="BACKEND",
                            help=BACKEND_HELP)(function)
    return function


def say_kept(backend: Backend) -> None:
    """Name a kept schema on stderr, before the error that ends the command."""
    kept = kept_line(backend)
    if kept is not None:
        click.echo(kept, err=True)


def kept_line(backend: Backend) -> str | None:
    """``kept drill schema drill_... in postgresql://user@host/db``, for a kept schema."""
    if isinstance(backend, PostgresBackend) and backend.keep:
        return f"kept drill schema {backend.schema} in {redact_url(backend.url)}"
    return None
