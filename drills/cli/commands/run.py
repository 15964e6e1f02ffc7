"""``drills run SCENARIO``: one scripted drill, judged, with its report on screen and on disk.

SCENARIO is a built-in name (``drills scenarios`` lists them) or a file. Without
``--runbook`` the drill runs with nobody following a plan, which shows what the bad
run does on its own. With ``--out`` (or ``--journal``) the drill's events go to a journal
as they happen, so ``drills report`` can rebuild the report if the drill is killed. An
``--out`` folder holding an earlier drill is refused; ``--overwrite`` replaces it once
the new drill is complete (:mod:`drills.cli.outdir`).
Every input is checked before anything is written: a bad scenario, runbook, format,
seed or output folder is one line and exit 2. Exit 1 when the drill fails
``--fail-under`` or has a critical finding with ``--strict``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console

from drills.api import run_drill
from drills.cli.backend import backend_options, kept_line, say_kept
from drills.cli.calltimeout import call_timeout_option
from drills.cli.main import EXIT_FAILED, EXIT_OK, say
from drills.cli.outdir import OutFolder, OutputError, check_out
from drills.cli.pair import load_pair
from drills.cli.progress import DrillProgress
from drills.errors import DrillsError
from drills.fakes.backends import open_backend
from drills.journal import DEFAULT_NAME, JournalSpec
from drills.reports.console import render_console
from drills.reports.jsonout import ReportError
from drills.reports.model import DrillReport
from drills.reports.writer import FORMATS, write_reports
from drills.runbook import Runbook
from drills.scenarios import Scenario
from drills.scenarios.limits import check_disk_room

__all__ = ["OutputError", "check_out", "command", "parse_formats"]


def parse_formats(text: str) -> list[str]:
    """'md,html' -> ['md', 'html']; unknown names are one clear error."""
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in FORMATS]
    if unknown or not names:
        raise DrillsError(
            f"--format '{text}' names no known format"
            if not names
            else f"unknown format '{unknown[0]}' in --format; choose from {', '.join(FORMATS)}"
        )
    return list(dict.fromkeys(names))


def _journal(
    path: Path | None, out: OutFolder | None, scenario: str, scale: float | None
) -> JournalSpec | None:
    """Where the journal goes: ``--journal`` (a new file), else into ``--out`` (a new file
    there: an earlier drill's journal is never replaced at the start), else nowhere."""
    if path is not None:
        if path.is_dir():
            raise OutputError(f"--journal {path} is a folder; name a file, e.g. "
                              f"{path / DEFAULT_NAME}")
        if path.exists() or path.is_symlink():
            raise OutputError(f"--journal {path} exists already; name a new file for this "
                              "drill's journal")
        if out is not None and out.replace and path.resolve().is_relative_to(
                out.folder.resolve()):
            raise OutputError(f"--journal {path} is inside --out {out.folder}, which "
                              "--overwrite replaces; leave --journal out (the journal goes "
                              "into --out) or name a file elsewhere")
        return JournalSpec(path, source=scenario, scale=scale)
    if out is None:
        return None
    return JournalSpec(out.target / DEFAULT_NAME, source=scenario, scale=scale)


@click.command("run")
@click.argument("scenario")
@click.option("--runbook", "runbook_path", type=click.Path(path_type=Path),
              help="The runbook the scripted responder follows.")
@click.option("--seed", type=int, default=None, help="Replace the scenario's seed.")
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Folder to write report files (and by default the journal) to; one "
                   "holding an earlier drill is refused.")
@click.option("--overwrite", is_flag=True,
              help="With --out: replace an earlier drill there, once this one is complete.")
@click.option("--format", "formats", default="md,html,json,junit", show_default=True,
              help="Report files to write with --out: " + ", ".join(FORMATS) + ".")
@click.option("--fail-under", type=click.IntRange(0, 100), default=None,
              help="Exit 1 when the readiness score is below this.")
@click.option("--no-costs", is_flag=True, help="Skip the reruns that measure each gap's cost.")
@click.option("--journal", "journal_path", type=click.Path(path_type=Path), default=None,
              help=f"Write the drill's journal to this new file (default with --out: "
                   f"{DEFAULT_NAME} in that folder); 'drills report' reads it.")
@click.option("--db", "db_path", type=click.Path(path_type=Path), default=None,
              help="Keep the drill's SQLite database in this (new) file.")
@backend_options
@call_timeout_option
@click.option("--scale", type=float, default=None,
              help="Multiply the world's counts and the bad run's reach by this factor.")
@click.option("-q", "--quiet", is_flag=True, help="Print only the headline.")
@click.option("-v", "--verbose", is_flag=True, help="Print the drill's events as they happen.")
def command(
    scenario: str,
    runbook_path: Path | None,
    seed: int | None,
    out: Path | None,
    overwrite: bool,
    formats: str,
    fail_under: int | None,
    no_costs: bool,
    journal_path: Path | None,
    db_path: Path | None,
    backend: str | None,
    keep: bool,
    scale: float | None,
    quiet: bool,
    verbose: bool,
) -> None:
    """Run a scripted drill of SCENARIO (a built-in name or a file) and report it.

    \b
    Examples:
      drills run invoice-triple-trigger
      drills run invoice-triple-trigger --runbook runbook.yaml --out drill-report
      drills run invoice-triple-trigger --backend postgresql://drills@db/sandbox
    Exit codes: 0 passed, 1 score under --fail-under, 2 bad input or usage.
    """
    if quiet and verbose:
        raise DrillsError("--quiet and --verbose contradict each other; choose one")
    chosen = parse_formats(formats)
    spec, runbook = load_pair(scenario, runbook_path, seed=seed, scale=scale)
    if overwrite and out is None:
        raise DrillsError("--overwrite replaces an earlier drill in --out DIR; add --out, or "
                          "leave --overwrite out")
    folder = OutFolder.prepare(out, overwrite=overwrite) if out is not None else None
    if db_path is not None and db_path.exists():
        raise DrillsError(f"--db {db_path} exists already; name a new file for the drill database")
    if db_path is not None:
        check_disk_room(db_path, spec.world.total)
    console = Console(file=sys.stdout)
    progress = DrillProgress(Console(stderr=True), verbose=verbose, live=not quiet)
    try:
        journal = _journal(journal_path, folder, scenario, scale)
        report, kept = _drill(spec, runbook, runbook_path, no_costs, progress, journal,
                              backend, db_path, keep)
        if quiet:
            say(report.headline())
        else:
            render_console(report, console)
        written: list[Path] = []
        if folder is not None:
            try:
                written = list(write_reports(report, folder.target, chosen).values())
            except ReportError as err:
                raise OutputError(str(err)) from None
            folder.commit()
    except DrillsError as err:
        note = folder.abandon() if folder is not None else None
        if note is None:
            raise
        raise DrillsError(f"{err}; {note}") from None  # still one line
    except BaseException:
        note = folder.abandon() if folder is not None else None
        if note is not None:
            say(f"drills: {note}", err=True)
        raise
    for path in written:
        say(f"wrote {path if folder is None else folder.moved(path)}")
    if journal is not None:
        say(f"wrote {journal.path if folder is None else folder.moved(journal.path)}")
    if kept is not None:
        say(kept)
    if fail_under is not None and report.score.value < fail_under:
        say(
            f"drills: score {report.score.text()} is under --fail-under {fail_under}", err=True
        )
        sys.exit(EXIT_FAILED)
    sys.exit(EXIT_OK)


def _drill(
    spec: Scenario,
    runbook: Runbook | None,
    runbook_path: Path | None,
    no_costs: bool,
    progress: DrillProgress,
    journal: JournalSpec | None,
    backend: str | None,
    db_path: Path | None,
    keep: bool,
) -> tuple[DrillReport, str | None]:
    """Run the drill on the backend; the report, and the line about a kept schema."""
    database = open_backend(backend, db_path=db_path, keep=keep)
    try:
        with progress:
            report = run_drill(spec, runbook, costs=not no_costs, runbook_path=runbook_path,
                               handlers=[progress], backend=database, journal=journal)
    except BaseException:
        database.dispose()
        say_kept(database)  # a failed drill's kept schema is the one worth looking into
        raise
    database.dispose()
    return report, kept_line(database)
