"""Scoping from the change log: by run, batch, window, actor and table."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from drills.fakes import CATALOG, Actor, ActorKind, ManualClock, SqlStore, StoreError
from drills.fakes.errors import UnknownTableError
from drills.fakes.queries import Change, changes, changes_select, last_seq, touched_records

DEALS = "crm.deals"
TICKETS = "support.tickets"
START = datetime(2026, 3, 2, 9, 0, 0)

BAD = Actor.automation("stage-bot", run_id="run-1", batch_id="b1")
OTHER_RUN = Actor.automation("stage-bot", run_id="run-2", batch_id="b1")
ANNA = Actor.person("anna")
SYNC = Actor.sync("warehouse")


@pytest.fixture
def world(store: SqlStore, clock: ManualClock) -> SqlStore:
    """Writes at 09:00 (anna), 09:05 and 09:10 (run-1, batches b1/b2), 09:20 (run-2, sync)."""
    store.add_tables([CATALOG.table(DEALS), CATALOG.table(TICKETS)])
    store.bulk_load(
        DEALS, ["id", "title", "amount_cents"], [(i, f"d{i}", i * 100) for i in (1, 2, 3, 4)]
    )
    store.bulk_load(TICKETS, ["id", "subject"], [(1, "help")])
    store.update(DEALS, {4: {"title": "anna's"}}, ANNA)  # 09:00
    clock.advance(timedelta(minutes=5))
    store.update(DEALS, {1: {"stage": "lost"}, 2: {"stage": "lost"}}, BAD)  # 09:05
    clock.advance(timedelta(minutes=5))
    store.update(DEALS, {3: {"stage": "lost", "amount_cents": 0}}, BAD.in_batch("b2"))  # 09:10
    store.update(TICKETS, {1: {"status": "closed"}}, BAD.in_batch("b2"))
    clock.advance(timedelta(minutes=10))
    store.update(DEALS, {2: {"stage": "won"}}, OTHER_RUN)  # 09:20
    store.delete(TICKETS, [1], SYNC)
    return store


def keys(found: list[Change]) -> list[tuple[str, int, str]]:
    return [(c.table, c.key, c.field) for c in found]


def test_changes_are_decoded_and_ordered(world: SqlStore) -> None:
    found = changes(world)
    assert [c.seq for c in found] == sorted(c.seq for c in found)
    first = found[0]
    assert first == Change(
        seq=first.seq, at=START, actor_kind=ActorKind.PERSON, actor_name="anna", run_id=None,
        batch_id=None, table=DEALS, key=4, op="update", field="title", old="d4", new="anna's",
    )
    amount = next(c for c in found if c.field == "amount_cents")
    assert (amount.old, amount.new) == (300, 0)  # ints again, not the log's text
    assert amount.actor == BAD.in_batch("b2")
    assert last_seq(world) == found[-1].seq


def test_by_run_id(world: SqlStore) -> None:
    assert keys(changes(world, run_id="run-1")) == [
        (DEALS, 1, "stage"), (DEALS, 2, "stage"),
        (DEALS, 3, "amount_cents"), (DEALS, 3, "stage"), (TICKETS, 1, "status"),
    ]
    assert touched_records(world, run_id="run-1") == {DEALS: {1, 2, 3}, TICKETS: {1}}


def test_by_run_and_batch(world: SqlStore) -> None:
    assert touched_records(world, run_id="run-1", batch_id="b1") == {DEALS: {1, 2}}
    # batch ids repeat across runs; the batch alone is wider than the run and batch
    assert touched_records(world, batch_id="b1") == {DEALS: {1, 2}}
    assert touched_records(world, batch_id="b2") == {DEALS: {3}, TICKETS: {1}}


def test_window_is_half_open(world: SqlStore) -> None:
    t0905, t0910, t0920 = (START + timedelta(minutes=m) for m in (5, 10, 20))
    assert touched_records(world, since=t0905, until=t0910) == {DEALS: {1, 2}}
    assert touched_records(world, since=t0910, until=t0920) == {DEALS: {3}, TICKETS: {1}}
    assert touched_records(world, since=t0920) == {DEALS: {2}, TICKETS: {1}}
    assert touched_records(world, until=t0905) == {DEALS: {4}}
    assert touched_records(world, since=t0905, until=t0905) == {}


def test_by_actor(world: SqlStore) -> None:
    assert touched_records(world, actor_kind=ActorKind.PERSON) == {DEALS: {4}}
    assert touched_records(world, actor_kind="sync") == {TICKETS: {1}}
    assert {c.op for c in changes(world, actor_kind="sync")} == {"delete"}
    assert touched_records(world, actor_name="stage-bot") == {DEALS: {1, 2, 3}, TICKETS: {1}}
    assert touched_records(world, actor_kind="automation", actor_name="anna") == {}


def test_by_table_and_after_seq(world: SqlStore) -> None:
    assert touched_records(world, table=TICKETS) == {TICKETS: {1}}
    assert [c.op for c in changes(world, table=TICKETS, run_id="run-1")] == ["update"]
    mark = changes(world, run_id="run-2")[0].seq
    assert touched_records(world, after_seq=mark - 1) == {DEALS: {2}, TICKETS: {1}}
    assert changes(world, after_seq=last_seq(world)) == []


def test_changes_select_is_a_plain_select_to_build_on(world: SqlStore) -> None:
    sub = changes_select(world, run_id="run-1", table=DEALS).subquery()
    count = sa.select(sa.func.count(sa.distinct(sub.c.record_key)))
    with world.engine.connect() as conn:
        assert conn.scalar(count) == 3


def test_unknown_filters_say_how_to_fix(world: SqlStore) -> None:
    with pytest.raises(UnknownTableError, match="did you mean 'deals'"):
        changes(world, table="crm.dels")
    with pytest.raises(StoreError) as info:
        changes(world, actor_kind="automaton")
    assert str(info.value) == "unknown actor kind 'automaton'; did you mean 'automation'?"


def test_empty_log(store: SqlStore) -> None:
    assert last_seq(store) == 0
    assert changes(store) == []
    assert touched_records(store) == {}
