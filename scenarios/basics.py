"""The bricks every part of a scenario file is built from: names, references, limited values.

Split from :mod:`drills.scenarios.schema` so the world, the automation and every fault
kind (:mod:`drills.scenarios.faults`) build on the same checked types without importing
the whole scenario model, which itself is built from them. References to systems, tables
and fields are checked against :data:`drills.fakes.catalog.CATALOG` where they are
written, so an error points at the key; every number and text has its limit from
:mod:`drills.scenarios.limits`.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, WithJsonSchema

from drills.errors import DrillsError, did_you_mean
from drills.fakes.active import CATALOG
from drills.fakes.catalog import ColumnType, TableDef
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
    "check_callable",
    "check_filter",
    "check_slug",
    "check_system",
    "check_table",
    "check_value",
    "no_field",
    "same_type",
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


def check_callable(value: str) -> str:
    """``package.module:function``, matched whole: a trailing newline is no part of a name."""
    parts = re.split(r"[.:]", value)
    if not _CALLABLE.fullmatch(value) or any(keyword.iskeyword(p) for p in parts):
        raise ValueError(
            f"{value!r} is not a callable; write it as 'package.module:function', "
            "like 'ops.reminders:send'"
        )
    return value


Slug = Annotated[str, AfterValidator(check_slug)]
CALLABLE_REF = r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*:[A-Za-z_][A-Za-z0-9_]*$"
"""For the JSON schema, where ``$`` ends the text; Python matches it whole (``fullmatch``)."""
_CALLABLE = re.compile(CALLABLE_REF)
CallableRef = Annotated[
    str,
    AfterValidator(check_callable),
    WithJsonSchema({"type": "string", "pattern": CALLABLE_REF, "examples": ["ops.reminders:send"]}),
]
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
Filter = Annotated[
    dict[str, Annotated[str, Field(max_length=MAX_TEXT_LENGTH)]], Field(max_length=MAX_ITEMS)
]
"""Field = value conditions on the automation's table, all of which must hold."""


def no_field(table: TableDef, name: str) -> str:
    """The one-line error for a field ``table`` does not have, with a did-you-mean."""
    return f"table '{table.qualname}' has no field '{name}'{did_you_mean(name, table.field_names)}"


INT64 = (-(2**63), 2**63 - 1)
"""The whole numbers every backend stores: SQLite's INTEGER and PostgreSQL's bigint."""

_WHOLE = re.compile(r"[+-]?[0-9]+")


def check_value(table: TableDef, name: str, value: str | int) -> str | None:
    """Why field ``name`` of ``table`` cannot hold ``value``, with a fix; None when it can.

    A scenario's values (filters, fixed values, created records) are written as text
    and turned into the column's type when the drill runs; this says beforehand what
    that would refuse, so a file that validates is a file a drill can run: whole
    numbers within 64 bits, dates and times in ISO form, text within the length limit.
    """
    column = table.column(name)
    where = f"'{table.qualname}.{name}'"
    if column.type is ColumnType.INT:
        if isinstance(value, bool) or not (
            isinstance(value, int) or _WHOLE.fullmatch(value)
        ):
            example = "12000 (cents)" if column.shape == "money" else "120"
            return f"{where} holds whole numbers, got {_show(value)}; write digits, like {example}"
        number = int(value)
        if not INT64[0] <= number <= INT64[1]:
            return (f"{_show(value)} does not fit {where}, a 64-bit whole number "
                    f"({INT64[0]:,} to {INT64[1]:,}); write a smaller number")
        return None
    text = str(value)
    if len(text) > MAX_TEXT_LENGTH:
        return (f"the value for {where} is {len(text):,} characters long, over the limit "
                f"of {MAX_TEXT_LENGTH:,}; shorten it")
    parse = {"date": date.fromisoformat, "datetime": datetime.fromisoformat}.get(column.shape)
    if parse is not None:
        try:
            parse(text)
        except ValueError:
            like = "2026-03-02" if column.shape == "date" else "2026-03-02T09:10:00"
            return f"{where} holds a {column.shape}, got {_show(value)}; write it like '{like}'"
    return None


def check_filter(table: TableDef, where: Mapping[str, str], path: Path) -> list[Issue]:
    """A ``field: value`` filter on ``table``: each field exists, each value fits it."""
    issues: list[Issue] = []
    for name, value in where.items():
        if name not in table.field_names:
            issues.append(((*path, name), no_field(table, name)))
            continue
        problem = check_value(table, name, value)
        if problem is not None:
            issues.append(((*path, name), problem))
    return issues


def same_type(source: str, target: str) -> str | None:
    """Why field ``source`` cannot be copied into ``target`` (whole numbers into text or
    the other way), with a fix; None when it can. Both are ``system.table.field``."""
    _, src = CATALOG.field(source)
    _, dst = CATALOG.field(target)
    if src.type is dst.type:
        return None
    words = {ColumnType.INT: "whole numbers", ColumnType.TEXT: "text"}
    return (f"'{source}' holds {words[src.type]} but '{target}' holds {words[dst.type]}; "
            f"copy into a field of the same kind")


def _show(value: str | int) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        digits = len(str(abs(value)))
        return f"a {digits}-digit number" if digits > 24 else str(value)
    if _WHOLE.fullmatch(value) and len(value) > 24:
        return f"a {len(value.lstrip('+-'))}-digit number"
    return repr(value if len(value) <= 40 else value[:37] + "...")
