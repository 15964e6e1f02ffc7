"""``drills sandbox clean``: drop the drill schemas left behind, never a running drill's.

Each test cleans a database of its own (created, marked and dropped here), never the
shared test database: other tests keep schemas there on purpose (``--keep``) and look
at them afterwards, and a clean of the shared database would drop those.
"""

from __future__ import annotations

import gc
import os
import re
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from drills.fakes import BackendError, PostgresBackend
from drills.fakes.backends.base import redact_url
from drills.fakes.backends.postgres import admin_engine
from drills.fakes.backends.sandbox import (
    drop_schema,
    lock_schema,
    mark,
    record_created,
    unlock_schema,
)
from tests.pg.conftest import drills, schemas, with_password

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

SECRET = "Zq9-hunter2-s3cr3t"
"""A password no output could contain by accident (the test server trusts local users)."""
STAMP = r"\d{4}-\d\d-\d\d \d\d:\d\d"
"""How a creation time is shown: ``2026-11-28 09:14``."""


@pytest.fixture
def sandbox(unmarked_db: str) -> str:
    """A database of this test's own, marked as a drill sandbox; dropped afterwards."""
    engine = admin_engine(unmarked_db)
    try:
        with engine.begin() as conn:
            mark(conn, by="drills test suite", note="sandbox clean test")
    finally:
        engine.dispose()
    return unmarked_db


@pytest.fixture
def running(sandbox: str) -> Iterator[PostgresBackend]:
    """A drill's backend open in this process, as during a drill: its schema is in use."""
    backend = PostgresBackend(sandbox)
    try:
        yield backend
    finally:
        backend.dispose()


def kept(url: str, *, created: datetime | None = None) -> str:
    """A schema left behind with keep=True, its creation time set to ``created`` if given."""
    backend = PostgresBackend(url, keep=True)
    backend.dispose()
    if created is not None:
        engine = admin_engine(url)
        try:
            with engine.begin() as conn:
                record_created(conn, backend.schema, created)
        finally:
            engine.dispose()
    return backend.schema


def made_by_hand(url: str, name: str, *, comment: str | None = None, rows: int = 0) -> str:
    """A schema a person made, named like a drill schema: a table with ``rows`` in it."""
    engine = admin_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{name}"'))
            conn.execute(sa.text(f'CREATE TABLE "{name}".customers (id int)'))
            conn.execute(sa.text(f'INSERT INTO "{name}".customers '
                                 f"SELECT generate_series(1, {rows})"))
            if comment is not None:
                conn.execute(sa.text(f"COMMENT ON SCHEMA \"{name}\" IS '{comment}'"))
    finally:
        engine.dispose()
    return name


def rows_in(url: str, schema: str) -> int | None:
    """How many rows the hand-made schema's table holds; None when the schema is gone."""
    engine = admin_engine(url)
    try:
        with engine.connect() as conn:
            if conn.scalar(sa.text("SELECT to_regnamespace(:name)"), {"name": schema}) is None:
                return None
            return int(conn.scalar(sa.text(f'SELECT count(*) FROM "{schema}".customers')))
    finally:
        engine.dispose()


def lock_is_free(url: str, schema: str) -> bool:
    engine = admin_engine(url)
    try:
        with engine.connect() as conn:
            free = lock_schema(conn, schema)
            if free:
                unlock_schema(conn, schema)
            return free
    finally:
        engine.dispose()


def assert_secret_free(*texts: str) -> None:
    for text in texts:
        assert SECRET not in text
        assert "hunter2" not in text


def test_kept_schemas_are_dropped_and_a_running_drills_schema_is_left(
    sandbox: str, running: PostgresBackend
) -> None:
    url = with_password(sandbox, SECRET)
    shown = redact_url(sandbox)
    world = drills("world", "--count", "crm.contacts=5", "--backend", url, "--keep")
    assert world.returncode == 0, world.stderr
    found = re.search(r"\(schema (drill_[0-9a-f]{12}), kept\)", world.stdout)
    assert found is not None, world.stdout
    left_by_cli, left_in_process = found.group(1), kept(sandbox)

    clean = drills("sandbox", "clean", url, "--yes")
    assert clean.returncode == 0, clean.stderr
    assert clean.stderr == ""
    assert_secret_free(clean.stdout)
    lines = clean.stdout.splitlines()
    assert len(lines) == 4, clean.stdout
    for name in (left_by_cli, left_in_process):
        assert re.search(rf"^{name}: dropped \(created {STAMP}, under 1m ago\)$",
                         clean.stdout, re.M), clean.stdout
    assert f"{running.schema}: in use, left (a running drill holds it)" in lines
    assert lines[-1] == f"dropped 2 of 3 drill schema(s) in {shown}; left 1: 1 in use"
    assert schemas(sandbox) == [running.schema]

    # the running drill never noticed: its schema, its lock and its connections work
    with running.begin() as conn:
        conn.execute(sa.text("CREATE TABLE still_here (id int)"))
        assert conn.scalar(sa.text("SELECT current_schema()")) == running.schema
    assert not lock_is_free(sandbox, running.schema)
    running.dispose()
    assert schemas(sandbox) == []
    assert lock_is_free(sandbox, running.schema)


def test_a_dry_run_lists_and_drops_nothing(sandbox: str, running: PostgresBackend) -> None:
    old = kept(sandbox)
    before = schemas(sandbox)
    dry = drills("sandbox", "clean", sandbox, "--dry-run")  # no --yes needed: drops nothing
    assert dry.returncode == 0, dry.stderr
    assert f"{old}: would be dropped (created " in dry.stdout
    assert f"{running.schema}: in use, left (a running drill holds it)" in dry.stdout
    assert dry.stdout.splitlines()[-1] == (
        f"would drop 1 of 2 drill schema(s) in {redact_url(sandbox)} (dry run: nothing "
        "dropped); left 1: 1 in use"
    )
    assert schemas(sandbox) == before
    assert lock_is_free(sandbox, old)  # the survey's lock was given back
    status = drills("sandbox", "status", sandbox)
    assert (f"  (kept with --keep, or drills running now; drop those not running with "
            f"`drills sandbox clean {redact_url(sandbox)}`)\n") in status.stdout


def test_older_than_leaves_new_schemas(sandbox: str) -> None:
    old = kept(sandbox, created=datetime.now(UTC) - timedelta(days=3))
    new = kept(sandbox)
    clean = drills("sandbox", "clean", sandbox, "--older-than", "1d", "--yes")
    assert clean.returncode == 0, clean.stderr
    lines = clean.stdout.splitlines()
    assert len(lines) == 3, clean.stdout
    assert re.search(rf"^{old}: dropped \(created {STAMP}, 3d(\d+m)? ago\)$",
                     clean.stdout, re.M), clean.stdout
    assert f"{new}: newer than 1d, left (created " in clean.stdout
    assert lines[-1] == (
        f"dropped 1 of 2 drill schema(s) in {redact_url(sandbox)}; left 1: 1 newer than 1d"
    )
    assert schemas(sandbox) == [new]

    everything = drills("sandbox", "clean", sandbox, "--yes")
    assert everything.returncode == 0, everything.stderr
    assert f"{new}: dropped (created " in everything.stdout
    assert schemas(sandbox) == []


def test_a_schema_drills_did_not_create_survives_clean_whatever_its_name(
    sandbox: str, running: PostgresBackend
) -> None:
    """Only a schema drills recorded as its own when it created it is dropped: not a
    person's drill_... schema, nor a kept one renamed, nor one whose record is an older
    drills' (no object id) or was copied from another schema."""
    doomed = kept(sandbox)
    archive = made_by_hand(sandbox, "drill_customer_archive", rows=1200)
    renamed = kept(sandbox)
    engine = admin_engine(sandbox)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text(f'CREATE TABLE "{renamed}".customers (id int)'))
            conn.execute(sa.text(f'ALTER SCHEMA "{renamed}" RENAME TO drill_q3_evidence'))
            copied = conn.scalar(sa.text(
                "SELECT obj_description(to_regnamespace(:name), 'pg_namespace')"
            ), {"name": doomed})
    finally:
        engine.dispose()
    older = made_by_hand(sandbox, "drill_0000legacy00",
                         comment="created by drills at 2026-01-01T00:00:00+00:00", rows=3)
    forged = made_by_hand(sandbox, doomed.replace("drill_", "drill_x"),
                          comment=copied.replace(doomed, doomed.replace("drill_", "drill_x")),
                          rows=5)
    others = sorted([archive, "drill_q3_evidence", older, forged])

    status = drills("sandbox", "status", sandbox)
    assert status.returncode == 0, status.stderr
    assert f"2 drill schema(s): {', '.join(sorted([doomed, running.schema]))}" in status.stdout
    assert (f"not ours, left alone: {', '.join(others)} (named drill_... but with no record of "
            "drills creating them; drills never drops them)\n") in status.stdout

    clean = drills("sandbox", "clean", sandbox, "--yes")
    assert (clean.returncode, clean.stderr) == (0, "")
    lines = clean.stdout.splitlines()
    assert lines[-1] == (f"dropped 1 of 2 drill schema(s) in {redact_url(sandbox)}; left 1: "
                         "1 in use; 4 not ours left alone")
    assert f"not ours, left alone: {', '.join(others)} " in clean.stdout
    for name in others:
        assert f"{name}:" not in clean.stdout
    assert (rows_in(sandbox, archive), rows_in(sandbox, older), rows_in(sandbox, forged)) == (
        1200, 3, 5)
    assert rows_in(sandbox, "drill_q3_evidence") == 0
    assert rows_in(sandbox, doomed) is None
    assert schemas(sandbox) == [running.schema]

    older_than = drills("sandbox", "clean", sandbox, "--older-than", "1m", "--yes")
    assert older_than.returncode == 0, older_than.stderr
    assert rows_in(sandbox, archive) == 1200
    running.dispose()
    empty = drills("sandbox", "clean", sandbox, "--yes")
    assert empty.stdout == (
        f"no drill schemas in {redact_url(sandbox)}\n"
        f"not ours, left alone: {', '.join(others)} (named drill_... but with no record of "
        "drills creating them; drills never drops them)\n"
    )
    assert rows_in(sandbox, archive) == 1200


def test_a_backend_neither_opens_nor_drops_a_schema_drills_did_not_create(
    sandbox: str,
) -> None:
    archive = made_by_hand(sandbox, "drill_customer_archive", rows=7)
    with pytest.raises(BackendError) as refused:
        PostgresBackend(sandbox, schema=archive)
    assert str(refused.value) == (
        f"schema drill_customer_archive in {redact_url(sandbox)} was not created by drills "
        "(it carries no record of drills creating it), so a drill neither uses nor drops it; "
        "leave out the schema name for a new drill schema"
    )
    assert lock_is_free(sandbox, archive)
    engine = admin_engine(sandbox)
    try:
        with engine.begin() as conn:
            assert drop_schema(conn, archive) is False
    finally:
        engine.dispose()
    assert rows_in(sandbox, archive) == 7


def test_the_name_of_a_schema_drills_did_not_create_is_shown_escaped(sandbox: str) -> None:
    made_by_hand(sandbox, "drill_\x1b]0;owned\x07\u202e")
    for args in (["status"], ["clean", "--yes"]):
        run = drills("sandbox", *args, sandbox)
        assert run.returncode == 0, run.stderr
        assert "\x1b" not in run.stdout
        assert "\u202e" not in run.stdout
        assert "not ours, left alone: drill_\\x1b]0;owned\\x07\\u202e (named" in run.stdout
    assert rows_in(sandbox, "drill_\x1b]0;owned\x07\u202e") == 0


def test_without_yes_and_without_a_terminal_nothing_is_dropped(sandbox: str) -> None:
    old = kept(sandbox)
    refused = drills("sandbox", "clean", with_password(sandbox, SECRET))
    assert (refused.returncode, refused.stdout) == (2, "")
    assert refused.stderr == (
        "drills: error: drills sandbox clean drops schemas and there is no terminal to "
        "confirm at: add --yes to drop them (or --dry-run to list them)\n"
    )
    assert schemas(sandbox) == [old]


def test_an_empty_sandbox_is_one_line(sandbox: str) -> None:
    clean = drills("sandbox", "clean", sandbox, "--yes")
    assert (clean.returncode, clean.stderr) == (0, "")
    assert clean.stdout == f"no drill schemas in {redact_url(sandbox)}\n"


def test_what_cannot_be_cleaned_is_one_line_without_the_password(
    pg_url: str, unmarked_db: str
) -> None:
    unmarked = with_password(unmarked_db, SECRET)
    shown = redact_url(unmarked_db)
    refused = drills("sandbox", "clean", unmarked, "--yes")
    assert refused.stderr == (
        f"drills: error: {shown} is not a drill sandbox; drills only writes to databases "
        f"marked for it: run `drills sandbox init {shown}` once (a password it needs goes "
        "in ~/.pgpass) to mark it, or use --backend docker for a throwaway database\n"
    )
    no_server = with_password(pg_url, SECRET).replace(":5432/", ":1/")
    unreachable = drills("sandbox", "clean", no_server, "--yes")
    assert unreachable.stderr.startswith(
        f"drills: error: cannot connect to {redact_url(no_server)}:")
    not_postgres = drills("sandbox", "clean", f"mysql://root:{SECRET}@h/db", "--yes")
    assert not_postgres.stderr.startswith(
        "drills: error: 'mysql://root@h/db' is not a PostgreSQL URL;")
    no_url = drills("sandbox", "clean", "--yes")
    assert no_url.stderr == (
        "drills: error: name the database to clean: drills sandbox clean "
        "postgresql://USER@HOST/DB (or set DRILLS_BACKEND to that URL)\n"
    )
    bad_age = drills("sandbox", "clean", unmarked, "--older-than", "soon", "--yes")
    assert bad_age.stderr == (
        "drills: error: --older-than: 'soon' is not a duration; write it like '90s', '5m', "
        "'2h' or '1h30m'\n"
    )
    for run in (refused, unreachable, not_postgres, no_url, bad_age):
        assert (run.returncode, run.stdout) == (2, ""), run.stderr
        assert run.stderr.count("\n") == 1
        assert_secret_free(run.stderr)
    assert schemas(unmarked_db) == []


def test_a_backend_holds_its_schemas_lock_until_disposed(sandbox: str) -> None:
    backend = PostgresBackend(sandbox, keep=True)
    try:
        assert not lock_is_free(sandbox, backend.schema)
        with pytest.raises(BackendError, match=rf"schema {backend.schema} in .* is in use"):
            PostgresBackend(sandbox, schema=backend.schema)
    finally:
        backend.dispose()
    assert lock_is_free(sandbox, backend.schema)
    assert schemas(sandbox) == [backend.schema]  # kept: the lock is given back all the same
    reopened = PostgresBackend(sandbox, schema=backend.schema)  # a kept schema, reopened
    reopened.dispose()
    assert schemas(sandbox) == []


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_child_leaves_its_parents_lock_alone(
    sandbox: str, running: PostgresBackend
) -> None:
    pid = os.fork()
    if pid == 0:  # the child: dispose of the parent's backend and let it be collected
        code = 1
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                running.dispose()
                running.__dict__.clear()
                gc.collect()
            code = 0
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert not lock_is_free(sandbox, running.schema)
    clean = drills("sandbox", "clean", sandbox, "--yes")
    assert f"{running.schema}: in use, left" in clean.stdout
    with running.begin() as conn:
        assert conn.scalar(sa.text("SELECT current_schema()")) == running.schema
