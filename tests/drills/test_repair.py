"""Repair is safe to repeat: twice is once, and a crash halfway then a rerun is once.

Each test damages a real SQLite world with a built-in scenario's bad run (syncs carry
the damage downstream, and a person edits a few damaged fields, so the guard against
overwriting people matters), scopes it from the run, and repairs it in stages. The
yardstick is always the full contents of every table and the change log's repair
rows, compared between an uninterrupted repair and the one under test.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from drills.engine.downstream import propagate
from drills.fakes import ManualClock, SqliteBackend, SqlStore
from drills.fakes.active import CATALOG
from drills.fakes.actors import Actor
from drills.fakes.catalog import ColumnType
from drills.fakes.store import CHANGELOG
from drills.levers.repair import (
    RepairStage,
    ScopeSlice,
    repair_stage,
    repairable_count,
    stage_bounds,
)
from drills.levers.review import review_run
from drills.levers.scope import take_scope
from drills.levers.sources import RepairSources
from drills.scenarios.badrun import BadRun
from drills.scenarios.build import build_scenario_world
from drills.scenarios.loader import builtin_names, load_scenario
from drills.scenarios.truth import DamageKind
from tests.scenarios.test_badrun import shrink

REPO = Path(__file__).resolve().parents[2]
SCOPE = "team"
REPAIRED_AT = datetime(2026, 3, 2, 12, 0)
SAMPLE = 5
STAGES = (0.1, 0.5, 1.0)


TEAM = RepairSources(export_at=datetime(2000, 1, 1))
"""A team with a clean export from before the world began: every seeded value is in it."""


def damaged_world(name: str, path: Path, *, seed: int = 7) -> None:
    """A built-in scenario's bad run on a small world in ``path``, scoped and ready to repair."""
    scenario = shrink(load_scenario(name), seed, records=60, reach=15)
    clock = ManualClock(scenario.starts)
    store = SqlStore(SqliteBackend(path), clock)
    try:
        world = build_scenario_world(scenario, store)
        run = BadRun(scenario, store)
        run.run_all(per_batch=5)
        end = scenario.starts + timedelta(minutes=30)
        clock.set(end)
        for sync in world.syncs.syncs:
            sync.run(store, end)
        propagate(store, run.truth, world.syncs.syncs)
        _people_edit(store, run)
        run.truth.persist(store)  # for this test's own checks; the repair never reads it
        review_run(store, run, end, cause_known=True)
        take_scope(
            store, scope_id=SCOPE, run_id=run.run_id, automation=scenario.automation.name,
            by=["run_id"], systems=set(CATALOG.systems), window=(scenario.starts, end), now=end,
        )
    finally:
        store.close()


def _people_edit(store: SqlStore, run: BadRun) -> None:
    """A person fixes three damaged text fields by hand: the repair must leave them be."""
    picked = [
        d for d in run.truth
        if d.kind is DamageKind.VALUE and not d.table.startswith("warehouse.")
        and CATALOG.table(d.table).column(d.field).type is ColumnType.TEXT
    ][:3]
    for d in picked:
        store.update(d.table, {d.key: {d.field: f"fixed by hand #{d.key}"}},
                     Actor.person("Ana at support"))


def open_store(path: Path) -> SqlStore:
    """A store on an existing drill database, knowing every world table in it."""
    store = SqlStore(SqliteBackend(path), ManualClock(REPAIRED_AT))
    present = set(sa.inspect(store.engine).get_table_names())
    every = [*CATALOG.tables.values(), *CATALOG.copies.values()]  # the world just built
    store.add_tables(d for d in every if d.sql_name in present)
    return store


def _scoped(store: SqlStore) -> list[tuple[str, int]]:
    scope = sa.Table("_drills_scope", sa.MetaData(), autoload_with=store.engine)
    with store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(scope.c.table_name, scope.c.record_key)
            .where(scope.c.scope_id == SCOPE, scope.c.tag.in_(["wrong", "unclear"]))
            # the order a ScopeSlice takes: the warehouse's copies after every source
            .order_by(sa.case((scope.c.table_name.startswith(f"{CATALOG.warehouse}."), 1),
                              else_=0), scope.c.table_name, scope.c.record_key)
        ).all()
    return [(t, int(k)) for t, k in rows]


def _run_id(store: SqlStore) -> str:
    with store.engine.connect() as conn:
        return str(conn.scalar(sa.text("SELECT DISTINCT run_id FROM _drills_truth")))


def repair(store: SqlStore, *, stages: range | None = None, overwrite: bool = False,
           by_slice: bool = False) -> list[RepairStage]:
    """The staged repair a runbook with a sample and stages runs (``stages``: which ones).

    Stages name their records as (table, key) pairs, or with ``by_slice`` as slices of
    the scope picked inside the database, as the drills' responders do.
    """
    keys = _scoped(store)
    bounds = stage_bounds(len(keys), SAMPLE, list(STAGES))
    run_id = _run_id(store)
    done: list[RepairStage] = []
    for i in stages if stages is not None else range(len(bounds)):
        label, upto = bounds[i]
        lower = bounds[i - 1][1] if i else 0
        chosen = ScopeSlice(SCOPE, lower, upto) if by_slice else keys[lower:upto]
        done.append(repair_stage(
            store, scope_id=SCOPE, run_id=run_id, keys=chosen, overwrite=overwrite,
            actor=Actor.repair("Dana", run_id), label=label, sources=TEAM,
        ))
    return done


def tables(store: SqlStore) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every world table, in key order: the state a repair leaves."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with store.engine.connect() as conn:
        names = sa.inspect(conn).get_table_names()
        for name in sorted(names):
            if name.startswith("_drills"):
                continue
            rows = conn.execute(sa.text(f'SELECT * FROM "{name}" ORDER BY 1'))
            out[name] = [tuple(r) for r in rows]
    return out


def repair_rows(store: SqlStore) -> list[tuple[Any, ...]]:
    """The repair's change-log rows, without their times."""
    with store.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(
            f"SELECT table_name, record_key, field, old_value, new_value FROM {CHANGELOG} "
            "WHERE actor_kind = 'repair' ORDER BY table_name, record_key, field, seq"
        ))]


def log_size(store: SqlStore) -> int:
    with store.engine.connect() as conn:
        return int(conn.scalar(sa.text(f"SELECT count(*) FROM {CHANGELOG}")) or 0)


def copy_db(source: Path, target: Path) -> Path:
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{source}{suffix}").exists():
            shutil.copyfile(f"{source}{suffix}", f"{target}{suffix}")
    return target


@pytest.fixture(scope="module")
def damaged(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One damaged world file per module; each test repairs its own copy."""
    path = tmp_path_factory.mktemp("damaged") / "world.sqlite"
    damaged_world("order-status-flapping", path)
    return path


@pytest.fixture(scope="module")
def repaired_once(damaged: Path, tmp_path_factory: pytest.TempPathFactory
                  ) -> tuple[dict[str, Any], list[tuple[Any, ...]]]:
    """The yardstick: what one uninterrupted staged repair leaves."""
    store = open_store(copy_db(damaged, tmp_path_factory.mktemp("once") / "world.sqlite"))
    try:
        stages = repair(store)
        assert sum(s.fields_restored + s.records_compensated for s in stages) > 0
        return tables(store), repair_rows(store)
    finally:
        store.close()


@pytest.fixture
def fresh(damaged: Path, tmp_path: Path) -> Iterator[SqlStore]:
    store = open_store(copy_db(damaged, tmp_path / "world.sqlite"))
    yield store
    store.close()


@pytest.mark.slow
def test_stages_picked_in_the_database_repair_exactly_the_listed_keys(
    fresh: SqlStore, repaired_once: tuple[dict[str, Any], list[tuple[Any, ...]]]
) -> None:
    assert repairable_count(fresh, SCOPE) == len(_scoped(fresh))
    stages = repair(fresh, by_slice=True)
    assert stages[0].records == SAMPLE
    assert sum(s.records for s in stages) == len(_scoped(fresh))
    assert (tables(fresh), repair_rows(fresh)) == repaired_once


def test_the_world_has_what_a_repair_must_handle(fresh: SqlStore) -> None:
    with fresh.engine.connect() as conn:
        kinds: dict[str, int] = dict(conn.execute(sa.text(
            "SELECT kind, count(*) FROM _drills_truth GROUP BY kind")).all())
        tags: dict[str, int] = dict(conn.execute(sa.text(
            "SELECT tag, count(*) FROM _drills_scope GROUP BY tag")).all())
        downstream = conn.scalar(sa.text(
            "SELECT count(*) FROM _drills_truth WHERE table_name LIKE 'warehouse.%'"))
    assert kinds.get("extra", 0) > 0  # records to compensate
    assert kinds.get("value", 0) > 0  # values to restore
    assert downstream  # warehouse copies to bring in line
    assert tags.get("wrong", 0) > 0
    assert tags.get("unclear", 0) == 3  # the person's edits
    assert len(stage_bounds(len(_scoped(fresh)), SAMPLE, list(STAGES))) == 4


def test_a_second_repair_changes_nothing(
    fresh: SqlStore, repaired_once: tuple[dict[str, Any], list[tuple[Any, ...]]]
) -> None:
    first = repair(fresh)
    state, log = tables(fresh), log_size(fresh)
    assert (state, repair_rows(fresh)) == repaired_once
    second = repair(fresh)
    assert [(s.fields_restored, s.records_compensated) for s in second] == [(0, 0)] * len(first)
    assert log_size(fresh) == log
    assert tables(fresh) == state


@pytest.mark.slow
def test_the_person_keeps_their_edit(fresh: SqlStore) -> None:
    repair(fresh)
    with fresh.engine.connect() as conn:
        edits = conn.execute(sa.text(
            f"SELECT table_name, record_key, field, new_value FROM {CHANGELOG} "
            "WHERE actor_kind = 'person'")).all()
    assert len(edits) == 3
    for table, key, field, value in edits:
        assert fresh.get(table, key)[field] == value  # type: ignore[index]


def test_a_crash_between_stages_then_a_rerun_from_the_start_ends_the_same(
    fresh: SqlStore, repaired_once: tuple[dict[str, Any], list[tuple[Any, ...]]]
) -> None:
    repair(fresh, stages=range(2))  # sample and first stage, then the responder "crashes"
    repair(fresh)
    assert (tables(fresh), repair_rows(fresh)) == repaired_once
    assert_no_repeated_repair_rows(fresh)


def statements_per_stage(damaged: Path, folder: Path, monkeypatch: pytest.MonkeyPatch
                         ) -> list[int]:
    """How many writing statements each stage runs, counted on a copy."""
    real = SqlStore.update_from
    calls = Counter[str]()

    def counting(self: SqlStore, *args: Any, **kwargs: Any) -> int:
        calls["n"] += 1
        return real(self, *args, **kwargs)

    store = open_store(copy_db(damaged, folder / "count.sqlite"))
    monkeypatch.setattr(SqlStore, "update_from", counting)
    try:
        counts = []
        for stage in range(len(stage_bounds(len(_scoped(store)), SAMPLE, list(STAGES)))):
            calls["n"] = 0
            repair(store, stages=range(stage, stage + 1))
            counts.append(calls["n"])
        return counts
    finally:
        monkeypatch.setattr(SqlStore, "update_from", real)
        store.close()


@pytest.mark.slow
def test_a_crash_inside_a_stage_leaves_that_stage_undone(
    damaged: Path, tmp_path: Path, fresh: SqlStore,
    repaired_once: tuple[dict[str, Any], list[tuple[Any, ...]]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    counts = statements_per_stage(damaged, tmp_path, monkeypatch)
    stage = max(range(len(counts)), key=lambda i: counts[i])
    assert counts[stage] >= 2, counts
    repair(fresh, stages=range(stage))
    before = tables(fresh), log_size(fresh)
    real = SqlStore.update_from
    calls = Counter[str]()
    crash_at = counts[stage] // 2 + 1

    def crashing(self: SqlStore, *args: Any, **kwargs: Any) -> int:
        calls["n"] += 1
        if calls["n"] == crash_at:
            raise OSError("the repair host lost power")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(SqlStore, "update_from", crashing)
    with pytest.raises(OSError, match="lost power"):
        repair(fresh, stages=range(stage, stage + 1))
    assert calls["n"] == crash_at
    assert (tables(fresh), log_size(fresh)) == before  # what ran before the crash is not kept
    monkeypatch.setattr(SqlStore, "update_from", real)
    repair(fresh)
    assert (tables(fresh), repair_rows(fresh)) == repaired_once
    assert_no_repeated_repair_rows(fresh)


_KILLED_REPAIR = """
import os, signal, sys
from pathlib import Path
from drills.fakes.store import SqlStore
from tests.drills.test_repair import open_store, repair

real = SqlStore.update_from
count = 0

def dies_mid_stage(self, *args, **kwargs):
    global count
    count += 1
    if count == int(sys.argv[2]):
        os.kill(os.getpid(), signal.SIGKILL)
    return real(self, *args, **kwargs)

SqlStore.update_from = dies_mid_stage
repair(open_store(Path(sys.argv[1])))
"""


@pytest.mark.slow
@pytest.mark.parametrize("where", ["between stages", "inside a stage"])
def test_a_killed_repair_process_then_a_rerun_ends_the_same(
    damaged: Path, tmp_path: Path, fresh: SqlStore,
    repaired_once: tuple[dict[str, Any], list[tuple[Any, ...]]],
    monkeypatch: pytest.MonkeyPatch, where: str,
) -> None:
    counts = statements_per_stage(damaged, tmp_path, monkeypatch)
    stage = max(range(len(counts)), key=lambda i: counts[i])
    # the process dies as it is about to run statement number `statement` (1-based)
    statement = sum(counts[:stage]) + (1 if where == "between stages" else 2)
    path = Path(str(fresh.engine.url.database))
    fresh.close()
    killed = subprocess.run(
        [sys.executable, "-c", _KILLED_REPAIR, str(path), str(statement)],
        cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True, text=True,
        timeout=120, check=False,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    store = open_store(path)
    try:
        repair(store)
        assert (tables(store), repair_rows(store)) == repaired_once
        assert_no_repeated_repair_rows(store)
    finally:
        store.close()


def assert_no_repeated_repair_rows(store: SqlStore) -> None:
    rows = repair_rows(store)
    repeated = [row for row, n in Counter((r[0], r[1], r[2], r[4]) for r in rows).items()
                if n > 1]
    assert repeated == []


@pytest.mark.slow
@settings(
    max_examples=10,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # a world is too slow to shrink
)
@given(name=st.sampled_from(builtin_names()), seed=st.integers(0, 2**31),
       overwrite=st.booleans())
@example(name="hubspot-stage-into-stripe-plan", seed=3, overwrite=False)  # 'snowflake' < 'stripe'
def test_repairing_twice_is_repairing_once(
    tmp_path_factory: pytest.TempPathFactory, name: str, seed: int, overwrite: bool
) -> None:
    path = tmp_path_factory.mktemp("twice") / "world.sqlite"
    damaged_world(name, path, seed=seed)
    store = open_store(path)
    try:
        repair(store, overwrite=overwrite)
        once, log = tables(store), log_size(store)
        again = repair(store, overwrite=overwrite)
        assert all(s.fields_restored == s.records_compensated == 0 for s in again), again
        assert (tables(store), log_size(store)) == (once, log)
        assert_no_repeated_repair_rows(store)
    finally:
        store.close()

