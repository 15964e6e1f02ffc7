"""JUnit XML, read back by a real JUnit parser (junitparser) the way CI would read it."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from junitparser import Failure, JUnitXml, TestCase

from drills.reports.findings import Check, Finding, Severity
from drills.reports.junit import render_junit
from drills.reports.model import DrillReport
from tests.junit_schema import assert_ant_junit_valid, assert_junit_schema_valid


def _parsed(text: str) -> JUnitXml:
    """Parse as bytes, as a CI tool reads a file: with lxml installed junitparser parses
    with lxml, which refuses a ``str`` that carries an encoding declaration."""
    return JUnitXml.fromstring(text.encode("utf-8"))


def _cases(xml: JUnitXml) -> list[TestCase]:
    (suite,) = list(xml)
    return list(suite)


def _out(text: str) -> list[str]:
    """The lines of the (one) suite's system-out: what passing cases have to say."""
    out = ET.fromstring(text.encode("utf-8")).find("./testsuite/system-out")
    assert out is not None
    return (out.text or "").splitlines()


def test_counts_are_right_and_survive_a_recount(flawed_report: DrillReport,
                                                tmp_path: Path) -> None:
    path = tmp_path / "junit.xml"
    path.write_text(render_junit(flawed_report), encoding="utf-8")
    xml = JUnitXml.fromfile(str(path))
    (suite,) = list(xml)
    assert suite.name == "drills: invoice-triple-trigger"
    assert (suite.tests, suite.failures, suite.errors, suite.skipped) == (17, 14, 0, 0)
    assert (xml.tests, xml.failures, xml.errors, xml.skipped) == (17, 14, 0, 0)
    # the drill's wall time, read raw: junitparser recounts a suite's time from its cases
    # when <testsuites> carries no counts (the Ant schema allows none there)
    raw = ET.parse(path).getroot().find("testsuite")
    assert raw is not None
    assert raw.get("time") == "5.200"
    assert ET.parse(path).getroot().attrib == {}
    assert_junit_schema_valid(path)
    assert_ant_junit_valid(path)
    suite.update_statistics()  # type: ignore[no-untyped-call]  # recount from the cases
    assert (suite.tests, suite.failures, suite.errors, suite.skipped) == (17, 14, 0, 0)


def test_properties_carry_seed_score_and_scenario(flawed_report: DrillReport) -> None:
    (suite,) = list(_parsed(render_junit(flawed_report)))
    props = {p.name: p.value for p in suite.properties()}  # type: ignore[no-untyped-call]
    assert props["seed"] == "1729"
    assert props["score"] == "43"
    assert props["verdict"] == "not ready"
    assert props["gates"] == "left-wrong-money-or-messages"
    # each harm unit as this drill / doing nothing / the perfect response
    assert props["harm.sent_wrongly"] == "292/1600/12"
    assert props["harm_points"] == "/".join(
        f"{v:g}" for v in (flawed_report.score.run_points, flawed_report.score.nothing_points,
                           flawed_report.score.perfect_points))
    assert props["scenario"] == "invoice-triple-trigger"
    assert props["automation"] == "invoice-reminder"
    assert props["headline"] == flawed_report.headline()


def test_one_passing_score_case_shows_the_three_responses_and_each_gate_fails(
    flawed_report: DrillReport,
) -> None:
    text = render_junit(flawed_report)
    cases = _cases(_parsed(text))
    (score,) = [c for c in cases if c.name == "score"]
    assert score.classname == "drills.invoice-triple-trigger.score"
    assert score.is_passed
    assert score.system_out is None  # no output inside a case (Ant): it is the suite's
    out = _out(text)
    assert any(line.startswith("Score 43/100 · NOT READY") for line in out)
    assert "messages or charges sent wrongly: this drill 292, do nothing 1,600, perfect 12" in out
    gates = [c for c in cases if c.classname == "drills.invoice-triple-trigger.gates"]
    assert [c.name for c in gates] == [g.code.value for g in flawed_report.score.gates]
    (failure,) = gates[0].result
    assert isinstance(failure, Failure)
    assert failure.type == "gate"
    assert failure.message == flawed_report.score.gates[0].message


def test_findings_fail_by_severity_with_their_message(flawed_report: DrillReport) -> None:
    text = render_junit(flawed_report)
    cases = {c.name: c for c in _cases(_parsed(text))
             if c.name != "score" and not c.classname.endswith(".gates")}
    assert set(cases) == {f.code for f in flawed_report.findings}
    for finding in flawed_report.findings:
        case = cases[finding.code]
        assert case.classname == f"drills.invoice-triple-trigger.{finding.check.value}"
        if finding.severity in (Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM):
            (failure,) = case.result
            assert isinstance(failure, Failure)
            assert failure.message == finding.message
            assert failure.type == finding.severity.value
            assert f"fix: {finding.fix}" in (failure.text or "")
        else:
            assert case.is_passed, "low and info findings are advice, not failures"
            assert any(line.startswith(f"{finding.code} {finding.severity.value}: "
                                       f"{finding.message}") for line in _out(text))
    queue = cases["queue-not-paused"].result[0]
    assert queue.text is not None
    assert "cost: +108 records damaged, +108 left wrong, +27 min to contain" in queue.text
    assert "where: invoice-reminder.flawed.runbook.yaml:5" in queue.text


def test_a_clean_drill_has_no_failures(good_report: DrillReport) -> None:
    xml = _parsed(render_junit(good_report))
    assert (xml.tests, xml.failures, xml.errors, xml.skipped) == (3, 0, 0, 0)


def test_text_xml_cannot_carry_is_dropped_not_fatal(good_report: DrillReport) -> None:
    odd = Finding(code="odd", severity=Severity.HIGH, check=Check.REPAIR,
                  message='control \x00\x1b chars & <tags> "quotes"', fix="\ufffe fix")
    text = render_junit(good_report.model_copy(update={"findings": [odd]}))
    root = ET.fromstring(text.encode("utf-8"))
    failure = root.find("./testsuite/testcase[@name='odd']/failure")
    assert failure is not None
    assert failure.get("message") == 'control  chars & <tags> "quotes"'
    assert text.startswith("<?xml version='1.0' encoding='utf-8'?>\n<testsuites")


def test_one_builder_makes_a_document_of_several_suites(flawed_report: DrillReport,
                                                        good_report: DrillReport) -> None:
    from drills.reports.junit import drill_suite, junit_document

    suites = [drill_suite(flawed_report, name="drills: flawed (x.yaml)",
                          properties=[("runbook", "x.yaml")], locate=lambda f: "x.yaml:3"),
              drill_suite(good_report)]
    text = junit_document(suites)
    assert_junit_schema_valid(text)
    assert_ant_junit_valid(text)
    xml = _parsed(text)
    flawed, good = list(xml)
    assert flawed.name == "drills: flawed (x.yaml)"
    assert good.name == f"drills: {good_report.scenario.name}"
    assert [s.get("id") for s in ET.fromstring(text.encode("utf-8")).iter("testsuite")] == [
        "0", "1"]
    props = {p.name: p.value for p in flawed.properties()}  # type: ignore[no-untyped-call]
    assert props["runbook"] == "x.yaml"
    failure = next(c for c in flawed if c.result and c.result[0].type != "gate").result[0]
    assert (failure.message or "").startswith("x.yaml:3: ")
    assert (failure.text or "").startswith("x.yaml:3: ")
    assert xml.tests == flawed.tests + good.tests
    assert xml.failures == flawed.failures + good.failures
    assert junit_document([drill_suite(good_report)]) == render_junit(good_report)
