"""The automation as it runs during a drill: the job, its feeders, and what still gets through.

Rule 2 says to pause at the source and then shut off everything that keeps feeding
it. The runtime makes that trap real, and keeps every piece of work a feeder would
have delivered (docs/feeders.md has the defaults per kind):

- events keep arriving at the fault's rate; while the job is paused they wait for it
  in a backlog, unless a live feeder that runs the job's step itself (a webhook
  handler, a schedule, a chained job: ``while_paused: runs``) hands them over anyway;
- the fault's ``via`` feeder, once shut off, holds what arrives through it (a
  schedule, a chained job, a queue), its sender retries it on the feeder's ``retry``
  schedule (a webhook), or it is lost (``on_disable: lose``);
- a stopped outgoing queue keeps the job's messages, and a disabled chained job the
  records it writes for the job: held, and sent or written when it is back on;
- a restart releases the held work, the retries and the backlog - done healthily
  only if the cause was fixed.

Each feeder keeps an account (held, retried, delivered, lost, given up), so nothing
a feeder would have delivered silently disappears; the loop writes it to the log.
"""

from __future__ import annotations

import math
from collections import Counter, deque
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from drills.engine.proof import TestRecord, pick_test_records, try_test_record
from drills.fakes.active import CATALOG
from drills.files import format_duration
from drills.scenarios.badrun import BadRun, BatchResult, Event
from drills.scenarios.faults._delivery import GUARDED_BY
from drills.scenarios.schema import Feeder, Scenario

__all__ = ["AutomationRuntime", "ContainmentTurn", "FeederState", "RuntimeNote"]


@dataclass
class FeederState:
    """One feeder in the drill: whether it runs, how it behaves, and its account."""

    name: str
    kind: str
    live: bool = True
    stopped_at: datetime | None = None
    first_stopped_at: datetime | None = None
    """When it was first shut off: a re-pause after a restart sets ``stopped_at`` again,
    never this, so a feeder the runbook left running is told apart from one it stopped."""
    runs_while_paused: bool = False
    """It runs the job's step itself while the job is paused (``while_paused: runs``)."""
    on_disable: str = "hold"
    retry_every: timedelta = timedelta(minutes=30)
    retry_for: timedelta = timedelta(hours=4)
    live_since: datetime | None = None
    """When it was last turned back on (a restart)."""
    held: int = 0
    """Pieces of work it held while off (events, messages or runs)."""
    retried: int = 0
    """Deliveries its sender retried because it was off."""
    delivered: int = 0
    """Held or retried work delivered once it was back on."""
    lost: int = 0
    """Work lost because the feeder says so (``on_disable: lose``)."""
    gave_up: int = 0
    """Retried deliveries the sender gave up on (its retry window ran out)."""
    holding: int = 0
    """Work it holds right now, still to be delivered."""

    @classmethod
    def of(cls, feeder: Feeder) -> FeederState:
        every, span = feeder.retries
        return cls(feeder.name, feeder.kind, runs_while_paused=feeder.runs_while_paused,
                   on_disable=feeder.when_disabled, retry_every=every, retry_for=span)

    @property
    def account(self) -> dict[str, int]:
        return {"held": self.held, "retried": self.retried, "delivered": self.delivered,
                "lost": self.lost, "gave_up": self.gave_up, "still_held": self.holding}

    @property
    def unit(self) -> str:
        return {"queue": "messages", "webhook": "deliveries", "schedule": "runs",
                "chained": "runs"}.get(self.kind, "items")


@dataclass(frozen=True)
class RuntimeNote:
    """A line for the drill's shared log: what a feeder held, released or lost."""

    at: datetime
    who: str
    what: str


@dataclass(frozen=True)
class ContainmentTurn:
    """The job became contained (paused, every feeder off), or was restarted.

    ``contained_at`` keeps the first containment (how fast the team stopped the damage);
    these turns keep the rest, so a report never says "contained in 7 min" of a job that
    was restarted at 12 and paused again at 15.
    """

    kind: Literal["contained", "restarted"]
    at: datetime
    fixed: bool | None = None
    """A restart: with the cause fixed, or with the fault still in place."""


@dataclass
class _Retrying:
    event: Event
    failed: datetime


class AutomationRuntime:
    """Job and feeder state, and the delivery of the bad run's events through them."""

    def __init__(self, scenario: Scenario, run: BadRun) -> None:
        self.scenario = scenario
        self.run = run
        auto = scenario.automation
        self.feeders = {f.name: FeederState.of(f) for f in auto.feeders}
        self.job_paused = False
        self.paused_at: datetime | None = None
        self.contained_at: datetime | None = None
        self.turns: list[ContainmentTurn] = []
        """Every containment and restart, in order (:class:`ContainmentTurn`)."""
        self.fixed = False
        self.guards: set[str] = set()
        """The job's intake guards the team turned on (``dedupe``, ``latest_per_record``)."""
        self.restarted_at: datetime | None = None
        self.restarted_with_fault = False
        """A restart (any of them) brought the job back with its fault still in place."""
        self.redamaged: set[tuple[str, int]] = set()
        """Records the job damaged after a restart with the fault live: the damage done
        again (rule 7), what a restart without proof costs."""
        self.test_records: list[TestRecord] = []
        """Test records run through the job before a restart, and how each came out."""
        self.limit: int | None = None
        self._events = deque(run.events())
        self._backlog: deque[Event] = deque()
        self.last_write: datetime | None = None
        self.first_write: datetime | None = None
        self.batches = 0
        self.handled: Counter[str] = Counter()
        """Per output table: triggering records handled while its writer was running."""
        self.waited = 0
        """Events that reached the paused job and waited for it in the backlog."""
        self.notes: list[RuntimeNote] = []
        self._via = self.feeders.get(scenario.fault.via or "")
        self._owned = self._owners()
        self._held_in: dict[str, deque[Event]] = {name: deque() for name in self.feeders}
        self._held_out: dict[str, deque[tuple[Event, bool | None]]] = {
            name: deque() for name in self._owned
        }
        """Per shut-off queue or chained job, the work it holds. A queue holds messages as
        the job made them (True: made healthy, False: made by the fault); a chained job
        holds work it has yet to do (None: done as the job stands when it is back on)."""
        self._retrying: deque[_Retrying] = deque()
        self._ramp: deque[int | None] = deque()
        self._told: set[str] = set()

    def _owners(self) -> dict[str, frozenset[str]]:
        """Feeder -> the tables it writes for the job: the outgoing queue sends the email,
        the chained job writes the activity log and the records the job creates."""
        does = self.scenario.automation.does
        by_kind = {
            "queue": {CATALOG.messages_table() for a in does if a.kind == "send_email"},
            "chained": {a.spec if a.kind == "log_activity" else a.spec.table
                        for a in does if a.kind in ("log_activity", "create_record")},
        }
        out: dict[str, frozenset[str]] = {}
        for kind, tables in by_kind.items():
            of_kind = [f for f in self.feeders.values() if f.kind == kind]
            if tables and of_kind:
                owner = self._via if self._via in of_kind else of_kind[0]
                assert owner is not None
                out[owner.name] = frozenset(tables)
        return out

    # -- control -------------------------------------------------------------------------

    def origin(self) -> datetime:
        """The moment a drill's minutes count from: the bad run's first write; but when the
        team acted before any write (a held or lost delivery does its harm by writing
        nothing, and a drift rule sees it), the fault's start - else containment before
        the bad run began would read as a negative number of minutes."""
        start = self.scenario.starts + self.scenario.fault.starts
        first = self.first_write
        acted = [t for t in (self.paused_at, self.contained_at) if t is not None]
        if first is None or (acted and min(acted) < first):
            return start
        return first

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
            feeder.first_stopped_at = feeder.first_stopped_at or at
        self._check_contained(at)
        return True

    def guard(self, name: str, at: datetime) -> bool:
        """Turn on an intake guard of the job (``dedupe`` by event id, ``latest_per_record``);
        from now on a fault it answers bends nothing. False for an unknown guard."""
        if name not in GUARDED_BY.values():
            return False
        self.guards.add(name)
        return True

    @property
    def guarded(self) -> bool:
        """An intake guard the team turned on answers this drill's fault."""
        return GUARDED_BY.get(self.scenario.fault.kind) in self.guards

    def hold_feeder(self, name: str, at: datetime) -> bool:
        """Shut a feeder off holding its work: nothing it refuses from now on is lost or
        left to a sender's retries running out, and what it was retrying is held too; it
        is all drained through the job at the restart. False when there is no such feeder."""
        feeder = self.feeders.get(name)
        if feeder is None:
            return False
        feeder.on_disable = "hold"
        if feeder is self._via and self._retrying:
            self._held_in[name].extend(item.event for item in self._retrying)
            feeder.held += len(self._retrying)
            self._retrying.clear()
        return self.stop_feeder(name, at)

    def set_retry(self, name: str, every: timedelta, span: timedelta) -> bool:
        """Set a webhook sender's retry policy: how often, and for how long from each
        refused delivery; False when there is no such webhook feeder."""
        feeder = self.feeders.get(name)
        if feeder is None or feeder.kind != "webhook":
            return False
        if feeder.on_disable == "lose":
            feeder.on_disable = "retry"
        feeder.retry_every, feeder.retry_for = every, span
        return True
    def feeder_back_on(self, name: str, at: datetime) -> bool:
        """A shut-off feeder turns itself back on (a facilitator's twist: a schedule someone
        re-enabled, a queue a deploy restarted); False when it is on already or unknown.

        What it held is released at the next step, as after a restart, and the job is no
        longer contained; the first containment time stands.
        """
        feeder = self.feeders.get(name)
        if feeder is None or feeder.live:
            return False
        feeder.live = True
        feeder.live_since = at
        self.notes.append(RuntimeNote(at, name, "turned itself back on"))
        return True

    def redeliver(self, count: int, at: datetime) -> int:
        """A second bad batch: the run's first ``count`` triggering records are delivered
        again at ``at`` (a sender replaying its batch), through the same feeder and job as
        the first time - held by a feeder that is off, waiting for a paused job, done
        healthy by a fixed one; returns how many (never more than the run's targets)."""
        keys = list(self.run.targets)[:count]
        again = [Event(i, at, key) for i, key in enumerate(keys)]
        self._events = deque(sorted([*again, *self._events], key=lambda e: e.at))
        return len(again)

    def restart(
        self, at: datetime, *, fixed: bool, limit: int | None = None,
        ramp: Sequence[int | None] = (),
    ) -> None:
        """Resume the job and every feeder; with ``fixed`` the fault no longer bends plans.

        ``limit`` caps the events worked per step; ``ramp`` is what comes after it, one
        stage per step that ran at the cap (``None``: normal volume), so a ramp of
        ``[1, 10, normal]`` works one event, then ten, then everything waiting.

        What the feeders held and the backlog are released at the next step. A stopped
        queue holds the messages the job made while it was stopped, the fault's included;
        a team that restarts with the cause fixed empties those out first and lets the
        fixed job make them again, while one that restarts without the cause sends them
        as they are.
        """
        if fixed or self.guarded:
            for name, held in self._held_out.items():
                bad = sum(1 for _, shaped in held if shaped is False)
                if bad and self.feeders[name].kind == "queue":
                    self._held_out[name] = deque((e, None if s is False else s) for e, s in held)
                    self.notes.append(RuntimeNote(at, name, (
                        f"{bad} held messages the fault made were emptied out before the "
                        "restart; the fixed job makes them again")))
        self.job_paused = False
        for feeder in self.feeders.values():
            if not feeder.live:
                feeder.live = True
                feeder.live_since = at
        self.fixed = fixed
        self.restarted_at = at
        self.turns.append(ContainmentTurn("restarted", at, fixed or self.guarded))
        if not (fixed or self.guarded):
            self.restarted_with_fault = True
        self.limit = limit
        self._ramp = deque(ramp)

    def test_restart(self, at: datetime, *, fixed: bool, count: int = 1) -> list[TestRecord]:
        """Run ``count`` test records through the job as it stands (``fixed`` or not),
        before a restart; each is checked against what the job is meant to write and
        kept in :attr:`test_records`. Nothing is written to the world."""
        tried = [try_test_record(self.run, key, at, fixed=fixed)
                 for key in pick_test_records(self.run, count)]
        self.test_records.extend(tried)
        return tried

    def _check_contained(self, at: datetime) -> None:
        if self.contained_at is None and self.contained:
            self.contained_at = at
        if self.contained and (not self.turns or self.turns[-1].kind != "contained"):
            self.turns.append(ContainmentTurn("contained", at))

    # -- state ---------------------------------------------------------------------------

    @property
    def contained(self) -> bool:
        return self.job_paused and not any(f.live for f in self.feeders.values())

    @property
    def delivering(self) -> bool:
        """Whether arriving work reaches the handler: the job runs, or a feeder bypasses it."""
        return not self.job_paused or any(
            f.live and f.runs_while_paused for f in self.feeders.values()
        )

    @property
    def output_tables(self) -> set[str]:
        """Tables the job creates records in (one per triggering record when healthy)."""
        out: set[str] = set()
        for action in self.scenario.automation.does:
            if action.kind == "send_email":
                out.add(CATALOG.messages_table())
            elif action.kind == "create_record":
                out.add(action.spec.table)
        return out

    @property
    def left_running(self) -> list[FeederState]:
        return [f for f in self.feeders.values() if f.live]

    @property
    def exhausted(self) -> bool:
        """No more work will arrive or wait for the job (held work waits for a restart)."""
        return not self._events and not self._backlog and not self._retrying

    @property
    def backlog(self) -> int:
        """Events waiting for the job right now."""
        return len(self._backlog)

    def accounting(self) -> dict[str, dict[str, int]]:
        """What happened to the work: per feeder, and the events that waited for the job."""
        out = {name: f.account for name, f in self.feeders.items()}
        out[self.scenario.automation.name] = {"waited": self.waited,
                                              "still_waiting": len(self._backlog)}
        return out

    def summary(self, at: datetime) -> list[RuntimeNote]:
        """One log line per feeder whose work was held, retried or lost, and for the job."""
        out: list[RuntimeNote] = []
        for f in self.feeders.values():
            if f.held or f.retried or f.lost or f.gave_up:
                out.append(RuntimeNote(at, f.name, (
                    f"{f.kind} account: {f.held} {f.unit} held, {f.retried} retried, "
                    f"{f.delivered} delivered, {f.lost} lost by declaration, "
                    f"{f.gave_up} given up by the sender, {f.holding} still held")))
        if self.waited or self._backlog:
            out.append(RuntimeNote(at, self.scenario.automation.name, (
                f"{self.waited} events waited for the paused job; "
                f"{len(self._backlog)} still waiting")))
        return out

    # -- work ----------------------------------------------------------------------------

    def arrive(self, now: datetime) -> int:
        """Move every event due by ``now`` into the backlog, or to the shut-off feeder it
        came through; returns how many arrived."""
        n = 0
        while self._events and self._events[0].at <= now:
            event = self._events.popleft()
            n += 1
            via = self._via
            if via is not None and not via.live:
                self._refuse(via, event, now)
                continue
            if not self.delivering:
                self.waited += 1
            self._backlog.append(event)
        return n

    def _refuse(self, feeder: FeederState, event: Event, now: datetime) -> None:
        """Work that reached ``feeder`` while it was off: held, retried or lost."""
        if feeder.on_disable == "lose":
            feeder.lost += 1
            self._tell(feeder, now, f"off: its {feeder.unit} are lost (on_disable: lose)")
        elif feeder.on_disable == "retry":
            feeder.retried += 1
            feeder.holding += 1
            self._retrying.append(_Retrying(event, event.at))
            every, span = format_duration(feeder.retry_every), format_duration(feeder.retry_for)
            self._tell(feeder, now, f"off: the sender retries its deliveries every {every} "
                       f"for {span}")
        else:
            feeder.held += 1
            feeder.holding += 1
            self._held_in[feeder.name].append(event)
            self._tell(feeder, now, f"off: holding its {feeder.unit} until it is back on")

    def _tell(self, feeder: FeederState, now: datetime, what: str) -> None:
        """A log line the first time a shut-off feeder holds, retries or loses work."""
        key = f"{feeder.name}@{feeder.stopped_at}"
        if key not in self._told:
            self._told.add(key)
            self.notes.append(RuntimeNote(now, feeder.name, what))

    def _retries_due(self, now: datetime) -> None:
        """Retried deliveries that land (the webhook is back on) or are given up."""
        if self._via is None or not self._retrying:
            return
        f = self._via
        landed = gave_up = 0
        keep: deque[_Retrying] = deque()
        for item in self._retrying:
            end = item.failed + f.retry_for
            if f.live:
                since = f.live_since or item.failed
                tries = max(1, math.ceil((since - item.failed) / f.retry_every))
                attempt = item.failed + tries * f.retry_every
                if attempt > end:
                    gave_up += 1
                elif attempt <= now:
                    landed += 1
                    self._backlog.append(item.event)
                else:
                    keep.append(item)
            elif now > end:
                gave_up += 1
            else:
                keep.append(item)
        self._retrying = keep
        f.holding -= landed + gave_up
        f.delivered += landed
        f.gave_up += gave_up
        if landed:
            self.notes.append(RuntimeNote(now, f.name, f"{landed} retried deliveries arrived"))
        if gave_up:
            self.notes.append(RuntimeNote(now, f.name, (
                f"the sender gave up on {gave_up} deliveries after "
                f"{format_duration(f.retry_for)} of retries")))

    def _release_in(self, now: datetime) -> None:
        """Work a feeder held while off goes to the job once the feeder is back on."""
        for name, held in self._held_in.items():
            f = self.feeders[name]
            if held and f.live:
                n = len(held)
                self._backlog.extend(held)
                held.clear()
                f.holding -= n
                f.delivered += n
                self.notes.append(RuntimeNote(now, name, f"back on: {n} held {f.unit} released"))

    def step(self, now: datetime) -> BatchResult | None:
        """Process what the current state lets through, as one batch at ``now``."""
        self._retries_due(now)
        self._release_in(now)
        self.arrive(now)
        results: list[BatchResult] = []
        for name, held in self._held_out.items():
            f = self.feeders[name]
            if held and f.live:
                batch = list(held)
                held.clear()
                f.holding -= len(batch)
                f.delivered += len(batch)
                made = [(e, (self.fixed or self.guarded) if shaped is None else shaped)
                        for e, shaped in batch]
                for healthy in (True, False):
                    part = [e for e, h in made if h is healthy]
                    if part:
                        results.append(self._execute(part, now, only=self._owned[name],
                                                     healthy=healthy))
                bad = sum(1 for _, h in made if not h)
                how = (f"{bad} as the fault made them" if bad else
                       "fixed" if self.fixed else "as the healthy job made them")
                self.notes.append(RuntimeNote(now, name, (
                    f"back on: {len(batch)} held {f.unit} done ({how})")))
        if self._backlog and self.delivering:
            n = len(self._backlog) if self.limit is None else min(self.limit, len(self._backlog))
            if self.limit is not None and n == self.limit and self._ramp:
                self.limit = self._ramp.popleft()  # that stage went through: the next one
            results.append(self._execute([self._backlog.popleft() for _ in range(n)], now))
        if not results:
            return None
        return _merge(results)

    def _execute(
        self, batch: list[Event], now: datetime, only: frozenset[str] | None = None,
        healthy: bool | None = None,
    ) -> BatchResult:
        """Run ``batch``; the parts a shut-off queue or chained job writes are held (or
        lost), and ``only`` runs just the tables one feeder writes (its held work)."""
        if only is not None:
            skipped = set(self.run.store.tables) - only
        else:
            skipped = set()
            for name, tables in self._owned.items():
                f = self.feeders[name]
                if f.live:
                    continue
                skipped |= tables
                if f.on_disable == "lose":
                    f.lost += len(batch)
                    self._tell(f, now, f"off: its {f.unit} are lost (on_disable: lose)")
                else:
                    f.held += len(batch)
                    f.holding += len(batch)
                    # A queue keeps the messages the job made now (bent by the fault
                    # unless it is fixed); a chained job keeps the work, done later.
                    shaped = (self.fixed or self.guarded) if f.kind == "queue" else None
                    self._held_out[name].extend((e, shaped) for e in batch)
                    self._tell(f, now, f"off: holding its {f.unit} until it is back on")
        if healthy is None:
            healthy = self.fixed or self.guarded
        result = self.run.execute(batch, now, skip_tables=skipped, healthy=healthy or self.guarded)
        self.handled.update(result.expected_inserts)
        if self.restarted_with_fault and self.restarted_at is not None and not (
                healthy or self.guarded):
            self.redamaged.update((d.table, d.key) for d in result.damage)
        self.batches += 1
        if result.writes:
            self.first_write = self.first_write or now
            self.last_write = now
        return result

    def next_arrival(self) -> datetime | None:
        return self._events[0].at if self._events else None


def _merge(results: list[BatchResult]) -> BatchResult:
    if len(results) == 1:
        return results[0]
    expected: Counter[str] = Counter()
    for r in results:
        expected.update(r.expected_inserts)
    return BatchResult(
        results[-1].batch_id, sum(r.events for r in results), sum(r.writes for r in results),
        [d for r in results for d in r.damage], dict(expected),
    )
