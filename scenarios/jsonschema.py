"""The JSON Schema of scenario files, for editors and for tools outside Python.

Editors with a YAML language server complete keys and flag typos as people type when a
scenario file starts with ``# yaml-language-server: $schema=...scenario.schema.json``.
The schema is generated from the pydantic models, so it cannot drift from what the
loader accepts; the shipped copy in ``scenarios/schema/`` is rewritten with::

    python -m drills.scenarios.jsonschema

and a test fails when the shipped copy and the models disagree.

The generated schema is completed in two ways the models do not yet say themselves
(both are no-ops once they do, see :func:`scenario_json_schema`): the shorthands the
models accept before validation (``reach: 120``, ``reach: '25%'``,
``first_after: 10 duplicate emails``, a world's per-system counts, a declared field
written as its type alone), and duration defaults spelt as the files spell them
(``'10m'``) instead of ISO 8601 (``'PT10M'``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from drills.files import short_durations, write_or_check
from drills.scenarios.declaration import Declaration
from drills.scenarios.schema import Scenario

__all__ = [
    "SCHEMA_FILE", "SCHEMA_ID", "WORLD_SCHEMA_FILE", "WORLD_SCHEMA_ID", "main", "render",
    "render_world", "scenario_json_schema", "world_json_schema",
]

SCHEMA_ID = "urn:drills:schema:scenario"
"""A stable identifier; editors find the file by path, the ``$id`` only names it."""

SCHEMA_FILE = Path(__file__).parent / "schema" / "scenario.schema.json"
"""The shipped copy, next to the code so it is in the wheel."""

WORLD_SCHEMA_ID = "urn:drills:schema:world"
WORLD_SCHEMA_FILE = Path(__file__).parent / "schema" / "world.schema.json"
"""The schema of a shared ``world.yaml``, shipped beside the scenario's."""

_DIALECT = "https://json-schema.org/draft/2020-12/schema"
_THRESHOLD_PATTERN = r"^\s*(\d+)\s+([a-z][a-z _-]*)$"
_PERCENT_PATTERN = r"^\s*\d+(\.\d+)?\s*%\s*$"


def _with_shorthands(definition: dict[str, Any], *shorthands: dict[str, Any]) -> dict[str, Any]:
    """``definition`` (an object) or any of the shorthand spellings the model accepts."""
    if "anyOf" in definition:
        return definition
    outer: dict[str, Any] = {
        k: definition[k] for k in ("title", "description") if k in definition
    }
    inner = {k: v for k, v in definition.items() if k not in outer}
    return {**outer, "anyOf": [*shorthands, inner]}


def scenario_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a scenario file, keys spelt as in the file."""
    generated = Scenario.model_json_schema(by_alias=True)
    defs: dict[str, Any] = generated.get("$defs", {})
    if "Reach" in defs:
        reach_count = defs["Reach"].get("properties", {}).get("count", {}).get("anyOf", [{}])[0]
        defs["Reach"] = _with_shorthands(
            defs["Reach"],
            {**reach_count, "description": "how many records, like 120"},
            {"type": "string", "pattern": _PERCENT_PATTERN,
             "description": "a share of the table, like '25%'"},
        )
    if "Threshold" in defs:
        defs["Threshold"] = _with_shorthands(
            defs["Threshold"],
            {"type": "integer", "minimum": 1, "description": "so many damaged records"},
            {"type": "string", "pattern": _THRESHOLD_PATTERN,
             "description": "a count and what is counted, like '10 duplicate emails'"},
        )
    if "World" in defs:
        # per-system counts (``crm: {contacts: 600}``): any system name the world has
        defs["World"]["additionalProperties"] = {
            "type": "object",
            "description": "records each table of this system starts with, like "
                           "{contacts: 600}",
            "additionalProperties": defs["World"]["properties"]["counts"].get(
                "additionalProperties", {"type": "integer", "minimum": 0}),
        }
    _field_shorthand(defs)
    short_durations(generated)
    generated.pop("title", None)
    return {
        "$schema": _DIALECT,
        "$id": SCHEMA_ID,
        "title": "drills scenario",
        **generated,
    }


def _field_shorthand(defs: dict[str, Any]) -> None:
    """A declared field may be written as its type alone (``email``)."""
    if "DeclaredField" in defs:
        defs["DeclaredField"] = _with_shorthands(defs["DeclaredField"], {
            "type": "string",
            "enum": defs["DeclaredField"]["properties"]["type"]["enum"],
            "description": "a type alone, with its default generator",
        })


def world_json_schema() -> dict[str, Any]:
    """The JSON Schema of a ``world.yaml`` a scenario names (``world: {declared: ...}``)."""
    generated = Declaration.model_json_schema(by_alias=True)
    _field_shorthand(generated.get("$defs", {}))
    short_durations(generated)
    generated.pop("title", None)
    return {"$schema": _DIALECT, "$id": WORLD_SCHEMA_ID, "title": "drills world declaration",
            **generated}


def render_world() -> str:
    """The world schema as the shipped file holds it."""
    return json.dumps(world_json_schema(), indent=2, ensure_ascii=False) + "\n"


def render() -> str:
    """The schema as the shipped file holds it: keys in the models' field order (the order
    people write a scenario in), two-space indent, a final newline.
    """
    return json.dumps(scenario_json_schema(), indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Rewrite the shipped schema (or check it with ``--check``); returns an exit code."""
    args = sys.argv[1:] if argv is None else argv
    module = "drills.scenarios.jsonschema"
    return max(write_or_check(SCHEMA_FILE, render(), module, args),
               write_or_check(WORLD_SCHEMA_FILE, render_world(), module, args))

if __name__ == "__main__":
    sys.exit(main())
