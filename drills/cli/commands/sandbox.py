"""``drills sandbox``: mark a PostgreSQL database as one drills may write to, or look at one.

A drill creates and drops schemas, so drills refuses every PostgreSQL database that
nobody has marked for it. ``drills sandbox init URL`` is that mark: it creates the
table ``public.drills_sandbox`` with a row saying who marked it and when. ``drills
sandbox status URL`` shows the marks and the drill schemas present (those kept with
``--keep``, or drills running right now). URL defaults to ``$DRILLS_BACKEND``; no
output ever shows its password.
"""

from __future__ import annotations

import os
import sys

import click
import sqlalchemy as sa

from drills.cli.main import EXIT_FAILED
from fakes.backends import BACKEND_ENV, BackendError, redact_url
from fakes.backends.base import scrub
from fakes.backends.postgres import admin_engine, connect_error, is_postgres_url
from fakes.backends.sandbox import drill_schemas, is_sandbox, mark, marks, who_am_i

__all__ = ["command"]


def _url(url: str | None) -> str:
    """The URL given, else ``$DRILLS_BACKEND``; only PostgreSQL URLs can be sandboxes."""
    if url is None:
        url = os.environ.get(BACKEND_ENV)
        if not url:
            raise BackendError(
                f"name the database to mark: drills sandbox init postgresql://USER@HOST/DB "
                f"(or set {BACKEND_ENV} to that URL)"
            )
    if not is_postgres_url(url):
        raise BackendError(
            f"'{redact_url(url)}' is not a PostgreSQL URL; only a PostgreSQL database can be "
            "a drill sandbox (SQLite drill databases are always files drills creates): "
            "write it as postgresql://USER@HOST:5432/DB"
        )
    return url


@click.group("sandbox")
def command() -> None:
    """Mark a PostgreSQL database as a drill sandbox, or show one's marks and schemas.

    drills writes only to a database it created (--backend docker) or one marked with
    `drills sandbox init URL`; each drill then lives in a schema of its own there
    (drill_...), dropped at the end unless --keep.

    \b
    Examples:
      drills sandbox init postgresql://drills@db.internal:5432/drills_sandbox
      drills sandbox status postgresql://drills@db.internal:5432/drills_sandbox
    """


@command.command("init")
@click.argument("url", required=False)
@click.option("--note", default="marked with drills sandbox init", show_default=True,
              help="Why this database is a sandbox; kept with the mark.")
def init(url: str | None, note: str) -> None:
    """Mark the database at URL (default: $DRILLS_BACKEND) as a drill sandbox.

    Creates public.drills_sandbox with a row naming who marked it and when. Marking
    an already marked database adds a row and changes nothing else.
    """
    url = _url(url)
    engine = admin_engine(url)
    try:
        with engine.begin() as conn:
            fresh = mark(conn, by=who_am_i(), note=note)
    except sa.exc.OperationalError as err:
        raise connect_error(err, url) from None
    except sa.exc.ProgrammingError as err:
        raise BackendError(
            f"cannot mark {redact_url(url)}: {scrub(' '.join(str(err.orig).split()), url)}; "
            "the user "
            "needs the CREATE privilege on the schema public"
        ) from None
    finally:
        engine.dispose()
    shown = redact_url(url)
    if fresh:
        click.echo(f"marked {shown} as a drill sandbox; drills may now create and drop "
                   "drill_* schemas there")
    else:
        click.echo(f"{shown} was a drill sandbox already; added this mark to its history")


@command.command("status")
@click.argument("url", required=False)
def status(url: str | None) -> None:
    """Show whether URL (default: $DRILLS_BACKEND) is a drill sandbox, and its drill schemas.

    Exit 0 for a sandbox, 1 for a database that is not marked.
    """
    url = _url(url)
    engine = admin_engine(url)
    try:
        with engine.connect() as conn:
            marked = is_sandbox(conn)
            history = marks(conn)
            schemas = drill_schemas(conn)
    except sa.exc.OperationalError as err:
        raise connect_error(err, url) from None
    finally:
        engine.dispose()
    shown = redact_url(url)
    if not marked:
        click.echo(f"{shown} is not a drill sandbox; mark it with `drills sandbox init {shown}`")
        sys.exit(EXIT_FAILED)
    click.echo(f"{shown} is a drill sandbox")
    for m in history:
        click.echo(f"  marked {m.at:%Y-%m-%d %H:%M} by {m.by}: {m.note}")
    if schemas:
        click.echo(f"{len(schemas)} drill schema(s): {', '.join(schemas)}")
        click.echo("  (kept with --keep, or drills running now; drop one with "
                   "DROP SCHEMA <name> CASCADE)")
    else:
        click.echo("no drill schemas")
