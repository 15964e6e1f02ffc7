"""Drill time on the wall clock: the live drill's :class:`~drills.engine.loop.Pacer`.

The engine proposes the next moment something happens; a scripted drill jumps
there at once. A live drill waits until the wall clock, ``speed`` times faster,
reaches it - unless the team enters an action first, which is stamped with the
drill time it was entered (to the second, always after the moment the loop is at)
and handed to the responder, and the loop goes to that time instead. With the world
quiet and nothing proposed, the pacer waits for an action or the drill's end.

A resumed drill first replays its journal: up to ``replay_until`` every proposed
moment is returned at once (no waiting), and the journaled actions come from the
responder's own queue. After that the wall clock is anchored to the drill time the
replay reached and pacing carries on, so the drill clock never jumps back or ahead.

Once the team has ended the drill (``end``) nothing waits: the rest of the drill window
is played out at once, the world going on as the team left it.

A drill the team closes before its end is stopped through its pacer
(:meth:`LivePacer.stop`): the next time the engine asks it to wait, or at once if it is
waiting, it raises :class:`DrillClosed`, and the engine's thread ends there.
"""

from __future__ import annotations

import queue
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from drills.responders.live.commands import Command
from drills.responders.live.responder import LiveResponder, TeamAction

__all__ = ["DrillClosed", "Inbox", "LivePacer", "ReplayPacer"]

SECOND = timedelta(seconds=1)


class DrillClosed(Exception):
    """Raised in the drill's thread by a stopped pacer: the team closed the drill."""


@dataclass(frozen=True)
class _Entry:
    who: str
    command: Command


class Inbox:
    """Checked lines handed from the screen's thread to the drill's, in order."""

    def __init__(self) -> None:
        self._queue: queue.Queue[_Entry | None] = queue.Queue()

    def put(self, who: str, command: Command) -> None:
        self._queue.put(_Entry(who, command))

    def wake(self) -> None:
        """End a wait in :meth:`get` at once (it returns None)."""
        self._queue.put(None)

    def get(self, timeout: float | None) -> _Entry | None:
        try:
            return self._queue.get(timeout=timeout) if timeout is None or timeout > 0 \
                else self._queue.get_nowait()
        except queue.Empty:
            return None


def _ceil_second(at: datetime) -> datetime:
    whole = at.replace(microsecond=0)
    return whole if whole == at else whole + SECOND


class LivePacer:
    """Waits on the wall clock, ``speed`` times faster, and stamps the team's actions."""

    def __init__(
        self,
        responder: LiveResponder,
        inbox: Inbox,
        *,
        speed: float,
        end: datetime,
        replay_until: datetime | None = None,
    ) -> None:
        if speed <= 0:
            raise ValueError("speed must be above zero")
        self.responder = responder
        self.inbox = inbox
        self.speed = speed
        self.end = end
        self.replay_until = replay_until
        self._anchor: tuple[datetime, float] | None = None
        self._held: _Entry | None = None
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._paused_at: datetime | None = None
        self._start_paused = False
        self.late: list[_Entry] = []
        """Actions entered after the drill's time ran out: never applied."""

    # -- the drill clock -----------------------------------------------------------------

    def drill_now(self) -> datetime | None:
        """Drill time by the wall clock (None until pacing has started)."""
        with self._lock:
            anchor, paused, speed = self._anchor, self._paused_at, self.speed
        if paused is not None:
            return paused
        if anchor is None:
            return None
        at, wall = anchor
        return min(self.end, at + timedelta(seconds=(time.monotonic() - wall) * speed))

    def _seconds_until(self, when: datetime) -> float | None:
        """Wall seconds until drill time ``when``; None while the clock is held (wait on)."""
        now = self.drill_now()
        assert now is not None
        if self.paused:
            return None
        return max(0.0, (when - now).total_seconds() / self.speed)

    # -- a facilitator's hand on the clock (the drill room) ------------------------------

    @property
    def paused(self) -> bool:
        """The clock is held: drill time stands still until :meth:`resume`."""
        with self._lock:
            return self._paused_at is not None or (self._anchor is None and self._start_paused)

    def pause(self) -> None:
        """Hold the drill clock where it is (before pacing starts: hold it at the start)."""
        now = self.drill_now()
        with self._lock:
            if self._anchor is None:
                self._start_paused = True
            elif self._paused_at is None:
                self._paused_at = now
        self.inbox.wake()

    def resume(self) -> None:
        """Let the drill clock run again from where it was held."""
        with self._lock:
            self._start_paused = False
            if self._paused_at is not None:
                self._anchor = (self._paused_at, time.monotonic())
                self._paused_at = None
        self.inbox.wake()

    def set_speed(self, speed: float) -> None:
        """Run the clock ``speed`` times faster from now on; the drill time now stands."""
        if speed <= 0:
            raise ValueError("speed must be above zero")
        now = self.drill_now()
        with self._lock:
            if self._anchor is not None and self._paused_at is None and now is not None:
                self._anchor = (now, time.monotonic())
            self.speed = speed
        self.inbox.wake()

    def stop(self) -> None:
        """Close the drill: the engine's next (or current) wait raises :class:`DrillClosed`."""
        self._stopped.set()
        self.inbox.wake()

    def _check_open(self) -> None:
        if self._stopped.is_set():
            raise DrillClosed("the team closed the drill before its end")

    # -- the Pacer protocol ----------------------------------------------------------------

    def wait(self, now: datetime, proposed: datetime | None) -> datetime | None:
        self._check_open()
        if self.replay_until is not None:
            if proposed is not None and proposed <= self.replay_until:
                return proposed
            self.replay_until = None  # the journal is used up: from here on, real time
        if self.responder.ended_at is not None:
            return proposed  # the team ended it: the rest of the window plays out at once
        with self._lock:
            if self._anchor is None:
                self._anchor = (now, time.monotonic())
                if self._start_paused:
                    self._paused_at = now
        deadline = self.end if proposed is None else min(proposed, self.end)
        while True:
            if self._held is None:
                self._held = self.inbox.get(self._seconds_until(deadline))
                self._check_open()
                if self._held is None:
                    left = self._seconds_until(deadline)
                    if left is None or left > 0:
                        continue  # woken by the clock held, let go or sped up: wait on
                    return proposed
            stamped = self._stamp(now)
            if proposed is not None and stamped > proposed:
                return proposed  # the world moves first; the action waits for the next call
            if stamped > self.end:
                self.late.append(self._held)
                self._held = None
                return None
            entries = [self._held]
            self._held = None
            while (more := self.inbox.get(0)) is not None:
                entries.append(more)
            for entry in entries:
                self.responder.submit(TeamAction(stamped, entry.who, entry.command))
            return stamped

    def _stamp(self, now: datetime) -> datetime:
        """The drill time to apply an action at: now by the wall, whole seconds, after ``now``."""
        by_wall = self.drill_now()
        assert by_wall is not None
        after = now.replace(microsecond=0) + SECOND
        return max(_ceil_second(by_wall), after)


class ReplayPacer:
    """Replays a journal without waiting, up to its last moment (for ``drills report``).

    Past ``until`` it proposes a moment just after it, so a drill run with the same
    ``until`` stops there as interrupted, as the drill being rebuilt was.
    """

    def __init__(self, until: datetime) -> None:
        self.until = until

    def wait(self, now: datetime, proposed: datetime | None) -> datetime | None:
        if proposed is not None and proposed <= self.until:
            return proposed
        return self.until + SECOND


