"""``drills live SCENARIO --runbook FILE``: the team acts on a bad run in real time.

The drill clock runs on the wall clock, ``--speed`` times faster; the screen shows
the damage by system, alerts and complaints, each feeder and the shared log; the
prompt takes the team's actions (``help`` lists them, Tab completes names and filter
values). ``end`` (or the end of piped input) finishes the team's part: the rest of the
drill window is played out at once with the world as the team left it (a job left
running keeps running), and the report - graded like a scripted drill, beside the
runbook followed perfectly on the same seed - is printed and written with ``--out``.
The journal keeps ``--out``, so a resumed drill writes its reports there too, and the
hint printed when a drill is closed before its end names it. Everything is
journaled as it happens, so a drill that crashed or was closed goes on with
``drills live --resume JOURNAL``; a journal someone else wrote runs the automation code
its scenario names only with ``--trust-code`` (or under ``DRILLS_TRUSTED``). Every input
is checked before anything starts:
a bad scenario, runbook, speed, team or journal is one line and exit 2.

The world lives where ``--backend`` says (as for ``drills run``: SQLite by default, or
a schema of its own on the team's PostgreSQL sandbox, dropped at the end unless
``--keep``). The backend is opened after every other input is checked and before the
journal is written, so a refused or unreachable database is the one error and leaves
nothing behind. The journal never names the backend (a URL may hold a password): a
resumed drill replays onto a fresh world on the backend it is given now.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import click
from rich.console import Console

from drills.cli.backend import backend_options, kept_line, say_kept
from drills.cli.calltimeout import call_timeout_option
from drills.cli.commands.run import parse_formats
from drills.cli.main import EXIT_FAILED, EXIT_OK, say
from drills.cli.outdir import OutFolder
from drills.cli.pair import load_pair
from drills.engine.hooks import CodeTrust
from drills.errors import DrillsError
from drills.fakes.backends import parse_backend
from drills.journal import (
    DEFAULT_NAME,
    JournalHeader,
    JournalWriter,
    read_journal,
    refuse_untrusted,
)
from drills.reports.console import render_console
from drills.reports.jsonout import ReportError
from drills.reports.writer import FORMATS, write_reports
from drills.responders.live import DEFAULT_SPEED, LiveDrill, LivePlan
from drills.responders.live.drill import speed_problem
from drills.responders.live.replay import journaled_actions, name_problem, plan_from_journal
from drills.responders.live.responder import JournaledAction
from drills.responders.live.session import LiveSession

__all__ = ["command", "parse_team"]



def parse_team(text: str) -> tuple[str, ...]:
    """'alice,bob' -> ('alice', 'bob'); names a prompt prefix can carry, each once."""
    names = [n.strip() for n in text.split(",") if n.strip()]
    if not names:
        raise DrillsError("--team names nobody; write names like --team alice,bob")
    for name in names:
        problem = name_problem(name)
        if problem is not None:
            example = ", e.g. --team alice,bob" if "prefix" in problem else ""
            raise DrillsError(f"--team name '{name}' {problem}{example}")
    if len({n.lower() for n in names}) != len(names):
        raise DrillsError(f"--team '{text}' names someone twice; name each person once")
    return tuple(names)


@click.command("live")
@click.argument("scenario", required=False)
@click.option("--runbook", "runbook_path", type=click.Path(path_type=Path),
              help="The team's runbook: its stop rules raise the alerts, and the report "
                   "sets the team beside it followed perfectly.")
@click.option("--speed", type=float, default=DEFAULT_SPEED, show_default=True,
              help="Drill seconds per real second (10: an hour-long incident in 6 minutes).")
@click.option("--team", default="team", show_default=True,
              help="Who is acting, comma-separated; 'as NAME' or a 'NAME: ' prefix switches.")
@click.option("--seed", type=int, default=None, help="Replace the scenario's seed.")
@click.option("--scale", type=float, default=None,
              help="Multiply the world's counts and the bad run's reach by this factor.")
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Folder to write the report files (and by default the journal) to; "
                   "one holding another drill is refused. The journal keeps it: a resumed "
                   "drill writes its reports there unless --out names another.")
@click.option("--format", "formats", default="md,html,json,junit", show_default=True,
              help="Report files to write with --out: " + ", ".join(FORMATS) + ".")
@click.option("--journal", "journal_path", type=click.Path(path_type=Path), default=None,
              help="Where to journal the drill (default: OUT/drill.journal.jsonl, or "
                   "./drill-live-<time>.journal.jsonl).")
@click.option("--resume", "resume_path", type=click.Path(path_type=Path), default=None,
              help="Carry on a live drill that crashed or was closed, from its journal.")
@click.option("--trust-code", is_flag=True,
              help="With --resume: import and run the automation code the journal's "
                   "scenario names (automation.callable); without it only modules under "
                   "DRILLS_TRUSTED's prefixes run.")
@backend_options
@call_timeout_option
def command(
    scenario: str | None,
    runbook_path: Path | None,
    speed: float,
    team: str,
    seed: int | None,
    scale: float | None,
    out: Path | None,
    formats: str,
    journal_path: Path | None,
    resume_path: Path | None,
    trust_code: bool,
    backend: str | None,
    keep: bool,
) -> None:
    """Run a live drill of SCENARIO: the team acts in real time against the spreading damage.

    \b
    Examples:
      drills live invoice-triple-trigger --runbook ours.runbook.yaml --team ana,ben --out q3
      drills live --resume q3/drill.journal.jsonl --out q3
      drills live invoice-triple-trigger --runbook ours.yaml --backend postgresql://drills@db/sb
    Exit codes: 0 the drill ended and was reported, 1 closed before its end (resume it
    with --resume), 2 bad input or usage.
    """
    chosen = parse_formats(formats)
    if out is not None:  # a folder holding another drill is refused; a resumed one's own is not
        OutFolder.prepare(out, overwrite=None, own=resume_path)
    where = parse_backend(backend)
    where.check(keep=keep)
    format_given = _given(click.get_current_context(), "formats")
    if resume_path is not None:
        given = [name for name, value in (("SCENARIO", scenario), ("--runbook", runbook_path),
                                          ("--seed", seed), ("--scale", scale),
                                          ("--journal", journal_path)) if value is not None]
        if given:
            raise DrillsError(
                f"--resume carries on the drill in its journal; drop {given[0]} (the journal "
                "holds the scenario, runbook, seed and team)"
            )
        ready = _resume(resume_path, CodeTrust.from_env(trust_code), out,
                        chosen if format_given else None)
        # The reports go where the drill was started with (--out then, kept in its
        # journal), unless this resume names another folder.
        if out is None and ready.plan.out is not None:
            out = Path(ready.plan.out)
            OutFolder.prepare(out, overwrite=None, own=resume_path)
        if not format_given and ready.plan.formats:
            chosen = list(ready.plan.formats)
    else:
        ready = _start(scenario, runbook_path, speed, team, seed, scale, out, journal_path,
                       chosen)
    # Every input is checked: now the database, then the journal, so a refused backend
    # leaves nothing behind.
    database = where.open(keep=keep)
    journal: JournalWriter | None = None
    try:
        journal = ready.open_journal()
        drill = LiveDrill(ready.plan, journal=journal, replay=ready.replay,
                          replay_until=ready.replay_until, backend=database)
        session = LiveSession(drill, drill.plan.team)
        try:
            drill.start()
            if sys.stdin.isatty() and sys.stdout.isatty():
                session.run_fullscreen()
            else:
                session.run_lines(sys.stdin, sys.stdout)
        finally:
            drill.close()  # stops a drill closed before its end; its thread is done after
            journal.close()
    except KeyboardInterrupt:  # Ctrl-C on piped input, or SIGTERM: the journal is whole
        if journal is not None:
            say(_resume_hint(journal.path, out), err=True)
        raise
    finally:
        database.dispose()
    kept = kept_line(database)
    if not drill.over:
        if kept is not None:
            say(kept)
        say(_resume_hint(journal.path, out), err=True)
        sys.exit(EXIT_FAILED)
    if drill.error is not None:
        say_kept(database)
        raise drill.error
    report = drill.report
    assert report is not None
    render_console(report, Console(file=sys.stdout))
    say(f"journal {journal.path}")
    if out is not None:
        try:
            written = write_reports(report, out, chosen)
        except ReportError as err:
            raise DrillsError(str(err)) from None
        for path in written.values():
            say(f"wrote {path}")
    if kept is not None:
        say(kept)
    sys.exit(EXIT_OK)


@dataclass(frozen=True)
class _Ready:
    """A live drill checked and ready to start; nothing is written until ``open_journal``."""

    plan: LivePlan
    open_journal: Callable[[], JournalWriter]
    replay: Sequence[JournaledAction] = ()
    replay_until: datetime | None = None


def _start(
    scenario: str | None,
    runbook_path: Path | None,
    speed: float,
    team: str,
    seed: int | None,
    scale: float | None,
    out: Path | None,
    journal_path: Path | None,
    formats: Sequence[str],
) -> _Ready:
    if scenario is None:
        raise DrillsError("name a SCENARIO to drill (see 'drills scenarios'), or --resume a "
                          "journal")
    if runbook_path is None:
        raise DrillsError("--runbook FILE is needed: its stop rules raise the alerts and the "
                          "report sets the team beside it")
    problem = speed_problem(speed)
    if problem is not None:
        raise DrillsError(f"--speed {problem}; e.g. --speed {DEFAULT_SPEED:g}")
    members = parse_team(team)
    spec, runbook = load_pair(scenario, runbook_path, seed=seed, scale=scale)
    assert runbook is not None  # --runbook was checked above
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    drill_id = f"{spec.name}-{spec.seed}-live-{stamp}"
    if journal_path is None:
        journal_path = out / DEFAULT_NAME if out is not None else Path(
            f"drill-live-{stamp}.journal.jsonl")
    JournalWriter.check_new(journal_path)
    header = JournalHeader.build(
        "live", spec, runbook, source=scenario, scale=scale, runbook_path=runbook_path,
        drill_id=drill_id, extra={"speed": speed, "team": list(members),
                                  **_where_reports_go(out, formats)},
    )
    plan = LivePlan(spec, runbook, str(runbook_path), members, speed, drill_id, header.ran_at,
                    out=str(out) if out is not None else None, formats=tuple(formats))
    path = journal_path
    return _Ready(plan, lambda: JournalWriter.create(path, header))


def _resume_hint(journal: Path, out: Path | None) -> str:
    """How to carry on a drill closed before its end, naming where its reports will go."""
    again = f" --out {out}" if out is not None else ""
    return f"drills: drill closed before its end; resume it with: drills live --resume " \
        f"{journal}{again}"


def _given(ctx: click.Context, name: str) -> bool:
    """Whether the option was typed (not its default)."""
    return ctx.get_parameter_source(name) not in (
        click.core.ParameterSource.DEFAULT, click.core.ParameterSource.DEFAULT_MAP, None)


def _where_reports_go(out: Path | None, formats: Sequence[str]) -> dict[str, object]:
    """``--out`` and ``--format`` as the journal keeps them, so a resumed drill writes its
    reports where the team asked (an absolute folder: a resume may run from elsewhere)."""
    if out is None:
        return {}
    return {"out": str(out.absolute()), "formats": list(formats)}


def _resume(
    path: Path, trust: CodeTrust, out: Path | None, formats: Sequence[str] | None
) -> _Ready:
    journal = read_journal(path)
    if journal.finished:
        raise DrillsError(
            f"{journal.path}: the drill finished (the journal ends with its report); "
            f"'drills report {journal.path}' renders it, or start a new drill"
        )
    refuse_untrusted(journal, trust, "the drill was not resumed")
    plan = plan_from_journal(journal)
    actions = journaled_actions(journal)
    until = journal.last_at or plan.scenario.starts

    moved = _where_reports_go(out, formats or plan.formats) if out is not None else {}

    def reopen() -> JournalWriter:
        writer = JournalWriter.append_to(path)
        writer.write("resumed", until, actions=len(actions), **moved)
        return writer

    return _Ready(plan, reopen, actions, until)
