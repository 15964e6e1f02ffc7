"""Fake business systems on a logged store: the world a drill breaks and repairs.

``fakes`` knows nothing of scenarios or drills. It holds the catalog of systems and
tables, the store with its change log, the backends it runs on, and (in sibling
modules) the factories that fill it, snapshots, exports and syncs.
"""

from fakes.actors import Actor, ActorKind
from fakes.backends import Backend, SqliteBackend, redact_url
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
from fakes.store import CHANGELOG, SqlStore, Store, Value

__all__ = [
    "CATALOG",
    "CHANGELOG",
    "KEY",
    "Actor",
    "ActorKind",
    "Backend",
    "Catalog",
    "Clock",
    "Column",
    "ColumnType",
    "DrillsError",
    "ExportError",
    "ManualClock",
    "SqlStore",
    "SqliteBackend",
    "Store",
    "StoreError",
    "TableDef",
    "UnknownFieldError",
    "UnknownSystemError",
    "UnknownTableError",
    "Value",
    "WorldError",
    "redact_url",
    "warehouse_copy",
]
