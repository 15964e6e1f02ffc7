"""The catalog of the drill in progress: the scenario's own systems, or the built-in ones.

Most code looks tables up through :data:`CATALOG` rather than passing a catalog down
every call: a scenario's systems are fixed for the whole drill. A drill's engine
:func:`activate` s its scenario's catalog when it starts, so everything after it in the
process (the run, people, the responder, judging, the report, a live drill's threads)
answers with those systems until the next drill starts; checking a file enters
:func:`using_catalog` for the length of the check only. It is one value per process,
not per thread, because a live drill's threads all serve the one drill.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

from drills.fakes.catalog import Catalog, TableDef
from drills.fakes.declared import load_builtin

__all__ = ["CATALOG", "activate", "active_catalog", "builtin_catalog", "using_catalog"]

_BUILTIN: list[Catalog] = []
_ACTIVE: list[Catalog | None] = [None]


def builtin_catalog() -> Catalog:
    """The built-in systems (``drills/fakes/worlds/builtin.yaml``), read once."""
    if not _BUILTIN:
        _BUILTIN.append(load_builtin())
    return _BUILTIN[0]


def active_catalog() -> Catalog:
    """The catalog of the drill in progress: the scenario's, else the built-in one."""
    return _ACTIVE[0] or builtin_catalog()


def activate(catalog: Catalog | None) -> None:
    """Make ``catalog`` (None: the built-in one) the drill's from now on."""
    _ACTIVE[0] = catalog


@contextmanager
def using_catalog(catalog: Catalog | None) -> Iterator[Catalog]:
    """Make ``catalog`` (None: the built-in one) the drill's for the block's length."""
    before = _ACTIVE[0]
    _ACTIVE[0] = catalog
    try:
        yield active_catalog()
    finally:
        _ACTIVE[0] = before


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
