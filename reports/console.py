"""The drill report in a terminal: what the team reads the moment a drill ends.

It leads with the headline, then answers the questions in the order people ask them
in the room: how fast were we (phases), what did it hurt (damage by system, scope
accuracy), what do we fix first, and what does the rubric say. Everything comes from
:class:`~drills.reports.model.DrillReport`; nothing here knows the engine.

Text from the report (finding messages, log lines, names) goes into rich as
:class:`~rich.text.Text`, never as a markup string, so a ``[`` in a runbook step
cannot restyle or break the output. :func:`render_console_text` renders at a fixed
width with no colour, the way rich's own tests do, for golden files and ``.txt``
reports.
"""

from __future__ import annotations

import io

from rich import box
from rich.console import Console, Group, RenderableType
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from drills.reports._present import (
    PHASE_LABELS,
    cost_text,
    findings_by_severity,
    fix_first,
    fmt_clock,
    fmt_minute,
    fmt_pct,
    interrupted_note,
    no_source_text,
    ordered_phases,
    overall_scope,
    printable,
)
from drills.reports.comparison import comparison_rows, scope_rows
from drills.reports.findings import Severity
from drills.reports.incidenttext import (
    INCIDENT_NOTE,
    INCIDENT_TITLE,
    curve_rows,
    incident_rows,
    incident_sentence,
)
from drills.reports.model import DrillReport
from drills.reports.scoretext import harm_rows, summary_lines
from drills.reports.scoretext import score_title as title_of_score

__all__ = ["SEVERITY_STYLES", "render_console", "render_console_text"]

SEVERITY_STYLES: dict[Severity, str] = {
    Severity.CRITICAL: "bold white on red",
    Severity.HIGH: "bold red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.INFO: "dim",
}

_BAR = 20


def _table(*headers: tuple[str, str], tight: bool = False) -> Table:
    """A compact table; each header is ``(title, justify)``.

    ``tight`` leaves one space between columns instead of two (the damage table is wide).
    """
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, collapse_padding=True,
                  header_style="bold", padding=(0, 0) if tight else (0, 1))
    for index, (title, justify) in enumerate(headers):
        table.add_column(title, justify="right" if justify == "r" else "left",
                         overflow="fold", no_wrap=index == 0)
    return table


def _n(value: int) -> Text:
    return Text(f"{value:,}")


def _header(report: DrillReport) -> RenderableType:
    head = Text(report.headline(), style="bold")
    note = interrupted_note(report)
    if note is not None:
        head.append(f"\n{note}", style="bold yellow")
    meta = Text(
        f"scenario {report.scenario.name}: {report.scenario.title}\n"
        f"seed {report.seed} · {report.responder} responder · drill {report.drill_id} · "
        f"{report.started:%Y-%m-%d %H:%M} to {report.finished:%H:%M} drill time · "
        f"backend {report.backend}",
        style="dim",
    )
    if report.runbook is not None:
        meta.append(
            f"\nrunbook {report.runbook.path or '(not saved)'} · "
            f"owner {report.runbook.owner or 'nobody named'}"
        )
    else:
        meta.append("\nno runbook")
    return Group(head, meta)


def _numbers(report: DrillReport) -> Table:
    o = report.outcome
    table = Table(box=None, show_header=True, header_style="dim", pad_edge=False,
                  collapse_padding=True)
    cells = [
        ("to detect", fmt_minute(o.minutes_to_detect)),
        ("to contain", fmt_minute(o.minutes_to_contain) if o.contained else "never"),
        ("damaged", f"{o.records_damaged:,}"),
        ("after detection", f"{o.records_damaged_after_detection:,}"),
        ("left wrong", f"{o.records_left_wrong:,}"),
        ("overwritten", f"{o.human_edits_overwritten:,}"),
        ("duplicates", f"{o.duplicates_left:,}"),
        ("sent wrongly", f"{o.messages_sent_wrongly:,}"),
        ("unreconciled", f"{o.unreconciled:,}"),
    ]
    for title, _ in cells:
        table.add_column(title, justify="right")
    table.add_row(*(Text(value, style="bold") for _, value in cells))
    return table


def _phases(report: DrillReport) -> Table:
    table = _table(("phase", "l"), ("clock", "l"), ("minute", "r"), ("how", "l"))
    for phase in ordered_phases(report):
        style = "dim" if phase.minute is None else ""
        table.add_row(
            Text(PHASE_LABELS[phase.name], style=style),
            Text(fmt_clock(phase.at), style=style),
            Text(fmt_minute(phase.minute), style=style),
            Text(phase.how),
        )
    return table


def _damage(report: DrillReport) -> RenderableType:
    table = _table(
        ("system", "l"), ("damaged", "r"), ("after det", "r"), ("scoped", "l"),
        ("changed", "r"), ("wrong", "r"), ("safe", "r"), ("unclear", "r"),
        ("precision", "r"), ("recall", "r"), ("repaired", "r"), ("left wrong", "r"),
        tight=True,
    )
    for s in report.systems:
        missed = not s.scoped and s.damaged > 0
        table.add_row(
            Text(s.system), _n(s.damaged), _n(s.after_detection),
            Text("yes" if s.scoped else ("NO" if missed else "no"),
                 style="bold red" if missed else ""),
            _n(s.changed), _n(s.wrong), _n(s.safe), _n(s.unclear),
            Text(fmt_pct(s.precision)), Text(fmt_pct(s.recall)),
            _n(s.repaired), Text(f"{s.left_wrong:,}", style="bold red" if s.left_wrong else ""),
        )
    total = overall_scope(report.systems)
    table.add_section()
    table.add_row(
        Text("all", style="bold"), _n(total.damaged), _n(total.after_detection), Text(""),
        _n(total.changed), _n(total.wrong), _n(total.safe), _n(total.unclear),
        Text(fmt_pct(total.precision)), Text(fmt_pct(total.recall)),
        _n(total.repaired), _n(total.left_wrong),
    )
    scope = Text.assemble(
        "Scope precision ", (fmt_pct(total.precision), "bold"),
        " (share of scoped records really damaged) · recall ", (fmt_pct(total.recall), "bold"),
        " (share of damaged records the scope found)",
    )
    return Group(table, scope)


def _fix_first(report: DrillReport) -> RenderableType:
    ranked = fix_first(report)
    if not ranked:
        return Text("Nothing: no finding worth fixing first.", style="green")
    table = Table(box=None, show_header=False, pad_edge=False)
    table.add_column(justify="right")
    table.add_column(overflow="fold")
    for number, finding in enumerate(ranked, start=1):
        table.add_row(
            Text(f"{number}."),
            Text.assemble(
                (finding.code, "bold"), " ", (finding.severity.value,
                                              SEVERITY_STYLES[finding.severity]),
                f" · {cost_text(finding.cost)}\n", (finding.fix, ""),
            ),
        )
    return table


def _findings(report: DrillReport) -> RenderableType:
    if not report.findings:
        return Text("No findings.", style="green")
    parts: list[RenderableType] = []
    for severity, findings in findings_by_severity(report.findings):
        parts.append(Text(f"{severity.value.upper()} · {len(findings)}",
                          style=SEVERITY_STYLES[severity]))
        table = _table(("finding", "l"), ("what is wrong · how to fix it · what it cost", "l"))
        for f in findings:
            detail = Text(f.message)
            detail.append(f"\nfix: {f.fix}", style="green")
            detail.append(f"\ncost: {cost_text(f.cost)}")
            if f.where:
                detail.append(f"\nat {f.where}", style="dim")
            table.add_row(Text.assemble(f.code, "\n", (f.check.value, "dim")), detail)
        parts += [table, Text("")]
    return Group(*parts[:-1])


def _score(report: DrillReport) -> RenderableType:
    """This drill's harm beside doing nothing and the perfect response, and the verdict."""
    score = report.score
    if not score.harm and score.items:
        return _legacy_score(report)
    table = _table(("harm", "l"), ("weight", "r"), ("this drill", "r"), ("do nothing", "r"),
                   ("perfect", "r"))
    for label, weight, run, nothing, perfect in harm_rows(score):
        table.add_row(Text(label), Text(weight), Text(run, style="bold"), Text(nothing),
                      Text(perfect))
    lines = [Text(line, style="red" if line.startswith(("GATE", "not ready")) else "")
             for line in summary_lines(score)]
    return Group(table, *lines)


def _legacy_score(report: DrillReport) -> Table:
    """Per-check points, as reports written before the harm-based score carry them."""
    table = _table(("check", "l"), ("points", "r"), ("", "l"), ("lost to", "l"))
    for item in report.score.items:
        share = item.points / item.max_points if item.max_points else 0.0
        filled = round(share * _BAR)
        bar = Text("█" * filled, style="green" if share >= 0.8 else "yellow" if share >= 0.5
                   else "red")
        bar.append("░" * (_BAR - filled), style="dim")
        table.add_row(Text(item.check.value), Text(f"{item.points:g}/{item.max_points:g}"),
                      bar, Text(", ".join(item.lost_to)))
    table.add_section()
    table.add_row(Text("total", style="bold"), Text(report.score.text(), style="bold"),
                  Text(""), Text(""))
    return table


def _reconcile(report: DrillReport) -> RenderableType:
    if not report.reconcile:
        return Text("No counts were compared.", style="dim")
    table = _table(("left", "l"), ("count", "r"), ("right", "l"), ("count", "r"),
                   ("mismatched", "r"), ("", "l"))
    for r in report.reconcile:
        table.add_row(Text(r.left), _n(r.left_count), Text(r.right), _n(r.right_count),
                      _n(r.mismatched),
                      Text("ok", style="green") if r.ok else Text("DIFFER", style="bold red"))
    return table


def _checklist(report: DrillReport) -> RenderableType:
    table = Table(box=None, show_header=False, pad_edge=False)
    table.add_column()
    table.add_column(overflow="fold")
    table.add_column(style="dim", overflow="fold")
    for item in report.restart_checklist:
        table.add_row(Text("[x]", style="green") if item.done else Text("[ ]", style="red"),
                      Text(item.item), Text(item.detail))
    return table


def _versus(report: DrillReport) -> RenderableType:
    """A live drill: the team beside the runbook followed perfectly on the same seed."""
    c = report.comparison
    assert c is not None
    table = _table(("", "l"), ("team", "r"), ("runbook", "r"))
    for what, team, runbook in comparison_rows(c):
        table.add_row(Text(what), Text(team, style="bold"), Text(runbook))
    if not c.scope:
        return table
    scope = _table(("table", "l"), ("damaged", "r"), ("tagged", "r"), ("found", "r"),
                   ("precision", "r"), ("recall", "r"))
    for row in scope_rows(c.scope):
        scope.add_row(*(Text(cell) for cell in row))
    return Group(table, Text(""), Text("The team's submitted scope", style="bold"), scope)


def _incident(report: DrillReport) -> RenderableType:
    """An imported scenario's drill: the real incident's curve and stopping time beside it."""
    c = report.incident
    assert c is not None
    table = _table(("", "l"), ("real incident", "r"), ("this drill", "r"))
    for what, real, drill in incident_rows(c, interrupted=report.interrupted):
        table.add_row(Text(what), Text(real), Text(drill, style="bold"))
    curves = _table(("system", "l"), ("", "l"), ("changes per minute", "l"), ("", "l"))
    for row in curve_rows(c):
        curves.add_row(*(Text(cell) for cell in row))
    return Group(
        Text(f"{c.source} · {c.actor}: {c.reading}"),
        table,
        Text(""),
        curves,
        Text(INCIDENT_NOTE, style="dim"),
        Text(incident_sentence(c, interrupted=report.interrupted), style="bold"),
    )


def render_console(report: DrillReport, console: Console) -> None:
    """Print the report on ``console`` (a terminal, or a file console for a ``.txt``)."""
    report = printable(report)  # no text from a file reaches the terminal raw
    score_title = title_of_score(report)
    sections: list[tuple[str, RenderableType]] = [
        ("Phases", _phases(report)),
        *([("Team vs runbook", _versus(report))] if report.comparison else []),
        *([(INCIDENT_TITLE, _incident(report))] if report.incident else []),
        ("Damage by system", _damage(report)),
        ("What to fix first", _fix_first(report)),
        (f"Findings ({len(report.findings)})", _findings(report)),
        (score_title, _score(report)),
        ("Counts across systems", _reconcile(report)),
        ("Restart checklist", _checklist(report)),
    ]
    console.print(_header(report))
    console.print()
    console.print(_numbers(report))
    missing = no_source_text(report.outcome)
    if missing:
        console.print(Text(missing, style="yellow"))
    for title, body in sections:
        console.print()
        console.print(Rule(Text(title, style="bold"), align="left"))
        console.print(body)


def render_console_text(report: DrillReport, width: int = 100) -> str:
    """The console report as plain text at a fixed width: no colour, no terminal codes,
    and no influence from the environment (``COLUMNS``, ``NO_COLOR``, ``TERM``)."""
    buffer = io.StringIO()
    console = Console(
        file=buffer, width=width, color_system=None, force_terminal=False,
        legacy_windows=False, highlight=False, emoji=False, _environ={},
    )
    render_console(report, console)
    return "".join(line.rstrip() + "\n" for line in buffer.getvalue().splitlines())
