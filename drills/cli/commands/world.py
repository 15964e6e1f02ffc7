"""``drills world``: build a seeded fake world and show what is in it.

The quickest way to see the systems a drill breaks: a seeded world on SQLite (a file
with ``--db``, kept for poking at with any SQL tool; else in memory) or in a schema of
a PostgreSQL sandbox (``--backend``, kept with ``--keep``), a summary of
its tables, and with ``--export`` the CSV + JSONL export with its manifest that a
runbook's "last clean export" stands for. The same seed, counts and start always
print and export the same world.

Every check that can fail runs before anything is written: the counts, the export
folder, the database path. If the build or export still fails, the database file
this command created is removed again, so nothing half-made is left behind.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path

import click
import sqlalchemy as sa
from rich.console import Console
from rich.table import Table

from drills.cli.backend import backend_options
from drills.fakes.backends import PostgresBackend, SqliteBackend, parse_backend
from drills.fakes.clock import ManualClock
from drills.fakes.errors import StoreError, WorldError
from drills.fakes.exports import MANIFEST, check_export_target, export_tables
from drills.fakes.factories import DEFAULT_START
from drills.fakes.store import SqlStore
from drills.fakes.world import World, build_world, validate_counts
from drills.scenarios.limits import check_disk_room

__all__ = ["DEFAULT_COUNTS", "DEFAULT_SEED", "command", "parse_counts", "render_summary"]

DEFAULT_SEED = 1729
"""The example scenario's seed."""

DEFAULT_COUNTS: Mapping[str, int] = {
    "crm.contacts": 800,
    "crm.deals": 300,
    "billing.invoices": 1_200,
    "billing.activity": 1_800,
    "email.outbox": 400,
    "support.tickets": 60,
    "shop.orders": 500,
}
"""The example scenario's world, plus an activity log and an outbox so every table shows."""


def parse_counts(
    pairs: Sequence[str], defaults: Mapping[str, int] = DEFAULT_COUNTS
) -> dict[str, int]:
    """``("crm.contacts=50", ...)`` over ``defaults``; raises ``WorldError`` on bad input."""
    raw: dict[str, object] = dict(defaults)
    for pair in pairs:
        name, sep, number = pair.partition("=")
        name, number = name.strip(), number.strip()
        if not sep or not name or not number:
            raise WorldError(
                f"--count '{pair}' is not TABLE=N; write it as e.g. --count crm.contacts=800"
            )
        try:
            raw[name] = int(number)
        except ValueError:
            raw[name] = number  # validate_counts says what is wrong with it
    return validate_counts(raw)


def _seed(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise WorldError(f"--seed must be a whole number, got '{text}'; e.g. --seed 1729") from None


def _start(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise WorldError(
            f"--start must be an ISO date-time, got '{text}'; e.g. --start 2026-03-02T09:00"
        ) from None


def _open_store(
    db: Path | None, start: datetime, backend: str | None = None, keep: bool = False
) -> SqlStore:
    where = parse_backend(backend)
    where.check(db_path=db, keep=keep)
    if where.kind != "sqlite":
        database = where.open(keep=keep)
        try:
            return SqlStore(database, ManualClock(start))
        except BaseException:
            database.dispose()
            raise
    if db is not None and (db.exists() or db.is_symlink()):
        raise StoreError(
            f"{db} exists already; drills world builds a fresh database: choose a new "
            "path or remove the file"
        )
    try:
        return SqlStore(SqliteBackend(db), ManualClock(start))
    except sa.exc.OperationalError as err:
        raise StoreError(
            f"cannot create the database {db}: {err.orig}; choose a folder you can write to"
        ) from None


def _remove_db(db: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)


def _where(store: SqlStore, db: Path | None, keep: bool) -> str:
    """The ``database:`` line: a file, memory, or a schema (never a password)."""
    if isinstance(store.backend, PostgresBackend):
        backend = store.backend
        fate = "kept" if keep else "dropped on exit"
        return f"database: {backend.location} (schema {backend.schema}, {fate})"
    return f"database: {db}" if db is not None else "database: in memory (gone on exit)"


def render_summary(world: World) -> Table:
    """The world's tables and record counts, as a rich table."""
    table = Table(title=f"World (seed {world.seed})", title_justify="left")
    table.add_column("system")
    table.add_column("table")
    table.add_column("records", justify="right")
    summary = world.summary()
    for qualname, count in summary.items():
        system, _, name = qualname.partition(".")
        table.add_row(system, name, f"{count:,}")
    table.add_section()
    table.add_row("", "total", f"{sum(summary.values()):,}")
    return table


@click.command("world")
@click.option("--seed", "seed_text", default=str(DEFAULT_SEED), show_default=True,
              metavar="N", help="Seed of every random choice: the same seed, the same world.")
@click.option("--count", "counts", multiple=True, metavar="TABLE=N",
              help="Records in a table, e.g. crm.contacts=5000; repeat for more tables. "
                   "Overrides that table's default; 0 leaves it empty.")
@click.option("--db", type=click.Path(path_type=Path), default=None,
              help="SQLite file to create (must not exist); default: in memory.")
@click.option("--export", "export_dir", type=click.Path(path_type=Path), default=None,
              metavar="DIR", help="Write CSV + JSONL exports and manifest.json to this new folder.")
@click.option("--start", "start_text", default=DEFAULT_START.isoformat(), show_default=True,
              metavar="ISO", help="Drill start: every time in the world is relative to it.")
@backend_options
def command(
    seed_text: str,
    counts: tuple[str, ...],
    db: Path | None,
    export_dir: Path | None,
    start_text: str,
    backend: str | None,
    keep: bool,
) -> None:
    """Build a seeded fake world (SQLite by default) and print what is in it.

    \b
    Default world: crm.contacts 800, crm.deals 300, billing.invoices 1200,
    billing.activity 1800, email.outbox 400, support.tickets 60, shop.orders 500.
    """
    seed = _seed(seed_text)
    start = _start(start_text)
    wanted = parse_counts(counts)
    if export_dir is not None:
        check_export_target(export_dir)
    if db is not None and not (db.exists() or db.is_symlink()):
        check_disk_room(db, sum(wanted.values()))
    store = _open_store(db, start, backend, keep)
    console = Console(highlight=False)
    try:
        began = time.perf_counter()
        world = build_world(store, wanted, seed=seed, start=start)
        built = time.perf_counter() - began
        exported = None
        if export_dir is not None:
            began = time.perf_counter()
            manifest = export_tables(store, list(world.counts), export_dir)
            files = sum(len(t.files) for t in manifest.tables)
            exported = (
                f"export: {export_dir} ({files} files + {MANIFEST}) "
                f"in {time.perf_counter() - began:.2f} s"
            )
        console.print(render_summary(world))
    except BaseException:
        if isinstance(store.backend, PostgresBackend):
            store.backend.keep = False  # nothing half-built is kept
        store.close()
        if db is not None:
            _remove_db(db)
        raise
    store.close()
    # plain echo: rich would wrap a long path or read '[...]' in it as markup
    click.echo(
        f"seed {seed} · start {world.start.isoformat()} · built in {built:.2f} s ({world.method})"
    )
    click.echo(_where(store, db, keep))
    if exported is not None:
        click.echo(exported)
