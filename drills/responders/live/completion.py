"""Tab completion for the live prompt: candidates for the word being typed.

Completion reads the same action table as ``help`` (:mod:`~drills.responders.live.help`)
and the same :class:`~drills.responders.live.commands.CommandContext` the grammar
checks against, so it only ever offers what the grammar accepts.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from drills.fakes.actors import ActorKind
from drills.responders.live.commands import (
    QUERY_KEYS,
    REPAIR_STRATEGIES,
    RESTART_STEPS,
    CommandContext,
)
from drills.responders.live.help import ACTIONS

__all__ = ["complete"]


def complete(before_cursor: str, ctx: CommandContext) -> list[str]:
    """Candidates for the word being typed, given everything before the cursor."""
    text = before_cursor.lstrip()
    prefix = re.match(r"^([A-Za-z][\w.-]*)\s*:\s*", text)
    if prefix and prefix.group(1) not in ACTIONS:
        text = text[prefix.end():]
    parts = text.split(" ")
    current = parts[-1]
    done = [p for p in parts[:-1] if p]
    if not done:
        names = [*ACTIONS, *(f"{m}:" for m in ctx.team if not prefix)]
        return _starting(names, current)
    action = "snapshot" if done[0] == "export" else done[0]
    args = done[1:]
    options: list[str]
    if action == "pause":
        options = [ctx.job] if not args else []
    elif action == "disable":
        options = [n for n, k in ctx.feeders.items() if k != "queue"] if not args else []
    elif action == "stop":
        options = [n for n, k in ctx.feeders.items() if k == "queue"] if not args else []
    elif action == "snapshot":
        options = [] if args[-1:] == ["as"] else [*ctx.systems, "as"]
    elif action == "query":
        return _complete_query(current, ctx)
    elif action == "diff":
        options = list(ctx.snapshots) if not args else [*ctx.systems, *ctx.tables]
    elif action == "tag":
        options = ["last", *ctx.tables] if not args else []
    elif action == "untag":
        options = ["all", *ctx.tables] if not args else []
    elif action == "scope":
        options = ["submit"] if not args else []
    elif action == "repair":
        if not args:
            options = list(REPAIR_STRATEGIES)
        elif len(args) == 1:
            options = ["sample", "10%", "50%", "100%", "all"]
        else:
            options = []
    elif action == "restart":
        options = list(RESTART_STEPS) if not args else []
    elif action in ("help",):
        options = list(ACTIONS) if not args else []
    elif action == "as":
        options = list(ctx.team) if not args else []
    elif action == "end":
        options = ["yes"] if not args else []
    else:
        options = []
    return _starting([o for o in options if o not in args], current)


def _complete_query(current: str, ctx: CommandContext) -> list[str]:
    key, eq, value = current.partition("=")
    if not eq:
        return _starting([f"{k}=" for k in QUERY_KEYS], current)
    values: dict[str, Sequence[str]] = {
        "run": ctx.run_ids,
        "actor": [k.value for k in ActorKind],
        "system": ctx.systems,
        "table": ctx.tables,
    }
    return [f"{key}={v}" for v in _starting(list(values.get(key, ())), value)]


def _starting(options: Sequence[str], word: str) -> list[str]:
    return [o for o in dict.fromkeys(options) if o.startswith(word)]
