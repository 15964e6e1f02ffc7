"""What one column of an export looks like, gathered a value at a time.

An export can be millions of rows, so nothing here keeps the column's values: a profile
keeps counts (how many values were whole numbers, dates, email addresses...), the lowest
and highest number and time, and the distinct values only while there are few enough to
be a choice (:data:`CHOICE_MAX`). That bound is also a privacy one: past it the values are
dropped, and no value ever leaves the profile but through the inference rules, which
write only counts, rounded ranges, day windows and (when asked) choice values.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

__all__ = [
    "CHOICE_MAX",
    "ColumnProfile",
    "RawValue",
    "TableProfile",
    "shape_of",
]

RawValue = str | int | float | bool | None | list[object] | dict[str, object]
"""A cell as read: CSV gives text, JSONL any JSON value."""

CHOICE_MAX = 12
"""A column with more distinct values than this is never a choice (and its values are
not kept past that many)."""

_INT = re.compile(r"-?(?:0|[1-9][0-9]*)")
_DECIMAL = re.compile(r"-?[0-9]+\.[0-9]+")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATETIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}.*")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}")
_PHONE = re.compile(r"\+?[0-9 ().\-/x]{7,}")
_URL = re.compile(r"(?:https?://|www\.)\S+|[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}(?:/\S*)?",
                  re.IGNORECASE)
_NAME_WORD = re.compile(r"[A-Z][a-zA-Z'\u2019.\-]*")
_TRUE = frozenset({"true", "yes"})
_FALSE = frozenset({"false", "no"})
COMPANY_SUFFIXES = frozenset({
    "inc", "inc.", "llc", "ltd", "ltd.", "plc", "gmbh", "ag", "sa", "sarl", "bv", "nv",
    "group", "corp", "corp.", "co", "co.", "company", "sons", "partners", "limited",
    "holdings", "industries", "ab", "oy", "srl", "spa",
})
"""Last words that mark a company name (Faker's own suffixes among them)."""
_SEPARATORS = frozenset("-_/.: ")


def shape_of(text: str) -> str | None:
    """``ACC-12345`` -> ``???-#####``: digits as ``#``, capitals as ``?``, separators kept.

    None when the text has anything else (a lower-case letter, a symbol): a pattern may
    keep only characters that say nothing of the value, so no part of it is copied.
    """
    out = []
    for char in text:
        if char.isdigit() and char.isascii():
            out.append("#")
        elif "A" <= char <= "Z":
            out.append("?")
        elif char in _SEPARATORS:
            out.append(char)
        else:
            return None
    return "".join(out)


def _moment(text: str) -> datetime | None:
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    if when.tzinfo is not None:  # compared with naive times: everything in UTC
        when = when.astimezone(UTC).replace(tzinfo=None)
    return when


@dataclass
class ColumnProfile:
    """Counts of one column's values by kind, and the bounds the rules need.

    ``kinds`` counts the non-blank values by what they are: ``int``, ``decimal``,
    ``bool``, ``date``, ``datetime`` or ``text``. ``distinct`` holds each value's count
    while there are at most :data:`CHOICE_MAX` of them, then becomes None.
    """

    header: str
    rows: int = 0
    blanks: int = 0
    kinds: Counter[str] = field(default_factory=Counter)
    distinct: Counter[str] | None = field(default_factory=Counter)
    low: int | None = None
    high: int | None = None
    cents_low: int | None = None
    cents_high: int | None = None
    decimals: int = 0
    """Most digits after the point among the decimal numbers."""
    ones: int = 0
    """Whole numbers that are 1, and booleans that are true."""
    zeros: int = 0
    """Whole numbers that are 0, and booleans that are false."""
    earliest: datetime | None = None
    latest: datetime | None = None
    emails: int = 0
    phones: int = 0
    urls: int = 0
    name_like: int = 0
    company_like: int = 0
    words: int = 0
    shape: str | None = ""
    """The shape every text value shares ("" until the first, None once two differ)."""

    @property
    def filled(self) -> int:
        """Values that are not blank."""
        return self.rows - self.blanks

    @property
    def texts(self) -> int:
        return self.kinds["text"]

    def numbers(self) -> tuple[int, int]:
        """The lowest and highest whole number (decimals rounded); a column has some."""
        if self.low is None or self.high is None:
            raise ValueError(f"column {self.header!r} has no numbers")
        return self.low, self.high

    def cents(self) -> tuple[int, int]:
        """The lowest and highest number times 100 (a money column's cents)."""
        if self.cents_low is None or self.cents_high is None:
            raise ValueError(f"column {self.header!r} has no numbers")
        return self.cents_low, self.cents_high

    def times(self) -> tuple[datetime, datetime]:
        """The earliest and latest date or time (a dated column has some)."""
        if self.earliest is None or self.latest is None:
            raise ValueError(f"column {self.header!r} has no dates")
        return self.earliest, self.latest

    def only(self, *kinds: str) -> bool:
        """Whether every non-blank value is of one of ``kinds`` (and there is one)."""
        return bool(self.kinds) and set(self.kinds) <= set(kinds)

    def add(self, raw: RawValue) -> None:
        """Count one cell (a blank, a number, a time or text)."""
        self.rows += 1
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            self.blanks += 1
            return
        if isinstance(raw, list | dict):
            raw = json.dumps(raw, ensure_ascii=False, sort_keys=True)
        self._remember(str(raw).lower() if isinstance(raw, bool) else str(raw))
        if isinstance(raw, bool):
            self._flag(raw)
        elif isinstance(raw, int):
            self._int(raw)
        elif isinstance(raw, float):
            self._decimal(Decimal(repr(raw)))
        else:
            self._text(raw)

    def _remember(self, key: str) -> None:
        if self.distinct is None:
            return
        if key not in self.distinct and len(self.distinct) >= CHOICE_MAX:
            self.distinct = None  # too many to be a choice: keep no values at all
            return
        self.distinct[key] += 1

    def _flag(self, value: bool) -> None:
        self.kinds["bool"] += 1
        if value:
            self.ones += 1
        else:
            self.zeros += 1

    def _int(self, value: int) -> None:
        self.kinds["int"] += 1
        self.ones += value == 1
        self.zeros += value == 0
        self.low = value if self.low is None else min(self.low, value)
        self.high = value if self.high is None else max(self.high, value)
        self._cents(value * 100)

    def _decimal(self, value: Decimal) -> None:
        self.kinds["decimal"] += 1
        exponent = value.as_tuple().exponent
        self.decimals = max(self.decimals, -exponent if isinstance(exponent, int) else 0)
        whole = int(value.to_integral_value())
        self.low = whole if self.low is None else min(self.low, whole)
        self.high = whole if self.high is None else max(self.high, whole)
        self._cents(int((value * 100).to_integral_value()))

    def _cents(self, cents: int) -> None:
        self.cents_low = cents if self.cents_low is None else min(self.cents_low, cents)
        self.cents_high = cents if self.cents_high is None else max(self.cents_high, cents)

    def _time(self, kind: str, when: datetime) -> None:
        self.kinds[kind] += 1
        self.earliest = when if self.earliest is None else min(self.earliest, when)
        self.latest = when if self.latest is None else max(self.latest, when)

    def _text(self, text: str) -> None:
        text = text.strip()
        lowered = text.lower()
        if _INT.fullmatch(text):
            self._int(int(text))
        elif lowered in _TRUE or lowered in _FALSE:
            self._flag(lowered in _TRUE)
        elif _DECIMAL.fullmatch(text):
            try:
                self._decimal(Decimal(text))
            except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
                self._plain(text)
        elif _DATE.fullmatch(text) and (day := _date(text)) is not None:
            self._time("date", datetime(day.year, day.month, day.day))
        elif _DATETIME.fullmatch(text) and (when := _moment(text)) is not None:
            self._time("datetime", when)
        else:
            self._plain(text)

    def _plain(self, text: str) -> None:
        self.kinds["text"] += 1
        words = text.split()
        self.words += len(words)
        if _EMAIL.fullmatch(text):
            self.emails += 1
        elif _URL.fullmatch(text):
            self.urls += 1
        elif _PHONE.fullmatch(text) and sum(c.isdigit() for c in text) >= 7:
            self.phones += 1
        if (words and words[-1].lower().strip(",") in COMPANY_SUFFIXES) or (
            len(words) == 1 and "-" in text and all(p[:1].isupper() for p in text.split("-"))
        ):
            self.company_like += 1
        elif 1 <= len(words) <= 4 and all(_NAME_WORD.fullmatch(w) for w in words):
            self.name_like += 1
        if self.shape is not None:
            shape = shape_of(text)
            if shape is None or (self.shape and shape != self.shape):
                self.shape = None
            else:
                self.shape = shape


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


@dataclass
class TableProfile:
    """One export file read: its rows and a profile per column, in the order first seen."""

    rows: int = 0
    columns: dict[str, ColumnProfile] = field(default_factory=dict)

    def column(self, header: str) -> ColumnProfile:
        """The profile of ``header``; a column first seen late starts with its blanks so far
        (a JSONL record that leaves a key out leaves that field blank)."""
        found = self.columns.get(header)
        if found is None:
            found = ColumnProfile(header, rows=self.rows, blanks=self.rows)
            self.columns[header] = found
        return found

    def add_row(self, cells: dict[str, RawValue]) -> None:
        """Count one record (header -> cell); columns it leaves out count as blank."""
        for header, raw in cells.items():
            self.column(header).add(raw)
        self.rows += 1
        for profile in self.columns.values():
            if profile.rows < self.rows:
                profile.rows += 1
                profile.blanks += 1
