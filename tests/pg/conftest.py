"""Fixtures for the PostgreSQL-only tests: throwaway databases, the CLI, a password URL.

Every test module here is marked ``postgres`` (``pytestmark``) and needs the test
PostgreSQL (``pg_url``): without one they skip with the reason, under ``CI=true`` they fail.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from drills.fakes.backends.base import url_parts
from drills.fakes.backends.postgres import admin_engine

REPO = Path(__file__).parents[2]
GOOD = "examples/invoice-reminder.runbook.yaml"
FLAWED = "examples/invoice-reminder.flawed.runbook.yaml"


def drills(
    *args: str, env: dict[str, str] | None = None, cwd: Path = REPO
) -> subprocess.CompletedProcess[str]:
    """The real CLI in its own process, as a user runs it."""
    full = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONWARNINGS": "error", "COLUMNS": "100"}
    full.pop("DRILLS_BACKEND", None)
    full.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "drills", *args],
        cwd=cwd, env=full, capture_output=True, text=True, timeout=600, check=False,
    )


def with_database(url: str, database: str) -> str:
    """``url`` pointing at another database on the same server."""
    base, _, _ = url.partition("?")
    return base.rsplit("/", 1)[0] + "/" + database


def with_password(url: str, password: str) -> str:
    """``url`` with ``password`` in it (the test server trusts local users, so any works)."""
    parts = url_parts(url)
    assert parts is not None
    scheme, userinfo, hostport, path = parts
    user = userinfo.partition(":")[0] or "postgres"
    return f"{scheme}://{user}:{password}@{hostport}{path}"


def schemas(url: str) -> list[str]:
    """The drill schemas in the database at ``url``."""
    from drills.fakes.backends.sandbox import drill_schemas

    engine = admin_engine(url)
    try:
        with engine.connect() as conn:
            return drill_schemas(conn)
    finally:
        engine.dispose()


def drop_schemas(url: str, names: list[str]) -> None:
    """Drop drill schemas a test kept (``drop_schema`` refuses any other)."""
    from drills.fakes.backends.sandbox import drop_schema

    engine = admin_engine(url)
    try:
        with engine.begin() as conn:
            for name in names:
                drop_schema(conn, name)
    finally:
        engine.dispose()


@pytest.fixture
def unmarked_db(pg_url: str) -> Iterator[str]:
    """A brand-new database on the test server, not a drill sandbox; dropped afterwards."""
    name = f"drills_test_{uuid.uuid4().hex[:10]}"
    engine = admin_engine(pg_url).execution_options(isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        yield with_database(pg_url, name)
        with engine.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        engine.dispose()
