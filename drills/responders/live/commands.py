"""The live drill's command language: parse and check what people type.

A live drill is people typing at a prompt while the damage spreads, so a typo must
never cost anything: every line is parsed and checked here, against what the drill
knows (the job, its feeders, the systems, the snapshots taken), before it reaches
the world. A line with a mistake becomes one :class:`CommandError` that says what
is wrong and how to write it, and nothing changes. ``help`` and ``help ACTION``
come from the table in :mod:`~drills.responders.live.help`, which this grammar and
completion (:mod:`~drills.responders.live.completion`) read too, so the three never
disagree.

Everything here is a pure function of the text and a :class:`CommandContext`: no
terminal, no database, no clock. The screen (:mod:`drills.responders.live.screen`) and the
responder (:mod:`drills.responders.live.responder`) do the rest.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from drills.errors import DrillsError, did_you_mean
from drills.fakes.actors import ActorKind
from drills.files import parse_duration
from drills.responders.live.help import ACTIONS, ActionHelp, help_text

__all__ = [
    "ACTIONS",
    "MAX_KEYS",
    "REPAIR_STRATEGIES",
    "SECOND_BATCH",
    "TWISTS",
    "ActionHelp",
    "Command",
    "CommandContext",
    "CommandError",
    "help_text",
    "parse_command",
    "parse_keys",
    "query_filters",
]

MAX_KEYS = 100_000
"""The most record keys one ``tag`` line may name: a key list is for a handful, not a table."""

REPAIR_STRATEGIES = ("bulk_revert", "script", "manual")
QUERY_KEYS = ("run", "batch", "window", "since", "until", "actor", "system", "table")
RESTART_STEPS = ("test", "ramp", "normal")
TWISTS = ("owner-unreachable", "escalation", "second-batch", "feeder-on")
"""The facilitator's twists (``twist KIND``): :mod:`drills.responders.live.twists` applies them."""
SECOND_BATCH = 20
"""Records a ``twist second-batch`` replays when it names no number."""


class CommandError(DrillsError):
    """A line the drill cannot act on; ``str(err)`` says what is wrong and how to write it."""


@dataclass(frozen=True)
class CommandContext:
    """What the drill knows that a command is checked against."""

    job: str
    feeders: Mapping[str, str]
    """Feeder name -> kind (queue, webhook, schedule, chained)."""
    systems: Sequence[str]
    tables: Sequence[str]
    day: date
    team: Sequence[str] = ("team",)
    snapshots: Sequence[str] = ()
    run_ids: Sequence[str] = ()
    """Runs seen so far, for completion only: finding the run is the team's job."""
    batch_ids: Sequence[str] = ()
    """Batches the team's queries have shown, for completion only."""
    times: Sequence[str] = ()
    """Drill-clock times (HH:MM) the screen has shown - the drill's start, alerts, the
    shared log, the clock now - for completing since=, until= and window=."""


@dataclass(frozen=True)
class Command:
    """One checked line: the action, its arguments, and who typed it."""

    action: str
    args: Mapping[str, Any] = field(default_factory=dict)
    text: str = ""
    """The line as typed, without a ``NAME:`` prefix."""
    who: str | None = None
    """The ``NAME:`` prefix, if the line had one."""

    @property
    def world(self) -> bool:
        return ACTIONS[self.action].world


# -- parsing -------------------------------------------------------------------------------


def parse_command(line: str, ctx: CommandContext) -> Command:
    """Check one typed line; raise :class:`CommandError` with one clear message if wrong."""
    text = line.strip()
    if not text:
        raise CommandError("type an action, or 'help' to list them")
    who: str | None = None
    prefix = re.match(r"^([A-Za-z][\w.-]*)\s*:\s*(.*)$", text)
    if prefix and prefix.group(1) not in ACTIONS:
        who = _team_member(prefix.group(1), ctx)
        text = prefix.group(2).strip()
        if not text:
            raise CommandError(f"'{who}:' says who acts, but not what; e.g. '{who}: pause'")
    word, _, rest = text.partition(" ")
    action = word.lower()
    if action == "export":
        action = "snapshot"
    if action not in ACTIONS:
        hint = did_you_mean(word.lower(), ACTIONS)
        raise CommandError(
            f"unknown action '{word}'{hint}" if hint.startswith("; did you mean")
            else f"unknown action '{word}'; type 'help' to list the actions"
        )
    rest = rest.strip()
    args = _PARSERS[action](rest, ctx)
    return Command(action, args, f"{action} {rest}".strip(), who)


def _words(rest: str, usage: str) -> list[str]:
    try:
        return shlex.split(rest)
    except ValueError as err:
        raise CommandError(f"cannot read '{rest}' ({err}); write it as: {usage}") from None


def _usage(action: str) -> str:
    return ACTIONS[action].usage


def _team_member(name: str, ctx: CommandContext) -> str:
    if name in ctx.team:
        return name
    raise CommandError(
        f"'{name}' is not in the team{did_you_mean(name, ctx.team)}; the team is "
        f"{', '.join(ctx.team)} (set with --team)"
    )


def _no_args(action: str) -> Any:
    def parse(rest: str, ctx: CommandContext) -> dict[str, Any]:
        if rest:
            raise CommandError(f"'{action}' takes nothing after it; write just '{action}'")
        return {}
    return parse


def _text(action: str, *, required: bool) -> Any:
    def parse(rest: str, ctx: CommandContext) -> dict[str, Any]:
        if required and not rest:
            raise CommandError(
                f"'{action}' needs some words after it; e.g. '{ACTIONS[action].example}'"
            )
        return {"text": rest}
    return parse


def _pause(rest: str, ctx: CommandContext) -> dict[str, Any]:
    words = _words(rest, _usage("pause"))
    if len(words) > 1:
        raise CommandError(f"'pause' takes one job name; write: {_usage('pause')}")
    name = words[0] if words else ctx.job
    if name != ctx.job:
        if name in ctx.feeders:
            verb = "stop" if ctx.feeders[name] == "queue" else "disable"
            raise CommandError(
                f"'{name}' is a {ctx.feeders[name]} feeding the job, not the job; "
                f"write '{verb} {name}'"
            )
        raise CommandError(f"there is no job named '{name}'; the job is '{ctx.job}'")
    return {"target": name}


def _feeder(action: str) -> Any:
    def parse(rest: str, ctx: CommandContext) -> dict[str, Any]:
        words = _words(rest, _usage(action))
        if len(words) != 1:
            raise CommandError(f"'{action}' takes one name; write: {_usage(action)}")
        name = words[0]
        if name == ctx.job:
            raise CommandError(f"'{name}' is the job itself; write 'pause {name}'")
        if name not in ctx.feeders:
            names = sorted(ctx.feeders)
            raise CommandError(
                f"the job has no feeder named '{name}'{did_you_mean(name, names)}"
                if names else f"the job '{ctx.job}' has no feeders to {action}"
            )
        return {"target": name, "kind": ctx.feeders[name]}
    return parse


def _retry(rest: str, ctx: CommandContext) -> dict[str, Any]:
    """``retry FEEDER every=10m for=24h``: a webhook sender's retry policy."""
    words = _words(rest, _usage("retry"))
    if not words:
        raise CommandError(f"'retry' needs a webhook and its policy; write: {_usage('retry')}")
    out: dict[str, Any] = _feeder("retry")(words[0], ctx)
    if out["kind"] != "webhook":
        hooks = sorted(n for n, k in ctx.feeders.items() if k == "webhook")
        raise CommandError(f"'{words[0]}' is a {out['kind']}; only a webhook's sender retries"
                           + (f": name {', '.join(hooks)}" if hooks else
                              ", and the job has no webhook"))
    given = dict(w.split("=", 1) for w in words[1:] if "=" in w)
    if len(given) != len(words) - 1 or set(given) != {"every", "for"}:
        raise CommandError(f"write both every= and for=, like '{ACTIONS['retry'].example}'")
    for key, value in given.items():
        try:
            span = parse_duration(value)
        except ValueError:
            raise CommandError(f"{key}={value} is not a duration; write it like "
                               f"'{ACTIONS['retry'].example}'") from None
        if span <= timedelta(0):
            raise CommandError(f"{key}={value} must be longer than nothing, like 10m")
        out[key] = span
    return out


def _system(name: str, ctx: CommandContext) -> str:
    if name not in ctx.systems:
        raise CommandError(
            f"there is no system '{name}' in this drill{did_you_mean(name, ctx.systems)}"
        )
    return name


def _table(name: str, ctx: CommandContext) -> str:
    if name not in ctx.tables:
        raise CommandError(
            f"there is no table '{name}' in this drill{did_you_mean(name, ctx.tables)}; "
            f"tables are written system.table, e.g. {next(iter(ctx.tables), 'system.table')}"
        )
    return name


def _snapshot(rest: str, ctx: CommandContext) -> dict[str, Any]:
    words = _words(rest, _usage("snapshot"))
    name: str | None = None
    if "as" in words:
        i = words.index("as")
        if i != len(words) - 2:
            raise CommandError("'as NAME' comes last and names the snapshot; e.g. "
                               "'snapshot billing as before_repair'")
        name = words[i + 1]
        words = words[:i]
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)*", name) or len(name) > 20:
            raise CommandError(
                f"snapshot name '{name}' is not allowed; use up to 20 letters, digits and "
                "single underscores, starting with a letter, e.g. 'before_repair'"
            )
        if name.lower() in (s.lower() for s in ctx.snapshots):
            raise CommandError(f"a snapshot named '{name}' exists already; choose another name")
    if not words:
        raise CommandError(
            "name the systems to copy; e.g. 'snapshot " + " ".join(ctx.systems[:3]) + "'"
        )
    systems = [_system(w, ctx) for w in words]
    return {"systems": list(dict.fromkeys(systems)), "name": name}


def parse_time(text: str, day: date) -> datetime:
    """``09:40`` or ``09:40:30`` on the drill's day."""
    match = re.fullmatch(r"(\d{1,2}):(\d{2})(?::(\d{2}))?", text)
    if match:
        h, m, s = int(match.group(1)), int(match.group(2)), int(match.group(3) or 0)
        if h < 24 and m < 60 and s < 60:
            return datetime.combine(day, time(h, m, s))
    raise CommandError(f"'{text}' is not a drill-clock time; write it as HH:MM, e.g. 09:40")


def _query(rest: str, ctx: CommandContext) -> dict[str, Any]:
    words = _words(rest, _usage("query"))
    out: dict[str, Any] = {}
    for word in words:
        key, eq, value = word.partition("=")
        if not eq or not value:
            raise CommandError(
                f"'{word}' is not a filter; write key=value, e.g. 'actor=automation', "
                f"with a key of: {', '.join(QUERY_KEYS)}"
            )
        if key not in QUERY_KEYS:
            raise CommandError(f"unknown query filter '{key}'{did_you_mean(key, QUERY_KEYS)}")
        if key in out or (key == "window" and ("since" in out or "until" in out)) or (
            key in ("since", "until") and "window" in out
        ):
            raise CommandError(f"the filter '{key}' is given twice; give it once")
        if key == "window":
            span = re.fullmatch(r"([^-.]+)(?:-|\.\.)([^-.]+)", value)
            if span is None:
                raise CommandError(
                    f"window '{value}' needs a start and an end; write it as "
                    "HH:MM-HH:MM, e.g. window=09:10-09:40"
                )
            out["since"] = parse_time(span.group(1), ctx.day)
            out["until"] = parse_time(span.group(2), ctx.day)
            out["window"] = value
        elif key in ("since", "until"):
            out[key] = parse_time(value, ctx.day)
        elif key == "actor":
            out["actor"] = value
        elif key == "system":
            out["system"] = _system(value, ctx)
        elif key == "table":
            out["table"] = _table(value, ctx)
        else:
            out[key] = value
    since, until = out.get("since"), out.get("until")
    if since is not None and until is not None and until <= since:
        raise CommandError(
            f"the window ends at {until:%H:%M:%S}, not after it starts at {since:%H:%M:%S}; "
            "write the earlier time first"
        )
    if "system" in out and "table" in out and not out["table"].startswith(out["system"] + "."):
        raise CommandError(f"table {out['table']} is not in system {out['system']}; drop one")
    return out


def _actor_filter(value: str) -> dict[str, str]:
    """``actor=automation`` is a kind of actor; any other word is an actor's name."""
    kinds = [k.value for k in ActorKind]
    return {"actor_kind": value} if value in kinds else {"actor_name": value}


def _diff(rest: str, ctx: CommandContext) -> dict[str, Any]:
    words = _words(rest, _usage("diff"))
    if not words:
        raise CommandError(
            "name the snapshot to compare with; "
            + (f"taken so far: {', '.join(ctx.snapshots)}" if ctx.snapshots
               else "none taken yet: 'snapshot SYSTEM...' takes one")
        )
    name, targets = words[0], words[1:]
    if name not in ctx.snapshots:
        raise CommandError(
            f"no snapshot named '{name}'"
            + (did_you_mean(name, ctx.snapshots) if ctx.snapshots
               else "; none taken yet: 'snapshot SYSTEM...' takes one")
        )
    tables: list[str] = []
    for target in targets:
        if "." in target:
            tables.append(_table(target, ctx))
        else:
            system = _system(target, ctx)
            tables.extend(t for t in ctx.tables if t.split(".")[0] == system)
    return {"snapshot": name, "tables": list(dict.fromkeys(tables))}


def parse_keys(text: str) -> list[int]:
    """``4,9,12-20`` -> [4, 9, 12, ..., 20]; one clear error for anything else."""
    keys: set[int] = set()
    for part in text.split(","):
        part = part.strip()
        match = re.fullmatch(r"(\d+)(?:-(\d+))?", part)
        if not match:
            raise CommandError(
                f"bad key list '{text}': '{part}' is not a key or a range; "
                "write keys like 4,9,12-20"
            )
        low = int(match.group(1))
        high = int(match.group(2)) if match.group(2) else low
        if high < low:
            raise CommandError(f"bad key list '{text}': range {part} runs backwards; "
                               f"write {high}-{low}")
        if high - low + len(keys) >= MAX_KEYS:
            raise CommandError(
                f"bad key list '{text}': more than {MAX_KEYS:,} keys; tag a query's or a "
                "diff's records with 'tag last' instead"
            )
        keys.update(range(low, high + 1))
    return sorted(keys)


def _tag(rest: str, ctx: CommandContext) -> dict[str, Any]:
    words = _words(rest, _usage("tag"))
    if words == ["last"]:
        return {"last": True}
    if len(words) != 2:
        raise CommandError(f"write 'tag last' or 'tag TABLE KEYS', e.g. "
                           f"'{ACTIONS['tag'].example}'")
    return {"table": _table(words[0], ctx), "keys": parse_keys(words[1])}


def _untag(rest: str, ctx: CommandContext) -> dict[str, Any]:
    words = _words(rest, _usage("untag"))
    if words == ["all"]:
        return {"all": True}
    if len(words) == 1:
        return {"table": _table(words[0], ctx)}
    if len(words) != 2:
        raise CommandError(f"write {_usage('untag')}")
    return {"table": _table(words[0], ctx), "keys": parse_keys(words[1])}


def _scope(rest: str, ctx: CommandContext) -> dict[str, Any]:
    words = _words(rest, _usage("scope"))
    if not words:
        return {"submit": False}
    if words == ["submit"]:
        return {"submit": True}
    raise CommandError(
        f"'scope {rest}' is not an action{did_you_mean(words[0], ['submit'])}; "
        "write 'scope' to see the tags or 'scope submit' to submit them"
    )


def _repair(rest: str, ctx: CommandContext) -> dict[str, Any]:
    words = _words(rest, _usage("repair"))
    if not words:
        raise CommandError(
            f"say how to repair: {', '.join(REPAIR_STRATEGIES)}; e.g. 'repair script sample 20'"
        )
    strategy = words[0]
    if strategy not in REPAIR_STRATEGIES:
        raise CommandError(
            f"unknown repair strategy '{strategy}'{did_you_mean(strategy, REPAIR_STRATEGIES)}"
        )
    amount = words[1:]
    if not amount or amount == ["all"]:
        return {"strategy": strategy, "upto": 1.0, "sample": None}
    if amount[0] == "sample":
        if len(amount) != 2 or not amount[1].isdigit() or not 1 <= int(amount[1]) <= MAX_KEYS:
            raise CommandError("write the sample as a number of records, e.g. "
                               f"'repair {strategy} sample 20'")
        return {"strategy": strategy, "upto": None, "sample": int(amount[1])}
    match = re.fullmatch(r"(\d+(?:\.\d+)?)%", amount[0])
    if len(amount) == 1 and match and 0 < float(match.group(1)) <= 100:
        return {"strategy": strategy, "upto": float(match.group(1)) / 100, "sample": None}
    raise CommandError(
        f"'{' '.join(amount)}' is not an amount to repair; write 'sample N', a stage like "
        f"'50%', or 'all', e.g. 'repair {strategy} 50%'"
    )


def _restart(rest: str, ctx: CommandContext) -> dict[str, Any]:
    words = _words(rest, _usage("restart"))
    if not words or words[0] not in RESTART_STEPS:
        shown = words[0] if words else ""
        hint = did_you_mean(shown, RESTART_STEPS) if shown else ""
        raise CommandError(
            (f"unknown restart step '{shown}'{hint}; " if shown else "")
            + f"write {_usage('restart')}"
        )
    step = words[0]
    if step == "ramp":
        if len(words) != 2 or not words[1].isdigit() or int(words[1]) < 1:
            raise CommandError("a ramp step is a batch size, e.g. 'restart ramp 1', then "
                               "'restart ramp 10', then 'restart normal'")
        return {"step": "ramp", "limit": int(words[1])}
    if len(words) != 1:
        raise CommandError(f"'restart {step}' takes nothing after it")
    return {"step": step}


def _twist(rest: str, ctx: CommandContext) -> dict[str, Any]:
    kind, _, more = rest.strip().partition(" ")
    more = more.strip()
    if kind not in TWISTS:
        hint = did_you_mean(kind, TWISTS) if kind else ""
        raise CommandError((f"unknown twist '{kind}'{hint}; " if kind else "")
                           + f"write {_usage('twist')}")
    if kind == "owner-unreachable":
        if more:
            raise CommandError("'twist owner-unreachable' takes nothing after it")
        return {"kind": kind}
    if kind == "escalation":
        return {"kind": kind, "text": more}
    if kind == "second-batch":
        if more and (not more.isdigit() or not 1 <= int(more) <= MAX_KEYS):
            raise CommandError(f"a second batch is a number of records from 1 to {MAX_KEYS:,}, "
                               "e.g. 'twist second-batch 20'")
        return {"kind": kind, "count": int(more) if more else SECOND_BATCH}
    words = _words(more, _usage("twist"))
    if len(words) != 1:
        raise CommandError("write 'twist feeder-on FEEDER' with one feeder's name")
    if words[0] not in ctx.feeders:
        names = sorted(ctx.feeders)
        hint = did_you_mean(words[0], names)
        raise CommandError(f"the job has no feeder named '{words[0]}'{hint}" if names
                           else f"the job '{ctx.job}' has no feeders to turn back on")
    return {"kind": kind, "target": words[0]}


def _as(rest: str, ctx: CommandContext) -> dict[str, Any]:
    words = _words(rest, _usage("as"))
    if len(words) != 1:
        raise CommandError(f"write 'as NAME' with one of: {', '.join(ctx.team)}")
    return {"who": _team_member(words[0], ctx)}


def _help(rest: str, ctx: CommandContext) -> dict[str, Any]:
    words = _words(rest, _usage("help"))
    if not words:
        return {"action": None}
    name = "snapshot" if words[0] == "export" else words[0]
    if len(words) != 1 or name not in ACTIONS:
        raise CommandError(f"no action '{words[0]}'{did_you_mean(words[0], ACTIONS)}")
    return {"action": name}


def _end(rest: str, ctx: CommandContext) -> dict[str, Any]:
    words = _words(rest, _usage("end"))
    if words not in ([], ["yes"]):
        raise CommandError("write 'end' to finish the drill (then 'end yes' to confirm)")
    return {"confirmed": words == ["yes"]}


_PARSERS: dict[str, Any] = {
    "pause": _pause,
    "disable": _feeder("disable"),
    "stop": _feeder("stop"),
    "hold": _feeder("hold"),
    "dedupe": _no_args("dedupe"),
    "latest": _no_args("latest"),
    "retry": _retry,
    "snapshot": _snapshot,
    "query": _query,
    "diff": _diff,
    "tag": _tag,
    "untag": _untag,
    "scope": _scope,
    "repair": _repair,
    "reconcile": _no_args("reconcile"),
    "notify": _text("notify", required=False),
    "cause": _text("cause", required=True),
    "restart": _restart,
    "note": _text("note", required=True),
    "twist": _twist,
    "as": _as,
    "help": _help,
    "end": _end,
}


def query_filters(args: Mapping[str, Any]) -> dict[str, Any]:
    """A parsed ``query`` as :class:`~drills.fakes.queries.ChangeFilter` keywords (+ ``system``)."""
    out: dict[str, Any] = {}
    if "run" in args:
        out["run_id"] = args["run"]
    if "batch" in args:
        out["batch_id"] = args["batch"]
    for key in ("since", "until", "table"):
        if key in args:
            out[key] = args[key]
    if "actor" in args:
        out.update(_actor_filter(args["actor"]))
    return out
