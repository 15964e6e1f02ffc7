"""What a responder sees of a running drill: a small typed interface, not the engine's loop.

A responder (the scripted one following a runbook, people at a terminal, a team's own
code) acts on the drill through :class:`DrillContext`: the drill clock, the world's
levers (the automation's job and feeders, the store the snapshot, scope, repair and
reconcile functions of :mod:`drills.levers` work on, the syncs), the shared log, the
event stream (detection, progress events) and the team's pause hooks. The engine's
loop implements it; responders are typed against it and :class:`Responder` only, so the
loop can change without touching them and the engine never imports a responder.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from drills.engine.hooks import HookContext
from drills.engine.runtime import AutomationRuntime
from drills.fakes.store import SqlStore
from drills.fakes.syncs import Sync
from drills.reports.model import LogEntry, StepRecord
from drills.runbook import StopRule
from drills.scenarios.badrun import BadRun
from drills.scenarios.schema import Scenario

__all__ = ["Detection", "DrillContext", "Responder", "StepOutcome"]


@dataclass(frozen=True)
class Detection:
    """When the bad run was noticed, how (a stop rule or a complaint) and by which rule."""

    at: datetime
    how: str
    rule: str | None


@dataclass(frozen=True)
class StepOutcome:
    """What a step achieved, beyond its timing: the facts scoring needs."""

    section: str
    action: str
    target: str
    at: datetime
    ok: bool
    detail: str = ""
    data: Any = None


class DrillContext(Protocol):
    """The running drill as a responder may use it."""

    @property
    def scenario(self) -> Scenario:
        """The scenario being drilled."""
        ...

    @property
    def store(self) -> SqlStore:
        """The drill's world: what the levers in :mod:`drills.levers` act on."""
        ...

    @property
    def syncs(self) -> Sequence[Sync]:
        """The copies between systems (the warehouse loads, field syncs)."""
        ...

    @property
    def runtime(self) -> AutomationRuntime:
        """The automation's job and feeders: pause, disable, stop, restart."""
        ...

    @property
    def run(self) -> BadRun:
        """The bad run: its id (what the change log records) and what it damaged."""
        ...

    @property
    def detection(self) -> Detection | None:
        """How the bad run was detected, once it was."""
        ...

    @property
    def log(self) -> Sequence[LogEntry]:
        """The shared log so far, oldest first."""
        ...

    def now(self) -> datetime:
        """The drill clock's time."""
        ...

    def advance_to(self, moment: datetime) -> None:
        """Move the drill clock forward to ``moment`` (a step finishing); never backwards."""
        ...

    def note(self, at: datetime, who: str, what: str) -> None:
        """Write a line to the shared log (and announce it as a ``log`` event)."""
        ...

    def emit(self, kind: str, at: datetime, **data: Any) -> None:
        """Announce an event (a :class:`~drills.engine.handlers.DrillEvent` name) to the
        drill's handlers (progress, journal)."""
        ...

    def hook_context(self, at: datetime) -> HookContext:
        """What a team's own pause code receives when a runbook step calls it at ``at``."""
        ...


class Responder(Protocol):
    """Anyone acting on the drill: a script, people at a terminal, the team's own code."""

    acted_at: datetime | None
    steps: list[StepRecord]
    outcomes: list[StepOutcome]
    notes: list[datetime]

    def bind(self, context: DrillContext) -> None: ...

    def stop_rules(self) -> Sequence[StopRule]: ...

    def detected(self, at: datetime) -> None: ...

    def advance(self, now: datetime) -> None: ...

    def next_time(self) -> datetime | None: ...

    @property
    def busy(self) -> bool: ...

    @property
    def done(self) -> bool: ...
