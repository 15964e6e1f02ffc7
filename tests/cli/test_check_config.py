"""``drills check`` driven by ``[tool.drills]``: a team's repository, as CI checks it.

Each test builds a small team repository in a temporary folder (runbooks, a
``pyproject.toml`` or ``drills.toml``, sometimes the team's own code) and runs the real
CLI there, with no arguments where the configuration is the point. Runbooks of an
automation no scenario drills keep most cases to the lint, which is quick; the cases
about drills (the team's code, the cache, shards) drill the built-in
invoice-triple-trigger without gap costs.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.junit_schema import assert_ant_junit_valid, assert_junit_schema_valid

pytestmark = pytest.mark.slow

REPO = Path(__file__).parents[2]
GOOD = (REPO / "examples" / "invoice-reminder.runbook.yaml").read_text(encoding="utf-8")
FLAWED = (REPO / "examples" / "invoice-reminder.flawed.runbook.yaml").read_text(
    encoding="utf-8")
NO_BACKUP = GOOD.replace("backup_owner: {name: Luis Ortega, role: Billing ops}\n", "")
"""The good runbook without its backup owner: a high finding (missing-backup-owner), no
critical one."""
PROGRESS = re.compile(r"^\[\d\d:\d\d:\d\d\] (drilling|done|cached) \d+/\d+: ")

Result = subprocess.CompletedProcess[str]


def drills(folder: Path, *args: str, command: str = "check") -> Result:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DRILLS_CALL_TIMEOUT", "GITHUB_STEP_SUMMARY", "DRILLS_TRUSTED")}
    env.update(PYTHONPATH=str(REPO), PYTHONWARNINGS="error")
    return subprocess.run([sys.executable, "-m", "drills", command, *args], cwd=folder,
                          env=env, capture_output=True, text=True, timeout=600, check=False)


def errors(result: Result) -> list[str]:
    """stderr without the progress lines."""
    return [line for line in result.stderr.splitlines() if not PROGRESS.match(line)]


def progress(result: Result, kind: str) -> list[str]:
    return [line for line in result.stderr.splitlines()
            if PROGRESS.match(line) and f"] {kind} " in line]


def repo(tmp_path: Path, config: str, *, name: str = "pyproject.toml",
         runbooks: dict[str, str] | None = None) -> Path:
    """A team repository: runbooks under runbooks/, and the configuration file."""
    (tmp_path / "runbooks").mkdir(exist_ok=True)
    for file, text in (runbooks or {}).items():
        (tmp_path / "runbooks" / file).write_text(text, encoding="utf-8")
    (tmp_path / name).write_text(config, encoding="utf-8")
    return tmp_path


def payroll(text: str) -> str:
    """The runbook for an automation no built-in scenario drills."""
    return text.replace("automation: invoice-reminder", "automation: payroll-export")


# -- the configuration is read, and says so ----------------------------------------------------


def test_check_with_no_arguments_reads_pyproject_and_names_it(tmp_path: Path) -> None:
    folder = repo(tmp_path, '[project]\nname = "team"\n\n[tool.drills]\n'
                  'runbooks = ["runbooks/"]\nfail-on = "high"\n',
                  runbooks={"pay.runbook.yaml": payroll(GOOD),
                            "nobackup.runbook.yaml": payroll(NO_BACKUP)})
    result = drills(folder)
    assert errors(result)[0] == "config: pyproject.toml [tool.drills]"
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[-1] == "2 runbooks checked: 1 passed, 1 failed"
    assert "runbooks/nobackup.runbook.yaml: failed: 1 finding at or above high " \
           "(missing-backup-owner) fail the check" in lines
    assert any(line.startswith("runbooks/pay.runbook.yaml: passed") for line in lines)


def test_fail_on_critical_is_the_default_and_a_flag_overrides_the_file(tmp_path: Path) -> None:
    folder = repo(tmp_path, '[tool.drills]\nrunbooks = ["runbooks/*.runbook.yaml"]\n',
                  runbooks={"nobackup.runbook.yaml": payroll(NO_BACKUP)})
    assert drills(folder).returncode == 0
    assert drills(folder, "--fail-on", "high").returncode == 1
    (folder / "pyproject.toml").write_text('[tool.drills]\nrunbooks = ["runbooks/"]\n'
                                           'fail-on = "high"\n', encoding="utf-8")
    assert drills(folder).returncode == 1
    assert drills(folder, "--fail-on", "never").returncode == 0


def test_drills_toml_wins_over_pyproject_and_is_found_from_a_subfolder(tmp_path: Path) -> None:
    folder = repo(tmp_path, '[tool.drills]\nrunbooks = ["nowhere/"]\n',
                  runbooks={"nobackup.runbook.yaml": payroll(NO_BACKUP)})
    (folder / "drills.toml").write_text('runbooks = ["runbooks/"]\nfail-on = "high"\n',
                                        encoding="utf-8")
    (folder / "deep" / "er").mkdir(parents=True)
    result = drills(folder / "deep" / "er")
    assert errors(result)[0] == f"config: {folder / 'drills.toml'}"
    assert result.returncode == 1
    assert f"{folder}/runbooks/nobackup.runbook.yaml: failed" in result.stdout or \
           "nobackup.runbook.yaml: failed" in result.stdout


def test_a_pyproject_without_our_table_is_passed_over(tmp_path: Path) -> None:
    outer = repo(tmp_path, '[tool.drills]\nrunbooks = ["runbooks/"]\n',
                 runbooks={"pay.runbook.yaml": payroll(GOOD)})
    inner = outer / "pkg"
    inner.mkdir()
    (inner / "pyproject.toml").write_text('[project]\nname = "pkg"\n', encoding="utf-8")
    result = drills(inner)
    assert errors(result)[0] == f"config: {outer / 'pyproject.toml'} [tool.drills]"
    assert result.returncode == 0


def test_config_names_a_file_explicitly(tmp_path: Path) -> None:
    folder = repo(tmp_path, 'runbooks = ["runbooks/"]\nfail-on = "high"\n',
                  name="ci-drills.toml", runbooks={"nobackup.runbook.yaml": payroll(NO_BACKUP)})
    result = drills(folder, "--config", "ci-drills.toml")
    assert errors(result)[0] == "config: ci-drills.toml"
    assert result.returncode == 1


# -- select, ignore, accept --------------------------------------------------------------------


def test_ignore_and_select_filter_findings_before_the_gates(tmp_path: Path) -> None:
    folder = repo(tmp_path, '[tool.drills]\nrunbooks = ["runbooks/"]\nfail-on = "high"\n'
                  'ignore = ["missing-backup-owner"]\n',
                  runbooks={"nobackup.runbook.yaml": payroll(NO_BACKUP)})
    result = drills(folder)
    assert result.returncode == 0
    assert "missing-backup-owner" not in result.stdout
    selected = drills(folder, "--select", "backup-cannot-pause,owner-is-team")
    codes = {line.split(": ")[1].split()[0] for line in selected.stdout.splitlines()
             if re.match(r"^runbooks/\S+:\d+: ", line)}
    assert codes <= {"backup-cannot-pause", "owner-is-team"}


def test_an_accepted_finding_is_shown_with_its_reason_and_passes(tmp_path: Path) -> None:
    later = (datetime.now(UTC).date() + timedelta(days=30)).isoformat()
    folder = repo(tmp_path, f'''[tool.drills]
runbooks = ["runbooks/"]
fail-on = "high"

[[tool.drills.accept]]
code = "missing-backup-owner"
runbook = "runbooks/nobackup.runbook.yaml"
reason = "Backup joins the finance rota in January"
expires = {later}
''', runbooks={"nobackup.runbook.yaml": payroll(NO_BACKUP)})
    result = drills(folder)
    assert result.returncode == 0, result.stdout
    (line,) = [ln for ln in result.stdout.splitlines() if "missing-backup-owner" in ln]
    assert line.startswith("runbooks/nobackup.runbook.yaml:1: missing-backup-owner high ")
    assert line.endswith(" [accepted: Backup joins the finance rota in January]")
    sarif = json.loads(drills(folder, "--format", "sarif").stdout)
    (accepted,) = [r for r in sarif["runs"][0]["results"]
                   if r["ruleId"] == "missing-backup-owner"]
    assert accepted["suppressions"] == [{"kind": "external", "status": "accepted",
                                         "justification": "Backup joins the finance rota in "
                                                          "January"}]


def test_an_expired_acceptance_fails_the_job_with_one_line(tmp_path: Path) -> None:
    earlier = (datetime.now(UTC).date() - timedelta(days=1)).isoformat()
    folder = repo(tmp_path, f'''[tool.drills]
runbooks = ["runbooks/"]

[[tool.drills.accept]]
code = "backup-cannot-pause"
reason = "Luis gets pause rights after training"
expires = {earlier}
''', runbooks={"pay.runbook.yaml": payroll(GOOD)})
    result = drills(folder)
    assert result.returncode == 1
    expired = [ln for ln in result.stdout.splitlines() if "expired" in ln]
    assert expired == [
        f"pyproject.toml:4: the acceptance of backup-cannot-pause expired on {earlier} (Luis "
        "gets pause rights after training); fix the finding, or give the acceptance a "
        "later 'expires'"]
    assert result.stdout.splitlines()[-1] == \
        "1 runbook checked: 1 passed, 0 failed; 1 job gate failed"
    assert "[accepted:" not in result.stdout  # an expired acceptance accepts nothing


# -- not drilled, and the score gate -----------------------------------------------------------


def test_a_runbook_no_scenario_drills_fails_a_score_gate_saying_so(tmp_path: Path) -> None:
    folder = repo(tmp_path, '[tool.drills]\nrunbooks = ["runbooks/"]\nfail-under = 70\n',
                  runbooks={"pay.runbook.yaml": payroll(GOOD)})
    result = drills(folder, "--format", "junit", "--output", "drills.xml")
    assert result.returncode == 1
    assert "runbooks/pay.runbook.yaml: not drilled: no scenario drills 'payroll-export'" in \
        result.stdout
    assert "runbooks/pay.runbook.yaml: failed: not drilled (no scenario drills " \
           "'payroll-export'), and a score not measured does not pass --fail-under 70; name " \
           "a scenario for it under [tool.drills.scenarios] or with --scenario" in \
           result.stdout.splitlines()
    xml = folder / "drills.xml"
    assert_junit_schema_valid(xml)
    assert_ant_junit_valid(xml)
    assert 'name="fail-under 70: runbooks/pay.runbook.yaml"' in xml.read_text("utf-8")
    # without a score gate the lint decides, and the verdict says nothing was measured
    (folder / "pyproject.toml").write_text('[tool.drills]\nrunbooks = ["runbooks/"]\n',
                                           encoding="utf-8")
    quiet = drills(folder)
    assert quiet.returncode == 0
    assert "runbooks/pay.runbook.yaml: passed (lint only: not drilled, no score measured)" in \
        quiet.stdout


# -- bad configuration: one line naming file and line, exit 2 ----------------------------------


BAD: dict[str, tuple[str, str]] = {
    "score-too-high": ('[tool.drills]\nrunbooks = ["runbooks/"]\nfail-under = 200\n',
                       "pyproject.toml:3: fail-under: Input should be less than or equal to "
                       "100; give a whole number of points from 0 to 100, e.g. fail-under = 70"),
    "unknown-severity": ('[tool.drills]\nfail-on = "severe"\n',
                         "pyproject.toml:2: fail-on: Input should be 'critical', 'high', "
                         "'medium', 'low' or 'never'; give one of \"critical\", \"high\", "
                         "\"medium\", \"low\", \"never\""),
    "underscore-key": ('[tool.drills]\n\nfail_under = 70\n',
                       "pyproject.toml:3: fail_under: unknown key 'fail_under'; did you mean "
                       "'fail-under'; the keys are runbooks, python-path, call-timeout, "
                       "fail-under, fail-on, select, ignore, jobs, cache-dir, scenarios, accept"),
    "unknown-code": ('[tool.drills]\nrunbooks = ["runbooks/"]\nignore = ["owner-is-teem"]\n',
                     "pyproject.toml:3: ignore: 'owner-is-teem' is not a finding code; did "
                     "you mean 'owner-is-team'; the codes are listed in docs/scoring.md "
                     "(python -m drills.findings)"),
    "accept-no-reason": ('[tool.drills]\n\n[[tool.drills.accept]]\ncode = "no-comms"\n'
                         'expires = 2030-01-01\n\n[[tool.drills.accept]]\ncode = "no-comms"\n'
                         'expires = 2030-01-01\n',
                         "pyproject.toml:3: accept[0].reason: 'reason' is missing; say why it "
                         "is accepted, e.g. reason = \"backup joins the rota in January\""),
    "accept-bad-date": ('[tool.drills]\n\n[[tool.drills.accept]]\ncode = "no-comms"\n'
                        'reason = "ok"\nexpires = 2030-01-01\n\n[[tool.drills.accept]]\n'
                        'code = "no-comms"\nreason = "ok"\nexpires = "soon"\n',
                        "pyproject.toml:11: accept[1].expires: Input should be a valid date "
                        "or datetime, input is too short; give a TOML date, e.g. expires = "
                        "2027-01-31"),
    "select-not-a-list": ('[tool.drills]\nselect = "owner-is-team"\n',
                          "pyproject.toml:2: select: Input should be a valid list; give a "
                          "list of finding codes, e.g. select = [\"owner-is-team\"]"),
    "scenarios-not-a-list": ('[tool.drills]\n[tool.drills.scenarios]\ninvoice-reminder = 3\n',
                             "pyproject.toml:3: scenarios.invoice-reminder: Input should be a "
                             "valid list; give each automation a list of scenario files or "
                             "built-in names, e.g. invoice-reminder = "
                             "[\"invoice-triple-trigger\"]"),
    "not-toml": ('[tool.drills]\nrunbooks = ["runbooks/"\nfail-on = "high"\n',
                 "pyproject.toml:3: not valid TOML: Unclosed array; fix the syntax "
                 "(https://toml.io)"),
    "bad-timeout": ('[tool.drills]\nrunbooks = ["runbooks/"]\ncall-timeout = 0\n',
                    "pyproject.toml:3: call-timeout: Input should be greater than 0; give "
                    "seconds above 0, e.g. call-timeout = 30"),
    "scenario-of-another-automation": (
        '[tool.drills]\nrunbooks = ["runbooks/"]\n\n[tool.drills.scenarios]\n'
        'invoice-reminder = ["welcome-email-retry-storm"]\n',
        "pyproject.toml:5: scenarios.invoice-reminder[0] is 'welcome-email-retry-storm', "
        "which drills 'welcome-email', not 'invoice-reminder'; list it under 'welcome-email'"),
    "unknown-scenario": (
        '[tool.drills]\nrunbooks = ["runbooks/"]\n\n[tool.drills.scenarios]\n'
        'invoice-reminder = ["invoice-tripple-trigger"]\n',
        "pyproject.toml:5: scenarios.invoice-reminder[0]: unknown scenario "
        "'invoice-tripple-trigger'; did you mean 'invoice-triple-trigger'?"),
    "runbooks-match-nothing": (
        '[tool.drills]\nfail-on = "high"\nrunbooks = ["ops/*.runbook.yaml"]\n',
        "pyproject.toml:3: runbooks ops/*.runbook.yaml: the pattern matches no "
        "runbooks file; check the pattern (from {folder}), or name the files"),
    "no-runbooks-listed": ('[tool.drills]\nfail-on = "high"\n',
                           "no runbooks to check: give RUNBOOK (a file, folder or glob), or "
                           "list them as runbooks = [\"runbooks/\"] under [tool.drills] in "
                           "pyproject.toml (pyproject.toml [tool.drills] has none)"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_a_bad_configuration_is_one_line_with_file_and_line_exit_2(
    tmp_path: Path, case: str
) -> None:
    text, expected = BAD[case]
    folder = repo(tmp_path, text, runbooks={"pay.runbook.yaml": GOOD})
    result = drills(folder)
    assert (result.returncode, result.stdout) == (2, "")
    lines = [ln for ln in errors(result) if not ln.startswith("config: ")]
    resolved = tmp_path.resolve()
    assert lines == [f"drills: error: {expected.format(folder=resolved)}"]


def test_a_missing_config_file_is_one_line(tmp_path: Path) -> None:
    result = drills(tmp_path, "--config", "nope.toml")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == ("drills: error: --config nope.toml: no such file; name a "
                             "pyproject.toml or drills.toml\n")


# -- the team's code, from the configuration ---------------------------------------------------


TEAM = '''\
import time


def pause_everything(ctx):
    return None


def hang(ctx):
    while True:
        time.sleep(0.01)  # line 10
'''


def _calling(text: str, target: str) -> str:
    return text.replace("pause:\n", f"pause:\n  - {{call: {target}, takes: 1m}}\n", 1)


def test_python_path_makes_the_team_code_importable_and_call_timeout_bounds_it(
    tmp_path: Path,
) -> None:
    (tmp_path / "src" / "teamops").mkdir(parents=True)
    (tmp_path / "src" / "teamops" / "__init__.py").write_text(TEAM, encoding="utf-8")
    folder = repo(tmp_path, '[tool.drills]\nrunbooks = ["runbooks/"]\npython-path = ["src"]\n'
                  'call-timeout = 1\n\n[tool.drills.scenarios]\n'
                  'invoice-reminder = ["invoice-triple-trigger"]\n',
                  runbooks={"ok.runbook.yaml": _calling(GOOD, "teamops:pause_everything")})
    good = drills(folder, "--no-costs", "--no-cache")
    assert good.returncode == 0, good.stdout + good.stderr
    assert "runbooks/ok.runbook.yaml: passed (score " in good.stdout
    (folder / "runbooks" / "ok.runbook.yaml").write_text(_calling(GOOD, "teamops:hang"),
                                                        encoding="utf-8")
    hung = drills(folder, "--no-costs", "--no-cache")
    assert (hung.returncode, hung.stdout) == (2, "")
    (line,) = [ln for ln in errors(hung) if not ln.startswith("config: ")]
    assert line.startswith("drills: error: runbook step 'call: teamops:hang' did not return "
                           "within 1 s (it was at src/teamops/__init__.py:10)")


# -- the cache, jobs and shards ----------------------------------------------------------------


def _findings(result: Result) -> tuple[str, list[tuple[str, str, int, str | None]]]:
    data = json.loads(result.stdout)
    return data["verdict"], sorted(
        (f["file"], f["code"], f["line"], f["scenario"])
        for r in data["runbooks"] for f in r["findings"])


@pytest.fixture(scope="module")
def matrix(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three runbooks (two drilled, one not) for the cache, jobs and shard tests."""
    folder = tmp_path_factory.mktemp("matrix")
    return repo(folder, '[tool.drills]\nrunbooks = ["runbooks/"]\nfail-under = 50\n',
                runbooks={"good.runbook.yaml": GOOD, "flawed.runbook.yaml": FLAWED,
                          "pay.runbook.yaml": payroll(NO_BACKUP)})


def test_a_second_run_with_nothing_changed_drills_nothing(matrix: Path) -> None:
    cache = matrix / "cache-test"
    first = drills(matrix, "--no-costs", "--cache-dir", str(cache), "--format", "json")
    assert len(progress(first, "drilling")) == 2
    assert len(list(cache.glob("*.json"))) == 2
    second = drills(matrix, "--no-costs", "--cache-dir", str(cache), "--format", "json")
    assert progress(second, "drilling") == []
    assert len(progress(second, "cached")) == 2
    assert _findings(second) == _findings(first)
    assert second.returncode == first.returncode == 1
    assert all(d["cached"] for r in json.loads(second.stdout)["runbooks"] for d in r["drills"])
    # a changed runbook is drilled again; the other is still read from the cache
    text = (matrix / "runbooks" / "good.runbook.yaml").read_text(encoding="utf-8")
    (matrix / "runbooks" / "good.runbook.yaml").write_text(text + "\n# edited\n",
                                                           encoding="utf-8")
    try:
        third = drills(matrix, "--no-costs", "--cache-dir", str(cache), "--format", "json")
    finally:
        (matrix / "runbooks" / "good.runbook.yaml").write_text(text, encoding="utf-8")
    assert [ln.split(": ")[1] for ln in progress(third, "drilling")] == [
        "runbooks/good.runbook.yaml x invoice-triple-trigger"]
    assert len(progress(third, "cached")) == 1


def test_shards_merged_give_the_same_verdict_and_findings_as_one_run(matrix: Path) -> None:
    whole = drills(matrix, "--no-costs", "--no-cache", "--format", "json", "--jobs", "2")
    (matrix / "s1").mkdir()
    (matrix / "s2").mkdir()
    one = drills(matrix, "--no-costs", "--no-cache", "--shard", "1/2", "--format", "json",
                 "--output", "s1/drills.json")
    two = drills(matrix, "--no-costs", "--no-cache", "--shard", "2/2", "--format", "json",
                 "--output", "s2/drills.json")
    assert one.returncode in (0, 1)
    assert two.returncode in (0, 1)
    drilled = progress(one, "drilling") + progress(two, "drilling")
    assert len(drilled) == 2  # each pair drilled once, in one shard or the other
    merged = drills(matrix, "--merge", "s1", "s2", "--format", "json")
    assert merged.returncode == whole.returncode == 1
    assert _findings(merged) == _findings(whole)
    assert [r["summary"] for r in json.loads(merged.stdout)["runbooks"]] == \
        [r["summary"] for r in sorted(json.loads(whole.stdout)["runbooks"],
                                      key=lambda r: r["file"])]
    junit = drills(matrix, "--merge", "s1", "s2", "--format", "junit", "--output", "m.xml")
    assert junit.returncode == 1
    assert_junit_schema_valid(matrix / "m.xml")
    assert_ant_junit_valid(matrix / "m.xml")
    missing = drills(matrix, "--merge", "s1", "--format", "json")
    assert (missing.returncode, missing.stdout) == (2, "")
    assert missing.stderr == ("drills: error: --merge: no result for shard 2/2 (got 1/2); "
                              "give every shard's result\n")
    (matrix / "s3").mkdir()
    (matrix / "s3" / "junk.json").write_text("[1, 2]\n", encoding="utf-8")
    junk = drills(matrix, "--merge", "s3")
    assert (junk.returncode, junk.stdout) == (2, "")
    assert junk.stderr == ("drills: error: s3/junk.json: not a 'drills check --format json' "
                           "result; give the files each shard wrote with --format json "
                           "--output\n")


# -- validate and score read the same configuration --------------------------------------------


def test_validate_with_no_files_checks_the_configured_runbooks_and_scenarios(
    tmp_path: Path,
) -> None:
    scenario = (REPO / "scenarios" / "library" / "invoice-triple-trigger.yaml").read_text(
        encoding="utf-8")
    (tmp_path / "drills").mkdir()
    (tmp_path / "drills" / "storm.yaml").write_text(scenario, encoding="utf-8")
    folder = repo(tmp_path, '[tool.drills]\nrunbooks = ["runbooks/"]\n\n'
                  '[tool.drills.scenarios]\ninvoice-reminder = ["drills/*.yaml", '
                  '"invoice-triple-trigger"]\n',
                  runbooks={"a.runbook.yaml": GOOD,
                            "b.runbook.yaml": GOOD.replace("owner:", "ownr:", 1)})
    result = drills(folder, command="validate")
    assert result.returncode == 2
    lines = result.stdout.splitlines()
    assert lines[0] == "ok: runbooks/a.runbook.yaml"
    assert lines[1].startswith("runbooks/b.runbook.yaml:3:1: unknown key 'ownr'")
    assert lines[2] == "ok: drills/storm.yaml"
    assert len(lines) == 3


def test_score_reads_the_configuration_and_drills_in_parallel(tmp_path: Path) -> None:
    folder = repo(tmp_path, '[tool.drills]\nrunbooks = ["runbooks/"]\nfail-under = 90\n',
                  runbooks={"a.runbook.yaml": GOOD,
                            "b.runbook.yaml": FLAWED.replace("automation: invoice-reminder",
                                                             "automation: welcome-email")})
    parallel = drills(folder, "--no-costs", "--as-of", "2026-12-01", "--jobs", "2",
                      command="score")
    serial = drills(folder, "--no-costs", "--as-of", "2026-12-01", "--jobs", "1",
                    command="score")
    assert parallel.stdout == serial.stdout
    assert parallel.returncode == serial.returncode == 1  # fail-under 90 from the file
    assert "drills: welcome-email scores " in parallel.stderr
    assert parallel.stdout.startswith("Readiness review: 2 automations reviewed")
