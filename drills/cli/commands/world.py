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

``drills world infer`` goes the other way: from an export of a team's own systems to a
declaration of them (:mod:`drills.fakes.infer`), checked whole before the one file it
writes is put in place, atomically.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from types import MappingProxyType

import click
import sqlalchemy as sa
from click.core import ParameterSource
from rich.console import Console
from rich.table import Table

from drills.cli.backend import backend_options
from drills.fakes.active import builtin_catalog
from drills.fakes.backends import PostgresBackend, SqliteBackend, parse_backend
from drills.fakes.clock import ManualClock
from drills.fakes.errors import StoreError, WorldError
from drills.fakes.exports import MANIFEST, check_export_target, export_tables
from drills.fakes.factories import DEFAULT_START
from drills.fakes.infer import infer_world, render_declaration
from drills.fakes.infer.read import identifier, is_name
from drills.fakes.store import SqlStore
from drills.fakes.world import World, build_world, validate_counts
from drills.files.atomic import write_text_atomic
from drills.scenarios.limits import check_disk_room

__all__ = [
    "DEFAULT_COUNTS", "DEFAULT_SEED", "command", "infer", "parse_counts", "render_summary",
]

DEFAULT_SEED = 1729
"""The example scenario's seed."""

DEFAULT_COUNTS: Mapping[str, int] = MappingProxyType(builtin_catalog().counts())
"""The built-in declaration's counts (``count:`` in ``drills/fakes/worlds/builtin.yaml``)."""


def parse_counts(
    pairs: Sequence[str], defaults: Mapping[str, int] = DEFAULT_COUNTS
) -> dict[str, int]:
    """``("system.table=50", ...)`` over ``defaults``; raises ``WorldError`` on bad input."""
    raw: dict[str, object] = dict(defaults)
    example = next((f"{q}={n}" for q, n in defaults.items()), "system.table=100")
    for pair in pairs:
        name, sep, number = pair.partition("=")
        name, number = name.strip(), number.strip()
        if not sep or not name or not number:
            raise WorldError(
                f"--count '{pair}' is not TABLE=N; write it as e.g. --count {example}"
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


@click.group("world", invoke_without_command=True)
@click.option("--seed", "seed_text", default=str(DEFAULT_SEED), show_default=True,
              metavar="N", help="Seed of every random choice: the same seed, the same world.")
@click.option("--count", "counts", multiple=True, metavar="TABLE=N",
              help=f"Records in a table, e.g. {next(iter(DEFAULT_COUNTS), 'system.table')}"
                   "=5000; repeat for more tables. Overrides that table's default; 0 leaves "
                   "it empty.")
@click.option("--db", type=click.Path(path_type=Path), default=None,
              help="SQLite file to create (must not exist); default: in memory.")
@click.option("--export", "export_dir", type=click.Path(path_type=Path), default=None,
              metavar="DIR", help="Write CSV + JSONL exports and manifest.json to this new folder.")
@click.option("--start", "start_text", default=DEFAULT_START.isoformat(), show_default=True,
              metavar="ISO", help="Drill start: every time in the world is relative to it.")
@backend_options
@click.pass_context
def command(
    ctx: click.Context,
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
    Default world: the counts of the built-in declaration
    (drills/fakes/worlds/builtin.yaml). 'drills world infer' writes a
    declaration of your own systems from an export of them.
    """
    if ctx.invoked_subcommand is not None:
        given = [p.opts[0] for p in ctx.command.params
                 if ctx.get_parameter_source(p.name or "") is ParameterSource.COMMANDLINE]
        if given:
            what, them = ("an option", "it") if len(given) == 1 else ("options", "them")
            raise WorldError(
                f"{', '.join(given)}: {what} of 'drills world', not of 'drills world "
                f"{ctx.invoked_subcommand}'; leave {them} out"
            )
        return
    _build(seed_text, counts, db, export_dir, start_text, backend, keep)


def _build(
    seed_text: str,
    counts: tuple[str, ...],
    db: Path | None,
    export_dir: Path | None,
    start_text: str,
    backend: str | None,
    keep: bool,
) -> None:
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


@command.command("infer")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--system", default=None, metavar="NAME",
              help="System of the files named after their table alone (contacts.csv); a "
                   "file named SYSTEM__TABLE.csv or SYSTEM.TABLE.csv names its own.")
@click.option("--out", type=click.Path(path_type=Path), required=True, metavar="FILE",
              help="The declaration to write (YAML); it must not exist, unless --force.")
@click.option("--keep-choices", is_flag=True,
              help="Write the values of choice fields as found (statuses, plans...); "
                   "without it they are placeholders and no value of the export is written.")
@click.option("--force", is_flag=True, help="Replace --out if it exists.")
def infer(
    files: tuple[Path, ...], system: str | None, out: Path, keep_choices: bool, force: bool
) -> None:
    """Write a world declaration inferred from an export, one CSV or JSONL file per table.

    Each file's name is its table (SYSTEM__TABLE.csv, SYSTEM.TABLE.jsonl, or TABLE.csv
    with --system); its columns are the fields, typed from their values, and its rows the
    count. Every field gets a comment saying what was inferred from what: check them,
    then use it as world: {declared: FILE} in a scenario (docs/worlds.md).
    """
    if system is not None and not is_name(system):
        raise WorldError(
            f"--system '{system}' is not a name a declaration can use; write it in lower "
            f"case with _ between words, e.g. --system {identifier(system) or 'crm'}"
        )
    _check_out(out, force)
    inference = infer_world(files, system, keep_choices=keep_choices)
    systems = inference.systems
    text = render_declaration(inference, systems[0] if len(systems) == 1 else out.stem)
    try:
        write_text_atomic(out, text)
    except OSError as err:
        raise WorldError(
            f"cannot write {out}: {err.strerror or err}; nothing was written: choose a "
            "folder you can write to"
        ) from None
    fields = [f for t in inference.tables for f in t.fields]
    placeholders = sum(f.placeholders for f in fields)
    click.echo(f"declaration: {out} ({len(inference.tables)} tables, {len(fields)} fields)")
    if placeholders:
        click.echo(f"{placeholders} choice fields have placeholder values (value_1...): "
                   "name them, or infer again with --keep-choices")
    click.echo(f"use it in a scenario as: world: {{declared: {out}}}")


def _check_out(out: Path, force: bool) -> None:
    """Refuse an ``--out`` that cannot be written, before reading any export."""
    if out.is_dir():
        raise WorldError(f"--out {out} is a folder; give the path of a .yaml file to write")
    if (out.exists() or out.is_symlink()) and not force:
        raise WorldError(
            f"--out {out} exists already; pass --force to replace it, or choose another path"
        )
    if not out.parent.is_dir():
        raise WorldError(
            f"--out {out}: the folder {out.parent} does not exist; create it or choose "
            "another path"
        )
