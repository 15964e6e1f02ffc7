"""Shipping a generated JSON Schema: rewrite the file, or check it is current.

Scenario and runbook schemas are generated from their pydantic models and shipped
so editors can validate files. Both ship the same way: an atomic rewrite, or with
``--check`` exit 1 and the command to run when the file is stale (a test and CI
use the check).
"""

from __future__ import annotations

import sys
from pathlib import Path

from drills.files.atomic import write_text_atomic

__all__ = ["write_or_check"]


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
