"""``drills init NAME``: scaffold a one-page runbook and a matching drill for a new automation.

Writes ``DIR/NAME.runbook.yaml`` and ``DIR/NAME.scenario.yaml``, both checked through
the real models before anything touches the disk (:mod:`drills.runbook.scaffold`). At a
terminal it asks for what only the team knows (owner, backup owner, stop rules, the
table and what the job can hurt); ``--yes``, or no terminal, takes flags and defaults
so CI and scripts never hang on a prompt. ``--interactive`` forces the questions even
without a terminal, which is how the prompts are tested.

Bad input is one ``drills: error:`` line, exit 2, and nothing written; so are files
that exist already, unless ``--force``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import click

from drills.cli.main import EXIT_OK
from drills.errors import DrillsError, did_you_mean
from drills.runbook.scaffold import (
    PLACEHOLDER_OWNER,
    InitOptions,
    ScaffoldError,
    build_scaffold,
    default_fault,
    default_stop_rules,
    parse_feeder,
    parse_stop_rules,
    parse_touches,
    resolve_table,
    write_scaffold,
)
from drills.scenarios.schema import FAULT_KINDS, check_slug

__all__ = ["command"]


T = TypeVar("T")


def _checked(convert: Callable[[str], T]) -> Callable[[str], T]:
    """Wrap a parser so a bad answer re-asks the question instead of ending the command."""

    def proc(value: str) -> T:
        try:
            return convert(value)
        except DrillsError as err:
            raise click.BadParameter(str(err)) from None

    return proc


def _check_upfront(name: str, fault: str | None) -> None:
    """Refuse a bad NAME or --fault before asking anything, so nobody answers in vain."""
    try:
        check_slug(name)
    except ValueError as err:
        raise ScaffoldError(f"NAME: {err}") from None
    if fault is not None and fault not in FAULT_KINDS:
        raise ScaffoldError(
            f"--fault: unknown fault kind '{fault}'{did_you_mean(fault, FAULT_KINDS)}"
        )


@click.command("init")
@click.argument("name")
@click.option("--dir", "folder", type=click.Path(path_type=Path), default=Path("."),
              show_default=True, help="Folder to write the two files into.")
@click.option("--owner", default=None, help="The one person who owns the automation.")
@click.option("--backup-owner", default=None, help="Who owns it when the owner is away.")
@click.option("--owner-can-pause/--owner-cannot-pause", default=True, show_default=True,
              help="Whether the owner may pause the job without asking anyone.")
@click.option("--world", type=click.Path(path_type=Path), default=None,
              help="A world.yaml declaring your own systems (docs/worlds.md); default: "
                   "the built-in ones.")
@click.option("--system", default=None, help="The system the job works in, e.g. billing.")
@click.option("--table", default=None,
              help="The table the job works through, as system.table (default billing.invoices).")
@click.option("--touches", default=None,
              help="What a bad run can hurt: money, customer_messages, legal_records, access.")
@click.option("--feeder", "feeders", multiple=True, metavar="KIND:NAME",
              help="Something that feeds the job (schedule, webhook, chained, queue); repeat.")
@click.option("--stop-rule", "stop_rules", multiple=True, metavar="RULE",
              help="A checkable stop rule, like 'duplicate_messages >= 1'; repeat.")
@click.option("--fault", default=None,
              help="The fault the drill injects (default: one that fits the job).")
@click.option("-y", "--yes", is_flag=True, help="Ask nothing; take flags and defaults.")
@click.option("--interactive", is_flag=True,
              help="Ask the questions even when stdin is not a terminal.")
@click.option("--force", is_flag=True, help="Overwrite files that exist already.")
def command(
    name: str,
    folder: Path,
    owner: str | None,
    backup_owner: str | None,
    owner_can_pause: bool,
    world: Path | None,
    system: str | None,
    table: str | None,
    touches: str | None,
    feeders: tuple[str, ...],
    stop_rules: tuple[str, ...],
    fault: str | None,
    yes: bool,
    interactive: bool,
    force: bool,
) -> None:
    """Scaffold NAME.runbook.yaml and NAME.scenario.yaml for a new automation NAME.

    \b
    Examples:
      drills init invoice-reminder --touches money,customer_messages --owner "Dana Whitfield"
      drills init deal-closer --table crm.deals --feeder webhook:esign.done --yes
      drills init plan-sync --world worlds/subscriptions.yaml --table stripe.subscriptions
    Exit codes: 0 written, 2 bad input or the files exist (use --force).
    """
    if yes and interactive:
        raise ScaffoldError("--yes and --interactive contradict each other; choose one")
    _check_upfront(name, fault)
    ask = interactive or (not yes and sys.stdin.isatty())
    catalog = InitOptions(name=name, world=world).catalog
    chosen_table = resolve_table(system, table, catalog)
    risks = parse_touches(touches) if touches is not None else []
    if ask:
        chosen_table = click.prompt(
            "Table the job works through (system.table)", default=chosen_table,
            value_proc=_checked(lambda v: resolve_table(None, v.strip(), catalog)),
        )
        risks = click.prompt(
            "What can a bad run hurt (money, customer_messages, legal_records, access; "
            "'none' for nothing)",
            default=",".join(risks) or "none",
            value_proc=_checked(lambda v: [] if v.strip() == "none" else parse_touches(v)),
        )
        owner = click.prompt("Owner (one person)", default=owner or PLACEHOLDER_OWNER)
        backup_owner = click.prompt("Backup owner", default=backup_owner or PLACEHOLDER_OWNER)
        owner_can_pause = click.confirm("May the owner pause the job without asking anyone?",
                                        default=owner_can_pause)
    rules = parse_stop_rules(stop_rules)
    parsed_feeders = tuple(parse_feeder(f, catalog) for f in feeders)
    if ask:
        kind = fault or default_fault(risks, chosen_table, catalog)
        suggested = rules or default_stop_rules(kind, risks)
        rules = click.prompt(
            "Stop rules, separated by ';'", default="; ".join(suggested),
            value_proc=_checked(lambda v: parse_stop_rules(r for r in v.split(";") if r.strip())),
        )
    options = InitOptions(
        name=name,
        table=chosen_table,
        touches=tuple(risks),
        owner=owner if owner is not None else PLACEHOLDER_OWNER,
        backup_owner=backup_owner if backup_owner is not None else PLACEHOLDER_OWNER,
        owner_can_pause=owner_can_pause,
        feeders=parsed_feeders,
        stop_rules=tuple(rules),
        fault=fault,
        world=world,
        folder=folder,
    )
    scaffold = build_scaffold(options)
    for path in write_scaffold(scaffold, folder, force=force):
        click.echo(f"wrote {path}")
    click.echo(
        f"next: fill in the commented parts, then run "
        f"drills check {folder / (name + '.runbook.yaml')} "
        f"--scenario {folder / (name + '.scenario.yaml')}"
    )
    click.get_current_context().exit(EXIT_OK)
