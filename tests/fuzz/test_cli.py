"""Fuzzed files through the real CLI, each in its own process: a smaller budget.

What the in-process tests prove of the loaders, this proves of what a person sees:
the exit code is 0, 1 or 2, no traceback ever reaches stderr, ``drills validate``
prints each problem as ``FILE:LINE:COL: ...`` and ``drills run`` refuses a bad file
with exactly one ``drills: error:`` line. Files that load and are small are drilled
for real (``drills run FILE --no-costs``); big ones are only validated, as a drill of
a million records is no fuzz case.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drills.errors import DrillsError
from drills.runbook.loader import validate_runbook_file
from drills.scenarios.loader import load_scenario, validate_scenario_file
from drills.scenarios.schema import Scenario
from tests.fuzz.strategies import RUNBOOK_SEEDS, SCENARIO_SEEDS, Doc, documents
from tests.fuzz.tally import count

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
NAMES = st.sampled_from(["fuzzed.yaml", "with space.yaml", "ünïcødé ✓.yaml"])


def drills(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONWARNINGS": "error", "COLUMNS": "100"}
    return subprocess.run(
        [sys.executable, "-m", "drills", *args],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False,
    )


def _small(data: dict[str, Any]) -> dict[str, Any]:
    world = data.get("world")
    if isinstance(world, dict):
        for system, tables in world.items():
            if system not in ("warehouse", "syncs") and isinstance(tables, dict):
                for table, n in tables.items():
                    if isinstance(n, int):
                        tables[table] = min(n, 30)
    fault = data.get("fault")
    if isinstance(fault, dict) and isinstance(fault.get("reach"), int):
        fault["reach"] = min(fault["reach"], 8)
    data["runs_for"] = "1h"
    return data


def small_enough_to_drill(scenario: Scenario) -> bool:
    return (
        scenario.world.total <= 300
        and scenario.runs_for.total_seconds() <= 3 * 3600
        and scenario.people_edits() <= 500
        and scenario.run_writes()[2] <= 2_000
    )


@settings(settings.get_profile("fuzz-cli-validate"))
@given(doc=st.one_of(documents(SCENARIO_SEEDS), documents(RUNBOOK_SEEDS)), name=NAMES)
def test_validate_never_shows_a_traceback(doc: Doc, name: str) -> None:
    is_runbook = doc.seed.endswith(".runbook.yaml")
    with tempfile.TemporaryDirectory() as folder:
        path = doc.write(Path(folder), name.replace(".yaml", ".runbook.yaml")
                         if is_runbook else name)
        run = drills("validate", str(path))
        expected = (validate_runbook_file if is_runbook else validate_scenario_file)(path)
    assert "Traceback" not in run.stderr
    assert run.stderr == ""
    if expected:
        assert run.returncode == 2, run.stdout
        printed = run.stdout.splitlines()
        assert printed == [str(e) for e in expected]
        assert all(line.startswith(f"{path}:") for line in printed)
        count("cli validate", "refused")
    else:
        assert run.returncode == 0, run.stdout
        assert run.stdout == f"ok: {path}\n"
        count("cli validate", "valid")


@settings(settings.get_profile("fuzz-cli-run"))
@given(doc=documents(SCENARIO_SEEDS, shrink=_small), name=NAMES)
def test_run_is_a_drill_or_one_error_line(doc: Doc, name: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = doc.write(Path(folder), name)
        try:
            scenario: Scenario | None = load_scenario(path)
        except DrillsError as err:
            scenario, refusal = None, str(err)
        if scenario is not None and not small_enough_to_drill(scenario):
            count("cli run", "too big to drill")
            return
        run = drills("run", str(path), "--no-costs", "-q")
        outside = sorted(p.name for p in Path(folder).iterdir())
    assert "Traceback" not in run.stderr
    assert run.returncode in (0, 1, 2), run.stderr
    assert outside == [name]  # nothing written next to the file, whatever happened
    if scenario is None:
        assert run.returncode == 2
        assert run.stderr == f"drills: error: {refusal}\n"
        assert run.stdout == ""
        count("cli run", "refused")
    else:
        assert run.returncode in (0, 1), run.stderr
        assert "drill:" in run.stdout
        count("cli run", "drilled")
