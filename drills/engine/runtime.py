"""The automation as it runs during a drill: the job, its feeders, and what still gets through.

Rule 2 says to pause at the source and then shut off everything that keeps feeding
it. The runtime makes that trap real: events keep arriving at the fault's rate; a
paused job still handles what a live webhook or schedule hands it (those call the
handler directly); a live outgoing queue keeps sending the job's email and a live
chained job keeps writing its records. Only with the job paused and every feeder
off is the bad run contained. Work that arrives while nothing delivers waits in a
backlog, which a restart will process - healthily only if the cause was fixed.
"""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass
from datetime import datetime

from drills.fakes.catalog import OUTBOX
from drills.scenarios.badrun import BadRun, BatchResult, Event
from drills.scenarios.schema import Scenario

__all__ = ["AutomationRuntime", "FeederState"]

DELIVERS = frozenset({"webhook", "schedule"})
"""Feeders that hand work to the job's handler even while the job itself is paused."""


@dataclass
class FeederState:
    name: str
    kind: str
    live: bool = True
    stopped_at: datetime | None = None


class AutomationRuntime:
    """Job and feeder state, and the delivery of the bad run's events through them."""

    def __init__(self, scenario: Scenario, run: BadRun) -> None:
        self.scenario = scenario
        self.run = run
        self.feeders = {f.name: FeederState(f.name, f.kind) for f in scenario.automation.feeders}
        self.job_paused = False
        self.paused_at: datetime | None = None
        self.contained_at: datetime | None = None
        self.fixed = False
        self.restarted_at: datetime | None = None
        self.limit: int | None = None
        self._events = deque(run.events())
        self._backlog: deque[Event] = deque()
        self.last_write: datetime | None = None
        self.first_write: datetime | None = None
        self.batches = 0
        self.handled: Counter[str] = Counter()
        """Per output table: triggering records handled while its writer was running."""

    # -- control -------------------------------------------------------------------------

    def pause_job(self, name: str, at: datetime) -> bool:
        """Pause the job; False when ``name`` is not this automation."""
        if name != self.scenario.automation.name:
            return False
        if not self.job_paused:
            self.job_paused = True
            self.paused_at = at
        self._check_contained(at)
        return True

    def stop_feeder(self, name: str, at: datetime) -> bool:
        """Disable a feeder or stop a queue; False when the automation has no such feeder."""
        feeder = self.feeders.get(name)
        if feeder is None:
            return False
        if feeder.live:
            feeder.live = False
            feeder.stopped_at = at
        self._check_contained(at)
        return True

    def restart(self, at: datetime, *, fixed: bool, limit: int | None = None) -> None:
        """Resume the job and every feeder; with ``fixed`` the fault no longer bends plans."""
        self.job_paused = False
        for feeder in self.feeders.values():
            feeder.live = True
        self.fixed = fixed
        self.restarted_at = at
        self.limit = limit

    def _check_contained(self, at: datetime) -> None:
        if self.contained_at is None and self.contained:
            self.contained_at = at

    # -- state ---------------------------------------------------------------------------

    @property
    def contained(self) -> bool:
        return self.job_paused and not any(f.live for f in self.feeders.values())

    @property
    def delivering(self) -> bool:
        """Whether arriving work reaches the handler: the job runs, or a feeder bypasses it."""
        return not self.job_paused or any(
            f.live and f.kind in DELIVERS for f in self.feeders.values()
        )

    @property
    def output_tables(self) -> set[str]:
        """Tables the job creates records in (one per triggering record when healthy)."""
        out: set[str] = set()
        for action in self.scenario.automation.does:
            if action.kind == "send_email":
                out.add(OUTBOX)
            elif action.kind == "create_record":
                out.add(action.spec.table)
        return out

    @property
    def left_running(self) -> list[FeederState]:
        return [f for f in self.feeders.values() if f.live]

    @property
    def exhausted(self) -> bool:
        """No more work will ever arrive or wait."""
        return not self._events and not self._backlog

    def skipped_tables(self) -> set[str]:
        """Tables the job cannot write to because the component writing them is stopped."""
        skipped: set[str] = set()
        queues = [f for f in self.feeders.values() if f.kind == "queue"]
        chained = [f for f in self.feeders.values() if f.kind == "chained"]
        if queues and not any(f.live for f in queues):
            skipped.add(OUTBOX)
        if chained and not any(f.live for f in chained):
            for action in self.scenario.automation.does:
                if action.kind == "log_activity":
                    skipped.add(action.spec)
                elif action.kind == "create_record":
                    skipped.add(action.spec.table)
        return skipped

    # -- work ----------------------------------------------------------------------------

    def arrive(self, now: datetime) -> int:
        """Move every event due by ``now`` into the backlog; returns how many arrived."""
        n = 0
        while self._events and self._events[0].at <= now:
            self._backlog.append(self._events.popleft())
            n += 1
        return n

    def step(self, now: datetime) -> BatchResult | None:
        """Process what the current state lets through, as one batch at ``now``."""
        self.arrive(now)
        if not self._backlog or not self.delivering:
            return None
        take = len(self._backlog) if self.limit is None else min(self.limit, len(self._backlog))
        batch = [self._backlog.popleft() for _ in range(take)]
        skipped = self.skipped_tables()
        result = self.run.execute(batch, now, skip_tables=skipped, healthy=self.fixed)
        self.handled.update(result.expected_inserts)
        self.batches += 1
        if result.writes:
            self.first_write = self.first_write or now
            self.last_write = now
        return result

    def next_arrival(self) -> datetime | None:
        return self._events[0].at if self._events else None
