"""A stopped queue holds its messages on PostgreSQL as on SQLite, and a restart sends them."""

from __future__ import annotations

import pytest

from drills.engine.loop import DrillResult
from drills.fakes import ManualClock, SqlStore, open_backend
from drills.judging.endstate import evaluate
from drills.responders.scripted import Drill
from drills.runbook import load_runbook
from drills.scenarios.loader import load_scenario
from tests.pg.conftest import REPO

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def drill(backend: str) -> tuple[DrillResult, int]:
    scenario = load_scenario("invoice-triple-trigger")
    runbook = load_runbook(REPO / "tests/data/runbooks/invoice-reminder.runbook.yaml")
    store = SqlStore(open_backend(backend), ManualClock(scenario.starts))
    try:
        result = Drill(scenario, runbook, store=store).run()
        return result, evaluate(result).records_damaged
    finally:
        store.close()


def test_the_held_queue_is_delivered_at_restart_on_postgres(pg_url: str) -> None:
    on_pg, pg_damage = drill(pg_url)
    on_sqlite, sqlite_damage = drill("sqlite")
    account = on_pg.feeder_accounts["email.outbox"]
    assert account["held"] > 0
    assert account["delivered"] == account["held"]
    assert on_pg.feeder_accounts == on_sqlite.feeder_accounts
    assert pg_damage == sqlite_damage
