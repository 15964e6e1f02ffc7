"""The runbook's ``deliveries`` steps, as the scripted responder takes them in the drill world.

Each step acts on the job and its feeders as they run (:class:`AutomationRuntime`), on
what the team really has: turning on an intake guard of the job (``dedupe`` by event id,
``latest_per_record``), holding a feeder's events to drain after the fix, setting a
webhook sender's retry policy. They come right after the pause steps (containment), each
taking the time of a switch flipped in another screen, unless the runbook says.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from drills.engine.runtime import AutomationRuntime
from drills.files import format_duration
from drills.runbook.defaults import DEFAULT_TAKES
from drills.runbook.deliveries import Deliveries

__all__ = ["DeliveryStep", "delivery_steps", "hold"]


@dataclass(frozen=True)
class DeliveryStep:
    """One step of the section: what it is called in the log, and what it does."""

    action: str
    target: str
    takes: timedelta
    act: Callable[[AutomationRuntime, datetime], tuple[bool, str]]


def _guard(name: str, what: str) -> Callable[[AutomationRuntime, datetime], tuple[bool, str]]:
    def act(rt: AutomationRuntime, at: datetime) -> tuple[bool, str]:
        rt.guard(name, at)
        answers = "; the fault bends nothing now" if rt.guarded else ""
        return True, f"{what}{answers}"
    return act


def hold(feeder: str) -> Callable[[AutomationRuntime, datetime], tuple[bool, str]]:
    """Shut ``feeder`` off holding its events (a ``hold`` step, or the pause step that
    switches a held feeder off)."""
    def act(rt: AutomationRuntime, at: datetime) -> tuple[bool, str]:
        if not rt.hold_feeder(feeder, at):
            return False, f"the automation has no feeder named '{feeder}'"
        state = "contained" if rt.contained else f"{len(rt.left_running)} feeder(s) still running"
        return True, f"held: its events wait, none lost, drained after the fix; {state}"
    return act


def _retry(feeder: str, every: timedelta, span: timedelta
           ) -> Callable[[AutomationRuntime, datetime], tuple[bool, str]]:
    def act(rt: AutomationRuntime, at: datetime) -> tuple[bool, str]:
        if not rt.set_retry(feeder, every, span):
            return False, f"the automation has no webhook feeder named '{feeder}'"
        return True, (f"its sender retries every {format_duration(every)} for "
                      f"{format_duration(span)}")
    return act


def delivery_steps(spec: Deliveries, shut_off: Collection[str] = ()) -> list[DeliveryStep]:
    """The section's steps in the order they are taken: guards, retry policies, holds.

    A feeder in ``shut_off`` (a pause step already switches it off) is held by that
    step, in the same screen, not by a step of its own. The section's ``takes`` is shared
    among its steps; each defaults to the time of switching a feeder off
    (:data:`~drills.runbook.defaults.DEFAULT_TAKES`).
    """
    acts: list[tuple[str, str, Callable[[AutomationRuntime, datetime], tuple[bool, str]]]] = []
    if spec.dedupe is not None:
        acts.append(("dedupe", spec.dedupe, _guard(
            "dedupe", "the job skips a delivery of an event id it has handled")))
    if spec.latest_per_record:
        acts.append(("latest_per_record", "events", _guard(
            "latest_per_record", "the job applies only an event newer than its record's last")))
    acts += [("set_retry", r.feeder, _retry(r.feeder, r.every, r.for_)) for r in spec.retry]
    acts += [("hold_feeder", name, hold(name)) for name in spec.hold if name not in shut_off]
    if not acts:
        return []
    each = (spec.takes / len(acts) if spec.takes is not None
            else DEFAULT_TAKES["disable_feeder"])
    return [DeliveryStep(action, target, each, act) for action, target, act in acts]
