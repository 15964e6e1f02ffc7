"""``drills check RUNBOOK...``: the launch gate CI runs on a runbook before a workflow goes live.

A runbook that loads can still leave a bad run unstoppable or unrecoverable, and a
reviewer will not spot that reading YAML. So ``check`` first lints each runbook (the
gaps visible on paper, no scenario needed), then drills it against every scenario
that fits its automation: the built-in ones, or those named with ``--scenario``.
Each gap is one line, like ruff, so CI logs and editors can point at it::

    ops/reminder.runbook.yaml:3: owner-is-team critical the owner 'Finance team' is a
    team, not a person: ... (fix: name one person as owner and give them 'can_pause: true')

A runbook fails on any critical finding, on paper or in a drill, and on a drill score
under ``--fail-under``. Every input is loaded and checked before any drill runs, so
bad input is one ``drills: error:`` line, exit 2, and nothing written.

``--format`` picks what CI reads: ``console`` (the lines above, the default),
``github`` (workflow-command annotations, plus a job summary appended to
``$GITHUB_STEP_SUMMARY`` when set), ``sarif`` (SARIF 2.1.0, rules from the finding
registry), ``junit`` (one suite per drill, or a lint suite when no scenario fits, and
a suite of the gates that decide the exit code) or ``json`` (the whole check, with a
``schema_version``). All but ``console`` and ``github`` go to stdout alone, the console
lines moving to stderr, unless ``--output FILE`` names a file, written atomically.
``--junit FILE`` still writes the JUnit file beside any ``--format``. Every format
renders one :class:`~drills.reports.checkresult.CheckResult`, so a finding has the same
file and line in all of them.
"""

from __future__ import annotations

import os
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import MappingProxyType

import click

from drills.cli.backend import backend_options, kept_line
from drills.cli.calltimeout import call_timeout_option
from drills.cli.main import EXIT_FAILED, EXIT_OK, say
from drills.errors import DrillsError
from drills.fakes.backends import parse_backend
from drills.files import KeyPath
from drills.findings import FINDINGS, section
from drills.reports.checkresult import CheckResult, LocatedFinding, RunbookResult
from drills.reports.findings import Finding, Severity, cost_text
from drills.reports.junit import drill_suite, gate_suite, lint_suite
from drills.reports.junit import junit_document as render_document
from drills.reports.model import DrillReport
from drills.reports.sarif import Rule, render_sarif
from drills.runbook import LoadedRunbook, lint_runbook, read_runbook
from drills.scenarios.loader import builtin_by_automation, load_scenario
from drills.scenarios.schema import Scenario

__all__ = [
    "DRILL_CODE_PATHS",
    "FORMATS",
    "RunbookCheck",
    "check_result",
    "command",
    "finding_line",
    "junit_document",
]

DRILL_CODE_PATHS: Mapping[str, KeyPath] = MappingProxyType({
    code: path for code, spec in FINDINGS.items()
    if spec.kind == "drill" and (path := section(code)) is not None
})
"""Drill finding code -> the runbook section that closes the gap, for the line it points at
(the section of the registry's ``closes``, :func:`drills.findings.section`).

Findings the drill makes (not the lint) name a system or feeder, not a runbook key;
this is where in the runbook a reader goes to fix them. Missing sections, and codes
not listed, point at line 1, as ruff does for a file-level problem.
"""


FORMATS = ("console", "github", "sarif", "junit", "json")
"""What ``--format`` takes; ``console`` is the default."""

HELP_URI = "docs/scoring.md#every-finding-code"
"""Where a SARIF rule's help is: the shipped table of every finding code."""


class OutputPathError(DrillsError):
    """An ``--output`` (or ``--junit``) path drills cannot write to."""


class JunitPathError(OutputPathError):
    """A ``--junit`` path drills cannot write the XML to."""


class ScenarioMismatchError(DrillsError):
    """A ``--scenario`` that drills an automation none of the given runbooks is for."""


@dataclass
class RunbookCheck:
    """One runbook's check: its lint, its drills and the verdict they make together."""

    loaded: LoadedRunbook
    scenarios: list[Scenario]
    lint: list[Finding] = field(default_factory=list)
    reports: list[DrillReport] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    """Real seconds each drill took, its gap-cost reruns included (as ``reports``)."""
    linted_at: datetime | None = None

    @property
    def file(self) -> str:
        return self.loaded.file

    @property
    def automation(self) -> str:
        return self.loaded.runbook.automation

    def drill_only(self, report: DrillReport) -> list[Finding]:
        """The report's findings that the lint did not already list (the report repeats it)."""
        seen = {(f.code, f.message) for f in self.lint}
        return [f for f in report.findings if (f.code, f.message) not in seen]

    def critical(self) -> list[Finding]:
        out = [f for f in self.lint if f.severity is Severity.CRITICAL]
        for report in self.reports:
            out += [f for f in self.drill_only(report) if f.severity is Severity.CRITICAL]
        return out

    def under(self, fail_under: int | None) -> list[DrillReport]:
        if fail_under is None:
            return []
        return [r for r in self.reports if r.score.value < fail_under]

    def failed(self, fail_under: int | None) -> bool:
        """Failed: a critical finding, a score under ``fail_under``, or a gate in any drill
        (docs/scoring.md: never contained, money or customer-message records left wrong, a
        restart with the fault live) whatever ``fail_under`` says."""
        gated = any(r.score.gates for r in self.reports)
        return bool(self.critical() or self.under(fail_under) or gated)


def _line(loaded: LoadedRunbook, path: KeyPath | None) -> int:
    line = loaded.positions.line_of(path) if path else None
    return line if line is not None else 1


def _lint_path(finding: Finding) -> KeyPath | None:
    """The key path inside a lint finding's ``where`` ('file:3 (restart.approver)')."""
    where = finding.where or ""
    if not where.endswith(")") or " (" not in where:
        return None
    dotted = where[where.rindex(" (") + 2:-1]
    return tuple(int(p) if p.isdigit() else p for p in dotted.split("."))


def finding_line(
    loaded: LoadedRunbook,
    finding: Finding,
    *,
    path: KeyPath | None = None,
    costs: Sequence[tuple[str, Finding]] = (),
    scenario: str | None = None,
) -> str:
    """``FILE:LINE: CODE severity message (fix: ...)``, with cost and drill when known.

    ``costs`` pairs a scenario name with that drill's copy of the finding; a measured,
    non-zero cost is added to the fix. ``scenario`` marks a finding only a drill made.
    """
    where = path if path is not None else DRILL_CODE_PATHS.get(finding.code)
    extra = ""
    measured = [(name, f.cost) for name, f in costs if f.cost is not None and not f.cost.is_zero]
    if len(measured) == 1 and len(costs) == 1:
        extra = f"; cost: {cost_text(measured[0][1])}"
    elif measured:
        extra = "".join(f"; cost in {name}: {cost_text(cost)}" for name, cost in measured)
    drill = f" [drill {scenario}]" if scenario is not None else ""
    return (
        f"{loaded.file}:{_line(loaded, where)}: {finding.code} {finding.severity.value} "
        f"{finding.message} (fix: {finding.fix}{extra}){drill}"
    )


# -- inputs ----------------------------------------------------------------------------


def _read_runbooks(paths: Iterable[Path]) -> list[LoadedRunbook]:
    """Each runbook once (a shell glob and an explicit name may both list it), in order."""
    out: list[LoadedRunbook] = []
    seen: set[Path] = set()
    for path in paths:
        key = path.resolve()
        if key in seen:
            continue
        seen.add(key)
        out.append(read_runbook(path))
    return out


def _plan(loaded: Sequence[LoadedRunbook], named: Sequence[str]) -> list[RunbookCheck]:
    """Pair each runbook with the scenarios that drill it; a stray --scenario is an error."""
    chosen: dict[str, list[Scenario]] = {}
    for name in named:
        scenario = load_scenario(name)
        auto = scenario.automation.name
        if not any(lr.runbook.automation == auto for lr in loaded):
            if len(loaded) == 1:
                only = loaded[0]
                raise ScenarioMismatchError(
                    f"--scenario {name} drills '{auto}', but {only.file} is the runbook for "
                    f"'{only.runbook.automation}'; name a scenario for "
                    f"'{only.runbook.automation}' or leave --scenario out"
                )
            autos = ", ".join(sorted({lr.runbook.automation for lr in loaded}))
            raise ScenarioMismatchError(
                f"--scenario {name} drills '{auto}', but no runbook given is for it "
                f"(they are for: {autos}); add its runbook or drop the --scenario"
            )
        group = chosen.setdefault(auto, [])
        if all(s.name != scenario.name for s in group):
            group.append(scenario)
    builtin: dict[str, list[Scenario]] | None = None
    checks: list[RunbookCheck] = []
    for lr in loaded:
        auto = lr.runbook.automation
        if auto in chosen:
            checks.append(RunbookCheck(lr, chosen[auto]))
            continue
        if builtin is None:
            builtin = builtin_by_automation()
        checks.append(RunbookCheck(lr, builtin.get(auto, [])))
    return checks


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


# -- JUnit -----------------------------------------------------------------------------


def _locate(check: RunbookCheck) -> Callable[[Finding], str]:
    def locate(finding: Finding) -> str:
        path = _lint_path(finding) or DRILL_CODE_PATHS.get(finding.code)
        return f"{check.file}:{_line(check.loaded, path)}"
    return locate


def _suites(check: RunbookCheck, backend: str) -> list[ET.Element]:
    """A suite per drill of the runbook, or a lint suite when no scenario drills it."""
    if check.reports:
        seconds: list[float | None] = [*check.seconds] or [None] * len(check.reports)
        return [drill_suite(report, name=f"drills: {report.scenario.name} ({check.file})",
                            properties=[("runbook", check.file)], seconds=spent,
                            locate=_locate(check), file=check.file)
                for report, spent in zip(check.reports, seconds, strict=True)]
    return [lint_suite(
        f"drills lint: {check.file}", check.lint, where=check.file,
        summary=f"{_plural(len(check.lint), 'finding')}; no scenario drills '{check.automation}'",
        properties=[("runbook", check.file), ("automation", check.automation),
                    ("scenario", "none fits; lint only"), ("backend", backend)],
        locate=_locate(check), started=check.linted_at)]


def _gates(check: RunbookCheck, fail_under: int | None) -> list[tuple[str, str | None]]:
    """(gate, why it failed or None): no critical finding, and each drill's --fail-under."""
    critical = check.critical()
    out: list[tuple[str, str | None]] = [(
        f"no critical finding: {check.file}",
        f"{check.file}: {_plural(len(critical), 'critical finding')} "
        f"({', '.join(dict.fromkeys(f.code for f in critical))}) fail the check"
        if critical else None)]
    if fail_under is not None:
        out += [(f"--fail-under {fail_under}: {check.file} in {r.scenario.name}",
                 f"{check.file}: score {r.score.value} under --fail-under {fail_under} in "
                 f"{r.scenario.name}" if r.score.value < fail_under else None)
                for r in check.reports]
    return out


def junit_document(
    checks: Sequence[RunbookCheck], *, fail_under: int | None = None, backend: str = "sqlite",
    seconds: float | None = None,
) -> str:
    """One ``<testsuites>`` with a suite per drill (or a lint suite per undrilled runbook)
    and a suite of the gates that decide the exit code."""
    suites = [suite for check in checks for suite in _suites(check, backend)]
    gates = [gate for check in checks for gate in _gates(check, fail_under)]
    suites.append(gate_suite(gates, properties=[("backend", backend)]))
    return render_document(suites, name="drills check", seconds=seconds)


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


# -- the check as data, for every format ------------------------------------------------


def _dotted(path: KeyPath | None) -> str:
    return ".".join(map(str, path)) if path else ""


def _located(check: RunbookCheck) -> list[LocatedFinding]:
    """Every finding of the runbook at its line, in file order, as the console lists them."""
    out: list[LocatedFinding] = []
    for finding in check.lint:
        path = _lint_path(finding)
        measured = [f.cost for r in check.reports for f in r.findings
                    if (f.code, f.message) == (finding.code, finding.message)
                    and f.cost is not None]
        if measured and finding.cost is None:
            finding = finding.model_copy(update={"cost": measured[0]})
        out.append(LocatedFinding(finding, check.file, _line(check.loaded, path),
                                  _dotted(path)))
    for report in check.reports:
        for finding in check.drill_only(report):
            where = DRILL_CODE_PATHS.get(finding.code)
            key = _dotted(where) + (f" ({finding.where})" if finding.where else "")
            out.append(LocatedFinding(finding, check.file, _line(check.loaded, where), key,
                                      scenario=report.scenario.name))
    return sorted(out, key=lambda f: (f.line, f.finding.severity.rank))


def check_result(
    checks: Sequence[RunbookCheck], *, fail_under: int | None, started: datetime,
    seconds: float, backend: str,
) -> CheckResult:
    """The whole check as the one model every ``--format`` renders."""
    from drills.version import __version__

    return CheckResult(
        runbooks=tuple(RunbookResult(
            file=c.file, automation=c.automation,
            scores=tuple((r.scenario.name, r.score.value) for r in c.reports),
            passed=not c.failed(fail_under), verdict=_verdict(c, fail_under),
            findings=tuple(_located(c)), gates=tuple(_gates(c, fail_under)),
        ) for c in checks),
        started=started, seconds=seconds, backend=backend, tool_version=__version__,
        fail_under=fail_under)


class _Blank(dict[str, str]):
    """Fills a summary's threshold fields (``{count}``) the way docs/scoring.md words them."""

    def __missing__(self, key: str) -> str:
        return "N" if key == "count" else "the limit"


def _rules() -> list[Rule]:
    return [Rule(spec.code, spec.summary.format_map(_Blank()), spec.severity, HELP_URI)
            for spec in FINDINGS.values()]


def _render(fmt: str, result: CheckResult, checks: Sequence[RunbookCheck],
            fail_under: int | None) -> str:
    if fmt == "github":
        from drills.reports.github import render_github

        return render_github(result)
    if fmt == "sarif":
        return render_sarif(result, _rules())
    if fmt == "json":
        from drills.reports.checkresult import render_check_json

        return render_check_json(result)
    return junit_document(checks, fail_under=fail_under, backend=result.backend,
                          seconds=result.seconds)


# -- output ----------------------------------------------------------------------------


def _lines(check: RunbookCheck, quiet: bool) -> list[tuple[int, int, str]]:
    """(line, severity rank, text) for every gap, so they print in file order like ruff."""
    out: list[tuple[int, int, str]] = []

    def keep(finding: Finding) -> bool:
        return not quiet or finding.severity is Severity.CRITICAL

    for finding in check.lint:
        if not keep(finding):
            continue
        path = _lint_path(finding)
        costs = [
            (r.scenario.name, f) for r in check.reports for f in r.findings
            if (f.code, f.message) == (finding.code, finding.message)
        ]
        out.append((_line(check.loaded, path), finding.severity.rank,
                    finding_line(check.loaded, finding, path=path, costs=costs)))
    for report in check.reports:
        for finding in check.drill_only(report):
            if not keep(finding):
                continue
            where = DRILL_CODE_PATHS.get(finding.code)
            out.append((_line(check.loaded, where), finding.severity.rank, finding_line(
                check.loaded, finding, costs=[(report.scenario.name, finding)],
                scenario=report.scenario.name)))
    return sorted(out, key=lambda item: (item[0], item[1]))


def _verdict(check: RunbookCheck, fail_under: int | None) -> str:
    critical = check.critical()
    under = check.under(fail_under)
    gated = [(r, g) for r in check.reports for g in r.score.gates]
    if not critical and not under and not gated:
        scores = ", ".join(f"score {r.score.value}/100 in {r.scenario.name}"
                           for r in check.reports)
        return f"{check.file}: passed" + (f" ({scores})" if scores else " (lint only)")
    why: list[str] = []
    if critical:
        why.append(f"{len(critical)} critical finding{'s' if len(critical) != 1 else ''}")
    why += [f"score {r.score.value} under --fail-under {fail_under} in {r.scenario.name}"
            for r in under]
    why += [f"gate {g.code.value} in {r.scenario.name}" for r, g in gated]
    return f"{check.file}: failed: {'; '.join(why)}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


@click.command("check")
@click.argument("runbooks", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--scenario", "scenario_names", multiple=True, metavar="NAME_OR_PATH",
              help="Drill with this scenario (a built-in name or a file) instead of the "
                   "built-in ones for its automation. Repeatable.")
@click.option("--fail-under", type=click.IntRange(0, 100), default=None, metavar="SCORE",
              help="Fail a runbook whose drill scores under SCORE (0-100).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="console",
              show_default=True,
              help="Output for CI: console lines, github annotations (and a job summary in "
                   "$GITHUB_STEP_SUMMARY), sarif 2.1.0, junit XML or json.")
@click.option("--output", "output", type=click.Path(path_type=Path), default=None,
              metavar="FILE", help="Write the --format output to FILE (atomically) instead "
                                   "of stdout.")
@click.option("--junit", "junit_path", type=click.Path(path_type=Path), default=None,
              metavar="FILE", help="Also write JUnit XML for every runbook and drill to FILE.")
@click.option("--no-costs", is_flag=True,
              help="Skip the reruns that measure what each gap costs (faster).")
@backend_options
@call_timeout_option
@click.option("-q", "--quiet", is_flag=True,
              help="Print only critical findings, failures and the summary.")
def command(
    runbooks: tuple[Path, ...],
    scenario_names: tuple[str, ...],
    fail_under: int | None,
    fmt: str,
    output: Path | None,
    junit_path: Path | None,
    no_costs: bool,
    backend: str | None,
    keep: bool,
    quiet: bool,
) -> None:
    """Lint each RUNBOOK and drill it; fail on a gap that blocks a launch.

    Each runbook is linted (no scenario needed), then drilled against the built-in
    scenarios for its automation, or those named with --scenario. When no scenario
    fits, the lint alone decides. A runbook fails on any critical finding, or a drill
    score under --fail-under. Each gap prints as FILE:LINE: CODE severity message
    (fix: ...).

    \b
    Examples:
      drills check runbooks/*.runbook.yaml
      drills check reminder.runbook.yaml --fail-under 80 --junit drills-junit.xml
      drills check runbooks/*.runbook.yaml --format github
      drills check runbooks/*.runbook.yaml --format sarif --output drills.sarif
    Exit codes: 0 passed, 1 a runbook failed the check, 2 bad input or usage.
    """
    started = datetime.now(UTC)
    clock = time.perf_counter()
    checks = _plan(_read_runbooks(runbooks), scenario_names)
    if junit_path is not None:
        _check_path(junit_path)
    if output is not None:
        _check_path(output, "--output", f"drills.{_SUFFIX[fmt]}")
    where = parse_backend(backend)
    where.check(keep=keep)

    from drills.api import run_drill  # the engine stack only once the inputs are sound

    kept: list[str] = []
    backend_name = "sqlite"
    for check in checks:
        lr = check.loaded
        check.linted_at = datetime.now(UTC)
        check.lint = lint_runbook(lr.runbook, source=lr.file, positions=lr.positions)
        for scenario in check.scenarios:
            database = where.open(keep=keep)  # each drill in a database (schema) of its own
            began = time.perf_counter()
            try:
                check.reports.append(run_drill(
                    scenario, lr.runbook, costs=not no_costs, runbook_path=lr.file,
                    backend=database))
            finally:
                database.dispose()
            check.seconds.append(time.perf_counter() - began)
            backend_name = check.reports[-1].backend
            line = kept_line(database)
            if line is not None:
                kept.append(f"{line} ({scenario.name}, {check.file})")

    # A document on stdout is read by a program: the human lines move to stderr.
    to_err = fmt not in ("console", "github") and output is None
    failed = 0
    for check in checks:
        if fmt == "console" or output is not None:  # else the document carries them
            for _, _, text in _lines(check, quiet):
                say(text, err=to_err)
        if not check.scenarios and not quiet:
            say(f"{check.file}: no built-in scenario drills '{check.automation}'; "
                "the lint alone decides (name one with --scenario)", err=to_err)
        if not quiet:
            for report in check.reports:
                say(f"{check.file}: drill {report.scenario.name}: {report.headline()}",
                    err=to_err)
        is_failed = check.failed(fail_under)
        failed += is_failed
        if is_failed or not quiet:
            say(_verdict(check, fail_under), err=to_err)
    result = check_result(checks, fail_under=fail_under, started=started,
                          seconds=time.perf_counter() - clock, backend=backend_name)
    if fmt != "console":
        text = _render(fmt, result, checks, fail_under)
        if output is None:
            click.echo(text, nl=False)
        else:
            _write(output, text, "--output")
            if not quiet:
                say(f"wrote {output}")
    if fmt == "github":
        _step_summary(result)
    if junit_path is not None:
        _write(junit_path, junit_document(checks, fail_under=fail_under, backend=backend_name,
                                          seconds=result.seconds))
        if not quiet:
            say(f"wrote {junit_path}", err=to_err)
    for line in kept:
        say(line, err=to_err)
    passed = len(checks) - failed
    say(f"{_plural(len(checks), 'runbook')} checked: {passed} passed, {failed} failed",
        err=to_err)
    sys.exit(EXIT_FAILED if failed else EXIT_OK)


_SUFFIX = {"console": "txt", "github": "txt", "sarif": "sarif", "junit": "xml", "json": "json"}


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
