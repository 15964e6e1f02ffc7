"""JUnit XML, read back by a real JUnit parser (junitparser) the way CI would read it."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from junitparser import Failure, JUnitXml, TestCase

from drills.reports.findings import Check, Finding, Severity
from drills.reports.junit import render_junit
from drills.reports.model import DrillReport
from tests.junit_schema import assert_junit_schema_valid


def _cases(xml: JUnitXml) -> list[TestCase]:
    (suite,) = list(xml)
    return list(suite)


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
    # when <testsuites> carries no 'skipped' count (junit-10.xsd has none there)
    raw = ET.parse(path).getroot().find("testsuite")
    assert raw is not None
    assert raw.get("time") == "5.200"
    assert_junit_schema_valid(path)
    suite.update_statistics()  # type: ignore[no-untyped-call]  # recount from the cases
    assert (suite.tests, suite.failures, suite.errors, suite.skipped) == (17, 14, 0, 0)


def test_properties_carry_seed_score_and_scenario(flawed_report: DrillReport) -> None:
    (suite,) = list(JUnitXml.fromstring(render_junit(flawed_report)))
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
    cases = _cases(JUnitXml.fromstring(render_junit(flawed_report)))
    (score,) = [c for c in cases if c.name == "score"]
    assert score.classname == "drills.invoice-triple-trigger.score"
    assert score.is_passed
    out = score.system_out or ""
    assert out.startswith("Score 43/100 · NOT READY")
    assert "messages or charges sent wrongly: this drill 292, do nothing 1,600, perfect 12" in out
    gates = [c for c in cases if c.classname == "drills.invoice-triple-trigger.gates"]
    assert [c.name for c in gates] == [g.code.value for g in flawed_report.score.gates]
    (failure,) = gates[0].result
    assert isinstance(failure, Failure)
    assert failure.type == "gate"
    assert failure.message == flawed_report.score.gates[0].message


def test_findings_fail_by_severity_with_their_message(flawed_report: DrillReport) -> None:
    cases = {c.name: c for c in _cases(JUnitXml.fromstring(render_junit(flawed_report)))
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
            assert finding.message in (case.system_out or "")
    queue = cases["queue-not-paused"].result[0]
    assert queue.text is not None
    assert "cost: +108 records damaged, +108 left wrong, +27 min to contain" in queue.text
    assert "where: invoice-reminder.flawed.runbook.yaml:5" in queue.text


def test_a_clean_drill_has_no_failures(good_report: DrillReport) -> None:
    xml = JUnitXml.fromstring(render_junit(good_report))
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
    from drills.reports.junit import drill_suite, junit_document, lint_suite

    lint = [Finding(code="no-comms", severity=Severity.HIGH, check=Check.COMMS,
                    message="no communication plan", fix="add 'comms:'"),
            Finding(code="no-update-interval", severity=Severity.LOW, check=Check.COMMS,
                    message="no next update", fix="add 'next_update_every: 1h'",
                    where="x.yaml:9 (comms.next_update_every)")]
    suites = [drill_suite(flawed_report, name="drills: flawed (x.yaml)",
                          properties=[("runbook", "x.yaml")]),
              drill_suite(good_report),
              lint_suite("drills lint: y.yaml", lint, summary="2 findings", where="y.yaml",
                         properties=[("runbook", "y.yaml")])]
    xml = JUnitXml.fromstring(junit_document(suites, name="drills check"))
    flawed, good, paper = list(xml)
    assert flawed.name == "drills: flawed (x.yaml)"
    assert good.name == f"drills: {good_report.scenario.name}"
    props = {p.name: p.value for p in flawed.properties()}  # type: ignore[no-untyped-call]
    assert props["runbook"] == "x.yaml"
    assert (paper.tests, paper.failures) == (3, 1)
    cases = {c.name: c for c in paper}
    assert cases["lint"].is_passed
    assert "where: y.yaml" in cases["no-comms"].result[0].text
    assert cases["no-update-interval"].is_passed
    assert xml.tests == flawed.tests + good.tests + 3
    assert xml.failures == flawed.failures + good.failures + 1
    assert junit_document([drill_suite(good_report)]) == render_junit(good_report)
