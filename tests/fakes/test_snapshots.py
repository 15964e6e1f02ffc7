"""Snapshots copy whole tables inside the store; the diff finds exactly what changed."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from drills.fakes import CATALOG, Actor, ManualClock, SqlStore
from drills.fakes.errors import UnknownSystemError, UnknownTableError
from drills.fakes.snapshots import (
    Snapshot,
    SnapshotError,
    TableDiff,
    diff_select,
    diff_snapshot,
    diff_table,
    get_snapshot,
    list_snapshots,
    take_snapshot,
)

CONTACTS, DEALS, INVOICES = "crm.contacts", "crm.deals", "billing.invoices"
BOT = Actor.automation("bot", run_id="run-1")


@pytest.fixture
def world(store: SqlStore) -> SqlStore:
    store.add_tables([CATALOG.table(q) for q in (CONTACTS, DEALS, INVOICES)])
    store.bulk_load(
        CONTACTS,
        ["id", "first_name", "status", "city"],
        [(i, f"n{i}", "active", None) for i in range(1, 51)],
    )
    store.bulk_load(DEALS, ["id", "title", "amount_cents"], [(1, "a", 10), (2, "b", 20)])
    store.bulk_load(INVOICES, ["id", "customer_id", "status"], [(1, 1, "open")])
    return store


def test_snapshot_copies_every_table_by_default(world: SqlStore, clock: ManualClock) -> None:
    clock.advance(timedelta(minutes=7))
    snap = take_snapshot(world, "before_fix")
    assert snap == Snapshot(
        name="before_fix",
        at=clock.now(),
        tables={
            INVOICES: "snap_before_fix__billing__invoices",
            CONTACTS: "snap_before_fix__crm__contacts",
            DEALS: "snap_before_fix__crm__deals",
        },
        row_counts={INVOICES: 1, CONTACTS: 50, DEALS: 2},
    )
    assert sa.inspect(world.engine).has_table("snap_before_fix__crm__contacts")
    assert get_snapshot(world, "before_fix") == snap
    assert diff_snapshot(world, snap, CONTACTS).is_empty


def test_snapshot_of_chosen_systems_and_tables(world: SqlStore) -> None:
    crm = take_snapshot(world, "crm_only", systems=["crm"])
    assert set(crm.tables) == {CONTACTS, DEALS}
    mixed = take_snapshot(world, "mixed", [INVOICES], systems=["crm"])
    assert set(mixed.tables) == {CONTACTS, DEALS, INVOICES}
    one = take_snapshot(world, "one", [DEALS])
    assert one.row_counts == {DEALS: 2}
    assert [s.name for s in list_snapshots(world)] == ["crm_only", "mixed", "one"]
    with pytest.raises(SnapshotError) as info:
        diff_snapshot(world, one, CONTACTS)
    assert str(info.value) == (
        "snapshot 'one' holds no copy of 'crm.contacts'; choose one of: crm.deals; "
        "take a snapshot that includes it"
    )


def test_snapshot_is_a_copy_not_a_view(world: SqlStore) -> None:
    snap = take_snapshot(world, "before")
    world.update(DEALS, {1: {"title": "changed"}}, BOT)
    with world.engine.connect() as conn:
        kept = conn.scalar(sa.text(f"SELECT title FROM {snap.tables[DEALS]} WHERE id = 1"))
    assert kept == "a"


def test_diff_finds_exactly_the_changed_fields_added_and_removed(world: SqlStore) -> None:
    snap = take_snapshot(world, "before")
    world.update(CONTACTS, {3: {"status": "churned", "city": "Oslo"}, 7: {"first_name": "x"}}, BOT)
    world.update(CONTACTS, {9: {"status": None}}, BOT)  # a blank write is a change
    world.update(CONTACTS, {11: {"status": "lead"}}, BOT)
    world.update(CONTACTS, {11: {"status": "active"}}, BOT)  # changed and changed back
    world.delete(CONTACTS, [20, 21], BOT)
    added = world.insert(CONTACTS, [{"first_name": "new"}], BOT)

    diff = diff_snapshot(world, snap, CONTACTS)

    assert diff == TableDiff(
        table=CONTACTS,
        other_table="snap_before__crm__contacts",
        changed={3: ("city", "status"), 7: ("first_name",), 9: ("status",)},
        added=tuple(added),
        removed=(20, 21),
    )
    assert diff.changed_fields_count == 4
    assert not diff.is_empty
    assert diff_snapshot(world, snap, DEALS).is_empty


def test_diff_select_is_one_statement_with_a_flag_per_field(world: SqlStore) -> None:
    snap = take_snapshot(world, "before")
    world.update(DEALS, {2: {"amount_cents": 0}}, BOT)
    world.delete(DEALS, [1], BOT)
    stmt = diff_select(world, DEALS, snap.tables[DEALS])
    fields = CATALOG.table(DEALS).data_fields
    assert list(stmt.selected_columns.keys()) == [
        "id", "in_live", "in_other", *(f"{f}_changed" for f in fields)
    ]
    with world.engine.connect() as conn:
        rows = {r.id: r for r in conn.execute(stmt)}
    assert set(rows) == {1, 2}
    assert (rows[1].in_live, rows[1].in_other) == (False, True)
    assert (rows[2].in_live, rows[2].in_other) == (True, True)
    assert rows[2].amount_cents_changed is True
    assert rows[2].title_changed is False
    # counting the damage wraps the same statement and stays in SQL; a removed
    # record differs in every non-null field, so count records on both sides
    sub = stmt.subquery()
    both = sa.and_(sub.c.in_live, sub.c.in_other, sub.c.amount_cents_changed)
    with world.engine.connect() as conn:
        assert conn.scalar(sa.select(sa.func.count()).where(both)) == 1


def test_diff_table_against_any_table_of_the_same_shape(world: SqlStore) -> None:
    world.add_tables([CATALOG.table("warehouse.crm_deals")])
    world.bulk_load("warehouse.crm_deals", ["id", "title", "amount_cents"], [(1, "a", 11)])
    diff = diff_table(world, DEALS, "warehouse__crm_deals")
    assert diff.changed == {1: ("amount_cents",)}
    assert diff.added == (2,)
    assert diff.removed == ()
    with pytest.raises(SnapshotError) as info:
        diff_table(world, DEALS, "snap_nothing__crm__deals")
    assert str(info.value) == (
        "cannot diff crm.deals: there is no table named 'snap_nothing__crm__deals'; "
        "take a snapshot or load the export first"
    )


@pytest.mark.parametrize(
    "name", ["", "has space", "semi;colon", "x__y", "_lead", "trail_", "9lives", "naïve"]
)
def test_bad_names_are_refused(world: SqlStore, name: str) -> None:
    with pytest.raises(SnapshotError) as info:
        take_snapshot(world, name)
    assert str(info.value) == (
        f"snapshot name {name!r} is not allowed; use letters, digits and single "
        "underscores, starting with a letter, e.g. 'before_repair'"
    )
    assert list_snapshots(world) == []


def test_a_taken_name_is_refused_and_the_first_snapshot_kept(world: SqlStore) -> None:
    first = take_snapshot(world, "before", [DEALS])
    world.update(DEALS, {1: {"title": "changed"}}, BOT)
    for again in ("before", "BEFORE"):
        with pytest.raises(SnapshotError) as info:
            take_snapshot(world, again, [CONTACTS])
        assert str(info.value) == (
            "a snapshot named 'before' exists already (names ignore case); choose another "
            f"name, e.g. '{again}_2', so the earlier snapshot stays as it was"
        )
    assert list_snapshots(world) == [first]
    assert diff_snapshot(world, first, DEALS).changed == {1: ("title",)}


def test_a_name_too_long_for_postgresql_is_refused(world: SqlStore) -> None:
    with pytest.raises(SnapshotError, match="shorten the name to at most 36 characters"):
        take_snapshot(world, "x" * 40, [INVOICES])
    assert list_snapshots(world) == []


def test_unknown_choices_use_the_catalogs_errors(world: SqlStore) -> None:
    with pytest.raises(UnknownSystemError, match="did you mean 'crm'"):
        take_snapshot(world, "s", systems=["crn"])
    with pytest.raises(UnknownTableError, match="did you mean 'deals'"):
        take_snapshot(world, "s", ["crm.deal"])
    with pytest.raises(SnapshotError) as info:
        take_snapshot(world, "s", systems=["shop"])
    assert str(info.value) == (
        "system 'shop' has no tables in this world; snapshot one of: billing, crm"
    )


def test_an_empty_store_has_nothing_to_snapshot(store: SqlStore) -> None:
    with pytest.raises(SnapshotError, match="has no tables yet"):
        take_snapshot(store, "s")
    with pytest.raises(SnapshotError, match="take one with take_snapshot"):
        get_snapshot(store, "s")


def test_a_failed_snapshot_leaves_no_half_copy(
    world: SqlStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = world.backend.copy_table
    calls: list[str] = []

    def copy_then_fail(conn: sa.Connection, source: sa.Table, target: str) -> int:
        calls.append(target)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(conn, source, target)

    monkeypatch.setattr(world.backend, "copy_table", copy_then_fail)
    with pytest.raises(RuntimeError, match="disk full"):
        take_snapshot(world, "half")
    assert list_snapshots(world) == []
    assert not sa.inspect(world.engine).has_table(calls[0])
