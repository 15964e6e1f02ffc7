"""The drill report as one self-contained HTML page, for the retrospective and the file.

One file that opens anywhere, offline, years later: no scripts, no fonts, no CDN, no
external stylesheet, nothing fetched. The charts are inline SVG drawn here in Python
from :attr:`DrillReport.timeline` and :attr:`DrillReport.phases`, so they need no
JavaScript and print as crisply as text. Every drawn point carries its numbers as
``data-*`` attributes (``data-minute``, ``data-damaged``, ``data-phase``,
``data-system``), so tests, and anyone curious, can check that the chart says what
the report says. The SVG is built with :mod:`xml.etree.ElementTree`, which escapes
every value; the page is a Jinja2 template with autoescaping on, so a ``<`` in a
finding or a log line is text, never markup.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from drills.reports._present import (
    PHASE_LABELS,
    coord,
    cost_text,
    findings_by_severity,
    fix_first,
    fmt_clock,
    fmt_minute,
    fmt_pct,
    interrupted_note,
    nice_ticks,
    ordered_phases,
    overall_scope,
    svg_child,
    svg_markup,
)
from drills.reports.comparison import comparison_rows, scope_rows
from drills.reports.incident import IncidentComparison, IncidentCurve
from drills.reports.incidenttext import (
    INCIDENT_NOTE,
    INCIDENT_TITLE,
    incident_rows,
    incident_sentence,
)
from drills.reports.messages import DRAFT_LABEL, SENT_HEADERS, sent_rows, sent_title
from drills.reports.model import DrillReport, PhaseName
from drills.reports.scoretext import harm_rows, score_title, summary_lines

__all__ = [
    "INCIDENT_COLOURS",
    "MARKED_PHASES",
    "SERIES_COLOURS",
    "drill_end_minute",
    "incident_svg",
    "render_html",
    "systems_svg",
    "template_environment",
    "timeline_svg",
]

MARKED_PHASES: tuple[PhaseName, ...] = tuple(p for p in PhaseName if p is not PhaseName.RUN_STARTED)
"""Phases drawn as vertical markers on the timeline (the run's start is the x axis' 0)."""

SERIES_COLOURS = ("#2563eb", "#d97706", "#059669", "#9333ea", "#db2777", "#0891b2",
                  "#65a30d", "#7c3aed")
"""One colour per system line, in the order of :attr:`DrillReport.systems`."""

INCIDENT_COLOURS = {"incident": "#d97706", "drill": "#2563eb"}
"""The real incident's curve (drawn dashed) and this drill's, in every system's chart."""

_W = 960
_CHAR = 6.3  # average width of an 11px sans-serif character, for laying out labels


@dataclass(frozen=True)
class _Frame:
    """Where the plot sits in the SVG and how values map onto it."""

    left: float
    top: float
    width: float
    height: float
    x_max: float
    y_max: float

    def x(self, minute: float) -> float:
        return self.left + min(max(minute, 0.0), self.x_max) / self.x_max * self.width

    def y(self, value: float) -> float:
        return self.top + self.height - value / self.y_max * self.height


def _label_width(label: str) -> float:
    return len(label) * _CHAR + 10


def _flips(x: float, label: str) -> bool:
    """A label that would run off the right edge is drawn to the left of its marker."""
    return x + _label_width(label) > _W - 4


def _label_rows(xs: Sequence[tuple[float, str]], rows: int = 4) -> list[int]:
    """Give each marker label a row so labels in one row do not overlap (greedy by x)."""
    ends = [-1e9] * rows
    placed = []
    for x, label in xs:
        width = _label_width(label)
        start, end = (x - width, x) if _flips(x, label) else (x, x + width)
        row = next((r for r in range(rows) if ends[r] < start - 2),
                   min(range(rows), key=lambda r: ends[r]))
        ends[row] = end
        placed.append(row)
    return placed


def drill_end_minute(report: DrillReport) -> float:
    """Where the damage chart ends: the drill's last moment, in the timeline's minutes
    (from the drill's start), so a quiet last hour still shows as a flat line."""
    return round((report.finished - report.started).total_seconds() / 60, 2)


def _axes(svg: ET.Element, frame: _Frame, x_ticks: Sequence[float], y_ticks: Sequence[float],
          x_title: str, y_title: str) -> None:
    """A chart's grid, ticks and axis titles (every chart of the report draws them alike)."""
    grid = svg_child(svg, "g", class_="axes")
    for tick in y_ticks:
        y = frame.y(tick)
        svg_child(grid, "line", class_="grid", x1=frame.left, x2=frame.left + frame.width,
                  y1=y, y2=y)
        svg_child(grid, "text", f"{tick:,.0f}" if tick == int(tick) else f"{tick:,}",
                  class_="tick y-tick", x=frame.left - 8, y=y + 4)
    for tick in x_ticks:
        x = frame.x(tick)
        svg_child(grid, "line", class_="tick-mark", x1=x, x2=x, y1=frame.top + frame.height,
                  y2=frame.top + frame.height + 5)
        svg_child(grid, "text", f"{tick:g}", class_="tick x-tick", x=x,
                  y=frame.top + frame.height + 18)
    svg_child(grid, "text", x_title, class_="axis-title",
              x=frame.left + frame.width / 2, y=frame.top + frame.height + 38)
    svg_child(grid, "text", y_title, class_="axis-title y-title",
              transform=f"translate(14 {coord(frame.top + frame.height / 2)}) rotate(-90)")


def _step_points(frame: _Frame, values: Sequence[tuple[float, float]], end: float) -> str:
    """A step line through ``values`` (minute, count), held to ``end``.

    The timeline records damage only when it changes (and at least every ten minutes),
    so between two points the count is the earlier one: the line holds it flat and rises
    at the later point's minute, never a slope that would invent damage in a gap.
    """
    out: list[str] = []
    last: float | None = None
    for minute, value in values:
        x = coord(frame.x(minute))
        if last is not None and value != last:
            out.append(f"{x},{coord(frame.y(last))}")
        out.append(f"{x},{coord(frame.y(value))}")
        last = value
    if last is not None and values and end > values[-1][0]:
        out.append(f"{coord(frame.x(end))},{coord(frame.y(last))}")
    return " ".join(out)


def timeline_svg(report: DrillReport) -> Markup:
    """Damaged records so far against minutes since the bad run started: a step line for
    all systems with a point per :class:`DamagePoint`, held flat to the drill's end, a
    thin step line per system, a band from detection to containment, and a vertical
    marker per reached phase."""
    points = sorted(report.timeline, key=lambda p: p.minute)
    marked = sorted(
        (p for p in report.phases if p.name in MARKED_PHASES and p.minute is not None),
        key=lambda p: (p.minute, list(PhaseName).index(p.name)),
    )
    end_minute = drill_end_minute(report)
    last_minute = max([p.minute for p in points] + [m.minute or 0.0 for m in marked]
                      + [end_minute, 1.0])
    x_ticks = nice_ticks(last_minute, 8)
    y_ticks = nice_ticks(max([p.damaged for p in points] + [1]), 5)

    labels = [(m, f"{PHASE_LABELS[m.name]} {fmt_minute(m.minute)}") for m in marked]
    frame_left, frame_width = 64.0, _W - 64.0 - 28.0
    provisional = _Frame(frame_left, 0, frame_width, 1, x_ticks[-1], 1)
    rows = _label_rows([(provisional.x(m.minute or 0.0), text) for m, text in labels])
    row_count = max(rows, default=-1) + 1
    top = 14.0 + 15.0 * row_count
    height = 250.0
    frame = _Frame(frame_left, top, frame_width, height, x_ticks[-1], y_ticks[-1])
    total_h = top + height + 46

    svg = ET.Element("svg", {
        "class": "chart timeline", "viewBox": f"0 0 {_W} {coord(total_h)}",
        "role": "img", "aria-labelledby": "timeline-title timeline-desc",
        "preserveAspectRatio": "xMidYMid meet",
    })
    svg_child(svg, "title", "Damaged records over time", id="timeline-title")
    peak = points[-1].damaged if points else 0
    svg_child(svg, "desc", f"Cumulative damaged records across all systems, {len(points)} points, "
        f"reaching {peak:,} at minute {fmt_minute(points[-1].minute) if points else '0'}; "
        f"vertical markers show when each response phase was reached.", id="timeline-desc")

    _axes(svg, frame, x_ticks, y_ticks, "minutes after the bad run started", "records damaged")

    detected, contained = report.phase(PhaseName.DETECTED), report.phase(PhaseName.CONTAINED)
    if detected is not None and detected.minute is not None:
        end = contained.minute if contained is not None and contained.minute is not None \
            else frame.x_max
        x0, x1 = frame.x(detected.minute), frame.x(end)
        band = svg_child(svg, "rect", class_="exposure", x=x0, y=frame.top, width=max(x1 - x0, 1.0),
                   height=frame.height, data_from=str(detected.minute), data_to=str(end))
        svg_child(band, "title", f"detected to contained: {fmt_minute(end - detected.minute)} of "
            f"spreading damage ({report.outcome.records_damaged_after_detection:,} records "
            "damaged after detection)")

    names = [s.system for s in report.systems]
    for name in sorted({k for p in points for k in p.by_system} - set(names)):
        names.append(name)
    series = svg_child(svg, "g", class_="series")
    for index, name in enumerate(names):
        if not any(p.by_system.get(name) for p in points):
            continue
        svg_child(series, "polyline", class_="system-line", data_system=name,
            stroke=SERIES_COLOURS[index % len(SERIES_COLOURS)],
            points=_step_points(frame, [(p.minute, p.by_system.get(name, 0)) for p in points],
                                end_minute))
    if points:
        svg_child(svg, "polyline", class_="total-line", data_end_minute=str(end_minute),
            points=_step_points(frame, [(p.minute, p.damaged) for p in points], end_minute))

    markers = svg_child(svg, "g", class_="markers")
    for (phase, text), row in zip(labels, rows, strict=True):
        minute = phase.minute or 0.0
        x = frame.x(minute)
        group = svg_child(markers, "g", class_=f"marker marker-{phase.name.value}",
                    data_phase=phase.name.value, data_minute=str(minute))
        svg_child(group, "line", x1=x, x2=x, y1=14.0 + 15.0 * row - 9, y2=frame.top + frame.height)
        flipped = _flips(x, text)
        svg_child(group, "text", text, x=x - 3 if flipped else x + 3, y=14.0 + 15.0 * row,
                  text_anchor="end" if flipped else None)
        svg_child(group, "title", f"{PHASE_LABELS[phase.name]} at {fmt_clock(phase.at)} "
            f"({fmt_minute(minute)}){': ' + phase.how if phase.how else ''}")

    dots = svg_child(svg, "g", class_="points")
    for p in points:
        dot = svg_child(dots, "circle", class_="point", cx=frame.x(p.minute), cy=frame.y(p.damaged),
                  r=3.5, data_minute=str(p.minute), data_damaged=str(p.damaged),
                  data_at=p.at.isoformat())
        detail = ", ".join(f"{k} {v:,}" for k, v in p.by_system.items() if v)
        svg_child(dot, "title", f"{fmt_minute(p.minute)} ({fmt_clock(p.at)}): "
                  f"{p.damaged:,} records damaged{' (' + detail + ')' if detail else ''}")
    if not points:
        svg_child(svg, "text", "no damage was recorded", class_="empty",
            x=frame.left + frame.width / 2, y=frame.top + frame.height / 2)
    return svg_markup(svg)


def systems_svg(report: DrillReport) -> Markup:
    """One bar per system: records damaged before and after detection, and under it a
    thin bar of the records still wrong at the end."""
    systems = report.systems
    label_w, value_w, row_h, top = 150.0, 330.0, 40.0, 8.0
    bar_w = _W - label_w - value_w
    ticks = nice_ticks(max([s.damaged for s in systems] + [1]), 4)
    scale = bar_w / ticks[-1]
    total_h = top + row_h * max(len(systems), 1) + 8
    svg = ET.Element("svg", {
        "class": "chart systems", "viewBox": f"0 0 {_W} {coord(total_h)}", "role": "img",
        "aria-labelledby": "systems-title",
    })
    svg_child(svg, "title", "Damaged records by system", id="systems-title")
    for index, s in enumerate(systems):
        y = top + index * row_h
        missed = not s.scoped and s.damaged > 0
        group = svg_child(svg, "g", class_="bar" + (" missed" if missed else ""),
                          data_system=s.system, data_damaged=str(s.damaged),
                          data_after_detection=str(s.after_detection),
                          data_left_wrong=str(s.left_wrong), data_scoped=str(s.scoped).lower())
        svg_child(group, "text", s.system, class_="bar-label", x=label_w - 12, y=y + 15)
        if missed:
            svg_child(group, "text", "not in scope", class_="bar-sublabel", x=label_w - 12,
                      y=y + 29)
        before = s.damaged - s.after_detection
        svg_child(group, "rect", class_="before", x=label_w, y=y + 4, height=16.0,
            width=before * scale)
        svg_child(group, "rect", class_="after", x=label_w + before * scale, y=y + 4, height=16.0,
            width=s.after_detection * scale)
        svg_child(group, "rect", class_="left-wrong", x=label_w, y=y + 23, height=5.0,
            width=s.left_wrong * scale)
        value = (f"{s.damaged:,} damaged · {s.after_detection:,} after detection · "
                 f"{s.left_wrong:,} left wrong") if s.damaged else "no damage"
        svg_child(group, "text", value, class_="bar-value", x=label_w + s.damaged * scale + 8,
            y=y + 16)
        svg_child(group, "title", f"{s.system}: {value}; scope precision {fmt_pct(s.precision)}, "
            f"recall {fmt_pct(s.recall)}")
    return svg_markup(svg)


def _curve_points(frame: _Frame, counts: Sequence[int]) -> str:
    """A per-minute step line: up from the axis, each minute's count held across that
    minute, back down to the axis after the last one (a corner only where it changes)."""
    corners = [(0, 0)]
    last = 0
    for minute, n in enumerate(counts):
        if n != last:
            corners += [(minute, last), (minute, n)]
            last = n
    corners += [(len(counts), last), (len(counts), 0)]
    kept = [p for i, p in enumerate(corners) if i == 0 or p != corners[i - 1]]
    return " ".join(f"{coord(frame.x(m))},{coord(frame.y(n))}" for m, n in kept)


def incident_svg(c: IncidentComparison, curve: IncidentCurve) -> Markup:
    """One system's changes per minute: the real burst (dashed) and this drill (solid), each
    from its own first change, with a marker where the real team stopped it and one where
    this drill was contained. Each line carries its counts as ``data-counts``."""
    real = curve.incident or []
    last = max(len(real), len(curve.drill), c.stopped_after, c.contained_after or 0.0, 1.0)
    x_ticks = nice_ticks(last, 8)
    y_ticks = nice_ticks(max([*real, *curve.drill, 1]), 4)
    frame = _Frame(64.0, 40.0, _W - 64.0 - 28.0, 150.0, x_ticks[-1], y_ticks[-1])
    svg = ET.Element("svg", {
        "class": "chart incident", "viewBox": f"0 0 {_W} {coord(frame.top + frame.height + 46)}",
        "role": "img", "aria-label": f"Changes per minute in {curve.system}: the real incident "
        "beside this drill", "data-system": curve.system,
    })
    svg_child(svg, "title", f"Changes per minute in {curve.system}")
    _axes(svg, frame, x_ticks, y_ticks, "minutes from the first change", "per minute")
    stops = [("incident", "marker-stopped", "real team stopped", c.stopped_after),
             ("drill", "marker-contained", "drill contained", c.contained_after)]
    markers = svg_child(svg, "g", class_="markers")
    for row, (side, kind, label, minute) in enumerate(stops):
        if minute is None:
            continue
        x, text = frame.x(minute), f"{label} {fmt_minute(minute)}"
        group = svg_child(markers, "g", class_=f"marker {kind}", data_side=side,
                          data_minute=str(minute))
        svg_child(group, "line", x1=x, x2=x, y1=14.0 + 15.0 * row - 9,
                  y2=frame.top + frame.height)
        flipped = _flips(x, text)
        svg_child(group, "text", text, x=x - 3 if flipped else x + 3, y=14.0 + 15.0 * row,
                  text_anchor="end" if flipped else None)
    lines = svg_child(svg, "g", class_="series")
    for side, counts in (("drill", curve.drill), ("incident", curve.incident)):  # dashes on top
        if not counts:
            continue
        line = svg_child(lines, "polyline", class_=f"trend-line {side}-line", data_side=side,
                         data_counts=",".join(str(n) for n in counts),
                         data_total=str(sum(counts)), stroke=INCIDENT_COLOURS[side],
                         stroke_dasharray="6 4" if side == "incident" else None,
                         points=_curve_points(frame, counts))
        who = "the real incident" if side == "incident" else "this drill"
        svg_child(line, "title", f"{who}: {sum(counts):,} changes in {len(counts)} min, "
                  f"peak {max(counts):,}/min")
    return svg_markup(svg)


def _incident_context(report: DrillReport) -> dict[str, object]:
    """The template's values for "Real incident vs this drill" (empty without an incident)."""
    c = report.incident
    if c is None:
        return {}
    return {
        "incident_title": INCIDENT_TITLE,
        "incident_rows": incident_rows(c, interrupted=report.interrupted),
        "incident_charts": [(curve, incident_svg(c, curve)) for curve in c.curves],
        "incident_note": INCIDENT_NOTE,
        "incident_sentence": incident_sentence(c, interrupted=report.interrupted),
        "incident_colours": INCIDENT_COLOURS,
    }


def template_environment() -> Environment:
    """The Jinja2 environment for report templates: autoescape on, strict undefined."""
    env = Environment(
        loader=PackageLoader("drills.reports", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        minute=fmt_minute, clock=fmt_clock, pct=fmt_pct, cost=cost_text,
        num=lambda value: f"{value:,}", points=lambda value: f"{value:g}",
    )
    env.globals.update(phase_label=lambda name: PHASE_LABELS[name])
    return env


def render_html(report: DrillReport) -> str:
    """The whole page as one string: HTML5, inline CSS and SVG, nothing external."""
    phases = ordered_phases(report)
    template = template_environment().get_template("report.html.j2")
    return template.render(
        r=report,
        interrupted=interrupted_note(report),
        phases=phases,
        versus=comparison_rows(report.comparison) if report.comparison else [],
        versus_scope=scope_rows(report.comparison.scope) if report.comparison else [],
        never=[p for p in phases if p.minute is None],
        overall=overall_scope(report.systems),
        fix_first=fix_first(report),
        sent_title=sent_title(report.comms),
        sent_headers=SENT_HEADERS,
        sent_rows=sent_rows(report.comms, live=report.responder == "live"),
        draft_label=DRAFT_LABEL,
        groups=findings_by_severity(report.findings),
        timeline=timeline_svg(report),
        systems_chart=systems_svg(report),
        score_title=score_title(report),
        harm_rows=harm_rows(report.score),
        score_lines=summary_lines(report.score),
        legend=[
            (s.system, SERIES_COLOURS[i % len(SERIES_COLOURS)])
            for i, s in enumerate(report.systems)
            if any(p.by_system.get(s.system) for p in report.timeline)
        ],
        **_incident_context(report),
    )
