"""A declared world: its generic generators, the same bytes either way, references, checks."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Mapping
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import factory as _factory_boy
import pytest

from drills.engine.metrics import fits
from drills.fakes import (
    Catalog,
    ManualClock,
    SqliteBackend,
    SqlStore,
    builtin_catalog,
    catalog_from_declaration,
    check_generator,
    using_catalog,
)
from drills.fakes.active import CATALOG
from drills.fakes.declared_factories import declared_factory
from drills.fakes.exports import export_tables
from drills.fakes.generators import declared_columns, declared_rows
from drills.fakes.pools import PoolWorld, ValuePools
from drills.fakes.store import Value
from drills.fakes.world import World, build_world
from tests.conftest import DRILL_START, open_test_backend

START = DRILL_START.replace(microsecond=0)
DECLARATION: dict[str, Any] = {
    "name": "subscriptions",
    "systems": {
        "hubspot": {
            "companies": {
                "count": 600,
                "fields": {
                    "name": "company",
                    "domain": "url",
                    "stage": {"type": "choice", "values": ["lead", "customer", "other"],
                              "weights": [30, 70, 0]},
                    "owner": {"type": "name", "faker": "name"},
                    "revenue": {"type": "money", "range": [10_000, 10_003]},
                    "created": {"type": "datetime", "days": [-700, -1]},
                    "founded": {"type": "date", "days": [-30, 30]},
                    "phone": "phone",
                    "about": "free_text",
                    "tag": "text",
                },
            },
        },
        "stripe": {
            "customers": {
                "fields": {
                    "company_id": {"type": "reference", "to": "hubspot.companies"},
                    "email": "email",
                    "lifecycle": {"type": "choice", "values": ["lead", "customer"]},
                    "account_code": {"type": "text", "pattern": "ACC-#####-??"},
                    "delinquent": "boolean",
                    "tax_exempt": {"type": "boolean", "blank": 0.3},
                    "seats": "integer",
                    "balance": "money",
                    "since": "date",
                    "seen": "datetime",
                    "orphan_id": {"type": "reference", "to": "stripe.invoices"},
                },
            },
            "invoices": {"fields": {"customer_id": {"type": "reference",
                                                    "to": "stripe.customers"}}},
        },
    },
}
COUNTS = {"hubspot.companies": 300, "stripe.customers": 400}
Rows = dict[str, list[dict[str, Value]]]
factory: Any = _factory_boy  # factory_boy is untyped


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return catalog_from_declaration(DECLARATION)


def build(folder: Path, catalog: Catalog, method: str, *, seed: int = 7,
          counts: Mapping[str, int] = COUNTS) -> tuple[SqlStore, World]:
    store = SqlStore(SqliteBackend(folder / f"{method}-{seed}.sqlite"), ManualClock(START),
                     catalog=catalog)
    world = build_world(store, counts, seed=seed, start=START, method=method)  # type: ignore[arg-type]
    return store, world


def rows_of(store: SqlStore, counts: Mapping[str, int] = COUNTS) -> Rows:
    return {q: store.rows(q) for q in counts}


@pytest.fixture(scope="module")
def pooled(tmp_path_factory: pytest.TempPathFactory, catalog: Catalog) -> Iterator[Rows]:
    """The declared world built once by the pools, as rows (most tests only read it)."""
    store, _ = build(tmp_path_factory.mktemp("pooled"), catalog, "pools")
    yield rows_of(store)
    store.close()


# -- the same world whichever way, and only that world --------------------------------


def test_factories_and_pools_export_the_same_bytes(tmp_path: Path, catalog: Catalog) -> None:
    folders = []
    for method in ("factories", "pools"):
        store, world = build(tmp_path, catalog, method)
        assert world.method == method
        folders.append(tmp_path / f"export-{method}")
        export_tables(store, list(world.counts), folders[-1])
        store.close()
    names = sorted(p.name for p in folders[0].iterdir())
    assert names == sorted(p.name for p in folders[1].iterdir())
    assert len(names) == 2 * len(COUNTS) + 1
    for name in names:
        assert (folders[0] / name).read_bytes() == (folders[1] / name).read_bytes(), name


def test_a_seed_gives_one_world_and_another_seed_another(tmp_path: Path,
                                                         catalog: Catalog) -> None:
    worlds = []
    for index, seed in enumerate((7, 7, 8)):
        (tmp_path / str(index)).mkdir()
        store, _ = build(tmp_path / str(index), catalog, "pools", seed=seed)
        worlds.append(rows_of(store))
        store.close()
    assert worlds[0] == worlds[1]
    assert worlds[0]["stripe.customers"] != worlds[2]["stripe.customers"]
    assert worlds[0]["hubspot.companies"] != worlds[2]["hubspot.companies"]


def test_values_do_not_depend_on_the_chunk_size_or_other_tables(catalog: Catalog) -> None:
    table = catalog.table("stripe.customers")
    whole = list(declared_rows(table, COUNTS, seed=3, start=START, chunk=10_000))
    assert whole == list(declared_rows(table, COUNTS, seed=3, start=START, chunk=7))
    more = {**COUNTS, "stripe.invoices": 50}  # only the field pointing there changes
    grown = list(declared_rows(table, more, seed=3, start=START, chunk=64))
    assert [r[:-1] for r in grown] == [r[:-1] for r in whole]
    assert {r[-1] for r in whole} == {None}
    assert {r[-1] for r in grown} == set(range(1, 51))
    # the reference draws among its table's records: another count, other references
    other = list(declared_rows(table, {**COUNTS, "hubspot.companies": 5}, seed=3,
                               start=START, chunk=64))
    assert [r[1:] for r in other] != [r[1:] for r in whole]
    assert [r[2:] for r in other] == [r[2:] for r in whole]


def test_the_small_world_path_goes_through_a_factory_boy_factory(catalog: Catalog) -> None:
    table = catalog.table("stripe.customers")
    columns = declared_columns(table, COUNTS, seed=7, start=START)
    made = declared_factory(table, columns)
    assert issubclass(made, factory.DictFactory)
    assert made.__name__ == "StripeCustomersFactory"
    record = made.build(id=5)
    assert record == {name: columns[name][4] for name in table.field_names}


def test_fields_named_like_a_factorys_own_attributes_are_built_too() -> None:
    names = ["build", "Meta", "Params", "_private", "a__b", "create_batch"]
    catalog = catalog_from_declaration({"systems": {"s": {"t": {"fields": {
        name: {"type": "integer", "range": [i, i]} for i, name in enumerate(names)}}}}})
    table = catalog.table("s.t")
    made = declared_factory(table, declared_columns(table, {"s.t": 3}, seed=1, start=START))
    assert made.build(id=3) == {"id": 3, **{name: i for i, name in enumerate(names)}}
    assert made.build_batch(2, id=1)[0]["build"] == 0


def test_counts_and_keys(pooled: Rows) -> None:
    for qualname, n in COUNTS.items():
        assert [r["id"] for r in pooled[qualname]] == list(range(1, n + 1))


# -- each generator's values ----------------------------------------------------------


def column(rows: Rows, qualname: str, name: str) -> list[Value]:
    return [r[name] for r in rows[qualname]]


def test_references_point_at_existing_records_or_none(pooled: Rows) -> None:
    refs = column(pooled, "stripe.customers", "company_id")
    assert all(isinstance(r, int) and 1 <= r <= COUNTS["hubspot.companies"] for r in refs)
    assert len(set(refs)) > 200  # uniform over the 300 companies
    # stripe.invoices has no records in this world: nothing to point at
    assert set(column(pooled, "stripe.customers", "orphan_id")) == {None}


def test_choices_follow_their_weights(pooled: Rows) -> None:
    stages = Counter(column(pooled, "hubspot.companies", "stage"))
    assert set(stages) == {"lead", "customer"}  # "other" weighs 0
    assert 0.6 < stages["customer"] / 300 < 0.8
    assert set(column(pooled, "stripe.customers", "lifecycle")) == {"lead", "customer"}


def test_ranges_include_both_ends_and_defaults_apply(pooled: Rows) -> None:
    assert set(column(pooled, "hubspot.companies", "revenue")) == {10_000, 10_001, 10_002,
                                                                   10_003}
    seats = column(pooled, "stripe.customers", "seats")
    assert all(isinstance(s, int) and 0 <= s <= 1_000 for s in seats)
    balance = column(pooled, "stripe.customers", "balance")
    assert all(isinstance(b, int) and 100 <= b <= 100_000 for b in balance)


def test_dates_and_times_lie_in_their_window_with_their_shape(catalog: Catalog,
                                                              pooled: Rows) -> None:
    day = START.date()
    founded = [date.fromisoformat(str(v)) for v in column(pooled, "hubspot.companies",
                                                           "founded")]
    assert min(founded) >= day - timedelta(days=30)
    assert max(founded) <= day + timedelta(days=30)
    created = [datetime.fromisoformat(str(v)) for v in column(pooled, "hubspot.companies",
                                                               "created")]
    assert START - timedelta(days=700) <= min(created)
    assert max(created) <= START - timedelta(days=1)
    since = column(pooled, "stripe.customers", "since")  # the default: the last 365 days
    assert all(day - timedelta(days=365) <= date.fromisoformat(str(v)) <= day for v in since)
    table = catalog.table("stripe.customers")
    for name in ("since", "seen", "email"):
        values = column(pooled, "stripe.customers", name)
        assert all(fits(table.column(name), str(v)) for v in values), name
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", str(v))
               for v in column(pooled, "stripe.customers", "seen"))


def test_emails_are_distinct_addresses(pooled: Rows) -> None:
    emails = column(pooled, "stripe.customers", "email")
    assert len(set(emails)) == len(emails)
    assert all(re.fullmatch(r"[^@\s]+\.\d+@[^@\s]+\.[a-z]+", str(e)) for e in emails)


def test_patterns_booleans_and_faker_fields(pooled: Rows) -> None:
    codes = column(pooled, "stripe.customers", "account_code")
    assert all(re.fullmatch(r"ACC-\d{5}-[A-Z]{2}", str(c)) for c in codes)
    assert len(set(codes)) > 390
    assert set(column(pooled, "stripe.customers", "delinquent")) == {0, 1}
    for name in ("name", "domain", "owner", "phone", "about", "tag"):
        values = column(pooled, "hubspot.companies", name)
        assert all(isinstance(v, str) and v for v in values), name
        assert len(set(values)) > 50, name
    assert all(str(u).startswith("http") for u in column(pooled, "hubspot.companies", "domain"))


def test_long_runs_of_digits_and_letters() -> None:
    catalog = catalog_from_declaration({"systems": {"s": {"t": {"fields": {
        "code": {"type": "text", "pattern": "#" * 20 + "/" + "?" * 5 + "x"}}}}}})
    codes = declared_columns(catalog.table("s.t"), {"s.t": 500}, seed=2, start=START)["code"]
    assert all(re.fullmatch(r"\d{20}/[A-Z]{5}x", str(c)) for c in codes)
    assert {str(c)[0] for c in codes} == set("0123456789")  # the run's first digit varies
    assert {str(c)[25] for c in codes} >= set("ABCXYZ")


def test_blank_leaves_about_its_share_empty(catalog: Catalog) -> None:
    table = catalog.table("stripe.customers")
    counts = {**COUNTS, "stripe.customers": 4_000}
    cols = declared_columns(table, counts, seed=11, start=START)
    empty = cols["tax_exempt"].count(None) / 4_000
    assert 0.27 < empty < 0.33
    assert set(cols["tax_exempt"]) == {None, 0, 1}
    assert None not in cols["delinquent"]


# -- on each backend, and beside the built-in world ----------------------------------


def test_a_declared_world_on_each_backend(
    backend_kind: str, request: pytest.FixtureRequest, tmp_path: Path, catalog: Catalog
) -> None:
    """The pools write the factories' world (exported bytes) on SQLite and PostgreSQL."""
    store = SqlStore(open_test_backend(backend_kind, request, tmp_path / "world.sqlite"),
                     ManualClock(START), catalog=catalog)
    try:
        world = build_world(store, COUNTS, seed=7, start=START, method="pools")
        assert world.summary() == COUNTS
        refs = {r["company_id"] for r in store.rows("stripe.customers")}
        assert refs <= set(range(1, COUNTS["hubspot.companies"] + 1))
        export_tables(store, list(COUNTS), tmp_path / "there")
    finally:
        store.close()
    local, _ = build(tmp_path, catalog, "factories")
    export_tables(local, list(COUNTS), tmp_path / "here")
    local.close()
    for name in sorted(p.name for p in (tmp_path / "here").iterdir()):
        assert (tmp_path / "here" / name).read_bytes() == (tmp_path / "there" / name).read_bytes()


def test_a_declared_table_named_like_a_built_in_one_takes_its_declaration(
    tmp_path: Path,
) -> None:
    catalog = catalog_from_declaration({"systems": {"crm": {"contacts": {"fields": {
        "plan": {"type": "choice", "values": ["free", "pro"]}, "owner": "name"}}}}})
    counts = {"crm.contacts": 30}
    built = []
    for method in ("factories", "pools"):
        store, _ = build(tmp_path, catalog, method, counts=counts)
        built.append(rows_of(store, counts))
        store.close()
    assert built[0] == built[1]
    assert set(built[0]["crm.contacts"][0]) == {"id", "plan", "owner"}


def test_a_declared_world_builds_no_built_in_pools(
    tmp_path: Path, catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object) -> None:
        raise AssertionError("the built-in Faker pools were built for a declared world")

    monkeypatch.setattr(ValuePools, "_build", classmethod(refuse))
    store, world = build(tmp_path, catalog, "pools", seed=99)
    assert world.summary() == COUNTS
    store.close()


def test_value_pools_are_cached_per_resolved_catalog(catalog: Catalog) -> None:
    builtin = ValuePools.build(5, catalog=builtin_catalog())
    assert ValuePools.build(5) is builtin  # CATALOG, outside any drill: the built-in one
    with_money = catalog_from_declaration({"systems": {"crm": {"deals": {"fields": {
        "amount_cents": {"type": "money", "builtin": "money"}}}}}})
    with using_catalog(with_money):
        declared = ValuePools.build(5)
        assert declared is not builtin
        assert list(declared.money) == ["crm.deals.amount_cents"]
        assert ValuePools.build(5, catalog=CATALOG) is declared
    assert ValuePools.build(5, catalog=with_money) is declared
    assert PoolWorld({}, seed=5, start=START, catalog=with_money).pools is declared


# -- what check_generator says ---------------------------------------------------------


def field_of(spec: Any, extra: Mapping[str, Any] | None = None) -> Any:
    """The column a one-field declaration makes (plus ``extra`` tables to point at)."""
    tables: dict[str, Any] = {"t": {"fields": {"f": spec}}, **(extra or {})}
    made = catalog_from_declaration({"systems": {"s": tables}})
    return made, made.table("s.t").column("f")


def check(spec: Any) -> str | None:
    made, col = field_of(spec)
    return check_generator("s.t.f", col, made)


@pytest.mark.parametrize("spec", [
    "email", "choice_with_values", {"type": "name", "faker": "first_name"},
    {"type": "email", "faker": "company_email"}, {"type": "money", "range": [0, 0]},
    {"type": "date", "days": [-3, -3]}, {"type": "phone", "pattern": "+1 ###"},
    {"type": "boolean", "blank": 0.5}, {"type": "reference", "to": "s.t"},
    {"type": "text", "values": ["a", "b"], "weights": [0, 2]},
])
def test_a_good_generator_has_nothing_said_about_it(spec: Any) -> None:
    if spec == "choice_with_values":
        spec = {"type": "choice", "values": ["a"]}
    assert check(spec) is None


@pytest.mark.parametrize(("spec", "message"), [
    ({"type": "company", "faker": "compnay"},
     "s.t.f: unknown Faker provider 'compnay'; did you mean 'company'?"),
    ({"type": "text", "faker": "zzqqxx"},
     "s.t.f: unknown Faker provider 'zzqqxx'; see "
     "https://faker.readthedocs.io/en/master/providers.html"),
    ({"type": "text", "faker": "enum"},
     "s.t.f: Faker provider 'enum' needs arguments; name one that takes none"),
    ({"type": "email", "faker": "company"},
     "s.t.f: Faker provider 'company' makes no email addresses (e.g. '"),
    ({"type": "email", "pattern": "a#@b.com"},
     "s.t.f: an email field cannot take 'pattern'; it takes faker"),
    ("choice", "s.t.f: a choice needs its values, e.g. values: [lead, customer]"),
    ({"type": "choice", "values": ["a", "b"], "weights": [1]},
     "s.t.f: 1 weights for 2 values; give one whole-number weight per value"),
    ({"type": "choice", "values": ["a", "b"], "weights": [1, -1]},
     "s.t.f: weights must be 0 or more and add up to more than 0"),
    ({"type": "choice", "values": ["a", "b"], "weights": [0, 0]},
     "s.t.f: weights must be 0 or more and add up to more than 0"),
    ({"type": "integer", "range": [5, 1]},
     "s.t.f: range [5, 1] is empty; write the low end first"),
    ({"type": "datetime", "days": [0, -9]},
     "s.t.f: days [0, -9] is empty; write the earlier day first"),
    ({"type": "date", "days": [-40_000, 0]},
     "s.t.f: days [-40000, 0] reaches past 36,500 days from the start"),
    ({"type": "text", "pattern": "ACC-"},
     "s.t.f: pattern 'ACC-' has no '#' (a digit) or '?' (a capital letter); "
     "without one every record gets the same text"),
    ({"type": "boolean", "blank": 1.0},
     "s.t.f: blank is 1.0; write the share of records left empty, 0 or more and below 1 "
     "(e.g. 0.1)"),
    ({"type": "text", "blank": -0.1},
     "s.t.f: blank is -0.1; write the share of records left empty, 0 or more and below 1 "
     "(e.g. 0.1)"),
    ({"type": "text", "range": [1, 2]},
     "s.t.f: a text field cannot take 'range'; it takes faker, pattern, values"),
    ({"type": "choice", "values": ["a"], "days": [1, 2]},
     "s.t.f: takes one generator, got values and days; keep one of them "
     "(values may add weights)"),
    ({"type": "datetime", "values": ["a"]},
     "s.t.f: a datetime field cannot take 'values'; it takes days"),
    ({"type": "boolean", "range": [0, 1]},
     "s.t.f: a boolean field cannot take 'range'; it takes no generator (only blank)"),
    ({"type": "reference", "faker": "name", "to": "s.t"},
     "s.t.f: takes one generator, got faker and to; keep one of them (values may add weights)"),
    ({"type": "reference", "faker": "name"},
     "s.t.f: a reference field cannot take 'faker'; it takes to"),
    ({"type": "reference", "to": "s.tt"},
     "s.t.f: references unknown table 's.tt'; did you mean 's.t'?"),
    ("reference", "s.t.f: a reference needs the table it points at, e.g. to: crm.contacts"),
])
def test_each_bad_generator_gets_one_line(spec: Any, message: str) -> None:
    got = check(spec)
    assert got is not None
    assert got.startswith(message), got
    assert "\n" not in got


def test_a_built_in_field_is_not_checked_as_a_declared_one() -> None:
    table = builtin_catalog().table("crm.contacts")
    assert all(check_generator(f"crm.contacts.{c.name}", c) is None for c in table.columns)


def test_the_seed_benchmark_runs_at_a_tiny_size(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    """The benchmark cannot rot: it seeds both tables and writes its table (no timings)."""
    from benchmarks import declared_seed

    out = tmp_path / "declared.md"
    assert declared_seed.main(["--records", "500", "--repeat", "2", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert re.search(r"\| crm\.contacts \(built-in\) \| 500 \| 11 \| \d+\.\d\d \| "
                     r"\d+\.\d\d, \d+\.\d\d \|", printed)
    assert re.search(r"\| hub\.people \(declared\) \| 500 \| 11 \| \d+\.\d\d \|", printed)
    assert re.search(r"declared / built-in: \d+\.\d\dx \(target 1\.5x: (met|missed)\)",
                     printed)
    assert printed in out.read_text(encoding="utf-8")
    table = catalog_from_declaration(declared_seed.DECLARATION).table("hub.people")
    assert len(table.columns) == len(builtin_catalog().table("crm.contacts").columns)


def test_a_built_in_generator_in_a_declared_table_is_refused_with_the_fix() -> None:
    catalog = catalog_from_declaration({"systems": {"s": {"t": {"fields": {
        "plan": "text", "city": {"type": "text", "builtin": "city"}}}}}})
    with pytest.raises(ValueError, match=r"^s\.t\.city names the built-in generator 'city' "
                       r"in a declared table; give it a type and a generator"):
        declared_columns(catalog.table("s.t"), {"s.t": 3}, seed=1, start=START)
