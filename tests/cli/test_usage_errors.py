"""A usage mistake is one line and exit 2, like every other bad input, in the real CLI."""

from __future__ import annotations

import subprocess
import sys

import pytest

CASES = [
    (["run", "invoice-triple-trigger", "--scale", "abc"],
     "drills: error: Invalid value for '--scale': 'abc' is not a valid float. "
     "(see 'drills run --help')"),
    (["run"], "drills: error: Missing argument 'SCENARIO'. (see 'drills run --help')"),
    (["run", "invoice-triple-trigger", "--no-such-flag"],
     "drills: error: No such option '--no-such-flag'. (see 'drills run --help')"),
    (["nope"], "drills: error: No such command 'nope'. (see 'drills --help')"),
    (["check", "x.runbook.yaml", "--fail-under", "101"],
     "drills: error: Invalid value for '--fail-under': 101 is not in the range 0<=x<=100. "
     "(see 'drills check --help')"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("args", "line"), CASES, ids=[" ".join(a) for a, _ in CASES])
def test_a_usage_mistake_is_one_line(args: list[str], line: str) -> None:
    run = subprocess.run([sys.executable, "-m", "drills", *args], capture_output=True,
                         text=True, check=False)
    assert (run.returncode, run.stdout, run.stderr) == (2, "", line + "\n")


@pytest.mark.slow
def test_bare_drills_shows_the_help() -> None:
    run = subprocess.run([sys.executable, "-m", "drills"], capture_output=True, text=True,
                         check=False)
    assert run.returncode == 2
    assert run.stderr.startswith("Usage: drills [OPTIONS] COMMAND [ARGS]...")
    assert "Commands:" in run.stderr
