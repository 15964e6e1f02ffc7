"""The fault library: each fault kind bends an automation's healthy plan the way real runs go bad.

One module per kind (``triple_trigger``, ``blank_writes``, ...), each defining ``FAULT``,
a :class:`~drills.scenarios.faults.base.FaultKind` with the kind's scenario keys, its
injector, its cross-checks, its default stop rule and its ``drills init`` scaffold.
:mod:`~drills.scenarios.faults.registry` finds the modules into :data:`FAULTS`, so a
new kind is one new module here (docs/adding-a-fault-kind.md).

May import :mod:`drills.fakes` and the scenario bricks (``basics``, ``automation``),
never :mod:`drills.scenarios.schema`, which builds its fault union from this package.
Public names are loaded on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from drills.scenarios.faults.base import (
        FaultKind,
        FaultSpec,
        Healthy,
        Injector,
        Reach,
        Scaffolding,
        ScaffoldSite,
    )
    from drills.scenarios.faults.registry import FAULT_KINDS, FAULTS, fault_kind, injector_for

__all__ = [
    "FAULTS",
    "FAULT_KINDS",
    "FaultKind",
    "FaultSpec",
    "Healthy",
    "Injector",
    "Reach",
    "ScaffoldSite",
    "Scaffolding",
    "fault_kind",
    "injector_for",
]

_LAZY = {
    "FaultKind": "drills.scenarios.faults.base",
    "FaultSpec": "drills.scenarios.faults.base",
    "Healthy": "drills.scenarios.faults.base",
    "Injector": "drills.scenarios.faults.base",
    "Reach": "drills.scenarios.faults.base",
    "ScaffoldSite": "drills.scenarios.faults.base",
    "Scaffolding": "drills.scenarios.faults.base",
    "FAULTS": "drills.scenarios.faults.registry",
    "FAULT_KINDS": "drills.scenarios.faults.registry",
    "fault_kind": "drills.scenarios.faults.registry",
    "injector_for": "drills.scenarios.faults.registry",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'drills.scenarios.faults' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
