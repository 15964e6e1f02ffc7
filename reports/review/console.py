"""The readiness review in a terminal: the ranking first, then what to chase people for.

One row per automation, least ready first: its score against the bar its risk class
sets, when it was last drilled, whether it regressed, and its three costliest gaps.
Below the table: the gates (each makes its automation not ready whatever the score),
where each score comes from and its largest losses, the regressions, then the owners
and exports missing across every automation (the list an advisor sends round), then
notes. The per-automation detail (the harm side by side, every point lost, every gap) is
in the Markdown and HTML reviews.

Text from the review goes into rich as :class:`~rich.text.Text`, never markup;
:func:`render_review_console_text` renders at a fixed width without colour for files
and golden tests, like :func:`drills.reports.console.render_console_text`.
"""

from __future__ import annotations

import io

from rich import box
from rich.console import Console
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from drills.reports._present import printable
from drills.reports.console import SEVERITY_STYLES
from drills.reports.review.model import ReadinessReview
from drills.reports.review.present import (
    basis_text,
    points,
    short_age,
    short_cost,
    verdict,
    when,
)

__all__ = ["render_review_console", "render_review_console_text"]


def render_review_console(review: ReadinessReview, console: Console) -> None:
    """Print the review: headline, ranking, regressions, missing owners and exports."""
    review = printable(review)  # no text from a file reaches the terminal raw
    console.print(Text(f"{review.title}: {review.headline()}", style="bold"))
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, collapse_padding=True,
                  header_style="bold", padding=(0, 1))
    for title, right in (("#", True), ("automation", False), ("risk", False),
                         ("score", True), ("verdict", False), ("last drill", False),
                         ("top gaps (cost)", False)):
        table.add_column(title, justify="right" if right else "left", overflow="fold",
                         no_wrap=title in ("#", "score"))
    for a in review.automations:
        score = Text(f"{a.score}/{a.threshold}", style="" if a.score >= a.threshold else "red")
        state = Text(verdict(a), style="green" if a.ready else "bold red")
        if a.regressed:
            state.append("\nregressed", style="bold yellow")
        gaps = Text()
        for i, gap in enumerate(a.top_gaps()):
            if i:
                gaps.append("\n")
            gaps.append(gap.finding.code, style=SEVERITY_STYLES[gap.finding.severity])
            gaps.append(f" ({short_cost(gap)})")
        table.add_row(Text(str(a.rank)), Text(a.automation), Text(a.risk_label), score, state,
                      Text("now\nby this review" if a.last_drill_now
                           else f"{when(a.last_drill)}\n{short_age(a.age)}"),
                      gaps or Text("none"))
    console.print(table)
    console.print(Text("score: out of 100 / the bar its risk class sets; last drill: its date, "
                       "age and the share that counts (now: drilled by this review); "
                       "damaged and wrong: records damaged and records left wrong, apart",
                       style="dim"))
    gated = [a for a in review.automations if a.gates]
    if gated:
        console.print()
        console.print(Rule(Text("Gates: not ready whatever the score", style="bold"),
                           align="left"))
        for a in gated:
            for g in a.gates:
                console.print(Text.assemble((a.automation, "bold"), f" ({g.scenario}): ",
                                            (g.code.value, "bold red"), f": {g.message}"))
    console.print()
    for a in review.automations:
        lost = ", ".join(f"{x.code} {points(x.points)}" for x in a.lost[:4])
        more = f" and {len(a.lost) - 4} more" if len(a.lost) > 4 else ""
        console.print(Text.assemble((a.automation, "bold"), f" {a.score}/100: ",
                                    basis_text(a), f" Lost: {lost or 'nothing'}{more}."),
                      style="dim")
    regressed = review.regressed
    if regressed:
        console.print()
        console.print(Rule(Text("Regressed since the drill before", style="bold"), align="left"))
        for a in regressed:
            for r in a.regressions:
                console.print(Text.assemble((a.automation, "bold"), f" ({r.scenario}): ",
                                            r.summary))
    if review.missing:
        console.print()
        console.print(Rule(Text("Owners and exports missing", style="bold"), align="left"))
        for a in review.automations:
            mine = [m for m in review.missing if m.automation == a.automation]
            if not mine:
                continue
            line = Text.assemble((a.automation, "bold"), ": ")
            for kind in ("owner", "export"):
                codes = [m for m in mine if m.kind == kind]
                if not codes:
                    continue
                if kind == "export" and len(line) > len(a.automation) + 2:
                    line.append("; ")
                line.append(f"{kind}s ")
                for i, m in enumerate(codes):
                    line.append(", " if i else "")
                    line.append(m.code, style=SEVERITY_STYLES[m.severity])
            console.print(line)
        console.print(Text("the Markdown and HTML reviews say what each one means and how to "
                           "close it", style="dim"))
    notes = review.notes + [f"{a.automation}: {n}" for a in review.automations for n in a.notes]
    if notes:
        console.print()
        for note in notes:
            console.print(Text(f"note: {note}", style="dim"))


def render_review_console_text(review: ReadinessReview, width: int = 120) -> str:
    """The console view as plain text at a fixed width (for files and golden tests)."""
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, color_system=None, force_terminal=False,
                      legacy_windows=False, highlight=False, emoji=False, _environ={})
    render_review_console(review, console)
    return "".join(line.rstrip() + "\n" for line in buffer.getvalue().splitlines())
