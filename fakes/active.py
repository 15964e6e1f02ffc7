"""The catalog of the drill in progress: the scenario's own systems, or the built-in ones.

Most code looks tables up through :data:`CATALOG` rather than passing a catalog down
every call: a scenario's systems are fixed for the whole drill, and the drill's entry
points (loading a scenario, running it, judging it, a live drill) enter
:func:`using_catalog` with the scenario's catalog, so every look-up below them answers
with its systems. Outside any drill, it is the built-in catalog.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, cast

from drills.fakes.catalog import Catalog, TableDef
from drills.fakes.declared import load_builtin

__all__ = ["CATALOG", "active_catalog", "builtin_catalog", "using_catalog"]

_BUILTIN: list[Catalog] = []
_ACTIVE: ContextVar[Catalog | None] = ContextVar("drills_catalog", default=None)


def builtin_catalog() -> Catalog:
    """The built-in systems (``drills/fakes/worlds/builtin.yaml``), read once."""
    if not _BUILTIN:
        _BUILTIN.append(load_builtin())
    return _BUILTIN[0]


def active_catalog() -> Catalog:
    """The catalog of the drill in progress: the scenario's, else the built-in one."""
    return _ACTIVE.get() or builtin_catalog()


@contextmanager
def using_catalog(catalog: Catalog | None) -> Iterator[Catalog]:
    """Make ``catalog`` (None: keep the current one) the drill's for the block's length."""
    if catalog is None:
        yield active_catalog()
        return
    token = _ACTIVE.set(catalog)
    try:
        yield catalog
    finally:
        _ACTIVE.reset(token)


class _ActiveCatalog:
    """Answers as :func:`active_catalog` does at the moment of each look-up."""

    def __getattr__(self, name: str) -> Any:
        return getattr(active_catalog(), name)

    def __iter__(self) -> Iterator[TableDef]:
        return iter(active_catalog())

    def __repr__(self) -> str:
        return f"CATALOG -> {active_catalog().name}"


CATALOG: Catalog = cast(Catalog, _ActiveCatalog())
"""The catalog of the drill in progress (see :func:`using_catalog`)."""
