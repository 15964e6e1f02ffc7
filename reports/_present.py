"""What every renderer says the same way: orderings, rankings and number formats.

Console, Markdown and HTML must never disagree about which finding to fix first or
how a phase time reads, so the choices live here once. Everything is derived from
:class:`~drills.reports.model.DrillReport` alone.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from markupsafe import Markup
from pydantic import BaseModel

from drills.errors import one_line
from drills.reports.findings import Finding, Severity, cost_text, minute_text
from drills.reports.model import (
    DrillReport,
    LogEntry,
    Outcome,
    Phase,
    PhaseName,
    SystemDamage,
)

__all__ = [
    "FIX_FIRST",
    "LOG_EXCERPT",
    "PHASE_LABELS",
    "Overall",
    "coord",
    "cost_text",
    "findings_by_severity",
    "fix_first",
    "fmt_clock",
    "fmt_minute",
    "fmt_pct",
    "interrupted_note",
    "log_excerpt",
    "nice_ticks",
    "no_source_text",
    "ordered_phases",
    "overall_scope",
    "printable",
    "svg_child",
    "svg_markup",
]

FIX_FIRST = 5
"""How many findings "what to fix first" lists."""

LOG_EXCERPT = 20
"""How many action-log lines a one-page summary shows (the HTML shows them all)."""

PHASE_LABELS: dict[PhaseName, str] = {
    PhaseName.RUN_STARTED: "bad run started",
    PhaseName.DETECTED: "detected",
    PhaseName.PAUSED: "paused",
    PhaseName.CONTAINED: "contained",
    PhaseName.SNAPSHOT: "snapshot taken",
    PhaseName.SCOPED: "scoped",
    PhaseName.REPAIRED: "repaired",
    PhaseName.VERIFIED: "verified",
    PhaseName.FIRST_NOTE: "first note sent",
    PhaseName.RESTARTED: "restarted",
}


_M = TypeVar("_M", bound=BaseModel)


def printable(model: _M) -> _M:
    """``model`` with every text in it shown as :func:`~drills.errors.one_line` shows error
    lines: ESC, OSC, bells, right-to-left overrides and zero-width characters as escapes
    like ``\\x1b``, and line breaks as one space.

    A terminal acts on what it is sent, and a report's texts come from files a team or a
    client wrote (a scenario title, a runbook owner, a path): the console renderers take
    the report through this once, so no field they print, now or added later, reaches the
    terminal raw. The files drills writes keep the texts as they are.
    """
    shown: _M = _printable(model)
    return shown


def _printable(value: Any) -> Any:
    if type(value) is str:
        shown = one_line(value)
        return value if shown == value else shown
    if isinstance(value, BaseModel):
        changed = {}
        for name in type(value).model_fields:
            old = getattr(value, name)
            new = _printable(old)
            if new is not old:
                changed[name] = new
        return value.model_copy(update=changed) if changed else value
    if type(value) in (list, tuple):
        items = [_printable(item) for item in value]
        same = all(new is old for new, old in zip(items, value, strict=True))
        return value if same else type(value)(items)
    if type(value) is dict:
        pairs = [(_printable(k), _printable(v)) for k, v in value.items()]
        same = all(k is k0 and v is v0 for (k, v), (k0, v0) in zip(pairs, value.items(),
                                                                    strict=True))
        return value if same else dict(pairs)
    return value


def fmt_minute(minute: float | None) -> str:
    """``14 min``, ``6.5 min``; ``never`` for a phase not reached."""
    return "never" if minute is None else minute_text(minute)


def fmt_clock(at: datetime | None) -> str:
    return "—" if at is None else f"{at:%H:%M:%S}"


def fmt_pct(share: float | None) -> str:
    return "—" if share is None else f"{share * 100:.0f}%"


def interrupted_note(report: DrillReport) -> str | None:
    """The sentence every renderer puts under the headline of an interrupted drill."""
    if not report.interrupted:
        return None
    at = report.interrupted_at or report.finished
    return (
        f"Interrupted at {at:%H:%M:%S} drill time: this report was rebuilt from the drill's "
        "journal and covers the drill up to then; checks judged at a drill's end were not "
        "reached."
    )


def ordered_phases(report: DrillReport) -> list[Phase]:
    """Reached phases by time, then the ones never reached in the model's order."""
    order = list(PhaseName)
    reached = sorted(
        (p for p in report.phases if p.minute is not None),
        key=lambda p: (p.minute, order.index(p.name)),
    )
    never = sorted((p for p in report.phases if p.minute is None),
                   key=lambda p: order.index(p.name))
    return reached + never


def findings_by_severity(findings: Iterable[Finding]) -> list[tuple[Severity, list[Finding]]]:
    """Severities that have findings, worst first; within one, the costliest first."""
    groups: dict[Severity, list[Finding]] = {}
    for finding in findings:
        groups.setdefault(finding.severity, []).append(finding)
    return [
        (severity, sorted(groups[severity], key=_cost_key))
        for severity in Severity
        if severity in groups
    ]


def _cost_key(finding: Finding) -> tuple[int, float, int, str]:
    """Records first (damaged plus left wrong: a record never mended counts twice,
    it was damaged and it is still wrong), then minutes (to contain, to detect, a healthy
    job paused), then severity, then code."""
    cost = finding.cost
    records = cost.records_damaged + cost.records_left_wrong if cost else 0
    minutes = (cost.minutes_to_contain + cost.minutes_to_detect
               + cost.healthy_minutes_paused) if cost else 0.0
    return (-records, -minutes, finding.severity.rank, finding.code)


def fix_first(report: DrillReport, limit: int = FIX_FIRST) -> list[Finding]:
    """The findings to fix first: by measured cost, then severity.

    A finding with no measured cost still ranks when it is medium or worse (a lint
    finding can block a launch without a rerun); low and info findings rank only
    when a rerun measured a cost for them.
    """
    candidates = [
        f for f in report.findings
        if (f.cost is not None and not f.cost.is_zero) or f.severity.rank <= Severity.MEDIUM.rank
    ]
    return sorted(candidates, key=_cost_key)[:limit]


@dataclass(frozen=True)
class Overall:
    """Scope accuracy over all systems, weighted as the per-system figures are defined."""

    damaged: int
    changed: int
    wrong: int
    safe: int
    unclear: int
    repaired: int
    left_wrong: int
    after_detection: int
    precision: float | None
    recall: float | None


def overall_scope(systems: Iterable[SystemDamage]) -> Overall:
    """Totals, with precision weighted by records scoped and recall by records damaged.

    Precision is the share of scoped records really damaged, so the scoped records
    really damaged are ``precision * changed`` in each system; likewise recall.
    """
    rows = list(systems)
    changed = sum(s.changed for s in rows)
    damaged = sum(s.damaged for s in rows)
    hit_scoped = sum((s.precision or 0.0) * s.changed for s in rows)
    hit_damaged = sum((s.recall or 0.0) * s.damaged for s in rows)
    return Overall(
        damaged=damaged,
        changed=changed,
        wrong=sum(s.wrong for s in rows),
        safe=sum(s.safe for s in rows),
        unclear=sum(s.unclear for s in rows),
        repaired=sum(s.repaired for s in rows),
        left_wrong=sum(s.left_wrong for s in rows),
        after_detection=sum(s.after_detection for s in rows),
        precision=hit_scoped / changed if changed else None,
        recall=hit_damaged / damaged if damaged else None,
    )


def log_excerpt(
    log: list[LogEntry], limit: int = LOG_EXCERPT
) -> tuple[list[LogEntry], int, list[LogEntry]]:
    """The start and the end of a long log, and how many lines sit between them."""
    if len(log) <= limit:
        return list(log), 0, []
    head = limit * 3 // 5
    tail = limit - head
    return log[:head], len(log) - limit, log[-tail:]


def nice_ticks(top: float, count: int = 5) -> list[float]:
    """Round axis ticks from 0 to at least ``top``: 0, 50, 100, ... (1, 2, 2.5 or 5 x 10^n)."""
    if top <= 0:
        return [0.0, 1.0]
    raw = top / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    n = math.ceil(top / step - 1e-9)
    return [round(i * step, 10) for i in range(n + 1)]


def coord(value: float) -> str:
    """An SVG number with at most two decimals, so charts stay small and stable."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def svg_child(parent: ET.Element, tag: str, text: str | None = None, **attrs: Any) -> ET.Element:
    """A child element; ``data_minute=`` becomes ``data-minute=``, ``class_=`` ``class=``;
    floats are written with :func:`coord`, ``None`` values are left out."""
    names = {k.rstrip("_").replace("_", "-"): v for k, v in attrs.items() if v is not None}
    element = ET.SubElement(parent, tag, {
        k: coord(v) if isinstance(v, float) else str(v) for k, v in names.items()
    })
    if text is not None:
        element.text = text
    return element


def svg_markup(root: ET.Element) -> Markup:
    """Inline SVG for a template. ElementTree escapes every text and attribute value,
    so the markup is safe to embed; no ``xmlns`` is needed inside HTML."""
    return Markup(ET.tostring(root, encoding="unicode"))


def no_source_text(outcome: Outcome) -> str | None:
    """Why records stayed wrong after a repair: no source the team had held their values."""
    if not outcome.no_source:
        return None
    parts = ", ".join(f"{n:,} in {table}" for table, n in outcome.no_source.items())
    return (f"Left wrong for want of a source: {parts}. No field history, clean export or "
            "rerun of the fixed job held their right values; name a clean export in the "
            "runbook (last_clean_export) or turn on field history for those fields.")
