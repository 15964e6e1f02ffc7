"""What JUnit readers accept: the Jenkins xunit plugin's junit-10.xsd (vendored in
``tests/data/junit``), read with xmlschema, and the parts of the Ant JUnit schema both
share: no ``skipped`` count on ``<testsuites>``, no ``<properties>`` in a test case,
only ``name``, ``classname`` and ``time`` on a test case, numeric times, and a
``timestamp`` in ISO 8601 without an offset."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import xmlschema

SCHEMA = Path(__file__).parent / "data" / "junit" / "junit-10.xsd"
# xmlschema, not lxml: with lxml installed, junitparser switches parsers and refuses the
# str documents other tests give it.
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$")
TIME = re.compile(r"^\d+(\.\d+)?$")


def assert_junit_schema_valid(source: Path | str, *, ours: bool = True) -> None:
    """Fail with the schema's own words when ``source`` (a file or XML text) breaks it;
    ``ours=False`` skips the forms pytest's own ``--junitxml`` chooses (its timestamp)."""
    schema = xmlschema.XMLSchema(str(SCHEMA))
    text = source.read_bytes() if isinstance(source, Path) else source.encode("utf-8")
    doc = ET.fromstring(text)
    errors = [str(e) for e in schema.iter_errors(doc)]
    assert not errors, "\n".join(errors)
    assert doc.get("skipped") is None
    for case in doc.iter("testcase"):
        assert not list(case.iter("properties")), case.get("name")
        assert set(case.keys()) <= {"name", "classname", "time"}, case.keys()
    for element in [doc, *doc.iter("testsuite"), *doc.iter("testcase")]:
        assert TIME.match(element.get("time", "0")), element.get("time")
    if ours:
        for suite in doc.iter("testsuite"):
            stamp = suite.get("timestamp")
            assert stamp is None or TIMESTAMP.match(stamp), stamp


ANT_SCHEMA = Path(__file__).parent / "data" / "junit" / "ant-junit.xsd"


def assert_ant_junit_valid(source: Path | str) -> None:
    """Fail with the schema's own words when ``source`` breaks the strict Ant JUnit
    format (``tests/data/junit/ant-junit.xsd``): what ``drills check`` writes keeps to it
    as well as to junit-10.xsd."""
    schema = xmlschema.XMLSchema(str(ANT_SCHEMA))
    text = source.read_bytes() if isinstance(source, Path) else source.encode("utf-8")
    errors = [str(e) for e in schema.iter_errors(ET.fromstring(text))]
    assert not errors, "\n".join(errors)
