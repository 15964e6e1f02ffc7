"""The words and rows of "Real incident vs this drill", shared by every renderer.

Console, Markdown and HTML say the same sentence about the difference and show the
same rows (what, real incident, this drill), built here once so they cannot disagree.
A terminal and a wiki page have no chart, so they draw each curve as a line of block
marks (a sparkline) on one scale per system: the real burst and the drill's writes side
by side, the taller mark the busier minute. The HTML report draws the curves as SVG
(:func:`drills.reports.html.incident_svg`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from drills.reports.findings import minute_text
from drills.reports.incident import IncidentComparison, IncidentCurve

__all__ = [
    "INCIDENT_NOTE",
    "INCIDENT_TITLE",
    "SPARK_WIDTH",
    "curve_rows",
    "incident_rows",
    "incident_sentence",
    "minutes_per_mark",
    "sparkline",
]

INCIDENT_TITLE = "Real incident vs this drill"

INCIDENT_NOTE = (
    "Changes per minute in each system: the real burst's from its first change (the "
    "export), this drill's damaging writes from the bad run's first write. Totals compare "
    "the systems the export shows.")

SPARK_WIDTH = 40
"""Marks per curve at most; a longer curve puts several minutes in one mark."""

_MARKS = "▁▂▃▄▅▆▇█"
_NONE = "·"


def _changes(n: int, how: str = "") -> str:
    """'684 changes', '1 fewer change'."""
    return f"{n:,} {how + ' ' if how else ''}change{'' if n == 1 else 's'}"


def incident_sentence(c: IncidentComparison, *, interrupted: bool = False) -> str:
    """'The real team stopped it after 16 min; this drill contained it in 7 min, 9 min
    sooner: 684 fewer changes.' - the one line of the difference."""
    if c.contained_after is None:
        drill = ("this drill had not contained it when it was interrupted" if interrupted
                 else "this drill never contained it")
    else:
        gap = round(c.stopped_after - c.contained_after, 1)
        when = ("as fast" if gap == 0 else
                f"{minute_text(abs(gap))} {'sooner' if gap > 0 else 'later'}")
        drill = f"this drill contained it in {minute_text(c.contained_after)}, {when}"
    diff = c.incident_total - c.drill_total
    changes = ("as many changes" if diff == 0 else
               _changes(abs(diff), "fewer" if diff > 0 else "more"))
    so_far = " so far" if interrupted else ""
    elsewhere = (f" (and {_changes(c.drill_elsewhere)} in systems the export does not show)"
                 if c.drill_elsewhere else "")
    return (f"The real team stopped it after {minute_text(c.stopped_after)}; {drill}: "
            f"{changes}{so_far}{elsewhere}.")


def incident_rows(c: IncidentComparison, *, interrupted: bool = False) -> list[
        tuple[str, str, str]]:
    """(what, real incident, this drill): when it began, the time to stop it, the changes in
    each system and in all the export shows."""
    contained = (minute_text(c.contained_after) if c.contained_after is not None
                 else "not yet" if interrupted else "never")
    rows = [
        ("first change", f"{c.started:%Y-%m-%d %H:%M}", f"{c.drill_started:%H:%M} drill time"),
        ("time to stop it", minute_text(c.stopped_after), contained),
    ]
    for curve in c.curves:
        real = curve.incident_total
        rows.append((f"changes in {curve.system}",
                     "not in the export" if real is None else f"{real:,}",
                     f"{curve.drill_total:,}"))
    rows.append(("changes, systems in the export", f"{c.incident_total:,}",
                 f"{c.drill_total:,}"))
    return rows


def minutes_per_mark(curve: IncidentCurve, width: int = SPARK_WIDTH) -> int:
    """How many minutes one mark of the curve's sparklines holds (both sides alike)."""
    longest = max(len(curve.incident or []), len(curve.drill), 1)
    return max(1, math.ceil(longest / width))


def _buckets(counts: Sequence[int], per: int) -> list[int]:
    return [sum(counts[i:i + per]) for i in range(0, len(counts), per)]


def sparkline(counts: Sequence[int], top: int, per: int = 1) -> str:
    """One mark per ``per`` minutes, its height the changes in them against ``top``; a
    minute with none is a dot, so a quiet minute never reads as a small one."""
    out = []
    for n in _buckets(counts, per):
        out.append(_NONE if n <= 0 else
                   _MARKS[min(len(_MARKS), max(1, math.ceil(n / max(top, 1) * len(_MARKS)))) - 1])
    return "".join(out)


def curve_rows(c: IncidentComparison, width: int = SPARK_WIDTH) -> list[
        tuple[str, str, str, str]]:
    """(system, side, sparkline, peak) per system and side; both sides of a system share
    one scale and one number of minutes per mark, so their marks compare."""
    rows: list[tuple[str, str, str, str]] = []
    for curve in c.curves:
        per = minutes_per_mark(curve, width)
        sides = [("real incident", curve.incident), ("this drill", curve.drill)]
        top = max([n for _, counts in sides for n in _buckets(counts or [], per)] + [1])
        unit = "min" if per == 1 else f"{per} min"
        for index, (side, counts) in enumerate(sides):
            name = curve.system if index == 0 else ""
            if counts is None or not counts:
                rows.append((name, side, "not in the export" if counts is None else "none", ""))
                continue
            peak = max(counts, default=0)
            rows.append((name, side, sparkline(counts, top, per),
                         f"peak {peak:,}/min" + (f", 1 mark = {unit}" if per > 1 else "")))
    return rows
