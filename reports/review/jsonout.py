"""The readiness review as JSON, and the shipped JSON Schema it follows.

A saved review is the model itself (``model_dump_json``), versioned by
``review_version``, with its schema generated from the model so it cannot drift
(``reports/schema/review.schema.json``). Other tools (a dashboard, a spreadsheet
import) read it without drills. Regenerate or check the shipped schema with::

    python -m drills.reports.review.jsonout --write-schema
    python -m drills.reports.review.jsonout --check
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from drills.files.atomic import write_text_atomic
from drills.files.regular import read_regular
from drills.reports.jsonout import ReportError
from drills.reports.review.model import REVIEW_VERSION, ReadinessReview

__all__ = [
    "REVIEW_SCHEMA_FILE",
    "REVIEW_SCHEMA_ID",
    "load_review",
    "main",
    "parse_review",
    "render_review_json",
    "render_review_schema",
    "review_json_schema",
]

REVIEW_SCHEMA_ID = "urn:drills:schema:review"
REVIEW_SCHEMA_FILE = Path(__file__).parent.parent / "schema" / "review.schema.json"
"""The shipped copy, next to the report schema, inside the package."""

_DIALECT = "https://json-schema.org/draft/2020-12/schema"
_REGENERATE = "python -m drills.reports.review.jsonout --write-schema"


def render_review_json(review: ReadinessReview) -> str:
    """The review as indented JSON with a final newline."""
    return review.model_dump_json(indent=2) + "\n"


def parse_review(text: str | bytes, source: str = "<review>") -> ReadinessReview:
    """Validate JSON text as a readiness review; every problem is one :class:`ReportError`."""
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError as err:
        raise ReportError(f"{source}:{err.lineno}:{err.colno}: not JSON ({err.msg})") from None
    except UnicodeDecodeError:
        raise ReportError(f"{source}: not UTF-8 text; a review is a JSON file") from None
    if not isinstance(data, dict) or data.get("review_version") != REVIEW_VERSION:
        raise ReportError(f"{source}: not a readiness review of version {REVIEW_VERSION!r}; "
                          "write it again with 'drills score --format json'")
    try:
        return ReadinessReview.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top level)"
        raise ReportError(f"{source}: not a valid readiness review: {where}: "
                          f"{first['msg']}") from None


def load_review(path: str | Path) -> ReadinessReview:
    path = Path(path)
    try:
        data = read_regular(path)
    except OSError as err:
        raise ReportError(f"{path}: cannot read: {err.strerror or err}") from None
    return parse_review(data, str(path))


def review_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a saved readiness review."""
    generated = ReadinessReview.model_json_schema()
    generated.pop("title", None)
    return {"$schema": _DIALECT, "$id": REVIEW_SCHEMA_ID, "title": "drills readiness review",
            **generated}


def render_review_schema() -> str:
    return json.dumps(review_json_schema(), indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write the shipped schema (``--write-schema``, the default) or ``--check`` it."""
    parser = argparse.ArgumentParser(
        prog="python -m drills.reports.review.jsonout",
        description="Write or check the JSON Schema of readiness reviews.")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--write-schema", action="store_true",
                      help=f"rewrite {REVIEW_SCHEMA_FILE.name} from the model (the default)")
    mode.add_argument("--check", action="store_true",
                      help="exit 1 when the shipped schema differs from the model")
    args = parser.parse_args(argv)
    text = render_review_schema()
    if args.check:
        current = (REVIEW_SCHEMA_FILE.read_text(encoding="utf-8")
                   if REVIEW_SCHEMA_FILE.is_file() else "")
        if current != text:
            print(f"{REVIEW_SCHEMA_FILE} is out of date; run: {_REGENERATE}", file=sys.stderr)
            return 1
        print(f"{REVIEW_SCHEMA_FILE} is up to date")
        return 0
    write_text_atomic(REVIEW_SCHEMA_FILE, text, mode=0o644)
    print(f"wrote {REVIEW_SCHEMA_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
