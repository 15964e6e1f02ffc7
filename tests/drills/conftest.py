"""Fixtures for engine tests: the shared example scenario and its two runbooks, per backend.

The runbooks are the copies kept under ``tests/data/runbooks`` (byte-equal to the
shared examples; ``tests/runbook`` checks that), loaded through the real loader.
``drill_backend`` runs each engine test module once on SQLite and once on PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from drills.runbook import Runbook, load_runbook
from drills.scenarios.loader import load_scenario
from drills.scenarios.schema import Scenario
from tests.conftest import BACKENDS

DATA = Path(__file__).resolve().parents[1] / "data" / "runbooks"


@pytest.fixture(scope="session")
def example() -> Scenario:
    return load_scenario("invoice-triple-trigger")


@pytest.fixture(scope="session")
def good_runbook() -> Runbook:
    return load_runbook(DATA / "invoice-reminder.runbook.yaml")


@pytest.fixture(scope="session")
def flawed_runbook() -> Runbook:
    return load_runbook(DATA / "invoice-reminder.flawed.runbook.yaml")


@pytest.fixture(scope="module", params=BACKENDS)
def drill_backend(request: pytest.FixtureRequest) -> str:
    """Where this module's drills run: ``sqlite``, or the test PostgreSQL's URL."""
    if request.param == "sqlite":
        return "sqlite"
    url: str = request.getfixturevalue("pg_url")
    return url
