"""Fake business systems on a logged store: the world a drill breaks and repairs.

``fakes`` knows nothing of scenarios or drills. It holds the catalog of systems and
tables, the store with its change log, the backends it runs on, and (in sibling
modules) the factories that fill it, snapshots, exports and syncs.
"""

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
