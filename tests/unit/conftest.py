"""Small synthetic inputs for the unit tests: one library scenario, a tiny world.

The unit tests judge hand-made facts (a few damaged fields, a handful of findings)
instead of full drills, so they stay fast and say exactly which rule they pin down.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from drills.fakes import ManualClock, SqliteBackend, SqlStore
from drills.scenarios.build import build_scenario_world
from drills.scenarios.loader import load_scenario
from drills.scenarios.schema import Scenario

SCENARIO = "invoice-triple-trigger"


@pytest.fixture(scope="session")
def scenario() -> Scenario:
    """The shared example, its world shrunk to a few records per table."""
    full = load_scenario(SCENARIO)
    counts = {table: min(n, 20) for table, n in full.world.counts.items()}
    world = full.world.model_copy(update={"counts": counts})
    return full.model_copy(update={"world": world})


@pytest.fixture
def world(scenario: Scenario) -> Iterator[SqlStore]:
    """The scenario's tiny world, seeded in an in-memory SQLite store."""
    store = SqlStore(SqliteBackend(None), ManualClock(scenario.starts))
    build_scenario_world(scenario, store)
    yield store
    store.close()
