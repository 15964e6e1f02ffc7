"""Drill time: a virtual clock that jumps from event to event, seen by user code too.

A scripted drill of an hour-long incident runs in seconds because nothing waits:
the loop sets the clock to the next event's time. User code that runs during the
drill (a team's own pause script, an automation written as a Python function)
calls ``datetime.now()``; one freezegun freezer, started once and moved with the
clock, makes that read drill time. Entering ``freeze_time`` costs milliseconds,
moving an active one microseconds (measured: about 6 ms against 5 us), so the freezer
is held for the whole drill.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from types import TracebackType
from typing import Any

from freezegun import freeze_time

from drills.fakes.clock import ManualClock

__all__ = ["DrillClock", "RealClock"]

NOT_FROZEN = ["psycopg", "testcontainers", "docker"]
"""Modules that keep real time: the PostgreSQL driver's timeouts and the container
tooling. freezegun also skips scanning them, which matters: reading testcontainers'
lazy config attributes would probe for a Docker engine on every drill."""


class DrillClock(ManualClock):
    """The virtual clock of scripted drills; a context manager that freezes wall time to it."""

    def __init__(self, start: datetime, *, freeze: bool = True) -> None:
        super().__init__(start)
        self._freeze = freeze
        self._freezer: Any = None
        self._frozen: Any = None

    def __enter__(self) -> DrillClock:
        if self._freeze:
            self._freezer = freeze_time(self.now(), tick=False, ignore=NOT_FROZEN)
            self._frozen = self._freezer.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._freezer is not None:
            self._freezer.stop()
            self._freezer = self._frozen = None

    def set(self, when: datetime) -> datetime:
        super().set(when)
        if self._frozen is not None:
            self._frozen.move_to(when)
        return when

    def advance(self, by: timedelta) -> datetime:
        return self.set(self.now() + by)


class RealClock:
    """Wall-clock drill time for live drills, optionally running ``speed`` times faster."""

    def __init__(self, start: datetime, *, speed: float = 1.0) -> None:
        if speed <= 0:
            raise ValueError("speed must be above zero")
        self.start = start
        self.speed = speed
        self._t0 = time.monotonic()

    def now(self) -> datetime:
        return self.start + timedelta(seconds=(time.monotonic() - self._t0) * self.speed)

    def sleep_until(self, when: datetime) -> None:
        """Wait (in wall time) until drill time reaches ``when``."""
        gap = (when - self.now()).total_seconds() / self.speed
        if gap > 0:
            time.sleep(gap)
