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
from drills.cli.commands.run import OutputError, check_out, parse_formats
from drills.cli.main import EXIT_FAILED, EXIT_OK, say
from drills.journal import read_journal
from drills.reports.console import render_console
from drills.reports.jsonout import ReportError
from drills.reports.writer import FORMATS, write_reports

__all__ = ["command"]


@click.command("report")
@click.argument("journal", type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Folder to write report files to.")
@click.option("--format", "formats", default="md,html,json,junit", show_default=True,
              help="Report files to write with --out: " + ", ".join(FORMATS) + ".")
@click.option("--fail-under", type=click.IntRange(0, 100), default=None,
              help="Exit 1 when the score is below this, or the drill was interrupted.")
@click.option("-q", "--quiet", is_flag=True, help="Print only the headline.")
def command(
    journal: Path, out: Path | None, formats: str, fail_under: int | None, quiet: bool
) -> None:
    """Print the report of the drill journaled in JOURNAL, rebuilding it if the drill was
    stopped before its end.

    JOURNAL is the drill.journal.jsonl that 'drills run --out DIR' writes into DIR (or the
    file given to --journal).

    \b
    Examples:
      drills report drill-report/drill.journal.jsonl
      drills report drill-report/drill.journal.jsonl --out rebuilt --format html,json
    Exit codes: 0 report printed, 1 score under --fail-under (or interrupted, with
    --fail-under), 2 bad input or usage.
    """
    chosen = parse_formats(formats)
    if out is not None:
        check_out(out)
    read = read_journal(journal)
    report = report_from_journal(read)
    for warning in read.warnings:
        say(f"drills: warning: {warning}", err=True)
    if quiet:
        say(report.headline())
    else:
        render_console(report, Console(file=sys.stdout))
    if out is not None:
        try:
            written = write_reports(report, out, chosen)
        except ReportError as err:
            raise OutputError(str(err)) from None
        for path in written.values():
            say(f"wrote {path}")
    if fail_under is not None and report.interrupted:
        at = report.interrupted_at or report.finished
        say(f"drills: the drill was interrupted at {at:%H:%M} drill time; its score "
            f"covers only part of the drill, so it cannot pass --fail-under", err=True)
        sys.exit(EXIT_FAILED)
    if fail_under is not None and report.score.total < fail_under:
        say(
            f"drills: score {report.score.total} is under --fail-under {fail_under}", err=True
        )
        sys.exit(EXIT_FAILED)
    sys.exit(EXIT_OK)
