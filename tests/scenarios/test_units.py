"""Durations and rates as people write them, and as the files get written back."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from drills.files import (
    Duration,
    Rate,
    RateValue,
    format_duration,
    parse_duration,
    parse_rate,
)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("90s", 90),
        ("5m", 300),
        ("5min", 300),
        ("2h", 7200),
        ("1h30m", 5400),
        ("1d", 86400),
        ("1h 30m", 5400),
        ("10sec", 10),
        (" 5m ", 300),
        ("0s", 0),
        (45, 45),
        (0, 0),
    ],
)
def test_durations_people_write(text: str | int, seconds: int) -> None:
    assert parse_duration(text) == timedelta(seconds=seconds)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("5 minutes", "'5 minutes' is not a duration; write it like '90s', '5m', '2h' or '1h30m'"),
        ("1:30", "'1:30' is not a duration; write it like '90s', '5m', '2h' or '1h30m'"),
        ("", "'' is not a duration; write it like '90s', '5m', '2h' or '1h30m'"),
        ("m", "'m' is not a duration; write it like '90s', '5m', '2h' or '1h30m'"),
        (-5, "duration -5 is negative; write 0 or more, like '5m'"),
        (True, "True is not a duration; write it like '90s', '5m' or '2h'"),
        (2.5, "2.5 is not a duration; write it like '90s', '5m', '2h' or '1h30m'"),
    ],
)
def test_bad_durations_say_how_to_write_one(value: object, message: str) -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        parse_duration(value)


def test_a_timedelta_passes_through() -> None:
    assert parse_duration(timedelta(minutes=3)) == timedelta(minutes=3)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "0s"), (59, "59s"), (60, "1m"), (5400, "1h30m"), (90061, "1d1h1m1s"), (86400, "1d")],
)
def test_format_duration_is_the_shortest_spelling(seconds: int, text: str) -> None:
    assert format_duration(timedelta(seconds=seconds)) == text


@given(st.integers(min_value=0, max_value=10 * 86400))
def test_format_then_parse_gives_the_same_duration(seconds: int) -> None:
    value = timedelta(seconds=seconds)
    assert parse_duration(format_duration(value)) == value


@pytest.mark.parametrize(
    ("text", "count", "per", "spelt"),
    [
        ("4/min", 4, 60, "4/min"),
        ("4 / m", 4, 60, "4/min"),
        ("200/h", 200, 3600, "200/h"),
        ("200/hour", 200, 3600, "200/h"),
        ("0.5/s", 0.5, 1, "0.5/s"),
        ("10/sec", 10, 1, "10/s"),
        ("3/day", 3, 86400, "3/d"),
    ],
)
def test_rates_people_write(text: str, count: float, per: int, spelt: str) -> None:
    rate = parse_rate(text)
    assert rate == RateValue(count, timedelta(seconds=per))
    assert str(rate) == spelt
    assert parse_rate(str(rate)) == rate


def test_a_rate_knows_its_interval_and_speed() -> None:
    rate = parse_rate("4/min")
    assert rate.interval == timedelta(seconds=15)
    assert rate.per_second == pytest.approx(4 / 60)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("4 per minute", "'4 per minute' is not a rate; write it like '4/min', '200/h' or '1/s'"),
        ("4/week", "'4/week' is not a rate; write it like '4/min', '200/h' or '1/s'"),
        ("-1/min", "'-1/min' is not a rate; write it like '4/min', '200/h' or '1/s'"),
        ("0/min", "rate '0/min' is zero; write a positive rate like '4/min'"),
        (4, "4 is not a rate; write it like '4/min', '200/h' or '1/s'"),
    ],
)
def test_bad_rates_say_how_to_write_one(value: object, message: str) -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        parse_rate(value)


class _Timed(BaseModel):
    every: Duration
    rate: Rate


def test_the_annotated_types_validate_and_serialise_as_written() -> None:
    model = _Timed.model_validate({"every": "1h30m", "rate": "200/hour"})
    assert model.every == timedelta(minutes=90)
    assert model.model_dump(mode="json") == {"every": "1h30m", "rate": "200/h"}
    assert _Timed.model_validate(model.model_dump(mode="json")) == model


def test_the_annotated_types_show_their_pattern_in_the_json_schema() -> None:
    schema = _Timed.model_json_schema()["properties"]
    assert {"type": "integer", "minimum": 0} in schema["every"]["anyOf"]
    assert schema["rate"]["type"] == "string"
    assert "pattern" in schema["rate"]


def test_a_bad_value_is_a_validation_error_with_the_units_message() -> None:
    with pytest.raises(ValidationError) as info:
        _Timed.model_validate({"every": "soon", "rate": "4/min"})
    assert "'soon' is not a duration" in str(info.value)
