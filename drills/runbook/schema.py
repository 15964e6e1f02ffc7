"""The runbook file format, as pydantic models.

A runbook is the one-page plan for one risky automation (rule 8 of docs/rules.md): who owns it,
when to stop it, how to pause it and everything feeding it, where the clean data is,
how to scope, repair, verify, tell people and restart. The models are strict (unknown
keys are errors) for the same reason scenarios are: a misspelt key silently turning a
step off makes a drill that tests nothing.

The models say what a runbook *can* say, not what a good runbook *must* say. Every
section but ``automation`` and ``owner`` may be absent, ``restart: {}`` is valid, and a
stop rule nobody can check still loads: those are the gaps a drill exists to find, so
they are lint findings (:mod:`drills.runbook.lint`), never load errors. Load errors
are kept for what cannot be meant: a misspelt key, a duration that is not one, a
system drills does not know, stages that shrink.

References to systems are checked against :data:`drills.fakes.catalog.CATALOG` where they
are written, so the error points at the word. Checks that span several values (the
same step twice, stages that do not grow) live in :meth:`Runbook.cross_check`, which
returns key paths so the loader can point at the line.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Callable, Iterator, Sequence
from datetime import timedelta
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    StrictBool,
    StringConstraints,
    ValidatorFunctionWrapHandler,
    WithJsonSchema,
    WrapValidator,
    model_validator,
)

from drills.errors import did_you_mean
from drills.fakes.active import CATALOG
from drills.files import (
    MAX_ITEMS,
    MAX_TEXT_LENGTH,
    Duration,
    KeyPath,
    format_duration,
    parse_duration,
)
from drills.runbook.deliveries import Deliveries
from drills.runbook.rules import EXAMPLE_RULE, METRICS, StopRule, parse_stop_rule
from drills.scenarios.schema import SLUG_PATTERN, Strict, check_slug, check_system

__all__ = [
    "CALLABLE_PATTERN",
    "MAX_RUNBOOK_DURATION",
    "MAX_SAMPLE",
    "MIN_UPDATE_EVERY",
    "PAUSE_STEP_KINDS",
    "PERCENT_PATTERN",
    "REPAIR_STRATEGIES",
    "SCOPE_METHODS",
    "CleanExport",
    "Comms",
    "PauseStep",
    "PauseStepKind",
    "Person",
    "RampStep",
    "Repair",
    "RepairStrategy",
    "Restart",
    "Runbook",
    "Scope",
    "ScopeMethod",
    "Snapshot",
    "Verify",
]

MAX_SAMPLE = 100_000
"""The largest repair sample; a sample is 10-20 records (rule 5), this only stops typos."""

MAX_RUNBOOK_DURATION = timedelta(days=366)
"""The longest time a runbook may name: steps take minutes, exports run daily or weekly."""

MIN_UPDATE_EVERY = timedelta(minutes=1)
"""The shortest gap between two status updates: a drill logs each one, and an update
every 0s would never end."""

CALLABLE_PATTERN = (
    r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*"
    r":[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$"
)
"""``package.module:function`` (entry-point syntax); ``module:Class.method`` works too."""

PERCENT_PATTERN = r"^\s*[0-9]+(\.[0-9]+)?\s*%\s*$"

PauseStepKind = Literal["pause_job", "disable_feeder", "stop_queue", "call"]
PAUSE_STEP_KINDS: tuple[PauseStepKind, ...] = (
    "pause_job", "disable_feeder", "stop_queue", "call",
)

ScopeMethod = Literal["run_id", "window", "batch", "filter", "noticed"]
SCOPE_METHODS: tuple[ScopeMethod, ...] = ("run_id", "window", "batch", "filter", "noticed")

RepairStrategy = Literal["bulk_revert", "script", "manual"]
REPAIR_STRATEGIES: tuple[RepairStrategy, ...] = ("bulk_revert", "script", "manual")

_CALLABLE = re.compile(CALLABLE_PATTERN)
_PERCENT = re.compile(PERCENT_PATTERN)


# -- value types -----------------------------------------------------------------------


def _callable(value: str) -> str:
    parts = re.split(r"[.:]", value)
    if not _CALLABLE.fullmatch(value) or any(keyword.iskeyword(p) for p in parts):
        raise ValueError(
            f"{value!r} is not a callable; write it as 'package.module:function', "
            "like 'ops.reminders:pause_all'"
        )
    return value


def _bounded(value: Any, handler: ValidatorFunctionWrapHandler) -> timedelta:
    """A duration up to :data:`MAX_RUNBOOK_DURATION`; digits too long for a clock are refused."""
    if isinstance(value, str | int) and not isinstance(value, bool):
        try:
            parse_duration(value)
        except ValueError as err:
            if "far too long" in str(err):
                raise ValueError(
                    f"{_short(value)} is far too long; a runbook time is minutes to days, "
                    "like '15m'"
                ) from None
    try:
        result: timedelta = handler(value)
    except OverflowError:
        raise ValueError(
            f"{_short(value)} is far too long; a runbook time is minutes to days, like '15m'"
        ) from None
    if result > MAX_RUNBOOK_DURATION:
        raise ValueError(
            f"{_short(value)} is over the limit of {MAX_RUNBOOK_DURATION.days} days; "
            "a runbook time is minutes to days, like '15m'"
        )
    return result


def _short(value: Any) -> str:
    """A value as the file wrote it, short enough for a one-line message."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _update_gap(value: timedelta) -> timedelta:
    if value < MIN_UPDATE_EVERY:
        raise ValueError(
            f"an update every {format_duration(value)} never lets anyone work; write at "
            f"least {format_duration(MIN_UPDATE_EVERY)}, like '30m'"
        )
    return value


def _percent(value: Any) -> float:
    """'10%' -> 0.1: a share of the records, kept as a fraction so code can multiply by it."""
    if isinstance(value, str) and _PERCENT.fullmatch(value):
        number = float(value.strip().removesuffix("%"))
        if 0 < number <= 100:
            return number / 100
        raise ValueError(f"stage {value!r} is not a share of the records; write 1% to 100%")
    raise ValueError(f"{_short(value)} is not a percentage; write it like '10%'")


def _format_percent(value: float) -> str:
    """0.1 -> '10%', 0.025 -> '2.5%'."""
    return f"{round(value * 100, 6):g}%"


def _ramp_step(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | str) or (
        isinstance(value, str) and value != "normal"
    ):
        shown = _short(value)
        close = isinstance(value, str) and did_you_mean(value, ["normal"]).startswith(
            "; did you mean")
        fix = "did you mean 'normal'?" if close else "write a batch size like 10, or 'normal'"
        raise ValueError(f"{shown} is not a ramp step; {fix}")
    return value


def _stop_rule(value: Any) -> StopRule:
    if isinstance(value, StopRule):
        return value
    if not isinstance(value, str):
        raise ValueError(
            f"a stop rule is text, got {_short(value)}; write it like '{EXAMPLE_RULE}' "
            "(in quotes if it holds ': ')"
        )
    if len(value) > MAX_TEXT_LENGTH:
        raise ValueError(
            f"the stop rule is {len(value):,} characters long, over the limit of "
            f"{MAX_TEXT_LENGTH:,}; write it like '{EXAMPLE_RULE}'"
        )
    rule = parse_stop_rule(value)
    if rule.truth:  # a rule no team could ever check: refused, not merely uncheckable
        raise ValueError(f"{rule.problem}; {rule.fix}")
    return rule


Slug = Annotated[
    str,
    AfterValidator(check_slug),
    WithJsonSchema({"type": "string", "pattern": SLUG_PATTERN}),
]
Text = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TEXT_LENGTH)
]
Time = Annotated[Duration, WrapValidator(_bounded)]
SystemName = Annotated[
    str,
    AfterValidator(check_system),
    WithJsonSchema({"type": "string", "pattern": "^[a-z][a-z0-9_]*$",
                    "examples": list(CATALOG.systems),
                    "description": "a system of the world the runbook's scenarios happen in"}),
]
Systems = Annotated[list[SystemName], Field(min_length=1, max_length=MAX_ITEMS)]
CallableRef = Annotated[
    str,
    AfterValidator(_callable),
    WithJsonSchema({
        "type": "string",
        "pattern": CALLABLE_PATTERN,
        "description": "the team's own code, as 'package.module:function'",
    }),
]
Percent = Annotated[
    float,
    PlainValidator(_percent),
    PlainSerializer(_format_percent, return_type=str),
    WithJsonSchema({
        "type": "string",
        "pattern": PERCENT_PATTERN,
        "description": "a share of the records, like '10%'",
    }),
]
RampStep = Annotated[
    Annotated[int, Field(strict=True, ge=1)] | Literal["normal"],
    BeforeValidator(_ramp_step),
]
"""A batch size (1, 10) or ``'normal'`` for normal volume."""
StopRuleField = Annotated[
    StopRule,
    PlainValidator(_stop_rule),
    PlainSerializer(lambda rule: rule.text, return_type=str),
    WithJsonSchema({
        "type": "string",
        "description": (
            "METRIC OP NUMBER [within DURATION], like 'duplicate_messages >= 5' or "
            "'changed_records >= 100 within 5m', or specific plain language like "
            "'5 duplicate emails in a row' (docs/stop-rules.md); metrics: "
            + ", ".join(METRICS)
        ),
        "examples": [EXAMPLE_RULE, "changed_records >= 100 within 5m"],
    }),
]


# -- sections --------------------------------------------------------------------------


class Person(Strict):
    """Someone the runbook names, and whether they may pause the job alone (rule 1)."""

    name: Text
    role: Text | None = None
    can_pause: StrictBool = Field(
        default=False, description="may pause the automation without asking anyone"
    )
    contact: Text | None = Field(default=None, description="phone, chat handle or email")


class PauseStep(Strict):
    """One pause or containment step, written as a one-key mapping (rule 2)."""

    model_config = ConfigDict(
        json_schema_extra={"oneOf": [{"required": [k]} for k in PAUSE_STEP_KINDS]}
    )

    pause_job: Slug | None = Field(default=None, description="pause the automation itself")
    disable_feeder: Slug | None = Field(
        default=None, description="turn off a schedule, webhook or chained job that feeds it"
    )
    stop_queue: Slug | None = Field(
        default=None, description="stop an outgoing queue, e.g. email.outbox"
    )
    call: CallableRef | None = Field(
        default=None, description="run the team's own pause code, 'package.module:function'"
    )
    takes: Time | None = Field(default=None, description="how long the step takes a person")

    @model_validator(mode="after")
    def _exactly_one(self) -> PauseStep:
        given = [k for k in PAUSE_STEP_KINDS if getattr(self, k) is not None]
        if not given:
            raise ValueError(
                "a pause step names nothing to pause; write one of "
                + ", ".join(PAUSE_STEP_KINDS[:-1]) + f" or {PAUSE_STEP_KINDS[-1]}"
            )
        if len(given) > 1:
            raise ValueError(
                f"a pause step does one thing, not {' and '.join(given)} at once; "
                "split it into one step each"
            )
        return self

    @property
    def kind(self) -> PauseStepKind:
        return next(k for k in PAUSE_STEP_KINDS if getattr(self, k) is not None)

    @property
    def target(self) -> str:
        """The job, feeder or queue name, or the callable."""
        value: str = getattr(self, self.kind)
        return value

    def __str__(self) -> str:
        return f"{self.kind}: {self.target}"


class Snapshot(Strict):
    """Copy the affected records aside before anyone edits by hand (rule 3)."""

    export: Systems = Field(description="the systems to export")
    to: Text = Field(description="where the snapshot goes, e.g. exports/")
    takes: Time | None = None


class CleanExport(Strict):
    """Where the last export from before the bad run lives, and how old it can be."""

    where: Text = Field(description="a path or place people can find without asking")
    every: Time = Field(description="how often a new export is made")
    max_age: Time | None = Field(
        default=None, description="the oldest the last clean export can be, if not 'every'"
    )

    @property
    def worst_age(self) -> timedelta:
        """How old the newest clean export can be when a bad run starts."""
        return self.max_age if self.max_age is not None else self.every


class Scope(Strict):
    """How the damaged records are found: from the run, not from complaints (rule 4)."""

    by: list[ScopeMethod] = Field(
        min_length=1,
        max_length=MAX_ITEMS,
        description="run_id, window, batch and filter come from the run; noticed means the "
        "records people happened to notice",
    )
    systems: Systems = Field(description="every system the data reached, downstream copies too")
    takes: Time | None = None


RepairSource = Literal["rerun", "history", "export", "replay"]
"""Where a repair takes the values it puts back (see ``docs/sources.md``)."""


class Repair(Strict):
    """How the damage is undone: method, sample, stages and what is kept (rule 5)."""

    strategy: RepairStrategy
    sample: Annotated[int, Field(strict=True, ge=1, le=MAX_SAMPLE)] | None = Field(
        default=None, description="records repaired first as a test, 10-20 is typical"
    )
    stages: Annotated[list[Percent], Field(min_length=1, max_length=MAX_ITEMS)] | None = Field(
        default=None,
        description="growing shares of the records, ending at 100%; held as fractions "
        "('10%' is 0.1)",
    )
    save_values: StrictBool | None = Field(
        default=None, description="save the damaged values before overwriting them"
    )
    overwrite_human_edits: StrictBool = Field(
        default=False, description="overwrite what people changed during the window unreviewed"
    )
    call: CallableRef | None = Field(default=None, description="the team's own repair code")
    from_: Annotated[list[RepairSource], Field(min_length=1, max_length=4)] | None = Field(
        default=None, alias="from",
        description="where right values come from, in order: rerun (the fixed job run "
        "again), history (the systems' field history), export (the last clean export), "
        "replay (events lost on the way, replayed from the sender's log through the fixed "
        "job); every one the runbook has when not given",
    )
    takes: Time | None = None


class Verify(Strict):
    """Reconcile counts across systems after the repair (rule 5)."""

    reconcile: Systems
    takes: Time | None = None


class Comms(Strict):
    """Who hears what, and when (rule 6)."""

    first_note_within: Time | None = Field(
        default=None, description="when the first note goes out after the pause"
    )
    next_update_every: Annotated[Time, AfterValidator(_update_gap)] | None = Field(
        default=None, description="how often an update follows the first note"
    )
    customer_message: Text | None = None
    channel: Text | None = Field(default=None, description="where notes go, e.g. #billing-ops")


class Restart(Strict):
    """Restart only with proof (rule 7): approver, cause, test, ramp, watch."""

    approver: Person | None = None
    cause: Text | None = Field(default=None, description="the exact cause in one sentence")
    test: list[Text] = Field(
        default_factory=list, max_length=MAX_ITEMS, description="low-risk test records first"
    )
    ramp: list[RampStep] = Field(
        default_factory=list,
        max_length=MAX_ITEMS,
        description="batch sizes up to normal volume, e.g. [1, 10, normal]",
    )
    watch: Time | None = Field(
        default=None, description="how long someone who can pause watches after the restart"
    )
    takes: Time | None = Field(default=None, description="how long the restart test takes")


class Runbook(Strict):
    """The one-page plan for one automation (rule 8 of docs/rules.md)."""

    automation: Slug = Field(description="the automation this runbook is for")
    world: str | None = Field(
        default=None, description="the scenario or world.yaml (relative to the runbook) "
        "whose systems this runbook names, when they are the team's own (docs/worlds.md)")
    owner: Person = Field(description="the one person who owns the automation")
    backup_owner: Person | None = Field(default=None, description="who owns it when the owner "
                                        "is away")
    stop_rules: list[StopRuleField] = Field(
        default_factory=list, max_length=MAX_ITEMS, description="when to pause, as checkable rules"
    )
    first_safe_action: Text | None = Field(
        default=None, description="the one thing to do first, before investigating"
    )
    pause: list[PauseStep] = Field(
        default_factory=list,
        max_length=MAX_ITEMS,
        description="how to pause the job and everything feeding it",
    )
    deliveries: Deliveries | None = Field(
        default=None, description="what to do about how events reach the job: dedupe, "
        "latest per record, hold a feeder, a sender's retry policy")
    snapshot: Snapshot | None = Field(
        default=None, description="what to copy aside before anyone edits by hand"
    )
    last_clean_export: CleanExport | None = Field(
        default=None, description="where the last export from before the bad run lives"
    )
    scope: Scope | None = Field(default=None, description="how the damaged records are found")
    repair: Repair | None = Field(default=None, description="how the damage is undone")
    verify: Verify | None = Field(default=None, description="how the repair is checked")
    comms: Comms | None = Field(default=None, description="who is told what, and when")
    restart: Restart | None = Field(default=None, description="when and how the job comes back")

    @property
    def checkable_rules(self) -> list[StopRule]:
        """The stop rules the engine can evaluate."""
        return [rule for rule in self.stop_rules if rule.parsed]

    def cross_check(self) -> list[tuple[KeyPath, str]]:
        """Problems that span several values, each with the key path to blame."""
        issues: list[tuple[KeyPath, str]] = []
        seen: dict[tuple[str, str], int] = {}
        for i, step in enumerate(self.pause):
            key = (step.kind, step.target)
            if key in seen:
                issues.append((
                    ("pause", i, step.kind),
                    f"step {i + 1} '{step}' repeats step {seen[key] + 1}; keep one",
                ))
            seen.setdefault(key, i)
        lists: list[tuple[KeyPath, Sequence[str]]] = []
        if self.snapshot is not None:
            lists.append((("snapshot", "export"), self.snapshot.export))
        if self.scope is not None:
            lists.append((("scope", "by"), self.scope.by))
            lists.append((("scope", "systems"), self.scope.systems))
        if self.verify is not None:
            lists.append((("verify", "reconcile"), self.verify.reconcile))
        if self.deliveries is not None:
            lists.append((("deliveries", "hold"), self.deliveries.hold))
            lists.append((("deliveries", "retry"), [r.feeder for r in self.deliveries.retry]))
        for path, values in lists:
            issues.extend(_twice(path, values))
        if self.repair is not None and self.repair.stages is not None:
            issues.extend(_check_stages(self.repair.stages))
        if self.repair is not None and self.repair.from_ is not None:
            issues.extend(_twice(("repair", "from"), self.repair.from_))
            if "export" in self.repair.from_ and self.last_clean_export is None:
                at = self.repair.from_.index("export")
                issues.append((("repair", "from", at), "the repair restores from an export, "
                               "but the runbook names no last_clean_export; add one (where "
                               "it lives and how often it is taken) or drop 'export'"))
        if self.restart is not None and self.restart.ramp:
            issues.extend(_check_ramp(self.restart.ramp))
        return issues


def _twice(path: KeyPath, values: Sequence[str]) -> Iterator[tuple[KeyPath, str]]:
    for i, value in enumerate(values):
        if value in values[:i]:
            yield (*path, i), f"'{value}' is listed twice; keep one"


_STAGES_EXAMPLE = "like [10%, 50%, 100%]"
_RAMP_EXAMPLE = "like [1, 10, normal]"


def _check_stages(stages: Sequence[float]) -> list[tuple[KeyPath, str]]:
    path: KeyPath = ("repair", "stages")
    show: Callable[[float], str] = _format_percent
    for i in range(1, len(stages)):
        if stages[i] <= stages[i - 1]:
            return [((*path, i), f"stage {show(stages[i])} does not grow from "
                     f"{show(stages[i - 1])} before it; each stage repairs more, "
                     f"{_STAGES_EXAMPLE}")]
    if stages[-1] != 1:
        return [((*path, len(stages) - 1),
                 f"the last stage is {show(stages[-1])}, so the repair never finishes; "
                 f"end the stages at 100%, {_STAGES_EXAMPLE}")]
    return []


def _check_ramp(ramp: Sequence[int | str]) -> list[tuple[KeyPath, str]]:
    path: KeyPath = ("restart", "ramp")
    last = len(ramp) - 1
    for i, step in enumerate(ramp):
        if step == "normal" and i != last:
            return [((*path, i), "'normal' volume comes last in a ramp; move it to the end, "
                     f"{_RAMP_EXAMPLE}")]
        before = ramp[i - 1] if i else None
        if isinstance(step, int) and isinstance(before, int) and step <= before:
            return [((*path, i), f"batch {step} is not bigger than {before} before it; a ramp "
                     f"grows to normal volume, {_RAMP_EXAMPLE}")]
    if ramp[last] != "normal":
        return [((*path, last), f"the ramp stops at {ramp[last]} and never reaches normal "
                 f"volume; end it with 'normal', {_RAMP_EXAMPLE}")]
    return []
