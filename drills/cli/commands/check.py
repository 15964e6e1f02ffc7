"""``drills check [RUNBOOK...]``: the launch gate CI runs on a team's runbooks.

A runbook that loads can still leave a bad run unstoppable or unrecoverable, and a
reviewer will not spot that reading YAML. So ``check`` first lints each runbook (the
gaps visible on paper, no scenario needed), then drills it against every scenario
that fits its automation: those ``[tool.drills.scenarios]`` or ``--scenario`` name,
else the built-in ones. Each gap is one line, like ruff, so CI logs and editors can
point at it::

    ops/reminder.runbook.yaml:3: owner-is-team critical the owner 'Finance team' is a
    team, not a person: ... (fix: name one person as owner and give them 'can_pause: true')

With no RUNBOOK it reads ``[tool.drills]`` (:mod:`drills.cli.config`) and says which
file it read; flags override it. RUNBOOK and ``--scenario`` take files, folders and
globs. ``select``/``ignore`` drop finding codes and ``[[tool.drills.accept]]`` marks a
known finding accepted (still shown, with its reason) before the gates decide:

* ``fail-on`` (default critical): a finding at or above it, not accepted, fails;
* ``fail-under``: a drill scoring under it fails, and so does a runbook no scenario
  drills (a score not measured does not pass a score gate);
* an acceptance past its ``expires`` date fails the job with one line saying so.

The gates are decided in one place, :mod:`drills.cli.checkverdict`. Every input is
loaded and checked before any drill runs, so bad input is one
``drills: error:`` line, exit 2, and nothing written.

The work is one drill per runbook and scenario. ``--jobs N`` runs that many at once in
processes of their own (default the CPU count), ``--shard K/N`` keeps the K-th of N
deterministic slices of the sorted pairs for a CI matrix, and ``--merge`` joins the
shards' ``--format json`` results into one verdict and one report. Each drill's result
is cached by a hash of its inputs (:mod:`drills.cli.checkcache`): a second run with
nothing changed drills nothing. One line per drill goes to stderr as it starts and
ends (``-q`` silences them), so a CI log shows where the time goes.

``--format`` picks what CI reads: ``console`` (the lines above, the default),
``github`` (workflow-command annotations, plus a job summary appended to
``$GITHUB_STEP_SUMMARY`` when set), ``gitlab`` (Code Quality JSON), ``sarif`` (SARIF
2.1.0, rules from the finding registry), ``junit`` (:mod:`drills.reports.checkjunit`)
or ``json`` (the whole check, with a ``schema_version``). All but ``console`` and
``github`` go to stdout alone, the console lines moving to stderr, unless ``--output
FILE`` names a file, written atomically. ``--junit FILE`` still writes the JUnit file
beside any ``--format``. Every format renders one
:class:`~drills.reports.checkresult.CheckResult`.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path

import click

from drills.cli.backend import backend_options
from drills.cli.calltimeout import call_timeout_option
from drills.cli.checkplan import (
    CheckOptionError,
    configured_scenarios,
    named_scenarios,
    parse_shard,
    plan,
    read_runbooks,
    shard,
)
from drills.cli.checkplan import scenario_names as expand_scenarios
from drills.cli.checkverdict import (
    DRILL_CODE_PATHS,
    assemble,
    finding_line,
    job_gates,
    locate_lint,
    plural,
)
from drills.cli.config import LoadedConfig, apply_config, read_config
from drills.cli.drillpool import Job, Outcome, Work, clock, pair, run_all, using_work
from drills.cli.main import EXIT_FAILED, EXIT_OK, say
from drills.cli.paths import RUNBOOK_PATTERNS, expand
from drills.errors import DrillsError
from drills.fakes.backends import parse_backend
from drills.findings import FINDINGS
from drills.reports.checkresult import (
    Acceptance,
    CheckResult,
    DrillResult,
    LocatedFinding,
    Policy,
    RunbookResult,
)
from drills.reports.findings import Severity
from drills.reports.sarif import Rule, render_sarif
from drills.runbook import lint_runbook

__all__ = ["DRILL_CODE_PATHS", "FORMATS", "command"]

FORMATS = ("console", "github", "gitlab", "sarif", "junit", "json")
"""What ``--format`` takes; ``console`` is the default."""

HELP_URI = "docs/scoring.md#every-finding-code"
"""Where a SARIF rule's help is: the shipped table of every finding code."""

_SUFFIX = {"console": "txt", "github": "txt", "gitlab": "json", "sarif": "sarif",
           "junit": "xml", "json": "json"}


class OutputPathError(CheckOptionError):
    """An ``--output`` (or ``--junit``) path drills cannot write to."""


class JunitPathError(OutputPathError):
    """A ``--junit`` path drills cannot write the XML to."""


def _check_path(path: Path, option: str = "--junit", example: str = "drills.xml") -> None:
    """Make sure the file can be written before spending time on drills."""
    error = JunitPathError if option == "--junit" else OutputPathError
    if path.is_dir():
        raise error(f"{option} {path} is a folder; name a file, e.g. {path}/{example}")
    parent = path.parent
    blocker = next((p for p in (parent, *parent.parents) if p.exists()), None)
    if blocker is not None and not blocker.is_dir():
        raise error(
            f"{option} {path}: {blocker} is a file, not a folder; choose a path you can write to"
        )
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise error(
            f"{option} {path}: cannot create the folder {parent}: {err.strerror or err}; "
            "choose a path you can write to"
        ) from None
    if not os.access(parent, os.W_OK | os.X_OK):
        raise error(
            f"{option} {path}: cannot write to {parent}; choose a path you can write to"
        )


def _write(path: Path, text: str, option: str = "--junit") -> None:
    from drills.files import write_text_atomic

    error = JunitPathError if option == "--junit" else OutputPathError
    try:
        write_text_atomic(path, text)
    except OSError as err:
        raise error(
            f"{option} {path}: cannot write: {err.strerror or err}; choose a path you can "
            "write to"
        ) from None



# -- output ----------------------------------------------------------------------------


class _Blank(dict[str, str]):
    """Fills a summary's threshold fields (``{count}``) the way docs/scoring.md words them."""

    def __missing__(self, key: str) -> str:
        return "N" if key == "count" else "the limit"


def _rules() -> list[Rule]:
    return [Rule(spec.code, spec.summary.format_map(_Blank()), spec.severity, HELP_URI)
            for spec in FINDINGS.values()]


def _render(fmt: str, result: CheckResult) -> str:
    if fmt == "github":
        from drills.reports.github import render_github

        return render_github(result)
    if fmt == "gitlab":
        from drills.reports.gitlab import render_gitlab

        return render_gitlab(result)
    if fmt == "sarif":
        return render_sarif(result, _rules())
    if fmt == "json":
        from drills.reports.checkresult import render_check_json

        return render_check_json(result)
    from drills.reports.checkjunit import render_check_junit

    return render_check_junit(result)


def _lines(r: RunbookResult, policy: Policy, quiet: bool) -> list[str]:
    """Every finding's line in file order; with ``quiet`` only those that fail the job."""
    floor = Severity(policy.fail_on).rank if policy.fail_on != "never" else -1
    out: list[str] = []
    for item in r.findings:
        if quiet and (item.accepted is not None or item.finding.severity.rank > floor):
            continue
        costs = [(d.scenario, c.finding) for d in r.drills for c in d.findings
                 if (c.finding.code, c.finding.message) == (item.finding.code,
                                                             item.finding.message)
                 and (item.scenario is None or c.scenario == item.scenario)]
        out.append(finding_line(item, costs))
    return out


def _step_summary(result: CheckResult) -> None:
    """Append the Markdown summary to ``$GITHUB_STEP_SUMMARY`` when GitHub names one."""
    name = os.environ.get("GITHUB_STEP_SUMMARY")
    if not name:
        return
    from drills.reports.github import step_summary

    try:
        with open(name, "a", encoding="utf-8") as summary:
            summary.write(step_summary(result))
    except OSError as err:  # the annotations are out already; a summary is a bonus
        say(f"drills: warning: cannot append the job summary to $GITHUB_STEP_SUMMARY "
            f"({name}): {err.strerror or err}", err=True)


def _finish(result: CheckResult, *, fmt: str, output: Path | None, junit_path: Path | None,
            quiet: bool, kept: Sequence[str] = ()) -> None:
    """Print, write and exit: the same for a check and a merge of shards."""
    to_err = fmt not in ("console", "github") and output is None
    failed = 0
    for r in result.runbooks:
        if fmt == "console" or output is not None:  # else the document carries them
            for text in _lines(r, result.policy, quiet):
                say(text, err=to_err)
        if not r.drills and not quiet:
            say(f"{r.file}: not drilled: no scenario drills '{r.automation}'; the lint "
                "alone decides (name one under [tool.drills.scenarios] or with --scenario)",
                err=to_err)
        if not quiet:
            for d in r.drills:
                cached = " (cached)" if d.cached else ""
                say(f"{r.file}: drill {d.scenario}: {d.headline}{cached}", err=to_err)
        failed += not r.passed
        if not r.passed or not quiet:
            say(r.verdict, err=to_err)
    for gate in result.job_gates:
        if gate.why is not None:
            say(gate.why, err=to_err)
    if fmt != "console":
        text = _render(fmt, result)
        if output is None:
            click.echo(text, nl=False)
        else:
            _write(output, text, "--output")
            if not quiet:
                say(f"wrote {output}", err=to_err)
    if fmt == "github":
        _step_summary(result)
    if junit_path is not None:
        _write(junit_path, _render("junit", result))
        if not quiet:
            say(f"wrote {junit_path}", err=to_err)
    for line in kept:
        say(line, err=to_err)
    passed = len(result.runbooks) - failed
    jobs = sum(g.why is not None for g in result.job_gates)
    tail = f"; {plural(jobs, 'job gate')} failed" if jobs else ""
    say(f"{plural(len(result.runbooks), 'runbook')} checked: {passed} passed, {failed} failed"
        f"{tail}", err=to_err)
    sys.exit(EXIT_OK if result.passed else EXIT_FAILED)


# -- merging shards --------------------------------------------------------------------------


def _merge(sources: Sequence[Path], today: date) -> CheckResult:
    """The shards' ``--format json`` results (files, or folders of them) as one check."""
    from drills.reports.checkresult import parse_check_json

    files = expand(sources, ("*.json",), what="check result (.json)", option="--merge")
    results: list[CheckResult] = []
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise CheckOptionError(f"--merge {path}: no such file or folder; give the "
                                   "folders or files the shards wrote") from None
        except (OSError, UnicodeDecodeError) as err:
            raise CheckOptionError(f"--merge {path}: cannot read: {err}") from None
        results.append(parse_check_json(text, str(path)))
    first = results[0]
    for path, other in zip(files[1:], results[1:], strict=True):
        if other.policy != first.policy:
            raise CheckOptionError(
                f"--merge {path} was checked with other settings than {files[0]} (fail-on, "
                "fail-under, select, ignore or accept differ); run every shard with the "
                "same configuration")
    shards = sorted({r.shard for r in results if r.shard is not None})
    counts = {s.partition("/")[2] for s in shards}
    if len(counts) == 1:
        n = int(counts.pop())
        missing = [f"{k}/{n}" for k in range(1, n + 1) if f"{k}/{n}" not in shards]
        if missing:
            raise CheckOptionError(f"--merge: no result for shard {', '.join(missing)} "
                                   f"(got {', '.join(shards)}); give every shard's result")
    lint: dict[str, tuple[str, tuple[LocatedFinding, ...], datetime | None]] = {}
    drills: dict[str, dict[str, DrillResult]] = {}
    for result in results:
        for r in result.runbooks:
            lint.setdefault(r.file, (r.automation, r.lint, r.linted_at))
            group = drills.setdefault(r.file, {})
            for d in r.drills:
                group.setdefault(d.scenario, d)
    policy = first.policy
    runbooks = tuple(assemble(file, auto, found, list(drills[file].values()), policy,
                              today=today, linted_at=when)
                     for file, (auto, found, when) in sorted(lint.items()))
    return CheckResult(
        runbooks=runbooks, started=min(r.started for r in results),
        seconds=max(r.seconds for r in results), backend=first.backend,
        tool_version=first.tool_version, policy=policy,
        job_gates=tuple(job_gates(policy, today)))


# -- the command -----------------------------------------------------------------------------


def _codes(values: tuple[str, ...], option: str) -> tuple[str, ...] | None:
    if not values:
        return None
    codes = tuple(c.strip() for v in values for c in v.split(",") if c.strip())
    for code in codes:
        if code not in FINDINGS:
            from drills.errors import did_you_mean

            hint = did_you_mean(code, list(FINDINGS))
            close = hint.removesuffix("?") if hint.startswith("; did you mean") else ""
            raise CheckOptionError(f"{option} {code}: not a finding code{close}; the codes "
                                   "are listed in docs/scoring.md")
    return codes


def _accepts(config: LoadedConfig | None) -> tuple[Acceptance, ...]:
    if config is None:
        return ()
    shown = config.shown
    return tuple(Acceptance(
        code=a.code, reason=a.reason, expires=a.expires,
        runbook=None if a.runbook is None else str(config.resolve(a.runbook)),
        where=f"{shown}:{config.line_of('accept', i)}")
        for i, a in enumerate(config.config.accept))


def _jobs(flag: int | None, config: LoadedConfig | None) -> int:
    jobs = flag if flag is not None else (config.config.jobs if config and
                                          config.config.jobs is not None else 0)
    return jobs or os.cpu_count() or 1


@click.command("check")
@click.argument("runbooks", nargs=-1, type=click.Path(path_type=Path))
@click.option("--config", "config_path", type=click.Path(path_type=Path), default=None,
              metavar="FILE", help="Read [tool.drills] from FILE (a pyproject.toml or "
                                   "drills.toml) instead of the one found from here up.")
@click.option("--scenario", "scenario_names", multiple=True, metavar="NAME_OR_PATH",
              help="Drill with this scenario (a built-in name, a file, a folder or a glob) "
                   "instead of the configured or built-in ones. Repeatable.")
@click.option("--fail-under", type=click.IntRange(0, 100), default=None, metavar="SCORE",
              help="Fail a runbook whose drill scores under SCORE (0-100), or that no "
                   "scenario drills.")
@click.option("--fail-on", type=click.Choice(["critical", "high", "medium", "low", "never"]),
              default=None, help="Fail on a finding at or above this severity (default: "
                                 "critical, or the configuration's fail-on).")
@click.option("--select", multiple=True, metavar="CODES",
              help="Keep only these finding codes (comma-separated or repeated).")
@click.option("--ignore", multiple=True, metavar="CODES",
              help="Drop these finding codes (comma-separated or repeated).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="console",
              show_default=True,
              help="Output for CI: console lines, github annotations (and a job summary in "
                   "$GITHUB_STEP_SUMMARY), gitlab Code Quality, sarif 2.1.0, junit XML or "
                   "json.")
@click.option("--output", "output", type=click.Path(path_type=Path), default=None,
              metavar="FILE", help="Write the --format output to FILE (atomically) instead "
                                   "of stdout.")
@click.option("--junit", "junit_path", type=click.Path(path_type=Path), default=None,
              metavar="FILE", help="Also write JUnit XML for every runbook and drill to FILE.")
@click.option("--no-costs", is_flag=True,
              help="Skip the reruns that measure what each gap costs (faster).")
@click.option("-j", "--jobs", type=click.IntRange(0), default=None, metavar="N",
              help="Drill N runbook/scenario pairs at once (default: the configuration's "
                   "jobs, else the CPU count; 0 = the CPU count).")
@click.option("--shard", "shard_text", default=None, metavar="K/N",
              help="Check only slice K of N of the sorted runbook/scenario pairs (a CI "
                   "matrix job); join the slices' --format json with --merge.")
@click.option("--merge", is_flag=True,
              help="Treat the arguments as the shards' --format json results (files or "
                   "folders) and join them into one verdict and report.")
@click.option("--cache-dir", type=click.Path(path_type=Path), default=None, metavar="DIR",
              help="Keep drill results in DIR by a hash of their inputs (default: the "
                   "configuration's cache-dir, .drills-cache beside it).")
@click.option("--no-cache", is_flag=True, help="Drill everything; read and write no cache.")
@backend_options
@call_timeout_option
@click.option("-q", "--quiet", is_flag=True,
              help="Print only the findings and gates that fail the job, and the summary; no "
                   "progress lines.")
def command(
    runbooks: tuple[Path, ...],
    config_path: Path | None,
    scenario_names: tuple[str, ...],
    fail_under: int | None,
    fail_on: str | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    fmt: str,
    output: Path | None,
    junit_path: Path | None,
    no_costs: bool,
    jobs: int | None,
    shard_text: str | None,
    merge: bool,
    cache_dir: Path | None,
    no_cache: bool,
    backend: str | None,
    keep: bool,
    quiet: bool,
) -> None:
    """Lint each RUNBOOK and drill it; fail on a gap that blocks a launch.

    With no RUNBOOK, the runbooks [tool.drills] lists in pyproject.toml (or drills.toml)
    are checked; flags override the configuration. RUNBOOK may be a file, a folder or a
    glob. Each runbook is linted, then drilled against the scenarios configured for its
    automation, those named with --scenario, or the built-in ones. A runbook fails on a
    finding at or above --fail-on (default critical), a drill score under --fail-under,
    or no drill at all under --fail-under. Each gap prints as FILE:LINE: CODE severity
    message (fix: ...).

    \b
    Examples:
      drills check
      drills check runbooks/ --fail-under 80 --junit drills-junit.xml
      drills check runbooks/ --format github --fail-on high
      drills check --shard 1/2 --format json --output shard-1/drills.json
      drills check --merge shard-1 shard-2 --format sarif --output drills.sarif
    Exit codes: 0 passed, 1 a runbook failed the check, 2 bad input or usage.
    """
    started = datetime.now(UTC)
    began = time.perf_counter()
    today = started.date()
    if junit_path is not None:
        _check_path(junit_path)
    if output is not None:
        _check_path(output, "--output", f"drills.{_SUFFIX[fmt]}")
    if merge:
        if not runbooks:
            raise CheckOptionError("--merge joins the shards' results: give the folders or "
                                   "files their --format json wrote, e.g. --merge shard-1 "
                                   "shard-2")
        if shard_text is not None or scenario_names:
            raise CheckOptionError("--merge joins results already checked; leave --shard "
                                   "and --scenario out")
        _finish(_merge(runbooks, today), fmt=fmt, output=output, junit_path=junit_path,
                quiet=quiet)
    sharding = parse_shard(shard_text)
    config = read_config(config_path)
    if config is not None and not quiet:
        say(f"config: {config.table}", err=True)
    settings = config.config if config is not None else None
    if config is not None:
        apply_config(config, click.get_current_context())

    if runbooks:
        paths = expand(runbooks, RUNBOOK_PATTERNS, what="runbooks")
    elif config is not None and settings is not None and settings.runbooks:
        origin = f"{config.shown}:{config.line_of('runbooks')}: runbooks"
        paths = expand([config.resolve(p) for p in settings.runbooks], RUNBOOK_PATTERNS,
                       what="runbooks", option=origin)
    else:
        raise CheckOptionError(
            "no runbooks to check: give RUNBOOK (a file, folder or glob), or list them as "
            "runbooks = [\"runbooks/\"] under [tool.drills] in pyproject.toml" +
            (f" ({config.table} has none)" if config is not None else ""))
    loaded = read_runbooks(paths)
    if scenario_names:
        chosen = named_scenarios(loaded, expand_scenarios(scenario_names))
    elif config is not None:
        chosen = configured_scenarios(config)
    else:
        chosen = {}
    policy = Policy(
        fail_on=fail_on or (settings.fail_on if settings else "critical"),
        fail_under=fail_under if fail_under is not None else
        (settings.fail_under if settings else None),
        select=_codes(select, "--select") or tuple(settings.select if settings else ()),
        ignore=_codes(ignore, "--ignore") or tuple(settings.ignore if settings else ()),
        accepts=_accepts(config))
    work = shard(plan(loaded, chosen), sharding)
    where = parse_backend(backend)
    where.check(keep=keep)
    workers = _jobs(jobs, config)
    cache = None if no_cache or keep else (  # a kept schema comes only from a drill run now
        cache_dir if cache_dir is not None else
        (config.resolve(settings.cache_dir or ".drills-cache") if config and settings else None))

    for r in work:
        r.linted_at = datetime.now(UTC)
        r.lint = [locate_lint(r.loaded, f) for f in
                  lint_runbook(r.loaded.runbook, source=r.file, positions=r.loaded.positions)]

    from drills.cli.checkcache import cache_key, code_digest, read_cached, write_cached
    from drills.engine.hooks import named_code
    from drills.version import __version__

    total = sum(len(r.scenarios) for r in work)
    todo: list[Job] = []
    n = 0
    for i, r in enumerate(work):
        text = Path(r.file).read_bytes().decode("utf-8", errors="replace")
        for j, scenario in enumerate(r.scenarios):
            n += 1
            key = None
            if cache is not None:
                key = cache_key(
                    version=__version__, file=r.file, runbook=text,
                    scenario=scenario.model_dump_json(), costs=not no_costs,
                    backend=where.kind,
                    code=code_digest(named_code(scenario, r.loaded.runbook)))
                hit = read_cached(cache, key)
                if hit is not None:
                    r.drills.append(hit)
                    if not quiet:
                        say(f"[{clock()}] cached {n}/{total}: {pair(r, scenario.name)}: "
                            f"score {hit.score}/100 (drilled in {hit.seconds:.1f} s before; "
                            "inputs unchanged)", err=True)
                    continue
            todo.append(Job(n, total, i, j, key))

    kept: list[str] = []
    backend_name = next((d.backend for r in work for d in r.drills), where.kind)

    def done(job: Job, outcome: Outcome) -> None:
        nonlocal backend_name
        data, kept_text, error = outcome
        r = work[job.runbook]
        if error is not None or data is None:
            raise DrillsError(error or f"{pair(r, r.scenarios[job.scenario].name)}: the "
                                       "drill returned nothing")
        from drills.reports.checkresult import parse_drill

        drill = parse_drill(data)
        r.drills.append(drill)
        backend_name = drill.backend
        if cache is not None and job.key is not None:
            write_cached(cache, job.key, drill)
        if kept_text is not None:
            kept.append(f"{kept_text} ({drill.scenario}, {r.file})")
        if not quiet:
            say(f"[{clock()}] done {job.index}/{job.of}: {pair(r, drill.scenario)} in "
                f"{drill.seconds:.1f} s: score {drill.score}/100", err=True)

    with using_work(Work(work, not no_costs, where, keep, progress=not quiet)):
        run_all(todo, min(workers, len(todo)), done)
    result = CheckResult(
        runbooks=tuple(assemble(r.file, r.automation, r.lint, r.drills, policy, today=today,
                                linted_at=r.linted_at) for r in work),
        started=started, seconds=time.perf_counter() - began, backend=backend_name,
        tool_version=__version__, policy=policy, job_gates=tuple(job_gates(policy, today)),
        shard=None if sharding is None else f"{sharding[0]}/{sharding[1]}")
    _finish(result, fmt=fmt, output=output, junit_path=junit_path, quiet=quiet, kept=kept)
