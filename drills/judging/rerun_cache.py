"""Reruns kept on disk between processes, when ``DRILLS_RERUN_CACHE`` names a folder.

A scenario's baselines (:mod:`drills.judging.baselines`) are the same for every runbook
drilled against it, and a CI job or a test session starts many ``drills`` commands: with
the cache set each measures them once. Opt-in, unset by default. Each entry is one JSON
file named by a hash of the tool version, the scenario and the runbook, so a changed
scenario, runbook or release never reads an old one; a file that cannot be read or
written is no cache, and the rerun is measured again.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from drills.version import __version__

__all__ = ["CACHE_ENV", "cache_file", "load", "store"]

CACHE_ENV = "DRILLS_RERUN_CACHE"
"""The environment variable naming the cache folder."""


def cache_file(scenario_key: str, key: str) -> Path | None:
    """Where a rerun of ``key`` on this scenario is kept, or None when no cache is set."""
    folder = os.environ.get(CACHE_ENV, "").strip()
    if not folder:
        return None
    digest = hashlib.sha256(f"{__version__}\0{scenario_key}\0{key}".encode()).hexdigest()
    return Path(folder) / f"rerun-{digest[:32]}.json"


def load(path: Path | None) -> dict[str, Any] | None:
    """The entry at ``path`` as JSON data, or None (no cache, no entry, a broken file)."""
    if path is None or not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def store(path: Path | None, data: dict[str, Any]) -> None:
    """Write one entry atomically (a reader never sees half of it)."""
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data), encoding="utf-8")
        tmp.replace(path)
    except OSError:
        pass
