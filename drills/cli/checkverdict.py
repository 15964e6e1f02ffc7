"""The verdict of ``drills check``: each finding at its runbook line, and the gates.

Every output of a check, and a merge of a CI matrix's shards, reach their verdict
here: :func:`assemble` turns a runbook's lint and drills into the findings a reader is
shown (once each, after ``select`` and ``ignore``, accepted ones marked) and the gates
the runbook is held to; :func:`_gates` is the one place a gate is decided.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime
from types import MappingProxyType

from drills.files import KeyPath
from drills.findings import FINDINGS, section
from drills.reports.checkresult import (
    Acceptance,
    CheckPoints,
    DrillResult,
    Gate,
    LocatedFinding,
    Policy,
    RunbookResult,
)
from drills.reports.findings import Finding, Severity, cost_text
from drills.reports.model import DrillReport
from drills.runbook import LoadedRunbook

__all__ = [
    "DRILL_CODE_PATHS",
    "assemble",
    "drill_result",
    "finding_line",
    "job_gates",
    "locate_lint",
    "plural",
    "report_gates",
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



# -- locating findings -----------------------------------------------------------------


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


def _dotted(path: KeyPath | None) -> str:
    return ".".join(map(str, path)) if path else ""


def locate_lint(loaded: LoadedRunbook, finding: Finding) -> LocatedFinding:
    path = _lint_path(finding)
    return LocatedFinding(finding, loaded.file, _line(loaded, path), _dotted(path))


def _locate_drill(loaded: LoadedRunbook, finding: Finding, scenario: str,
                  lint: set[tuple[str, str]]) -> LocatedFinding:
    if (finding.code, finding.message) in lint:  # the drill's copy of a lint finding
        return replace(locate_lint(loaded, finding), scenario=scenario)
    where = DRILL_CODE_PATHS.get(finding.code)
    key = _dotted(where) + (f" ({finding.where})" if finding.where else "")
    return LocatedFinding(finding, loaded.file, _line(loaded, where), key, scenario=scenario)


def finding_line(item: LocatedFinding, costs: Sequence[tuple[str, Finding]] = ()) -> str:
    """``FILE:LINE: CODE severity message (fix: ...)``, with cost, drill and acceptance.

    ``costs`` pairs a scenario name with that drill's copy of the finding; a measured,
    non-zero cost is added to the fix.
    """
    finding = item.finding
    extra = ""
    measured = [(name, f.cost) for name, f in costs if f.cost is not None and not f.cost.is_zero]
    if len(measured) == 1 and len(costs) == 1:
        extra = f"; cost: {cost_text(measured[0][1])}"
    elif measured:
        extra = "".join(f"; cost in {name}: {cost_text(cost)}" for name, cost in measured)
    drill = f" [drill {item.scenario}]" if item.scenario is not None else ""
    accepted = f" [accepted: {item.accepted}]" if item.accepted is not None else ""
    return (f"{item.file}:{item.line}: {finding.code} {finding.severity.value} "
            f"{finding.message} (fix: {finding.fix}{extra}){drill}{accepted}")


def report_gates(report: DrillReport) -> tuple[str, ...]:
    """Why this drill fails the job whatever its score: the report's own gates.

    The one place a report's gate reasons enter the verdict (:func:`_gates`): never
    contained, records left wrong in a money or customer-message system, a restart with
    the fault live (docs/scoring.md) fail the job whatever the score or ``fail-under``.
    """
    return tuple(f"gate {g.code.value}" for g in report.score.gates)


def _score_points(report: DrillReport) -> tuple[CheckPoints, ...]:
    """The score as the JUnit's ``score`` cases show it: a report from before the harm
    score has a line per rubric check; a harm-scored one has one line, what it lost to."""
    score = report.score
    if score.items and not score.harm:
        return tuple(CheckPoints(i.check.value, i.points, i.max_points, tuple(i.lost_to))
                     for i in score.items)
    lost = [*(d.code for d in score.deductions), *(g.code.value for g in score.gates)]
    return (CheckPoints("score", float(score.value), 100.0, tuple(dict.fromkeys(lost))),)


def drill_result(loaded: LoadedRunbook, report: DrillReport, seconds: float,
                  lint: set[tuple[str, str]]) -> DrillResult:
    return DrillResult(
        scenario=report.scenario.name, score=report.score.value, seconds=seconds,
        started=report.ran_at, seed=report.seed, backend=report.backend,
        drill_id=report.drill_id, headline=report.headline(),
        checks=_score_points(report),
        findings=tuple(_locate_drill(loaded, f, report.scenario.name, lint)
                       for f in report.findings),
        gate_reasons=report_gates(report))


# -- the verdict -----------------------------------------------------------------------


def _accepted(item: LocatedFinding, accepts: Sequence[Acceptance], today: date) -> str | None:
    for a in accepts:
        if a.code == item.finding.code and (a.runbook is None or a.runbook == item.file) \
                and a.expires >= today:
            return a.reason
    return None


def _shown(lint: Sequence[LocatedFinding], drills: Sequence[DrillResult], policy: Policy,
           today: date) -> list[LocatedFinding]:
    """Lint and drill findings once each (a drill repeats the lint's), the lint's with the
    cost a drill measured, after select and ignore, accepted ones marked, in file order."""
    seen = {(f.finding.code, f.finding.message) for f in lint}
    out: list[LocatedFinding] = []
    for item in lint:
        measured = [c.finding.cost for d in drills for c in d.findings
                    if (c.finding.code, c.finding.message) == (item.finding.code,
                                                                item.finding.message)
                    and c.finding.cost is not None]
        if measured and item.finding.cost is None:
            item = replace(item, finding=item.finding.model_copy(update={"cost": measured[0]}))
        out.append(item)
    for d in drills:
        out += [f for f in d.findings if (f.finding.code, f.finding.message) not in seen]
    if policy.select:
        out = [f for f in out if f.finding.code in policy.select]
    out = [replace(f, accepted=_accepted(f, policy.accepts, today)) for f in out
           if f.finding.code not in policy.ignore]
    return sorted(out, key=lambda f: (f.line, f.finding.severity.rank))


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _gates(file: str, automation: str, drills: Sequence[DrillResult],
           shown: Sequence[LocatedFinding], policy: Policy) -> list[Gate]:
    """Every gate the runbook is held to, and why each failed: the one place the verdict
    is decided. A finding at or above ``fail-on`` (not accepted); each drill's score under
    ``fail-under``, and no drill at all when ``fail-under`` is set; each reason a drill's
    report gives for failing whatever the score."""
    out: list[Gate] = []
    if policy.fail_on != "never":
        floor = Severity(policy.fail_on).rank
        bad = [f for f in shown if f.accepted is None and f.finding.severity.rank <= floor]
        codes = ", ".join(dict.fromkeys(f.finding.code for f in bad))
        out.append(Gate(f"fail-on {policy.fail_on}: {file}",
                        f"{file}: {plural(len(bad), 'finding')} at or above "
                        f"{policy.fail_on} ({codes}) fail the check" if bad else None))
    if policy.fail_under is not None:
        n = policy.fail_under
        if not drills:
            out.append(Gate(
                f"fail-under {n}: {file}",
                f"{file}: not drilled (no scenario drills '{automation}'), and a score not "
                f"measured does not pass --fail-under {n}; name a scenario for it under "
                "[tool.drills.scenarios] or with --scenario"))
        out += [Gate(f"fail-under {n}: {file} in {d.scenario}",
                     f"{file}: score {d.score} under --fail-under {n} in {d.scenario}"
                     if d.score < n else None) for d in drills]
    for d in drills:
        out += [Gate(f"{reason}: {file} in {d.scenario}", f"{file}: {reason} in {d.scenario}")
                for reason in d.gate_reasons]
    return out


def _verdict(file: str, drills: Sequence[DrillResult], gates: Sequence[Gate]) -> str:
    failed = [g.why for g in gates if g.why is not None]
    if not failed:
        scores = ", ".join(f"score {d.score}/100 in {d.scenario}" for d in drills)
        return f"{file}: passed" + (f" ({scores})" if scores else
                                    " (lint only: not drilled, no score measured)")
    return f"{file}: failed: " + "; ".join(w.removeprefix(f"{file}: ") for w in failed)


def assemble(file: str, automation: str, lint: Sequence[LocatedFinding],
             drills: Sequence[DrillResult], policy: Policy, *, today: date,
             linted_at: datetime | None = None) -> RunbookResult:
    """One runbook's result from its lint and drills, under ``policy``: what a single run
    and a merge of shards both build, so they reach the same verdict."""
    ordered = sorted(drills, key=lambda d: d.scenario)
    shown = _shown(lint, ordered, policy, today)
    gates = _gates(file, automation, ordered, shown, policy)
    return RunbookResult(file=file, automation=automation, lint=tuple(lint),
                         drills=tuple(ordered), findings=tuple(shown), gates=tuple(gates),
                         verdict=_verdict(file, ordered, gates), linted_at=linted_at)


def job_gates(policy: Policy, today: date) -> list[Gate]:
    """Gates of the whole job: each acceptance past its expiry date fails it."""
    return [Gate(f"accept {a.code}" + (f" in {a.runbook}" if a.runbook else ""),
                 f"{a.where}: the acceptance of {a.code}"
                 + (f" in {a.runbook}" if a.runbook else "")
                 + f" expired on {a.expires.isoformat()} ({a.reason}); fix the finding, or "
                 "give the acceptance a later 'expires'")
            for a in policy.accepts if a.expires < today]
