"""The levers a responder may pull: scope, repair and reconcile, in set-based SQL.

Every responder (scripted, live, the team's own hooks) acts on the world through
these functions and through :func:`drills.fakes.snapshots.take_snapshot`; each works on
whole sets of records in one statement, never row by row.

May import: ``drills.fakes`` and ``drills.scenarios``; nothing above them.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "SCOPE_TABLE",
    "STAGE_DAMAGE",
    "STAGE_KEYS",
    "RepairStage",
    "ScopeResult",
    "ScopeSlice",
    "TagCounts",
    "reconcile",
    "repair_stage",
    "repairable_count",
    "stage_bounds",
    "submit_scope",
    "take_scope",
    "truth_table",
]

_LAZY = {
    "RepairStage": "drills.levers.repair",
    "SCOPE_TABLE": "drills.levers.scope",
    "STAGE_DAMAGE": "drills.levers.repair",
    "STAGE_KEYS": "drills.levers.repair",
    "ScopeResult": "drills.levers.scope",
    "ScopeSlice": "drills.levers.repair",
    "TagCounts": "drills.levers.scope",
    "reconcile": "drills.levers.counts",
    "repair_stage": "drills.levers.repair",
    "repairable_count": "drills.levers.repair",
    "stage_bounds": "drills.levers.repair",
    "submit_scope": "drills.levers.scope",
    "take_scope": "drills.levers.scope",
    "truth_table": "drills.levers.scope",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
