"""A seeded world is realistic, coherent, reproducible, and refuses bad descriptions."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from types import GeneratorType
from typing import Any, cast

import factory.random as _factory_random
import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from drills.fakes import CATALOG, CHANGELOG, ManualClock, SqliteBackend, SqlStore
from drills.fakes.errors import UnknownSystemError, UnknownTableError, WorldError
from drills.fakes.exports import export_tables, read_manifest
from drills.fakes.factories import (
    CHOICE_WEIGHTS,
    FACTORIES,
    OUTBOX_RELATED,
    SEND_DELAY_SECONDS,
    SENT_STATUSES,
    TERMS_DAYS,
    ContactFactory,
    InvoiceFactory,
    OutboxFactory,
    make_staff,
    seeded,
)
from drills.fakes.pools import KINDS, PoolWorld, Sampler
from drills.fakes.store import Value
from drills.fakes.world import (
    FACTORY_LIMIT,
    MAX_RECORDS_PER_TABLE,
    Method,
    World,
    build_world,
    validate_counts,
)
from tests.conftest import DRILL_START

COUNTS = {
    "crm.contacts": 120,
    "crm.deals": 40,
    "billing.invoices": 150,
    "billing.activity": 90,
    "email.outbox": 80,
    "support.tickets": 30,
    "shop.orders": 60,
}
METHODS: tuple[Method, ...] = ("factories", "pools")
EMAIL = re.compile(r"^[a-z0-9]+\.[a-z0-9]+\d+@[a-z0-9-]+\.com$")
Rows = dict[str, list[dict[str, Value]]]
factory_random: Any = _factory_random  # factory_boy is untyped


def new_store(folder: Path, name: str = "world.sqlite") -> SqlStore:
    return SqlStore(SqliteBackend(folder / name), ManualClock(DRILL_START))


@pytest.fixture
def stores(tmp_path: Path) -> Iterator[list[SqlStore]]:
    """Extra stores on their own files, all closed after the test."""
    made: list[SqlStore] = []
    yield made
    for s in made:
        s.close()


def open_store(stores: list[SqlStore], folder: Path, name: str) -> SqlStore:
    s = new_store(folder, name)
    stores.append(s)
    return s


def all_rows(world: World) -> Rows:
    return {q: world.store.rows(q) for q in world.counts}


@pytest.fixture(params=METHODS)
def world(request: pytest.FixtureRequest, store: SqlStore) -> World:
    return build_world(store, COUNTS, seed=1729, start=DRILL_START, method=request.param)


# -- reproducible -----------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("method", METHODS)
def test_same_seed_gives_byte_identical_exports(
    method: Method, tmp_path: Path, stores: list[SqlStore]
) -> None:
    folders = []
    for name in ("a", "b"):
        s = open_store(stores, tmp_path, f"{name}.sqlite")
        w = build_world(s, COUNTS, seed=7, start=DRILL_START, method=method)
        folders.append(tmp_path / f"export-{name}")
        export_tables(s, list(w.counts), folders[-1])
    first, second = folders
    names = sorted(p.name for p in first.iterdir())
    assert names == sorted(p.name for p in second.iterdir())
    assert len(names) == 2 * len(COUNTS) + 1
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    sums = [
        [f.sha256 for t in read_manifest(folder).tables for f in t.files]
        for folder in folders
    ]
    assert sums[0] == sums[1]


@pytest.mark.slow
@pytest.mark.parametrize("method", METHODS)
def test_different_seed_gives_a_different_world(
    method: Method, tmp_path: Path, stores: list[SqlStore]
) -> None:
    worlds = [
        build_world(open_store(stores, tmp_path, f"{seed}.sqlite"), COUNTS, seed=seed,
                    start=DRILL_START, method=method)
        for seed in (1, 2)
    ]
    one, two = (all_rows(w) for w in worlds)
    for qualname in COUNTS:
        differing = sum(a != b for a, b in zip(one[qualname], two[qualname], strict=True))
        assert differing > len(one[qualname]) * 0.9, qualname


def test_a_table_does_not_change_when_other_tables_are_added(
    tmp_path: Path, stores: list[SqlStore]
) -> None:
    small = build_world(open_store(stores, tmp_path, "s.sqlite"), {"crm.contacts": 2_000},
                        seed=3, start=DRILL_START)
    large = build_world(open_store(stores, tmp_path, "l.sqlite"),
                        {"crm.contacts": 2_000, "shop.orders": 500}, seed=3, start=DRILL_START)
    assert small.store.rows("crm.contacts") == large.store.rows("crm.contacts")


def test_the_world_follows_the_start_not_the_wall_clock(
    tmp_path: Path, stores: list[SqlStore]
) -> None:
    later = DRILL_START + timedelta(days=400)
    w = build_world(open_store(stores, tmp_path, "x.sqlite"), {"crm.contacts": 50}, seed=1,
                    start=later)
    times = [datetime.fromisoformat(str(r["updated_at"])) for r in w.store.rows("crm.contacts")]
    assert all(later - timedelta(days=365) <= t < later for t in times)
    assert w.start == later


# -- realistic and coherent -------------------------------------------------------------


def test_counts_are_honoured_with_ids_one_to_n(world: World) -> None:
    assert world.summary() == COUNTS
    for qualname, n in COUNTS.items():
        assert [r["id"] for r in world.store.rows(qualname)] == list(range(1, n + 1))


def test_every_field_of_every_table_holds_realistic_values(world: World) -> None:
    start = DRILL_START
    for table in CATALOG:
        rows = world.store.rows(table.qualname)
        for col in table.columns:
            values = [r[col.name] for r in rows]
            present = [v for v in values if v is not None]
            assert present, f"{table.qualname}.{col.name} is always empty"
            kind = col.kind
            where = f"{table.qualname}.{col.name}"
            if kind == "choice":
                assert set(present) <= set(col.choices), where
                assert len(set(present)) > 1, where
            elif kind == "email":
                assert all(EMAIL.match(str(v)) for v in present), (where, present[:3])
            elif kind in ("name", "person"):
                assert all(re.fullmatch(r"\S+( \S+)+", str(v)) for v in present), where
            elif kind in ("first_name", "last_name", "company", "city"):
                assert all(str(v).strip() and str(v)[0].isupper() for v in present), where
            elif kind == "phone":
                assert all(sum(ch.isdigit() for ch in str(v)) >= 10 for v in present), where
            elif kind in ("sentence", "deal_title"):
                assert all(len(str(v).split()) >= 2 for v in present), where
            elif kind == "money":
                assert all(isinstance(v, int) and v > 0 for v in present), where
                assert len(set(present)) > len(present) / 3, where
            elif kind == "flag":
                assert set(present) == {0, 1}, where
            elif kind == "date":
                days = [date.fromisoformat(str(v)) for v in present]
                assert all(abs((d - start.date()).days) <= 450 for d in days), where
            elif kind == "datetime":
                assert all(
                    start - timedelta(days=366) <= datetime.fromisoformat(str(v)) < start
                    for v in present
                ), where
            elif kind == "related":
                assert all(re.fullmatch(r"[a-z]+\.[a-z]+:\d+", str(v)) for v in present), where
            elif kind.startswith("ref:") or kind == "key":
                assert all(isinstance(v, int) and v >= 1 for v in present), where
            else:
                pytest.fail(f"{where} has kind {kind!r}, which this test does not know")


def test_references_point_at_existing_records_and_copy_their_values(world: World) -> None:
    rows = all_rows(world)
    contacts = {r["id"]: r for r in rows["crm.contacts"]}
    invoices = {r["id"]: r for r in rows["billing.invoices"]}
    for inv in rows["billing.invoices"]:
        c = contacts[inv["customer_id"]]
        assert inv["customer_name"] == f"{c['first_name']} {c['last_name']}"
        assert inv["customer_email"] == c["email"]
        assert inv["customer_status"] == c["status"]
    for q in ("crm.deals", "support.tickets"):
        assert all(r["contact_id"] in contacts for r in rows[q]), q
    for deal in rows["crm.deals"]:
        assert str(deal["title"]).startswith(f"{contacts[deal['contact_id']]['company']}: ")
    assert all(r["invoice_id"] in invoices for r in rows["billing.activity"])
    emails = {c["email"] for c in contacts.values()}
    assert all(o["customer_email"] in emails for o in rows["shop.orders"])
    by_table = {q: {r["id"]: r for r in rows[q]} for q in ("crm.contacts", "billing.invoices",
                                                          "shop.orders")}
    email_field = {"crm.contacts": "email", "billing.invoices": "customer_email",
                   "shop.orders": "customer_email"}
    for msg in rows["email.outbox"]:
        target, _, key = str(msg["related"]).partition(":")
        assert target == OUTBOX_RELATED[str(msg["template"])]
        record = by_table[target][int(key)]
        assert msg["to_address"] == record[email_field[target]]


def test_fields_of_a_record_hang_together(world: World) -> None:
    rows = all_rows(world)
    for inv in rows["billing.invoices"]:
        issued = date.fromisoformat(str(inv["issued_on"]))
        due = date.fromisoformat(str(inv["due_date"]))
        assert (due - issued).days == TERMS_DAYS[str(inv["billing_terms"])]
        assert issued <= DRILL_START.date()
    for msg in rows["email.outbox"]:
        if msg["status"] in SENT_STATUSES:
            created = datetime.fromisoformat(str(msg["created_at"]))
            sent = datetime.fromisoformat(str(msg["sent_at"]))
            assert created <= sent < DRILL_START
            assert (sent - created).total_seconds() <= SEND_DELAY_SECONDS[1]
        else:
            assert msg["sent_at"] is None
    related = [str(m["related"]).split(":")[1] for m in rows["email.outbox"]]
    assert all(f" {k} " in f" {m['subject']} " or m["template"] == "welcome"
               for k, m in zip(related, rows["email.outbox"], strict=True))
    staff = set(make_staff(1729))
    for q, field in (("crm.contacts", "owner"), ("crm.deals", "owner"),
                     ("billing.activity", "actor")):
        assert {r[field] for r in rows[q]} <= staff, q


def test_the_baseline_is_not_change_logged(world: World) -> None:
    with world.store.engine.connect() as conn:
        logged = conn.scalar(sa.select(sa.func.count()).select_from(sa.table(CHANGELOG)))
    assert logged == 0


@pytest.mark.parametrize("method", METHODS)
def test_a_world_without_contacts_has_no_dangling_references(
    method: Method, tmp_path: Path, stores: list[SqlStore]
) -> None:
    counts = {"billing.invoices": 30, "crm.deals": 10, "email.outbox": 20, "shop.orders": 5}
    w = build_world(open_store(stores, tmp_path, "x.sqlite"), counts, seed=5, start=DRILL_START,
                    method=method)
    rows = all_rows(w)
    assert all(r["customer_id"] is None for r in rows["billing.invoices"])
    assert all(EMAIL.match(str(r["customer_email"])) for r in rows["billing.invoices"])
    assert all(r["contact_id"] is None for r in rows["crm.deals"])
    for msg in rows["email.outbox"]:
        target = OUTBOX_RELATED[str(msg["template"])]
        assert (msg["related"] is None) == (target == "crm.contacts")
        assert EMAIL.match(str(msg["to_address"]))


@pytest.mark.slow
def test_small_worlds_use_the_factories_and_large_ones_the_pools(
    tmp_path: Path, stores: list[SqlStore]
) -> None:
    small = build_world(open_store(stores, tmp_path, "s.sqlite"),
                        {"crm.contacts": FACTORY_LIMIT}, seed=1, start=DRILL_START)
    large = build_world(open_store(stores, tmp_path, "l.sqlite"),
                        {"crm.contacts": FACTORY_LIMIT + 1}, seed=1, start=DRILL_START)
    assert (small.method, large.method) == ("factories", "pools")


def test_pools_stream_rows_across_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("drills.fakes.pools.CHUNK", 64)
    pools = PoolWorld({"crm.contacts": 300, "billing.invoices": 200}, seed=1, start=DRILL_START)
    rows = pools.rows("billing.invoices")
    assert isinstance(rows, GeneratorType)
    invoices = list(rows)
    assert [r[0] for r in invoices] == list(range(1, 201))
    contacts = {r[0]: r for r in pools.rows("crm.contacts")}
    assert all(inv[3] == contacts[inv[1]][3] for inv in invoices)  # customer_email


# -- the factories, one record at a time -------------------------------------------------


@pytest.mark.parametrize("qualname", list(FACTORIES))
def test_each_factory_builds_a_record_with_the_catalog_fields(qualname: str) -> None:
    record = FACTORIES[qualname].build(start=DRILL_START)
    assert tuple(record) == CATALOG.table(qualname).field_names


def test_an_invoice_factory_copies_its_customer() -> None:
    with seeded(1):
        contact = ContactFactory.build(id=9)
        invoice = InvoiceFactory.build(customer=contact)
    assert invoice["customer_id"] == 9
    assert invoice["customer_name"] == f"{contact['first_name']} {contact['last_name']}"
    assert (invoice["customer_email"], invoice["customer_status"]) == (
        contact["email"], contact["status"]
    )


def test_an_outbox_factory_addresses_the_related_record() -> None:
    with seeded(2):
        contact = ContactFactory.build(id=4)
        message = OutboxFactory.build(template="welcome", records={"crm.contacts": [contact]})
    assert message["related"] == "crm.contacts:4"
    assert message["to_address"] == contact["email"]


def test_seeded_is_reproducible_and_restores_the_callers_random_state() -> None:
    factory_random.reseed_random(99)
    expected_next = factory_random.randgen.random()
    factory_random.reseed_random(99)
    with seeded(5):
        first = ContactFactory.build(id=1)
    with seeded(5):
        again = ContactFactory.build(id=1)
    assert first == again
    assert factory_random.randgen.random() == expected_next


def test_every_catalog_kind_has_a_pool_generator() -> None:
    kinds = {c.kind.split(":")[0] for t in CATALOG for c in t.columns}
    assert kinds <= set(KINDS)


def test_choice_weights_match_the_catalog_choices() -> None:
    for qualfield, weights in CHOICE_WEIGHTS.items():
        _, column = CATALOG.field(qualfield)
        assert len(weights) == len(column.choices), qualfield


def test_the_sampler_is_seeded_and_stays_in_range() -> None:
    a, b = Sampler("x"), Sampler("x")
    assert a.ints(-5, 5, 1000) == b.ints(-5, 5, 1000)
    values = Sampler("y").ints(-5, 5, 5000)
    assert set(values) == set(range(-5, 5))
    weighted = Sampler("z").weighted(("a", "b"), (9, 1), 10_000)
    assert 8_500 < weighted.count("a") < 9_500


# -- bad input --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("counts", "error", "message"),
    [
        ({"crn.contacts": 5}, UnknownSystemError, "unknown system 'crn'; did you mean 'crm'?"),
        ({"crm.contact": 5}, UnknownTableError,
         "system 'crm' has no table 'contact'; did you mean 'contacts'?"),
        ({"crm": 5}, UnknownTableError,
         "'crm' names no table; write it as 'system.table', e.g. 'crm.contacts'"),
        ({"crm.contacts": -5}, WorldError, "count for crm.contacts must be 0 or more, got -5"),
        ({"crm.contacts": 2.5}, WorldError,
         "count for crm.contacts must be a whole number, got 2.5; write e.g. crm.contacts=800"),
        ({"crm.contacts": True}, WorldError,
         "count for crm.contacts must be a whole number, got True"),
        ({"crm.contacts": MAX_RECORDS_PER_TABLE + 1}, WorldError,
         "count for crm.contacts is 5,000,001, over the limit of 5,000,000 records per table; "
         "lower it to 5,000,000 or fewer"),
        ({"crm.contacts": MAX_RECORDS_PER_TABLE, "crm.deals": MAX_RECORDS_PER_TABLE,
          "shop.orders": 1}, WorldError,
         "the world would hold 10,000,001 records, over the limit of 10,000,000 in all tables "
         "together; lower the counts"),
        ({"warehouse.billing_invoices": 5}, WorldError,
         "warehouse.billing_invoices is a warehouse copy that a sync fills; leave it out of "
         "the counts and give one for billing.invoices instead"),
    ],
)
def test_bad_counts_raise_one_error_that_says_how_to_fix_it(
    store: SqlStore, counts: dict[str, object], error: type[Exception], message: str
) -> None:
    with pytest.raises(error) as caught:
        build_world(store, cast(dict[str, int], {"crm.deals": 3, **counts}), seed=1,
                    start=DRILL_START)
    assert type(caught.value) is error
    assert str(caught.value).startswith(message)
    assert store.tables == {}  # checked before anything was created


def test_a_store_that_already_holds_the_world_is_refused(store: SqlStore) -> None:
    build_world(store, {"crm.contacts": 5}, seed=1, start=DRILL_START)
    with pytest.raises(WorldError, match=r"the store already holds 5 records in crm\.contacts; "
                                         r"build a world in a fresh store"):
        build_world(store, {"crm.contacts": 5}, seed=1, start=DRILL_START)


@given(st.integers(min_value=-(10**7), max_value=10**7))
def test_validate_counts_accepts_exactly_the_allowed_range(n: int) -> None:
    if 0 <= n <= MAX_RECORDS_PER_TABLE:
        assert validate_counts({"shop.orders": n}) == {"shop.orders": n}
    else:
        with pytest.raises(WorldError, match=r"count for shop\.orders"):
            validate_counts({"shop.orders": n})


def test_validate_counts_returns_catalog_order() -> None:
    got = validate_counts({"shop.orders": 1, "crm.contacts": 2, "billing.invoices": 3})
    assert list(got) == ["crm.contacts", "billing.invoices", "shop.orders"]
