"""Healthy syncs spread what the source holds, after their lag, logged as sync writes."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from drills.fakes import CATALOG, Actor, ActorKind, ManualClock, SqlStore
from drills.fakes.errors import UnknownFieldError, UnknownTableError
from drills.fakes.queries import changes, last_seq, touched_records
from drills.fakes.syncs import FieldSync, Sync, SyncError, SyncSchedule, TableCopy, run_due

CONTACTS, INVOICES, COPY = "crm.contacts", "billing.invoices", "warehouse.billing_invoices"
START = datetime(2026, 3, 2, 9, 0, 0)
BAD = Actor.automation("status-bot", run_id="run-1", batch_id="b1")
ANNA = Actor.person("anna")
MIN = timedelta(minutes=1)


@pytest.fixture
def world(store: SqlStore) -> SqlStore:
    """Two contacts; invoices 1 and 2 belong to contact 1, invoice 3 to contact 2."""
    store.add_tables([CATALOG.table(CONTACTS), CATALOG.table(INVOICES)])
    store.bulk_load(
        CONTACTS, ["id", "first_name", "status"], [(1, "Ada", "active"), (2, "Bo", "active")]
    )
    store.bulk_load(
        INVOICES,
        ["id", "customer_id", "customer_email", "customer_status", "amount_cents"],
        [(1, 1, "ada@x.io", "active", 100), (2, 1, "ada@x.io", "active", 200),
         (3, 2, "bo@x.io", "active", 300)],
    )
    return store


def statuses(store: SqlStore) -> dict[int, object]:
    return {r["id"]: r["customer_status"] for r in store.rows(INVOICES)}  # type: ignore[misc]


def status_sync(lag: timedelta = 5 * MIN, **kw: object) -> FieldSync:
    return FieldSync(
        "crm.contacts.status", "billing.invoices.customer_status", "customer_id", lag, **kw  # type: ignore[arg-type]
    )


# -- field sync --------------------------------------------------------------------------


def test_field_sync_delivers_after_its_lag_and_not_before(
    world: SqlStore, clock: ManualClock
) -> None:
    sync = status_sync()
    world.update(CONTACTS, {1: {"status": "churned"}}, BAD)  # at 09:00

    assert sync.run(world, clock.now()) == 0
    assert sync.next_delivery(world) == START + 5 * MIN
    clock.advance(5 * MIN - timedelta(seconds=1))
    assert sync.run(world, clock.now()) == 0
    assert statuses(world) == {1: "active", 2: "active", 3: "active"}

    clock.advance(timedelta(seconds=1))  # 09:05, exactly t + lag
    assert sync.run(world, clock.now()) == 2
    assert statuses(world) == {1: "churned", 2: "churned", 3: "active"}
    assert sync.next_delivery(world) is None

    carried = changes(world, table=INVOICES)
    assert {(c.key, c.field, c.old, c.new) for c in carried} == {
        (1, "customer_status", "active", "churned"), (2, "customer_status", "active", "churned")
    }
    assert {(c.actor_kind, c.actor_name, c.at) for c in carried} == {
        (ActorKind.SYNC, "sync crm.contacts.status -> billing.invoices.customer_status",
         START + 5 * MIN)
    }
    assert sync.run(world, clock.now() + MIN) == 0  # nothing is delivered twice


def test_field_sync_delivers_the_value_as_of_the_change_not_the_latest(
    world: SqlStore, clock: ManualClock
) -> None:
    sync = status_sync()
    clock.advance(MIN)
    world.update(CONTACTS, {2: {"status": "lead"}}, ANNA)  # 09:01
    clock.advance(2 * MIN)
    world.update(CONTACTS, {2: {"status": "customer"}}, ANNA)  # 09:03

    clock.set(START + 6 * MIN)
    assert sync.run(world, clock.now()) == 1
    assert statuses(world)[3] == "lead"
    assert sync.next_delivery(world) == START + 8 * MIN

    clock.set(START + 8 * MIN)
    assert sync.run(world, clock.now()) == 1
    assert statuses(world)[3] == "customer"


def test_a_run_that_skips_ahead_applies_only_the_latest_value(
    world: SqlStore, clock: ManualClock
) -> None:
    sync = status_sync()
    world.update(CONTACTS, {2: {"status": "lead"}}, ANNA)
    clock.advance(MIN)
    world.update(CONTACTS, {2: {"status": "churned"}}, ANNA)
    clock.advance(10 * MIN)
    assert sync.run(world, clock.now()) == 1
    assert [c.new for c in changes(world, table=INVOICES)] == ["churned"]


def test_blank_writes_spread_like_any_other_value(world: SqlStore, clock: ManualClock) -> None:
    sync = status_sync(lag=timedelta(0))
    world.update(CONTACTS, {1: {"status": None}, 2: {"status": None}}, BAD)
    assert sync.run(world, clock.now()) == 3
    assert statuses(world) == {1: None, 2: None, 3: None}


def test_field_sync_with_a_poll_schedule(world: SqlStore, clock: ManualClock) -> None:
    sync = status_sync(lag=timedelta(0), every=15 * MIN)
    assert sync.due(clock.now())
    sync.run(world, clock.now())
    world.update(CONTACTS, {1: {"status": "lead"}}, ANNA)
    assert not sync.due(clock.now() + 14 * MIN)
    assert sync.next_due == START + 15 * MIN
    assert run_due([sync], world, START + 14 * MIN) == {}
    assert run_due([sync], world, START + 15 * MIN) == {sync.name: 2}


def test_field_sync_names_are_checked_against_the_catalog() -> None:
    with pytest.raises(UnknownTableError, match="did you mean 'contacts'"):
        FieldSync("crm.contact.status", "billing.invoices.customer_status", "customer_id", MIN)
    with pytest.raises(UnknownFieldError, match="did you mean 'customer_status'"):
        FieldSync("crm.contacts.status", "billing.invoices.customer_statu", "customer_id", MIN)
    with pytest.raises(UnknownFieldError, match=r"write it as 'system\.table\.field'"):
        FieldSync("crm.contacts", "billing.invoices.customer_status", "customer_id", MIN)
    with pytest.raises(UnknownFieldError, match="did you mean 'customer_id'"):
        FieldSync("crm.contacts.status", "billing.invoices.customer_status", "customer", MIN)
    with pytest.raises(SyncError) as info:
        FieldSync("crm.contacts.status", "billing.invoices.customer_status", "customer_email", MIN)
    assert str(info.value) == (
        "billing.invoices.customer_email holds text, but a sync key must hold the ids of "
        "crm.contacts; pick an integer field such as a '..._id' field"
    )
    with pytest.raises(SyncError) as info:
        FieldSync("crm.contacts.status", "billing.invoices.amount_cents", "customer_id", MIN)
    assert str(info.value) == (
        "cannot sync crm.contacts.status (text) into billing.invoices.amount_cents (int); "
        "pick a target field of the same type"
    )
    with pytest.raises(SyncError, match="cannot be negative"):
        status_sync(lag=-MIN)


def test_field_sync_into_a_table_not_in_the_world(store: SqlStore, clock: ManualClock) -> None:
    store.add_tables([CATALOG.table(CONTACTS)])
    with pytest.raises(UnknownTableError, match="not in this world"):
        status_sync().run(store, clock.now())


# -- table copy --------------------------------------------------------------------------


def test_prime_lays_down_the_baseline_without_logging(world: SqlStore) -> None:
    copy = TableCopy(INVOICES, every=15 * MIN)
    assert copy.target == COPY
    assert copy.prime(world) == 3
    assert world.rows(COPY) == world.rows(INVOICES)
    assert last_seq(world) == 0
    assert copy.copied_seq == 0
    with pytest.raises(SyncError) as info:
        copy.prime(world)
    assert str(info.value) == (
        "warehouse.billing_invoices holds records already; prime a copy once, at world "
        "build, and call run() to bring it up to date"
    )


def test_table_copy_is_incremental_and_logged_as_sync(world: SqlStore, clock: ManualClock) -> None:
    copy = TableCopy(INVOICES, every=15 * MIN, name="warehouse invoices")
    copy.prime(world)
    # an unlogged edit (which the store forbids in a drill) shows what the copy reads:
    # only records the change log names, never a rescan of the whole table
    with world.begin() as conn:
        t = world.sa_table(INVOICES)
        conn.execute(t.update().where(t.c.id == 3).values(amount_cents=999))
    world.update(INVOICES, {1: {"amount_cents": 150}}, ANNA)
    world.delete(INVOICES, [2], ANNA)
    new = world.insert(INVOICES, [{"customer_id": 2, "amount_cents": 5}], ANNA)
    clock.advance(MIN)

    assert copy.run(world, clock.now()) == 3

    by_id = {r["id"]: r for r in world.rows(COPY)}
    assert list(by_id) == [1, 3, *new]  # rows come in key order
    assert by_id[1]["amount_cents"] == 150
    assert by_id[3]["amount_cents"] == 300  # the unlogged edit did not travel
    assert by_id[new[0]] == world.get(INVOICES, new[0])
    carried = changes(world, table=COPY)
    assert {c.actor for c in carried} == {Actor.sync("warehouse invoices")}
    assert {c.at for c in carried} == {START + MIN}
    assert {(c.op, c.key) for c in carried} == {
        ("update", 1), ("delete", 2), ("insert", new[0])
    }
    assert copy.run(world, clock.now() + MIN) == 0  # its own writes are not copied again


def test_damage_written_to_the_source_spreads_to_the_copy(
    world: SqlStore, clock: ManualClock
) -> None:
    copy = TableCopy(INVOICES, every=15 * MIN)
    copy.prime(world)
    copy.run(world, clock.now())
    clock.advance(2 * MIN)
    world.update(INVOICES, {1: {"customer_email": None}, 3: {"customer_email": None}}, BAD)

    assert copy.run(world, START + 15 * MIN) == 2

    assert [r["customer_email"] for r in world.rows(COPY)] == [None, "ada@x.io", None]
    assert touched_records(world, actor_kind="sync") == {COPY: {1, 3}}
    assert touched_records(world, run_id="run-1") == {INVOICES: {1, 3}}


def test_table_copy_schedule(world: SqlStore) -> None:
    copy = TableCopy(INVOICES, every=15 * MIN)
    copy.prime(world)
    assert copy.next_due is None
    assert copy.due(START)
    copy.run(world, START)
    assert copy.next_due == START + 15 * MIN
    assert not copy.due(START + 14 * MIN)
    assert copy.due(START + 15 * MIN)
    copy.run(world, START + 17 * MIN)  # late runs keep the grid of the first run
    assert copy.next_due == START + 30 * MIN


def test_table_copy_refusals(world: SqlStore, clock: ManualClock) -> None:
    with pytest.raises(SyncError) as info:
        TableCopy(INVOICES, every=15 * MIN).run(world, clock.now())
    assert str(info.value) == (
        "the copy warehouse.billing_invoices has not been primed; call prime(store) at "
        "world build before running it"
    )
    with pytest.raises(SyncError, match=r"copy the table it mirrors, 'billing\.invoices'"):
        TableCopy(COPY, every=MIN)
    with pytest.raises(SyncError, match="positive interval"):
        TableCopy(INVOICES, every=timedelta(0))
    with pytest.raises(UnknownTableError, match="did you mean 'invoices'"):
        TableCopy("billing.invoice", every=MIN)


# -- schedules ---------------------------------------------------------------------------


def test_a_field_sync_then_copy_carries_damage_two_hops(
    world: SqlStore, clock: ManualClock
) -> None:
    field = status_sync(lag=5 * MIN)
    copy = TableCopy(INVOICES, every=10 * MIN)
    schedule = SyncSchedule([copy, field])
    assert schedule.syncs == (field, copy)  # the writer of billing.invoices goes first
    assert all(isinstance(s, Sync) for s in schedule.syncs)
    assert schedule.prime(world) == {copy.name: 3}
    assert schedule.run_due(world, clock.now()) == {field.name: 0, copy.name: 0}

    world.update(CONTACTS, {2: {"status": "churned"}}, BAD)  # 09:00
    clock.set(START + 5 * MIN)
    assert schedule.run_due(world, clock.now()) == {field.name: 1}
    assert world.get(COPY, 3)["customer_status"] == "active"  # type: ignore[index]
    clock.set(START + 10 * MIN)
    assert schedule.run_due(world, clock.now()) == {field.name: 0, copy.name: 1}
    assert world.get(COPY, 3)["customer_status"] == "churned"  # type: ignore[index]
    assert touched_records(world, actor_kind="sync") == {INVOICES: {3}, COPY: {3}}


def test_sync_names_must_be_unique(world: SqlStore, clock: ManualClock) -> None:
    twins = [TableCopy(INVOICES, MIN, name="wh"), TableCopy(CONTACTS, MIN, name="wh")]
    message = (
        "two syncs are named 'wh'; give each a distinct name so the change log can tell "
        "their writes apart"
    )
    with pytest.raises(SyncError) as info:
        SyncSchedule(twins)
    assert str(info.value) == message
    with pytest.raises(SyncError):
        run_due(twins, world, clock.now())
    assert sa.inspect(world.engine).has_table("warehouse__billing_invoices") is False


def test_a_copy_does_not_see_repairs_unless_told(store: SqlStore, clock: ManualClock) -> None:
    """A bulk repair under the application leaves the warehouse copy stale (rule 4)."""
    store.add_tables([CATALOG.table("crm.contacts")])
    store.insert("crm.contacts", [{"email": "a@x.com"}], Actor.person("p"))
    blind = TableCopy("crm.contacts", timedelta(minutes=5), name="blind")
    blind.prime(store)
    store.update("crm.contacts", {1: {"email": ""}}, Actor.automation("job", "r1"))
    blind.run(store, clock.now())
    store.update("crm.contacts", {1: {"email": "a@x.com"}}, Actor.repair("team"))
    clock.advance(timedelta(minutes=5))
    blind.run(store, clock.now())
    assert store.get("warehouse.crm_contacts", 1)["email"] == ""  # type: ignore[index]
