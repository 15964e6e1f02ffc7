"""``drills check``: the launch gate, run the way CI runs it, in real processes.

Exit codes are the contract (0 passed, 1 a runbook failed, 2 bad input), so every
case asserts the exact code, the lines a reader keys on, and that bad input writes
nothing. The processes start together in a module fixture so the file stays fast;
all but one run with ``--no-costs`` (the gap-cost reruns are what take time).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from junitparser import JUnitXml

pytestmark = pytest.mark.slow

REPO = Path(__file__).parents[2]
GOOD = "examples/invoice-reminder.runbook.yaml"
FLAWED = "examples/invoice-reminder.flawed.runbook.yaml"
BAD = "tests/data/runbooks/bad"

Result = subprocess.CompletedProcess[str]

FLAWED_GAPS = (
    "owner-is-team", "uncheckable-stop-rule", "pause-job-only", "queue-left-running",
    "feeder-left-running", "no-snapshot", "no-clean-export", "system-never-scoped",
    "repair-without-sample", "no-verification", "no-comms", "restart-without-approver",
    "restart-without-test", "restart-without-cause", "never-contained", "missing-backup-owner",
)
"""Gaps the flawed example must show: the lint's, and those only a drill can see."""

_FINDING = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+): (?P<code>[a-z][a-z0-9-]*) "
                      r"(?P<severity>critical|high|medium|low|info) .+ \(fix: .+\)"
                      r"(?: \[drill [a-z0-9-]+\])?$")


PROGRESS = re.compile(r"^\[\d\d:\d\d:\d\d\] (drilling|done|cached) \d+/\d+: .+$")
"""A progress line on stderr: a drill starting, ending, or read from the cache."""


def drills(*args: str) -> Result:
    """``python -m drills ARGS`` from the repository root, as CI would run it; the progress
    lines are checked for form and set aside (``result.progress``), the rest of stderr
    kept for the assertions."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONWARNINGS": "error"}
    result = subprocess.run(
        [sys.executable, "-m", "drills", *args],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=600, check=False,
    )
    lines = result.stderr.splitlines(keepends=True)
    progress = [line for line in lines if PROGRESS.match(line.rstrip("\n"))]
    result.stderr = "".join(line for line in lines if line not in progress)
    result.progress = progress  # type: ignore[attr-defined]
    return result


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder for the JUnit files, and a runbook for an automation no scenario drills."""
    folder = tmp_path_factory.mktemp("check")
    text = (REPO / GOOD).read_text(encoding="utf-8")
    (folder / "payroll.runbook.yaml").write_text(
        text.replace("automation: invoice-reminder", "automation: payroll-export"),
        encoding="utf-8")
    flawed = (REPO / FLAWED).read_text(encoding="utf-8")
    (folder / "payroll.flawed.runbook.yaml").write_text(
        flawed.replace("automation: invoice-reminder", "automation: payroll-export"),
        encoding="utf-8")
    (folder / "a-file").write_text("not a folder\n", encoding="utf-8")
    return folder


def cases(out: Path) -> dict[str, tuple[str, ...]]:
    return {
        "good": ("check", GOOD, "--no-costs", "--junit", str(out / "good.xml")),
        "flawed": ("check", FLAWED, "--no-costs", "--junit", str(out / "flawed.xml")),
        "both": ("check", GOOD, FLAWED, "--no-costs", "--junit", str(out / "both.xml")),
        "good-with-costs": ("check", GOOD),
        "flawed-quiet": ("check", FLAWED, "--no-costs", "-q"),
        "fail-under": ("check", GOOD, "--no-costs", "--fail-under", "100", "-q"),
        "named-scenario-file": ("check", GOOD, "--no-costs", "--scenario",
                                "scenarios/library/invoice-triple-trigger.yaml"),
        "lint-only": ("check", str(out / "payroll.runbook.yaml"), "--junit",
                      str(out / "lint.xml")),
        "lint-only-flawed": ("check", str(out / "payroll.flawed.runbook.yaml"), "--junit",
                             str(out / "lint-flawed.xml")),
        "missing": ("check", "runbooks/nope.runbook.yaml", "--junit", str(out / "x1.xml")),
        "folder": ("check", "examples", "--no-costs", "--junit", str(out / "folder.xml")),
        "glob": ("check", "examples/*.runbook.yaml", "--no-costs", "-q"),
        "empty-folder": ("check", "tests/data/junit", "--junit", str(out / "x2.xml")),
        "glob-matches-nothing": ("check", "examples/*.nope.yaml", "--junit",
                                 str(out / "x7.xml")),
        "scenario-glob": ("check", GOOD, "--no-costs", "--scenario",
                          "scenarios/library/invoice*.yaml"),
        "bad-shard": ("check", GOOD, "--shard", "3/2", "--junit", str(out / "x8.xml")),
        "bad-select": ("check", GOOD, "--select", "owner-is-teem", "--junit",
                       str(out / "x9.xml")),
        "merge-nothing": ("check", "--merge", "--junit", str(out / "x10.xml")),
        "malformed": ("check", f"{BAD}/unknown-key.runbook.yaml", "--junit",
                      str(out / "x3.xml")),
        "one-bad-of-two": ("check", GOOD, f"{BAD}/unknown-key.runbook.yaml", "--no-costs",
                           "--junit", str(out / "x4.xml")),
        "unknown-scenario": ("check", GOOD, "--scenario", "invoice-tripple-trigger", "--junit",
                             str(out / "x5.xml")),
        "other-automation": ("check", GOOD, "--scenario", "welcome-email-retry-storm",
                             "--junit", str(out / "x6.xml")),
        "junit-under-a-file": ("check", GOOD, "--junit", str(out / "a-file" / "drills.xml")),
        "junit-is-a-folder": ("check", GOOD, "--junit", str(out)),
        "help": ("check", "--help"),
    }


@pytest.fixture(scope="module")
def runs(out: Path) -> dict[str, Result]:
    """Every case's process, started together."""
    table = cases(out)
    with ThreadPoolExecutor(max_workers=min(8, 2 * (os.cpu_count() or 1))) as pool:
        results = pool.map(lambda args: drills(*args), table.values())
        return dict(zip(table, results, strict=True))


def findings(stdout: str) -> list[re.Match[str]]:
    return [m for line in stdout.splitlines() if (m := _FINDING.match(line))]


# -- passing and failing runbooks --------------------------------------------------------


def test_the_good_example_passes_with_exit_0(runs: dict[str, Result]) -> None:
    result = runs["good"]
    assert (result.returncode, result.stderr) == (0, "")
    lines = result.stdout.splitlines()
    assert lines[-3].startswith(f"{GOOD}: passed (score ")
    assert lines[-3].endswith("/100 in invoice-triple-trigger)")
    assert lines[-1] == "1 runbook checked: 1 passed, 0 failed"
    assert lines[-2].startswith("wrote ")
    assert f"{GOOD}: drill invoice-triple-trigger: invoice-reminder drill: contained in" in (
        result.stdout)
    assert all(m["severity"] != "critical" for m in findings(result.stdout))


def test_the_flawed_example_fails_with_exit_1_listing_each_gap(runs: dict[str, Result]) -> None:
    result = runs["flawed"]
    assert (result.returncode, result.stderr) == (1, "")
    found = findings(result.stdout)
    assert {m["file"] for m in found} == {FLAWED}
    assert set(FLAWED_GAPS) <= {m["code"] for m in found}
    lines = result.stdout.splitlines()
    # lint gaps point at the key's line; a section the runbook lacks at line 1, like ruff
    assert f"{FLAWED}:3: owner-is-team critical the owner 'Finance team' is a team, not a " \
           "person: nobody is named who can pause without a meeting (fix: name one person " \
           "as owner and give them 'can_pause: true')" in lines
    assert f"{FLAWED}:5: uncheckable-stop-rule critical stop rule 'pause if something looks " \
           "wrong' is not checkable (fix: write METRIC OP NUMBER [within DURATION], e.g. " \
           "'duplicate_messages >= 5')" in lines
    assert f"{FLAWED}:1: no-comms high no communication plan: silence breeds untracked " \
           "manual fixes (fix: add 'comms: {first_note_within: 15m, next_update_every: 1h, " \
           "customer_message: ...}')" in lines
    # drill gaps point at the section that closes them, and name the drill
    assert f"{FLAWED}:6: queue-left-running high queue 'email.outbox' kept running after the " \
           "job was paused (fix: add 'stop_queue: email.outbox' to the runbook's pause steps) " \
           "[drill invoice-triple-trigger]" in lines
    assert any(line.startswith(f"{FLAWED}:9: system-never-scoped high email holds ")
               for line in lines)
    # findings run in file order; each gap once (the lint is not repeated by the drill)
    assert [int(m["line"]) for m in found] == sorted(int(m["line"]) for m in found)
    assert len([m for m in found if m["code"] == "owner-is-team"]) == 1
    critical = [m["code"] for m in found if m["severity"] == "critical"]
    assert lines[-3:] == [
        f"{FLAWED}: failed: {len(critical)} findings at or above critical "
        f"({', '.join(dict.fromkeys(critical))}) fail the check"
        "; gate never-contained in invoice-triple-trigger"
        "; gate left-wrong-money-or-messages in invoice-triple-trigger",
        f"wrote {runs['flawed'].args[-1]}",
        "1 runbook checked: 0 passed, 1 failed",
    ]


def test_several_runbooks_give_one_summary(runs: dict[str, Result]) -> None:
    result = runs["both"]
    assert (result.returncode, result.stderr) == (1, "")
    assert result.stdout.splitlines()[-1] == "2 runbooks checked: 1 passed, 1 failed"
    assert {m["file"] for m in findings(result.stdout)} == {GOOD, FLAWED}


def test_costs_are_measured_by_default(runs: dict[str, Result]) -> None:
    result = runs["good-with-costs"]
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.splitlines()[-1] == "1 runbook checked: 1 passed, 0 failed"


def test_quiet_prints_only_critical_gaps_and_the_verdict(runs: dict[str, Result]) -> None:
    result = runs["flawed-quiet"]
    assert result.returncode == 1
    found = findings(result.stdout)
    assert {m["severity"] for m in found} == {"critical"}
    assert {"owner-is-team", "no-snapshot", "never-contained"} <= {m["code"] for m in found}
    codes = ", ".join(dict.fromkeys(m["code"] for m in found))
    assert result.stdout.splitlines()[len(found):] == [
        f"{FLAWED}: failed: {len(found)} findings at or above critical ({codes}) fail the "
        "check; gate never-contained in invoice-triple-trigger"
        "; gate left-wrong-money-or-messages in invoice-triple-trigger",
        "1 runbook checked: 0 passed, 1 failed",
    ]


def test_a_score_under_fail_under_fails(runs: dict[str, Result]) -> None:
    result = runs["fail-under"]
    assert (result.returncode, result.stderr) == (1, "")
    lines = result.stdout.splitlines()
    assert re.fullmatch(
        rf"{re.escape(GOOD)}: failed: score \d+ under --fail-under 100 in invoice-triple-trigger",
        lines[-2])
    assert lines[-1] == "1 runbook checked: 0 passed, 1 failed"


def test_a_scenario_can_be_named_by_file(runs: dict[str, Result]) -> None:
    result = runs["named-scenario-file"]
    assert (result.returncode, result.stderr) == (0, "")
    assert f"{GOOD}: drill invoice-triple-trigger: " in result.stdout


def test_without_a_fitting_scenario_the_lint_alone_decides(
    runs: dict[str, Result], out: Path
) -> None:
    passed, failed = runs["lint-only"], runs["lint-only-flawed"]
    for result, name in ((passed, "payroll.runbook.yaml"),
                         (failed, "payroll.flawed.runbook.yaml")):
        assert f"{out / name}: not drilled: no scenario drills 'payroll-export'; the lint " \
               "alone decides (name one under [tool.drills.scenarios] or with --scenario)" \
               in result.stdout.splitlines()
        assert "[drill " not in result.stdout
    assert passed.returncode == 0
    assert f"{out / 'payroll.runbook.yaml'}: passed (lint only: not drilled, no score " \
           "measured)" in passed.stdout
    assert failed.returncode == 1
    assert failed.stdout.splitlines()[-1] == "1 runbook checked: 0 passed, 1 failed"


# -- JUnit -------------------------------------------------------------------------------


def suites(path: Path) -> list[tuple[str, int, int, int, int]]:
    xml = JUnitXml.fromfile(str(path))
    return [(s.name, s.tests, s.failures, s.errors, s.skipped) for s in xml]


def failing_lines(stdout: str, file: str, drill: bool) -> tuple[int, int]:
    """(findings, JUnit failures) the printed lines for ``file`` stand for: the lint's, or
    the drill's (``[drill ...]``)."""
    found = [m for m in findings(stdout) if m["file"] == file
             and ("[drill " in m.group(0)) == drill]
    return len(found), len([m for m in found if m["severity"] in ("critical", "high", "medium")])


@pytest.mark.parametrize("case", ["good", "flawed"])
def test_junit_has_a_lint_suite_and_one_suite_per_drill_with_counts_matching_the_lines(
    runs: dict[str, Result], out: Path, case: str
) -> None:
    file = GOOD if case == "good" else FLAWED
    lint, lint_failing = failing_lines(runs[case].stdout, file, drill=False)
    drilled, drill_failing = failing_lines(runs[case].stdout, file, drill=True)
    checks = 1  # one passing 'score' case: the harm score and what it lost to
    # the gates suite: 'fail-on critical', then each gate of the drill's score
    # (flawed: never contained, records left wrong in the email outbox)
    score_gates = 0 if case == "good" else 2
    gate_failed = int(case == "flawed") + score_gates
    assert suites(out / f"{case}.xml") == [
        (f"drills lint: {file}", 1 + lint, lint_failing, 0, 0),
        (f"drills: invoice-triple-trigger ({file})", checks + drilled, drill_failing, 0, 0),
        ("drills check: gates", 1 + score_gates, gate_failed, 0, 0),
    ]
    root = ET.parse(out / f"{case}.xml").getroot()
    props = {p.get("name"): p.get("value") for p in root.iter("property")}
    assert props["runbook"] == file
    assert props["scenario"] == "invoice-triple-trigger"
    assert (props["backend"] or "").startswith("sqlite")
    # a failure names the runbook line, as the console does
    for failure in root.iter("failure"):
        if failure.get("type") != "gate":
            assert re.match(rf"{re.escape(file)}:\d+: ", failure.get("message", ""))
            assert re.match(rf"{re.escape(file)}:\d+: [a-z-]+ ", failure.text or "")


def test_junit_for_several_runbooks_merges_their_suites(runs: dict[str, Result], out: Path) -> None:
    both = suites(out / "both.xml")
    assert both == [*suites(out / "good.xml")[:-1], *suites(out / "flawed.xml")[:-1],
                    ("drills check: gates", 4, 3, 0, 0)]  # fail-on per runbook, 2 flawed gates


def test_junit_without_a_scenario_is_a_lint_suite(runs: dict[str, Result], out: Path) -> None:
    file = str(out / "payroll.flawed.runbook.yaml")
    n_findings, n_failing = failing_lines(runs["lint-only-flawed"].stdout, file, drill=False)
    assert suites(out / "lint-flawed.xml") == [
        (f"drills lint: {file}", n_findings + 1, n_failing, 0, 0),
        ("drills check: gates", 1, 1, 0, 0),
    ]
    assert suites(out / "lint.xml") == [
        (f"drills lint: {out / 'payroll.runbook.yaml'}", 2, 0, 0, 0),
        ("drills check: gates", 1, 0, 0, 0),
    ]


# -- bad input: one line, exit 2, nothing written -----------------------------------------


ERRORS: dict[str, Callable[[Path], str]] = {
    "missing": lambda out: "runbooks/nope.runbook.yaml:1:1: no such file; check the path",
    "empty-folder": lambda out: "tests/data/junit: the folder holds no runbooks "
                                "(*.runbook.yaml, *.runbook.yml); name the files, or a "
                                "folder that holds them",
    "glob-matches-nothing": lambda out: "examples/*.nope.yaml: the pattern matches no runbooks "
                                        f"file; check the pattern (from {REPO}), or name the "
                                        "files",
    "bad-shard": lambda out: "--shard '3/2' is not K/N with 1 <= K <= N; give which slice of "
                             "how many, e.g. --shard 1/4",
    "bad-select": lambda out: "--select owner-is-teem: not a finding code; did you mean "
                              "'owner-is-team'; the codes are listed in docs/scoring.md",
    "merge-nothing": lambda out: "--merge joins the shards' results: give the folders or "
                                 "files their --format json wrote, e.g. --merge shard-1 "
                                 "shard-2",
    "malformed": lambda out: f"{BAD}/unknown-key.runbook.yaml:4:1: unknown key 'backup_ownr'; "
                             "did you mean 'backup_owner'?",
    "one-bad-of-two": lambda out: f"{BAD}/unknown-key.runbook.yaml:4:1: unknown key "
                                  "'backup_ownr'; did you mean 'backup_owner'?",
    "unknown-scenario": lambda out: "unknown scenario 'invoice-tripple-trigger'; did you mean "
                                    "'invoice-triple-trigger'?",
    "other-automation": lambda out: f"--scenario welcome-email-retry-storm drills "
                                    f"'welcome-email', but {GOOD} is the runbook for "
                                    "'invoice-reminder'; name a scenario for 'invoice-reminder' "
                                    "or leave --scenario out",
    "junit-under-a-file": lambda out: f"--junit {out / 'a-file' / 'drills.xml'}: "
                                      f"{out / 'a-file'} is a file, not a folder; choose a "
                                      "path you can write to",
    "junit-is-a-folder": lambda out: f"--junit {out} is a folder; name a file, e.g. "
                                     f"{out}/drills.xml",
}


@pytest.mark.parametrize("case", list(ERRORS))
def test_bad_input_is_one_line_exit_2_and_nothing_written(
    runs: dict[str, Result], out: Path, case: str
) -> None:
    result = runs[case]
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == f"drills: error: {ERRORS[case](out)}\n"
    junit = Path(result.args[result.args.index("--junit") + 1])
    if junit != out:
        assert not junit.exists()
    assert not list(out.glob(".*.tmp"))


def test_help_documents_the_exit_codes(runs: dict[str, Result]) -> None:
    result = runs["help"]
    assert result.returncode == 0
    assert "Exit codes: 0 passed, 1 a runbook failed the check, 2 bad input or usage." in (
        result.stdout)
    for option in ("--scenario NAME_OR_PATH", "--fail-under SCORE", "--junit FILE",
                   "--no-costs", "-q, --quiet", "--config FILE", "--fail-on", "--jobs N",
                   "--shard K/N", "--merge", "--cache-dir DIR"):
        assert option in result.stdout


def test_check_needs_a_runbook_or_a_configuration(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    result = subprocess.run([sys.executable, "-m", "drills", "check"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=120, check=False)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        "drills: error: no runbooks to check: give RUNBOOK (a file, folder or glob), or list "
        "them as runbooks = [\"runbooks/\"] under [tool.drills] in pyproject.toml\n")


# -- folders, globs and progress -------------------------------------------------------------


def test_a_folder_checks_every_runbook_in_it(runs: dict[str, Result]) -> None:
    result = runs["folder"]
    assert (result.returncode, result.stderr) == (1, "")
    assert result.stdout.splitlines()[-1] == "2 runbooks checked: 1 passed, 1 failed"
    assert {m["file"] for m in findings(result.stdout)} == {GOOD, FLAWED}


def test_a_quoted_glob_checks_what_it_matches(runs: dict[str, Result]) -> None:
    result = runs["glob"]
    assert result.returncode == 1
    assert result.stdout.splitlines()[-1] == "2 runbooks checked: 1 passed, 1 failed"


def test_a_scenario_glob_drills_each_scenario_it_matches(runs: dict[str, Result]) -> None:
    result = runs["scenario-glob"]
    matched = sorted(p.name for p in (REPO / "scenarios/library").glob("invoice*.yaml"))
    # the pattern also matches a scenario of another automation: passed over, not an error
    assert matched == ["invoice-triple-trigger.yaml", "invoices-billed-twice.yaml"]
    started = [line for line in result.progress if "] drilling " in line]  # type: ignore[attr-defined]
    assert len(started) == 1
    assert started[0].rstrip().endswith(f"{GOOD} x invoice-triple-trigger")
    assert result.returncode == 0, result.stdout + result.stderr


def test_each_drill_prints_a_line_as_it_starts_and_ends(runs: dict[str, Result]) -> None:
    progress = runs["both"].progress  # type: ignore[attr-defined]
    assert [line.split("] ")[1].split(" ")[0] for line in progress] == [
        "drilling", "drilling", "done", "done"] or [
        line.split("] ")[1].split(" ")[0] for line in progress] == [
        "drilling", "done", "drilling", "done"]
    assert all(re.search(r" in \d+\.\d s: score \d+/100$", line.rstrip())
               for line in progress if "] done " in line)
    assert runs["flawed-quiet"].progress == []  # type: ignore[attr-defined]
