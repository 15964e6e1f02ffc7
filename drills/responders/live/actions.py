"""What the team does in a live drill, as the responder and the journal hold it.

A typed line becomes a :class:`TeamAction` (checked, stamped with its drill time and who
typed it); the journal keeps it as a :class:`JournaledAction` (the text, parsed again when
a drill resumes); applying it gives an :class:`ActionResult`. :func:`context_for` is
what commands are checked against in a drill's world.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from drills.engine.context import DrillContext
from drills.responders.live.commands import Command, CommandContext

__all__ = [
    "DRAFT",
    "SCOPE",
    "ActionJournal",
    "ActionResult",
    "JournaledAction",
    "TeamAction",
    "context_for",
]

DRAFT = "team-draft"
"""Scope id of the records the team has tagged but not yet submitted."""
SCOPE = "team"
"""Scope id of the submitted scope: what scoring grades and the repair works on."""


@dataclass(frozen=True)
class TeamAction:
    """One checked command, stamped with the drill time it was entered and who entered it."""

    at: datetime
    who: str
    command: Command
    replayed: bool = False
    """Applied again from the journal when a drill resumes: not journaled twice."""


@dataclass(frozen=True)
class JournaledAction:
    """An action as the journal keeps it: parsed again when a drill resumes or is rebuilt."""

    at: datetime
    who: str
    command: str


def context_for(
    loop: DrillContext, team: Sequence[str], snapshots: Sequence[str] = ()
) -> CommandContext:
    """What commands are checked against in this drill's world."""
    scenario = loop.scenario
    tables = sorted(loop.store.tables)
    return CommandContext(
        job=scenario.automation.name,
        feeders={f.name: f.kind for f in scenario.automation.feeders},
        systems=sorted({t.split(".")[0] for t in tables}),
        tables=tables,
        day=scenario.starts.date(),
        team=tuple(team),
        snapshots=tuple(snapshots),
    )


@dataclass(frozen=True)
class ActionResult:
    """What an action did (``ok``), or why it was refused and changed nothing."""

    action: TeamAction
    ok: bool
    message: str


class ActionJournal(Protocol):
    """Where applied actions go as they happen (a :class:`drills.journal.JournalWriter`)."""

    def write(self, kind: str, at: datetime, **data: Any) -> None: ...
