"""Several drills in one report: is each automation getting safer, drill after drill?

A team drills quarterly and an advisor reviews several automations at once; one report
per drill does not show whether the score rose, containment got faster, or the same
finding keeps coming back. :class:`MultiReport` holds the drill reports themselves
(no summary that could drift from them) and derives, per automation and in the order
the drills were run, a trend of score and minutes to contain, plus which finding codes
were fixed, are still open or are new between the last two drills. A drill's order is
its wall-clock ``ran_at``; a report written before drills recorded that is taken as
older than every dated one, and undated reports keep the order of their drill start
(a scenario's fictional clock, the only date they carry). It renders to the
console, Markdown and HTML, the last with a small inline SVG trend per automation
whose points carry their numbers as ``data-*`` attributes.
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path

from markupsafe import Markup
from pydantic import BaseModel, ConfigDict, Field
from rich import box
from rich.console import Console
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from drills.reports._present import coord, fmt_minute, nice_ticks, svg_child, svg_markup
from drills.reports.html import template_environment
from drills.reports.jsonout import load_report
from drills.reports.markdown import md_escape, md_table
from drills.reports.model import DrillReport

__all__ = [
    "AutomationTrend",
    "MultiReport",
    "TrendPoint",
    "render_multi_console",
    "render_multi_console_text",
    "render_multi_html",
    "render_multi_markdown",
    "run_order",
    "trend_svg",
]


def run_order(report: DrillReport) -> tuple[bool, float, datetime, str]:
    """Sort key putting drills in the order they were run: undated ones first (by their
    drill start), then by ``ran_at``; the drill id breaks ties."""
    ran = report.ran_at
    return (ran is not None, ran.timestamp() if ran is not None else 0.0, report.started,
            report.drill_id)


class TrendPoint(BaseModel):
    """One drill of one automation, as a trend shows it."""

    model_config = ConfigDict(frozen=True)

    drill_id: str
    scenario: str
    started: datetime
    ran_at: datetime | None = Field(default=None, description="wall-clock time it was run")
    score: int
    minutes_to_contain: float | None = Field(description="None: never contained")
    records_damaged: int
    records_left_wrong: int
    findings: int
    critical: int

    @classmethod
    def of(cls, report: DrillReport) -> TrendPoint:
        o = report.outcome
        return cls(
            drill_id=report.drill_id, scenario=report.scenario.name, started=report.started,
            ran_at=report.ran_at, score=report.score.value,
            minutes_to_contain=o.minutes_to_contain if o.contained else None,
            records_damaged=o.records_damaged, records_left_wrong=o.records_left_wrong,
            findings=len(report.findings), critical=len(report.critical),
        )

    @property
    def when(self) -> datetime:
        """The date a trend shows: when it was run, else (older reports) its drill start."""
        return self.ran_at if self.ran_at is not None else self.started


class AutomationTrend(BaseModel):
    """Every drill of one automation, oldest first, and what changed in the last one."""

    model_config = ConfigDict(frozen=True)

    automation: str
    points: list[TrendPoint] = Field(min_length=1)
    fixed: list[str] = Field(description="finding codes in the drill before the last only")
    still_open: list[str] = Field(description="finding codes in both of the last two drills")
    new: list[str] = Field(description="finding codes in the last drill only")

    @property
    def latest(self) -> TrendPoint:
        return self.points[-1]

    @property
    def score_change(self) -> int | None:
        """Score of the last drill minus the first; ``None`` with a single drill."""
        return self.points[-1].score - self.points[0].score if len(self.points) > 1 else None


class MultiReport(BaseModel):
    """Drill reports side by side: the same automation across quarters, or several."""

    model_config = ConfigDict(frozen=True)

    title: str = "Drill trends"
    reports: list[DrillReport] = Field(min_length=1)

    @classmethod
    def from_files(cls, paths: Iterable[str | Path], title: str = "Drill trends") -> MultiReport:
        """Load saved JSON reports; a bad file raises its :class:`ReportError` line."""
        return cls(title=title, reports=[load_report(p) for p in paths])

    def automations(self) -> list[str]:
        return sorted({r.automation for r in self.reports})

    def trends(self) -> list[AutomationTrend]:
        """One trend per automation (sorted by name), drills in the order they were run."""
        trends = []
        for name in self.automations():
            drills = sorted((r for r in self.reports if r.automation == name), key=run_order)
            last = {f.code for f in drills[-1].findings}
            before = {f.code for f in drills[-2].findings} if len(drills) > 1 else set()
            trends.append(AutomationTrend(
                automation=name,
                points=[TrendPoint.of(r) for r in drills],
                fixed=sorted(before - last) if len(drills) > 1 else [],
                still_open=sorted(before & last),
                new=sorted(last - before) if len(drills) > 1 else [],
            ))
        return trends


def _minutes(value: float | None) -> str:
    return "never" if value is None else fmt_minute(value)


def _change(trend: AutomationTrend) -> str:
    change = trend.score_change
    return "first drill" if change is None else f"{change:+d}"


# -- console -----------------------------------------------------------------------------


def render_multi_console(multi: MultiReport, console: Console) -> None:
    """Print one table per automation, oldest drill first."""
    trends = multi.trends()
    console.print(Text(f"{multi.title}: {len(multi.reports)} drills of "
                       f"{len(trends)} automation{'s' if len(trends) != 1 else ''}",
                       style="bold"))
    for trend in trends:
        console.print()
        console.print(Rule(Text(f"{trend.automation} · score {trend.latest.score}/100 "
                                f"({_change(trend)})", style="bold"), align="left"))
        table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False,
                      collapse_padding=True, header_style="bold", padding=(0, 0))
        for title, justify in (("drill", "left"), ("started", "left"), ("scenario", "left"),
                               ("score", "right"), ("to contain", "right"),
                               ("damaged", "right"), ("left wrong", "right"),
                               ("findings", "right"), ("critical", "right")):
            table.add_column(title, justify="right" if justify == "right" else "left",
                             overflow="fold", no_wrap=title in ("drill", "started"))
        for p in trend.points:
            table.add_row(Text(p.drill_id), Text(f"{p.when:%Y-%m-%d}"), Text(p.scenario),
                          Text(str(p.score)), Text(_minutes(p.minutes_to_contain)),
                          Text(f"{p.records_damaged:,}"), Text(f"{p.records_left_wrong:,}"),
                          Text(str(p.findings)), Text(str(p.critical)))
        console.print(table)
        if len(trend.points) > 1:
            console.print()
            console.print(Text.assemble(
                ("fixed since the drill before: ", "dim"), ", ".join(trend.fixed) or "none",
                ("\nstill open: ", "dim"), ", ".join(trend.still_open) or "none",
                ("\nnew: ", "dim"), ", ".join(trend.new) or "none",
            ))


def render_multi_console_text(multi: MultiReport, width: int = 100) -> str:
    """The console view as plain text at a fixed width (for files and golden tests)."""
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, color_system=None, force_terminal=False,
                      legacy_windows=False, highlight=False, emoji=False, _environ={})
    render_multi_console(multi, console)
    return "".join(line.rstrip() + "\n" for line in buffer.getvalue().splitlines())


# -- Markdown ----------------------------------------------------------------------------


def _codes(codes: Sequence[str]) -> str:
    return ", ".join(f"`{c}`" for c in codes) or "none"


def render_multi_markdown(multi: MultiReport) -> str:
    trends = multi.trends()
    out = [f"# {md_escape(multi.title)}", "",
           f"{len(multi.reports)} drills of {len(trends)} "
           f"automation{'s' if len(trends) != 1 else ''}.", ""]
    out.append(md_table(
        ["automation", "drills", "latest score", "change", "latest to contain"],
        [[md_escape(t.automation), str(len(t.points)), f"{t.latest.score}/100", _change(t),
          _minutes(t.latest.minutes_to_contain)] for t in trends],
        "lrrrr",
    ))
    for trend in trends:
        out += ["", f"## {md_escape(trend.automation)}", "", md_table(
            ["drill", "started", "scenario", "score", "to contain", "damaged", "left wrong",
             "findings", "critical"],
            [[f"`{p.drill_id}`", f"{p.when:%Y-%m-%d %H:%M}", md_escape(p.scenario),
              str(p.score), _minutes(p.minutes_to_contain), f"{p.records_damaged:,}",
              f"{p.records_left_wrong:,}", str(p.findings), str(p.critical)]
             for p in trend.points],
            "lllrrrrrr",
        )]
        if len(trend.points) > 1:
            out += ["", f"Fixed since the drill before: {_codes(trend.fixed)}  ",
                    f"Still open: {_codes(trend.still_open)}  ",
                    f"New: {_codes(trend.new)}"]
    out.append("")
    return "\n".join(out)


# -- HTML --------------------------------------------------------------------------------

_TW, _TH = 460.0, 190.0


def trend_svg(trend: AutomationTrend, measure: str = "score") -> Markup:
    """A small line chart of one automation's ``score`` (0-100) or ``minutes`` to contain,
    one point per drill, evenly spaced in drill order. Drills never contained are drawn
    as a cross above the plot (``data-minutes="never"``)."""
    left, right, top, bottom = 44.0, 16.0, 18.0, 34.0
    width, height = _TW - left - right, _TH - top - bottom
    points = trend.points
    if measure == "score":
        values: list[float | None] = [float(p.score) for p in points]
        y_max, title = 100.0, f"{trend.automation}: score per drill"
    elif measure == "minutes":
        values = [p.minutes_to_contain for p in points]
        y_max = nice_ticks(max([v for v in values if v is not None] + [10.0]), 4)[-1]
        title = f"{trend.automation}: minutes to contain per drill"
    else:
        raise ValueError(f"unknown measure {measure!r}; choose 'score' or 'minutes'")
    ticks = [0.0, 25.0, 50.0, 75.0, 100.0] if measure == "score" else nice_ticks(y_max, 4)

    inset = 36.0  # room for the first and last date labels

    def x(i: int) -> float:
        if len(points) == 1:
            return left + width / 2
        return left + inset + i * (width - 2 * inset) / (len(points) - 1)

    def y(v: float) -> float:
        return top + height - v / y_max * height

    svg = ET.Element("svg", {"class": f"chart trend trend-{measure}",
                             "viewBox": f"0 0 {coord(_TW)} {coord(_TH)}", "role": "img",
                             "aria-label": title, "data-automation": trend.automation})
    svg_child(svg, "title", title)
    for tick in ticks:
        svg_child(svg, "line", class_="grid", x1=left, x2=left + width, y1=y(tick), y2=y(tick))
        svg_child(svg, "text", f"{tick:g}", class_="tick y-tick", x=left - 6, y=y(tick) + 4)
    line = [(x(i), y(v)) for i, v in enumerate(values) if v is not None]
    if len(line) > 1:
        svg_child(svg, "polyline", class_="trend-line", stroke="#2563eb" if measure == "score"
                  else "#b91c1c", points=" ".join(f"{coord(a)},{coord(b)}" for a, b in line))
    for i, (p, v) in enumerate(zip(points, values, strict=True)):
        svg_child(svg, "text", f"{p.when:%Y-%m-%d}", class_="tick x-tick", x=x(i),
                  y=top + height + 18)
        attrs = {"data_drill": p.drill_id, "data_started": p.started.isoformat()}
        if p.ran_at is not None:
            attrs["data_ran_at"] = p.ran_at.isoformat()
        if measure == "score":
            attrs["data_score"] = str(p.score)
        else:
            attrs["data_minutes"] = "never" if v is None else str(v)
        if v is None:
            mark = svg_child(svg, "text", "\u00d7", class_="never", x=x(i), y=top + 4, **attrs)
            svg_child(mark, "title", f"{p.drill_id}: never contained")
            svg_child(svg, "text", "never contained", class_="value", x=x(i), y=top + 20)
            continue
        dot = svg_child(svg, "circle", class_="point", cx=x(i), cy=y(v), r=4.0, **attrs)
        label = f"{p.score}/100" if measure == "score" else fmt_minute(v)
        svg_child(svg, "text", label, class_="value", x=x(i), y=y(v) - 8)
        svg_child(dot, "title", f"{p.drill_id} ({p.when:%Y-%m-%d}): {label}")
    return svg_markup(svg)


def render_multi_html(multi: MultiReport) -> str:
    """One self-contained page: a summary table, then per automation its two trend
    charts, its drills and what changed in the last drill."""
    trends = multi.trends()
    template = template_environment().get_template("multi.html.j2")
    return template.render(
        m=multi, trends=trends,
        charts={t.automation: (trend_svg(t, "score"), trend_svg(t, "minutes")) for t in trends},
        minutes=_minutes, change=_change,
    )
