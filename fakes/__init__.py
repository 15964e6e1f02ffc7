"""Fake business systems on a logged store: the world a drill breaks and repairs.

``fakes`` knows nothing of scenarios or drills. It holds the catalog of systems and
tables, the store with its change log, the backends it runs on, and (in sibling
modules) the factories that fill it, snapshots, exports and syncs.

Public names are loaded on first use, as in :mod:`drills`: importing one light module
(``fakes.errors``, ``fakes.catalog``) must not pull in SQLAlchemy, Faker and
factory_boy, or ``drills --help`` and ``drills validate`` would pay for them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fakes.actors import Actor, ActorKind
    from fakes.backends import (
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
    from fakes.catalog import CATALOG, KEY, Catalog, Column, ColumnType, TableDef, warehouse_copy
    from fakes.clock import Clock, ManualClock
    from fakes.errors import (
        DrillsError,
        ExportError,
        StoreError,
        UnknownFieldError,
        UnknownSystemError,
        UnknownTableError,
        WorldError,
    )
    from fakes.exports import Manifest, compare_export, export_tables, load_export
    from fakes.snapshots import Snapshot, SnapshotError, TableDiff, diff_table, take_snapshot
    from fakes.store import CHANGELOG, SqlStore, Store, Value
    from fakes.syncs import FieldSync, SyncError, SyncSchedule, TableCopy
    from fakes.world import World, build_world

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
    "build_world",
    "compare_export",
    "diff_table",
    "export_tables",
    "load_export",
    "open_backend",
    "redact_url",
    "take_snapshot",
    "warehouse_copy",
]

_LAZY = {
    "Actor": "fakes.actors",
    "ActorKind": "fakes.actors",
    "BACKEND_ENV": "fakes.backends",
    "Backend": "fakes.backends",
    "BackendError": "fakes.backends",
    "BackendSpec": "fakes.backends",
    "PostgresBackend": "fakes.backends",
    "SandboxError": "fakes.backends",
    "SqliteBackend": "fakes.backends",
    "open_backend": "fakes.backends",
    "redact_url": "fakes.backends",
    "CATALOG": "fakes.catalog",
    "KEY": "fakes.catalog",
    "Catalog": "fakes.catalog",
    "Column": "fakes.catalog",
    "ColumnType": "fakes.catalog",
    "TableDef": "fakes.catalog",
    "warehouse_copy": "fakes.catalog",
    "Clock": "fakes.clock",
    "ManualClock": "fakes.clock",
    "DrillsError": "fakes.errors",
    "ExportError": "fakes.errors",
    "StoreError": "fakes.errors",
    "UnknownFieldError": "fakes.errors",
    "UnknownSystemError": "fakes.errors",
    "UnknownTableError": "fakes.errors",
    "WorldError": "fakes.errors",
    "Manifest": "fakes.exports",
    "compare_export": "fakes.exports",
    "export_tables": "fakes.exports",
    "load_export": "fakes.exports",
    "Snapshot": "fakes.snapshots",
    "SnapshotError": "fakes.snapshots",
    "TableDiff": "fakes.snapshots",
    "diff_table": "fakes.snapshots",
    "take_snapshot": "fakes.snapshots",
    "CHANGELOG": "fakes.store",
    "SqlStore": "fakes.store",
    "Store": "fakes.store",
    "Value": "fakes.store",
    "FieldSync": "fakes.syncs",
    "SyncError": "fakes.syncs",
    "SyncSchedule": "fakes.syncs",
    "TableCopy": "fakes.syncs",
    "World": "fakes.world",
    "build_world": "fakes.world",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'fakes' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
