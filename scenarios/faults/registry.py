"""The fault kinds, found by looking: every module of this package that defines ``FAULT``.

Adding a kind is adding a module (docs/adding-a-fault-kind.md); nothing else lists
the kinds. The scenario schema builds its fault union from :data:`FAULTS`, the bad
run asks it for injectors, and ``drills init`` and the complete runbook ask it for
scaffolds and stop rules.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, get_args

from drills.scenarios.faults.base import FaultKind, FaultSpec, Injector

__all__ = ["FAULTS", "FAULT_KINDS", "discover", "fault_kind", "injector_for"]

_PACKAGE = "drills.scenarios.faults"
_NOT_KINDS = frozenset({"base", "registry"})


def _checked(kind: object, module: str) -> FaultKind[Any]:
    """A kind whose name, spec and module agree, or a developer's error saying which not."""
    if not isinstance(kind, FaultKind):
        raise TypeError(f"{module}.FAULT is a {type(kind).__name__}, not a FaultKind")
    tags = get_args(kind.spec.model_fields["kind"].annotation)
    if tags != (kind.name,):
        raise TypeError(
            f"{module}: the spec {kind.spec.__name__} has kind {tags!r}; "
            f"declare kind: Literal[{kind.name!r}]"
        )
    return kind


def discover() -> dict[str, FaultKind[Any]]:
    """Every kind module's ``FAULT``, by name, in their ``position`` order."""
    package = importlib.import_module(_PACKAGE)
    found: dict[str, FaultKind[Any]] = {}
    for info in pkgutil.iter_modules(package.__path__):
        if info.name in _NOT_KINDS or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{_PACKAGE}.{info.name}")
        kind = _checked(getattr(module, "FAULT", None), module.__name__)
        if kind.name in found:
            raise TypeError(f"{module.__name__}: fault kind '{kind.name}' is defined twice")
        found[kind.name] = kind
    return dict(sorted(found.items(), key=lambda item: (item[1].position, item[0])))


FAULTS: Mapping[str, FaultKind[Any]] = MappingProxyType(discover())
"""Every fault kind, by the name a scenario file writes."""

FAULT_KINDS: tuple[str, ...] = tuple(FAULTS)
"""The kinds' names, in the order they are listed."""


def fault_kind(name: str) -> FaultKind[Any]:
    """The kind called ``name`` (a KeyError for one that is not registered)."""
    return FAULTS[name]


def injector_for(fault: FaultSpec, table: str) -> Injector:
    """The injector for a scenario's fault; ``table`` is the automation's triggering table."""
    return FAULTS[fault.kind].injector(fault, table)
