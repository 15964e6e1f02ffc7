"""Clocks the store and syncs read instead of the wall.

The store never calls ``datetime.now()``: a drill on a virtual clock must stamp its
change log with drill time, and a test must be able to say exactly what time it is.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol, runtime_checkable

__all__ = ["Clock", "ManualClock"]


@runtime_checkable
class Clock(Protocol):
    def now(self) -> datetime: ...


class ManualClock:
    """A clock that moves only when told; the virtual clock of tests and scripted drills."""

    def __init__(self, start: datetime) -> None:
        self._now = start

    def now(self) -> datetime:
        return self._now

    def advance(self, by: timedelta) -> datetime:
        if by < timedelta(0):
            raise ValueError("a clock does not go backwards")
        self._now += by
        return self._now

    def set(self, when: datetime) -> datetime:
        if when < self._now:
            raise ValueError(f"a clock does not go backwards ({when} < {self._now})")
        self._now = when
        return self._now
