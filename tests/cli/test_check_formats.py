"""``drills check --format``: every CI output, made by the real CLI in real processes on
the shipped flawed example, read back the way its CI system would read it."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import jsonschema
import pytest
from junitparser import JUnitXml
from sarif_pydantic import Sarif

from tests.junit_schema import assert_ant_junit_valid, assert_junit_schema_valid

pytestmark = pytest.mark.slow

REPO = Path(__file__).parents[2]
FLAWED = "examples/invoice-reminder.flawed.runbook.yaml"
GOOD = "examples/invoice-reminder.runbook.yaml"
SARIF_SCHEMA = REPO / "tests" / "data" / "sarif" / "sarif-schema-2.1.0.json"
LINT_CODES = {"owner-is-team": 3, "no-snapshot": 1}
"""Findings of the flawed example and the lines the console gives them."""

Result = subprocess.CompletedProcess[str]


def drills(*args: str, env: dict[str, str] | None = None) -> Result:
    full = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONWARNINGS": "error", **(env or {})}
    if env is None:
        full.pop("GITHUB_STEP_SUMMARY", None)
    return subprocess.run([sys.executable, "-m", "drills", *args], cwd=REPO, env=full,
                          capture_output=True, text=True, timeout=600, check=False)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Result]:
    out = tmp_path_factory.mktemp("formats")
    (out / "a-file").write_text("x\n", encoding="utf-8")
    summary = out / "summary.md"
    summary.write_text("earlier step\n", encoding="utf-8")
    jobs = {
        "console": (FLAWED, "--no-costs"),
        "github": (FLAWED, "--no-costs", "--format", "github", "--fail-under", "90"),
        "gitlab": (FLAWED, "--no-costs", "--format", "gitlab"),
        "sarif": (FLAWED, "--no-costs", "--format", "sarif"),
        "json": (FLAWED, "--format", "json"),
        "junit": (FLAWED, GOOD, "--no-costs", "--format", "junit", "--fail-under", "90"),
        "output": (FLAWED, "--no-costs", "--format", "json", "--output",
                   str(out / "deep" / "check.json")),
        "bad-output": (FLAWED, "--no-costs", "--format", "sarif", "--output",
                       str(out / "a-file" / "x.sarif")),
    }
    with ThreadPoolExecutor(len(jobs)) as pool:
        futures = {name: pool.submit(drills, "check", *args,
                                     env={"GITHUB_STEP_SUMMARY": str(summary)}
                                     if name == "github" else None)
                   for name, args in jobs.items()}
        results = {name: f.result() for name, f in futures.items()}
    results["summary"] = subprocess.CompletedProcess([], 0, summary.read_text("utf-8"), "")
    results["output-file"] = subprocess.CompletedProcess(
        [], 0, (out / "deep" / "check.json").read_text("utf-8"), "")
    return results


def console_lines(runs: dict[str, Result]) -> dict[str, int]:
    """code -> line as the console prints it (the first of each code)."""
    found: dict[str, int] = {}
    for line in runs["console"].stdout.splitlines():
        if line.startswith(FLAWED + ":"):
            _, number, rest = line.split(":", 2)
            if number.isdigit():
                found.setdefault(rest.split()[0], int(number))
    return found


def test_console_is_unchanged_by_default(runs: dict[str, Result]) -> None:
    assert runs["console"].returncode == 1
    assert {c: console_lines(runs)[c] for c in LINT_CODES} == LINT_CODES


def test_github_annotations_carry_code_file_and_line(runs: dict[str, Result]) -> None:
    result = runs["github"]
    assert result.returncode == 1, result.stderr
    every = [line for line in result.stdout.splitlines() if line.startswith("::")]
    gates = [line for line in every if "title=drills gate::" in line]
    commands = [line for line in every if line not in gates]
    # the gate that failed the job is an annotation too, on the runbook
    assert gates == [
        f"::error file={FLAWED},line=1,title=drills gate::{FLAWED}: score 0 under --fail-under "
        "90 in invoice-triple-trigger",
        f"::error file={FLAWED},line=1,title=drills gate::{FLAWED}: gate never-contained in "
        "invoice-triple-trigger",
        f"::error file={FLAWED},line=1,title=drills gate::{FLAWED}: gate "
        "left-wrong-money-or-messages in invoice-triple-trigger"]
    expected = console_lines(runs)
    assert len(commands) == len(
        [ln for ln in runs["console"].stdout.splitlines() if ln.startswith(FLAWED + ":")
         and ln.split(":")[1].isdigit()])
    seen: dict[str, tuple[str, int]] = {}
    for command in commands:
        level, rest = command[2:].split(" ", 1)
        props, message = rest.split("::", 1)
        fields = dict(p.split("=", 1) for p in props.split(","))
        assert fields["file"] == FLAWED
        assert "\n" not in message
        assert message
        seen.setdefault(fields["title"], (level, int(fields["line"])))
    assert seen["owner-is-team"] == ("error", expected["owner-is-team"])
    assert {code: line for code, (_, line) in seen.items()} == expected


def test_github_appends_a_job_summary(runs: dict[str, Result]) -> None:
    text = runs["summary"].stdout
    assert text.startswith("earlier step\n## drills check: failed")
    assert f"| `{FLAWED}` | 0/100 in invoice-triple-trigger | **failed** |" in text
    assert "| critical | `owner-is-team` |" in text
    assert f"- {FLAWED}: score 0 under --fail-under 90 in invoice-triple-trigger" in text
    assert f"- {FLAWED}: gate never-contained in invoice-triple-trigger" in text


def test_gitlab_code_quality_has_every_field_gitlab_reads(runs: dict[str, Result]) -> None:
    result = runs["gitlab"]
    assert result.returncode == 1
    issues = json.loads(result.stdout)
    lines = console_lines(runs)
    assert isinstance(issues, list)
    assert issues
    located: dict[str, int] = {}
    for issue in issues:
        assert set(issue) >= {"description", "check_name", "fingerprint", "severity",
                              "location"}
        assert issue["severity"] in {"info", "minor", "major", "critical", "blocker"}
        assert issue["location"]["path"] == FLAWED
        assert isinstance(issue["location"]["lines"]["begin"], int)
        assert issue["description"].startswith(issue["check_name"] + ": ")
        located.setdefault(issue["check_name"], issue["location"]["lines"]["begin"])
    assert located == lines
    by_code = {i["check_name"]: i for i in issues}
    assert by_code["owner-is-team"]["severity"] == "blocker"
    assert by_code["no-comms"]["severity"] == "critical"
    prints = [i["fingerprint"] for i in issues]
    assert len(set(prints)) == len(prints)


def test_sarif_reads_back_with_rules_from_the_registry(runs: dict[str, Result]) -> None:
    from drills.findings import FINDINGS

    result = runs["sarif"]
    assert result.returncode == 1
    log = Sarif.model_validate_json(result.stdout)
    data = json.loads(result.stdout)
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    errors = [f"{list(e.absolute_path)}: {e.message}"
              for e in jsonschema.Draft4Validator(schema).iter_errors(data)]
    assert not errors, "\n".join(errors)
    assert log.version == "2.1.0"
    (run,) = data["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "drills"
    assert driver["version"]
    assert driver["informationUri"]
    assert [r["id"] for r in driver["rules"]] == list(FINDINGS)
    rule = {r["id"]: r for r in driver["rules"]}["owner-is-team"]
    assert rule["defaultConfiguration"]["level"] == "error"
    assert rule["helpUri"] == "docs/scoring.md#every-finding-code"
    assert (REPO / "docs" / "scoring.md").read_text("utf-8").count("### Every finding code")
    lines = console_lines(runs)
    located: dict[str, int] = {}
    for res in run["results"]:
        (loc,) = res["locations"]
        assert loc["physicalLocation"]["artifactLocation"]["uri"] == FLAWED
        located.setdefault(res["ruleId"], loc["physicalLocation"]["region"]["startLine"])
        assert driver["rules"][res["ruleIndex"]]["id"] == res["ruleId"]
        assert res["level"] in {"error", "warning", "note"}
        assert len(res["partialFingerprints"]["drillsFinding/v1"]) == 32
    assert located == lines
    prints = [r["partialFingerprints"]["drillsFinding/v1"] for r in run["results"]]
    assert len(set(prints)) == len(prints)
    assert "failed: 6 findings at or above critical" in result.stderr  # people's lines: stderr


def test_json_is_the_whole_check(runs: dict[str, Result]) -> None:
    result = runs["json"]
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert data["schema_version"] == "2"
    assert data["verdict"] == "failed"
    (book,) = data["runbooks"]
    assert book["file"] == FLAWED
    assert book["verdict"] == "failed"
    (drill,) = book["drills"]
    assert (drill["scenario"], drill["score"], drill["cached"]) == (
        "invoice-triple-trigger", 0, False)
    assert drill["seconds"] > 0
    assert drill["started"]
    assert [c["check"] for c in drill["checks"]] == ["score"]
    by_code = {f["code"]: f for f in book["findings"]}
    lines = console_lines(runs)
    assert {code: by_code[code]["line"] for code in lines} == lines
    assert by_code["owner-is-team"]["severity"] == "critical"
    assert all(f["file"] == FLAWED and f["message"] for f in book["findings"])
    assert any(f["cost"] and f["cost"]["records_damaged"] for f in book["findings"])
    # fail-under, then the drill's own gates (never contained, outbox records left wrong)
    assert [g["passed"] for g in book["gates"]] == [False, False, False]


def test_junit_keeps_to_both_schemas_and_fails_the_gates(runs: dict[str, Result]) -> None:
    result = runs["junit"]
    assert result.returncode == 1
    assert_junit_schema_valid(result.stdout)
    assert_ant_junit_valid(result.stdout)
    # bytes: with lxml installed, junitparser refuses a str with an encoding declaration
    xml = JUnitXml.fromstring(result.stdout.encode("utf-8"))
    suites = {s.name: s for s in xml}
    assert list(suites) == [f"drills lint: {FLAWED}",
                            f"drills: invoice-triple-trigger ({FLAWED})",
                            f"drills lint: {GOOD}", f"drills: invoice-triple-trigger ({GOOD})",
                            "drills check: gates"]
    gates = suites["drills check: gates"]
    failed = {c.name: c.result[0].message for c in gates if c.result}
    # one failed case per gate that failed the job, and none for one that passed
    assert failed[f"fail-under 90: {FLAWED} in invoice-triple-trigger"] == (
        f"{FLAWED}: score 0 under --fail-under 90 in invoice-triple-trigger")
    assert f"fail-on critical: {FLAWED}" in failed
    assert f"gate never-contained: {FLAWED} in invoice-triple-trigger" in failed
    assert f"fail-on critical: {GOOD}" not in failed
    assert {c.name for c in gates} >= {f"fail-on critical: {GOOD}"}
    gate_props = {p.get("name"): p.get("value") for p in gates._elem.iter("property")}
    assert (gate_props["backend"] or "").startswith("sqlite")
    assert float(gate_props["wall_seconds"] or 0) > 0
    drill = suites[f"drills: invoice-triple-trigger ({FLAWED})"]
    props = {p.get("name"): p.get("value") for p in drill._elem.iter("property")}
    assert (props["backend"] or "").startswith("sqlite")
    assert props["runbook"] == FLAWED
    # real time: the drill's seconds, and a timestamp of today (UTC), not the drill clock
    assert float(drill._elem.get("time")) > 0
    from datetime import UTC, datetime
    stamp = datetime.fromisoformat(drill._elem.get("timestamp")).replace(tzinfo=UTC)
    assert abs((datetime.now(UTC) - stamp).total_seconds()) < 3600
    lint = suites[f"drills lint: {FLAWED}"]
    owner = next(c for c in lint if c.name == "owner-is-team")
    line = console_lines(runs)["owner-is-team"]
    assert owner.result[0].message.startswith(f"{FLAWED}:{line}: ")
    assert owner.result[0].text.startswith(f"{FLAWED}:{line}: owner-is-team critical ")


def test_the_ant_schema_refuses_what_it_should(runs: dict[str, Result]) -> None:
    """The schema check can fail: attributes on <testsuites>, output inside a case, a
    timestamp with an offset."""
    good = runs["junit"].stdout
    for broken in (
        good.replace("<testsuites>", '<testsuites name="drills">', 1),
        good.replace('time="0" />', 'time="0"><system-out>x</system-out></testcase>', 1),
        re.sub(r'timestamp="([^"]+)"', r'timestamp="\1+00:00"', good, count=1),
    ):
        assert broken != good
        with pytest.raises(AssertionError):
            assert_ant_junit_valid(broken)


def test_output_writes_the_file_and_keeps_stdout_for_people(runs: dict[str, Result]) -> None:
    result = runs["output"]
    assert result.returncode == 1
    assert json.loads(runs["output-file"].stdout)["schema_version"] == "2"
    assert "wrote " in result.stdout
    assert "owner-is-team" in result.stdout


def test_a_bad_output_path_is_one_line_exit_2(runs: dict[str, Result]) -> None:
    result = runs["bad-output"]
    assert result.returncode == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith("drills: error: --output ")
    assert "is a file, not a folder" in line
    assert result.stdout == ""
