"""Inferring a declaration from an export: each type from its values, nothing copied.

Export files are written to a temporary folder and read by the real reader; every
declaration inferred is read back by the real declaration reader
(:func:`~drills.fakes.declared.catalog_from_declaration`), so what these tests accept is
a world drills can build.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
import yaml

from drills.fakes import SqliteBackend, SqlStore
from drills.fakes.clock import ManualClock
from drills.fakes.exports import export_tables
from drills.fakes.infer import infer_declaration, infer_world
from drills.fakes.infer.profile import ColumnProfile, TableProfile, shape_of
from drills.fakes.infer.read import identifier
from drills.fakes.infer.rules import outward
from drills.fakes.world import build_world
from drills.files.fileerror import FileError
from drills.scenarios.declaration import read_declaration
from tests.conftest import DRILL_START


def write_csv(path: Path, rows: Sequence[Sequence[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
    return path


def write_jsonl(path: Path, records: Sequence[object]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def declared(paths: Sequence[Path], system: str | None = None,
             keep_choices: bool = False) -> tuple[str, dict[str, Any]]:
    """The declaration's text and its data, checked as a scenario's ``world.declared``
    file is (:func:`~drills.scenarios.declaration.read_declaration`) and made a catalog."""
    text = infer_declaration(paths, system, keep_choices=keep_choices)
    path = paths[0].parent / "inferred-world.yaml"
    path.write_text(text, encoding="utf-8")
    read_declaration(path).catalog()
    return text, yaml.safe_load(text)


def fields(data: dict[str, Any], table: str) -> dict[str, Any]:
    system, _, name = table.partition(".")
    found: dict[str, Any] = data["systems"][system][name]["fields"]
    return found


def comment_above(text: str, field: str) -> str:
    """The comment lines right above ``field:`` in the declaration, joined."""
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if line.strip().startswith(f"{field}:"))
    notes: list[str] = []
    for line in reversed(lines[:at]):
        if not line.strip().startswith("#"):
            break
        notes.insert(0, line.strip().lstrip("# "))
    return " ".join(notes)


# -- one column's values -----------------------------------------------------------------


def profile_of(*values: object) -> ColumnProfile:
    profile = ColumnProfile("x")
    for value in values:
        profile.add(value)  # type: ignore[arg-type]
    return profile


def test_each_value_is_counted_by_what_it_is() -> None:
    p = profile_of("12", 7, "-3", "1.50", 2.25, "true", False, "2026-03-01",
                   "2026-03-01T09:30:00", "2026-03-01T09:30:00+02:00", "hello", "", None, "  ")
    assert dict(p.kinds) == {"int": 3, "decimal": 2, "bool": 2, "date": 1, "datetime": 2,
                             "text": 1}
    assert (p.rows, p.blanks, p.filled) == (14, 3, 11)
    assert p.numbers() == (-3, 12)
    assert p.cents() == (-300, 1200)
    assert p.decimals == 2
    earliest, latest = p.times()
    assert (earliest.isoformat(), latest.isoformat()) == ("2026-03-01T00:00:00",
                                                          "2026-03-01T09:30:00")


def test_a_zero_led_number_is_a_code_not_a_number() -> None:
    p = profile_of("01234", "00001")
    assert dict(p.kinds) == {"text": 2}
    assert p.shape == "#####"


def test_distinct_values_are_dropped_past_a_choice() -> None:
    p = profile_of(*[f"v{i}" for i in range(12)])
    assert p.distinct is not None
    assert len(p.distinct) == 12
    p.add("one more")
    assert p.distinct is None


@pytest.mark.parametrize(("text", "shape"), [
    ("ACC-12345", "???-#####"), ("12/05", "##/##"), ("AB 12", "?? ##"),
    ("acc-12345", None), ("A#1", None), ("Zoë", None),
])
def test_a_shape_keeps_only_digits_capitals_and_separators(text: str, shape: str | None) -> None:
    assert shape_of(text) == shape


@pytest.mark.parametrize(("low", "high", "rounded"), [
    (1234, 98765, (1200, 99000)), (0, 99, (0, 99)), (150, 151, (150, 160)),
    (-1234, -5, (-1300, -5)), (4000, 1_200_000, (4000, 1_200_000)),
])
def test_ranges_are_rounded_outward_to_two_significant_digits(
    low: int, high: int, rounded: tuple[int, int]
) -> None:
    assert outward(low, high) == rounded


def test_a_jsonl_record_without_a_key_leaves_that_field_blank() -> None:
    table = TableProfile()
    table.add_row({"a": 1})
    table.add_row({"a": 2, "b": "x"})
    table.add_row({"b": "y"})
    assert [(c.rows, c.blanks) for c in table.columns.values()] == [(3, 1), (3, 1)]


@pytest.mark.parametrize(("header", "name"), [
    ("First Name", "first_name"), ("customerId", "customer_id"), ("e-mail", "e_mail"),
    ("2nd phone", "n_2nd_phone"), ("  ", ""), ("ID", "id"),
])
def test_headers_become_field_names(header: str, name: str) -> None:
    assert identifier(header) == name


# -- a table's fields ---------------------------------------------------------------------


@pytest.fixture
def shop(tmp_path: Path) -> list[Path]:
    """A small hand-made export: customers and their orders, in CSV and JSONL."""
    statuses = ["active"] * 12 + ["paused"] * 6 + ["cancelled"] * 6
    customers: list[list[object]] = [[
        "id", "Full Name", "email", "Website", "phone", "Employer", "plan", "signed_up", "vip",
        "balance", "notes", "account_code",
    ]]
    for i in range(1, 25):
        customers.append([
            i, f"Person{chr(64 + i)} Surname{chr(64 + i)}", f"user{i}@example.org",
            f"https://site{i}.example.com", f"+1 (555) 010-{i:04d}",
            f"Makers{chr(64 + i)} LLC", statuses[i - 1],
            f"2026-01-{i:02d}T10:00:00", i % 2, f"{i * 10}.5" if i % 3 else "",
            f"Called on a Tuesday about the renewal number {i}", f"AC-{i:05d}",
        ])
    orders = [{"id": i, "customer_id": 1 + i % 24, "total_cents": 1000 + i,
               "ship_by": f"2026-02-{1 + i % 28:02d}", "gift": i % 4 == 0}
              for i in range(1, 61)]
    return [write_csv(tmp_path / "customers.csv", customers),
            write_jsonl(tmp_path / "orders.jsonl", orders)]


def test_each_field_is_typed_from_its_values_and_header(shop: list[Path]) -> None:
    text, data = declared(shop, "shop")
    assert data["systems"]["shop"]["customers"]["count"] == 24
    assert data["systems"]["shop"]["orders"]["count"] == 60
    customers = fields(data, "shop.customers")
    assert customers == {
        "full_name": {"type": "name"},
        "email": {"type": "email"},
        "website": {"type": "url"},
        "phone": {"type": "phone"},
        "employer": {"type": "company"},
        "plan": {"type": "choice", "values": ["value_1", "value_2", "value_3"],
                 "weights": [2, 1, 1]},
        "signed_up": {"type": "datetime", "days": [-23, 0]},
        "vip": {"type": "boolean"},
        "balance": {"type": "money", "range": [1000, 24000], "blank": 0.333},
        "notes": {"type": "free_text"},
        "account_code": {"type": "text", "pattern": "??-#####"},
    }
    assert fields(data, "shop.orders") == {
        "customer_id": {"type": "reference", "to": "shop.customers"},
        "total_cents": {"type": "money", "range": [1000, 1100]},
        "ship_by": {"type": "date", "days": [8, 35]},
        "gift": {"type": "boolean"},
    }
    assert comment_above(text, "plan") == (
        "3 distinct values in 24 rows, each seen 6 times or more; weights are their counts, "
        "reduced; the values are placeholders, most frequent first: name them, or infer "
        "again with --keep-choices"
    )
    assert comment_above(text, "full_name") == (
        "column 'Full Name' in the export: 24 of 24 rows read like names of people"
    )
    assert comment_above(text, "balance").startswith(
        "numbers with up to 1 decimals in 16 rows under a money header: taken as currency "
        "units, declared in cents (x 100)"
    )
    assert comment_above(text, "balance").endswith("; 8 of 24 rows empty")
    assert "the latest time found in the export (in shop.customers.signed_up)" in " ".join(
        line.lstrip("# ") for line in text.splitlines() if line.startswith("#"))


def test_choices_keep_their_values_only_when_asked(shop: list[Path]) -> None:
    _, data = declared(shop, "shop", keep_choices=True)
    assert fields(data, "shop.customers")["plan"] == {
        "type": "choice", "values": ["active", "cancelled", "paused"], "weights": [2, 1, 1]}


def test_no_value_of_the_export_is_written(shop: list[Path]) -> None:
    """Every cell of the text columns (choices too, without --keep-choices), every id and
    every number: none is in the declaration, comments included."""
    text, _ = declared(shop, "shop")
    with shop[0].open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    cells = {v for row in rows for k, v in row.items() if v and k not in ("vip",)}
    cells |= {str(r[k]) for r in map(json.loads, shop[1].read_text().splitlines())
              for k in ("id", "customer_id", "total_cents", "ship_by")}
    cells -= {str(i) for i in range(0, 100)}  # row counts and windows are small numbers
    leaked = sorted(c for c in cells if c in text)
    assert leaked == []
    assert "active" not in text
    assert "paused" not in text


def test_a_reference_goes_to_the_table_named_after_it_else_the_closest_ids(
    tmp_path: Path
) -> None:
    contacts = write_csv(tmp_path / "crm__contacts.csv",
                         [["id", "x"]] + [[i, 0] for i in range(1, 51)])
    accounts = write_csv(tmp_path / "crm__accounts.csv",
                         [["id", "x"]] + [[i, 0] for i in range(1, 201)])
    deals = write_csv(tmp_path / "crm__deals.csv",
                      [["id", "contact_id", "buyer_id", "parent_id", "big_id"]]
                      + [[i, 1 + i % 50, 1 + i % 40, 1 + i % 30, 300 + i] for i in range(1, 101)])
    text, data = declared([deals, accounts, contacts])
    assert list(data["systems"]["crm"]) == ["contacts", "deals", "accounts"]  # targets first
    assert fields(data, "crm.deals") == {
        "contact_id": {"type": "reference", "to": "crm.contacts"},
        "buyer_id": {"type": "reference", "to": "crm.contacts"},  # the closest id range
        "parent_id": {"type": "reference", "to": "crm.contacts"},  # not itself, unnamed
        "big_id": {"type": "integer", "range": [300, 400]},  # no table's ids hold these
    }
    assert comment_above(text, "buyer_id") == (
        "whole numbers in 100 rows, all within the ids of crm.contacts (50 rows; the closest "
        "id range); the ids of crm.accounts would hold them too"
    )


def test_a_table_without_whole_number_ids_says_so(tmp_path: Path) -> None:
    plain = write_csv(tmp_path / "notes.csv", [["body"], ["one two three four five"]])
    keyed = write_csv(tmp_path / "tags.csv", [["id", "label"], ["t-1", "x"]])
    text, _ = declared([plain, keyed], "app")
    assert "no 'id' column: a drill numbers the records itself" in text.replace("\n      # ", " ")
    assert "'id' is not a whole number in every row" in text.replace("\n      # ", " ")


def test_date_windows_count_from_the_latest_time_not_a_future_date(tmp_path: Path) -> None:
    invoices = write_csv(tmp_path / "billing__invoices.csv", [
        ["id", "created_at", "due_on"],
        [1, "2026-03-01T12:00:00", "2026-04-30"],
        [2, "2026-02-01T08:00:00Z", "2026-03-10"],
    ])
    _, data = declared([invoices])
    assert fields(data, "billing.invoices") == {
        "created_at": {"type": "datetime", "days": [-29, 0]},
        "due_on": {"type": "date", "days": [9, 60]},
    }


def test_a_date_window_stays_within_a_century_either_way(tmp_path: Path) -> None:
    people = write_csv(tmp_path / "hr__people.csv", [
        ["id", "born_on", "seen_at"], [1, "1850-01-01", "2026-03-01T00:00:00"],
        [2, "1990-06-30", "2026-03-01T00:00:00"]])
    text, data = declared([people])
    assert fields(data, "hr.people")["born_on"] == {"type": "date", "days": [-36_500, -13_028]}
    assert comment_above(text, "born_on").endswith(
        "; the window is cut to 36,500 days either way, a declaration's most")


def test_numbers_without_a_money_header_are_integers_and_blanks_are_a_share(
    tmp_path: Path
) -> None:
    rows: list[list[object]] = [["id", "quantity", "score", "empty"]]
    rows += [[i, i % 7, f"{i}.25", ""] for i in range(1, 1001)]
    rows[5][1] = ""
    _, data = declared([write_csv(tmp_path / "inv__stock.csv", rows)])
    assert fields(data, "inv.stock") == {
        "quantity": {"type": "integer", "range": [0, 6], "blank": 0.001},
        "score": {"type": "integer", "range": [1, 1000]},
        "empty": {"type": "text", "blank": 0.999},
    }


def test_many_weights_become_shares_per_mille(tmp_path: Path) -> None:
    rows = [["tier"]] + [["gold"]] * 1801 + [["silver"]] * 900 + [["bronze"]] * 299
    _, data = declared([write_csv(tmp_path / "a__b.csv", rows)], keep_choices=True)
    assert fields(data, "a.b")["tier"] == {
        "type": "choice", "values": ["gold", "silver", "bronze"], "weights": [600, 300, 100]}


def test_values_and_names_yaml_would_misread_are_quoted(tmp_path: Path) -> None:
    rows: list[list[object]] = [["id", "no", "on", "state"]]
    rows += [[i, "yes: maybe", "x", ["'a' #1", 'b "q"', "null"][i % 3]] for i in range(30)]
    _, data = declared([write_csv(tmp_path / "x__true.csv", rows)], keep_choices=True)
    table = data["systems"]["x"]["true"]["fields"]
    assert set(table) == {"no", "on", "state"}
    assert table["no"]["values"] == ["yes: maybe"]
    assert sorted(table["state"]["values"]) == sorted(["'a' #1", 'b "q"', "null"])


def test_the_builtin_world_s_export_infers_its_own_types(tmp_path: Path) -> None:
    """An export of the built-in systems: every field gets the type the built-in declares,
    and no cell of a text column that is not a choice is written (checked word-bounded:
    short values such as a city recur as parts of field names)."""
    counts = {"crm.contacts": 300, "crm.deals": 120, "billing.invoices": 400,
              "support.tickets": 200}
    store = SqlStore(SqliteBackend(tmp_path / "w.sqlite"), ManualClock(DRILL_START))
    try:
        world = build_world(store, counts, seed=5, start=DRILL_START)
        export_tables(world.store, list(counts), tmp_path / "export", formats=["jsonl"])
        catalog = store.catalog
    finally:
        store.close()
    files = sorted((tmp_path / "export").glob("*.jsonl"))
    text, data = declared(files)
    mismatched = {}
    for qualname in counts:
        for name, spec in fields(data, qualname).items():
            want = catalog.field(f"{qualname}.{name}")[1].declared
            got = spec["type"]
            if got != want and (want, got) not in {("name", "choice"), ("text", "free_text")}:
                mismatched[f"{qualname}.{name}"] = (want, got)
    assert mismatched == {}  # owners (8 staff) are a choice; a deal's title is a sentence
    leaked = []
    for path in files:
        for record in map(json.loads, path.read_text().splitlines()):
            table = path.name.removesuffix(".jsonl")
            for name, value in record.items():
                spec = fields(data, table).get(name, {})
                if isinstance(value, str) and value and spec.get("type") != "choice" and (
                    re.search(rf"(?<!\w){re.escape(value)}(?!\w)", text)
                ):
                    leaked.append(value)
    assert leaked == []


# -- bad files ----------------------------------------------------------------------------


def bad(tmp_path: Path, name: str, content: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(FileError) as caught:
        infer_world([path], "app")
    return str(caught.value).replace(str(tmp_path) + "/", "")


@pytest.mark.parametrize(("name", "content", "message"), [
    ("t.txt", b"id\n1\n", "t.txt:1:1: extension '.txt': not an export drills can read; "
     "give one .csv or .jsonl file per table"),
    ("t.csv", b"", "t.csv:1:1: the file holds nothing: nothing to infer from; export the "
     "table with its rows, or leave the file out"),
    ("t.csv", b"id,name\n", "t.csv:1:1: the file holds a header but no rows: nothing to "
     "infer from; export the table with its rows, or leave the file out"),
    ("t.jsonl", b"\n\n", "t.jsonl:1:1: the file holds nothing: nothing to infer from; "
     "export the table with its rows, or leave the file out"),
    ("t.csv", b"id,name\n1,a\n2,b,c\n", "t.csv:3:1: 3 cells where the header has 2; give "
     "every row one cell per header column (quote a cell that holds a comma)"),
    ("t.csv", b"id,name\n1,\"a\n", "t.csv:2:1: not valid CSV: unexpected end of data; "
     "export the file again as CSV"),
    ("t.csv", b"id,id\n1,2\n", "t.csv:1:1: header columns 1 and 2 have the same name; give "
     "every column its own name"),
    ("t.csv", b"id,\n1,2\n", "t.csv:1:1: header column 2 has no name; name every column in "
     "the first row"),
    ("t.csv", b"id,name\n1,caf\xe9\n", "t.csv:2:6: not UTF-8 text; export the file as UTF-8 "
     "(in a spreadsheet: CSV UTF-8)"),
    ("t.jsonl", b'{"id": 1}\n[1, 2]\n', "t.jsonl:2:1: a JSON list where a record should be; "
     'write one JSON object per line, e.g. {"id": 1, "email": "..."}'),
    ("t.jsonl", b'{"id": 1}\n{"id": 2,}\n', "t.jsonl:2:10: not JSON: Expecting property name "
     "enclosed in double quotes; write one JSON object per line"),
])
def test_a_bad_file_is_one_line_with_its_line_and_the_fix(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    assert bad(tmp_path, name, content) == message


def test_a_file_of_ids_alone_or_of_too_many_columns_is_refused(tmp_path: Path) -> None:
    assert bad(tmp_path, "t.csv", b"ID\n1\n") == (
        "t.csv:1:1: the file holds no column but 'id': nothing to declare; export the table "
        "with its fields")
    wide = ",".join(f"c{i}" for i in range(101)).encode()
    assert bad(tmp_path, "t.csv", wide + b"\n" + b"1," * 100 + b"1\n") == (
        "t.csv:1:1: 101 columns, over the 100 a declared table holds; export at most 100 of "
        "them (those a drill needs)")


def test_long_and_clashing_headers_become_distinct_names(tmp_path: Path) -> None:
    long = "a very long header " * 5
    path = write_csv(tmp_path / "t.csv", [[long, long.upper(), "x"], [1, 2, 3]])
    _, data = declared([path], "app")
    names = list(fields(data, "app.t"))
    assert [len(n) for n in names] == [63, 63, 1]
    assert names[1] == names[0][:61] + "_2"


def test_counts_stay_within_a_drill_s_limits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from drills.fakes.infer import declare

    monkeypatch.setattr(declare, "MAX_RECORDS_PER_TABLE", 60)
    monkeypatch.setattr(declare, "MAX_TOTAL_RECORDS", 100)
    files = [write_csv(tmp_path / f"s__{name}.csv", [["x"]] + [[i] for i in range(rows)])
             for name, rows in (("a", 80), ("b", 40))]
    inference = infer_world(files)
    assert [(t.rows, t.count) for t in inference.tables] == [(80, 60), (40, 40)]
    monkeypatch.setattr(declare, "MAX_TOTAL_RECORDS", 50)
    inference = infer_world(files)
    assert [(t.rows, t.count) for t in inference.tables] == [(80, 30), (40, 20)]


def test_a_byte_order_mark_is_not_part_of_the_first_header(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(b"\xef\xbb\xbfid,name\n1,a\n")
    inference = infer_world([path], "app")
    assert [f.name for f in inference.tables[0].fields] == ["name"]


def test_two_files_for_one_table_are_refused(tmp_path: Path) -> None:
    a = write_csv(tmp_path / "crm.contacts.csv", [["id", "x"], [1, 2]])
    b = write_jsonl(tmp_path / "crm__contacts.jsonl", [{"id": 1}])
    with pytest.raises(FileError) as caught:
        infer_world([a, b])
    assert str(caught.value) == (
        f"{b}:1:1: holds table crm.contacts, as {a} does; pass one file per table (the .csv "
        "or the .jsonl, not both)"
    )


def test_a_bare_table_name_needs_a_system(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "contacts.csv", [["id", "x"], [1, 2]])
    with pytest.raises(FileError) as caught:
        infer_world([path])
    assert str(caught.value) == (
        f"{path}:1:1: the file name says no system for table 'contacts'; pass --system "
        "NAME, or name the file SYSTEM__contacts.csv"
    )
