"""How long the work of a runbook step takes at least: modelled minimums by action and size.

A runbook's ``takes`` is the team's own word for how long a step takes, and a scripted
drill used to take it on trust: ``takes: 0s`` on every step contained, repaired and
verified in no time and scored full marks. Work takes the time it takes. Each kind of
action here has a *modelled minimum*: a fixed part (opening the right screen, writing
a script) plus a part that grows with the size of the job (records exported, records
repaired, systems reconciled), known only when the step starts. The scripted
responder runs each step for the longer of the runbook's time (or its documented
default, :mod:`drills.runbook.defaults`) and the minimum for the step's size; a time
the runbook wrote that is below the minimum is raised to it, and the drill reports
``takes-below-minimum`` naming each such step. Live drills use the time people
really took and none of this.

The figures are deliberately brisk: what a practised person needs with the right
access and nothing going wrong, not a typical time. A runbook may well say more; it
should never need to say less. Each figure and why (``docs/durations.md`` carries the
same table, generated from :data:`MINIMUMS`):

- ``pause_job``: 1 min. Why: a person opens the tool's admin page, finds the job,
  presses pause and sees that it stopped.
- ``disable_feeder``: 1 min. Why: a schedule, webhook or chained job is switched off
  on its own settings page, and someone checks it shows as off.
- ``stop_queue``: 1 min. Why: one switch, usually next to the job, and a look that
  nothing more is leaving.
- ``call``: 1 min. Why: someone runs the team's own pause script and reads what it
  printed.
- ``snapshot``: 1 min per system exported, plus 2,000 records a minute. Why: each
  system's export is started from its own screen; a bulk export then streams about
  2,000 records a minute to a file.
- ``scope``: 3 min per system scoped, plus 100 records a minute. Why: the run-id query
  is written and run once per system; a person then reads the records it found,
  checking the safe, wrong and unclear tags on the way, at about 100 a minute.
- ``repair.bulk_revert``: 5 min, plus 1,000 records a minute. Why: the run is picked
  in the revert tool and its preview read before anything is written; the revert
  itself then goes at about 1,000 records a minute.
- ``repair.script``: 10 min, plus 200 records a minute. Why: a one-time script is
  written (or adapted) and a second person reads it before it runs; it then writes
  about 200 records a minute, each one checked against its saved value.
- ``repair.manual``: 2 records a minute. Why: a person opens each record, looks up its
  right value and types it back, about 30 seconds a record
  (``drills.responders.scripted.MANUAL_RATE``).
- ``repair.sample``: 30 s per sampled record. Why: each record of the test sample is
  compared with its saved value and its copies downstream before the next stage.
- ``verify``: 3 min per system reconciled. Why: one count query per system, written
  and run, and its answer compared with the others.
- ``restart``: 2 min, plus 5 min per test record. Why: the job is switched back on,
  and each test record is run through it and its result checked before the ramp.
- ``comms``: 5 min per note. Why: a note says which job, when it ran, what is paused,
  what is wrong, what still looks normal and when the next update comes; writing
  that clearly takes minutes, for the first note and for each update.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from types import MappingProxyType

from drills.files import format_duration

__all__ = [
    "DOC_END",
    "DOC_START",
    "MANUAL_RATE",
    "MINIMUMS",
    "Minimum",
    "Modelled",
    "Per",
    "Raised",
    "markdown_table",
    "modelled",
    "repair_minimum",
]

_M = timedelta(minutes=1)


@dataclass(frozen=True)
class Per:
    """One part of a minimum that grows with size: a time per unit, or units a minute."""

    unit: str
    """What it counts, singular: ``record exported``, ``system reconciled``."""
    units: str
    """The same, plural."""
    each: timedelta | None = None
    per_minute: float | None = None

    def seconds(self, size: int) -> float:
        if self.each is not None:
            return size * self.each.total_seconds()
        assert self.per_minute is not None
        return size * 60 / self.per_minute

    def figure(self) -> str:
        if self.each is not None:
            return f"{format_duration(self.each)} per {self.unit}"
        return f"{self.per_minute:,g} {self.units} a minute"

    def count(self, size: int) -> str:
        return f"{size:,} {self.unit if size == 1 else self.units}"


@dataclass(frozen=True)
class Minimum:
    """One action's modelled minimum: a fixed part plus parts that grow with size."""

    action: str
    fixed: timedelta
    why: str
    per: tuple[Per, ...] = ()

    def time(self, *sizes: int) -> timedelta:
        """The minimum for ``sizes`` (one per part of :attr:`per`), up to a whole second."""
        seconds = self.fixed.total_seconds() + sum(
            p.seconds(n) for p, n in zip(self.per, sizes, strict=True))
        return timedelta(seconds=math.ceil(seconds))

    def figure(self) -> str:
        """The figure in words, for the docs table: ``10m + 200 records repaired a minute``."""
        parts = [format_duration(self.fixed)] if self.fixed else []
        return " + ".join([*parts, *(p.figure() for p in self.per)])


_RECORDS = {"exported": Per("record exported", "records exported", per_minute=2000),
            "changed": Per("record the run changed", "records the run changed", per_minute=100)}


def _repaired(per_minute: float) -> tuple[Per]:
    return (Per("record repaired", "records repaired", per_minute=per_minute),)


def _systems(verb: str, each: timedelta) -> Per:
    return Per(f"system {verb}", f"systems {verb}", each=each)


MINIMUMS: Mapping[str, Minimum] = MappingProxyType({m.action: m for m in (
    Minimum("pause_job", _M, "a person opens the tool's admin page, finds the job, presses "
            "pause and sees that it stopped"),
    Minimum("disable_feeder", _M, "a schedule, webhook or chained job is switched off on its "
            "own settings page, and someone checks it shows as off"),
    Minimum("stop_queue", _M, "one switch, usually next to the job, and a look that nothing "
            "more is leaving"),
    Minimum("call", _M, "someone runs the team's own pause script and reads what it printed"),
    Minimum("snapshot", timedelta(0), "each system's export is started from its own screen; "
            "a bulk export then streams about 2,000 records a minute to a file",
            (_systems("exported", _M), _RECORDS["exported"])),
    Minimum("scope", timedelta(0), "the run-id query is written and run once per system; a "
            "person then reads the records it found, checking the safe, wrong and unclear "
            "tags on the way, at about 100 a minute",
            (_systems("scoped", 3 * _M), _RECORDS["changed"])),
    Minimum("repair.bulk_revert", 5 * _M, "the run is picked in the revert tool and its "
            "preview read before anything is written; the revert itself then goes at about "
            "1,000 records a minute", _repaired(1000)),
    Minimum("repair.script", 10 * _M, "a one-time script is written (or adapted) and a second "
            "person reads it before it runs; it then writes about 200 records a minute, each "
            "one checked against its saved value", _repaired(200)),
    Minimum("repair.manual", timedelta(0), "a person opens each record, looks up its right "
            "value and types it back, about 30 seconds a record", _repaired(2)),
    Minimum("repair.sample", timedelta(0), "each record of the test sample is compared with "
            "its saved value and its copies downstream before the next stage",
            (Per("sampled record", "sampled records", each=timedelta(seconds=30)),)),
    Minimum("verify", timedelta(0), "one count query per system, written and run, and its "
            "answer compared with the others", (_systems("reconciled", 3 * _M),)),
    Minimum("restart", 2 * _M, "the job is switched back on, and each test record is run "
            "through it and its result checked before the ramp",
            (Per("test record", "test records", each=5 * _M),)),
    Minimum("comms", 5 * _M, "a note says which job, when it ran, what is paused, what is "
            "wrong, what still looks normal and when the next update comes; writing that "
            "clearly takes minutes, for the first note and for each update"),
)})
"""Action (``repair.<strategy>`` for repairs) -> its modelled minimum. A repair with a
test sample adds ``repair.sample`` for the records sampled."""

MANUAL_RATE: float = MINIMUMS["repair.manual"].per[0].per_minute or 0.0
"""Records one person repairs by hand per minute."""


@dataclass(frozen=True)
class Modelled:
    """The minimum for one step of a known size, and the size in words."""

    time: timedelta
    size: str
    """What the minimum was worked out from: ``3 systems, 2,433 records exported``."""


@dataclass(frozen=True)
class Raised:
    """A step whose time in the runbook was below the modelled minimum, and was raised."""

    step: str
    """The step as the drill's log names it: ``pause_job invoice-reminder``."""
    path: str
    """Where its time is written in the runbook: ``pause[0].takes``."""
    written: timedelta
    minimum: Modelled


def modelled(action: str, *sizes: int) -> Modelled:
    """The minimum for ``action`` at ``sizes``, one per part that grows with size.

    Pause steps and comms take no size; ``snapshot`` and ``scope`` take (systems,
    records); ``verify`` takes systems; ``restart`` takes test records; a repair is
    :func:`repair_minimum`.
    """
    row = MINIMUMS[action]
    words = ", ".join(p.count(n) for p, n in zip(row.per, sizes, strict=True))
    return Modelled(row.time(*sizes), words or "a fixed minimum")


def repair_minimum(strategy: str, records: int, sample: int) -> Modelled:
    """The minimum for a whole repair of ``records`` records, ``sample`` of them sampled."""
    work = modelled(f"repair.{strategy}", records)
    if not sample:
        return work
    check = modelled("repair.sample", sample)
    return Modelled(work.time + check.time, f"{work.size}, {check.size}")


DOC_START = "<!-- modelled minimums: generated from drills.runbook.durations.MINIMUMS -->"
DOC_END = "<!-- end of modelled minimums -->"


def markdown_table() -> str:
    """The table of :data:`MINIMUMS` for ``docs/durations.md``, between its markers.

    ``python -m drills.runbook.durations`` prints it; a test fails when the page's copy
    is stale.
    """
    lines = [DOC_START, "", "| action | minimum | why |", "|---|---|---|"]
    for row in MINIMUMS.values():
        lines.append(f"| `{row.action}` | {row.figure()} | {row.why} |")
    return "\n".join([*lines, "", DOC_END])


if __name__ == "__main__":
    print(markdown_table())
