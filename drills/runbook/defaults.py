"""How long a runbook step takes when the runbook does not say.

A scripted drill needs a time for every step, and most runbooks give times only for
some. Rather than treat a missing ``takes`` as instant (which would flatter the
runbook) or refuse the file (which would stop teams drilling the runbook they have),
each kind of step has a documented, deliberately unhurried default: the time a
person who has done it before needs, without rushing. A report can then say which
timings were assumed, and a team that knows better writes ``takes``.

=================  =======  ==============================================================
step               default  why
=================  =======  ==============================================================
pause_job          2m       find the job in the tool, press pause, check it stopped
disable_feeder     2m       a schedule, webhook or chained job, in another screen
stop_queue         1m       one switch, usually next to the job
call               2m       run the team's own script and read its output
snapshot           10m      export the affected tables of each named system
scope              20m      query the run's writes per system and tag them
repair bulk_revert 15m      one revert from the change log, sample first
repair script      30m      a one-time script: write, test on the sample, run in stages
repair manual      90m      people editing records by hand
verify             15m      reconcile counts across systems
comms              10m      the first note, if ``first_note_within`` is not given
restart            15m      the restart test with a low-risk real record
=================  =======  ==============================================================

``next_update_every`` defaults to :data:`NEXT_UPDATE_EVERY` (30m) for the same reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from types import MappingProxyType

from drills.runbook.schema import (
    Comms,
    PauseStep,
    Repair,
    Restart,
    Scope,
    Snapshot,
    Verify,
)

__all__ = [
    "DEFAULT_TAKES",
    "FIRST_NOTE_WITHIN",
    "NEXT_UPDATE_EVERY",
    "Step",
    "first_note_within",
    "next_update_every",
    "takes",
]

_M = timedelta(minutes=1)

DEFAULT_TAKES: Mapping[str, timedelta] = MappingProxyType({
    "pause_job": 2 * _M,
    "disable_feeder": 2 * _M,
    "stop_queue": 1 * _M,
    "call": 2 * _M,
    "snapshot": 10 * _M,
    "scope": 20 * _M,
    "repair.bulk_revert": 15 * _M,
    "repair.script": 30 * _M,
    "repair.manual": 90 * _M,
    "verify": 15 * _M,
    "comms": 10 * _M,
    "restart": 15 * _M,
})
"""Step kind (``repair.<strategy>`` for repairs) -> how long it takes if the file is silent."""

FIRST_NOTE_WITHIN = DEFAULT_TAKES["comms"]
"""When the first note goes out after the pause, if the runbook does not say."""

NEXT_UPDATE_EVERY = 30 * _M
"""How often an update follows the first note, if the runbook does not say."""

Step = PauseStep | Snapshot | Scope | Repair | Verify | Comms | Restart
"""Everything in a runbook that takes a person time."""


def _key(step: Step) -> str:
    if isinstance(step, PauseStep):
        return step.kind
    if isinstance(step, Repair):
        return f"repair.{step.strategy}"
    return {
        Snapshot: "snapshot",
        Scope: "scope",
        Verify: "verify",
        Comms: "comms",
        Restart: "restart",
    }[type(step)]


def takes(step: Step) -> timedelta:
    """How long ``step`` takes: its own ``takes`` if given, else the documented default.

    For :class:`Comms` that is the time to the first note (``first_note_within``).
    """
    if isinstance(step, Comms):
        return first_note_within(step)
    if step.takes is not None:
        return step.takes
    return DEFAULT_TAKES[_key(step)]


def first_note_within(comms: Comms) -> timedelta:
    """When the first note goes out after the pause."""
    return comms.first_note_within if comms.first_note_within is not None else FIRST_NOTE_WITHIN


def next_update_every(comms: Comms) -> timedelta:
    """How often updates follow the first note."""
    return comms.next_update_every if comms.next_update_every is not None else NEXT_UPDATE_EVERY
