"""The live drill's screen: what the room watches while the damage spreads.

:func:`render_status` draws a :class:`~drills.responders.live.drill.LiveView` with rich into
ANSI text at a given width (the session wraps it for prompt_toolkit): the drill
clock, the damaged records by system and the records left wrong right now (the
judge's count against ground truth, labelled so: the screen is the facilitator's
view, and a team learns it only by looking), alerts and complaints as they arrive, the job
and each feeder's state, and the tail of the shared action log. It is a pure
function of the view, so it is tested by rendering to a string.
"""

from __future__ import annotations

import io
from datetime import datetime

from rich import box
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from drills.responders.live.drill import LiveView

__all__ = ["render_status"]


def _minutes(view: LiveView, at: datetime) -> str:
    return f"+{(at - view.started).total_seconds() / 60:.0f} min"


def render_status(view: LiveView, width: int, *, who: str = "", log_lines: int = 8,
                  color: bool = True) -> str:
    """The status area as text with ANSI colours (or plain with ``color=False``)."""
    head = Text()
    head.append("DRILL ", style="bold")
    if view.clock is not None:
        head.append(f"clock {view.clock:%H:%M:%S} ", style="bold cyan")
        head.append(f"({_minutes(view, view.clock)}) ")
    else:
        head.append("building the world ... ", style="yellow")
    head.append(f"· speed x{view.speed:g} ")
    if who:
        head.append(f"· acting: {who} ", style="bold")
    if view.replaying:
        head.append("· REPLAYING JOURNAL", style="bold yellow")
    if view.playing_out:
        head.append("· ENDED: PLAYING OUT THE REST OF THE WINDOW", style="bold magenta")
    if view.over:
        head.append("· DRILL OVER", style="bold magenta")
    if view.error:
        head.append(f"\nerror: {view.error}", style="bold red")

    damage = Text()
    damage.append(f"damaged records {view.damaged:,}", style="bold red" if view.damaged else "")
    if view.left_wrong is not None:
        damage.append(f"  left wrong {view.left_wrong:,}",
                      style="bold red" if view.left_wrong else "green")
        damage.append(" (judge's count)", style="dim")
    if view.by_system:
        damage.append("  " + "  ".join(f"{s} {n:,}" for s, n in view.by_system.items()))

    state = Text()
    job = "CONTAINED" if view.contained else ("paused" if view.job_paused else "RUNNING")
    state.append(f"job {view.job}: ", style="bold")
    state.append(job, style="green" if view.contained else "yellow" if view.job_paused
                 else "bold red")
    for name, kind, live in view.feeders:
        state.append(f"  {kind} {name}: ")
        state.append("on" if live else "off", style="bold red" if live else "green")
    if view.restarted:
        state.append("  (restarted)", style="cyan")
    state.append(f"  notes sent {view.notes}")
    if view.snapshots:
        state.append(f"  snapshots {', '.join(view.snapshots)}")

    alerts = Table(box=None, show_header=False, pad_edge=False, padding=(0, 1), expand=False)
    alerts.add_column(no_wrap=True, style="dim")
    alerts.add_column(overflow="fold")
    if view.detected is None:
        alerts.add_row("", Text("no alert yet", style="dim"))
    for at, what in view.alerts[-4:]:
        alerts.add_row(f"{at:%H:%M:%S}", Text(what, style="bold red" if "ALERT" in what
                                               else "yellow"))

    log = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, padding=(0, 1),
                header_style="bold", expand=False)
    log.add_column("time", no_wrap=True, style="dim")
    log.add_column("who", no_wrap=True, style="cyan")
    log.add_column("shared log", overflow="fold")
    for entry in view.log[-log_lines:]:
        log.add_row(f"{entry.at:%H:%M:%S}", entry.who, Text(entry.what))
    if not view.log:
        log.add_row("", "", Text("nothing logged yet", style="dim"))

    out = io.StringIO()
    console = Console(file=out, width=width, force_terminal=color, color_system="standard"
                      if color else None, highlight=False, no_color=not color)
    console.print(Group(head, damage, state, Text("alerts and complaints", style="bold"),
                        alerts, log))
    return out.getvalue().rstrip("\n")
