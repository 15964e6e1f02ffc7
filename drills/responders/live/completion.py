"""Tab completion for the live prompt: candidates for the word being typed.

Completion reads the same action table as ``help`` (:mod:`~drills.responders.live.help`)
and the same :class:`~drills.responders.live.commands.CommandContext` the grammar
checks against, so it only ever offers what the grammar accepts: action and field
names, and the values a team would otherwise copy off the screen - the runs and
batches its queries have shown, systems and tables, actor kinds and names, and the
drill-clock times the screen has shown for ``since=``, ``until=`` and ``window=``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from drills.fakes.actors import ActorKind
from drills.responders.live.commands import (
    QUERY_KEYS,
    REPAIR_STRATEGIES,
    RESTART_STEPS,
    TWISTS,
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
    elif action == "hold":
        options = list(ctx.feeders) if not args else []
    elif action == "retry":
        options = ([n for n, k in ctx.feeders.items() if k == "webhook"] if not args
                   else [w for w in ("every=", "for=") if not any(a.startswith(w) for a in args)])
    elif action == "stop":
        options = [n for n, k in ctx.feeders.items() if k == "queue"] if not args else []
    elif action == "snapshot":
        options = [] if args[-1:] == ["as"] else [*ctx.systems, "as"]
    elif action == "query":
        return _complete_query(current, args, ctx)
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
    elif action == "twist":
        options = list(TWISTS) if not args else (
            list(ctx.feeders) if args == ["feeder-on"] else [])
    elif action in ("help",):
        options = list(ACTIONS) if not args else []
    elif action == "as":
        options = list(ctx.team) if not args else []
    elif action == "end":
        options = ["yes"] if not args else []
    else:
        options = []
    return _starting([o for o in options if o not in args], current)


def _complete_query(current: str, done: Sequence[str], ctx: CommandContext) -> list[str]:
    """A filter name (``batch=``), or a value for the filter being typed: the runs and
    batches the team's queries have shown, actor kinds and the team's names, systems,
    tables, and the drill-clock times on the screen (``window=`` takes a start, then
    ``-`` and an end after it)."""
    key, eq, value = current.partition("=")
    if not eq:
        given = {w.partition("=")[0] for w in done}
        if "window" in given:
            given |= {"since", "until"}
        if given & {"since", "until"}:
            given.add("window")
        return _starting([f"{k}=" for k in QUERY_KEYS if k not in given], current)
    if key == "window":
        start, dash, end = value.partition("-")
        if not dash:
            return [f"window={t}-" for t in _starting(ctx.times, start)
                    if any(later > t for later in ctx.times)]  # a start with an end after it
        return [f"window={start}-{t}" for t in _starting(ctx.times, end) if t > start]
    values: dict[str, Sequence[str]] = {
        "run": ctx.run_ids,
        "batch": ctx.batch_ids,
        "actor": [*(k.value for k in ActorKind), *ctx.team],
        "system": ctx.systems,
        "table": ctx.tables,
        "since": ctx.times,
        "until": ctx.times,
    }
    return [f"{key}={v}" for v in _starting(list(values.get(key, ())), value)]


def _starting(options: Sequence[str], word: str) -> list[str]:
    return [o for o in dict.fromkeys(options) if o.startswith(word)]
