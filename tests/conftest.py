"""Fixtures shared by every test package: a drill clock and a real SQLite store on disk."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from fakes import ManualClock, SqliteBackend, SqlStore

DRILL_START = datetime(2026, 3, 2, 9, 0, 0)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(DRILL_START)


@pytest.fixture
def store(tmp_path: Path, clock: ManualClock) -> Iterator[SqlStore]:
    """A store on a real SQLite file, closed after the test."""
    s = SqlStore(SqliteBackend(tmp_path / "drill.sqlite"), clock)
    yield s
    s.close()
