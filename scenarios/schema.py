"""The scenario file format, as pydantic models.

A scenario says what goes wrong: the world it happens in, the automation, the fault
that turns its run bad, and the people around it. The models are strict (unknown
keys are errors) because a silently ignored typo in a drill file makes a drill that
tests nothing. References to systems, tables and fields are checked against
:data:`drills.fakes.catalog.CATALOG` where they are written, so an error points at the key.
Checks that span several parts of the file live in :meth:`Scenario.cross_check`,
which returns key paths so the loader can point at the line.
"""

from __future__ import annotations

import math
import re
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal, Union

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    create_model,
    field_validator,
    model_validator,
)

from drills.fakes.catalog import CATALOG, WAREHOUSE, TableDef
from drills.fakes.errors import DrillsError, did_you_mean
from drills.files import Duration, Rate, RateValue, format_duration
from drills.scenarios.limits import (
    EARLIEST_START,
    LATEST_START,
    MAX_DRILL_LENGTH,
    MAX_ITEMS,
    MAX_NAME_LENGTH,
    MAX_PEOPLE_EDITS,
    MAX_PEOPLE_PER_HOUR,
    MAX_RATE_PER_MINUTE,
    MAX_RECORDS_PER_TABLE,
    MAX_REPEATS,
    MAX_RUN_WRITES,
    MAX_TEXT_LENGTH,
    MAX_TOTAL_RECORDS,
    MIN_INTERVAL,
)

__all__ = [
    "FAULT_KINDS",
    "FEEDER_KINDS",
    "RISKS",
    "SLUG_PATTERN",
    "Action",
    "Automation",
    "BlankWrites",
    "Complaints",
    "CreateRecord",
    "DuplicateRecords",
    "Fault",
    "Feeder",
    "FieldSyncSpec",
    "LogActivity",
    "OverBroadFilter",
    "People",
    "Reach",
    "Scenario",
    "SendEmail",
    "SetField",
    "ShadowFixes",
    "SkippedApproval",
    "StatusFlapping",
    "Strict",
    "SyncField",
    "Trigger",
    "TripleTrigger",
    "Warehouse",
    "World",
    "WrongFieldMapping",
    "check_slug",
    "check_system",
]

Path = tuple[str | int, ...]
"""A key path into the file, e.g. ('fault', 'kind') or ('automation', 'does', 0)."""

SLUG_PATTERN = r"^[a-z0-9][a-z0-9._-]*$"
_SLUG = re.compile(SLUG_PATTERN)


class Strict(BaseModel):
    """Unknown keys are errors: a misspelt key must not silently turn a check off."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def check_slug(value: str) -> str:
    """A name people type and tools key on: lower-case, digits, '.', '-', '_'.

    Names become parts of file names (``drill-<scenario>-<seed>.html``), so they are
    also kept short: :data:`~drills.scenarios.limits.MAX_NAME_LENGTH` characters.
    """
    if len(value) > MAX_NAME_LENGTH:
        raise ValueError(
            f"the name is {len(value):,} characters long, over the limit of "
            f"{MAX_NAME_LENGTH}; shorten it, like 'invoice-reminder'"
        )
    if not _SLUG.match(value):
        raise ValueError(
            f"{value!r} is not a valid name; use lower-case letters, digits, '.', '-' or '_', "
            "like 'invoice-reminder'"
        )
    return value


def _table(value: str) -> str:
    try:
        CATALOG.table(value)
    except DrillsError as err:
        raise ValueError(str(err)) from None
    return value


def _field(value: str) -> str:
    try:
        CATALOG.field(value)
    except DrillsError as err:
        raise ValueError(str(err)) from None
    return value


def check_system(value: str) -> str:
    """A system the catalog simulates, with a did-you-mean."""
    if value not in CATALOG.systems:
        raise ValueError(f"unknown system '{value}'{did_you_mean(value, CATALOG.systems)}")
    return value


def _rate_limit(value: RateValue) -> RateValue:
    # count per period against the limit per period: no division, so 1000000/min is in
    if value.count * 60 > MAX_RATE_PER_MINUTE * value.per.total_seconds():
        raise ValueError(
            f"rate {value} is over the limit of {MAX_RATE_PER_MINUTE:,}/min; "
            "lower it (a real bad run is rarely above a few thousand a minute)"
        )
    return value


def _length_limit(value: timedelta) -> timedelta:
    if value > MAX_DRILL_LENGTH:
        raise ValueError(
            f"{format_duration(value)} is over the limit of {MAX_DRILL_LENGTH.days} days, the "
            "longest a drill runs; write a shorter time, like '2h'"
        )
    return value


def _interval(value: timedelta) -> timedelta:
    if value < MIN_INTERVAL:
        raise ValueError(
            f"every {format_duration(value)} is no schedule; write at least "
            f"{format_duration(MIN_INTERVAL)}, like '5m'"
        )
    return value


def _start_limit(value: datetime) -> datetime:
    naive = value.replace(tzinfo=None)
    if not EARLIEST_START <= naive <= LATEST_START:
        raise ValueError(
            f"{value.isoformat()} is outside the years {EARLIEST_START.year} to "
            f"{LATEST_START.year} a drill can start in; write a date like '2026-03-02T09:10:00'"
        )
    return value


Slug = Annotated[str, AfterValidator(check_slug)]
CALLABLE_REF = r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*:[A-Za-z_][A-Za-z0-9_]*$"
CallableRef = Annotated[str, Field(pattern=CALLABLE_REF, examples=["ops.reminders:send"])]
TableRef = Annotated[str, AfterValidator(_table), Field(examples=["billing.invoices"])]
FieldRef = Annotated[str, AfterValidator(_field), Field(examples=["billing.invoices.due_date"])]
SystemName = Annotated[str, AfterValidator(check_system)]
LimitedRate = Annotated[Rate, AfterValidator(_rate_limit)]
Span = Annotated[Duration, AfterValidator(_length_limit)]
"""Every time a scenario names: up to :data:`~drills.scenarios.limits.MAX_DRILL_LENGTH`."""
Interval = Annotated[Span, AfterValidator(_interval)]
"""How often something recurs: at least :data:`~drills.scenarios.limits.MIN_INTERVAL`."""
Start = Annotated[datetime, AfterValidator(_start_limit)]
Text = Annotated[str, Field(min_length=1, max_length=MAX_TEXT_LENGTH)]
PerHour = Annotated[int, Field(strict=True, ge=0, le=MAX_PEOPLE_PER_HOUR)]
Count = Annotated[int, Field(strict=True, ge=0, le=MAX_RECORDS_PER_TABLE)]
Repeats = Annotated[int, Field(strict=True, ge=2, le=MAX_REPEATS)]
Filter = Annotated[dict[str, str], Field(max_length=MAX_ITEMS)]
"""Field = value conditions on the automation's table, all of which must hold."""


# -- world -----------------------------------------------------------------------------


def _system_counts(system: str) -> type[BaseModel]:
    tables: dict[str, Any] = {
        t.name: (Count, Field(default=0, description=f"records in {t.qualname}"))
        for t in CATALOG.system_tables(system)
    }
    return create_model(
        f"{system.capitalize()}Counts",
        __base__=Strict,
        __doc__=f"How many records each {system} table starts with.",
        **tables,
    )


CrmCounts = _system_counts("crm")
BillingCounts = _system_counts("billing")
EmailCounts = _system_counts("email")
SupportCounts = _system_counts("support")
ShopCounts = _system_counts("shop")


class Warehouse(Strict):
    """Whole-table copies the warehouse refreshes on a schedule (incrementally)."""

    copies: list[TableRef] = Field(default_factory=list, max_length=MAX_ITEMS)
    every: Interval = timedelta(minutes=5)


class FieldSyncSpec(Strict):
    """A healthy downstream sync: a field copied to records that point at its record."""

    from_: FieldRef = Field(alias="from")
    to: FieldRef
    key: str = Field(description="field of the target table holding the source record's id")
    lag: Span = timedelta(minutes=2)


class World(Strict):
    crm: CrmCounts = Field(default_factory=CrmCounts)  # type: ignore[valid-type]
    billing: BillingCounts = Field(default_factory=BillingCounts)  # type: ignore[valid-type]
    email: EmailCounts = Field(default_factory=EmailCounts)  # type: ignore[valid-type]
    support: SupportCounts = Field(default_factory=SupportCounts)  # type: ignore[valid-type]
    shop: ShopCounts = Field(default_factory=ShopCounts)  # type: ignore[valid-type]
    warehouse: Warehouse = Field(default_factory=Warehouse)
    syncs: list[FieldSyncSpec] = Field(default_factory=list, max_length=MAX_ITEMS)

    @property
    def counts(self) -> dict[str, int]:
        """qualname -> count for every table with records, e.g. {'crm.contacts': 800}."""
        out: dict[str, int] = {}
        for system in ("crm", "billing", "email", "support", "shop"):
            for table, n in getattr(self, system).model_dump().items():
                if n:
                    out[f"{system}.{table}"] = n
        return out

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @model_validator(mode="after")
    def _total_limit(self) -> World:
        if self.total > MAX_TOTAL_RECORDS:
            raise ValueError(
                f"the world holds {self.total:,} records, over the limit of "
                f"{MAX_TOTAL_RECORDS:,}; lower the counts"
            )
        return self


# -- automation ------------------------------------------------------------------------

FEEDER_KINDS = ("schedule", "webhook", "chained", "queue")
RISKS = ("money", "customer_messages", "legal_records", "access")


class Feeder(Strict):
    """Something that keeps feeding the job work: pausing the job alone does not stop it."""

    kind: Literal["schedule", "webhook", "chained", "queue"]
    name: Annotated[str, AfterValidator(check_slug)]
    every: Interval | None = None


class Trigger(Strict):
    """What starts a run: a change to a field, a schedule or a webhook. Exactly one."""

    on_change: FieldRef | None = None
    schedule: Interval | None = None
    webhook: Slug | None = None
    on: TableRef | None = Field(
        default=None, description="the table a schedule or webhook works through"
    )

    @model_validator(mode="after")
    def _exactly_one(self) -> Trigger:
        given = [k for k in ("on_change", "schedule", "webhook") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                "a trigger needs exactly one of 'on_change', 'schedule' or 'webhook'"
                + (f", not {' and '.join(given)}" if given else "")
            )
        if self.on_change is None and self.on is None:
            raise ValueError(
                f"a {given[0]} trigger needs 'on: system.table', the table it works through"
            )
        return self

    @property
    def table(self) -> str:
        if self.on_change is not None:
            return self.on_change.rsplit(".", 1)[0]
        assert self.on is not None
        return self.on


class SendEmail(Strict):
    """Queue an email to the address in a field of the triggering record."""

    template: Slug
    to: FieldRef
    review: bool = Field(
        default=False, description="messages wait for a person's review before sending"
    )


class SyncField(Strict):
    """Copy a field of the triggering record to the records that point at it."""

    from_: FieldRef = Field(alias="from")
    to: FieldRef
    key: str


class SetField(Strict):
    """Set a field of the triggering record, to a fixed value or to another field's value."""

    field: FieldRef
    value: Annotated[str, Field(max_length=MAX_TEXT_LENGTH)] | None = None
    from_: FieldRef | None = Field(default=None, alias="from")

    @model_validator(mode="after")
    def _one_source(self) -> SetField:
        if (self.value is None) == (self.from_ is None):
            raise ValueError("set_field needs exactly one of 'value' or 'from'")
        return self


class CreateRecord(Strict):
    """Create a record in a table for the triggering record (an invoice for an order)."""

    table: TableRef
    copy_fields: dict[str, str] = Field(
        default_factory=dict,
        max_length=MAX_ITEMS,
        alias="copy",
        description="new record field -> field of the triggering record",
    )
    values: dict[str, str | int] = Field(default_factory=dict, max_length=MAX_ITEMS)


def _activity_table(value: str) -> str:
    _table(value)
    return value


LogActivity = Annotated[str, AfterValidator(_activity_table)]


class Action(Strict):
    """One step of the healthy behaviour, written as a one-key mapping in the file."""

    send_email: SendEmail | None = None
    log_activity: LogActivity | None = None
    sync_field: SyncField | None = None
    set_field: SetField | None = None
    advance_stage: SetField | None = None
    create_record: CreateRecord | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Action:
        given = [k for k, v in self if v is not None]
        if len(given) != 1:
            names = ", ".join(type(self).model_fields)
            raise ValueError(
                f"each step does exactly one thing; write one of {names}"
                + (f", not {' and '.join(given)}" if given else "")
            )
        return self

    @property
    def kind(self) -> str:
        return next(k for k, v in self if v is not None)

    @property
    def spec(self) -> Any:
        return getattr(self, self.kind)


class Automation(Strict):
    name: Slug
    source: SystemName
    trigger: Trigger
    feeders: list[Feeder] = Field(default_factory=list, max_length=MAX_ITEMS)
    callable: CallableRef | None = Field(
        default=None,
        description="the team's own automation, 'package.module:function', called with a "
        "client for the fake systems and the triggering event (instead of 'does')",
    )
    does: list[Action] = Field(
        default_factory=list,
        max_length=MAX_ITEMS,
        description="the healthy behaviour, step by step",
    )
    where: Filter = Field(
        default_factory=dict, description="the records the job is meant for, e.g. status: active"
    )
    touches: list[Literal["money", "customer_messages", "legal_records", "access"]] = Field(
        default_factory=list,
        max_length=MAX_ITEMS,
        description="what a bad run can hurt; sets the risk class",
    )

    @field_validator("does")
    @classmethod
    def _steps_or_function(cls, does: list[Action], info: ValidationInfo) -> list[Action]:
        has_callable = info.data.get("callable") is not None
        if not does and not has_callable:
            raise ValueError(
                "an automation needs at least one step in 'does', or the team's own "
                "function in 'callable'"
            )
        if does and has_callable:
            raise ValueError("give either 'does' steps or a 'callable', not both")
        return does

    @model_validator(mode="after")
    def _does_or_callable(self) -> Automation:
        if bool(self.does) == (self.callable is not None):
            raise ValueError(
                "an automation needs exactly one of 'does' (steps) or 'callable' "
                "('package.module:function')"
            )
        return self

    def feeder(self, name: str) -> Feeder | None:
        return next((f for f in self.feeders if f.name == name), None)


# -- fault -----------------------------------------------------------------------------


class Reach(Strict):
    """How far the bad run would go if nobody stopped it: a count, a percentage or a filter."""

    count: Annotated[int, Field(strict=True, ge=1, le=MAX_RECORDS_PER_TABLE)] | None = None
    percent: Annotated[float, Field(gt=0, le=100)] | None = None
    where: Filter | None = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        if isinstance(value, bool):
            raise ValueError("reach is a count (120), a percentage ('25%') or {where: {...}}")
        if isinstance(value, int):
            return {"count": value}
        if isinstance(value, str):
            text = value.strip()
            if text.endswith("%"):
                try:
                    return {"percent": float(text[:-1])}
                except ValueError:
                    pass
            raise ValueError(
                f"reach {value!r} is not a count (120), a percentage ('25%') or {{where: ...}}"
            )
        return value

    @model_validator(mode="after")
    def _exactly_one(self) -> Reach:
        if sum(v is not None for v in (self.count, self.percent, self.where)) != 1:
            raise ValueError("reach is exactly one of a count, a percentage or a where-filter")
        return self


class _FaultBase(Strict):
    starts: Span = Field(
        default=timedelta(0), description="when the bad run starts, after the scenario starts"
    )
    rate: LimitedRate = Field(description="events the bad run handles per period")
    reach: Reach
    via: str | None = Field(
        default=None, description="the feeder that delivers the bad run's work, if not the trigger"
    )


class WrongFieldMapping(_FaultBase):
    """The value meant for one field is written into another (status into billing terms)."""

    kind: Literal["wrong_field_mapping"]
    writes: FieldRef
    into: FieldRef


class TripleTrigger(_FaultBase):
    """One event delivered N times: N emails, N activity entries."""

    kind: Literal["triple_trigger"]
    times: Repeats = 3


class BlankWrites(_FaultBase):
    """Empty values (or nulls) written over real values in the source system."""

    kind: Literal["blank_writes"]
    fields: list[FieldRef] = Field(min_length=1, max_length=MAX_ITEMS)
    blank: Literal["empty", "null"] = "empty"


class StatusFlapping(_FaultBase):
    """A status bounces between two values (processing -> shipped -> processing)."""

    kind: Literal["status_flapping"]
    field: FieldRef
    between: tuple[str, str]
    flips: Annotated[int, Field(strict=True, ge=1, le=MAX_REPEATS)] = 2


class DuplicateRecords(_FaultBase):
    """Records created twice (invoices billed twice)."""

    kind: Literal["duplicate_records"]
    table: TableRef
    copies: Repeats = 2


class SkippedApproval(_FaultBase):
    """Messages that need a person's review go out without it."""

    kind: Literal["skipped_approval"]


class OverBroadFilter(_FaultBase):
    """The run reaches records outside its intended filter (churned customers)."""

    kind: Literal["over_broad_filter"]
    reaches: Filter = Field(description="the records outside the filter it also touches")


Fault = Annotated[
    Union[  # noqa: UP007 - a discriminated union reads best spelt out
        WrongFieldMapping,
        TripleTrigger,
        BlankWrites,
        StatusFlapping,
        DuplicateRecords,
        SkippedApproval,
        OverBroadFilter,
    ],
    Field(discriminator="kind"),
]
FAULT_KINDS = (
    "wrong_field_mapping",
    "triple_trigger",
    "blank_writes",
    "status_flapping",
    "duplicate_records",
    "skipped_approval",
    "over_broad_filter",
)


# -- people ----------------------------------------------------------------------------

_AFTER = re.compile(r"^\s*(\d+)\s+([a-z][a-z _-]*)$")


def _after(value: Any) -> Any:
    """'10 duplicate emails' -> {'count': 10, 'of': 'duplicate emails'}."""
    if isinstance(value, int) and not isinstance(value, bool):
        return {"count": value, "of": "damaged records"}
    if isinstance(value, str):
        m = _AFTER.match(value)
        if not m:
            raise ValueError(
                f"{value!r} is not a threshold; write a count and what is counted, "
                "like '10 duplicate emails'"
            )
        return {"count": int(m.group(1)), "of": m.group(2).strip()}
    return value


class Threshold(Strict):
    count: Annotated[int, Field(strict=True, ge=1, le=MAX_RUN_WRITES)]
    of: Text


class Complaints(Strict):
    """Customers notice: the first complaint after so much visible damage, then more."""

    first_after: Annotated[Threshold, BeforeValidator(_after)]
    every: Interval = timedelta(minutes=10)


class ShadowFixes(Strict):
    """Untracked manual fixes that start when nobody has said anything for too long."""

    start_after_silence: Span
    per_hour: PerHour


class People(Strict):
    edits_per_hour: PerHour = 0
    complaints: Complaints | None = None
    shadow_fixes: ShadowFixes | None = None


# -- scenario --------------------------------------------------------------------------


class Scenario(Strict):
    """One bad run to drill: what breaks, where, and who is around when it does."""

    name: Slug
    title: Text
    summary: Text
    seed: Annotated[int, Field(strict=True, ge=0, le=2**63 - 1)] = 0
    starts: Start
    runs_for: Span = Field(
        default=timedelta(hours=2), description="how long the drill clock may run at most"
    )
    escalation_delay: Span = Field(
        default=timedelta(minutes=30),
        description="how long until someone who can pause is reached, if the owner cannot",
    )
    world: World
    automation: Automation
    fault: Fault
    people: People = Field(default_factory=People)

    def cross_check(self) -> list[tuple[Path, str]]:
        """Problems that span several parts of the file, each with the key path to blame."""
        issues: list[tuple[Path, str]] = []
        counts = self.world.counts
        present = set(counts)
        auto = self.automation

        def need(table: str, path: Path, what: str) -> None:
            if table.split(".")[0] != WAREHOUSE and table not in present:
                issues.append(
                    (path, f"{what} '{table}' has no records in this world; "
                     f"add it under world.{table.replace('.', ': ', 1)}: N")
                )

        need(auto.trigger.table, ("automation", "trigger"), "the trigger's table")
        if auto.trigger.table.split(".")[0] != auto.source:
            issues.append((
                ("automation", "source"),
                f"the automation's source is '{auto.source}' but its trigger works on "
                f"'{auto.trigger.table}'; make them the same system",
            ))
        source_table = CATALOG.table(auto.trigger.table)
        for name in auto.where:
            if name not in source_table.field_names:
                issues.append((("automation", "where", name), _no_field(source_table, name)))
        names = [f.name for f in auto.feeders]
        for i, name in enumerate(names):
            if name in names[:i]:
                issues.append(
                    (("automation", "feeders", i, "name"),
                     f"feeder '{name}' is listed twice; give each feeder its own name")
                )
        for i, action in enumerate(auto.does):
            issues.extend(_check_action(action, ("automation", "does", i, action.kind),
                                        source_table))
        for i, sync in enumerate(self.world.syncs):
            target = CATALOG.table(sync.to.rsplit(".", 1)[0])
            if sync.key not in target.field_names:
                issues.append((("world", "syncs", i, "key"), _no_field(target, sync.key)))
        issues.extend(self._check_fault(source_table))
        issues.extend(self._check_volume())
        return issues

    def run_writes(self) -> tuple[int, int, int]:
        """(records reached, writes per record, their product): the most a bad run writes.

        The reach is cut to the trigger table's size, and each record reached gets every
        step of the automation, times the fault's repeats. Syncs downstream copy some of
        it again; this bound leaves them out, as they copy at most what is written here.
        """
        size = self.world.counts.get(self.automation.trigger.table, 0)
        reach = self.fault.reach
        if reach.count is not None:
            reached = min(reach.count, size)
        elif reach.percent is not None:
            reached = math.ceil(size * reach.percent / 100)
        else:
            reached = size
        f = self.fault
        repeats = (
            f.times if isinstance(f, TripleTrigger)
            else f.copies if isinstance(f, DuplicateRecords)
            else 2 * f.flips if isinstance(f, StatusFlapping)
            else 1
        )
        each = max(1, len(self.automation.does)) * repeats
        return reached, each, reached * each

    def people_edits(self) -> int:
        """People's edits and shadow fixes over the whole drill, at most."""
        per_hour = self.people.edits_per_hour
        if self.people.shadow_fixes is not None:
            per_hour += self.people.shadow_fixes.per_hour
        return math.ceil(per_hour * self.runs_for.total_seconds() / 3600)

    def _check_volume(self) -> list[tuple[Path, str]]:
        """The limits on what a drill writes, which only the whole file can tell."""
        issues: list[tuple[Path, str]] = []
        reached, each, writes = self.run_writes()
        if writes > MAX_RUN_WRITES:
            issues.append((("fault", "reach"),
                           f"the bad run could write {writes:,} records ({reached:,} records "
                           f"reached, {each:,} writes each), over the limit of "
                           f"{MAX_RUN_WRITES:,}; lower the reach or the fault's repeats"))
        edits = self.people_edits()
        if edits > MAX_PEOPLE_EDITS:
            issues.append((("people",),
                           f"people would make {edits:,} edits over the "
                           f"{format_duration(self.runs_for)} drill, over the limit of "
                           f"{MAX_PEOPLE_EDITS:,}; lower the edits per hour or runs_for"))
        return issues

    def _check_fault(self, source_table: TableDef) -> list[tuple[Path, str]]:
        f = self.fault
        issues: list[tuple[Path, str]] = []
        auto = self.automation
        if f.via is not None and auto.feeder(f.via) is None:
            known = [x.name for x in auto.feeders]
            hint = did_you_mean(f.via, known) if known else "; the automation lists no feeders"
            issues.append(
                (("fault", "via"), f"the automation has no feeder '{f.via}'{hint}")
            )
        if f.starts >= self.runs_for:
            issues.append((("fault", "starts"),
                           "the fault starts after the drill ends; make it start before runs_for"))
        if f.reach.where is not None:
            for name in f.reach.where:
                if name not in source_table.field_names:
                    issues.append((("fault", "reach", "where", name),
                                   _no_field(source_table, name)))
        if auto.callable is not None:
            return issues  # what the team's own code writes is only known when it runs
        written = _written_fields(auto)
        if isinstance(f, WrongFieldMapping):
            if f.writes not in written:
                issues.append((("fault", "writes"),
                               f"the automation never writes '{f.writes}'; name a field it "
                               f"writes: {', '.join(sorted(written)) or 'none'}"))
            if f.writes.rsplit(".", 1)[0] != f.into.rsplit(".", 1)[0]:
                issues.append((("fault", "into"),
                               "a wrong mapping writes into another field of the same table; "
                               f"pick a field of '{f.writes.rsplit('.', 1)[0]}'"))
            elif f.writes == f.into:
                issues.append((("fault", "into"), "'into' must be a different field than 'writes'"))
        elif isinstance(f, BlankWrites):
            for i, name in enumerate(f.fields):
                if name.rsplit(".", 1)[0] != source_table.qualname:
                    issues.append((("fault", "fields", i),
                                   f"blank writes hit the triggering table "
                                   f"'{source_table.qualname}'; name one of its fields"))
        elif isinstance(f, StatusFlapping):
            if f.field not in written:
                issues.append((("fault", "field"),
                               f"the automation never writes '{f.field}'; flapping needs a "
                               "status the job sets"))
        elif isinstance(f, DuplicateRecords):
            created = {a.spec.table for a in auto.does if a.kind == "create_record"}
            created |= {"email.outbox" for a in auto.does if a.kind == "send_email"}
            created |= {a.spec for a in auto.does if a.kind == "log_activity"}
            if f.table not in created:
                issues.append((("fault", "table"),
                               f"the automation never creates records in '{f.table}'; "
                               f"it creates: {', '.join(sorted(created)) or 'nothing'}"))
        elif isinstance(f, SkippedApproval):
            if not any(a.kind == "send_email" and a.spec.review for a in auto.does):
                issues.append((("fault", "kind"),
                               "skipped_approval needs a send_email step with 'review: true'"))
        elif isinstance(f, OverBroadFilter):
            if not auto.where:
                issues.append((("fault", "kind"),
                               "over_broad_filter needs the automation's 'where' filter"))
            for name in f.reaches:
                if name not in source_table.field_names:
                    issues.append((("fault", "reaches", name), _no_field(source_table, name)))
        return issues


def _no_field(table: TableDef, name: str) -> str:
    return f"table '{table.qualname}' has no field '{name}'{did_you_mean(name, table.field_names)}"


def _written_fields(auto: Automation) -> set[str]:
    out: set[str] = set()
    for a in auto.does:
        if a.kind == "sync_field":
            out.add(a.spec.to)
        elif a.kind in ("set_field", "advance_stage"):
            out.add(a.spec.field)
    return out


def _check_action(action: Action, path: Path, source: TableDef) -> list[tuple[Path, str]]:
    spec = action.spec
    issues: list[tuple[Path, str]] = []
    src = source.qualname
    if action.kind == "send_email" and spec.to.rsplit(".", 1)[0] != src:
        issues.append(
            ((*path, "to"), f"the address must be a field of '{src}', the triggering table")
        )
    if action.kind == "sync_field":
        if spec.from_.rsplit(".", 1)[0] != src:
            issues.append(((*path, "from"), f"sync from a field of '{src}', the triggering table"))
        target = CATALOG.table(spec.to.rsplit(".", 1)[0])
        if spec.key not in target.field_names:
            issues.append(((*path, "key"), _no_field(target, spec.key)))
    if action.kind in ("set_field", "advance_stage") and spec.field.rsplit(".", 1)[0] != src:
        issues.append(((*path, "field"), f"set a field of '{src}', the triggering table"))
    if action.kind == "create_record":
        target = CATALOG.table(spec.table)
        for name in [*spec.copy_fields, *spec.values]:
            if name not in target.field_names:
                where = "copy" if name in spec.copy_fields else "values"
                issues.append(((*path, where, name), _no_field(target, name)))
        for name in spec.copy_fields.values():
            if name not in source.field_names:
                issues.append(((*path, "copy"), _no_field(source, name)))
    return issues
