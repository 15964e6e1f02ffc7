"""``--backend`` and ``--keep``: the same two options, the same words, on every command.

``drills run``, ``drills check``, ``drills world`` and ``drills live`` take them alike,
so a team can switch all of them to its PostgreSQL sandbox with one ``DRILLS_BACKEND``.
The backend is opened after every other input is checked (a refused or unreachable
database is then the one error), and what a command prints about it never holds a
password. A password given in ``--backend`` itself is visible to every user of the
machine in the process list (of the drill and of its workers) for as long as the drill
runs, so it draws a warning naming the two places that are not: a password file, or
the whole URL in ``DRILLS_BACKEND``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from drills.fakes.backends import BACKEND_ENV, Backend, PostgresBackend, redact_url
from drills.fakes.backends.base import url_secrets
from drills.fakes.backends.postgres import is_postgres_url

__all__ = [
    "BACKEND_HELP",
    "KEEP_HELP",
    "PASSWORD_WARNING",
    "backend_options",
    "kept_line",
    "say_kept",
]

F = TypeVar("F", bound=Callable[..., Any])

BACKEND_HELP = (
    "Where the drill's world lives: sqlite (default), docker (a throwaway PostgreSQL "
    "container) or a postgresql://USER@HOST/DB URL of a drill sandbox (see `drills "
    "sandbox init`). Default: $DRILLS_BACKEND, else sqlite."
)
KEEP_HELP = "On PostgreSQL, keep the drill's schema afterwards to inspect it (its name is printed)."
PASSWORD_WARNING = (
    "drills: warning: the --backend URL holds a password, which every user of this machine "
    "can read in the process list while the drill runs; put it in a password file "
    f"(~/.pgpass, or the file $PGPASSFILE names) or set {BACKEND_ENV} to the URL instead"
)


def _warn_on_password(
    _ctx: click.Context, _param: click.Parameter, value: str | None
) -> str | None:
    """Warn, on stderr, about a password on the command line; the value is used unchanged.

    Only for a PostgreSQL URL: any other is refused with its one error line at once.
    """
    if value is not None and is_postgres_url(value) and url_secrets(value):
        click.echo(PASSWORD_WARNING, err=True)
    return value


def backend_options(function: F) -> F:
    """Add ``--backend TEXT`` and ``--keep`` to a command."""
    function = click.option("--keep", is_flag=True, help=KEEP_HELP)(function)
    function = click.option("--backend", "backend", default=None, metavar="BACKEND",
                            help=BACKEND_HELP, callback=_warn_on_password)(function)
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
