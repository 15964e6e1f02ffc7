"""``drills run`` on a scenario whose owner is away: the JSON reports show what the
missing backup cost, through the real CLI in its own process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from drills.runbook.complete import complete_sections
from drills.scenarios.loader import load_scenario

pytestmark = pytest.mark.slow

REPO = Path(__file__).parents[2]
AWAY = "invoices-billed-twice"


def report(tmp_path: Path, name: str, sections: dict[str, Any]) -> dict[str, Any]:
    rb = tmp_path / f"{name}.runbook.yaml"
    rb.write_text(yaml.safe_dump(sections, sort_keys=False), encoding="utf-8")
    out = tmp_path / name
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONWARNINGS": "error", "COLUMNS": "100"}
    run = subprocess.run(
        [sys.executable, "-m", "drills", "run", AWAY, "--runbook", str(rb), "--out", str(out),
         "--format", "json", "--no-costs"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False,
    )
    assert run.returncode in (0, 1), run.stderr
    data: dict[str, Any] = json.loads(next(out.glob("*.json")).read_text(encoding="utf-8"))
    return data


def test_owner_away_without_a_backup_damages_more(tmp_path: Path) -> None:
    full = complete_sections(load_scenario(AWAY))
    alone = {k: v for k, v in full.items() if k != "backup_owner"}
    backed = report(tmp_path, "backed", full)
    unbacked = report(tmp_path, "alone", alone)
    assert unbacked["outcome"]["records_damaged"] > backed["outcome"]["records_damaged"]
    codes = {f["code"] for f in unbacked["findings"]}
    assert "waited-for-escalation" in codes
    assert "waited-for-escalation" not in {f["code"] for f in backed["findings"]}
    assert any("is away" in e["what"] for e in unbacked["log"])
