"""Shipping a generated JSON Schema: rewrite the file, or check it is current.

Scenario and runbook schemas are generated from their pydantic models and shipped
so editors can validate files. Both ship the same way: durations spelt as people write
them, then an atomic rewrite, or with ``--check`` exit 1 and the command to run when the
file is stale (a test and CI use the check).
"""

from __future__ import annotations

import re
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from drills.files.atomic import write_text_atomic
from drills.files.units import DURATION_PATTERN, format_duration

__all__ = ["short_durations", "write_or_check"]

_ISO_DURATION = re.compile(r"^-?P(?:\d+D)?(?:T(?:\d+H)?(?:\d+M)?(?:\d+(?:\.\d+)?S)?)?$")


def write_or_check(path: Path, text: str, module: str, argv: list[str]) -> int:
    """Write ``text`` to ``path`` atomically, or with ``--check`` compare."""
    if "--check" in argv:
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        if current != text:
            print(f"{path} is out of date; run: python -m {module}", file=sys.stderr)
            return 1
        return 0
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(path, text, mode=0o644)
    print(f"wrote {path}")
    return 0


def short_durations(node: Any) -> None:
    """Rewrite ``"default": "PT10M"`` as ``"10m"`` where the property is a duration.

    Pydantic writes a ``timedelta`` default in ISO 8601; a person writes ``10m``, and the
    schema's defaults are what editors offer, so both shipped schemas spell them as files do.
    """
    if isinstance(node, dict):
        default = node.get("default")
        is_duration = any(
            option.get("pattern") == DURATION_PATTERN for option in node.get("anyOf", [])
        ) or node.get("pattern") == DURATION_PATTERN
        if is_duration and isinstance(default, str) and _ISO_DURATION.match(default):
            seconds = TypeAdapter(timedelta).validate_python(default)
            node["default"] = format_duration(seconds)
        for value in node.values():
            short_durations(value)
    elif isinstance(node, list):
        for value in node:
            short_durations(value)
