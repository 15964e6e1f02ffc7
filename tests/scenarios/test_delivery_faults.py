"""The delivery faults: how events reach a job (lost, held, repeated, out of order, half
failed), the damage each leaves as ground truth, and what the delivery log shows a team.

Each kind's injector bends a plan the way its story says; each library scenario's bad
run is played on its own world shrunk to a few hundred records, so the ground truth,
the delivery log and the metrics read from it are checked against a real store.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from drills.engine.metrics import MetricReader
from drills.fakes import ManualClock, SqliteBackend, SqlStore
from drills.fakes.actors import Actor
from drills.fakes.automations import Insert, PlanContext, Record, Update
from drills.levers.review import review_run, review_table
from drills.levers.sources import RepairSources, Source, keeps_sender_log, rerun_values
from drills.scenarios.badrun import BadRun, delivery_log
from drills.scenarios.build import build_scenario_world
from drills.scenarios.faults._delivery import Delivery, picked
from drills.scenarios.faults.delayed_deliveries import DelayedDeliveriesInjector
from drills.scenarios.faults.dropped_deliveries import DroppedDeliveries, DroppedDeliveriesInjector
from drills.scenarios.faults.partial_failure import PartialFailure, PartialFailureInjector
from drills.scenarios.faults.redelivery_storm import RedeliveryStormInjector
from drills.scenarios.faults.reordered_deliveries import ReorderedDeliveriesInjector
from drills.scenarios.loader import load_scenario
from drills.scenarios.schema import Scenario
from drills.scenarios.truth import DamageKind

NOW = datetime(2026, 3, 2, 9, 0)
RECORD: Record = {"id": 7, "status": "processing", "customer_email": "a@example.com"}
EMAIL = Insert("email.outbox", {"to_address": "a@example.com", "status": "sent"})
SHIP = Update("shop.orders", 7, "status", "shipped")


@pytest.fixture
def ctx() -> PlanContext:
    store = SqlStore(SqliteBackend(None), ManualClock(NOW))
    return PlanContext(store, NOW, "job", "shop.orders")


# -- the injectors -------------------------------------------------------------------------


def test_a_storm_runs_the_whole_plan_once_per_delivery(ctx: PlanContext) -> None:
    storm = RedeliveryStormInjector(4)
    assert storm.bend(RECORD, [SHIP, EMAIL], ctx) == [SHIP, EMAIL] * 4
    assert storm.delivery(7) == Delivery(times=4)
    assert storm.arrival(NOW, NOW) == NOW


def test_a_reorder_applies_the_older_value_after_the_newer_one(ctx: PlanContext) -> None:
    reorder = ReorderedDeliveriesInjector("shop.orders.status", "processing")
    assert reorder.bend(RECORD, [SHIP, EMAIL], ctx) == [
        SHIP, EMAIL, Update("shop.orders", 7, "status", "processing"),
    ]
    assert reorder.bend(RECORD, [EMAIL], ctx) == [EMAIL]  # no status, nothing to go back
    assert reorder.delivery(7).out_of_order == 1


def test_a_lost_event_makes_no_write_and_the_share_is_the_same_every_time(
    ctx: PlanContext,
) -> None:
    drop = DroppedDeliveriesInjector(30.0)
    lost = [k for k in range(1, 2001) if not drop.delivery(k).received]
    assert 500 <= len(lost) <= 700  # about 30% of 2,000
    assert lost == [k for k in range(1, 2001) if picked("dropped_deliveries", k, 30.0)]
    for key in (lost[0], next(k for k in range(1, 50) if k not in lost)):
        record = {**RECORD, "id": key}
        ship = Update("shop.orders", key, "status", "shipped")
        assert drop.bend(record, [ship], ctx) == ([] if key in lost else [ship])


def test_held_events_arrive_together_when_the_hold_ends() -> None:
    held = DelayedDeliveriesInjector(timedelta(minutes=90))
    end = NOW + timedelta(minutes=90)
    assert held.arrival(NOW, NOW) == end
    assert held.arrival(NOW + timedelta(minutes=89), NOW) == end
    assert held.arrival(NOW + timedelta(minutes=95), NOW) == NOW + timedelta(minutes=95)


def test_a_partial_failure_stops_at_the_call_and_the_retry_does_it_all_again(
    ctx: PlanContext,
) -> None:
    log = Insert("billing.activity", {"kind": "note"})
    failing = next(k for k in range(1, 100) if picked("partial_failure", k, 50.0))
    passing = next(k for k in range(1, 100) if not picked("partial_failure", k, 50.0))
    record = {**RECORD, "id": failing}
    refused = PartialFailureInjector("email.outbox", 50.0, "rate_limited")
    assert refused.bend(record, [SHIP, log, EMAIL], ctx) == [SHIP, log, SHIP, log, EMAIL]
    timed_out = PartialFailureInjector("email.outbox", 50.0, "timeout")
    assert timed_out.bend(record, [SHIP, EMAIL], ctx) == [SHIP, EMAIL, SHIP, EMAIL]
    assert timed_out.delivery(failing).failed
    assert not timed_out.delivery(passing).failed
    other = {**RECORD, "id": passing}
    assert timed_out.bend(other, [SHIP, EMAIL], ctx) == [SHIP, EMAIL]


# -- bad runs on small worlds: ground truth and the delivery log ------------------------------


def small(name: str, *, reach: int = 60) -> Scenario:
    """A library scenario with its world cut to at most 1,500 records per table."""
    full = load_scenario(name)
    counts = {table: min(n, 1_500) for table, n in full.world.counts.items()}
    fault = full.fault.model_copy(update={"reach": full.fault.reach.model_copy(
        update={"count": reach, "percent": None, "where": None})})
    return full.model_copy(update={
        "world": full.world.model_copy(update={"counts": counts}), "fault": fault})


def world_of(scenario: Scenario) -> SqlStore:
    store = SqlStore(SqliteBackend(None), ManualClock(scenario.starts))
    build_scenario_world(scenario, store)
    return store


def log_rows(store: SqlStore, run: BadRun) -> list[sa.Row[tuple[object, ...]]]:
    t = delivery_log(store)
    with store.engine.connect() as conn:
        return list(conn.execute(sa.select(t).where(t.c.run_id == run.run_id)
                                 .order_by(t.c.event)))


def test_a_storm_leaves_extra_records_and_redeliveries_in_the_log() -> None:
    scenario = small("order-paid-webhook-redelivered")
    store = world_of(scenario)
    run = BadRun(scenario, store)
    run.run_all()
    kinds = Counter(d.kind for d in run.truth)
    assert kinds == {DamageKind.EXTRA: 60 * 3}  # three emails too many per order
    assert not scenario.fault.needs_people()
    end = scenario.starts + timedelta(hours=2)
    reader = MetricReader(store, run.run_id)
    assert reader.read("redeliveries", end) == 60 * 3
    assert reader.read("redeliveries_per_event", end) == 3  # each event: 3 beyond the first
    assert reader.read("redeliveries_per_event", scenario.starts) == 0  # nothing received yet
    assert reader.read("delivery_drift", end) == 0
    assert reader.read("duplicate_messages", end) == 60 * 3


def test_a_reorder_leaves_the_older_status_and_counts_out_of_order_arrivals() -> None:
    scenario = small("dispatch-events-out-of-order")
    store = world_of(scenario)
    run = BadRun(scenario, store)
    run.run_all()
    wrong = {(d.wrong, d.right) for d in run.truth if d.table == "shop.orders"}
    assert wrong == {("processing", "shipped")}
    assert len(run.truth.records["shop.orders"]) == 60
    reader = MetricReader(store, run.run_id)
    assert reader.read("out_of_order_arrivals", scenario.starts + timedelta(hours=2)) == 60


def test_lost_events_are_in_the_senders_log_not_the_jobs_and_are_damage() -> None:
    scenario = small("crm-conversions-lost-in-outage")
    store = world_of(scenario)
    run = BadRun(scenario, store)
    run.run_all()
    assert isinstance(scenario.fault, DroppedDeliveries)
    lost = {k for k in run.targets if picked("dropped_deliveries", k, scenario.fault.lost)}
    assert lost, "the seed loses some of 60 events at 25%"
    assert set(run.sent) == set(run.targets)
    assert set(run.handled) == set(run.targets) - lost
    damaged = {d.key: d for d in run.truth if d.table == "crm.contacts"}
    assert set(damaged) == lost
    assert {(d.kind, d.wrong, d.right) for d in damaged.values()} == {
        (DamageKind.STALE, "lead", "customer")}
    rows = log_rows(store, run)
    assert sum(r.received_at is None for r in rows) == len(lost)
    reader = MetricReader(store, run.run_id)
    end = scenario.starts + timedelta(hours=2)
    assert reader.read("delivery_drift", end) == len(lost)
    assert reader.read("delivery_drift", end, timedelta(minutes=1)) == 0


def test_drift_counts_events_sent_and_not_yet_received() -> None:
    scenario = small("card-payments-arrive-late", reach=30)
    store = world_of(scenario)
    run = BadRun(scenario, store)
    events = list(run.events())
    start = scenario.starts + scenario.fault.starts
    assert {e.at for e in events if e.sent is not None} == {start + timedelta(minutes=90)}
    reader = MetricReader(store, run.run_id)
    # Three a minute for ten minutes: thirty sent, none arrived while they are held.
    assert reader.read("delivery_drift", start + timedelta(minutes=10)) == 30
    run.execute(events, start + timedelta(minutes=90))
    assert reader.read("delivery_drift", start + timedelta(minutes=91)) == 0


def test_a_late_event_over_a_persons_newer_edit_is_damage_and_the_fixed_job_keeps_it() -> None:
    scenario = small("card-payments-arrive-late", reach=20)
    clock = ManualClock(scenario.starts)
    store = SqlStore(SqliteBackend(None), clock)
    build_scenario_world(scenario, store)
    run = BadRun(scenario, store)
    events = list(run.events())
    start = scenario.starts + scenario.fault.starts
    clerk = events[5]
    clock.set(start + timedelta(minutes=30))
    store.update("billing.invoices", {clerk.key: {"notes": "card seen in dashboard, AR"}},
                 Actor.person("Ana Ruiz"))
    arrived = start + timedelta(minutes=90)
    clock.set(arrived)
    run.execute(events, arrived)
    damage = [d for d in run.truth if d.table == "billing.invoices"]
    assert [(d.key, d.field, d.kind, d.right) for d in damage] == [
        (clerk.key, "notes", DamageKind.VALUE, "card seen in dashboard, AR")]
    assert scenario.fault.needs_people()  # alone, with nobody editing, nothing is wrong
    assert run.sent_at[clerk.key] == clerk.sent
    # The fixed job lets the newer change win: it writes no note there, so the team's
    # review finds the late write wrong and history gives back the clerk's note.
    rerun = rerun_values(store, run, arrived + timedelta(minutes=5))
    with store.engine.connect() as conn:
        noted = {(k, f) for k, f in conn.execute(
            sa.select(rerun.c.record_key, rerun.c.field)
            .where(rerun.c.table_name == "billing.invoices"))}
    assert (clerk.key, "notes") not in noted
    assert (clerk.key, "status") in noted
    review_run(store, run, arrived + timedelta(minutes=5), cause_known=True)
    t = review_table(store)
    with store.engine.connect() as conn:
        found = set(conn.execute(sa.select(t.c.table_name, t.c.record_key, t.c.field)
                                 .where(~t.c.table_name.like("warehouse.%"))))
    assert found == {("billing.invoices", clerk.key, "notes")}


def test_a_partial_failure_repeats_the_email_and_logs_failed_calls() -> None:
    scenario = small("welcome-email-timeouts-resent", reach=100)
    store = world_of(scenario)
    run = BadRun(scenario, store)
    run.run_all()
    assert isinstance(scenario.fault, PartialFailure)
    failing = {k for k in run.targets if picked("partial_failure", k, scenario.fault.failing)}
    extra = [d for d in run.truth if d.kind is DamageKind.EXTRA]
    assert len(extra) == len(failing) > 0
    reader = MetricReader(store, run.run_id)
    end = scenario.starts + timedelta(hours=2)
    assert reader.read("failed_calls", end) == len(failing)
    assert reader.read("error_rate", end) == pytest.approx(100 * len(failing) / 100)
    assert reader.read("error_rate", scenario.starts) == 0  # nothing received: no rate


def test_the_healthy_twin_writes_a_clean_delivery_log() -> None:
    scenario = small("crm-conversions-lost-in-outage")
    store = world_of(scenario)
    run = BadRun(scenario, store, healthy=True)
    run.run_all()
    assert len(run.truth) == 0
    assert set(run.handled) == set(run.targets)
    rows = log_rows(store, run)
    assert all(r.received_at is not None and r.deliveries == 1 and not r.failed for r in rows)


# -- replay from the sender's log ------------------------------------------------------------


def test_lost_events_are_replayed_not_rerun() -> None:
    scenario = small("crm-conversions-lost-in-outage")
    store = world_of(scenario)
    run = BadRun(scenario, store)
    run.run_all()
    lost = set(run.sent) - set(run.handled)
    rerun = rerun_values(store, run, scenario.starts + timedelta(hours=1))
    with store.engine.connect() as conn:
        replayed = {k for k, r in conn.execute(
            sa.select(rerun.c.record_key, rerun.c.replayed)) if r}
    assert replayed == lost
    assert keeps_sender_log(scenario)
    assert RepairSources(replay=True).uses(Source.REPLAY)
    assert not RepairSources(replay=True, allowed=(Source.RERUN,)).uses(Source.REPLAY)


def test_a_job_without_a_webhook_or_queue_keeps_no_senders_log() -> None:
    scenario = load_scenario("crm-conversions-lost-in-outage")
    auto = scenario.automation.model_copy(update={
        "trigger": scenario.automation.trigger.model_copy(
            update={"webhook": None, "schedule": timedelta(minutes=5)}),
        "feeders": [f for f in scenario.automation.feeders if f.kind == "schedule"],
    })
    assert not keeps_sender_log(scenario.model_copy(update={"automation": auto}))
