"""The drill report as JUnit XML, so CI shows runbook gaps where it shows failing tests.

Every CI system reads JUnit XML, so a runbook check before launch needs no plugin to
block a merge. JUnit XML has no standard; CI systems read what the Ant JUnit task
wrote, and two schemas say what that is: the Jenkins xunit plugin's ``junit-10.xsd``
and the Ant JUnit schema (both in ``tests/data/junit``). Every document here keeps to
what *both* allow:

* ``<testsuites>`` carries no attributes (the Ant schema allows none; readers count
  from the suites); each ``<testsuite>`` has ``package``, ``id``, ``name``,
  ``timestamp`` (the real UTC time the drill ran, ISO 8601 without an offset),
  ``hostname``, ``tests``, ``failures``, ``errors``, ``skipped`` and ``time`` (real
  seconds, gap-cost reruns included, never the drill's clock), then ``<properties>``,
  its cases, ``<system-out>`` and ``<system-err>``, in that order;
* a ``<testcase>`` has only ``name``, ``classname`` and ``time``, and at most one
  ``<failure>`` (with its ``type``): no ``file``/``line`` attribute and no output inside
  a case, so text that is not a failure goes to the suite's ``<system-out>``.

The mapping of one drill, chosen so that counts mean something on a CI dashboard:

* one ``<testsuite name="drills: <scenario>">`` with the seed, score, scenario,
  automation, drill id and backend as ``<properties>``;
* one passing test case per rubric check (every
  :class:`~drills.reports.findings.Check`, scored or not), named ``score`` under the
  classname ``drills.<scenario>.<check>``; its points are a line of the suite's output;
* one test case per finding, named by its stable code under its check's classname.
  Critical, high and medium findings are ``<failure type="<severity>">`` with the
  message as the failure message and the fix, location and cost in the body (a
  finding's ``FILE:LINE`` first, when known, the form annotation tools match). Low and
  info findings are **passed** test cases, their text in the suite's output: they are
  advice, and a "skipped" count would tell CI readers that something did not run.

There are never ``errors`` or ``skipped`` cases: a drill that crashed produces no
report. The XML is built with :mod:`xml.etree.ElementTree` (never by hand), and
characters XML 1.0 cannot carry are dropped from text first. ``drills check`` builds
its document of many runbooks from the same :class:`Suite`
(:mod:`drills.reports.checkjunit`).
"""

from __future__ import annotations

import re
import socket
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime

from drills.reports.findings import Check, Finding, Severity, cost_text
from drills.reports.model import DrillReport
from drills.reports.scoretext import harm_rows, score_title, summary_lines

__all__ = [
    "FAILING", "Suite", "drill_suite", "junit_document", "render_junit", "score_properties",
    "timestamp",
]

FAILING: frozenset[Severity] = frozenset({Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM})
"""Severities reported as JUnit failures; the others pass with their text in system-out."""

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
"""Characters XML 1.0 cannot carry; a runbook's quoted YAML may hold them (owner: "A\\x01")."""


def _clean(text: str) -> str:
    return _NOT_XML.sub("", text)


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


def _host() -> str:
    return socket.gethostname() or "localhost"


class Suite:
    """A ``<testsuite>`` being built in the order both schemas require: properties, cases
    (each passing, or with one failure), then the suite's output, counts filled in last."""

    def __init__(self, name: str, when: datetime, seconds: float,
                 properties: Iterable[tuple[str, str]] = ()) -> None:
        self.element = ET.Element("testsuite", {
            "package": "drills", "id": "0", "name": _clean(name),
            "timestamp": timestamp(when), "hostname": _clean(_host())})
        self.seconds = seconds
        props = _sub(self.element, "properties")
        for key, value in properties:
            _sub(props, "property", name=key, value=value)
        self.tests = 0
        self.failures = 0
        self.out: list[str] = []
        """Lines of the suite's ``<system-out>``: what passing cases have to say."""

    def case(self, classname: str, name: str,
             failure: tuple[str, str, str] | None = None) -> None:
        """A case, passing, or failed with ``failure`` = (message, type, body)."""
        case = _sub(self.element, "testcase", classname=classname, name=name, time="0")
        self.tests += 1
        if failure is not None:
            message, kind, body = failure
            _sub(case, "failure", body, message=message, type=kind)
            self.failures += 1

    def done(self) -> ET.Element:
        for key, value in (("tests", str(self.tests)), ("failures", str(self.failures)),
                           ("errors", "0"), ("skipped", "0"),
                           ("time", f"{self.seconds:.3f}")):
            self.element.set(key, value)
        _sub(self.element, "system-out", "\n".join(self.out) + ("\n" if self.out else ""))
        _sub(self.element, "system-err", "")
        return self.element


def _classname(report: DrillReport, check: Check) -> str:
    return f"drills.{report.scenario.name}.{check.value}"


def _finding_text(finding: Finding) -> str:
    lines = [finding.message, f"fix: {finding.fix}", f"cost: {cost_text(finding.cost)}"]
    if finding.where:
        lines.append(f"where: {finding.where}")
    lines.append(f"severity: {finding.severity.value}; check: {finding.check.value}")
    return "\n".join(lines)


def _score_cases(suite: Suite, report: DrillReport) -> None:
    """The score's cases: one ``score`` case (the harm side by side and the verdict in the
    suite's output), then one failing case per gate (docs/scoring.md). A report from
    before the harm-based score keeps its passing case per rubric check."""
    score = report.score
    if score.items and not score.harm:
        for item in score.items:
            suite.case(_classname(report, item.check), "score")
            lost = f"; lost to: {', '.join(item.lost_to)}" if item.lost_to else ""
            suite.out.append(f"{item.check.value}: {item.points:g}/{item.max_points:g} "
                             f"points{lost}")
        return
    suite.case(f"drills.{report.scenario.name}.score", "score")
    suite.out += [score_title(report),
                  *(f"{label}: this drill {run}, do nothing {nothing}, perfect {perfect}"
                    for label, _w, run, nothing, perfect in harm_rows(score)),
                  *summary_lines(score)]
    for gate in score.gates:
        suite.case(f"drills.{report.scenario.name}.gates", gate.code.value,
                   (gate.message, "gate", f"{gate.message}\nno score can make this drill ready"))


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
) -> ET.Element:
    """The ``<testsuite>`` of one drill report; ``name`` replaces ``drills: <scenario>`` and
    ``properties`` follow the report's own. ``seconds`` is the real time the drill took
    with its gap-cost reruns (default: the report's ``wall_seconds``); ``locate`` gives a
    finding's ``FILE:LINE``, which opens its failure message and text."""
    spent = report.wall_seconds if seconds is None else seconds
    when = report.ran_at or report.started
    suite = Suite(name if name is not None else f"drills: {report.scenario.name}", when,
                  spent, [
                      ("scenario", report.scenario.name),
                      ("automation", report.automation),
                      ("seed", str(report.seed)),
                      ("score", "" if report.score.total is None
                       else str(report.score.total)),
                      ("drill_id", report.drill_id),
                      ("responder", report.responder),
                      ("status", report.status),
                      ("tool_version", report.tool_version),
                      ("schema_version", report.schema_version),
                      ("backend", report.backend),
                      ("headline", report.headline()),
                      *score_properties(report),
                      *properties,
                  ])
    _score_cases(suite, report)
    for finding in report.findings:
        text = _finding_text(finding)
        where = f"{locate(finding)}: " if locate is not None else ""
        if finding.severity in FAILING:
            suite.case(_classname(report, finding.check), finding.code,
                       (where + finding.message, finding.severity.value,
                        f"{where}{finding.code} {finding.severity.value}\n{text}"))
        else:
            suite.case(_classname(report, finding.check), finding.code)
            suite.out.append(f"{where}{finding.code} {finding.severity.value}: "
                             + text.replace("\n", "; "))
    return suite.done()


def junit_document(suites: Sequence[ET.Element]) -> str:
    """One attribute-less ``<testsuites>`` around ``suites`` (numbered by their ``id``), with
    an XML declaration and a final newline."""
    root = ET.Element("testsuites")
    for index, suite in enumerate(suites):
        suite.set("id", str(index))
        root.append(suite)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def render_junit(report: DrillReport) -> str:
    """The JUnit XML document of one drill report, with an XML declaration and a final
    newline."""
    return junit_document([drill_suite(report)])
