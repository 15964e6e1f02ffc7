"""Progress goes through event handlers, never through the engine itself.

The engine announces what happens (a batch of the bad run, a stop rule firing, a
runbook step finishing); handlers turn that into a live screen, a journal, CI
output or nothing. A handler that raises is logged and dropped from that call,
never allowed to break the drill (the chaostoolkit ``RunEventHandler`` pattern).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

__all__ = ["DrillEvent", "DrillEventHandler", "HandlerRegistry", "NullHandler"]

log = logging.getLogger("drills")


class DrillEvent:
    """Names of the events the engine emits (``kind`` argument of ``on_event``)."""

    STARTED = "started"
    BATCH = "batch"
    SYNC = "sync"
    PERSON_EDIT = "person_edit"
    COMPLAINT = "complaint"
    SHADOW_FIX = "shadow_fix"
    DETECTED = "detected"
    STEP = "step"
    NOTE = "note"
    LOG = "log"
    """A line of the shared action log (who did what), as it is written."""
    FINISHED = "finished"


@runtime_checkable
class DrillEventHandler(Protocol):
    def on_event(self, kind: str, at: datetime, data: dict[str, Any]) -> None: ...


class NullHandler:
    def on_event(self, kind: str, at: datetime, data: dict[str, Any]) -> None:
        return None


class HandlerRegistry:
    """Calls every handler for every event; one failing handler does not stop the others."""

    def __init__(self, handlers: Iterable[DrillEventHandler] = ()) -> None:
        self.handlers = list(handlers)

    def emit(self, kind: str, at: datetime, **data: Any) -> None:
        for handler in self.handlers:
            try:
                handler.on_event(kind, at, data)
            except Exception:  # a broken progress view must not break the drill
                log.exception("drill event handler %r failed on %s", handler, kind)
