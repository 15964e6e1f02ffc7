"""The bricks every part of a scenario file is built from: names, references, limited values.

Split from :mod:`drills.scenarios.schema` so the world, the automation and every fault
kind (:mod:`drills.scenarios.faults`) build on the same checked types without importing
the whole scenario model, which itself is built from them. References to systems, tables
and fields are checked against :data:`drills.fakes.catalog.CATALOG` where they are
written, so an error points at the key; every number and text has its limit from
:mod:`drills.scenarios.limits`.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from drills.errors import DrillsError, did_you_mean
from drills.fakes.catalog import CATALOG, TableDef
from drills.files import Duration, Rate, RateValue, format_duration
from drills.scenarios.limits import (
    EARLIEST_START,
    LATEST_START,
    MAX_DRILL_LENGTH,
    MAX_ITEMS,
    MAX_NAME_LENGTH,
    MAX_PEOPLE_PER_HOUR,
    MAX_RATE_PER_MINUTE,
    MAX_RECORDS_PER_TABLE,
    MAX_REPEATS,
    MAX_TEXT_LENGTH,
    MIN_INTERVAL,
)

__all__ = [
    "CALLABLE_REF",
    "SLUG_PATTERN",
    "CallableRef",
    "Count",
    "FieldRef",
    "Filter",
    "Interval",
    "Issue",
    "LimitedRate",
    "Path",
    "PerHour",
    "Repeats",
    "Slug",
    "Span",
    "Start",
    "Strict",
    "SystemName",
    "TableRef",
    "Text",
    "check_slug",
    "check_system",
    "check_table",
    "no_field",
]

Path = tuple[str | int, ...]
"""A key path into the file, e.g. ('fault', 'kind') or ('automation', 'does', 0)."""

Issue = tuple[Path, str]
"""A problem :meth:`~drills.scenarios.schema.Scenario.cross_check` found, with the key to blame."""

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
    if not _SLUG.fullmatch(value):  # fullmatch: a "$" would let a trailing newline through
        raise ValueError(
            f"{value!r} is not a valid name; use lower-case letters, digits, '.', '-' or '_', "
            "like 'invoice-reminder'"
        )
    return value


def check_table(value: str) -> str:
    """A table the catalog simulates, as ``system.table``."""
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
TableRef = Annotated[str, AfterValidator(check_table), Field(examples=["billing.invoices"])]
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


def no_field(table: TableDef, name: str) -> str:
    """The one-line error for a field ``table`` does not have, with a did-you-mean."""
    return f"table '{table.qualname}' has no field '{name}'{did_you_mean(name, table.field_names)}"
