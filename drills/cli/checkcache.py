"""Drill results kept by what went into them, so an unchanged runbook is not drilled again.

A team's CI checks every runbook on every pull request, and most pull requests change
none of them. A drill is deterministic given its inputs (the seed is in the scenario),
so its result can be kept under a hash of everything that could change it:

* the scenario as loaded (its text, seed and scale included) and the runbook's bytes
  and the path it is shown under (findings carry it);
* the team's code the drill imports: every ``.py`` file of the top-level package (or
  the module) each named callable lives in, found without importing it;
* the drills version and its own source (a checkout between releases keeps its version
  number while its judging changes), whether gap costs were measured, and the backend
  kind.

An entry is one JSON file (``<hash>.json``) in the cache folder, written atomically,
so shards and parallel jobs share a folder safely; an entry that cannot be read is a
miss. A team error (a hang, an exception) is never cached: it ends the command.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

from drills.reports.checkresult import DrillResult, drill_data, parse_drill

__all__ = ["CACHE_FORMAT", "cache_key", "code_digest", "drills_digest", "read_cached",
           "write_cached"]

CACHE_FORMAT = "1"
"""Bumped when an entry's shape changes, so old entries miss instead of misreading."""


def _module_files(target: str) -> list[Path]:
    """The files of the top-level package (or module) ``pkg.mod:function`` lives in."""
    top = target.partition(":")[0].split(".")[0]
    try:
        spec = importlib.util.find_spec(top)  # a top-level name: nothing is imported
    except (ImportError, ValueError):
        return []
    if spec is None:
        return []
    if spec.submodule_search_locations:
        files: list[Path] = []
        for folder in spec.submodule_search_locations:
            files += sorted(Path(folder).rglob("*.py"))
        return files
    return [Path(spec.origin)] if spec.origin and Path(spec.origin).is_file() else []


def code_digest(targets: Iterable[str]) -> str:
    """A hash of the team's code files the named callables live in."""
    digest = hashlib.sha256()
    for target in sorted(set(targets)):
        digest.update(target.encode("utf-8") + b"\0")
        files = _module_files(target)
        if not files:
            digest.update(b"<not found>\0")
        for path in files:
            digest.update(str(path).encode("utf-8") + b"\0")
            try:
                digest.update(path.read_bytes())
            except OSError:
                digest.update(b"<unreadable>")
            digest.update(b"\0")
    return digest.hexdigest()


@cache
def drills_digest() -> str:
    """A hash of drills' own modules (a few hundred small files: milliseconds)."""
    root = Path(__file__).parents[1]  # drills/, its linked packages (reports, ...) followed
    files = sorted(Path(folder) / name for folder, _, names in os.walk(root, followlinks=True)
                   for name in names if name.endswith(".py"))
    digest = hashlib.sha256()
    for path in files:
        digest.update(str(path.relative_to(root)).encode("utf-8") + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def cache_key(**parts: Any) -> str:
    """The hash of the named inputs (strings, numbers, bools, or None)."""
    text = json.dumps({"format": CACHE_FORMAT, "drills": drills_digest(), **parts},
                      sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_cached(folder: Path, key: str) -> DrillResult | None:
    """The drill kept under ``key``, marked cached; None when there is none to read."""
    try:
        data = json.loads((folder / f"{key}.json").read_text(encoding="utf-8"))
        drill = parse_drill(data)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    from dataclasses import replace

    return replace(drill, cached=True)


def write_cached(folder: Path, key: str, drill: DrillResult) -> None:
    """Keep ``drill`` under ``key`` (a folder that cannot be written keeps nothing)."""
    from drills.files import write_text_atomic

    try:
        folder.mkdir(parents=True, exist_ok=True)
        write_text_atomic(folder / f"{key}.json", json.dumps(drill_data(drill)) + "\n")
    except OSError:
        return
