"""Wall time and peak memory per phase, for a process that runs phases one after another.

Memory is the process's resident set (RSS), the figure the 1 GB target is about:
everything the process holds, Python objects, SQLite's page cache and the driver's
buffers alike. Linux keeps the high-water mark in ``VmHWM`` of ``/proc/self/status``
and resets it when ``5`` is written to ``/proc/self/clear_refs``, so each phase gets
its own peak. Where that reset is not allowed, the peak falls back to
``getrusage``'s ``ru_maxrss``, the peak of the whole process so far (said in the
output as ``rss_mode``).

CPU time is split as the kernel accounts it (``getrusage``): ``user`` is the process's
own work, ``system`` the kernel's on its behalf (page faults, file writes, page cache).
A phase whose wall time moves from run to run with the same user time is waiting on
the kernel, and its system time says so (the snapshot's case, docs/performance.md).

Time is ``time.perf_counter`` as it was when this module was imported: a drill
freezes the clock with freezegun, which replaces ``perf_counter`` in every loaded
module while the drill runs, so the real one is kept where freezegun does not look.
"""

from __future__ import annotations

import resource
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["Meter", "PhaseFigure", "peak_rss_mib", "reset_peak_rss", "seconds"]

_CLOCK: tuple[Callable[[], float]] = (time.perf_counter,)
"""Held in a tuple: freezegun swaps module attributes that are ``perf_counter``, not tuple items."""


def _clock() -> float:
    return _CLOCK[0]()
_STATUS = Path("/proc/self/status")
_CLEAR = Path("/proc/self/clear_refs")


def _hwm_kib() -> int | None:
    try:
        for line in _STATUS.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def reset_peak_rss() -> bool:
    """Start a new high-water mark at the current RSS; False where Linux does not allow it."""
    try:
        _CLEAR.write_text("5")
    except OSError:
        return False
    return True


def peak_rss_mib() -> float:
    """The RSS high-water mark since the last reset (or since the process began)."""
    kib = _hwm_kib()
    if kib is None:
        kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return kib / 1024


def _cpu() -> tuple[float, float]:
    use = resource.getrusage(resource.RUSAGE_SELF)
    return use.ru_utime, use.ru_stime


@dataclass
class PhaseFigure:
    name: str
    seconds: float = 0.0
    peak_mib: float = 0.0
    calls: int = 0
    user_s: float = 0.0
    """CPU seconds in the process itself."""
    system_s: float = 0.0
    """CPU seconds in the kernel on the process's behalf."""


@dataclass
class Meter:
    """Attributes time and peak RSS to named phases; time outside them goes to ``rest``.

    Phases may be entered many times (a repair in four stages); their figures add up
    (time) or take the maximum (memory). A phase entered inside another takes its own
    time, and the outer one resumes when it ends (the harness's ground truth, written
    at the start of the scope step, is not the team's scoping); a phase entered inside
    itself counts once.
    """

    rest: str = "rest"
    figures: dict[str, PhaseFigure] = field(default_factory=dict)
    _current: str = ""
    _since: float = 0.0
    _cpu_since: tuple[float, float] = (0.0, 0.0)
    _outer: list[str] = field(default_factory=list)
    resettable: bool = True

    def start(self) -> None:
        self._current = self.rest
        self.resettable = reset_peak_rss()
        self._cpu_since = _cpu()
        self._since = _clock()

    def _switch(self, to: str) -> None:
        now = _clock()
        fig = self.figures.setdefault(self._current, PhaseFigure(self._current))
        fig.seconds += now - self._since
        user, system = _cpu()
        fig.user_s += user - self._cpu_since[0]
        fig.system_s += system - self._cpu_since[1]
        fig.peak_mib = max(fig.peak_mib, peak_rss_mib())
        if self.resettable:
            reset_peak_rss()
        self._current = to
        self._cpu_since = _cpu()
        self._since = _clock()

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        if name == self._current and self._outer:
            yield
            return
        self._outer.append(self._current)
        self._switch(name)
        self.figures.setdefault(name, PhaseFigure(name)).calls += 1
        try:
            yield
        finally:
            self._switch(self._outer.pop())

    def stop(self) -> dict[str, PhaseFigure]:
        self._switch(self.rest)
        return self.figures

    def wrap(self, name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        """``function`` timed as (part of) phase ``name`` on every call."""

        def timed(*args: Any, **kwargs: Any) -> Any:
            with self.phase(name):
                return function(*args, **kwargs)

        timed.__wrapped__ = function  # type: ignore[attr-defined]
        return timed

    @property
    def mode(self) -> str:
        return "VmHWM per phase" if self.resettable else "ru_maxrss (process peak so far)"


def seconds() -> float:
    """The real ``perf_counter``, even inside a frozen drill."""
    return _clock()
