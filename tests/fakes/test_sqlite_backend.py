"""The embedded backend's settings, as a drill database in a file gets them."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa

from drills.fakes import CATALOG, ManualClock, SqliteBackend, SqlStore
from tests.conftest import DRILL_START


def test_a_drill_database_file_has_large_pages_and_its_journal_in_memory(tmp_path: Path) -> None:
    path = tmp_path / "drill.sqlite"
    store = SqlStore(SqliteBackend(path), ManualClock(DRILL_START))
    try:
        store.add_tables([CATALOG.table("crm.deals")])
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "memory"
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 0
    finally:
        store.close()
    assert not Path(f"{path}-wal").exists()
    assert not Path(f"{path}-journal").exists()
    with sqlite3.connect(path) as raw:  # the page size is the file's own, read from outside
        assert raw.execute("PRAGMA page_size").fetchone() == (16384,)


def test_a_failed_write_to_a_file_rolls_back_whole(tmp_path: Path) -> None:
    """The journal in memory still undoes a transaction: nothing is half-written."""
    store = SqlStore(SqliteBackend(tmp_path / "drill.sqlite"), ManualClock(DRILL_START))
    try:
        store.add_tables([CATALOG.table("crm.deals")])
        t = store.sa_table("crm.deals")

        def insert_then_fail() -> None:
            with store.begin() as conn:
                conn.execute(t.insert(), [{"id": 1, "title": "Renewal"}])
                raise RuntimeError("stop halfway")

        with pytest.raises(RuntimeError, match="stop halfway"):
            insert_then_fail()
        with store.engine.connect() as conn:
            assert conn.scalar(sa.select(sa.func.count()).select_from(t)) == 0
    finally:
        store.close()
