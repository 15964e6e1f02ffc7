"""Fixtures shared by every test package: a drill clock and a real store on each backend.

``store`` runs every test that takes it twice: on a real SQLite file and in a fresh
schema of a real PostgreSQL (``DRILLS_TEST_PG_URL``, default this machine's service
on 127.0.0.1:5432). Without a reachable PostgreSQL the PostgreSQL half skips with the
reason, except under ``CI=true``, where it fails: CI must never pass by skipping.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import freezegun
import pytest

from drills.engine.clock import NOT_FROZEN
from drills.fakes import Backend, ManualClock, SqliteBackend, SqlStore, activate

# Tests freeze dates with freezegun directly too; like the drill clock, they must leave
# the database driver and container tooling alone (scanning testcontainers' lazy
# attributes probes for a Docker engine and leaks its socket).
freezegun.configure(extend_ignore_list=NOT_FROZEN)

if TYPE_CHECKING:
    from drills.reports.model import DrillReport

DRILL_START = datetime(2026, 3, 2, 9, 0, 0)

# Every drills command a test starts measures a scenario's baselines once per session,
# not once per command (drills.judging.rerun_cache); a fresh folder, so never stale.
os.environ.setdefault("DRILLS_RERUN_CACHE", tempfile.mkdtemp(prefix="drills-reruns-"))

PG_URL = os.environ.get("DRILLS_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
"""The PostgreSQL the tests use; the suite marks it as a drill sandbox."""

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=[pytest.mark.postgres, pytest.mark.slow]),
]
"""Parameters of every backend-parametrised fixture: SQLite, then PostgreSQL.

The PostgreSQL half is ``slow`` too: the fast loop (``pytest -m "not slow"``) runs on
SQLite alone, the full suite on both."""


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def unavailable(reason: str) -> NoReturn:
    """Skip a PostgreSQL test with ``reason``; under CI fail it instead."""
    if in_ci():
        pytest.fail(f"PostgreSQL test cannot run under CI=true: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def built_in_systems() -> Iterator[None]:
    """Each test starts in the built-in systems, whatever drill a test before it ran in
    this worker (a drill makes its scenario's systems the process's until the next)."""
    activate(None)
    yield
    activate(None)


@pytest.fixture(scope="session")
def pg_url() -> str:
    """The test PostgreSQL's URL, marked as a drill sandbox (once per session)."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        unavailable('psycopg is not installed: pip install -e ".[test]"')
    import sqlalchemy as sa

    from drills.fakes import DrillsError
    from drills.fakes.backends.postgres import admin_engine
    from drills.fakes.backends.sandbox import is_sandbox, mark

    try:
        engine = admin_engine(PG_URL)
        try:
            with engine.begin() as conn:
                # Test workers running side by side (pytest-xdist) mark it once between them.
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(20261128)"))
                if not is_sandbox(conn):
                    mark(conn, by="drills test suite", note="the tests' PostgreSQL")
        finally:
            engine.dispose()
    except (DrillsError, sa.exc.OperationalError) as err:
        unavailable(f"no PostgreSQL to test against at DRILLS_TEST_PG_URL ({err})")
    return PG_URL


def open_test_backend(kind: str, request: pytest.FixtureRequest, path: Path | None) -> Backend:
    """A fresh backend of ``kind``: a SQLite file at ``path`` (or memory), or a new schema."""
    if kind == "sqlite":
        return SqliteBackend(path)
    from drills.fakes import PostgresBackend

    return PostgresBackend(request.getfixturevalue("pg_url"))


@pytest.fixture(params=BACKENDS)
def backend_kind(request: pytest.FixtureRequest) -> str:
    """``sqlite`` or ``postgresql``: the backend this run of the test is on."""
    kind: str = request.param
    return kind


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(DRILL_START)


@pytest.fixture
def store(
    backend_kind: str, request: pytest.FixtureRequest, tmp_path: Path, clock: ManualClock
) -> Iterator[SqlStore]:
    """A store on a real SQLite file, or in a fresh PostgreSQL schema; closed after the test."""
    s = SqlStore(open_test_backend(backend_kind, request, tmp_path / "drill.sqlite"), clock)
    yield s
    s.close()


EXAMPLE_RUNBOOKS = Path(__file__).resolve().parent / "data" / "examples"
"""The shared examples' runbooks, copied into the checkout."""


class ExampleReports:
    """Reports of the shared example (``invoice-triple-trigger``), each drilled once a run.

    The engine tests and the cross-backend comparison read the same reports, so the
    costly one (the flawed runbook with its gap-cost reruns, half a minute or more)
    runs once per backend. Test workers (pytest-xdist) each have their own session, so
    with ``shared`` set the first worker to ask drills the report under a file lock and
    saves it as JSON there; the others wait for it and read it back.
    """

    def __init__(self, shared: Path | None = None) -> None:
        self._shared = shared
        self._done: dict[tuple[str, str, bool], DrillReport] = {}

    def get(self, backend: str, runbook: str, *, costs: bool) -> DrillReport:
        """``runbook`` is ``good`` or ``flawed``; ``backend`` as ``run_drill`` takes it."""
        key = (backend, runbook, costs)
        if key not in self._done:
            self._done[key] = (
                self._drill(*key) if self._shared is None else self._drill_once(*key)
            )
        return self._done[key]

    def _drill_once(self, backend: str, runbook: str, costs: bool) -> DrillReport:
        from filelock import FileLock

        from drills.reports.jsonout import load_report, render_json

        assert self._shared is not None
        where = "sqlite" if backend == "sqlite" else "postgresql"
        saved = self._shared / f"example-{where}-{runbook}-{'costs' if costs else 'plain'}.json"
        with FileLock(f"{saved}.lock"):
            if saved.is_file():
                return load_report(saved)
            report = self._drill(backend, runbook, costs)
            saved.write_text(render_json(report), encoding="utf-8")
        return report

    @staticmethod
    def _drill(backend: str, runbook: str, costs: bool) -> DrillReport:
        from drills.api import run_drill
        from drills.runbook import load_runbook
        from drills.scenarios.loader import load_scenario

        name = "invoice-reminder" + (".flawed" if runbook == "flawed" else "")
        return run_drill(
            load_scenario("invoice-triple-trigger"),
            load_runbook(EXAMPLE_RUNBOOKS / f"{name}.runbook.yaml"),
            costs=costs,
            backend=backend,
        )


@pytest.fixture(scope="session")
def example_reports(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> ExampleReports:
    """One :class:`ExampleReports` for the run; its files shared by every test worker."""
    if worker_id == "master":  # not under pytest-xdist: one process, one cache
        return ExampleReports()
    return ExampleReports(tmp_path_factory.getbasetemp().parent)


def edited_copy(source: Path, changes: list[tuple[str, str]], target: Path) -> Path:
    """``source`` written to ``target`` with each (old, new) replaced; each old must occur once.

    The limit tests push one value of a known-good file over its limit at a time, so the
    error they expect names exactly that line.
    """
    text = source.read_text(encoding="utf-8")
    for old, new in changes:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    target.write_text(text, encoding="utf-8")
    return target


@pytest.fixture(scope="session")
def browser() -> str:
    """Chromium's path (see ``tests/browser.py``); skipped without it, failed under CI."""
    from tests.browser import screenshot

    found: str | None = screenshot.chromium_path()
    if found is None:
        message = "no chromium on this machine; install it with: apt-get install -y chromium"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI needs the browser check: {message}")
        pytest.skip(message)
    return found
