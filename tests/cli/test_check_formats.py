"""``drills check --format``: every CI output, made by the real CLI in real processes on
the shipped flawed example, read back the way its CI system would read it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from junitparser import JUnitXml
from sarif_pydantic import Sarif

from tests.junit_schema import assert_junit_schema_valid

pytestmark = pytest.mark.slow

REPO = Path(__file__).parents[2]
FLAWED = "examples/invoice-reminder.flawed.runbook.yaml"
LINT_CODES = {"owner-is-team": 3, "no-snapshot": 1}
"""Findings of the flawed example and the lines the console gives them."""

Result = subprocess.CompletedProcess[str]


def drills(*args: str, env: dict[str, str] | None = None) -> Result:
    full = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONWARNINGS": "error", **(env or {})}
    if env is None:
        full.pop("GITHUB_STEP_SUMMARY", None)
    return subprocess.run([sys.executable, "-m", "drills", *args], cwd=REPO, env=full,
                          capture_output=True, text=True, timeout=180, check=False)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Result]:
    out = tmp_path_factory.mktemp("formats")
    (out / "a-file").write_text("x\n", encoding="utf-8")
    summary = out / "summary.md"
    summary.write_text("earlier step\n", encoding="utf-8")
    jobs = {
        "console": (FLAWED, "--no-costs"),
        "github": (FLAWED, "--no-costs", "--format", "github"),
        "sarif": (FLAWED, "--no-costs", "--format", "sarif"),
        "json": (FLAWED, "--format", "json"),
        "junit": (FLAWED, "--no-costs", "--format", "junit", "--fail-under", "90"),
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
    commands = [line for line in result.stdout.splitlines() if line.startswith("::")]
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


def test_sarif_reads_back_with_rules_from_the_registry(runs: dict[str, Result]) -> None:
    from drills.findings import FINDINGS

    result = runs["sarif"]
    assert result.returncode == 1
    log = Sarif.model_validate_json(result.stdout)
    data = json.loads(result.stdout)
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
    assert "failed: 6 critical findings" in result.stderr  # people's lines go to stderr


def test_json_is_the_whole_check(runs: dict[str, Result]) -> None:
    result = runs["json"]
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert data["schema_version"] == "1"
    assert data["verdict"] == "failed"
    (book,) = data["runbooks"]
    assert book["file"] == FLAWED
    assert book["verdict"] == "failed"
    assert book["drills"] == [{"scenario": "invoice-triple-trigger", "score": 0}]
    by_code = {f["code"]: f for f in book["findings"]}
    lines = console_lines(runs)
    assert {code: by_code[code]["line"] for code in lines} == lines
    assert by_code["owner-is-team"]["severity"] == "critical"
    assert all(f["file"] == FLAWED and f["message"] for f in book["findings"])
    assert any(f["cost"] and f["cost"]["records_damaged"] for f in book["findings"])


def test_junit_keeps_to_the_schemas_and_fails_the_gates(runs: dict[str, Result]) -> None:
    result = runs["junit"]
    assert result.returncode == 1
    assert_junit_schema_valid(result.stdout)
    xml = JUnitXml.fromstring(result.stdout)
    suites = {s.name: s for s in xml}
    gates = suites["drills check: gates"]
    failed = {c.name: c.result[0].message for c in gates if c.result}
    assert failed[f"--fail-under 90: {FLAWED} in invoice-triple-trigger"] == (
        f"{FLAWED}: score 0 under --fail-under 90 in invoice-triple-trigger")
    assert f"no critical finding: {FLAWED}" in failed
    drill = suites[f"drills: invoice-triple-trigger ({FLAWED})"]
    props = {p.get("name"): p.get("value") for p in drill._elem.iter("property")}
    assert (props["backend"] or "").startswith("sqlite")
    assert drill._elem.get("file") == FLAWED
    owner = next(c for c in drill if c.name == "owner-is-team")
    assert owner.result[0].text.startswith(f"{FLAWED}:{console_lines(runs)['owner-is-team']}\n")


def test_output_writes_the_file_and_keeps_stdout_for_people(runs: dict[str, Result]) -> None:
    result = runs["output"]
    assert result.returncode == 1
    assert json.loads(runs["output-file"].stdout)["schema_version"] == "1"
    assert "wrote " in result.stdout
    assert "owner-is-team" in result.stdout


def test_a_bad_output_path_is_one_line_exit_2(runs: dict[str, Result]) -> None:
    result = runs["bad-output"]
    assert result.returncode == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith("drills: error: --output ")
    assert "is a file, not a folder" in line
    assert result.stdout == ""
