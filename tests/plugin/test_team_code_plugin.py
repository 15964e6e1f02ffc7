"""The pytest plugin: the team's code failing under ``run_drill`` is one clean test failure.

One line naming the code and its own file and line, as the CLI prints it: no traceback
through drills, no chained "During handling of the above exception" second copy.
"""

from __future__ import annotations

import pytest

# Imported up front so pytester's in-process runs find the engine in sys.modules.
import drills.api  # noqa: F401
from tests.plugin.test_plugin import plugin_args
from tests.review.test_trust import calling_runbook

pytest_plugins = ["pytester"]

TEAMOPS = '''\
import sys
import time


def boom(ctx):
    raise ValueError("boom")  # line 6


def leave(ctx):
    sys.exit(3)  # line 10


def hang(ctx):
    while True:
        time.sleep(0.01)  # line 15


def send(client, event):
    raise KeyError("customer_email")  # line 19
'''

TESTS = '''
from teamops import send


def test_raises(run_drill):
    run_drill("invoice-triple-trigger", "boom.runbook.yaml")


def test_exits(run_drill):
    run_drill("invoice-triple-trigger", "leave.runbook.yaml")


def test_hangs(run_drill):
    run_drill("invoice-triple-trigger", "hang.runbook.yaml")


def test_automation_raises(run_drill):
    run_drill("invoice-triple-trigger", automation=send)


def pause_passed_in(ctx):
    raise RuntimeError("API token expired")  # the line PASSED_IN_LINE finds


def test_pause_passed_in_raises(run_drill):
    run_drill("invoice-triple-trigger", "passed.runbook.yaml",
              pause={"ops.pause:passed": pause_passed_in})
'''

PASSED_IN_LINE = TESTS.strip().splitlines().index(
    '    raise RuntimeError("API token expired")  # the line PASSED_IN_LINE finds') + 1

EXPECTED = [
    "runbook step 'call: teamops:boom' raised ValueError: boom at *teamops.py:6; *",
    "runbook step 'call: teamops:leave' called sys.exit(3) at *teamops.py:10; *",
    "runbook step 'call: teamops:hang' did not return within 0.5 s (it was at "
    "*teamops.py:15); *",
    "automation.callable 'teamops:send' raised KeyError: 'customer_email' at "
    "*teamops.py:19; *",
    "runbook step 'call: ops.pause:passed' raised RuntimeError: API token expired at "
    f"*test_team.py:{PASSED_IN_LINE}; *",
]


@pytest.mark.slow
def test_the_teams_code_failing_is_one_clean_failure_per_test(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DRILLS_CALL_TIMEOUT", "0.5")
    pytester.makeini("[pytest]\naddopts = --strict-markers\n")
    pytester.makepyfile(teamops=TEAMOPS, test_team=TESTS)
    pytester.syspathinsert()
    for name in ("boom", "leave", "hang"):
        calling_runbook(pytester.path / f"{name}.runbook.yaml", f"teamops:{name}")
    calling_runbook(pytester.path / "passed.runbook.yaml", "ops.pause:passed")
    result = pytester.runpytest(*plugin_args(), "-p", "no:cacheprovider")
    result.assert_outcomes(failed=5)
    result.stdout.fnmatch_lines_random(EXPECTED)
    text = result.stdout.str()
    failures = text.split("short test summary info")[0]
    assert "Traceback" not in text
    assert "During handling" not in text
    assert "drills/fixtures.py" not in text
    for line in EXPECTED:  # the message once per test, not once more for a chained cause
        head = line.split(" at ")[0]
        assert failures.count(head) == 1, head
