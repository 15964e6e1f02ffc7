"""Two drills at once on one database: each in its own schema, records never cross.

Two real ``drills run`` processes on the same PostgreSQL, held mid-drill together by
their pause script (:mod:`tests.pg.barrier`) while this test looks at both schemas;
then each report must equal the report of the same drill run alone.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from drills.api import run_drill
from drills.fakes.backends.postgres import admin_engine
from drills.reports.jsonout import render_json
from drills.runbook import load_runbook
from drills.scenarios.loader import load_scenario
from tests.pg.conftest import GOOD, REPO, drop_schemas

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

SEEDS = {"a": 11, "b": 12}


def runbook_with_barrier(folder: Path) -> Path:
    text = (REPO / GOOD).read_text(encoding="utf-8")
    step = "  - {pause_job: invoice-reminder, takes: 2m}\n"
    assert step in text
    path = folder / "barrier.runbook.yaml"
    path.write_text(text.replace(step, '  - {call: "tests.pg.barrier:meet", takes: 2m}\n'),
                    encoding="utf-8")
    return path


def start(party: str, url: str, runbook: Path, barrier: Path, out: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONWARNINGS": "error",
           "DRILLS_TEST_BARRIER": str(barrier), "DRILLS_TEST_PARTY": party}
    env.pop("DRILLS_BACKEND", None)
    return subprocess.Popen(
        [sys.executable, "-m", "drills", "run", "invoice-triple-trigger", "--runbook",
         str(runbook), "--seed", str(SEEDS[party]), "--backend", url, "--no-costs",
         "--keep", "--format", "json", "--out", str(out / party), "-q"],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def facts(report: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in report.items() if k not in ("wall_seconds", "ran_at", "backend")}


def test_two_drills_at_once_on_one_database_never_see_each_other(
    pg_url: str, tmp_path: Path
) -> None:
    barrier = tmp_path / "barrier"
    barrier.mkdir()
    runbook = runbook_with_barrier(tmp_path)
    procs = {p: start(p, pg_url, runbook, barrier, tmp_path / "out") for p in SEEDS}
    kept: list[str] = []
    try:
        for _ in range(2400):
            if all((barrier / f"{p}.schema").exists() for p in SEEDS):
                break
            assert all(proc.poll() is None for proc in procs.values()), [
                proc.communicate() for proc in procs.values() if proc.poll() is not None]
            time.sleep(0.05)
        names = {p: (barrier / f"{p}.schema").read_text(encoding="utf-8") for p in SEEDS}
        kept = list(names.values())
        # Both drills are mid-run now, each parked in its pause step.
        assert all(proc.poll() is None for proc in procs.values())
        assert names["a"] != names["b"]
        engine = admin_engine(pg_url)
        try:
            with engine.connect() as conn:
                for party, schema in names.items():
                    runs = set(conn.scalars(sa.text(
                        f'SELECT DISTINCT run_id FROM "{schema}"._drills_changes '
                        "WHERE run_id IS NOT NULL")))
                    assert runs == {f"invoice-reminder-run-{SEEDS[party]}"}
                a_names, b_names = (
                    set(conn.scalars(sa.text(
                        f'SELECT first_name || last_name FROM "{names[p]}".crm__contacts')))
                    for p in ("a", "b")
                )
                assert a_names != b_names  # two seeds, two worlds, side by side
        finally:
            engine.dispose()
    finally:
        (barrier / "go").touch()
        outputs = {p: proc.communicate(timeout=300) for p, proc in procs.items()}
        drop_schemas(pg_url, kept)
    for party, proc in procs.items():
        assert proc.returncode == 0, outputs[party]
        assert f"kept drill schema {names[party]} in " in outputs[party][0]
        written = json.loads(
            (tmp_path / "out" / party / f"drill-invoice-triple-trigger-{SEEDS[party]}.json")
            .read_text(encoding="utf-8"))
        scenario = load_scenario("invoice-triple-trigger").model_copy(
            update={"seed": SEEDS[party]})
        alone = run_drill(scenario, load_runbook(runbook), costs=False,
                          runbook_path=str(runbook), backend="sqlite")
        assert facts(written) == facts(json.loads(render_json(alone)))
        assert written["steps"][0]["target"] == "tests.pg.barrier:meet"
        assert written["steps"][0]["outcome"].startswith("paused the job")
