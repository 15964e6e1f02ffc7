"""How a message spells a value from a file: short, as the file wrote it, numbers readable.

Shared by the reader (a tagged value that is no number) and the translator of pydantic's
errors (``expected a whole number, got 'ten'``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

__all__ = ["kind_of", "number", "show"]

def kind_of(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"{str(value).lower()} (true/false)"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, int | float):
        return f"the number {number(value)}"
    return "text"


def show(value: Any) -> str:
    """A short spelling of a value as the file wrote it."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, str):
        text = value if len(value) <= 40 else value[:37] + "..."
        return repr(text)
    return number(value)


LONG_NUMBER = 10**24


def number(value: Any) -> str:
    """A number for a message: 12,000 with commas; one too long to read by its length."""
    if isinstance(value, int) and not isinstance(value, bool):
        if abs(value) >= LONG_NUMBER:
            return f"a {len(str(abs(value)))}-digit number"
        if abs(value) >= 10_000:
            return f"{value:,}"
    return str(value)
