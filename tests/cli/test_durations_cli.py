"""``drills run`` of a runbook claiming 0s for every step: the real CLI reports real times."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

pytestmark = pytest.mark.slow

REPO = Path(__file__).parents[2]
EXAMPLES = REPO / "tests" / "data" / "examples"
SCENARIO = EXAMPLES / "invoice-triple-trigger.scenario.yaml"
RUNBOOK = EXAMPLES / "invoice-reminder.runbook.yaml"


def drills(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONWARNINGS": "error", "COLUMNS": "100"}
    return subprocess.run(
        [sys.executable, "-m", "drills", *args],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False,
    )


def run_json(runbook: Path, out: Path) -> dict[str, Any]:
    run = drills("run", str(SCENARIO), "--runbook", str(runbook), "--no-costs",
                 "--out", str(out), "--format", "json", "-q")
    assert run.returncode == 0, run.stderr
    (report,) = out.glob("*.json")
    loaded: dict[str, Any] = json.loads(report.read_text(encoding="utf-8"))
    return loaded


def phases(report: dict[str, Any]) -> dict[str, float]:
    return {p["name"]: p["minute"] for p in report["phases"] if p["minute"] is not None}


def test_zero_takes_take_the_modelled_minimums_through_the_cli(tmp_path: Path) -> None:
    sections = yaml.safe_load(RUNBOOK.read_text(encoding="utf-8"))
    for step in sections["pause"]:
        step["takes"] = "0s"
    for key in ("snapshot", "scope", "repair", "verify", "restart"):
        sections[key]["takes"] = "0s"
    zero = tmp_path / "zero.runbook.yaml"
    zero.write_text(yaml.safe_dump(sections, sort_keys=False), encoding="utf-8")

    report = run_json(zero, tmp_path / "zero")
    at = phases(report)
    # Before step times were modelled, this runbook contained and repaired in the minute
    # it detected (1, 1, 1); four pause steps take a minute each, and the repair alone
    # takes ten minutes to write and review its script.
    assert at["contained"] - at["detected"] >= 4
    assert at["repaired"] - at["detected"] >= 4 + 3 + 9 + 10
    codes = [f["code"] for f in report["findings"]]
    assert codes.count("takes-below-minimum") == 1
    found = next(f for f in report["findings"] if f["code"] == "takes-below-minimum")
    assert found["severity"] == "low"
    for path in ("pause[0].takes", "pause[3].takes", "snapshot.takes", "scope.takes",
                 "repair.takes", "verify.takes", "restart.takes"):
        assert path in found["fix"], path

    good = run_json(RUNBOOK, tmp_path / "good")
    assert "takes-below-minimum" not in [f["code"] for f in good["findings"]]
    assert phases(good)["contained"] == 6.0
    assert phases(good)["repaired"] == 56.0
