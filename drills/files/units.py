"""Durations ('90s', '5m', '1h30m') and rates ('4/min', '200/h') as typed values.

Scenario and runbook files are written by people, so times are words people use;
the models see ``timedelta`` and :class:`Rate`, and the JSON Schema shows the pattern.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema

__all__ = ["Duration", "Rate", "RateValue", "format_duration", "parse_duration", "parse_rate"]

_TOO_LONG = "{value!r} is far too long; write a duration like '15m' or '2h'"
_UNITS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "d": 86400}
_DURATION = re.compile(r"^\s*(?:(\d+)\s*(d|h|min|m|sec|s)\s*)+$")
_PART = re.compile(r"(\d+)\s*(d|h|min|m|sec|s)")
DURATION_PATTERN = r"^\s*(\d+\s*(d|h|min|m|sec|s)\s*)+$"
RATE_PATTERN = r"^\s*\d+(\.\d+)?\s*/\s*(s|sec|min|m|h|hour|d|day)\s*$"
_PER = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hour": 3600, "d": 86400, "day": 86400}


def parse_duration(value: Any) -> timedelta:
    """'90s', '5m', '2h', '1h30m', '1d' (or a whole number of seconds) -> timedelta."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a duration; write it like '90s', '5m' or '2h'")
    if isinstance(value, int):
        if value < 0:
            raise ValueError(f"duration {value} is negative; write 0 or more, like '5m'")
        try:
            return timedelta(seconds=value)
        except OverflowError:
            raise ValueError(_TOO_LONG.format(value=value)) from None
    if isinstance(value, str) and _DURATION.match(value):
        try:
            return timedelta(seconds=sum(int(n) * _UNITS[u] for n, u in _PART.findall(value)))
        except OverflowError:
            raise ValueError(_TOO_LONG.format(value=value)) from None
    raise ValueError(f"{value!r} is not a duration; write it like '90s', '5m', '2h' or '1h30m'")


def format_duration(value: timedelta) -> str:
    """The shortest spelling that parses back to the same value: 5400s -> '1h30m'."""
    total = int(value.total_seconds())
    if total == 0:
        return "0s"
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        n, total = divmod(total, size)
        if n:
            parts.append(f"{n}{unit}")
    return "".join(parts)


@dataclass(frozen=True, order=True)
class RateValue:
    """So many events per period; ``interval`` is the gap between two events."""

    count: float
    per: timedelta

    @property
    def per_second(self) -> float:
        return self.count / self.per.total_seconds()

    @property
    def interval(self) -> timedelta:
        return self.per / self.count

    def __str__(self) -> str:
        count = int(self.count) if self.count == int(self.count) else self.count
        unit = {1: "s", 60: "min", 3600: "h", 86400: "d"}[int(self.per.total_seconds())]
        return f"{count}/{unit}"


def parse_rate(value: Any) -> RateValue:
    """'4/min', '200/h', '0.5/s' -> RateValue; the count must be above zero."""
    if isinstance(value, RateValue):
        return value
    if isinstance(value, str) and re.match(RATE_PATTERN, value):
        count_text, unit = (p.strip() for p in value.split("/"))
        count = float(count_text)
        if count <= 0:
            raise ValueError(f"rate {value!r} is zero; write a positive rate like '4/min'")
        return RateValue(count, timedelta(seconds=_PER[unit]))
    raise ValueError(f"{value!r} is not a rate; write it like '4/min', '200/h' or '1/s'")


Duration = Annotated[
    timedelta,
    BeforeValidator(parse_duration),
    PlainSerializer(format_duration, return_type=str),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": DURATION_PATTERN},
                {"type": "integer", "minimum": 0},
            ],
            "description": "a duration like '90s', '5m', '2h' or '1h30m' (or seconds)",
        }
    ),
]

Rate = Annotated[
    RateValue,
    BeforeValidator(parse_rate),
    PlainSerializer(str, return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": RATE_PATTERN,
            "description": "events per period, like '4/min' or '200/h'",
        }
    ),
]
