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
bad input is one ``drills: error:`` line, exit 2, and nothing written. ``--junit``
writes one XML file for the whole check (one suite per drill, or a lint suite when no
scenario fits, built by :mod:`drills.reports.junit`), atomically, for CI to publish next
to its test results.
"""

from __future__ import annotations

import os
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
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
from drills.reports.findings import Finding, Severity, cost_text
from drills.reports.junit import drill_suite, lint_suite
from drills.reports.junit import junit_document as render_document
from drills.reports.model import DrillReport
from drills.runbook import LoadedRunbook, lint_runbook, read_runbook
from drills.scenarios.loader import builtin_by_automation, load_scenario
from drills.scenarios.schema import Scenario

__all__ = [
    "DRILL_CODE_PATHS",
    "RunbookCheck",
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


class JunitPathError(DrillsError):
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
        return [r for r in self.reports if r.score.total < fail_under]

    def failed(self, fail_under: int | None) -> bool:
        return bool(self.critical() or self.under(fail_under))


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


def _check_junit(path: Path) -> None:
    """Make sure the XML can be written before spending time on drills."""
    if path.is_dir():
        raise JunitPathError(f"--junit {path} is a folder; name a file, e.g. {path}/drills.xml")
    parent = path.parent
    blocker = next((p for p in (parent, *parent.parents) if p.exists()), None)
    if blocker is not None and not blocker.is_dir():
        raise JunitPathError(
            f"--junit {path}: {blocker} is a file, not a folder; choose a path you can write to"
        )
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise JunitPathError(
            f"--junit {path}: cannot create the folder {parent}: {err.strerror or err}; "
            "choose a path you can write to"
        ) from None
    if not os.access(parent, os.W_OK | os.X_OK):
        raise JunitPathError(
            f"--junit {path}: cannot write to {parent}; choose a path you can write to"
        )


# -- JUnit -----------------------------------------------------------------------------


def _suites(check: RunbookCheck) -> list[ET.Element]:
    """A suite per drill of the runbook, or a lint suite when no scenario drills it."""
    if check.reports:
        return [drill_suite(report, name=f"drills: {report.scenario.name} ({check.file})",
                            properties=[("runbook", check.file)])
                for report in check.reports]
    return [lint_suite(
        f"drills lint: {check.file}", check.lint, where=check.file,
        summary=f"{_plural(len(check.lint), 'finding')}; no scenario drills '{check.automation}'",
        properties=[("runbook", check.file), ("automation", check.automation),
                    ("scenario", "none fits; lint only")])]


def junit_document(checks: Sequence[RunbookCheck]) -> str:
    """One ``<testsuites>`` with a suite per drill (or a lint suite per undrilled runbook)."""
    return render_document([suite for check in checks for suite in _suites(check)],
                           name="drills check")


def _write_junit(path: Path, text: str) -> None:
    from drills.files import write_text_atomic

    try:
        write_text_atomic(path, text)
    except OSError as err:
        raise JunitPathError(
            f"--junit {path}: cannot write: {err.strerror or err}; choose a path you can write to"
        ) from None


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
    if not critical and not under:
        scores = ", ".join(f"score {r.score.total}/100 in {r.scenario.name}"
                           for r in check.reports)
        return f"{check.file}: passed" + (f" ({scores})" if scores else " (lint only)")
    why: list[str] = []
    if critical:
        why.append(f"{len(critical)} critical finding{'s' if len(critical) != 1 else ''}")
    why += [f"score {r.score.total} under --fail-under {fail_under} in {r.scenario.name}"
            for r in under]
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
@click.option("--junit", "junit_path", type=click.Path(path_type=Path), default=None,
              metavar="FILE", help="Write JUnit XML for every runbook and drill to FILE.")
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
    Exit codes: 0 passed, 1 a runbook failed the check, 2 bad input or usage.
    """
    checks = _plan(_read_runbooks(runbooks), scenario_names)
    if junit_path is not None:
        _check_junit(junit_path)
    where = parse_backend(backend)
    where.check(keep=keep)

    from drills.api import run_drill  # the engine stack only once the inputs are sound

    kept: list[str] = []
    for check in checks:
        lr = check.loaded
        check.lint = lint_runbook(lr.runbook, source=lr.file, positions=lr.positions)
        for scenario in check.scenarios:
            database = where.open(keep=keep)  # each drill in a database (schema) of its own
            try:
                check.reports.append(run_drill(
                    scenario, lr.runbook, costs=not no_costs, runbook_path=lr.file,
                    backend=database))
            finally:
                database.dispose()
            line = kept_line(database)
            if line is not None:
                kept.append(f"{line} ({scenario.name}, {check.file})")

    failed = 0
    for check in checks:
        for _, _, text in _lines(check, quiet):
            say(text)
        if not check.scenarios and not quiet:
            say(f"{check.file}: no built-in scenario drills '{check.automation}'; "
                "the lint alone decides (name one with --scenario)")
        if not quiet:
            for report in check.reports:
                say(f"{check.file}: drill {report.scenario.name}: {report.headline()}")
        is_failed = check.failed(fail_under)
        failed += is_failed
        if is_failed or not quiet:
            say(_verdict(check, fail_under))
    if junit_path is not None:
        _write_junit(junit_path, junit_document(checks))
        if not quiet:
            say(f"wrote {junit_path}")
    for line in kept:
        say(line)
    passed = len(checks) - failed
    say(f"{_plural(len(checks), 'runbook')} checked: {passed} passed, {failed} failed")
    sys.exit(EXIT_FAILED if failed else EXIT_OK)
