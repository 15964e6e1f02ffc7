"""``drills report JOURNAL``: a drill's report from its journal, finished or killed.

A finished drill's journal ends with its report, which is printed and written as it
was. A drill that was killed is rebuilt from the journal up to where it stopped
(:func:`drills.api.report_from_journal`), its report marked *interrupted*. What the
reader should know (a journal cut mid-line, a replay that differed from the journal)
goes to stderr as ``drills: warning:`` lines. The output options and exit codes are
those of ``drills run``; an interrupted drill never passes ``--fail-under``, because its
score covers only part of the drill.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console

from drills.api import report_from_journal
from drills.cli.commands.run import OutputError, parse_formats
from drills.cli.main import EXIT_FAILED, EXIT_OK, say
from drills.cli.outdir import OutFolder
from drills.engine.hooks import CodeTrust
from drills.journal import read_journal
from drills.reports.console import render_console
from drills.reports.jsonout import ReportError
from drills.reports.writer import FORMATS, write_reports

__all__ = ["command"]


@click.command("report")
@click.argument("journal", type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Folder to write report files to; one holding another drill is refused.")
@click.option("--overwrite", is_flag=True,
              help="With --out: replace another drill there, once the new reports are complete.")
@click.option("--format", "formats", default="md,html,json,junit", show_default=True,
              help="Report files to write with --out: " + ", ".join(FORMATS) + ".")
@click.option("--fail-under", type=click.IntRange(0, 100), default=None,
              help="Exit 1 when the score is below this, or the drill was interrupted.")
@click.option("-q", "--quiet", is_flag=True, help="Print only the headline.")
@click.option("--trust-code", is_flag=True,
              help="Import and run the code the files name (a runbook's call:, a scenario's "
                   "automation.callable); without it only modules under DRILLS_TRUSTED's "
                   "prefixes run.")
def command(
    journal: Path,
    out: Path | None,
    overwrite: bool,
    formats: str,
    fail_under: int | None,
    quiet: bool,
    trust_code: bool,
) -> None:
    """Print the report of the drill journaled in JOURNAL, rebuilding it if the drill was
    stopped before its end.

    JOURNAL is the drill.journal.jsonl that 'drills run --out DIR' writes into DIR (or the
    file given to --journal). Rebuilding a stopped drill imports the code its journal
    names only with --trust-code or under DRILLS_TRUSTED.

    \b
    Examples:
      drills report drill-report/drill.journal.jsonl
      drills report drill-report/drill.journal.jsonl --out rebuilt --format html,json
    Exit codes: 0 report printed, 1 score under --fail-under (or interrupted, with
    --fail-under), 2 bad input or usage.
    """
    chosen = parse_formats(formats)
    if overwrite and out is None:
        raise OutputError("--overwrite replaces another drill in --out DIR; add --out, or "
                          "leave --overwrite out")
    folder = OutFolder.prepare(out, overwrite=overwrite, own=journal) if out is not None else None
    read = read_journal(journal)
    report = report_from_journal(read, trust=CodeTrust.from_env(trust_code))
    for warning in read.warnings:
        say(f"drills: warning: {warning}", err=True)
    if quiet:
        say(report.headline())
    else:
        render_console(report, Console(file=sys.stdout))
    if folder is not None:
        try:
            written = write_reports(report, folder.target, chosen)
            folder.commit()
        except ReportError as err:
            folder.abandon()
            raise OutputError(str(err)) from None
        except BaseException:
            folder.abandon()
            raise
        for path in written.values():
            say(f"wrote {folder.moved(path)}")
    if fail_under is not None and report.interrupted:
        at = report.interrupted_at or report.finished
        say(f"drills: the drill was interrupted at {at:%H:%M} drill time; its score "
            f"covers only part of the drill, so it cannot pass --fail-under", err=True)
        sys.exit(EXIT_FAILED)
    if fail_under is not None and report.score.value < fail_under:
        say(
            f"drills: score {report.score.total} is under --fail-under {fail_under}", err=True
        )
        sys.exit(EXIT_FAILED)
    sys.exit(EXIT_OK)
