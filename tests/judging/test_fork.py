"""Forked worlds: a rerun forked from the drill's seeded world is the freshly seeded one.

The baselines and every gap-cost rerun start from the drill's own seeded world
(:class:`drills.fakes.world.WorldTemplate`) instead of seeding it again. These tests
hold that to "the same world, so the same numbers": the same rows in every table, the
same report JSON, on SQLite and PostgreSQL, through the process pool too, and a drill
seeds exactly once.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

import drills.fakes.factories as factories
import drills.fakes.world as world_module
import drills.judging.costs as costs
from drills.api import run_drill
from drills.fakes import ManualClock, SqliteBackend, SqlStore
from drills.fakes.backends.spec import BackendSpec
from drills.fakes.world import WorldTemplate
from drills.judging import drill_findings, evaluate
from drills.judging.baselines import Baselines
from drills.judging.harm import Harm
from drills.judging.report import build_report
from drills.judging.rerun_cache import CACHE_ENV
from drills.responders.scripted import Drill
from drills.runbook import Runbook
from drills.scenarios.build import build_scenario_world
from drills.scenarios.loader import load_scenario
from drills.scenarios.schema import Scenario
from tests.conftest import BACKENDS, EXAMPLE_RUNBOOKS, open_test_backend

SCENARIOS = ["welcome-email-retry-storm", "card-payments-arrive-late", "invoice-triple-trigger"]
"""Built by the factories (320 records), and by the pools (1,060 and 2,360)."""

FLAWED = EXAMPLE_RUNBOOKS / "invoice-reminder.flawed.runbook.yaml"


def _tables(store: SqlStore) -> dict[str, list[dict[str, Any]]]:
    out = {q: store.rows(q) for q in store.tables}
    with store.engine.connect() as conn:
        out["changes"] = [dict(r) for r in conn.execute(sa.select(store.changelog)).mappings()]
    return out


@pytest.fixture(params=BACKENDS)
def stores(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[list[SqlStore]]:
    """Three fresh stores on one backend (SQLite in memory, or PostgreSQL schemas)."""
    made: list[SqlStore] = []

    def new() -> SqlStore:
        s = SqlStore(open_test_backend(request.param, request, None), ManualClock(
            load_scenario("invoice-triple-trigger").starts))
        made.append(s)
        return s

    yield [new(), new(), new()]
    for s in made:
        s.close()


@pytest.mark.parametrize("name", SCENARIOS)
def test_a_forked_world_holds_exactly_the_seeded_rows(name: str, stores: list[SqlStore]) -> None:
    scenario = load_scenario(name)
    kept, forked, fresh = stores
    template = build_scenario_world(scenario, kept, keep_template=True).world.template
    assert template is not None
    assert template.size == sum(scenario.world.counts.values())
    build_scenario_world(scenario, forked, template=template)
    build_scenario_world(scenario, fresh)
    seeded = _tables(fresh)
    assert sum(len(rows) for rows in seeded.values()) >= template.size > 0
    assert _tables(forked) == seeded
    assert _tables(kept) == seeded


def test_a_template_of_another_world_is_not_used(stores: list[SqlStore]) -> None:
    """Another seed is another world: it is seeded, never forked from the wrong one."""
    scenario = load_scenario("welcome-email-retry-storm")
    kept, forked, fresh = stores
    template = build_scenario_world(scenario, kept, keep_template=True).world.template
    other = scenario.model_copy(update={"seed": scenario.seed + 1})
    build_scenario_world(other, forked, template=template)
    build_scenario_world(other, fresh)
    assert _tables(forked) == _tables(fresh)
    assert _tables(forked) != _tables(kept)


def _report_json(scenario: Scenario, runbook: Runbook | None, **drill: Any) -> dict[str, Any]:
    """The drill's report as JSON, minus what differs between any two runs (wall times)."""
    result = Drill(scenario, runbook, **drill).run()
    ev = evaluate(result)
    fixed = Baselines(nothing=Harm(), perfect=Harm())
    report = build_report(result, drill_findings(result, ev), ev, baselines_=fixed)
    data: dict[str, Any] = json.loads(report.model_dump_json())
    for key in ("ran_at", "wall_seconds", "backend"):
        data.pop(key, None)
    return data


@pytest.mark.slow
@pytest.mark.parametrize("name", SCENARIOS)
def test_a_forked_rerun_reports_what_a_freshly_seeded_one_does(name: str) -> None:
    from drills.runbook.loader import load_runbook

    scenario = load_scenario(name)
    source = Drill(scenario, costs.perfect_runbook(scenario), keep_template=True).run()
    template = source.world.world.template
    assert isinstance(template, WorldTemplate)
    runbook = load_runbook(FLAWED) if name == "invoice-triple-trigger" else None
    forked = _report_json(scenario, runbook, template=template)
    assert forked == _report_json(scenario, runbook)
    assert forked["outcome"]["records_damaged"] > 0


@pytest.mark.slow
@pytest.mark.postgres
def test_a_forked_rerun_on_postgresql_measures_what_a_seeded_one_does(pg_url: str) -> None:
    """On PostgreSQL the template is a schema copy, dropped with the drill's schema."""
    from drills.fakes.backends.postgres import PostgresBackend
    from drills.fakes.backends.sandbox import is_recorded

    scenario = load_scenario("invoice-triple-trigger")
    spec = BackendSpec("postgresql", pg_url)
    backend = PostgresBackend(pg_url)
    try:
        result = Drill(scenario, None, backend=backend, keep_template=True).run()
        template = result.world.world.template
        assert template is not None
        held = template.seeded.schema  # type: ignore[attr-defined]
        with backend.engine.connect() as conn:
            assert is_recorded(conn, held)  # drills' own: `sandbox clean` may drop it
        perfect = costs.perfect_runbook(scenario)
        assert costs.measure(scenario, perfect, None, spec, template) == costs.measure(
            scenario, perfect, None, spec)
    finally:
        backend.dispose()
    with backend.engine.connect() as conn:
        gone = conn.scalar(sa.text(
            "SELECT NOT EXISTS (SELECT FROM pg_namespace WHERE nspname = :s)"), {"s": held})
    backend.engine.dispose()
    assert gone


@pytest.mark.slow
def test_reruns_in_the_process_pool_fork_the_template(monkeypatch: pytest.MonkeyPatch) -> None:
    """The workers inherit the template (they are forked) and measure what a seeded rerun
    in this process measures."""
    if os.name != "posix":
        pytest.skip("reruns go one after another where processes cannot be forked")
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    scenario = load_scenario("welcome-email-retry-storm")
    template = Drill(scenario, None, keep_template=True).run().world.world.template
    runbooks = [None, costs.perfect_runbook(scenario)]
    pooled = costs._measure_all(scenario, runbooks, None, None, template)
    assert pooled == [costs.measure(scenario, rb) for rb in runbooks]


@pytest.mark.slow
def test_a_drill_with_its_baselines_seeds_its_world_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``drills run``: the drill seeds; both baselines fork what it seeded."""
    seeded: list[int] = []
    real = factories.build_records

    def counting(*args: Any, **kwargs: Any) -> Any:
        seeded.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(world_module, "build_records", counting)
    monkeypatch.setattr(costs, "_SHARED", {})
    monkeypatch.delenv(CACHE_ENV, raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 1)  # reruns here, where the count is seen
    scenario = load_scenario("welcome-email-retry-storm")
    report = run_drill(scenario, None, costs=False, backend=BackendSpec("sqlite"))
    assert report.score is not None
    assert len(seeded) == 1


def test_a_large_world_is_kept_in_a_file_removed_with_its_template(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Past the image limit the template is a file (no resident memory), gone once unused."""
    import gc

    from drills.fakes.backends import sqlite as sqlite_backend

    monkeypatch.setattr(sqlite_backend, "IMAGE_LIMIT", 0)
    scenario = load_scenario("welcome-email-retry-storm")
    kept = SqlStore(SqliteBackend(), ManualClock(scenario.starts))
    forked = SqlStore(SqliteBackend(), ManualClock(scenario.starts))
    template = build_scenario_world(scenario, kept, keep_template=True).world.template
    assert template is not None
    path = template.seeded.path  # type: ignore[attr-defined]
    assert path is not None
    assert path.is_file()
    build_scenario_world(scenario, forked, template=template)
    assert _tables(forked) == _tables(kept)
    kept.close()
    forked.close()
    del template, kept
    gc.collect()
    assert not path.exists()
