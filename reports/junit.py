"""The drill report as JUnit XML, so CI shows runbook gaps where it shows failing tests.

Every CI system reads JUnit XML, so a runbook check before launch needs no plugin to
block a merge. The mapping, chosen so that counts mean something on a CI dashboard:

* one ``<testsuite name="drills: <scenario>">`` inside ``<testsuites>``, with the
  seed, score, scenario, automation and drill id as ``<properties>``;
* one test case per rubric check (every :class:`~drills.reports.findings.Check`, scored or
  not), named ``score`` under the classname ``drills.<scenario>.<check>``; it always
  passes and says its points in ``<system-out>``: the points are the score, the
  findings below are what failed;
* one test case per finding, named by its stable code under its check's classname.
  Critical, high and medium findings are ``<failure type="<severity>">`` with the
  message as the failure message and the fix, location and cost in the body.
  Low and info findings are **passed** test cases with the same text in
  ``<system-out>``: they are advice, and a "skipped" count would tell CI readers that
  something did not run, which is not true.

There are never ``errors`` or ``skipped`` cases: a drill that crashed produces no
report. The document keeps to what the Jenkins xunit plugin's ``junit-10.xsd`` and the
Ant JUnit schema allow (``tests/data/junit``): properties only at suite level, no
``skipped`` count on ``<testsuites>``, no ``file``/``line`` on a test case (neither
schema has them: a finding's ``FILE:LINE`` opens its failure text instead, and the
runbook is the suite's ``file``), ``timestamp`` the real UTC wall-clock time the drill
ran, ISO 8601 without an offset, and ``time`` real seconds, never the drill's clock.
``drills check`` builds its one document for many runbooks from the same
pieces: :func:`drill_suite` per drill (named for its runbook), :func:`lint_suite` for a
runbook no scenario drills, and :func:`junit_document` around them. The XML is built with
:mod:`xml.etree.ElementTree` (never by hand), and characters XML 1.0 cannot carry are
dropped from text first.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime

from drills.reports.findings import Check, Finding, Severity, cost_text
from drills.reports.model import DrillReport
from drills.reports.scoretext import harm_rows, score_title, summary_lines

__all__ = [
    "FAILING", "drill_suite", "gate_suite", "junit_document", "lint_suite", "render_junit",
    "score_cases", "score_properties", "timestamp",
]

FAILING: frozenset[Severity] = frozenset({Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM})
"""Severities reported as JUnit failures; the others pass with their text in system-out."""

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
"""Characters XML 1.0 cannot carry; a runbook's quoted YAML may hold them (owner: "A\\x01")."""


def _clean(text: str) -> str:
    return _NOT_XML.sub("", text)


def _classname(report: DrillReport, check: Check) -> str:
    return f"drills.{report.scenario.name}.{check.value}"


def _finding_text(finding: Finding) -> str:
    lines = [finding.message, f"fix: {finding.fix}", f"cost: {cost_text(finding.cost)}"]
    if finding.where:
        lines.append(f"where: {finding.where}")
    lines.append(f"severity: {finding.severity.value}; check: {finding.check.value}")
    return "\n".join(lines)


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, {k: _clean(v) for k, v in attrs.items()})
    if text is not None:
        element.text = _clean(text)
    return element


def timestamp(when: datetime) -> str:
    """``2024-05-01T09:30:00``: UTC, to the second, no offset (JUnit's ``timestamp`` form)."""
    if when.tzinfo is not None:
        when = when.astimezone(UTC).replace(tzinfo=None)
    return when.isoformat(timespec="seconds")


def _finding_case(finding: Finding, classname: str, text: str) -> tuple[ET.Element, bool]:
    """One finding's test case, and whether it is a failure (see :data:`FAILING`)."""
    case = ET.Element("testcase", {"classname": _clean(classname), "name": finding.code,
                                   "time": "0"})
    failed = finding.severity in FAILING
    if failed:
        _sub(case, "failure", text, message=finding.message, type=finding.severity.value)
    else:
        _sub(case, "system-out", text)
    return case, failed


def score_cases(report: DrillReport) -> tuple[list[ET.Element], int]:
    """The score's test cases and how many fail: one ``score`` case (the harm side by side
    and the verdict), then one failing case per gate (docs/scoring.md). A report from
    before the harm-based score keeps its per-check cases."""
    score = report.score
    cases: list[ET.Element] = []
    if score.items and not score.harm:
        for item in score.items:
            case = ET.Element("testcase", {"classname": _classname(report, item.check),
                                           "name": "score", "time": "0"})
            lost = f"; lost to: {', '.join(item.lost_to)}" if item.lost_to else ""
            _sub(case, "system-out",
                 f"{item.check.value}: {item.points:g}/{item.max_points:g} points{lost}")
            cases.append(case)
        return cases, 0
    case = ET.Element("testcase", {"classname": f"drills.{report.scenario.name}.score",
                                   "name": "score", "time": "0"})
    rows = [f"{label}: this drill {run}, do nothing {nothing}, perfect {perfect}"
            for label, _w, run, nothing, perfect in harm_rows(score)]
    _sub(case, "system-out", "\n".join([score_title(report), *rows, *summary_lines(score)]))
    cases.append(case)
    for gate in score.gates:
        case = ET.Element("testcase", {"classname": f"drills.{report.scenario.name}.gates",
                                       "name": gate.code.value, "time": "0"})
        _sub(case, "failure", f"{gate.message}\nno score can make this drill ready",
             message=gate.message, type="gate")
        cases.append(case)
    return cases, len(score.gates)


def score_properties(report: DrillReport) -> list[tuple[str, str]]:
    """The score's properties: status, verdict, and each harm unit as run/nothing/perfect."""
    score = report.score
    out: list[tuple[str, str]] = [("score_status", score.status)]
    if score.verdict is not None:
        out.append(("verdict", "ready" if score.verdict.ready else "not ready"))
        out.append(("ready_at", str(score.verdict.threshold)))
    if score.gates:
        out.append(("gates", ",".join(g.code.value for g in score.gates)))
    for line in score.harm:
        if line.run or line.nothing or line.perfect:
            key = f"harm.{line.unit.value}" + (f".{line.system}" if line.system else "")
            out.append((key, _triple(line.run, line.nothing, line.perfect)))
    if score.run_points is not None:
        out.append(("harm_points", _triple(score.run_points, score.nothing_points,
                                           score.perfect_points)))
    return out


def _triple(*values: float | None) -> str:
    """``134/720/166``: this drill, doing nothing, perfect; plain numbers for machines."""
    return "/".join("-" if v is None else f"{round(v, 2):g}" for v in values)


def drill_suite(
    report: DrillReport,
    *,
    name: str | None = None,
    properties: Iterable[tuple[str, str]] = (),
    seconds: float | None = None,
    locate: Callable[[Finding], str] | None = None,
    file: str | None = None,
) -> ET.Element:
    """The ``<testsuite>`` of one drill report; ``name`` replaces ``drills: <scenario>`` and
    ``properties`` follow the report's own. ``seconds`` is the real time the drill took
    with its gap-cost reruns (default: the report's ``wall_seconds``); ``locate`` gives a
    finding's ``FILE:LINE``, which opens its text; ``file`` is the runbook's path."""
    cases, failures = score_cases(report)
    for finding in report.findings:
        text = _finding_text(finding)
        if locate is not None:
            text = f"{locate(finding)}\n{text}"
        case, failed = _finding_case(finding, _classname(report, finding.check), text)
        failures += failed
        cases.append(case)
    spent = report.wall_seconds if seconds is None else seconds
    counts = {"tests": str(len(cases)), "failures": str(failures), "errors": "0",
              "skipped": "0", "time": f"{spent:.3f}"}
    suite = ET.Element("testsuite", {
        "name": _clean(name if name is not None else f"drills: {report.scenario.name}"),
        **counts, "hostname": "drills"})
    if report.ran_at is not None:
        suite.set("timestamp", timestamp(report.ran_at))
    if file is not None:
        suite.set("file", _clean(file))
    props = _sub(suite, "properties")
    for key, value in (
        ("scenario", report.scenario.name),
        ("automation", report.automation),
        ("seed", str(report.seed)),
        ("score", "" if report.score.total is None else str(report.score.total)),
        *score_properties(report),
        ("drill_id", report.drill_id),
        ("responder", report.responder),
        ("status", report.status),
        ("tool_version", report.tool_version),
        ("schema_version", report.schema_version),
        ("backend", report.backend),
        ("headline", report.headline()),
        *properties,
    ):
        _sub(props, "property", name=key, value=value)
    suite.extend(cases)
    return suite


def lint_suite(
    name: str,
    findings: Sequence[Finding],
    *,
    summary: str,
    where: str,
    properties: Iterable[tuple[str, str]] = (),
    locate: Callable[[Finding], str] | None = None,
    started: datetime | None = None,
) -> ET.Element:
    """A suite for runbook lint findings alone: a passing ``lint`` case saying ``summary``,
    then one case per finding, mapped as in a drill suite; ``where`` stands in for a
    finding that points nowhere, and is the suite's ``file``; ``locate`` gives a
    finding's ``FILE:LINE``; ``started`` is when the lint ran."""
    suite = ET.Element("testsuite", {"name": _clean(name), "hostname": "drills",
                                     "file": _clean(where)})
    if started is not None:
        suite.set("timestamp", timestamp(started))
    props = _sub(suite, "properties")
    for key, value in properties:
        _sub(props, "property", name=key, value=value)
    head = ET.SubElement(suite, "testcase", {"classname": "drills.lint", "name": "lint",
                                             "time": "0"})
    _sub(head, "system-out", summary)
    failures = 0
    for finding in findings:
        head_lines = [locate(finding)] if locate is not None else []
        text = "\n".join([*head_lines, finding.message, f"fix: {finding.fix}",
                          f"where: {finding.where or where}",
                          f"severity: {finding.severity.value}; check: {finding.check.value}"])
        case, failed = _finding_case(finding, f"drills.lint.{finding.check.value}", text)
        failures += failed
        suite.append(case)
    suite.set("tests", str(len(findings) + 1))
    suite.set("failures", str(failures))
    suite.set("errors", "0")
    suite.set("skipped", "0")
    suite.set("time", "0.000")
    return suite


def gate_suite(
    gates: Sequence[tuple[str, str | None]], *, properties: Iterable[tuple[str, str]] = (),
) -> ET.Element:
    """A suite with one case per gate of the job (``(name, why it failed or None)``): a
    gate that failed the job (a critical finding, a score under ``--fail-under``) is a
    failed case saying so, so the CI dashboard shows why the job failed."""
    suite = ET.Element("testsuite", {"name": "drills check: gates", "hostname": "drills"})
    props = _sub(suite, "properties")
    for key, value in properties:
        _sub(props, "property", name=key, value=value)
    failures = 0
    for gate, why in gates:
        case = ET.SubElement(suite, "testcase", {"classname": "drills.gate",
                                                 "name": _clean(gate), "time": "0"})
        if why is not None:
            _sub(case, "failure", why, message=why, type="gate")
            failures += 1
    suite.set("tests", str(len(gates)))
    suite.set("failures", str(failures))
    suite.set("errors", "0")
    suite.set("skipped", "0")
    suite.set("time", "0.000")
    return suite


def junit_document(
    suites: Sequence[ET.Element], *, name: str = "drills", seconds: float | None = None,
) -> str:
    """One ``<testsuites>`` around ``suites``, with their counts and time added up (or
    ``seconds``, the whole run's real time); an XML declaration and a final newline."""
    tests = failures = 0
    total = 0.0
    for suite in suites:
        tests += int(suite.get("tests", "0"))
        failures += int(suite.get("failures", "0"))
        total += float(suite.get("time", "0"))
    root = ET.Element("testsuites", {
        "name": name, "tests": str(tests), "failures": str(failures), "errors": "0",
        "time": f"{total if seconds is None else seconds:.3f}"})
    root.extend(suites)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def render_junit(report: DrillReport) -> str:
    """The JUnit XML document of one drill report, with an XML declaration and a final
    newline."""
    return junit_document([drill_suite(report)])
