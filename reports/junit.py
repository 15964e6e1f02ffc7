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
report. The XML is built with :mod:`xml.etree.ElementTree` (never by hand), and
characters XML 1.0 cannot carry are dropped from text first.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from drills.reports._present import cost_text
from drills.reports.findings import Check, Finding, Severity
from drills.reports.model import DrillReport

__all__ = ["FAILING", "render_junit"]

FAILING: frozenset[Severity] = frozenset({Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM})
"""Severities reported as JUnit failures; the others pass with their text in system-out."""

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


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


def render_junit(report: DrillReport) -> str:
    """The JUnit XML document, with an XML declaration and a final newline."""
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
        case = ET.Element("testcase", {
            "classname": _classname(report, finding.check), "name": finding.code, "time": "0",
        })
        if finding.severity in FAILING:
            failures += 1
            _sub(case, "failure", _finding_text(finding), message=finding.message,
                 type=finding.severity.value)
        else:
            _sub(case, "system-out", _finding_text(finding))
        cases.append(case)

    counts = {"tests": str(len(cases)), "failures": str(failures), "errors": "0",
              "skipped": "0", "time": f"{report.wall_seconds:.3f}"}
    root = ET.Element("testsuites", {"name": "drills", **counts})
    suite = _sub(root, "testsuite", name=f"drills: {report.scenario.name}", **counts,
                 timestamp=report.started.isoformat(), hostname="drills")
    properties = _sub(suite, "properties")
    for name, value in (
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
    ):
        _sub(properties, "property", name=name, value=value)
    suite.extend(cases)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
