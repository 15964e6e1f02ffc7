"""The automation a scenario drills: what triggers it, what keeps feeding it, what it does.

Split from :mod:`drills.scenarios.schema`; the models are the ``automation:`` section of
a scenario file. The checks of a step against the triggering table
(:func:`check_action`) and the fields the healthy job writes (:func:`written_fields`)
live here too, since both the scenario's cross-check and the fault kinds'
(:mod:`drills.scenarios.faults`) read them.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, ValidationInfo, field_validator, model_validator

from drills.fakes.active import CATALOG
from drills.fakes.catalog import TableDef
from drills.scenarios.basics import (
    CallableRef,
    FieldRef,
    Filter,
    Interval,
    Issue,
    Path,
    Slug,
    Span,
    Strict,
    SystemName,
    TableRef,
    check_slug,
    check_table,
    check_value,
    no_field,
    same_type,
)
from drills.scenarios.limits import MAX_ITEMS, MAX_TEXT_LENGTH

__all__ = [
    "FEEDER_KINDS",
    "ON_DISABLE",
    "RISKS",
    "WEBHOOK_RETRY",
    "WHILE_PAUSED",
    "Action",
    "Automation",
    "CreateRecord",
    "Feeder",
    "LogActivity",
    "Retry",
    "SendEmail",
    "SetField",
    "SyncField",
    "Trigger",
    "check_action",
    "written_fields",
]

FEEDER_KINDS = ("schedule", "webhook", "chained", "queue")
RISKS = ("money", "customer_messages", "legal_records", "access")


WhilePaused = Literal["runs", "waits"]
OnDisable = Literal["hold", "retry", "lose"]

WHILE_PAUSED: dict[str, WhilePaused] = {
    "webhook": "runs", "schedule": "runs", "chained": "runs", "queue": "waits",
}
"""What each kind does while the job is paused, unless the feeder says (docs/feeders.md)."""

ON_DISABLE: dict[str, OnDisable] = {
    "webhook": "retry", "schedule": "hold", "chained": "hold", "queue": "hold",
}
"""What happens to each kind's work once it is shut off, unless the feeder says."""

WEBHOOK_RETRY = (timedelta(minutes=30), timedelta(hours=4))
"""A webhook sender's default retries, (every, for): Shopify's 8 tries over 4 hours."""


class Retry(Strict):
    """How a webhook's sender retries deliveries the disabled endpoint refused."""

    every: Interval
    for_: Span = Field(alias="for", description="how long the sender keeps retrying")


class Feeder(Strict):
    """Something that keeps feeding the job work: pausing the job alone does not stop it."""

    # What it does while the job is paused and once it is shut off depends on its kind
    # (WHILE_PAUSED, ON_DISABLE) unless while_paused, on_disable and, for a webhook,
    # retry say otherwise; docs/feeders.md has the table.

    kind: Literal["schedule", "webhook", "chained", "queue"]
    name: Annotated[str, AfterValidator(check_slug)]
    every: Interval | None = None
    while_paused: WhilePaused | None = Field(
        default=None, description="runs: it runs the job's step itself while the job is "
        "paused; waits: its work waits for the job")
    on_disable: OnDisable | None = Field(
        default=None, description="what happens to its work once it is shut off: held until "
        "the restart, retried by a webhook's sender, or lost")
    retry: Retry | None = Field(
        default=None, description="a webhook sender's retries, e.g. {every: 30m, for: 4h}")

    @model_validator(mode="after")
    def _fits_kind(self) -> Feeder:
        if self.on_disable == "retry" and self.kind != "webhook":
            raise ValueError(f"only a webhook's sender retries; a {self.kind} holds or loses "
                             "its work: write 'on_disable: hold' or 'on_disable: lose'")
        if self.on_disable == "hold" and self.kind == "webhook":
            raise ValueError("a webhook's sender retries or gives up, it does not hold: write "
                             "'on_disable: retry' or 'on_disable: lose'")
        if self.retry is not None and (self.kind != "webhook" or self.on_disable == "lose"):
            raise ValueError("'retry' is a webhook sender's schedule; drop it, or make this a "
                             "webhook with 'on_disable: retry'")
        return self

    @property
    def runs_while_paused(self) -> bool:
        """Whether it runs the job's step itself while the job is paused."""
        return (self.while_paused or WHILE_PAUSED[self.kind]) == "runs"

    @property
    def when_disabled(self) -> OnDisable:
        """What happens to its work once it is shut off: hold, retry or lose."""
        return self.on_disable or ON_DISABLE[self.kind]

    @property
    def retries(self) -> tuple[timedelta, timedelta]:
        """(every, for) of a webhook sender's retries."""
        return (self.retry.every, self.retry.for_) if self.retry is not None else WEBHOOK_RETRY


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
    values: dict[str, Annotated[str, Field(max_length=MAX_TEXT_LENGTH)] | int] = Field(
        default_factory=dict, max_length=MAX_ITEMS
    )


def _activity_table(value: str) -> str:
    check_table(value)
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


def written_fields(auto: Automation) -> set[str]:
    """The fields the healthy job writes (synced to, set or advanced)."""
    out: set[str] = set()
    for a in auto.does:
        if a.kind == "sync_field":
            out.add(a.spec.to)
        elif a.kind in ("set_field", "advance_stage"):
            out.add(a.spec.field)
    return out


def check_action(action: Action, path: Path, source: TableDef) -> list[Issue]:
    """Problems of one step against ``source``, the triggering table."""
    spec = action.spec
    issues: list[Issue] = []
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
            issues.append(((*path, "key"), no_field(target, spec.key)))
        _add(issues, (*path, "to"), same_type(spec.from_, spec.to))
    if action.kind in ("set_field", "advance_stage"):
        if spec.field.rsplit(".", 1)[0] != src:
            issues.append(((*path, "field"), f"set a field of '{src}', the triggering table"))
        table, _, name = spec.field.rpartition(".")
        if spec.value is not None:
            _add(issues, (*path, "value"), check_value(CATALOG.table(table), name, spec.value))
        elif spec.from_ is not None:
            _add(issues, (*path, "from"), same_type(spec.from_, spec.field))
    if action.kind == "create_record":
        issues.extend(_check_create(spec, path, source))
    return issues


def _check_create(spec: CreateRecord, path: Path, source: TableDef) -> list[Issue]:
    """Each field of the new record exists and takes what is copied or written into it."""
    issues: list[Issue] = []
    target = CATALOG.table(spec.table)
    for name, value in spec.values.items():
        if name not in target.field_names:
            issues.append(((*path, "values", name), no_field(target, name)))
        else:
            _add(issues, (*path, "values", name), check_value(target, name, value))
    for name, copied in spec.copy_fields.items():
        if name not in target.field_names:
            issues.append(((*path, "copy", name), no_field(target, name)))
        elif copied not in source.field_names:
            issues.append(((*path, "copy", name), no_field(source, copied)))
        else:
            _add(issues, (*path, "copy", name),
                 same_type(f"{source.qualname}.{copied}", f"{target.qualname}.{name}"))
    return issues


def _add(issues: list[Issue], path: Path, problem: str | None) -> None:
    if problem is not None:
        issues.append((path, problem))
