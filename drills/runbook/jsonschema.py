"""The JSON Schema of runbook files, for editors and for tools outside Python.

A runbook that starts with ``# yaml-language-server: $schema=...runbook.schema.json``
gets key completion and typo marks as people write it. The schema is generated from
the pydantic models, so it cannot drift from what the loader accepts; the shipped copy
in ``drills/schema/`` is rewritten with::

    python -m drills.runbook.jsonschema

and a test fails when the shipped copy and the models disagree. The schema accepts
exactly what *loads*, so the flawed runbooks teams really have validate too: their
gaps are lint findings, not schema errors. It cannot say everything the loader checks
(stages that grow, a step listed twice); ``drills validate`` does.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from drills.files import short_durations, write_or_check
from drills.runbook.schema import Runbook

__all__ = ["SCHEMA_FILE", "SCHEMA_ID", "main", "render", "runbook_json_schema"]

SCHEMA_ID = "urn:drills:schema:runbook"
"""A stable identifier; editors find the file by path, the ``$id`` only names it."""

SCHEMA_FILE = Path(__file__).parents[1] / "schema" / "runbook.schema.json"
"""The shipped copy, inside the ``drills`` package so it is in the wheel."""

_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def runbook_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a runbook file."""
    generated = Runbook.model_json_schema(by_alias=True)
    short_durations(generated)
    generated.pop("title", None)
    return {
        "$schema": _DIALECT,
        "$id": SCHEMA_ID,
        "title": "drills runbook",
        **generated,
    }


def render() -> str:
    """The schema as the shipped file holds it: model field order, two-space indent."""
    return json.dumps(runbook_json_schema(), indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Rewrite the shipped schema (or check it with ``--check``); returns an exit code."""
    args = sys.argv[1:] if argv is None else argv
    return write_or_check(SCHEMA_FILE, render(), "drills.runbook.jsonschema", args)

if __name__ == "__main__":
    sys.exit(main())
