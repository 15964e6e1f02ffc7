"""The built-in library: every scenario loads clean, tells a story, matches the JSON Schema
and builds its world; the shipped schema is the one the models generate.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from drills.fakes import SqlStore
from drills.fakes.active import using_catalog
from drills.fakes.world import build_world
from drills.files import read_yaml, validate_file
from drills.scenarios import jsonschema as jsonschema_module
from drills.scenarios.jsonschema import SCHEMA_FILE, render, scenario_json_schema
from drills.scenarios.loader import builtin_names, builtin_scenarios, load_scenario
from drills.scenarios.schema import FAULT_KINDS, Scenario

REPO = Path(__file__).parents[2]
LIBRARY = REPO / "scenarios" / "library"
# The shared examples, copied into the checkout so no test depends on ../shared.
SHARED_EXAMPLE = REPO / "tests" / "data" / "examples" / "invoice-triple-trigger.scenario.yaml"
DATA = REPO / "tests" / "data" / "scenarios"
NAMES = builtin_names()


def as_json(data: Any) -> Any:
    """YAML data as a JSON document would hold it (timestamps become ISO text)."""
    return json.loads(json.dumps(
        data, default=lambda v: v.isoformat() if isinstance(v, date | datetime) else str(v)
    ))


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_the_library_has_at_least_nine_scenarios_covering_every_fault_kind() -> None:
    assert len(NAMES) >= 9
    assert {info.fault for info in builtin_scenarios()} == set(FAULT_KINDS)


@pytest.mark.parametrize("name", NAMES)
def test_a_builtin_scenario_loads_with_no_errors_and_no_cross_check_issues(name: str) -> None:
    path = LIBRARY / f"{name}.yaml"
    assert validate_file(path, Scenario, cross_check=Scenario.cross_check) == []
    scenario = load_scenario(name)
    assert scenario.name == name, "a library scenario is named after its file"
    assert scenario.cross_check() == []


@pytest.mark.parametrize("name", NAMES)
def test_a_builtin_scenario_is_a_complete_story(name: str) -> None:
    scenario = load_scenario(name)
    assert 20 <= len(scenario.title) <= 90
    assert len(scenario.summary.split()) >= 30, "the summary tells what happens and to whom"
    auto = scenario.automation
    assert auto.feeders, "something keeps feeding the job: pausing it alone is not enough"
    assert auto.touches, "the risk class comes from what a bad run can hurt"
    assert scenario.people.edits_per_hour > 0
    assert scenario.people.complaints is not None
    assert scenario.fault.via is None or auto.feeder(scenario.fault.via) is not None
    assert scenario.seed > 0


def test_world_sizes_run_from_hundreds_to_tens_of_thousands() -> None:
    sizes = sorted(info.records for info in builtin_scenarios())
    assert sizes[0] < 1_000
    assert sizes[-1] >= 20_000
    assert sizes[-1] <= 60_000, "keep the biggest near 50k so the test suite stays fast"


def test_scenario_infos_describe_the_library() -> None:
    info = {i.name: i for i in builtin_scenarios()}["invoice-triple-trigger"]
    assert info.fault == "triple_trigger"
    assert info.systems == ("crm", "billing", "email", "support", "warehouse")
    assert info.records == 800 + 300 + 1200 + 60
    assert info.title == "Invoice reminder rule fires three times on one due-date edit"
    assert info.path.name == "invoice-triple-trigger.yaml"
    assert info.path.is_file()


def test_the_shared_example_loads_and_the_library_keeps_a_copy() -> None:
    shared = load_scenario(SHARED_EXAMPLE).model_dump()
    copy = load_scenario("invoice-triple-trigger").model_dump()
    assert copy["automation"].pop("touches") == ["customer_messages", "money"]
    assert shared["automation"].pop("touches") == []
    assert copy == shared, "the library copy is the shared example plus its risk tags"


# -- the JSON Schema -------------------------------------------------------------------------


def test_the_shipped_schema_is_the_generated_one() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == render(), (
        "the scenario models changed; run: python -m drills.scenarios.jsonschema"
    )


def test_the_schema_command_writes_and_checks_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "schema" / "scenario.schema.json"
    monkeypatch.setattr(jsonschema_module, "SCHEMA_FILE", target)
    assert jsonschema_module.main(["--check"]) == 1
    assert jsonschema_module.main([]) == 0
    assert target.read_text(encoding="utf-8") == render()
    assert jsonschema_module.main(["--check"]) == 0
    target.write_text("{}", encoding="utf-8")
    assert jsonschema_module.main(["--check"]) == 1
    assert "run: python -m drills.scenarios.jsonschema" in capsys.readouterr().err


def test_the_schema_names_itself_and_speaks_the_files_words() -> None:
    schema = scenario_json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"]
    assert schema["title"] == "drills scenario"
    assert schema["additionalProperties"] is False
    assert "from" in schema["$defs"]["SyncField"]["properties"]
    assert schema["properties"]["runs_for"]["default"] == "2h"


@pytest.mark.parametrize("name", NAMES)
def test_a_builtin_scenario_validates_against_the_json_schema(
    name: str, validator: jsonschema.Draft202012Validator
) -> None:
    data = as_json(read_yaml(LIBRARY / f"{name}.yaml").data)
    assert [e.message for e in validator.iter_errors(data)] == []


def test_the_json_schema_accepts_the_shorthands_and_refuses_typos(
    validator: jsonschema.Draft202012Validator,
) -> None:
    data = as_json(read_yaml(DATA / "good" / "minimal.yaml").data)
    for reach in (12, "25%", {"where": {"status": "open"}}):
        data["fault"]["reach"] = reach
        assert validator.is_valid(data), reach
    data["people"] = {"complaints": {"first_after": "10 duplicate emails"}}
    assert validator.is_valid(data)
    for bad in ("unknown-key", "unknown-fault-kind", "bad-rate", "negative-count", "huge-count"):
        broken = as_json(read_yaml(DATA / "bad" / f"{bad}.yaml").data)
        assert not validator.is_valid(broken), bad


# -- worlds -------------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_a_builtin_scenario_builds_its_world(name: str, store: SqlStore) -> None:
    scenario = load_scenario(name)
    with using_catalog(scenario.catalog):  # its own systems, declared or built-in
        world = build_world(store, scenario.world.counts, seed=scenario.seed,
                            start=scenario.starts)
        assert world.summary() == scenario.world.counts
