"""Where a store's SQL runs. One module per database; only an adapter may speak its dialect.

``sqlite`` (a file or memory, the default), ``postgresql`` (a URL; one schema per
drill, only in a database marked as a drill sandbox) and ``docker`` (a throwaway
PostgreSQL container). :func:`open_backend` picks one from ``--backend`` or
``DRILLS_BACKEND``.

May import: the rest of ``drills.fakes`` and the bottom layer only.
"""

from drills.fakes.backends.base import Backend, BackendError, redact_url
from drills.fakes.backends.docker import DockerBackend
from drills.fakes.backends.postgres import PostgresBackend
from drills.fakes.backends.sandbox import SandboxError
from drills.fakes.backends.spec import BACKEND_ENV, BackendSpec, open_backend, parse_backend
from drills.fakes.backends.sqlite import SqliteBackend

__all__ = [
    "BACKEND_ENV",
    "Backend",
    "BackendError",
    "BackendSpec",
    "DockerBackend",
    "PostgresBackend",
    "SandboxError",
    "SqliteBackend",
    "open_backend",
    "parse_backend",
    "redact_url",
]
