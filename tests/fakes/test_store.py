"""The store's one write path: every write is logged, and a refused write leaves no trace."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from drills.fakes import CATALOG, Actor, ActorKind, DrillsError, ManualClock, SqlStore, StoreError
from drills.fakes.errors import UnknownFieldError, UnknownTableError
from drills.fakes.store import format_time

DEALS = "crm.deals"
BOT = Actor.automation("invoice-sync", run_id="run-7", batch_id="b1")
ANNA = Actor.person("anna")


def log(store: SqlStore) -> list[dict[str, Any]]:
    """The raw change log, oldest first, without the seq."""
    cl = store.changelog
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(cl).order_by(cl.c.seq)).mappings()
        return [{k: v for k, v in r.items() if k != "seq"} for r in rows]


def entry(
    actor: Actor, at: str, key: int, op: str, field: str, old: str | None, new: str | None
) -> dict[str, Any]:
    return {
        "at": at,
        "actor_kind": actor.kind.value,
        "actor_name": actor.name,
        "run_id": actor.run_id,
        "batch_id": actor.batch_id,
        "table_name": DEALS,
        "record_key": key,
        "op": op,
        "field": field,
        "old_value": old,
        "new_value": new,
    }


@pytest.fixture
def deals(store: SqlStore) -> SqlStore:
    """A store holding two baseline deals (bulk-loaded, so not in the log)."""
    store.add_tables([CATALOG.table(DEALS)])
    store.bulk_load(
        DEALS,
        ["id", "title", "stage", "amount_cents", "owner"],
        [(1, "Renewal", "proposal", 5000, "anna"), (2, "Upsell", "qualified", 1200, None)],
    )
    return store


def test_bulk_load_is_not_logged(deals: SqlStore) -> None:
    assert deals.count(DEALS) == 2
    assert log(deals) == []


def test_insert_logs_every_data_field_with_actor_run_batch_and_clock_time(
    deals: SqlStore, clock: ManualClock
) -> None:
    clock.advance(timedelta(minutes=3))
    at = format_time(clock.now())

    keys = deals.insert(DEALS, [{"title": "New", "amount_cents": 10}], BOT)

    assert keys == [3]
    fields = CATALOG.table(DEALS).data_fields
    new = {"title": "New", "amount_cents": "10"}
    assert log(deals) == [entry(BOT, at, 3, "insert", f, None, new.get(f)) for f in fields]
    assert deals.get(DEALS, 3) == {
        "id": 3, "contact_id": None, "title": "New", "stage": None, "amount_cents": 10,
        "close_date": None, "owner": None, "notes": None,
    }


def test_insert_keeps_given_ids_and_assigns_the_rest_past_them(deals: SqlStore) -> None:
    keys = deals.insert(DEALS, [{"title": "x"}, {"id": 3, "title": "y"}, {"title": "z"}], BOT)
    assert keys == [4, 3, 5]
    assert [r["title"] for r in deals.rows(DEALS)] == ["Renewal", "Upsell", "y", "x", "z"]
    assert {r["record_key"] for r in log(deals)} == {3, 4, 5}


def test_update_logs_only_the_fields_that_changed(deals: SqlStore, clock: ManualClock) -> None:
    clock.advance(timedelta(seconds=90))
    at = format_time(clock.now())

    n = deals.update(
        DEALS,
        {1: {"stage": "won", "amount_cents": 5000}, 2: {"owner": "bo", "amount_cents": 0}},
        BOT,
    )

    assert n == 3
    assert log(deals) == [
        entry(BOT, at, 1, "update", "stage", "proposal", "won"),
        entry(BOT, at, 2, "update", "amount_cents", "1200", "0"),
        entry(BOT, at, 2, "update", "owner", None, "bo"),
    ]
    assert deals.get(DEALS, 1)["stage"] == "won"  # type: ignore[index]
    assert deals.get(DEALS, 2)["owner"] == "bo"  # type: ignore[index]


def test_one_record_is_logged_as_in_a_batch(deals: SqlStore, clock: ManualClock) -> None:
    """A single record's update, compared in Python, logs what the set-based path logs:
    only changed fields, in the order of their names, numbers and blanks as text or NULL."""
    at = format_time(clock.now())
    change: dict[str, Any] = {"stage": "won", "amount_cents": 5000, "owner": None,
                              "notes": "checked"}

    alone = deals.update(DEALS, {1: change}, BOT)
    batch = deals.update(DEALS, {2: change, 1: change}, ANNA)

    assert (alone, batch) == (3, 3)  # record 1 holds the change already the second time
    assert log(deals) == [
        entry(BOT, at, 1, "update", "notes", None, "checked"),
        entry(BOT, at, 1, "update", "owner", "anna", None),
        entry(BOT, at, 1, "update", "stage", "proposal", "won"),
        entry(ANNA, at, 2, "update", "amount_cents", "1200", "5000"),
        entry(ANNA, at, 2, "update", "notes", None, "checked"),
        entry(ANNA, at, 2, "update", "stage", "qualified", "won"),
    ]
    records = {r["id"]: r for r in deals.rows(DEALS)}
    for key in (1, 2):
        assert {f: records[key][f] for f in change} == change


def test_a_blank_write_is_logged_with_new_value_none(deals: SqlStore, clock: ManualClock) -> None:
    deals.update(DEALS, {1: {"owner": None}}, ANNA)
    assert log(deals) == [
        entry(ANNA, format_time(clock.now()), 1, "update", "owner", "anna", None)
    ]


def test_no_op_updates_log_nothing(deals: SqlStore) -> None:
    assert deals.update(DEALS, {1: {"stage": "proposal", "owner": "anna"}}, BOT) == 0
    assert deals.update(DEALS, {}, BOT) == 0
    t = deals.sa_table(DEALS)
    same = sa.select(t.c.id, t.c.stage, t.c.owner)
    assert deals.update_from(DEALS, same, ["stage", "owner"], BOT) == 0
    assert log(deals) == []


def test_update_from_is_set_based_and_logs_each_changed_field(
    deals: SqlStore, clock: ManualClock
) -> None:
    clock.advance(timedelta(hours=1))
    at = format_time(clock.now())
    t = deals.sa_table(DEALS)
    shouted = sa.select(t.c.id, sa.func.upper(t.c.title).label("title"), t.c.owner)

    n = deals.update_from(DEALS, shouted, ["title", "owner"], Actor.sync("warehouse"))

    sync = Actor.sync("warehouse")
    assert n == 2
    assert sorted(log(deals), key=lambda r: r["record_key"]) == [
        entry(sync, at, 1, "update", "title", "Renewal", "RENEWAL"),
        entry(sync, at, 2, "update", "title", "Upsell", "UPSELL"),
    ]
    assert [r["title"] for r in deals.rows(DEALS)] == ["RENEWAL", "UPSELL"]


def test_update_from_logs_nulls_both_ways(deals: SqlStore, clock: ManualClock) -> None:
    t = deals.sa_table(DEALS)
    swapped = sa.select(
        t.c.id, sa.case((t.c.owner.is_(None), "cy"), else_=sa.null()).label("owner")
    )
    assert deals.update_from(DEALS, swapped, ["owner"], ANNA) == 2
    at = format_time(clock.now())
    assert sorted(log(deals), key=lambda r: r["record_key"]) == [
        entry(ANNA, at, 1, "update", "owner", "anna", None),
        entry(ANNA, at, 2, "update", "owner", None, "cy"),
    ]


def test_delete_logs_every_fields_last_value(deals: SqlStore, clock: ManualClock) -> None:
    repair = Actor.repair("cleanup", run_id="fix-1", batch_id="sample")
    assert deals.delete(DEALS, [2, 2], repair) == 1
    at = format_time(clock.now())
    last = {"title": "Upsell", "stage": "qualified", "amount_cents": "1200"}
    assert log(deals) == [
        entry(repair, at, 2, "delete", f, last.get(f), None)
        for f in CATALOG.table(DEALS).data_fields
    ]
    assert deals.get(DEALS, 2) is None
    assert deals.count(DEALS) == 1


def test_each_write_is_stamped_with_the_clock_it_was_given(
    deals: SqlStore, clock: ManualClock
) -> None:
    deals.update(DEALS, {1: {"stage": "won"}}, BOT)
    clock.advance(timedelta(minutes=10))
    deals.update(DEALS, {1: {"stage": "lost"}}, BOT.in_batch("b2"))
    rows = log(deals)
    assert [r["at"] for r in rows] == ["2026-03-02T09:00:00.000000", "2026-03-02T09:10:00.000000"]
    assert [r["batch_id"] for r in rows] == ["b1", "b2"]
    assert {r["actor_kind"] for r in rows} == {ActorKind.AUTOMATION.value}


# -- refused writes ----------------------------------------------------------------------

Write = Callable[[SqlStore], object]


def _select_upper(store: SqlStore) -> sa.Select[Any]:
    t = store.sa_table(DEALS)
    return sa.select(t.c.id, sa.func.upper(t.c.title).label("title"))


REFUSED: list[tuple[str, Write, type[DrillsError], str]] = [
    (
        "update of a missing record",
        lambda s: s.update(DEALS, {1: {"stage": "won"}, 99: {"stage": "won"}}, BOT),
        StoreError,
        "crm.deals has no record with id 99; scope writes to records that exist",
    ),
    (
        "update of one missing record",
        lambda s: s.update(DEALS, {99: {"stage": "won"}}, BOT),
        StoreError,
        "crm.deals has no record with id 99; scope writes to records that exist",
    ),
    (
        "delete of a missing record",
        lambda s: s.delete(DEALS, [1, 99], BOT),
        StoreError,
        "crm.deals has no record with id 99; nothing was deleted",
    ),
    (
        "insert of text into a number field",
        lambda s: s.insert(DEALS, [{"title": "ok"}, {"amount_cents": "12"}], BOT),
        StoreError,
        "crm.deals.amount_cents holds whole numbers, got '12'; pass an int",
    ),
    (
        "update with a bool for a number",
        lambda s: s.update(DEALS, {1: {"stage": "won"}, 2: {"amount_cents": True}}, BOT),
        StoreError,
        "crm.deals.amount_cents holds whole numbers, got True; pass an int",
    ),
    (
        "update with a number for text",
        lambda s: s.update(DEALS, {1: {"title": 7}}, BOT),
        StoreError,
        "crm.deals.title holds text, got 7; pass a str",
    ),
    (
        "insert with an unknown field",
        lambda s: s.insert(DEALS, [{"titel": "x"}], BOT),
        UnknownFieldError,
        "table 'crm.deals' has no field 'titel'; did you mean 'title'?",
    ),
    (
        "update with an unknown field",
        lambda s: s.update(DEALS, {1: {"stage": "won", "stagee": "x"}}, BOT),
        UnknownFieldError,
        "table 'crm.deals' has no field 'stagee'; did you mean 'stage'?",
    ),
    (
        "update_from with an unknown field",
        lambda s: s.update_from(DEALS, _select_upper(s), ["title", "titles"], BOT),
        UnknownFieldError,
        "table 'crm.deals' has no field 'titles'; did you mean 'title'?",
    ),
    (
        "insert with a duplicate id",
        lambda s: s.insert(DEALS, [{"title": "fine"}, {"id": 2, "title": "clash"}], BOT),
        StoreError,
        "cannot insert into crm.deals: a record with id 2 exists already; "
        "leave 'id' out to have one assigned",
    ),
    (
        "insert with the same id twice",
        lambda s: s.insert(DEALS, [{"id": 5, "title": "x"}, {"id": 5, "title": "y"}], BOT),
        StoreError,
        "cannot insert into crm.deals: a record with id 5 exists already; "
        "leave 'id' out to have one assigned",
    ),
    (
        "write to a table not in the world",
        lambda s: s.insert("crm.contacts", [{"first_name": "x"}], BOT),
        UnknownTableError,
        "table 'crm.contacts' is not in this world; add it to the world's counts; "
        "choose one of: crm.deals",
    ),
    (
        "write to a table that does not exist",
        lambda s: s.delete("crm.dealz", [1], BOT),
        UnknownTableError,
        "system 'crm' has no table 'dealz'; did you mean 'deals'?",
    ),
]


@pytest.mark.parametrize(
    ("write", "error", "message"),
    [pytest.param(w, e, m, id=name) for name, w, e, m in REFUSED],
)
def test_a_refused_write_changes_nothing_and_says_how_to_fix(
    deals: SqlStore, write: Write, error: type[DrillsError], message: str
) -> None:
    deals.update(DEALS, {1: {"notes": "before"}}, ANNA)
    log_before, rows_before = log(deals), deals.rows(DEALS)

    with pytest.raises(error) as info:
        write(deals)

    assert str(info.value) == message
    assert isinstance(info.value, DrillsError)
    assert log(deals) == log_before
    assert deals.rows(DEALS) == rows_before


def test_read_keyed_reads_by_any_field_in_its_order_across_chunks(store: SqlStore) -> None:
    """More keys than one IN list or array holds, unsorted, repeated and partly missing."""
    store.add_tables([CATALOG.table(DEALS)])
    n = 60_123  # past SQLite's 5,000-key and PostgreSQL's 50,000-key chunks
    store.bulk_load(
        DEALS,
        ["id", "title", "stage", "amount_cents", "owner"],
        [(k, f"deal {k}", "proposal", k % 7, None) for k in range(1, n + 1)],
    )
    t = store.sa_table(DEALS)
    wanted = [*range(n + 50, 0, -3), 7, 7]  # descending, past the end, 7 twice
    with store.engine.connect() as conn:
        rows = store.read_keyed(conn, t, ("id", "title", "owner"), wanted)
        by_amount = store.read_keyed(conn, t, ("amount_cents", "id"), [3, 99], by="amount_cents")
    expected = sorted(k for k in set(wanted) if k <= n)
    assert [r[0] for r in rows] == expected
    assert rows[0] == (expected[0], f"deal {expected[0]}", None)
    assert all(type(r[0]) is int and type(r[1]) is str for r in rows)
    assert {tuple(r) for r in by_amount} == {(3, k) for k in range(1, n + 1) if k % 7 == 3}
    assert [r[0] for r in by_amount] == [3] * len(by_amount)
