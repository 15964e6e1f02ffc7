"""What each live action is for: the table ``help`` prints, the grammar and completion read.

One :class:`ActionHelp` per action (usage, a one-line summary, an example, more detail)
in :data:`ACTIONS`, in the order ``help`` lists them. Where an action is what one of
the drill's rules asks for, the summary says "rule N": the rules are written out in
``docs/rules.md``, and the help says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["ACTIONS", "RULES_DOC", "ActionHelp", "help_text"]

RULES_DOC = "docs/rules.md"
"""Where the rules the help cites as "rule N" are written out."""


@dataclass(frozen=True)
class ActionHelp:
    usage: str
    summary: str
    example: str
    detail: str = ""
    world: bool = True
    """Whether the action goes to the drill (and its log); False for help, as, end."""


ACTIONS: dict[str, ActionHelp] = {
    "pause": ActionHelp(
        "pause [JOB]", "pause the job itself (rule 1: pause first, investigate second)",
        "pause invoice-reminder",
        "Without a name it pauses the drill's automation. Webhooks and schedules still "
        "deliver to a paused job: disable them too."),
    "disable": ActionHelp(
        "disable FEEDER", "turn off a webhook, schedule or chained job feeding the job",
        "disable billing.invoice-updated"),
    "stop": ActionHelp(
        "stop QUEUE", "stop an outgoing queue (e.g. the email outbox) so nothing more is sent",
        "stop email.outbox"),
    "hold": ActionHelp(
        "hold FEEDER", "turn a feeder off holding its events: none lost, drained after the fix",
        "hold payments.order-paid",
        "Unlike 'disable', nothing is lost or given up by a sender whose retries run out; "
        "the restart drains what it held through the job."),
    "dedupe": ActionHelp(
        "dedupe", "make the job skip a delivery of an event id it has already handled",
        "dedupe", "Answers a redelivery storm: each event runs the job once from now on."),
    "latest": ActionHelp(
        "latest", "make the job apply an event only when newer than its record's last one",
        "latest", "Answers events out of order: an older event arriving late changes nothing."),
    "retry": ActionHelp(
        "retry WEBHOOK every=DURATION for=DURATION",
        "set a webhook sender's retry policy for the incident", "retry payments.order-paid "
        "every=10m for=24h", "Long enough that the sender gives up on nothing before the "
        "restart."),
    "snapshot": ActionHelp(
        "snapshot SYSTEM... [as NAME]",
        "copy the systems' tables aside before anyone edits by hand (rule 3)",
        "snapshot billing email warehouse",
        "The copy is named snap1, snap2, ... unless you name it; 'diff' compares against it."),
    "query": ActionHelp(
        "query [run=ID] [batch=ID] [window=HH:MM-HH:MM] [since=HH:MM] [until=HH:MM] "
        "[actor=KIND|NAME] [system=S] [table=T]",
        "ask the change log which records a run, batch, window or actor touched (rule 4)",
        "query actor=automation since=09:10",
        "Filters combine. The answer counts records per table and names the runs and "
        "actors it saw; 'tag last' puts its records in the team's scope."),
    "diff": ActionHelp(
        "diff SNAPSHOT [SYSTEM|TABLE...]",
        "compare a snapshot with the live tables: records changed, added, removed since",
        "diff snap1 billing",
        "'tag last' puts the differing records in the team's scope."),
    "tag": ActionHelp(
        "tag last | tag TABLE KEYS", "put records in the team's scope (not yet submitted)",
        "tag billing.invoices 4,9,12-20",
        "'tag last' takes every record of the last query or diff."),
    "untag": ActionHelp(
        "untag TABLE KEYS | untag TABLE | untag all", "take records out of the team's scope",
        "untag billing.invoices 9"),
    "scope": ActionHelp(
        "scope [submit]", "show the tagged records per table, or submit them as the scope",
        "scope submit",
        "The submitted scope is what gets repaired and is graded against ground truth."),
    "repair": ActionHelp(
        "repair STRATEGY [sample N | N% | all]",
        "repair the submitted scope: bulk_revert, script or manual; a sample, a stage, or all",
        "repair script sample 20",
        "Stages count from the first record: 'repair script 50%' repairs up to half. A "
        "repair with no sample before it overwrites what people changed (rule 5)."),
    "reconcile": ActionHelp(
        "reconcile", "bring every copy up to date and compare counts across systems",
        "reconcile"),
    "notify": ActionHelp(
        "notify [TEXT]", "send the first note to the people affected, later an update (rule 6)",
        "notify reminders paused, duplicates being marked"),
    "cause": ActionHelp(
        "cause TEXT", "write down the exact cause in one sentence (rule 7)",
        "cause the rule fired once per changed field instead of once per edit"),
    "restart": ActionHelp(
        "restart test | restart ramp N | restart normal",
        "restart with proof: a test record, then a tiny batch, then normal volume (rule 7)",
        "restart ramp 1"),
    "note": ActionHelp(
        "note TEXT", "add a line to the shared log (a finding, a decision, who does what)",
        "note support is answering the complaints"),
    "twist": ActionHelp(
        "twist owner-unreachable | twist escalation [TEXT] | twist second-batch [N] | "
        "twist feeder-on FEEDER",
        "the facilitator's twists: the owner goes dark, a customer escalates, the sender "
        "replays N records, a feeder turns itself back on",
        "twist second-batch 20",
        "For whoever runs the drill (the room's facilitator). The owner unreachable: only "
        "a backup who may pause can, else pausing waits for escalation. A second batch "
        "and a feeder back on do real damage if the job is not contained."),
    "as": ActionHelp(
        "as NAME", "act as someone else of the team from now on (or prefix a line 'NAME: ')",
        "as bob", world=False),
    "help": ActionHelp("help [ACTION]", "list the actions, or explain one", "help repair",
                       world=False),
    "end": ActionHelp("end", "finish the drill and write the report (asks to confirm)", "end",
                      world=False),
}


def help_text(action: str | None = None) -> str:
    """``help``: one line per action; ``help ACTION``: its usage, what it does, an example."""
    if action is None:
        width = max(len(a) for a in ACTIONS)
        lines = [f"{name:<{width}}  {h.summary}" for name, h in ACTIONS.items()]
        lines.append("Prefix a line with 'NAME: ' to act as someone else; Tab completes; "
                     "'help ACTION' explains one.")
        lines.append(f"'rule N' is rule N of the drill's rules, in {RULES_DOC}.")
        return "\n".join(lines)
    h = ACTIONS[action]
    text = f"{h.usage}\n  {h.summary}\n  e.g. {h.example}"
    if h.detail:
        text += f"\n  {h.detail}"
    rules = sorted(set(re.findall(r"\brule (\d+)", f"{h.summary} {h.detail}")), key=int)
    if rules:
        text += f"\n  rule {', '.join(rules)}: see {RULES_DOC}"
    return text
