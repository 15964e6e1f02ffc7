"""Where a store's SQL runs. One module per database; only an adapter may speak its dialect."""

from fakes.backends.base import Backend, redact_url
from fakes.backends.sqlite import SqliteBackend

__all__ = ["Backend", "SqliteBackend", "redact_url"]
