"""Bad runs against real SQLite worlds: ground truth is exactly what the fault changed.

The yardstick is a healthy twin: the same scenario, same seed, same targets, with no
fault. Whatever the bad run's world holds that the twin's does not must be in the
ground truth, and nothing else may be; and every truth entry must be visible in the
change log under the run's id.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drills.fakes import KEY, ManualClock, SqliteBackend, SqlStore
from drills.fakes.active import CATALOG
from drills.fakes.store import Value, encode_value
from drills.scenarios.badrun import BadRun
from drills.scenarios.build import build_scenario_world
from drills.scenarios.loader import builtin_names, load_scenario
from drills.scenarios.schema import FAULT_KINDS, Scenario
from drills.scenarios.truth import DamageKind, GroundTruth

NAMES = builtin_names()


def shrink(scenario: Scenario, seed: int, *, records: int = 60, reach: int = 12) -> Scenario:
    """The same story on a small world, so a property test can build it many times."""
    data: dict[str, Any] = scenario.model_dump(by_alias=True, mode="json", exclude_none=True)
    data["seed"] = seed
    counts = data["world"]["counts"]  # a declared world's own counts are in it too
    for table, count in counts.items():
        counts[table] = min(count, records)
    reach_spec = data["fault"]["reach"]
    if "count" in reach_spec:
        reach_spec["count"] = min(reach_spec["count"], reach)
    return Scenario.model_validate(data)


def new_store(scenario: Scenario, path: Path | None = None) -> SqlStore:
    return SqlStore(SqliteBackend(path), ManualClock(scenario.starts))


def run(scenario: Scenario, *, healthy: bool, path: Path | None = None) -> tuple[SqlStore, BadRun]:
    store = new_store(scenario, path)
    build_scenario_world(scenario, store)
    bad = BadRun(scenario, store, healthy=healthy)
    bad.run_all(per_batch=7)
    return store, bad


def key_of(row: Mapping[str, Value]) -> int:
    """The record's key, an int in every table of the catalog."""
    key = row[KEY]
    assert isinstance(key, int)
    return key


def system_tables(store: SqlStore) -> list[str]:
    return [q for q in store.tables if not q.startswith(CATALOG.warehouse)]


def assert_truth_matches_twin(scenario: Scenario) -> GroundTruth:
    faulty, bad = run(scenario, healthy=False)
    twin, good = run(scenario, healthy=True)
    assert bad.targets == good.targets
    truth = bad.truth
    baseline = scenario.world.counts
    for table in system_tables(faulty):
        size = baseline.get(table, 0)
        got = {key_of(r): r for r in faulty.rows(table)}
        want = {key_of(r): r for r in twin.rows(table)}
        fields = CATALOG.table(table).data_fields
        # Records of the baseline world: every difference is a truth entry, and back.
        diffs = {
            (table, k, f)
            for k in range(1, size + 1)
            for f in fields
            if got[k][f] != want[k][f]
        }
        in_truth = {
            d.ident for d in truth if d.table == table and d.key <= size
        }
        assert diffs == in_truth, table
        for ident in diffs:
            damage = truth.get(ident)
            assert damage is not None
            assert damage.wrong == got[ident[1]][ident[2]]
            assert damage.right == want[ident[1]][ident[2]]
        # Records the runs created: drop the extras, put right values back, compare.
        repaired: Counter[tuple[Value, ...]] = Counter()
        for k, row in got.items():
            if k <= size:
                continue
            if (table, k, "*") in truth:
                continue
            fixed = dict(row)
            for f in fields:
                damage = truth.get((table, k, f))
                if damage is not None:
                    assert damage.kind is not DamageKind.EXTRA
                    fixed[f] = damage.right
            repaired[tuple(fixed[f] for f in fields)] += 1
        created = Counter(tuple(r[f] for f in fields) for k, r in want.items() if k > size)
        assert repaired == created, table
    assert_truth_in_changelog(faulty, truth)
    faulty.close()
    twin.close()
    return truth


def assert_truth_in_changelog(store: SqlStore, truth: GroundTruth) -> None:
    cl = store.changelog
    with store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(cl.c.table_name, cl.c.record_key, cl.c.field, cl.c.op, cl.c.new_value)
            .where(cl.c.run_id == truth.run_id)
            .order_by(cl.c.seq)
        ).all()
    last_new = {(t, k, f): new for t, k, f, _, new in rows}
    inserted = {(t, k) for t, k, _, op, _ in rows if op == "insert"}
    for damage in truth:
        if damage.kind is DamageKind.EXTRA:
            assert (damage.table, damage.key) in inserted
        elif damage.kind is DamageKind.STALE:
            assert damage.ident not in last_new, damage
        else:
            assert last_new[damage.ident] == encode_value(damage.wrong), damage


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_builtin_scenario_builds_its_world_and_its_run_does_damage(
    name: str, tmp_path: Path
) -> None:
    scenario = load_scenario(name)
    store, bad = run(scenario, healthy=False, path=tmp_path / "drill.sqlite")
    for table, count in scenario.world.counts.items():
        assert store.count(table) >= count
    assert bad.targets, "the bad run reaches no record"
    # A late delivery harms only what people changed meanwhile; nobody edits here.
    assert len(bad.truth) > 0 or scenario.fault.needs_people()
    written = {d.table for d in bad.truth}
    assert written <= set(store.tables)
    store.close()


def test_every_fault_kind_is_in_the_library() -> None:
    kinds = {load_scenario(n).fault.kind for n in NAMES}
    assert kinds == set(FAULT_KINDS)


@pytest.mark.slow
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(name=st.sampled_from(NAMES), seed=st.integers(min_value=0, max_value=2**31))
def test_ground_truth_is_exactly_what_the_fault_changed(name: str, seed: int) -> None:
    assert_truth_matches_twin(shrink(load_scenario(name), seed))


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_ground_truth_on_each_builtin_story(name: str) -> None:
    scenario = shrink(load_scenario(name), 7, records=120, reach=30)
    truth = assert_truth_matches_twin(scenario)
    assert len(truth) > 0 or scenario.fault.needs_people()


def test_healthy_twin_does_no_damage() -> None:
    scenario = shrink(load_scenario("invoice-triple-trigger"), 3)
    _, good = run(scenario, healthy=True)
    assert len(good.truth) == 0


@pytest.mark.slow
def test_same_seed_same_run_different_seed_other_targets() -> None:
    base = load_scenario("contact-status-into-billing-terms")
    one = shrink(base, 11, records=200, reach=40)
    _, a = run(one, healthy=False)
    _, b = run(one, healthy=False)
    _, c = run(shrink(base, 12, records=200, reach=40), healthy=False)
    assert [d for d in a.truth] == [d for d in b.truth]
    assert a.targets != c.targets


def test_events_follow_start_and_rate() -> None:
    scenario = load_scenario("invoice-triple-trigger")
    store = new_store(scenario)
    build_scenario_world(scenario, store)
    events = list(BadRun(scenario, store).events())
    assert len(events) == 120  # reach: 120
    assert events[0].at == scenario.starts + scenario.fault.starts
    assert events[1].at - events[0].at == scenario.fault.rate.interval
    assert len({e.key for e in events}) == 120


def test_writes_carry_run_and_batch_ids() -> None:
    scenario = shrink(load_scenario("crm-blank-emails"), 5)
    store, bad = run(scenario, healthy=False)
    cl = store.changelog
    with store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(cl.c.actor_kind, cl.c.actor_name, cl.c.run_id, cl.c.batch_id)
            .where(cl.c.run_id == bad.run_id)
        ).all()
    assert rows
    assert {r.actor_kind for r in rows} == {"automation"}
    assert {r.actor_name for r in rows} == {scenario.automation.name}
    batches = {r.batch_id for r in rows}
    assert len(batches) == -(-len(bad.targets) // 7)
    assert all(b.startswith(f"{bad.run_id}/b") for b in batches)


def test_truth_persists_for_set_based_scoring(tmp_path: Path) -> None:
    scenario = shrink(load_scenario("invoice-triple-trigger"), 1)
    store, bad = run(scenario, healthy=False, path=tmp_path / "d.sqlite")
    assert bad.truth.persist(store) == len(bad.truth)
    assert bad.truth.persist(store) == len(bad.truth)  # replaces, does not duplicate
    with store.engine.connect() as conn:
        n = conn.scalar(sa.text("SELECT count(*) FROM _drills_truth"))
    assert n == len(bad.truth)


def test_over_broad_filter_damages_only_records_outside_the_filter() -> None:
    scenario = shrink(load_scenario("newsletter-reaches-churned"), 2, records=150, reach=60)
    store, bad = run(scenario, healthy=False)
    where = scenario.automation.where
    source = scenario.automation.trigger.table
    outside = {
        r[KEY] for r in store.rows(source) if any(r[f] != v for f, v in where.items())
    }
    related = {
        r[KEY]: int(str(r["related"]).rsplit(":", 1)[1]) for r in store.rows("email.outbox")
    }
    damaged = {related[d.key] for d in bad.truth if d.table == "email.outbox"}
    assert damaged
    assert damaged <= outside


def test_start_time_is_the_scenarios() -> None:
    scenario = load_scenario("invoice-triple-trigger")
    assert isinstance(scenario.starts, datetime)
