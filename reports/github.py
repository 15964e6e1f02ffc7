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

from drills.reports.checkresult import CheckResult, LocatedFinding
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
    message = f"{f.severity.value}: {f.message} (fix: {f.fix}){drill}"
    return f"::{LEVELS[f.severity]} {props}::{escape_data(message)}"


def render_github(result: CheckResult) -> str:
    """One workflow command per finding (the verdicts print as on the console)."""
    return "".join(_command(item) + "\n" for item in result.findings)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def step_summary(result: CheckResult) -> str:
    """The Markdown job summary: a table of runbooks, then one of findings."""
    verdict = "passed" if result.passed else "failed"
    out = [f"## drills check: {verdict}", "",
           "| Runbook | Scores | Verdict | Findings |", "| --- | --- | --- | --- |"]
    for r in result.runbooks:
        scores = ", ".join(f"{s}/100 in {name}" for name, s in r.scores) or "lint only"
        out.append(f"| `{_cell(r.file)}` | {_cell(scores)} | "
                   f"{'passed' if r.passed else '**failed**'} | {len(r.findings)} |")
    if result.findings:
        out += ["", "| Severity | Code | Where | Message |", "| --- | --- | --- | --- |"]
        for item in sorted(result.findings, key=lambda i: (i.finding.severity.rank, i.file,
                                                           i.line)):
            f = item.finding
            out.append(f"| {f.severity.value} | `{f.code}` | `{_cell(item.file)}:{item.line}` "
                       f"| {_cell(f.message)} |")
    return "\n".join(out) + "\n\n"
