"""What a drill shows while it runs: a live status on a terminal, event lines with -v.

The engine only announces events (:mod:`drills.engine.handlers`); this is one handler. On
a terminal a rich status line shows the drill clock, the damage so far and the last
thing that happened; in CI (no TTY) or with ``--quiet`` nothing is shown, so logs
stay clean; ``--verbose`` prints each event as a line, as it happens.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from types import TracebackType
from typing import Any

from rich.console import Console
from rich.status import Status

from drills.errors import one_line

__all__ = ["DrillProgress"]

_SHOWN: dict[str, Callable[[dict[str, Any]], str]] = {
    "batch": lambda d: f"bad run: {d['events']} events, {d['damage']} damaged fields",
    "sync": lambda d: "sync: " + ", ".join(f"{k} ({v})" for k, v in d["ran"].items() if v),
    "person_edit": lambda d: f"{d['who']} edited {d['table']} #{d['key']} ({d['field']})",
    "shadow_fix": lambda d: f"untracked fix by {d['who']} on {d['table']} #{d['key']}",
    "complaint": lambda d: f"customer complaint: {d['about']}",
    "detected": lambda d: f"detected: {d['how']}",
    "step": lambda d: f"{d['section']}: {d['action']} {d['target']} - {d['detail']}",
    "note": lambda d: "first note sent" if d["first"] else "update sent",
    "finished": lambda d: f"drill over: {d['damaged']} records damaged in all",
}


class DrillProgress:
    """A :class:`~drills.engine.handlers.DrillEventHandler` for the CLI."""

    def __init__(self, console: Console, *, verbose: bool = False, live: bool = True) -> None:
        self.console = console
        self.verbose = verbose
        self.live = live and console.is_terminal and not verbose
        self.damaged = 0
        self._status: Status | None = None

    def __enter__(self) -> DrillProgress:
        if self.live:
            self._status = self.console.status("building the world ...")
            self._status.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._status is not None:
            self._status.stop()
            self._status = None

    def on_event(self, kind: str, at: datetime, data: dict[str, Any]) -> None:
        if kind == "batch":
            self.damaged += int(data.get("damage", 0))
        describe = _SHOWN.get(kind)
        if describe is None:
            return
        text = one_line(describe(data))  # names and steps come from files: no raw escapes
        if self.verbose:
            self.console.print(f"{at:%H:%M:%S}  {text}", highlight=False, markup=False)
        elif self._status is not None:
            self._status.update(
                f"drill clock {at:%H:%M} · {self.damaged:,} damaged fields · {text}"
            )
