"""The sandbox guard: drills writes only to a database it created or one marked for it."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from drills.cli.main import cli
from drills.fakes import BackendError, ManualClock, PostgresBackend, SandboxError, SqlStore
from drills.fakes.backends import open_backend, parse_backend, redact_url
from drills.fakes.backends.postgres import admin_engine
from tests.conftest import DRILL_START
from tests.pg.conftest import GOOD, REPO, drills, drop_schemas, schemas

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def refusal(url: str) -> str:
    shown = redact_url(url)
    return (
        f"drills: error: {shown} is not a drill sandbox; drills only writes to databases "
        f"marked for it: run `drills sandbox init {shown}` once (a password it needs goes "
        "in ~/.pgpass) to mark it, or use --backend docker for a throwaway database\n"
    )


def tables(url: str) -> list[str]:
    engine = admin_engine(url)
    try:
        with engine.connect() as conn:
            return list(conn.scalars(sa.text(
                "SELECT schemaname || '.' || tablename FROM pg_tables "
                "WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
            )))
    finally:
        engine.dispose()


def test_an_unmarked_database_is_refused_and_left_untouched(unmarked_db: str) -> None:
    run = drills("run", "invoice-triple-trigger", "--no-costs", "--backend", unmarked_db)
    assert run.returncode == 2
    assert run.stdout == ""
    assert run.stderr == refusal(unmarked_db)
    assert schemas(unmarked_db) == []
    assert tables(unmarked_db) == []


def test_drills_backend_from_the_environment_is_guarded_too(unmarked_db: str) -> None:
    run = drills("world", "--count", "crm.contacts=5", env={"DRILLS_BACKEND": unmarked_db})
    assert (run.returncode, run.stdout, run.stderr) == (2, "", refusal(unmarked_db))
    with pytest.raises(SandboxError) as info:
        PostgresBackend(unmarked_db)
    assert f"{redact_url(unmarked_db)} is not a drill sandbox" in str(info.value)
    assert tables(unmarked_db) == []


def test_a_marked_sandbox_is_accepted(unmarked_db: str) -> None:
    status = drills("sandbox", "status", unmarked_db)
    assert status.returncode == 1
    assert "is not a drill sandbox; mark it with `drills sandbox init" in status.stdout

    init = drills("sandbox", "init", unmarked_db, "--note", "guard test")
    assert init.returncode == 0, init.stderr
    assert init.stdout == (
        f"marked {redact_url(unmarked_db)} as a drill sandbox; drills may now create and "
        "drop drill_* schemas there\n"
    )
    again = drills("sandbox", "init", unmarked_db)
    assert again.stdout == (
        f"{redact_url(unmarked_db)} was a drill sandbox already; added this mark to its history\n"
    )

    world = drills("world", "--count", "crm.contacts=20", "--backend", unmarked_db, "--keep")
    assert world.returncode == 0, world.stderr
    kept = re.search(r"\(schema (drill_[0-9a-f]{12}), kept\)", world.stdout)
    assert kept is not None, world.stdout
    assert schemas(unmarked_db) == [kept.group(1)]
    engine = admin_engine(unmarked_db)
    try:
        with engine.connect() as conn:
            count = sa.text(f'SELECT count(*) FROM "{kept.group(1)}".crm__contacts')
            assert conn.scalar(count) == 20
    finally:
        engine.dispose()

    status = drills("sandbox", "status", unmarked_db)
    assert status.returncode == 0
    assert f"{redact_url(unmarked_db)} is a drill sandbox" in status.stdout
    assert "guard test" in status.stdout
    assert f"1 drill schema(s): {kept.group(1)}" in status.stdout


def test_each_backend_has_its_own_schema_dropped_at_the_end_unless_kept(pg_url: str) -> None:
    dropped = PostgresBackend(pg_url)
    kept = PostgresBackend(pg_url, keep=True)
    try:
        assert dropped.schema != kept.schema
        assert {dropped.schema, kept.schema} <= set(schemas(pg_url))
        store = SqlStore(dropped, ManualClock(DRILL_START))
        with store.engine.connect() as conn:
            assert conn.scalar(sa.text("SELECT current_schema()")) == dropped.schema
    finally:
        dropped.dispose()
        kept.dispose()
    try:
        left = schemas(pg_url)
        assert dropped.schema not in left
        assert kept.schema in left
    finally:
        drop_schemas(pg_url, [kept.schema])


def test_only_drill_schemas_are_ever_used(pg_url: str) -> None:
    with pytest.raises(BackendError, match="'public' is not a drill schema"):
        PostgresBackend(pg_url, schema="public")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--keep"], "--keep keeps a PostgreSQL drill schema; on SQLite keep the drill's "
                     "database with --db FILE"),
        (["--backend", "PG", "--db", "x.sqlite"], "--db names a SQLite file, but the backend is"),
        (["--backend", "mysql://root:pw@localhost/db"],
         "--backend 'mysql://root@localhost/db' is not a backend; use sqlite (the default), "
         "docker, or a PostgreSQL URL such as postgresql://USER@HOST:5432/DB"),
        (["--backend", "postgresql://u@h:port/db"], "the port in postgresql://u@h:port/db is not"),
    ],
)
def test_backend_options_that_do_not_fit_are_one_line(
    args: list[str], message: str, pg_url: str
) -> None:
    argv = ["world", *(pg_url if a == "PG" else a for a in args)]
    result = CliRunner().invoke(cli, argv)
    assert result.exit_code == 2, result.output
    assert result.output.startswith(f"drills: error: {message}")
    assert result.output.count("\n") == 1
    assert "pw" not in result.output


def test_without_psycopg_sqlite_works_and_postgresql_says_what_to_install(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # import psycopg now fails
    with pytest.raises(BackendError) as info:
        open_backend(pg_url)
    assert str(info.value) == (
        'PostgreSQL backends need the psycopg driver, which is not installed: '
        'pip install "drills[postgres]"'
    )
    refused = CliRunner().invoke(cli, ["world", "--backend", pg_url])
    assert refused.exit_code == 2
    assert refused.output == f"drills: error: {info.value}\n"
    ok = CliRunner().invoke(cli, ["world", "--count", "crm.contacts=5"])
    assert ok.exit_code == 0, ok.output
    assert "database: in memory" in ok.output
    assert parse_backend("postgres://u@h/d").kind == "postgresql"


def test_a_failed_drill_names_the_schema_it_kept(unmarked_db: str, tmp_path: Path) -> None:
    """With --keep, the schema of a drill that fails is the one a team wants to open."""
    assert drills("sandbox", "init", unmarked_db).returncode == 0
    text = (REPO / GOOD).read_text(encoding="utf-8")
    step = "  - {pause_job: invoice-reminder, takes: 2m}\n"
    runbook = tmp_path / "missing-hook.runbook.yaml"
    runbook.write_text(text.replace(step, '  - {call: "no_such_ops_module:pause", takes: 2m}\n'),
                       encoding="utf-8")
    run = drills("run", "invoice-triple-trigger", "--runbook", str(runbook), "--no-costs",
                 "--backend", unmarked_db, "--keep", "-q")
    assert run.returncode == 2, run.stderr
    kept = re.search(r"^kept drill schema (drill_[0-9a-f]{12}) in (\S+)$", run.stderr, re.M)
    assert kept is not None, run.stderr
    assert kept.group(2) == redact_url(unmarked_db)
    assert run.stderr.splitlines()[-1].startswith("drills: error: ")
    assert "no_such_ops_module" in run.stderr.splitlines()[-1]
    assert schemas(unmarked_db) == [kept.group(1)]
