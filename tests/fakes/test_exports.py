"""Exports are atomic, byte-stable and verified; loaded back they diff clean against live."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from drills.fakes import Actor, ManualClock, SqliteBackend, SqlStore
from drills.fakes.errors import ExportError, UnknownTableError
from drills.fakes.exports import (
    MANIFEST,
    ExportedTable,
    Manifest,
    compare_export,
    export_table_name,
    export_tables,
    load_export,
    read_manifest,
)
from drills.fakes.world import World, build_world
from tests.conftest import DRILL_START

COUNTS = {
    "crm.contacts": 60,
    "billing.invoices": 80,
    "email.outbox": 40,
    "shop.orders": 0,
}
PERSON = Actor.person("dana")


@pytest.fixture
def world(store: SqlStore) -> World:
    return build_world(store, COUNTS, seed=11, start=DRILL_START)


@pytest.fixture
def exported(world: World, tmp_path: Path) -> Path:
    folder = tmp_path / "exports" / "clean"
    export_tables(world.store, list(COUNTS), folder)
    return folder


def loaded_rows(store: SqlStore, sql_table: str) -> list[dict[str, Any]]:
    t = sa.Table(sql_table, sa.MetaData(), autoload_with=store.engine)
    with store.engine.connect() as conn:
        return [dict(r) for r in conn.execute(sa.select(t).order_by(t.c.id)).mappings()]


def export_tables_in(store: SqlStore) -> list[str]:
    return [n for n in sa.inspect(store.engine).get_table_names() if n.startswith("export_")]


def leftovers(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if ".partial-" in p.name)


# -- writing ----------------------------------------------------------------------------


def test_an_export_holds_one_file_per_table_and_format_and_a_manifest(
    world: World, exported: Path
) -> None:
    names = sorted(p.name for p in exported.iterdir())
    assert names == sorted(
        [MANIFEST] + [f"{q}.{fmt}" for q in COUNTS for fmt in ("csv", "jsonl")]
    )
    manifest = read_manifest(exported)
    assert manifest.format_version == 1
    assert manifest.exported_at == DRILL_START
    assert [(t.system, t.table, t.rows) for t in manifest.tables] == [
        ("crm", "contacts", 60), ("billing", "invoices", 80), ("email", "outbox", 40),
        ("shop", "orders", 0),
    ]
    for table in manifest.tables:
        for f in table.files:
            data = (exported / f.name).read_bytes()
            assert f.sha256 == hashlib.sha256(data).hexdigest()
            assert f.bytes == len(data)


def test_files_are_in_key_and_catalog_order_with_plain_newlines(
    world: World, exported: Path
) -> None:
    live = world.store.rows("billing.invoices")
    lines = (exported / "billing.invoices.jsonl").read_bytes().split(b"\n")
    assert lines[-1] == b""
    records = [json.loads(line) for line in lines[:-1]]
    assert records == live
    assert [list(r) for r in records] == [list(world.store.table("billing.invoices")
                                              .field_names)] * len(live)
    csv_bytes = (exported / "billing.invoices.csv").read_bytes()
    assert b"\r" not in csv_bytes
    header, first = csv_bytes.decode().split("\n")[:2]
    assert header == ",".join(world.store.table("billing.invoices").field_names)
    assert first.startswith(f"1,{live[0]['customer_id']},")
    assert (exported / "shop.orders.csv").read_text() == (
        "id,customer_email,customer_name,status,total_cents,renewal_date,note,placed_at\n"
    )
    assert (exported / "shop.orders.jsonl").read_bytes() == b""


def test_exporting_the_same_world_twice_gives_the_same_bytes(
    world: World, exported: Path, tmp_path: Path
) -> None:
    again = tmp_path / "again"
    export_tables(world.store, list(COUNTS), again)
    for path in exported.iterdir():
        assert (again / path.name).read_bytes() == path.read_bytes(), path.name


def test_an_existing_empty_folder_is_used(world: World, tmp_path: Path) -> None:
    folder = tmp_path / "empty"
    folder.mkdir()
    export_tables(world.store, ["crm.contacts"], folder, formats=["jsonl"])
    assert sorted(p.name for p in folder.iterdir()) == ["crm.contacts.jsonl", MANIFEST]


def test_a_folder_with_files_is_refused_and_left_as_it_was(
    world: World, exported: Path
) -> None:
    before = {p.name: p.read_bytes() for p in exported.iterdir()}
    with pytest.raises(ExportError) as caught:
        export_tables(world.store, ["crm.contacts"], exported)
    assert str(caught.value) == (
        f"export folder {exported} is not empty; choose a new folder or remove it"
    )
    assert {p.name: p.read_bytes() for p in exported.iterdir()} == before
    assert leftovers(exported.parent) == []


def test_a_failed_export_leaves_nothing_behind(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import drills.fakes.exports

    real = drills.fakes.exports._export_table
    calls = 0
    target = tmp_path / "out"
    target.mkdir()  # an empty folder may be the target; it must stay empty

    def fail_on_second(*args: Any, **kwargs: Any) -> ExportedTable:
        nonlocal calls
        calls += 1
        assert list(target.iterdir()) == []  # files go to a folder beside the target
        if calls == 2:
            raise OSError(28, "No space left on device")
        return real(*args, **kwargs)

    monkeypatch.setattr(drills.fakes.exports, "_export_table", fail_on_second)
    with pytest.raises(ExportError, match=r"No space left on device; nothing was written"):
        export_tables(world.store, list(COUNTS), target)
    assert calls == 2
    assert list(target.iterdir()) == []
    assert leftovers(tmp_path) == []


def test_unknown_tables_and_formats_are_refused_before_writing(
    world: World, tmp_path: Path
) -> None:
    target = tmp_path / "out"
    with pytest.raises(UnknownTableError, match=r"has no table 'contact'; did you mean 'contacts'"):
        export_tables(world.store, ["crm.contact"], target)
    with pytest.raises(UnknownTableError, match=r"'crm\.deals' is not in this world"):
        export_tables(world.store, ["crm.contacts", "crm.deals"], target)
    with pytest.raises(ExportError, match=r"unknown export format 'xml'; choose csv, jsonl"):
        export_tables(world.store, ["crm.contacts"], target, formats=["csv", "xml"])
    with pytest.raises(ExportError, match=r"nothing to export"):
        export_tables(world.store, [], target)
    assert not target.exists()


def test_a_file_where_the_folder_should_be_is_refused(world: World, tmp_path: Path) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("x")
    with pytest.raises(ExportError, match=r"not a writable folder; choose a folder you can"):
        export_tables(world.store, ["crm.contacts"], blocker / "export")


# -- loading and comparing --------------------------------------------------------------


def test_export_load_compare_round_trips_with_an_empty_diff(
    world: World, exported: Path
) -> None:
    loaded = load_export(world.store, exported)
    manifest = read_manifest(exported)
    assert loaded == {
        q: export_table_name(manifest, world.store.table(q)) for q in COUNTS
    }
    assert all(name.startswith("export_") and name.endswith(world.store.table(q).sql_name)
               for q, name in loaded.items())
    for q, name in loaded.items():
        assert loaded_rows(world.store, name) == world.store.rows(q)
    diffs = compare_export(world.store, exported)
    assert list(diffs) == list(COUNTS)
    assert all(d.is_empty for d in diffs.values())


def test_after_an_update_the_compare_shows_exactly_that_field(
    world: World, exported: Path
) -> None:
    world.store.update("billing.invoices", {17: {"due_date": "2026-04-30"}}, PERSON)
    world.store.delete("email.outbox", [3], PERSON)
    world.store.insert("crm.contacts", [{"first_name": "New", "email": "new@x.com"}], PERSON)
    diffs = compare_export(world.store, exported)
    assert dict(diffs["billing.invoices"].changed) == {17: ("due_date",)}
    assert diffs["billing.invoices"].added == diffs["billing.invoices"].removed == ()
    assert diffs["email.outbox"].removed == (3,)
    assert diffs["crm.contacts"].added == (61,)
    assert diffs["shop.orders"].is_empty


def test_loading_twice_replaces_the_loaded_copy(world: World, exported: Path) -> None:
    first = load_export(world.store, exported)
    second = load_export(world.store, exported)
    assert first == second
    assert len(export_tables_in(world.store)) == len(COUNTS)


def test_awkward_text_survives_both_formats(
    world: World, tmp_path: Path
) -> None:
    awkward = 'Zoë "Ñúñez", Jr.\nline two\u2028sep\r\tend'
    world.store.update("crm.contacts", {1: {"notes": awkward, "city": "Zürich"}}, PERSON)
    for fmt in ("csv", "jsonl"):
        folder = tmp_path / fmt
        export_tables(world.store, ["crm.contacts"], folder, formats=[fmt])
        assert compare_export(world.store, folder)["crm.contacts"].is_empty, fmt


def test_a_csv_only_export_loads_empty_cells_as_null(world: World, tmp_path: Path) -> None:
    world.store.update("crm.contacts", {2: {"notes": ""}}, PERSON)
    folder = tmp_path / "csv"
    export_tables(world.store, ["crm.contacts", "email.outbox"], folder, formats=["csv"])
    diffs = compare_export(world.store, folder)
    assert dict(diffs["crm.contacts"].changed) == {2: ("notes",)}  # "" came back as NULL
    assert diffs["email.outbox"].is_empty  # real NULLs (unsent messages) survive


def test_a_tampered_file_fails_its_checksum_and_nothing_is_loaded(
    world: World, exported: Path
) -> None:
    path = exported / "billing.invoices.csv"
    path.write_bytes(path.read_bytes().replace(b"net30", b"net60", 1))
    with pytest.raises(ExportError) as caught:
        load_export(world.store, exported)
    message = str(caught.value)
    assert message.startswith(f"{path} does not match its checksum in {MANIFEST} (sha256 ")
    assert message.endswith("the file changed after the export; restore the original file "
                            "or export again")
    assert export_tables_in(world.store) == []


def test_a_bad_value_in_a_re_checksummed_file_loads_nothing(
    world: World, exported: Path
) -> None:
    """Someone edited a file by hand and fixed the manifest: loading stops and cleans up."""
    path = exported / "email.outbox.jsonl"
    lines = path.read_bytes().split(b"\n")
    record = json.loads(lines[4])
    record["reviewed"] = "yes"
    lines[4] = json.dumps(record).encode()
    path.write_bytes(b"\n".join(lines))
    manifest = read_manifest(exported)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    fixed = manifest.model_copy(update={"tables": [
        t.model_copy(update={"files": [
            f.model_copy(update={"sha256": digest, "bytes": path.stat().st_size})
            if f.name == path.name else f
            for f in t.files
        ]})
        for t in manifest.tables
    ]})
    (exported / MANIFEST).write_bytes(fixed.to_bytes())
    with pytest.raises(ExportError) as caught:
        load_export(world.store, exported)
    assert str(caught.value) == (
        f"{path}, line 5: field 'reviewed' should be a whole number, got 'yes'; "
        "restore the original file or export again"
    )
    assert export_tables_in(world.store) == []  # crm.contacts and invoices were dropped again


def test_a_missing_file_is_named(world: World, exported: Path) -> None:
    (exported / "email.outbox.jsonl").unlink()
    with pytest.raises(ExportError, match=r"email\.outbox\.jsonl is missing but manifest\.json "
                                          r"lists it; restore the file or export again"):
        load_export(world.store, exported)
    assert export_tables_in(world.store) == []


def test_a_row_count_that_does_not_match_is_refused(world: World, exported: Path) -> None:
    manifest = read_manifest(exported)
    edited = manifest.model_copy(update={"tables": [
        t.model_copy(update={"rows": t.rows + 1}) if t.table == "outbox" else t
        for t in manifest.tables
    ]})
    (exported / MANIFEST).write_bytes(edited.to_bytes())
    with pytest.raises(ExportError, match=r"email\.outbox\.csv holds 40 rows but manifest\.json "
                                          r"says 41; the manifest was edited"):
        load_export(world.store, exported)


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda p: p.unlink(), r"has no manifest\.json, so it is not a drills export"),
        (lambda p: p.write_text("{}"), r"manifest\.json is not a valid export manifest "
                                      r"\(exported_at: Field required\)"),
        (lambda p: p.write_text("not json"), r"is not a valid export manifest"),
    ],
)
def test_a_missing_or_broken_manifest_says_what_to_do(
    world: World, exported: Path, damage: Any, message: str
) -> None:
    damage(exported / MANIFEST)
    with pytest.raises(ExportError, match=message):
        load_export(world.store, exported)


def test_a_missing_folder_is_named(store: SqlStore, tmp_path: Path) -> None:
    with pytest.raises(ExportError, match=r"does not exist; check the path"):
        load_export(store, tmp_path / "nowhere")


def test_an_export_loads_into_a_fresh_store(
    world: World, exported: Path, tmp_path: Path
) -> None:
    other = SqlStore(SqliteBackend(tmp_path / "other.sqlite"), ManualClock(DRILL_START))
    try:
        loaded = load_export(other, exported)
        assert loaded_rows(other, loaded["crm.contacts"]) == world.store.rows("crm.contacts")
    finally:
        other.close()


def test_the_manifest_is_a_pydantic_model_that_refuses_unknown_keys() -> None:
    with pytest.raises(ValueError, match="Extra inputs are not permitted"):
        Manifest.model_validate({"exported_at": DRILL_START, "tables": [], "extra": 1})
