"""Through the real CLI: the team's code that raises, exits or hangs ends the drill with
one line naming it and its own file and line, exit 2, and no traceback.

The folder holds ``teamops.py`` and runbooks whose first pause step calls one of its
functions; it is on ``PYTHONPATH``, the way a team's code is found.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.review.test_trust import calling_runbook

pytestmark = pytest.mark.slow

REPO = Path(__file__).parents[2]

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
'''

LINES = {"boom": 6, "leave": 10, "hang": 15}
HAPPENED = {
    "boom": "raised ValueError: boom",
    "leave": "called sys.exit(3)",
    "hang": "did not return within 1 s",
}

Result = subprocess.CompletedProcess[str]


def drills(*args: str, folder: Path, timeout_env: str | None = None) -> Result:
    env = {k: v for k, v in os.environ.items() if k != "DRILLS_CALL_TIMEOUT"}
    env.update(PYTHONPATH=os.pathsep.join([str(REPO), str(folder)]), PYTHONWARNINGS="error",
               COLUMNS="200")
    if timeout_env is not None:
        env["DRILLS_CALL_TIMEOUT"] = timeout_env
    return subprocess.run(
        [sys.executable, "-m", "drills", *args], cwd=folder, env=env,
        capture_output=True, text=True, timeout=300, check=False,
    )


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("team")
    (work / "teamops.py").write_text(TEAMOPS, encoding="utf-8")
    for name in LINES:
        calling_runbook(work / f"{name}.runbook.yaml", f"teamops:{name}")
    return work


def assert_one_line(done: Result, name: str) -> None:
    assert done.returncode == 2, done.stderr
    # 'drills check' says which drill it starts ('[12:00:00] drilling 1/1: ...') first
    lines = [ln for ln in done.stderr.splitlines() if not re.match(r"^\[[\d:]{8}\] ", ln)]
    assert len(lines) == 1, done.stderr
    (line,) = lines
    assert "Traceback" not in done.stderr
    assert line.startswith(f"drills: error: runbook step 'call: teamops:{name}' "
                           f"{HAPPENED[name]}")
    assert f"teamops.py:{LINES[name]}" in line


@pytest.mark.parametrize("name", list(LINES))
def test_run_stops_with_one_line_naming_the_callable_and_its_line(
    folder: Path, name: str
) -> None:
    started = time.monotonic()
    done = drills("run", "invoice-triple-trigger", "--runbook", f"{name}.runbook.yaml",
                  "--no-costs", "--call-timeout", "1", folder=folder)
    assert_one_line(done, name)
    assert time.monotonic() - started < 60


@pytest.mark.parametrize("name", list(LINES))
def test_check_stops_with_the_same_line(folder: Path, name: str) -> None:
    done = drills("check", f"{name}.runbook.yaml", "--scenario", "invoice-triple-trigger",
                  "--no-costs", "--call-timeout", "1", folder=folder)
    assert_one_line(done, name)
    assert done.stdout == ""


def test_the_environment_sets_the_timeout(folder: Path) -> None:
    done = drills("run", "invoice-triple-trigger", "--runbook", "hang.runbook.yaml",
                  "--no-costs", folder=folder, timeout_env="1")
    assert_one_line(done, "hang")


def test_a_hang_with_gap_costs_still_stops_promptly(folder: Path) -> None:
    started = time.monotonic()
    done = drills("run", "invoice-triple-trigger", "--runbook", "hang.runbook.yaml",
                  "--call-timeout", "1", folder=folder)
    assert_one_line(done, "hang")
    assert time.monotonic() - started < 60


@pytest.mark.parametrize("command", ["run", "check", "live"])
@pytest.mark.parametrize(("value", "shown"), [("0", "'0'"), ("-2", "'-2'"), ("soon", "'soon'")])
def test_a_bad_timeout_is_one_usage_line(
    folder: Path, command: str, value: str, shown: str
) -> None:
    target = "invoice-triple-trigger" if command != "check" else "boom.runbook.yaml"
    done = drills(command, target, f"--call-timeout={value}", folder=folder)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"drills: error: --call-timeout {shown} is not a finite number of seconds above 0; "
        "give how long one call of the team's code may run, e.g. --call-timeout 30"
    ]


def test_a_bad_timeout_in_the_environment_names_the_variable(folder: Path) -> None:
    done = drills("run", "invoice-triple-trigger", "--no-costs", folder=folder,
                  timeout_env="0")
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "drills: error: DRILLS_CALL_TIMEOUT='0' is not a finite number of seconds above 0; "
        "give how long one call of the team's code may run, e.g. DRILLS_CALL_TIMEOUT=30"
    ]
