"""``drills scenarios``: the built-in scenario library at a glance.

A team picking its first drill wants to see what can go wrong, to which job, in which
systems and at what size, before reading any YAML; CI and scripts want the same as
JSON. The systems are each scenario's own (a declared world's HubSpot and Stripe, not
the built-in names). On a narrow terminal the automation and the title move under the
name so every column stays readable.
"""

from __future__ import annotations

import json

import click
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from drills.scenarios.loader import ScenarioInfo, builtin_scenarios

__all__ = ["WIDE", "command", "render_json", "render_table"]

WIDE = 160
"""Terminal width from which the automation and the title get columns of their own."""


def render_table(infos: list[ScenarioInfo], *, width: int = WIDE) -> Table:
    """The library as a rich table: name, automation, fault, systems, size and title."""
    wide = width >= WIDE
    longest = max((len(i.name) for i in infos), default=4)
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, expand=False)
    table.add_column("name" if wide else "name / automation / title", style="bold",
                     min_width=longest)
    if wide:
        table.add_column("automation", no_wrap=True)
    table.add_column("fault", no_wrap=wide, max_width=None if wide else 13)
    table.add_column("systems", min_width=9, max_width=None if wide else 14)
    table.add_column("size", justify="right", no_wrap=True)
    if wide:
        table.add_column("title", min_width=30)
    for info in infos:
        size = f"{info.records:,}"
        systems = ", ".join(info.systems)
        if wide:
            table.add_row(info.name, info.automation, info.fault, systems, size, info.title)
        else:
            cell = Text(info.name, style="bold")
            cell.append("\n" + info.automation, style="not bold")
            cell.append("\n" + info.title, style="not bold dim")
            table.add_row(cell, info.fault.replace("_", " "), systems, size)
    return table


def render_json(infos: list[ScenarioInfo]) -> str:
    """The library as a JSON list, one object per scenario (``records`` is the world size,
    ``automation`` the job it drills, ``systems`` those of its own world)."""
    return json.dumps(
        [
            {
                "name": i.name,
                "automation": i.automation,
                "fault": i.fault,
                "systems": list(i.systems),
                "records": i.records,
                "title": i.title,
                "path": str(i.path),
            }
            for i in infos
        ],
        indent=2,
    )


@click.command("scenarios")
@click.option("--json", "as_json", is_flag=True, help="Print the library as JSON.")
def command(as_json: bool) -> None:
    """List the built-in scenarios: name, automation, fault, systems, size and title.

    Give a name wherever a scenario file is expected, or copy its file (the `path` in
    --json) as the start of your own.
    """
    infos = builtin_scenarios()
    if as_json:
        click.echo(render_json(infos))
        return
    console = Console(highlight=False)
    console.print(render_table(infos, width=console.width))
