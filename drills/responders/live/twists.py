"""The facilitator's twists: what a game day's facilitator throws at the team mid-drill.

A quarterly drill rehearses the incident as it really goes, and real incidents twist:
the owner stops answering, a customer escalates, the sender replays its batch, a
schedule someone re-enabled turns a feeder back on. ``twist KIND`` is a command like
any other (:mod:`drills.responders.live.commands`), so it is stamped, journaled and
replayed on resume exactly as the team's actions are, and the report of a resumed or
rebuilt drill has the same twists at the same drill times. Each twist works through
the engine's own levers (:class:`~drills.engine.runtime.AutomationRuntime`), so the
damage it does is real damage, judged against ground truth like the rest.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from drills.engine.context import DrillContext
from drills.engine.handlers import DrillEvent
from drills.engine.people import owner_away
from drills.responders.live.actions import TeamAction
from drills.responders.live.commands import CommandError
from drills.runbook import Runbook, can_pause
from drills.scenarios.schema import Scenario

__all__ = ["Twisted", "apply_twist"]

ESCALATION = "a customer escalated to the account manager"
"""What a ``twist escalation`` with no words says."""


class Twisted(Protocol):
    """What a twist reads and sets on the responder (the live one)."""

    scenario: Scenario
    runbook: Runbook | None
    owner_gone_at: datetime | None


def apply_twist(responder: Twisted, loop: DrillContext, action: TeamAction) -> str:
    """Apply one twist at its drill time in the responder's bound drill (``loop``): it pulls
    the same levers the team's actions do. One that cannot happen now changes nothing."""
    args = action.command.args
    kind = args["kind"]
    rt = loop.runtime
    at = action.at
    if kind == "owner-unreachable":
        if owner_away(responder.scenario) or responder.owner_gone_at is not None:
            raise CommandError("the owner is already away in this drill; choose another twist")
        responder.owner_gone_at = at
        rb = responder.runbook
        owner = rb.owner.name if rb is not None else "the owner"
        backup = rb.backup_owner if rb is not None else None
        if can_pause(backup):
            assert backup is not None
            then = f"{backup.name} (backup) may pause"
        else:
            delay = responder.scenario.escalation_delay
            then = f"no backup may pause: pausing waits until {at + delay:%H:%M:%S} (escalation)"
        return f"the owner, {owner}, is unreachable from now on; {then}"
    if kind == "escalation":
        about = args["text"] or ESCALATION
        metrics = getattr(loop, "metrics", None)  # the engine's loop counts complaints
        if metrics is not None:
            metrics.complaints.append(at)
        loop.emit(DrillEvent.COMPLAINT, at, about=about)
        return f"customer escalation: {about}"
    if kind == "second-batch":
        n = rt.redeliver(args["count"], at)
        if not n:
            raise CommandError("the run has no records to deliver again")
        where = ("held by its feeder" if rt._via is not None and not rt._via.live
                 else "waiting for the paused job" if not rt.delivering else "arriving now")
        return f"the sender replayed {n} records of the bad run ({where})"
    name = args["target"]
    if not rt.feeder_back_on(name, at):
        raise CommandError(f"{name} is on already; a feeder turns itself back on only after "
                           "the team turned it off")
    return f"{name} turned itself back on" + ("; the job is no longer contained"
                                              if rt.job_paused else "")
