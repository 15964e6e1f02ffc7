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
report. ``drills check`` builds its one document for many runbooks from the same
pieces: :func:`drill_suite` per drill (named for its runbook), :func:`lint_suite` for a
runbook no scenario drills, and :func:`junit_document` around them. The XML is built with
:mod:`xml.etree.ElementTree` (never by hand), and characters XML 1.0 cannot carry are
dropped from text first.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence

from drills.reports.findings import Check, Finding, Severity, cost_text
from drills.reports.model import DrillReport

__all__ = ["FAILING", "drill_suite", "junit_document", "lint_suite", "render_junit"]

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


def drill_suite(
    report: DrillReport,
    *,
    name: str | None = None,
    properties: Iterable[tuple[str, str]] = (),
) -> ET.Element:
    """The ``<testsuite>`` of one drill report; ``name`` replaces ``drills: <scenario>`` and
    ``properties`` follow the report's own."""
    cases: list[ET.Element] = []
    scored = {item.check: item for item in report.score.items}
    for check in Check:
        case = ET.Element("testcase", {"classname": _classname(report, check), "name": "score",
                                       "time": "0"})
        item = scored.get(check)
        if item is None:
            out = f"{check.value}: not scored in this drill"
        else:
            lost = f"; lost to: {', '.join(item.lost_to)}" if item.lost_to else ""
            out = f"{check.value}: {item.points:g}/{item.max_points:g} points{lost}"
        _sub(case, "system-out", out)
        cases.append(case)
    failures = 0
    for finding in report.findings:
        case, failed = _finding_case(finding, _classname(report, finding.check),
                                     _finding_text(finding))
        failures += failed
        cases.append(case)
    counts = {"tests": str(len(cases)), "failures": str(failures), "errors": "0",
              "skipped": "0", "time": f"{report.wall_seconds:.3f}"}
    suite = ET.Element("testsuite", {
        "name": _clean(name if name is not None else f"drills: {report.scenario.name}"),
        **counts, "timestamp": report.started.isoformat(), "hostname": "drills"})
    props = _sub(suite, "properties")
    for key, value in (
        ("scenario", report.scenario.name),
        ("automation", report.automation),
        ("seed", str(report.seed)),
        ("score", str(report.score.total)),
        ("drill_id", report.drill_id),
        ("responder", report.responder),
        ("status", report.status),
        ("tool_version", report.tool_version),
        ("schema_version", report.schema_version),
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
) -> ET.Element:
    """A suite for runbook lint findings alone: a passing ``lint`` case saying ``summary``,
    then one case per finding, mapped as in a drill suite; ``where`` stands in for a
    finding that points nowhere."""
    suite = ET.Element("testsuite", {"name": _clean(name), "hostname": "drills"})
    props = _sub(suite, "properties")
    for key, value in properties:
        _sub(props, "property", name=key, value=value)
    head = ET.SubElement(suite, "testcase", {"classname": "drills.lint", "name": "lint",
                                             "time": "0"})
    _sub(head, "system-out", summary)
    failures = 0
    for finding in findings:
        text = "\n".join([finding.message, f"fix: {finding.fix}",
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


def junit_document(suites: Sequence[ET.Element], *, name: str = "drills") -> str:
    """One ``<testsuites>`` around ``suites``, with their counts and time added up; an XML
    declaration and a final newline."""
    tests = failures = 0
    seconds = 0.0
    for suite in suites:
        tests += int(suite.get("tests", "0"))
        failures += int(suite.get("failures", "0"))
        seconds += float(suite.get("time", "0"))
    root = ET.Element("testsuites", {
        "name": name, "tests": str(tests), "failures": str(failures), "errors": "0",
        "skipped": "0", "time": f"{seconds:.3f}"})
    root.extend(suites)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def render_junit(report: DrillReport) -> str:
    """The JUnit XML document of one drill report, with an XML declaration and a final
    newline."""
    return junit_document([drill_suite(report)])
