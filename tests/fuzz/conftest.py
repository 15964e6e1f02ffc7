"""The fuzz tests' fixed budgets, as Hypothesis profiles, and the count of cases tried.

Each fuzz test takes its settings from a profile named after it, registered here, so
the whole budget is in one place. The default profiles are what CI runs: a fixed
number of cases, derandomized (the same command draws the same cases on every run,
so a red CI run is reproducible and a green one means the same thing each time; the
cases can shift a little when other hypothesis tests run before these in the same
process), no example database, no deadline (the machine is shared and slow). About
60 s wall, 35 s of CPU, on a 2-core machine.

``DRILLS_FUZZ=deep`` multiplies every budget by 25 and draws fresh random cases:
the mode for hunting bugs locally (``DRILLS_FUZZ=deep pytest tests/fuzz``).
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

from tests.fuzz.tally import CASES

DEEP = os.environ.get("DRILLS_FUZZ") == "deep"

BUDGETS = {
    "fuzz-scenario-files": 500,
    "fuzz-runbook-files": 400,
    "fuzz-drills": 12,
    "fuzz-cli-validate": 10,
    "fuzz-cli-run": 4,
}
"""Cases per test in CI."""

for name, cases in BUDGETS.items():
    settings.register_profile(
        name,
        max_examples=cases * 25 if DEEP else cases,
        derandomize=not DEEP,
        database=None,
        deadline=None,
        print_blob=True,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.filter_too_much,
            HealthCheck.function_scoped_fixture,
        ],
    )


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """One line per fuzz test: how many cases it tried and how they ended."""
    if not CASES:
        return
    terminalreporter.section("fuzz cases tried")
    total = 0
    for test, outcomes in sorted(CASES.items()):
        n = sum(outcomes.values())
        total += n
        parts = ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items()))
        terminalreporter.write_line(f"{test}: {n} cases ({parts})")
    terminalreporter.write_line(f"total: {total} cases")
