"""``drills check --format github``: GitHub Actions annotations and a job summary.

Each finding is one workflow command (``::error file=PATH,line=N,title=CODE::message``)
that the runner turns into an annotation on the pull request's diff, with no upload
step and no token. Critical and high findings are errors, medium warnings, low and
info notices. Escaping follows the runner's toolkit (``actions/toolkit`` command.ts):
in the message ``%``, CR and LF become ``%25``, ``%0D``, ``%0A``; in a property ``:``
and ``,`` also become ``%3A`` and ``%2C``, or they would end the property early.

When ``$GITHUB_STEP_SUMMARY`` names a file, a Markdown table of runbooks, scores,
verdicts and findings is appended to it, for the run's summary page.
"""

from __future__ import annotations

from drills.reports.checkresult import CheckResult, Gate, LocatedFinding
from drills.reports.findings import Severity
from drills.reports.sarif import uri_of

__all__ = ["LEVELS", "escape_data", "escape_property", "render_github", "step_summary"]

LEVELS: dict[Severity, str] = {
    Severity.CRITICAL: "error", Severity.HIGH: "error", Severity.MEDIUM: "warning",
    Severity.LOW: "notice", Severity.INFO: "notice",
}
"""The workflow command for each severity."""


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _command(item: LocatedFinding) -> str:
    f = item.finding
    props = ",".join(f"{k}={escape_property(v)}" for k, v in (
        ("file", uri_of(item.file)), ("line", str(item.line)), ("title", f.code)))
    drill = f" [drill {item.scenario}]" if item.scenario else ""
    accepted = f" [accepted: {item.accepted}]" if item.accepted else ""
    message = f"{f.severity.value}: {f.message} (fix: {f.fix}){drill}{accepted}"
    level = "notice" if item.accepted else LEVELS[f.severity]
    return f"::{level} {props}::{escape_data(message)}"


def _gate(gate: Gate, file: str | None) -> str:
    where = f"file={escape_property(uri_of(file))},line=1," if file else ""
    return f"::error {where}title=drills gate::{escape_data(gate.why or gate.name)}"


def render_github(result: CheckResult) -> str:
    """One workflow command per finding, then one error per gate that failed the job (a
    score under --fail-under, a runbook not drilled, an expired acceptance), so the
    reason the job is red is on the run page too."""
    lines = [_command(item) for item in result.findings]
    lines += [_gate(g, r.file) for r in result.runbooks for g in r.gates
              if not g.passed and not g.name.startswith("fail-on")]
    lines += [_gate(g, None) for g in result.job_gates if not g.passed]
    return "".join(line + "\n" for line in lines)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def step_summary(result: CheckResult) -> str:
    """The Markdown job summary: a table of runbooks, then one of findings."""
    verdict = "passed" if result.passed else "failed"
    out = [f"## drills check: {verdict}", "",
           "| Runbook | Scores | Verdict | Findings |", "| --- | --- | --- | --- |"]
    for r in result.runbooks:
        scores = ", ".join(f"{s}/100 in {name}" for name, s in r.scores) or "lint only"
        scores = scores if r.drills else "not drilled (lint only)"
        out.append(f"| `{_cell(r.file)}` | {_cell(scores)} | "
                   f"{'passed' if r.passed else '**failed**'} | {len(r.findings)} |")
    if result.findings:
        out += ["", "| Severity | Code | Where | Message |", "| --- | --- | --- | --- |"]
        for item in sorted(result.findings, key=lambda i: (i.finding.severity.rank, i.file,
                                                           i.line)):
            f = item.finding
            note = f" (accepted: {item.accepted})" if item.accepted else ""
            out.append(f"| {f.severity.value} | `{f.code}` | `{_cell(item.file)}:{item.line}` "
                       f"| {_cell(f.message + note)} |")
    failed = [g for g in result.gates if not g.passed]
    if failed:
        out += ["", "Gates that failed the job:", ""]
        out += [f"- {_cell(g.why or g.name)}" for g in failed]
    return "\n".join(out) + "\n\n"
