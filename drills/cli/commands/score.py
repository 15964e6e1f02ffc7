"""``drills score PATH...``: a readiness review of many automations, for an advisor to hand over.

PATH is a runbook, a drill report (``.json``), a drill journal (``.journal.jsonl``) or
a folder of them. Each runbook is drilled on the built-in scenarios of its automation
it has no result for yet (with costs, so every gap is costed; ``--no-costs`` to skip
the reruns), and every automation gets one row: its score against the bar its risk
class sets, the date of its last drill, whether it regressed, and its costliest gaps.
The rubric is ``docs/scoring.md``.

Every input is read and checked before any drill runs, so bad input is one
``drills: error:`` line, exit 2, and nothing written. Exit 1 with ``--fail-under N``
when any automation scores under N.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.console import Console

from drills.cli.calltimeout import call_timeout_option
from drills.cli.main import EXIT_FAILED, EXIT_OK, say
from drills.errors import DrillsError

if TYPE_CHECKING:
    from drills.engine.hooks import CodeTrust
    from drills.review import Inputs

__all__ = ["FORMATS_DEFAULT", "command", "parse_as_of", "parse_review_formats"]

FORMATS_DEFAULT = ("md", "html", "json")
"""What ``--out`` writes when no ``--format`` is given."""

_FORMATS = ("console", "md", "html", "json")


class ScoreOptionError(DrillsError):
    """A ``drills score`` option that cannot be used as given."""


def parse_review_formats(values: tuple[str, ...]) -> list[str]:
    """``('md,html', 'json')`` -> ``['md', 'html', 'json']``; unknown names are one error."""
    names = [n.strip() for value in values for n in value.split(",") if n.strip()]
    for name in names:
        if name not in _FORMATS:
            raise ScoreOptionError(f"unknown format '{name}' in --format; choose from "
                                   f"{', '.join(_FORMATS)}")
    return list(dict.fromkeys(names)) or list(FORMATS_DEFAULT)


def parse_as_of(text: str | None) -> date | None:
    """``2026-04-01`` -> a date; anything else is one error saying how to write it."""
    if text is None:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ScoreOptionError(
            f"--as-of '{text}' is not a date; write it as YYYY-MM-DD, like 2026-04-01") from None


def _check_out(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise ScoreOptionError(f"--out {out} is a file; name a folder for the review")
    probe = out if out.exists() else next((p for p in out.parents if p.exists()), Path("."))
    if not probe.is_dir():
        raise ScoreOptionError(f"--out {out}: {probe} is a file, not a folder; choose a folder "
                               "you can write to")
    if not os.access(probe, os.W_OK | os.X_OK):
        raise ScoreOptionError(f"cannot write to {probe}; choose an --out folder you can "
                               "write to")


def _earlier(out: Path) -> list[Path]:
    """The files of an earlier review in ``out`` (``readiness-review.*``)."""
    from drills.reports.review import REVIEW_BASENAME, REVIEW_FORMATS

    if not out.is_dir():
        return []
    names = [f"{REVIEW_BASENAME}{suffix}" for suffix, _ in REVIEW_FORMATS.values()]
    return sorted(p for p in (out / name for name in names) if p.is_file())


def _check_earlier(out: Path, *, overwrite: bool) -> None:
    found = _earlier(out)
    if found and not overwrite:
        raise ScoreOptionError(f"--out {out} holds an earlier review ({found[0].name}); "
                               "choose a new folder, or add --overwrite to replace it")


def _drop_stale(out: Path, written: set[Path]) -> None:
    """Remove an earlier review's files the new one did not replace (another format), so
    the folder never holds two reviews."""
    for path in _earlier(out):
        if path not in written:
            path.unlink(missing_ok=True)


def _predrill(inputs: Inputs, trust: CodeTrust, *, workers: int, costs: bool,
              progress: Callable[[str], None]) -> None:
    """Run the drills the review would run one by one (each runbook on the built-in
    scenarios it has no result for), ``workers`` at a time, and add their reports to
    ``inputs``: the review then finds them drilled."""
    from drills.cli.drillpool import run_reports
    from drills.engine.hooks import named_code
    from drills.review import RUN_SOURCE
    from drills.review.inputs import LoadedResult
    from drills.scenarios.loader import builtin_by_automation

    builtin = builtin_by_automation() if inputs.runbooks else {}
    pairs = []
    for loaded in inputs.runbooks:
        auto = loaded.runbook.automation
        drilled = {r.report.scenario.name for r in inputs.results
                   if r.report.automation == auto}
        missing = [s for s in builtin.get(auto, []) if s.name not in drilled]
        if not missing or trust.refused(named_code(None, loaded.runbook)):
            continue  # the review notes what it did not drill, and why
        pairs += [(s, loaded.runbook, loaded.file) for s in missing]
    if len(pairs) <= 1 or workers <= 1:
        return  # the review drills it, as it always has
    for scenario, runbook, file in pairs:
        progress(f"drilling {runbook.automation} on {scenario.name} ({file})")
    for report in run_reports(pairs, workers=min(workers, len(pairs)), costs=costs):
        inputs.results.append(LoadedResult(report, RUN_SOURCE, "run"))


@click.command("score")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), default=None, metavar="DIR",
              help="Folder to write the review to (readiness-review.md, .html, .json); one "
                   "holding an earlier review is refused.")
@click.option("--overwrite", is_flag=True,
              help="With --out: replace an earlier review there, once the new one is complete.")
@click.option("--format", "formats", multiple=True, metavar="FORMAT",
              help="Review files to write with --out: console, md, html, json; repeat or "
                   "separate with commas (default: md, html, json).")
@click.option("--fail-under", type=click.IntRange(0, 100), default=None, metavar="SCORE",
              help="Exit 1 when any automation scores under SCORE (0-100).")
@click.option("--no-costs", is_flag=True,
              help="Skip the reruns that measure what each gap costs (faster).")
@click.option("--as-of", "as_of_text", default=None, metavar="DATE",
              help="The review date drills are aged to, YYYY-MM-DD (default: today, UTC).")
@click.option("--title", default="Readiness review", show_default=True,
              help="The review's title.")
@click.option("-q", "--quiet", is_flag=True,
              help="Print only the headline and the automations that are not ready.")
@click.option("--config", "config_path", type=click.Path(path_type=Path), default=None,
              metavar="FILE", help="Read [tool.drills] from FILE instead of the one found "
                                   "from here up (runbooks, python-path, call-timeout, jobs, "
                                   "fail-under).")
@click.option("-j", "--jobs", type=click.IntRange(0), default=None, metavar="N",
              help="Drill N runbook/scenario pairs at once (default: the configuration's "
                   "jobs, else the CPU count; 0 = the CPU count).")
@call_timeout_option
@click.option("--trust-code", is_flag=True,
              help="Import and run the code the files name (a runbook's call:, a scenario's "
                   "automation.callable); without it only modules under DRILLS_TRUSTED's "
                   "prefixes run.")
def command(
    paths: tuple[Path, ...],
    out: Path | None,
    overwrite: bool,
    formats: tuple[str, ...],
    fail_under: int | None,
    no_costs: bool,
    as_of_text: str | None,
    title: str,
    quiet: bool,
    config_path: Path | None,
    jobs: int | None,
    trust_code: bool,
) -> None:
    """Score how ready each automation is to recover from a bad run: a review to hand over.

    PATH is a runbook, a drill report (.json), a drill journal (.journal.jsonl) or a
    folder of them; with none, the runbooks [tool.drills] lists. Runbooks not yet
    drilled are drilled on the built-in scenarios of their automation, --jobs at once.
    Each automation gets its weakest drill's harm score out of 100 (every point lost
    traced to harm not avoided, a gap or age), the bar its risk class sets (a drill's
    gate makes it not ready whatever the score), the date of its last drill (older than
    a quarter counts less), a flag when it regressed, and its gaps costed. Code the files
    name (a runbook's call:) runs only with --trust-code or under DRILLS_TRUSTED;
    otherwise a note says what was not run.

    \b
    Examples:
      drills score runbooks/ drill-reports/
      drills score runbooks/ --out review --fail-under 70
      drills score q1-reports/ --as-of 2026-03-31 --format md
    Exit codes: 0 reviewed, 1 an automation under --fail-under, 2 bad input or usage.
    """
    from drills.cli.config import apply_config, read_config

    config = read_config(config_path)
    settings = config.config if config is not None else None
    if config is not None:
        apply_config(config, click.get_current_context())
        if not paths and settings is not None and settings.runbooks:
            from drills.cli.paths import RUNBOOK_PATTERNS, expand

            paths = tuple(expand([config.resolve(p) for p in settings.runbooks],
                                 RUNBOOK_PATTERNS, what="runbooks",
                                 option=f"{config.shown}:{config.line_of('runbooks')}: "
                                        "runbooks"))
        if fail_under is None and settings is not None:
            fail_under = settings.fail_under
    if not paths:
        raise ScoreOptionError("nothing to score: give PATH (runbooks, reports, journals or "
                               "folders of them), or list runbooks = [\"runbooks/\"] under "
                               "[tool.drills] in pyproject.toml")
    chosen = parse_review_formats(formats)
    as_of = parse_as_of(as_of_text)
    if formats and out is None:
        raise ScoreOptionError("--format names review files, which need --out DIR; add "
                               "--out, or leave --format out to only print the review")
    if overwrite and out is None:
        raise ScoreOptionError("--overwrite replaces an earlier review in --out DIR; add "
                               "--out, or leave --overwrite out")
    if out is not None:
        _check_out(out)
        _check_earlier(out, overwrite=overwrite)

    from drills.engine.hooks import CodeTrust
    from drills.reports.jsonout import ReportError
    from drills.reports.review import (
        render_review_console,
        render_review_console_text,
        write_review,
    )
    from drills.review import collect_inputs, drill_runner, review_inputs

    trust = CodeTrust.from_env(trust_code)
    inputs = collect_inputs(paths, trust)

    def progress(line: str) -> None:
        if not quiet:
            say(line + (" without costs" if no_costs else " with costs") + " ...",
                err=True)

    workers = jobs if jobs is not None else (settings.jobs if settings is not None and
                                             settings.jobs is not None else 0)
    _predrill(inputs, trust, workers=workers or os.cpu_count() or 1, costs=not no_costs,
              progress=progress)
    review = review_inputs(inputs, as_of=as_of, runner=drill_runner(not no_costs), title=title,
                           progress=progress, trust=trust)
    if quiet:
        say(review.headline())
        for a in review.not_ready:
            say(f"{a.rank}. {a.automation}: {'; '.join(a.reasons)}")
    else:
        if sys.stdout.isatty():
            render_review_console(review, Console(file=sys.stdout, highlight=False))
        else:  # a log or a pipe: plain text at the width the review reads well at
            click.echo(render_review_console_text(review, width=120), nl=False)
    if out is not None:
        try:
            written = write_review(review, out, chosen)
        except ReportError as error:
            raise ScoreOptionError(str(error)) from None
        _drop_stale(out, set(written.values()))
        for path in written.values():
            say(f"wrote {path}")
    if fail_under is not None:
        below = review.below(fail_under)
        for a in below:
            say(f"drills: {a.automation} scores {a.score}, under --fail-under "
                f"{fail_under}", err=True)
        if below:
            sys.exit(EXIT_FAILED)
    sys.exit(EXIT_OK)
