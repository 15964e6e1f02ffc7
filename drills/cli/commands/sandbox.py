"""``drills sandbox``: mark a PostgreSQL database as one drills may write to, look at one,
or clean one up.

A drill creates and drops schemas, so drills refuses every PostgreSQL database that
nobody has marked for it. ``drills sandbox init URL`` is that mark: it creates the
table ``public.drills_sandbox`` with a row saying who marked it and when. ``drills
sandbox status URL`` shows the marks and the drill schemas present (those kept with
``--keep``, or drills running right now). ``drills sandbox clean URL`` drops the drill
schemas no running drill holds (each running drill holds its schema's advisory lock).
A drill schema is one drills recorded as its own when it created it; a schema merely
named ``drill_...`` (a person's) is listed as left alone by both, never dropped.
URL defaults to ``$DRILLS_BACKEND``; no output ever shows its password.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta

import click
import sqlalchemy as sa

from drills.cli.main import EXIT_FAILED
from drills.errors import DrillsError, one_line
from drills.fakes.backends import BACKEND_ENV, BackendError, redact_url
from drills.fakes.backends.base import scrub
from drills.fakes.backends.postgres import admin_engine, connect_error, is_postgres_url
from drills.fakes.backends.sandbox import (
    DrillSchema,
    drill_schemas,
    drill_schemas_created,
    drop_schema,
    is_sandbox,
    lock_schema,
    mark,
    marks,
    not_a_sandbox,
    not_recorded,
    unlock_schema,
    who_am_i,
)
from drills.files import format_duration, parse_duration

__all__ = ["command"]


def _url(url: str | None, *, doing: str = "mark", command: str = "init") -> str:
    """The URL given, else ``$DRILLS_BACKEND``; only PostgreSQL URLs can be sandboxes."""
    if url is None:
        url = os.environ.get(BACKEND_ENV)
        if not url:
            raise BackendError(
                f"name the database to {doing}: drills sandbox {command} "
                f"postgresql://USER@HOST/DB (or set {BACKEND_ENV} to that URL)"
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
    """Mark a PostgreSQL database as a drill sandbox, show one's marks and schemas, clean it.

    drills writes only to a database it created (--backend docker) or one marked with
    `drills sandbox init URL`; each drill then lives in a schema of its own there
    (drill_...), dropped at the end unless --keep; `drills sandbox clean URL` drops
    those left behind.

    \b
    Examples:
      drills sandbox init postgresql://drills@db.internal:5432/drills_sandbox
      drills sandbox status postgresql://drills@db.internal:5432/drills_sandbox
      drills sandbox clean postgresql://drills@db.internal:5432/drills_sandbox --older-than 1d
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
            others = not_recorded(conn)
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
        click.echo("  (kept with --keep, or drills running now; drop those not running with "
                   f"`drills sandbox clean {shown}`)")
    else:
        click.echo("no drill schemas")
    if others:
        click.echo(_others_line(others))


def _others_line(others: list[str]) -> str:
    """The schemas named ``drill_...`` that drills did not create, and that it leaves them.

    Their names are anybody's text, so each is shown escaped (a terminal control in one
    is printed as ``\\x1b``, never acted on).
    """
    names = ", ".join(one_line(name) for name in others)
    return (f"not ours, left alone: {names} (named drill_... but with no record "
            "of drills creating them; drills never drops them)")


@dataclass(frozen=True)
class _Verdict:
    """What a clean does with one drill schema, and the words for it."""

    schema: DrillSchema
    drop: bool
    why: str = ""
    """For a schema left: ``in use``, ``newer than 1d``, ``not dropped``."""
    detail: str = ""
    """For ``not dropped``: what the server said."""


def _older_than(text: str | None) -> timedelta | None:
    if text is None:
        return None
    try:
        return parse_duration(text)
    except ValueError as err:
        raise DrillsError(f"--older-than: {err}") from None


def _when(schema: DrillSchema, now: datetime) -> str:
    """``created 2026-11-28 09:14, 3h2m ago``."""
    age = max(now - schema.created, timedelta(0))
    ago = format_duration(timedelta(minutes=int(age.total_seconds() // 60)))
    ago = "under 1m ago" if ago == "0s" else f"{ago} ago"
    return f"created {schema.created.astimezone(now.tzinfo):%Y-%m-%d %H:%M}, {ago}"


def _survey(
    conn: sa.Connection, found: list[DrillSchema], now: datetime, older_than: timedelta | None
) -> list[_Verdict]:
    """Which schemas a clean would drop: old enough (if asked) and not held by a drill.

    A held lock is a drill running now; a lock taken here is released at once, and
    taken again just before the drop.
    """
    verdicts = []
    for schema in found:
        if older_than is not None and now - schema.created < older_than:
            verdicts.append(_Verdict(schema, False, f"newer than {format_duration(older_than)}"))
            continue
        if lock_schema(conn, schema.name):
            unlock_schema(conn, schema.name)
            verdicts.append(_Verdict(schema, True))
        else:
            verdicts.append(_Verdict(schema, False, "in use"))
    return verdicts


def _drop(conn: sa.Connection, schema: DrillSchema, url: str) -> _Verdict:
    """Drop one schema under its lock; what came of it.

    ``conn`` autocommits, so the one DROP statement is a transaction of its own.
    """
    if not lock_schema(conn, schema.name):
        return _Verdict(schema, False, "in use")  # a drill opened it since the survey
    try:
        if not drop_schema(conn, schema.name):  # gone, or its record changed since the survey
            return _Verdict(schema, False, "not dropped", "no longer a recorded drill schema")
    except sa.exc.DBAPIError as err:
        if err.connection_invalidated:
            raise connect_error(err, url) from None
        reason = scrub(" ".join(str(err.orig).split()), url)
        return _Verdict(schema, False, "not dropped", reason)
    finally:
        if not conn.invalidated:
            unlock_schema(conn, schema.name)
    return _Verdict(schema, True)


_LOCK_TIMEOUT = "10s"

_LEFT = {"in use": "in use, left (a running drill holds it)"}


def _line(v: _Verdict, now: datetime, *, dry_run: bool) -> str:
    name = v.schema.name
    if v.drop:
        return f"{name}: {'would be dropped' if dry_run else 'dropped'} ({_when(v.schema, now)})"
    if v.why in _LEFT:
        return f"{name}: {_LEFT[v.why]}"
    if v.why.startswith("newer than"):
        return f"{name}: {v.why}, left ({_when(v.schema, now)})"
    return f"{name}: {v.why}, left ({v.detail})"


def _rank(why: str) -> int:
    """The order of the reasons in the summary, whatever the schemas' order."""
    return 1 if why.startswith("newer than") else {"in use": 0}.get(why, 2)


def _summary(verdicts: list[_Verdict], others: list[str], shown: str, *,
             dry_run: bool) -> str:
    dropped = sum(v.drop for v in verdicts)
    verb = "would drop" if dry_run else "dropped"
    text = f"{verb} {dropped} of {len(verdicts)} drill schema(s) in {shown}"
    if dry_run:
        text += " (dry run: nothing dropped)"
    left: dict[str, int] = {}
    for v in verdicts:
        if not v.drop:
            left[v.why] = left.get(v.why, 0) + 1
    if left:
        parts = [f"{left[why]} {why}" for why in sorted(left, key=_rank)]
        text += f"; left {len(verdicts) - dropped}: {', '.join(parts)}"
    if others:
        text += f"; {len(others)} not ours left alone"
    return text


@command.command("clean")
@click.argument("url", required=False)
@click.option("--older-than", "older_than", metavar="DURATION", default=None,
              help="Drop only schemas created longer ago than this, e.g. 30m, 2h, 1d.")
@click.option("--dry-run", is_flag=True, help="List what would be dropped; drop nothing.")
@click.option("-y", "--yes", is_flag=True,
              help="Drop without asking (needed when there is no terminal to ask at).")
def clean(url: str | None, older_than: str | None, dry_run: bool, yes: bool) -> None:
    """Drop the drill schemas left in URL (default: $DRILLS_BACKEND).

    Schemas kept with --keep, or left by a drill that was killed, are dropped, each
    with DROP SCHEMA ... CASCADE in a transaction of its own. A running drill holds
    its schema's advisory lock, so its schema is never dropped: it is listed as in
    use. Only schemas drills recorded as its own when it created them are dropped; one
    merely named drill_... (a person's) is listed as not ours and left alone. At a
    terminal, asks before dropping; elsewhere needs --yes.

    Exit 0 when every schema meant to go was dropped, 1 when one could not be.
    """
    age = _older_than(older_than)
    url = _url(url, doing="clean", command="clean")
    if not (yes or dry_run or sys.stdin.isatty()):
        raise DrillsError(
            "drills sandbox clean drops schemas and there is no terminal to confirm at: "
            "add --yes to drop them (or --dry-run to list them)"
        )
    shown = redact_url(url)
    engine = admin_engine(url).execution_options(isolation_level="AUTOCOMMIT")
    failed = False
    try:
        with engine.connect() as conn:
            if not is_sandbox(conn):
                raise not_a_sandbox(url)
            # A DROP waits for every lock on the schema's tables: someone inspecting a
            # kept schema in an open transaction leaves it for now instead of hanging here.
            conn.execute(sa.text(f"SET lock_timeout = '{_LOCK_TIMEOUT}'"))
            now: datetime = conn.scalar(sa.text("SELECT now()"))
            verdicts = _survey(conn, drill_schemas_created(conn), now, age)
            others = not_recorded(conn)
            doomed = [v for v in verdicts if v.drop]
            if not verdicts:
                click.echo(f"no drill schemas in {shown}")
                if others:
                    click.echo(_others_line(others))
                return
            if doomed and not (yes or dry_run):
                click.echo(f"to drop from {shown}:")
                for v in doomed:
                    click.echo(f"  {v.schema.name} ({_when(v.schema, now)})")
                click.confirm(f"Drop these {len(doomed)} drill schema(s)?", abort=True)
            if not dry_run:
                verdicts = [_drop(conn, v.schema, url) if v.drop else v for v in verdicts]
                failed = any(v.why == "not dropped" for v in verdicts)
    except sa.exc.OperationalError as err:
        raise connect_error(err, url) from None
    finally:
        engine.dispose()
    for v in verdicts:
        click.echo(_line(v, now, dry_run=dry_run))
    if others:
        click.echo(_others_line(others))
    click.echo(_summary(verdicts, others, shown, dry_run=dry_run))
    if failed:
        sys.exit(EXIT_FAILED)
