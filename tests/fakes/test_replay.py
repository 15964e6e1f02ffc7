"""Rewinding the change log restores exactly the state at the chosen point."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from drills.fakes import CATALOG, Actor, ActorKind, ManualClock, SqliteBackend, SqlStore, Value
from drills.fakes.queries import changes, last_seq
from drills.fakes.replay import RewindError, rewind

DEALS = "crm.deals"
REPAIR = Actor.repair("rewind", run_id="fix-1")
ACTORS = [
    Actor.automation("stage-bot", run_id="run-1", batch_id="b1"),
    Actor.automation("stage-bot", run_id="run-1", batch_id="b2"),
    Actor.person("anna"),
    Actor.sync("warehouse"),
]
BASELINE = [(1, "a", "proposal", 100, "anna"), (2, "b", None, None, None), (3, "c", "won", 0, "bo")]

# Small value pools so writes often collide, repeat a value (no-op) or blank a field.
_text = st.sampled_from(["a", "b", "won", "lost"]) | st.none()
_int = st.integers(0, 2) | st.none()
_values = st.fixed_dictionaries(
    {}, optional={"title": _text, "stage": _text, "amount_cents": _int, "owner": _text}
)
_actor = st.sampled_from(ACTORS)
_picks = st.lists(st.tuples(st.integers(0, 20), _values), min_size=1, max_size=3)

Op = tuple[Any, ...]
_ops: st.SearchStrategy[Op] = st.one_of(
    st.tuples(st.just("update"), _picks, _actor),
    st.tuples(st.just("update_from"), _picks, _actor),
    st.tuples(st.just("insert"), st.lists(_values, min_size=1, max_size=3), st.booleans(), _actor),
    st.tuples(st.just("delete"), st.lists(st.integers(0, 20), min_size=1, max_size=2), _actor),
)


def _new_store() -> SqlStore:
    store = SqlStore(SqliteBackend(), ManualClock(datetime(2026, 3, 2, 9)))
    store.add_tables([CATALOG.table(DEALS)])
    store.bulk_load(DEALS, ["id", "title", "stage", "amount_cents", "owner"], BASELINE)
    return store


def _apply(store: SqlStore, op: Op, deleted: list[int]) -> None:
    """Run one generated write; indexes pick among the records that exist right now."""
    kind, actor = op[0], op[-1]
    keys = sorted(int(str(r["id"])) for r in store.rows(DEALS))
    pick = (lambda i: keys[i % len(keys)]) if keys else None
    if kind == "insert":
        rows: list[dict[str, Value]] = [dict(v) for v in op[1]]
        reuse = [k for k in deleted if k not in keys]
        if op[2] and reuse:  # bring a deleted id back, as an undo of a delete would
            rows = [{**rows[0], "id": reuse[0]}]
        store.insert(DEALS, rows, actor)
    elif pick is None:
        return
    elif kind == "update":
        store.update(DEALS, {pick(i): v for i, v in op[1]}, actor)
    elif kind == "update_from":
        t = store.sa_table(DEALS)
        for i, values in op[1]:
            if values:
                cols = [sa.literal(v, t.c[f].type).label(f) for f, v in values.items()]
                source = sa.select(t.c.id, *cols).where(t.c.id == pick(i))
                store.update_from(DEALS, source, list(values), actor)
    elif kind == "delete":
        gone = sorted({pick(i) for i in op[1]})
        store.delete(DEALS, gone, actor)
        deleted.extend(gone)


def _build(ops: list[Op]) -> tuple[SqlStore, list[tuple[int, list[dict[str, Value]]]]]:
    """A fresh in-memory store with ``ops`` applied; the (seq, rows) after each write."""
    store = _new_store()
    clock = store.clock
    assert isinstance(clock, ManualClock)
    deleted: list[int] = []
    points = [(last_seq(store), store.rows(DEALS))]
    for op in ops:
        clock.advance(timedelta(seconds=30))
        _apply(store, op, deleted)
        points.append((last_seq(store), store.rows(DEALS)))
    return store, points


@pytest.mark.slow
@settings(max_examples=100, deadline=None, database=None)
@given(st.lists(_ops, min_size=1, max_size=10), st.data())
def test_rewind_to_any_earlier_point_restores_that_state(
    ops: list[Op], data: st.DataObject
) -> None:
    store, points = _build(ops)
    try:
        end, final = points[-1]
        seq, state = data.draw(st.sampled_from(points[:-1]), label="rewind to")

        assert rewind(store, seq, REPAIR) == end - seq
        assert store.rows(DEALS) == state

        # the rewind is in the log too, so rewinding it brings the end state back
        undo_end = last_seq(store)
        assert rewind(store, end, REPAIR) == undo_end - end
        assert store.rows(DEALS) == final
    finally:
        store.close()


@pytest.fixture
def deals(store: SqlStore) -> SqlStore:
    store.add_tables([CATALOG.table(DEALS)])
    store.bulk_load(DEALS, ["id", "title", "stage", "amount_cents", "owner"], BASELINE)
    return store


def test_rewind_writes_through_the_log_as_the_given_actor(
    deals: SqlStore, clock: ManualClock
) -> None:
    start = last_seq(deals)
    bot = ACTORS[0]
    deals.update(DEALS, {1: {"stage": "lost"}, 2: {"title": "x"}}, bot)
    deals.delete(DEALS, [3], bot)
    new = deals.insert(DEALS, [{"title": "dup"}], bot)
    clock.advance(timedelta(minutes=1))

    undone = rewind(deals, start, REPAIR)

    assert undone == 2 + 7 + 7  # two updated fields, a deleted and an inserted record
    assert deals.rows(DEALS) == [
        {"id": 1, "contact_id": None, "title": "a", "stage": "proposal", "amount_cents": 100,
         "close_date": None, "owner": "anna", "notes": None},
        {"id": 2, "contact_id": None, "title": "b", "stage": None, "amount_cents": None,
         "close_date": None, "owner": None, "notes": None},
        {"id": 3, "contact_id": None, "title": "c", "stage": "won", "amount_cents": 0,
         "close_date": None, "owner": "bo", "notes": None},
    ]
    undo = changes(deals, actor_kind=ActorKind.REPAIR)
    assert {(c.op, c.key) for c in undo} == {
        ("delete", new[0]), ("insert", 3), ("update", 1), ("update", 2)
    }
    assert {(c.run_id, c.at) for c in undo} == {("fix-1", clock.now())}
    # newest first: the insert is undone before the delete, the delete before the update
    ops = [c.op for c in undo]
    assert (ops[0], ops[-1]) == ("delete", "update")


def test_a_rewind_can_itself_be_rewound(deals: SqlStore) -> None:
    deals.update(DEALS, {1: {"stage": "lost"}}, ACTORS[0])
    damaged_at, damaged = last_seq(deals), deals.rows(DEALS)
    rewind(deals, 0, REPAIR)
    assert deals.get(DEALS, 1)["stage"] == "proposal"  # type: ignore[index]
    rewind(deals, damaged_at, REPAIR)
    assert deals.rows(DEALS) == damaged


def test_rewind_to_the_end_does_nothing(deals: SqlStore) -> None:
    deals.update(DEALS, {1: {"stage": "lost"}}, ACTORS[0])
    end = last_seq(deals)
    assert rewind(deals, end, REPAIR) == 0
    assert last_seq(deals) == end


@pytest.mark.parametrize("to_seq", [-1, 2])
def test_rewind_outside_the_log_is_refused(deals: SqlStore, to_seq: int) -> None:
    deals.update(DEALS, {1: {"stage": "lost"}}, ACTORS[0])
    with pytest.raises(RewindError) as info:
        rewind(deals, to_seq, REPAIR)
    assert str(info.value) == (
        f"cannot rewind to seq {to_seq}: the change log runs from 0 to 1; pass a seq from "
        "that range, e.g. one read with last_seq() before the run"
    )
