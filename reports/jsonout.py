"""The drill report as JSON: the file every other format can be rebuilt from.

A report saved as JSON is the model itself (``model_dump_json``), so it can be
rendered again years later, diffed between quarters, or read by tools that know
nothing of drills through the shipped JSON Schema (``reports/schema/report.schema.json``,
generated from the model so it cannot drift). Reading one back validates it and
turns every way a file can be wrong (missing, not JSON, another schema version, a
field out of place) into one :class:`ReportError` line that names the file and says
what to do, never a traceback.

Regenerate or check the shipped schema with::

    python -m drills.reports.jsonout --write-schema
    python -m drills.reports.jsonout --check
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from drills.errors import DrillsError
from drills.files.atomic import write_text_atomic
from drills.files.regular import read_regular
from drills.reports.model import SCHEMA_VERSION, DrillReport

__all__ = [
    "SCHEMA_FILE",
    "SCHEMA_ID",
    "ReportError",
    "load_report",
    "main",
    "parse_report",
    "render_json",
    "render_schema",
    "report_json_schema",
]

SCHEMA_ID = "urn:drills:schema:report"
"""A stable name for the schema; tools find the file by path."""

SCHEMA_FILE = Path(__file__).parent / "schema" / "report.schema.json"
"""The shipped copy, inside the package so it is in the wheel."""

_DIALECT = "https://json-schema.org/draft/2020-12/schema"
_REGENERATE = "python -m drills.reports.jsonout --write-schema"


class ReportError(DrillsError):
    """A report or review file that cannot be read or written; ``str(err)`` is the one line.

    Raised when a saved JSON report is missing, not JSON, of another schema version or
    holds a field out of place, and when a report folder cannot be created or written.
    ``reports`` imports only the bottom layer (:mod:`drills.errors`, :mod:`drills.files`),
    so it may derive from the root like every other error the CLI shows.
    """


def render_json(report: DrillReport) -> str:
    """The report as indented JSON with a final newline."""
    return report.model_dump_json(indent=2) + "\n"


def _where(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "(top level)"


def parse_report(text: str | bytes, source: str = "<report>") -> DrillReport:
    """Validate JSON text as a drill report; ``source`` names it in errors."""
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError as err:
        raise ReportError(
            f"{source}:{err.lineno}:{err.colno}: not JSON ({err.msg}); a drill report is "
            "the .json file drills writes"
        ) from None
    except UnicodeDecodeError:
        raise ReportError(f"{source}: not UTF-8 text; a drill report is a JSON file") from None
    if not isinstance(data, dict):
        raise ReportError(
            f"{source}: a drill report is a JSON object, this file holds a "
            f"{type(data).__name__}"
        )
    version = data.get("schema_version")
    if version != SCHEMA_VERSION:
        tool = data.get("tool_version")
        by = f" (written by drills {tool})" if isinstance(tool, str) else ""
        found = "no schema_version" if version is None else f"schema version {version!r}"
        raise ReportError(
            f"{source}: report has {found}{by}, this drills reads version {SCHEMA_VERSION!r}; "
            "render it with the drills version that wrote it, or run the drill again"
        )
    try:
        return DrillReport.model_validate(data)
    except ValidationError as err:
        problems = err.errors()
        first = problems[0]
        more = f" (and {len(problems) - 1} more problem{'s' if len(problems) > 2 else ''})" \
            if len(problems) > 1 else ""
        raise ReportError(
            f"{source}: not a valid drill report: {_where(tuple(first['loc']))}: "
            f"{first['msg']}{more}"
        ) from None


def load_report(path: str | Path) -> DrillReport:
    """Read and validate a report saved as JSON; every failure is a :class:`ReportError`."""
    path = Path(path)
    try:
        data = read_regular(path)
    except FileNotFoundError:
        raise ReportError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ReportError(f"{path}: is a folder, not a report file") from None
    except OSError as err:
        raise ReportError(f"{path}: cannot read: {err.strerror or err}") from None
    return parse_report(data, str(path))


def report_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a saved drill report."""
    generated = DrillReport.model_json_schema()
    generated.pop("title", None)
    return {
        "$schema": _DIALECT,
        "$id": SCHEMA_ID,
        "title": "drills report",
        **generated,
    }


def render_schema() -> str:
    """The schema as the shipped file holds it: two-space indent, a final newline."""
    return json.dumps(report_json_schema(), indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write the shipped schema (``--write-schema``, the default) or ``--check`` it."""
    parser = argparse.ArgumentParser(
        prog="python -m drills.reports.jsonout",
        description="Write or check the JSON Schema of drill reports.",
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--write-schema", action="store_true",
                      help=f"rewrite {SCHEMA_FILE.name} from the model (the default)")
    mode.add_argument("--check", action="store_true",
                      help="exit 1 when the shipped schema differs from the model")
    args = parser.parse_args(argv)
    text = render_schema()
    if args.check:
        current = SCHEMA_FILE.read_text(encoding="utf-8") if SCHEMA_FILE.is_file() else ""
        if current != text:
            print(f"{SCHEMA_FILE} is out of date; run: {_REGENERATE}", file=sys.stderr)
            return 1
        print(f"{SCHEMA_FILE} is up to date")
        return 0
    SCHEMA_FILE.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(SCHEMA_FILE, text, mode=0o644)
    print(f"wrote {SCHEMA_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
