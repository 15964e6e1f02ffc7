"""``drills check --format junit``: the whole check as JUnit XML that both schemas accept.

JUnit XML has no standard; CI systems read what the Ant JUnit task wrote. Two schemas
say what that is: the Jenkins xunit plugin's ``junit-10.xsd`` and the Ant JUnit schema
(``JUnit.xsd``, Windy Road), both in ``tests/data/junit``, and the document keeps to
what *both* allow, since a file one reader refuses is a red job for a reason nobody
can act on:

* ``<testsuites>`` carries no attributes (the Ant schema allows none); each
  ``<testsuite>`` has ``package``, ``id``, ``name``, ``timestamp`` (real UTC time, ISO
  8601 without an offset), ``hostname``, ``tests``, ``failures``, ``errors``,
  ``skipped`` and ``time`` (real seconds, gap-cost reruns included), then
  ``<properties>``, its cases, ``<system-out>`` and ``<system-err>``, in that order;
* a ``<testcase>`` has only ``name``, ``classname`` and ``time``, and at most one
  ``<failure>`` (with its ``type``) inside: no ``file`` or ``line`` attribute, no
  properties, no output. So a finding's place goes where both allow text: its
  failure ``message`` and body start with ``FILE:LINE:``, the form compilers print
  and annotation tools match (``path:line:``);
* suites: a lint suite per runbook (its lint findings, and whether it was drilled),
  a suite per drill (its rubric points as passing ``score`` cases, its own findings),
  and a last suite of the gates, one case per gate, a gate that failed the job being a
  failed case; the backend, the drills version and the check's real wall time are its
  properties.

Critical, high and medium findings are failures unless accepted; low, info and
accepted ones pass, their text in the suite's ``<system-out>``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from datetime import datetime

from drills.reports.checkresult import CheckResult, DrillResult, LocatedFinding, RunbookResult
from drills.reports.findings import cost_text
from drills.reports.junit import FAILING, Suite, junit_document

__all__ = ["render_check_junit"]

def _text(item: LocatedFinding) -> str:
    f = item.finding
    lines = [f"{item.file}:{item.line}: {f.code} {f.severity.value} {f.message}",
             f"fix: {f.fix}", f"cost: {cost_text(f.cost)}"]
    if item.key:
        lines.append(f"key: {item.key}")
    if item.scenario:
        lines.append(f"drill: {item.scenario}")
    if item.accepted:
        lines.append(f"accepted: {item.accepted}")
    return "\n".join(lines)


def _findings(suite: Suite, classname: str, items: Sequence[LocatedFinding]) -> None:
    for item in items:
        f = item.finding
        cls = f"{classname}.{f.check.value}"
        if f.severity in FAILING and item.accepted is None:
            suite.case(cls, f.code, (f"{item.file}:{item.line}: {f.message}",
                                     f.severity.value, _text(item)))
        else:
            suite.case(cls, f.code)
            suite.out.append(_text(item))


def _lint_suite(r: RunbookResult, started: datetime) -> ET.Element:
    drilled = ", ".join(d.scenario for d in r.drills) or "none: not drilled"
    suite = Suite(f"drills lint: {r.file}", r.linted_at or started, 0.0,
                   [("runbook", r.file), ("automation", r.automation),
                    ("scenarios", drilled)])
    lint = [f for f in r.findings if f.scenario is None]
    suite.case("drills.lint", "lint")
    suite.out.append(f"{r.file}: {r.verdict}")
    _findings(suite, "drills.lint", lint)
    return suite.done()


def _drill_suite(r: RunbookResult, d: DrillResult, started: datetime) -> ET.Element:
    suite = Suite(f"drills: {d.scenario} ({r.file})", d.started or started, d.seconds,
                   [("runbook", r.file), ("automation", r.automation),
                    ("scenario", d.scenario), ("seed", str(d.seed)),
                    ("score", str(d.score)), ("drill_id", d.drill_id),
                    ("backend", d.backend), ("cached", str(d.cached).lower()),
                    ("headline", d.headline)])
    for c in d.checks:
        suite.case(f"drills.{d.scenario}.{c.check}", "score")
        lost = f"; lost to: {', '.join(c.lost_to)}" if c.lost_to else ""
        suite.out.append(f"{c.check}: {c.points:g}/{c.max_points:g} points{lost}")
    _findings(suite, f"drills.{d.scenario}",
              [f for f in r.findings if f.scenario == d.scenario])
    return suite.done()


def _gate_suite(result: CheckResult) -> ET.Element:
    properties = [("backend", result.backend), ("tool_version", result.tool_version),
                  ("wall_seconds", f"{result.seconds:.3f}"),
                  ("fail_on", result.policy.fail_on)]
    if result.policy.fail_under is not None:
        properties.append(("fail_under", str(result.policy.fail_under)))
    if result.shard is not None:
        properties.append(("shard", result.shard))
    suite = Suite("drills check: gates", result.started, 0.0, properties)
    for gate in result.gates:
        suite.case("drills.gate", gate.name,
                   None if gate.why is None else (gate.why, "gate", gate.why))
    suite.out.append(f"drills check {'passed' if result.passed else 'failed'} in "
                     f"{result.seconds:.1f} s")
    return suite.done()


def render_check_junit(result: CheckResult) -> str:
    """The JUnit XML document of a whole check (see the module doc for its shape)."""
    suites: list[ET.Element] = []
    for r in result.runbooks:
        suites.append(_lint_suite(r, result.started))
        suites += [_drill_suite(r, d, result.started) for d in r.drills]
    suites.append(_gate_suite(result))
    return junit_document(suites)
