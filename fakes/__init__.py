"""Fake business systems on a logged store: the world a drill breaks and repairs.

``fakes`` knows nothing of scenarios or drills. It holds the catalog of systems and
tables, the store with its change log, the backends it runs on, and (in sibling
modules) the factories that fill it, snapshots, exports and syncs.

Public names are loaded on first use, as in :mod:`drills`: importing one light module
(``drills.fakes.errors``, ``drills.fakes.catalog``) must not pull in SQLAlchemy, Faker and
factory_boy, or ``drills --help`` and ``drills validate`` would pay for them.

May import: the bottom layer only (``drills.errors``, ``drills.files``): the fake
systems know nothing of scenarios, runbooks or drills.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from drills.errors import DrillsError
    from drills.fakes.active import (
        CATALOG,
        activate,
        active_catalog,
        builtin_catalog,
        using_catalog,
    )
    from drills.fakes.actors import Actor, ActorKind
    from drills.fakes.backends import (
        BACKEND_ENV,
        Backend,
        BackendError,
        BackendSpec,
        PostgresBackend,
        SandboxError,
        SqliteBackend,
        open_backend,
        redact_url,
    )
    from drills.fakes.catalog import (
        KEY,
        Catalog,
        Column,
        ColumnType,
        Generator,
        TableDef,
        warehouse_copy,
    )
    from drills.fakes.clock import Clock, ManualClock
    from drills.fakes.declared import catalog_from_declaration
    from drills.fakes.errors import (
        ExportError,
        StoreError,
        UnknownFieldError,
        UnknownSystemError,
        UnknownTableError,
        WorldError,
    )
    from drills.fakes.exports import Manifest, compare_export, export_tables, load_export
    from drills.fakes.generators import check_generator
    from drills.fakes.history import History
    from drills.fakes.snapshots import Snapshot, SnapshotError, TableDiff, diff_table, take_snapshot
    from drills.fakes.store import CHANGELOG, SqlStore, Store, Value
    from drills.fakes.syncs import FieldSync, SyncError, SyncSchedule, TableCopy
    from drills.fakes.world import World, build_world

__all__ = [
    "BACKEND_ENV",
    "CATALOG",
    "CHANGELOG",
    "KEY",
    "Actor",
    "ActorKind",
    "Backend",
    "BackendError",
    "BackendSpec",
    "Catalog",
    "Clock",
    "Column",
    "ColumnType",
    "DrillsError",
    "ExportError",
    "FieldSync",
    "Generator",
    "History",
    "Manifest",
    "ManualClock",
    "PostgresBackend",
    "SandboxError",
    "Snapshot",
    "SnapshotError",
    "SqlStore",
    "SqliteBackend",
    "Store",
    "StoreError",
    "SyncError",
    "SyncSchedule",
    "TableCopy",
    "TableDef",
    "TableDiff",
    "UnknownFieldError",
    "UnknownSystemError",
    "UnknownTableError",
    "Value",
    "World",
    "WorldError",
    "activate",
    "active_catalog",
    "build_world",
    "builtin_catalog",
    "catalog_from_declaration",
    "check_generator",
    "compare_export",
    "diff_table",
    "export_tables",
    "load_export",
    "open_backend",
    "redact_url",
    "take_snapshot",
    "using_catalog",
    "warehouse_copy",
]

_LAZY = {
    "Actor": "drills.fakes.actors",
    "ActorKind": "drills.fakes.actors",
    "BACKEND_ENV": "drills.fakes.backends",
    "Backend": "drills.fakes.backends",
    "BackendError": "drills.fakes.backends",
    "BackendSpec": "drills.fakes.backends",
    "PostgresBackend": "drills.fakes.backends",
    "SandboxError": "drills.fakes.backends",
    "SqliteBackend": "drills.fakes.backends",
    "open_backend": "drills.fakes.backends",
    "redact_url": "drills.fakes.backends",
    "CATALOG": "drills.fakes.active",
    "KEY": "drills.fakes.catalog",
    "Catalog": "drills.fakes.catalog",
    "Column": "drills.fakes.catalog",
    "ColumnType": "drills.fakes.catalog",
    "TableDef": "drills.fakes.catalog",
    "Generator": "drills.fakes.catalog",
    "active_catalog": "drills.fakes.active",
    "activate": "drills.fakes.active",
    "builtin_catalog": "drills.fakes.active",
    "using_catalog": "drills.fakes.active",
    "catalog_from_declaration": "drills.fakes.declared",
    "warehouse_copy": "drills.fakes.catalog",
    "Clock": "drills.fakes.clock",
    "ManualClock": "drills.fakes.clock",
    "DrillsError": "drills.fakes.errors",
    "ExportError": "drills.fakes.errors",
    "StoreError": "drills.fakes.errors",
    "UnknownFieldError": "drills.fakes.errors",
    "UnknownSystemError": "drills.fakes.errors",
    "UnknownTableError": "drills.fakes.errors",
    "WorldError": "drills.fakes.errors",
    "check_generator": "drills.fakes.generators",
    "Manifest": "drills.fakes.exports",
    "compare_export": "drills.fakes.exports",
    "export_tables": "drills.fakes.exports",
    "load_export": "drills.fakes.exports",
    "History": "drills.fakes.history",
    "Snapshot": "drills.fakes.snapshots",
    "SnapshotError": "drills.fakes.snapshots",
    "TableDiff": "drills.fakes.snapshots",
    "diff_table": "drills.fakes.snapshots",
    "take_snapshot": "drills.fakes.snapshots",
    "CHANGELOG": "drills.fakes.store",
    "SqlStore": "drills.fakes.store",
    "Store": "drills.fakes.store",
    "Value": "drills.fakes.store",
    "FieldSync": "drills.fakes.syncs",
    "SyncError": "drills.fakes.syncs",
    "SyncSchedule": "drills.fakes.syncs",
    "TableCopy": "drills.fakes.syncs",
    "World": "drills.fakes.world",
    "build_world": "drills.fakes.world",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'drills.fakes' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
