"""The pytest plugin as a team uses it: a test project that drills its own runbook.

Each test writes a small project with pytester (a copy of the example runbook, test
files using the marker and fixtures) and runs pytest on it in process, then asserts
outcomes, the words a failing or misconfigured test shows, and the report files.
The plugin is loaded through its ``pytest11`` entry point when the installed
distribution declares it, and with ``-p drills.plugin`` otherwise (never both: pytest
refuses to register one module twice).
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from importlib.metadata import entry_points
from pathlib import Path

import pytest

# Imported up front so pytester's in-process runs find the engine in sys.modules rather
# than importing it again for every run.
import drills.api
import drills.plugin
import drills.reports.writer  # noqa: F401
from tests.junit_schema import assert_junit_schema_valid

pytest_plugins = ["pytester"]

REPO = Path(__file__).parents[2]
GOOD = REPO / "examples" / "invoice-reminder.runbook.yaml"
FLAWED = REPO / "examples" / "invoice-reminder.flawed.runbook.yaml"


def plugin_args() -> list[str]:
    """``-p drills.plugin`` unless pytest will load the plugin from its entry point."""
    declared = any(ep.value == "drills.plugin" for ep in entry_points(group="pytest11"))
    autoload = not os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD")
    return [] if declared and autoload else ["-p", "drills.plugin"]


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    """A project with a strict-markers config, the good runbook beside the tests and the
    flawed one under ``runbooks/`` at the rootdir."""
    pytester.makeini("[pytest]\naddopts = --strict-markers\n")
    tests = pytester.mkdir("tests")
    (tests / "invoice-reminder.runbook.yaml").write_text(
        GOOD.read_text(encoding="utf-8"), encoding="utf-8")
    runbooks = pytester.mkdir("runbooks")
    (runbooks / "flawed.runbook.yaml").write_text(
        FLAWED.read_text(encoding="utf-8"), encoding="utf-8")
    return pytester


def run(project: pytest.Pytester, *args: str) -> pytest.RunResult:
    return project.runpytest(*plugin_args(), "-p", "no:cacheprovider", *args)


PASSING = '''
import pytest

pytestmark = pytest.mark.drills(runbook="invoice-reminder.runbook.yaml")


@pytest.mark.drills(scenario="invoice-triple-trigger")
def test_the_marker_sets_scenario_and_runbook(run_drill):
    report = run_drill()
    assert report.outcome.records_left_wrong == 0
    assert report.outcome.contained
    assert not report.critical


def test_runbook_contains_triple_trigger(run_drill):
    report = run_drill("invoice-triple-trigger", "invoice-reminder.runbook.yaml", seed=11)
    assert report.seed == 11
    assert report.outcome.records_left_wrong == 0


def test_a_flawed_runbook_from_the_rootdir_leaves_damage(run_drill):
    report = run_drill("invoice-triple-trigger", "runbooks/flawed.runbook.yaml")
    assert report.outcome.records_left_wrong > 0
    assert {"never-contained", "owner-is-team"} <= {f.code for f in report.critical}


@pytest.mark.drills(scenario="invoice-triple-trigger", seed=5)
def test_drill_world_is_the_seeded_world_before_the_bad_run(drill_world, drill_scenario):
    assert drill_scenario.seed == 5
    assert drill_world.scenario is drill_scenario
    assert drill_world.store.count("billing.invoices") > 0
    assert drill_world.store.count("email.outbox") == 0


@pytest.mark.drills("invoice-triple-trigger")
def test_drill_runbook_comes_from_the_module_mark(drill_runbook, drill_scenario):
    assert drill_runbook.automation == drill_scenario.automation.name == "invoice-reminder"
'''


@pytest.mark.slow
def test_a_project_drills_its_runbook_and_writes_a_report_per_test(
    project: pytest.Pytester,
) -> None:
    project.makepyfile(**{"tests/test_runbook": PASSING})
    result = run(project, "--drills-report-dir", "drill-reports", "--drills-format",
                 "json,junit")
    result.assert_outcomes(passed=5)
    result.stdout.fnmatch_lines([
        "drills: reports to *drill-reports (json, junit)",
        "*- drills -*",
        "6 report file(s) from 3 drill(s) written to *drill-reports",
    ])
    out = project.path / "drill-reports"
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    prefix = "tests-test_runbook.py--"
    assert written == [
        f"{prefix}test_a_flawed_runbook_from_the_rootdir_leaves_damage/"
        "drill-invoice-triple-trigger-1729.json",
        f"{prefix}test_a_flawed_runbook_from_the_rootdir_leaves_damage/"
        "drill-invoice-triple-trigger-1729.junit.xml",
        f"{prefix}test_runbook_contains_triple_trigger/drill-invoice-triple-trigger-11.json",
        f"{prefix}test_runbook_contains_triple_trigger/drill-invoice-triple-trigger-11.junit.xml",
        f"{prefix}test_the_marker_sets_scenario_and_runbook/"
        "drill-invoice-triple-trigger-1729.json",
        f"{prefix}test_the_marker_sets_scenario_and_runbook/"
        "drill-invoice-triple-trigger-1729.junit.xml",
    ]


@pytest.mark.slow
def test_a_failing_assert_shows_the_drill_headline(project: pytest.Pytester) -> None:
    project.makepyfile(**{"tests/test_strict": '''
import pytest

@pytest.mark.drills(scenario="invoice-triple-trigger", runbook="../runbooks/flawed.runbook.yaml")
def test_nothing_left_wrong(run_drill):
    assert run_drill().outcome.records_left_wrong == 0
'''})
    result = run(project, "--junitxml", "pytest-junit.xml")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "*Captured drills call*",
        "invoice-reminder drill: never contained, * records damaged, * left wrong, score */100",
        "owner-is-team critical: the owner 'Finance team' is a team, not a person*",
    ])
    root = ET.parse(project.path / "pytest-junit.xml").getroot()
    assert [p for case in root.iter("testcase") for p in case.iter("property")] == []
    properties = root.iter("property")
    assert [(p.get("name"), (p.get("value") or "")[:33]) for p in properties] == [
        ("drills: tests/test_strict.py::test_nothing_left_wrong",
         "invoice-reminder drill: never con"),
    ]
    assert_junit_schema_valid(project.path / "pytest-junit.xml", ours=False)


BAD_INPUT = '''
import pytest


def test_missing_runbook(run_drill):
    run_drill("invoice-triple-trigger", "nope.runbook.yaml")


def test_runbook_for_another_automation(run_drill):
    run_drill("welcome-email-retry-storm", "invoice-reminder.runbook.yaml")


def test_unknown_scenario(run_drill):
    run_drill("invoice-tripple-trigger")


@pytest.mark.drills(scenario="invoice-triple-trigger", runbok="x.yaml")
def test_misspelt_marker_argument(run_drill):
    run_drill()


def test_no_scenario_anywhere(drill_scenario):
    pass


def my_pause(ctx):
    pass


def test_own_pause_code(run_drill):
    run_drill("invoice-triple-trigger", pause=my_pause)
'''


def test_bad_input_fails_the_test_with_one_line_and_no_traceback(
    project: pytest.Pytester,
) -> None:
    project.makepyfile(**{"tests/test_bad": BAD_INPUT})
    result = run(project)
    result.assert_outcomes(failed=4, errors=2)
    result.stdout.fnmatch_lines_random([
        "*tests/nope.runbook.yaml:1:1: no such file; check the path",
        "invoice-reminder.runbook.yaml is the runbook for 'invoice-reminder', but scenario "
        "'welcome-email-retry-storm' drills 'welcome-email'; pick the matching pair",
        "unknown scenario 'invoice-tripple-trigger'; did you mean 'invoice-triple-trigger'?",
        "@pytest.mark.drills got an unknown argument 'runbok'; did you mean 'runbook'?",
        "no scenario to drill: pass one, run_drill('invoice-triple-trigger', ...), or mark the "
        "test with @pytest.mark.drills(scenario='invoice-triple-trigger')",
        "run_drill(pause=...) takes a mapping from a runbook 'call:' target to your function, "
        "e.g. pause={'ops.pause:everything': pause_everything}",
    ])
    text = result.stdout.str()
    assert "Traceback" not in text
    assert "During handling" not in text
    assert "drills/fixtures.py" not in text


@pytest.mark.parametrize(("args", "message"), [
    (["--drills-report-dir", "out", "--drills-format", "pdf"],
     "ERROR: --drills-format 'pdf': unknown format 'pdf'; choose from console, md, html, "
     "json, junit"),
    (["--drills-format", "json"],
     "ERROR: --drills-format needs --drills-report-dir DIR to say where reports go"),
    (["--drills-report-dir", "tox.ini/reports"],
     "ERROR: --drills-report-dir tox.ini/reports: *tox.ini is a file; name a folder for the "
     "reports"),
], ids=["unknown-format", "format-without-dir", "dir-under-a-file"])
def test_bad_report_options_stop_the_session_as_a_usage_error(
    project: pytest.Pytester, args: list[str], message: str
) -> None:
    project.makepyfile(**{"tests/test_x": "def test_x():\n    pass\n"})
    result = run(project, *args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([message])
    assert not (project.path / "out").exists()


def test_the_marker_is_registered(project: pytest.Pytester) -> None:
    result = run(project, "--markers")
    result.stdout.fnmatch_lines(["@pytest.mark.drills(scenario=None, runbook=None, seed=None, "
                                 "costs=False): the scenario*"])


OWN_PAUSE = '''
import pytest
from pathlib import Path

import yaml


def pause_everything(ctx):
    ctx.control.pause_job(ctx.control.job)
    for name in ctx.control.live_feeders:
        ctx.control.stop_feeder(name)
    return "our pause script ran"


def test_our_pause_script_contains_the_run(run_drill, tmp_path):
    book = yaml.safe_load((Path(__file__).parent / "invoice-reminder.runbook.yaml").read_text())
    book["pause"] = [{"call": "ops.pause:everything", "takes": "1m"}]
    path = tmp_path / "ours.runbook.yaml"
    path.write_text(yaml.safe_dump(book))
    report = run_drill("invoice-triple-trigger", path,
                       pause={"ops.pause:everything": pause_everything})
    assert report.outcome.contained
    assert report.outcome.records_left_wrong == 0
    assert any(s.outcome.startswith("our pause script ran") for s in report.steps)
'''


@pytest.mark.slow
def test_a_runbook_step_calls_the_projects_own_pause_function(project: pytest.Pytester) -> None:
    project.makepyfile(**{"tests/test_own_pause": OWN_PAUSE})
    run(project).assert_outcomes(passed=1)


OWN_AUTOMATION = '''
def send_reminder(client, event):
    """Our reminder rule, as we wrote it: one email and one activity entry per edit."""
    client.send(event.record["customer_email"], "invoice-reminder",
                related=f"billing.invoices:{event.key}")
    client.create("billing.activity", invoice_id=event.key, kind="reminder_sent",
                  message="reminder sent", at=client.now.isoformat())


def test_our_own_automation_under_a_triple_trigger(run_drill):
    report = run_drill("invoice-triple-trigger", "invoice-reminder.runbook.yaml",
                       automation=send_reminder)
    assert report.outcome.records_damaged > 0
    assert report.outcome.records_left_wrong == 0
    assert report.outcome.contained
'''


@pytest.mark.slow
def test_a_user_automation_written_as_a_plain_function(project: pytest.Pytester) -> None:
    project.makepyfile(**{"tests/test_own_automation": OWN_AUTOMATION})
    run(project).assert_outcomes(passed=1)
