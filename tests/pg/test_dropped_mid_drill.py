"""The drill schema dropped by another connection while a drill runs: one line, exit 2,
no pool traceback (issue 22 item 7)."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
import sqlalchemy as sa

from drills.fakes.backends.postgres import admin_engine
from tests.pg.conftest import GOOD, REPO, schemas

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def _tables_in(url: str, schema: str) -> int:
    engine = admin_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.scalar(sa.text(
                "SELECT count(*) FROM pg_tables WHERE schemaname = :s"), {"s": schema}) or 0)
    finally:
        engine.dispose()


def _drop(url: str, schema: str) -> None:
    engine = admin_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    finally:
        engine.dispose()


def test_the_schema_dropped_mid_drill_is_one_line(pg_url: str) -> None:
    before = set(schemas(pg_url))
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONWARNINGS": "error", "COLUMNS": "100"}
    env.pop("DRILLS_BACKEND", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "drills", "run", "invoice-triple-trigger", "--runbook", GOOD,
         "--no-costs", "-q", "--scale", "20", "--backend", pg_url],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        deadline = time.monotonic() + 120
        mine: list[str] = []
        while time.monotonic() < deadline and proc.poll() is None:
            mine = sorted(set(schemas(pg_url)) - before)
            if mine and _tables_in(pg_url, mine[0]) > 0:
                break
            time.sleep(0.02)
        assert mine, "the drill never created its schema"
        _drop(pg_url, mine[0])
        stdout, stderr = proc.communicate(timeout=300)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert "Traceback" not in stderr, stderr
    assert proc.returncode == 2, (proc.returncode, stdout, stderr)
    assert stderr.count("\n") == 1, stderr
    assert stderr.startswith(
        f"drills: error: the drill schema {mine[0]} in {pg_url} was dropped while the drill "
        "ran"), stderr
    assert mine[0] not in schemas(pg_url)
