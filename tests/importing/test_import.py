"""``drills import`` as a library: each format's bad run becomes a drill of the same damage.

For every fixture export (tests/data/imports, one per format) the imported scenario
validates, and its drill, with nobody responding, damages as many records as the burst
changed (within 2%), in the same fields, at the same pace: read from the drill's own
change log, not from the scenario the import wrote.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

import pytest
import yaml

from drills.api import run_drill
from drills.scenarios.importing import (
    AmbiguousBurst,
    ImportRefused,
    Masker,
    import_incident,
    parse_window,
    world_path,
    write_imported,
)
from drills.scenarios.importing.burst import find_bursts, read_fault
from drills.scenarios.importing.changes import Change
from drills.scenarios.importing.mask import kind_of
from drills.scenarios.loader import load_scenario
from tests.importing.exports import DATA, FIXTURES, Fixture, leaks, personal_values

KEY = Masker(b"test-key")


def imported(name: str, folder: Path, masker: Masker = KEY) -> Path:
    out = folder / f"{name}.yaml"
    write_imported(import_incident([DATA / FIXTURES[name].file], out, masker), out)
    return out


@pytest.fixture(scope="module", params=sorted(FIXTURES))
def drilled(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
            ) -> tuple[Fixture, Path, list[tuple[str, int, str, str]]]:
    """An imported fixture, drilled with nobody responding, and its bad run's writes."""
    folder = tmp_path_factory.mktemp(request.param)
    scenario = imported(request.param, folder)
    db = folder / "drill.db"
    report = run_drill(load_scenario(scenario), None, costs=False, db_path=db)
    (folder / "report.json").write_text(report.model_dump_json(), encoding="utf-8")
    with sqlite3.connect(db) as conn:
        writes = conn.execute(
            "SELECT at, record_key, field, table_name FROM _drills_changes "
            "WHERE actor_kind = 'automation' AND op = 'update' ORDER BY at").fetchall()
    return FIXTURES[request.param], scenario, writes


def test_the_drill_damages_the_burst_s_records_in_its_fields_at_its_pace(
    drilled: tuple[Fixture, Path, list[tuple[str, int, str, str]]],
) -> None:
    fixture, scenario, writes = drilled
    report = yaml.safe_load((scenario.parent / "report.json").read_text(encoding="utf-8"))
    damaged = {s["system"]: s["damaged"] for s in report["systems"]}
    system = fixture.table.partition(".")[0]
    assert abs(damaged[system] - fixture.records) <= 0.02 * fixture.records
    assert {t for *_, t in writes} == {fixture.table}
    assert {f for _, _, f, _ in writes} >= fixture.fields
    first, last = (datetime.fromisoformat(writes[i][0]) for i in (0, -1))
    records = len({k for _, k, _, _ in writes})
    burst_minutes = (fixture.records - 1) / fixture.records_per_minute
    assert abs((last - first).total_seconds() / 60 - burst_minutes) <= 1.0  # a drill's tick
    assert sorted({k for _, k, _, _ in writes}) == list(range(1, records + 1))


def test_the_scenario_keeps_the_incident_and_the_fault(
    drilled: tuple[Fixture, Path, list[tuple[str, int, str, str]]],
) -> None:
    fixture, scenario, _ = drilled
    data = yaml.safe_load(scenario.read_text(encoding="utf-8"))
    assert data["fault"]["kind"] == fixture.kind
    assert data["fault"]["reach"] == {"keys": f"1-{fixture.records}"}
    assert data["world"] == {"declared": world_path(scenario).name}
    rate = float(data["fault"]["rate"].removesuffix("/min"))
    assert rate == pytest.approx(fixture.records_per_minute, rel=0.02)
    curve = data["incident"]["changes_per_minute"]
    assert list(curve) == [fixture.table.partition(".")[0]]
    assert data["people"]["edits_per_hour"] > 0
    loaded = load_scenario(scenario)
    assert loaded.incident is not None
    assert loaded.incident.actor in data["incident"]["reading"]


def test_no_personal_value_reaches_the_files_or_the_drill(
    drilled: tuple[Fixture, Path, list[tuple[str, int, str, str]]],
) -> None:
    fixture, scenario, _ = drilled
    name = next(k for k, v in FIXTURES.items() if v == fixture)
    values = personal_values(name)
    assert len(values) > 100  # the test looks for something
    for path in (scenario, world_path(scenario), scenario.parent / "report.json"):
        assert leaks(path.read_text(encoding="utf-8"), values) == [], path.name


def test_the_same_key_gives_the_same_files_and_another_key_others(tmp_path: Path) -> None:
    paths = [DATA / FIXTURES["changes"].file]
    out = tmp_path / "x.yaml"
    one = import_incident(paths, out, Masker(b"alpha"))
    again = import_incident(paths, out, Masker(b"alpha"))
    other = import_incident(paths, out, Masker(b"beta"))
    assert one == again
    assert one.scenario != other.scenario
    assert one.reading.split(" changed")[0] != other.reading.split(" changed")[0]
    assert "@" in one.reading.split(" changed")[0]  # an email actor stays an email


def test_without_masking_the_actor_is_the_export_s(tmp_path: Path) -> None:
    done = import_incident([DATA / FIXTURES["changes"].file], tmp_path / "x.yaml", Masker(None))
    assert "crm-sync@ops-intern.example" in done.scenario
    assert "NOT MASKED" in done.scenario
    assert leaks(done.scenario, personal_values("changes"))  # the leak test finds leaks


def test_pseudonyms_are_of_the_original_s_kind() -> None:
    assert kind_of(KEY.fake("anna.schmidt@firma.de", "email")) == "email"
    assert KEY.fake("anna.schmidt@firma.de", "email") != "anna.schmidt@firma.de"
    assert len(KEY.fake("Anna Schmidt", "name").split()) >= 2
    assert KEY.token("005Fp9TltEAMSuBGJC") == KEY.token("005Fp9TltEAMSuBGJC")
    assert len(KEY.token("005Fp9TltEAMSuBGJC")) == 6


# -- finding the burst --------------------------------------------------------------------


def change(record: int, field: str, old: str, new: str, minute: float, actor: str) -> Change:
    at = datetime(2026, 3, 2, 9) + (datetime(2026, 3, 2, 9, 1) - datetime(2026, 3, 2, 9)) * minute
    return Change("crm", "contacts", str(record), field, old, new, at, actor, "user", "",
                  "log.csv", 2)


def background(n: int) -> list[Change]:
    return [change(500 + i, "city", "Ulm", "Gera", i * 7.0, f"person{i % 4}") for i in range(n)]


def test_two_bursts_are_read_and_one_must_be_chosen(tmp_path: Path) -> None:
    burst_a = [change(i, "status", "active", "", 30 + i / 20, "job-a") for i in range(60)]
    burst_b = [change(i, "email", "x@y.de", "", 200 + i / 20, "job-b") for i in range(60)]
    bursts, rest = find_bursts([*background(40), *burst_a, *burst_b])
    assert [b.actor for b in bursts] == ["job-a", "job-b"]
    assert len(rest) == 40
    assert all(read_fault(b, burst_a + burst_b) is not None for b in bursts)


def test_flapping_repeats_and_wrong_mapping_are_told_apart() -> None:
    flaps = [change(i, "status", a, b, i / 10 + n / 100, "job")
             for i in range(30) for n, (a, b) in enumerate([("on", "off"), ("off", "on"),
                                                            ("on", "off")])]
    found = read_fault(find_bursts(flaps)[0][0], flaps)
    assert found is not None
    assert found.kind == "status_flapping"
    assert found.keys["between"] == ["off", "on"]
    repeats = [change(i, "notes", "", "sent", i / 10 + n / 100, "job")
               for i in range(30) for n in range(3)]
    found = read_fault(find_bursts(repeats)[0][0], repeats)
    assert found is not None
    assert (found.kind, found.keys) == ("triple_trigger", {"times": 3})
    stages = [change(900 + i, "stage", "lead", ["won", "lost"][i % 2], i * 9.0, "p")
              for i in range(20)]
    mapped = [change(i, "terms", "net30", ["won", "lost"][i % 2], 300 + i / 10, "job")
              for i in range(40)]
    found = read_fault(find_bursts(stages + mapped)[0][0], stages + mapped)
    assert found is not None
    assert found.kind == "wrong_field_mapping"
    assert found.keys == {"writes": "stage", "into": "terms"}


def test_plain_fast_edits_are_not_a_fault() -> None:
    edits = [change(i, "city", f"a{i}", f"b{i}", i / 10, "job") for i in range(40)]
    assert read_fault(find_bursts(edits)[0][0], edits) is None


@pytest.mark.parametrize(("window", "says"), [
    ("9-10", "--window '9-10' is not HH:MM-HH:MM"),
    ("10:00-09:00", "ends before it starts"),
])
def test_a_bad_window_is_refused(window: str, says: str) -> None:
    with pytest.raises(ImportRefused, match=says):
        parse_window(window)


def test_an_actor_no_burst_has_is_refused_with_the_readings(tmp_path: Path) -> None:
    with pytest.raises(AmbiguousBurst, match="no burst matches --actor nobody") as err:
        import_incident([DATA / FIXTURES["changes"].file], tmp_path / "x.yaml", KEY,
                        actor="nobody")
    assert len(err.value.readings) == 1
    assert "blank" in err.value.readings[0]


def test_scale_history_and_harm_follow_the_source(tmp_path: Path) -> None:
    plain = imported("stripe", tmp_path)
    world = yaml.safe_load(world_path(plain).read_text(encoding="utf-8"))
    subs = world["systems"]["stripe"]["subscriptions"]
    assert (subs["count"], subs["history"], subs["harm"]) == (
        150, {"fields": "all", "keep": "30d"}, "money")
    out = tmp_path / "scaled.yaml"
    write_imported(import_incident([DATA / FIXTURES["stripe"].file], out, KEY, scale=4), out)
    scaled = yaml.safe_load(world_path(out).read_text(encoding="utf-8"))["systems"]["stripe"]
    assert scaled["subscriptions"]["count"] == 600
    assert scaled["customers"]["count"] == 4 * world["systems"]["stripe"]["customers"]["count"]
    sf = yaml.safe_load(world_path(imported("salesforce", tmp_path)).read_text(
        encoding="utf-8"))["systems"]["salesforce"]["contacts"]
    assert sf["history"] == {"fields": ["email", "mailing_city", "mailing_country",
                                        "mailing_street", "phone"], "keep": "540d"}
    assert sf["fields"]["email"] == {"type": "email"}
    assert sf["fields"]["mailing_city"] == {"type": "text", "faker": "city"}
    assert sf["fields"]["mailing_country"]["type"] == "choice"  # not personal: kept


def test_a_change_log_reads_the_same_as_json_lines(tmp_path: Path) -> None:
    import csv
    import json

    with (DATA / FIXTURES["changes"].file).open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    jsonl = tmp_path / "log.jsonl"
    jsonl.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "x.yaml"
    from_csv = import_incident([DATA / FIXTURES["changes"].file], out, KEY)
    from_jsonl = import_incident([jsonl], out, KEY)
    assert from_jsonl.reading == from_csv.reading
    assert from_jsonl.world == from_csv.world.replace("changes.csv", "log.jsonl")


@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.parametrize("name", ["stripe", "hubspot"])
def test_the_drill_on_postgresql_does_the_same_damage(tmp_path: Path, pg_url: str,
                                                      name: str) -> None:
    report = run_drill(load_scenario(imported(name, tmp_path)), None, costs=False,
                       backend=pg_url)
    damaged = {s.system: s.damaged for s in report.systems}
    assert damaged[FIXTURES[name].table.partition(".")[0]] == FIXTURES[name].records


def test_a_json_array_log_and_a_system_called_warehouse(tmp_path: Path) -> None:
    import json

    rows = [{"table": "warehouse.rows", "record": i, "field": "status", "old": "ok",
             "new": "", "at": f"2026-03-02T09:{i // 30:02d}:{2 * (i % 30):02d}Z",
             "actor": "loader", "run": "r1"} for i in range(60)]
    log = tmp_path / "log.json"
    log.write_text(json.dumps(rows), encoding="utf-8")
    out = tmp_path / "x.yaml"
    write_imported(import_incident([log], out, KEY), out)
    scenario = load_scenario(out)
    assert scenario.fault.kind == "blank_writes"
    assert "warehouse: {name: warehouse_copies}" in world_path(out).read_text(encoding="utf-8")
