"""A drill's tables on PostgreSQL skip the write-ahead log, and still roll back.

Every table a drill makes in its schema (the world, the change log, the truth and the
scope, snapshot copies, a loaded export) is ``UNLOGGED``: the world is rebuilt from its
seed, so the log would only protect what is never read after a server crash.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from drills.api import run_drill
from drills.fakes import Actor, ManualClock, PostgresBackend, SqlStore
from drills.fakes.exports import export_tables, load_export
from drills.runbook import load_runbook
from drills.scenarios.loader import load_scenario
from tests.conftest import DRILL_START, EXAMPLE_RUNBOOKS

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def persistence(backend: PostgresBackend) -> dict[str, str]:
    """Each table of the backend's schema and its ``relpersistence`` (``p``, ``u``, ``t``)."""
    with backend.engine.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT c.relname, c.relpersistence FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = :schema AND c.relkind = 'r'"
        ), {"schema": backend.schema})
        return {name: kind for name, kind in rows}


def fail_halfway(store: SqlStore) -> None:
    """A step that writes, then fails: its transaction must leave nothing behind."""
    with store.atomic():
        store.update("crm.contacts", {1: {"email": "b@example.com"}}, Actor.person("Ana"))
        raise RuntimeError("the step failed halfway")


def test_every_table_of_a_drill_is_unlogged(pg_url: str) -> None:
    backend = PostgresBackend(pg_url)
    try:
        report = run_drill(
            load_scenario("invoice-triple-trigger"),
            load_runbook(EXAMPLE_RUNBOOKS / "invoice-reminder.runbook.yaml"),
            costs=False,
            backend=backend,
        )
        tables = persistence(backend)
    finally:
        backend.dispose()
    assert report.backend.startswith("postgresql://")
    # The world, the change log, the drill's own tables and the snapshot copies.
    for name in ("_drills_changes", "_drills_review", "_drills_scope", "email__outbox"):
        assert tables.get(name) == "u", (name, tables)
    assert any(name.startswith("snap_") for name in tables), tables
    assert set(tables.values()) == {"u"}, tables


def test_a_loaded_export_is_unlogged_and_a_failed_write_still_rolls_back(
    pg_url: str, tmp_path: Path
) -> None:
    backend = PostgresBackend(pg_url)
    store = SqlStore(backend, ManualClock(DRILL_START))
    try:
        store.add_tables([store.catalog.table("crm.contacts")])
        store.bulk_load("crm.contacts", ("id", "email"), [(1, "a@example.com")])
        export_tables(store, ["crm.contacts"], tmp_path / "export")
        loaded = load_export(store, tmp_path / "export")
        assert persistence(backend)[loaded["crm.contacts"]] == "u"

        with pytest.raises(RuntimeError, match="halfway"):
            fail_halfway(store)
        assert store.get("crm.contacts", 1) == {"id": 1, "email": "a@example.com"} | {
            f: None for f in store.table("crm.contacts").data_fields if f != "email"
        }
        with store.engine.connect() as conn:
            logged = conn.scalar(sa.select(sa.func.count()).select_from(store.changelog))
        assert logged == 0
    finally:
        store.close()
