"""From a column's profile to a declared field: its type, its generator and why.

The rules are tried in a fixed order, the most certain first, and the first that fits
wins: a column with no values; a reference (a ``*_id`` of whole numbers all within
another table's ids); a boolean (only 0/1 or true/false); whole or decimal numbers
(money when the header says so); dates and times; then text, by what its values look
like (email addresses, URLs, phone numbers), by how few distinct values it has (a
choice), and by its header and the values' words (free text, a company, a person's
name, a code with a fixed shape). Each field carries a note saying what was found in
how many rows, written beside it in the declaration for people to check.

Nothing here writes a value of the export, except a choice's values when the user asks
(``keep_choices``): ranges are rounded outward to two significant digits, times become
day windows, and without ``keep_choices`` a choice's values become ``value_1``...
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import reduce
from typing import Any

from drills.fakes.infer.profile import CHOICE_MAX, ColumnProfile
from drills.files.limits import MAX_TEXT_LENGTH

__all__ = [
    "CHOICE_MIN_SEEN",
    "MONEY_WORDS",
    "Context",
    "InferredField",
    "KeyRange",
    "infer_field",
    "outward",
]

CHOICE_MIN_SEEN = 5
"""A choice's every value is seen at least this often: a value seen once or twice is
more likely a name or a note than a category (and more likely to identify someone)."""

SHARE = 0.95
"""Share of a column's values that must look like an email address (URL, phone number)
for the column to be declared one, whatever its header says."""

HINTED_SHARE = 0.5
MOST_BLANK = 0.999
"""The largest ``blank`` share a declaration takes (it must stay under 1)."""

MAX_PATTERN = 200
"""The longest ``pattern`` a declaration takes."""

MAX_DAYS = 36_500
"""The widest ``days`` window a declaration takes, either way of the drill's start."""
"""The same share when the header says so too (``email``, ``website``, ``phone``)."""

MONEY_WORDS = frozenset({
    "cents", "amount", "price", "total", "subtotal", "cost", "fee", "fees", "balance",
    "revenue", "salary", "tax", "mrr", "arr", "spend", "payment", "charge", "refund",
    "discount",
})
"""Header words that make a number money."""

_EMAIL_WORDS = frozenset({"email", "mail", "e_mail"})
_URL_WORDS = frozenset({"url", "website", "site", "domain", "link", "homepage", "web"})
_PHONE_WORDS = frozenset({"phone", "mobile", "tel", "telephone", "fax", "cell"})
_TEXT_WORDS = frozenset({
    "notes", "note", "description", "comment", "comments", "message", "body", "subject",
    "summary", "details", "remarks",
})
_COMPANY_WORDS = frozenset({
    "company", "organization", "organisation", "employer", "vendor", "supplier",
    "business", "firm",
})
_NAME_WORDS = frozenset({
    "name", "owner", "assignee", "actor", "author", "agent", "rep", "manager", "person",
})
_FAKERS = {
    "first_name": "first_name", "firstname": "first_name", "given_name": "first_name",
    "last_name": "last_name", "lastname": "last_name", "surname": "last_name",
    "family_name": "last_name",
}
"""Headers that name a part of a person's name, and the Faker provider that makes it."""
_TEXT_FAKERS = {
    "city": "city", "town": "city", "country": "country", "street": "street_address",
    "address": "street_address", "zip": "postcode", "postcode": "postcode",
    "postal_code": "postcode", "job": "job", "job_title": "job", "iban": "iban",
}
"""Headers of plain text that a Faker provider makes better than a word."""


@dataclass(frozen=True)
class KeyRange:
    """The whole-number ``id`` values of one exported table, kept to find references."""

    table: str
    low: int
    high: int
    rows: int


@dataclass(frozen=True)
class Context:
    """What a field's rules know beyond its own column.

    ``keys``: each other table's id range; ``anchor``: the latest time found in the whole
    export, which day windows count from; ``keep_choices``: write choice values as found.
    """

    table: str
    keys: Mapping[str, KeyRange]
    anchor: datetime | None = None
    keep_choices: bool = False


@dataclass(frozen=True)
class InferredField:
    """A declared field: its name, the declaration's spec and a note on what it is from."""

    name: str
    header: str
    spec: dict[str, Any]
    note: str
    placeholders: bool = False
    """A choice declared with ``value_1``... in place of the export's values."""


def outward(low: int, high: int) -> tuple[int, int]:
    """``(1234, 98765)`` -> ``(1200, 99000)``: each end rounded away from the middle to two
    significant digits, so the declaration never holds the export's exact lowest or
    highest number (small numbers, under 100, stay as they are)."""
    return _round(low, down=True), _round(high, down=False)


def _round(value: int, *, down: bool) -> int:
    if value < 0:
        return -_round(-value, down=not down)
    step = int(10 ** max(0, len(str(value)) - 2))
    return (value // step if down else -(-value // step)) * step


def _rows(n: int) -> str:
    return f"{n:,} row" + ("" if n == 1 else "s")


def _words(name: str) -> set[str]:
    return {*name.split("_"), name}


def infer_field(name: str, profile: ColumnProfile, context: Context) -> InferredField:
    """The field a column declares (the rules in the module's order)."""
    field = _infer(name, profile, context)
    if profile.blanks and profile.filled:
        share = min(MOST_BLANK, round(profile.blanks / profile.rows, 3) or 0.001)
        field.spec["blank"] = share
        note = f"{field.note}; {profile.blanks:,} of {_rows(profile.rows)} empty"
        return InferredField(field.name, field.header, field.spec, note, field.placeholders)
    return field


def _field(name: str, profile: ColumnProfile, spec: dict[str, Any], note: str,
           placeholders: bool = False) -> InferredField:
    return InferredField(name, profile.header, spec, note, placeholders)


def _infer(name: str, p: ColumnProfile, context: Context) -> InferredField:
    words = _words(name)
    if not p.filled:
        return _field(name, p, {"type": "text", "blank": MOST_BLANK},
                      f"empty in all {_rows(p.rows)}: nothing says what it holds (a "
                      f"declaration's blank share stays under 1)")
    if (found := _reference(name, p, context)) is not None:
        return found
    if (p.only("bool") or p.only("int", "bool")) and p.ones + p.zeros == p.filled and not (
        words & MONEY_WORDS or name.endswith("_id")
    ):
        share = round(100 * p.ones / p.filled)
        return _field(name, p, {"type": "boolean"},
                      f"only 0/1 or true/false in {_rows(p.filled)}, {share}% of them true "
                      "(a drill draws half and half)")
    if p.only("int", "decimal"):
        return _number(name, p, words)
    if p.only("date"):
        return _times(name, p, context, "date", "dates")
    if p.only("date", "datetime"):
        return _times(name, p, context, "datetime", "dates and times")
    return _text(name, p, words, context)


def _reference(name: str, p: ColumnProfile, context: Context) -> InferredField | None:
    if not (name.endswith("_id") and p.only("int")):
        return None
    low, high = p.numbers()
    stem = name[: -len("_id")]
    fits = [k for k in context.keys.values()
            if k.low <= low and high <= k.high
            and (k.table != context.table or _named(stem, k.table))]
    if not fits:
        return None
    fits.sort(key=lambda k: (not _named(stem, k.table), k.high - k.low,
                             k.table.partition(".")[0] != context.table.partition(".")[0]))
    chosen, others = fits[0], [k.table for k in fits[1:]]
    why = "named after it" if _named(stem, chosen.table) else "the closest id range"
    note = (f"whole numbers in {_rows(p.filled)}, all within the ids of {chosen.table} "
            f"({_rows(chosen.rows)}; {why})")
    if others:
        note += f"; the ids of {', '.join(others)} would hold them too"
    return _field(name, p, {"type": "reference", "to": chosen.table}, note)


def _named(stem: str, table: str) -> bool:
    """``contact`` names ``crm.contacts``; ``category`` names ``shop.categories``."""
    name = table.partition(".")[2]
    forms = {stem, f"{stem}s", f"{stem}es"}
    if stem.endswith("y"):
        forms.add(f"{stem[:-1]}ies")
    return name in forms


def _number(name: str, p: ColumnProfile, words: set[str]) -> InferredField:
    money = bool(words & MONEY_WORDS)
    decimals = p.kinds["decimal"] > 0
    if money and decimals:
        low, high = outward(*p.cents())
        how = (f"numbers with up to {p.decimals} decimals in {_rows(p.filled)} under a money "
               "header: taken as currency units, declared in cents (x 100)")
    elif money:
        low, high = outward(*p.numbers())
        how = (f"whole numbers in {_rows(p.filled)} under a money header: taken as cents as "
               "written (multiply the range by 100 if they are whole currency units)")
    else:
        low, high = outward(*p.numbers())
        how = f"whole numbers in {_rows(p.filled)}"
        if decimals:
            how = (f"numbers with up to {p.decimals} decimals in {_rows(p.filled)}: a "
                   "declaration holds whole numbers, so they are rounded")
    kind = "money" if money else "integer"
    return _field(name, p, {"type": kind, "range": [low, high]},
                  f"{how}; range rounded outward to two significant digits")


def _times(name: str, p: ColumnProfile, context: Context, kind: str,
           what: str) -> InferredField:
    anchor = context.anchor
    earliest, latest = p.times()
    if anchor is None:  # a dated column makes one: the latest time of the whole export
        raise ValueError(f"no anchor for the dated column {p.header!r}")
    if kind == "date":
        day = datetime(anchor.year, anchor.month, anchor.day)
        low, high = (earliest - day).days, (latest - day).days
    else:
        low = math.floor((earliest - anchor).total_seconds() / 86_400)
        high = math.ceil((latest - anchor).total_seconds() / 86_400)
    note = f"{what} in {_rows(p.filled)}, on {_span(low, high)} from the latest time"
    clamped = [max(-MAX_DAYS, min(MAX_DAYS, n)) for n in (low, high)]
    if clamped != [low, high]:
        note += f"; the window is cut to {MAX_DAYS:,} days either way, a declaration's most"
    return _field(name, p, {"type": kind, "days": clamped}, note)


def _span(low: int, high: int) -> str:
    def day(n: int) -> str:
        return f"{n:+,}" if n else "0"
    return f"day {day(low)}" if low == high else f"days {day(low)} to {day(high)}"


def _text(name: str, p: ColumnProfile, words: set[str], context: Context) -> InferredField:
    share = p.filled
    looks = ((p.emails, _EMAIL_WORDS, "email", "email addresses"),
             (p.urls, _URL_WORDS, "url", "URLs or domains"),
             (p.phones, _PHONE_WORDS, "phone", "phone numbers"))
    for count, hints, kind, what in looks:
        if count >= SHARE * share or (words & hints and count >= HINTED_SHARE * share):
            return _field(name, p, {"type": kind},
                          f"{what} in {count:,} of {_rows(share)}")
    if (choice := _choice(name, p, context)) is not None:
        return choice
    mean = p.words / p.filled
    if mean >= 4 or (words & _TEXT_WORDS and mean >= 2):
        return _field(name, p, {"type": "free_text"},
                      f"text of {mean:.0f} words on average in {_rows(p.filled)}")
    if p.company_like >= 0.3 * share or (words & _COMPANY_WORDS and mean <= 6):
        return _field(name, p, {"type": "company"},
                      f"{p.company_like:,} of {_rows(share)} end like a company's name")
    if p.name_like >= 0.6 * share and (words & _NAME_WORDS or name in _FAKERS):
        spec: dict[str, Any] = {"type": "name"}
        if name in _FAKERS:
            spec["faker"] = _FAKERS[name]
        return _field(name, p, spec,
                      f"{p.name_like:,} of {_rows(share)} read like names of people")
    if (p.shape and p.only("text") and ("#" in p.shape or "?" in p.shape)
            and len(p.shape) <= MAX_PATTERN):
        return _field(name, p, {"type": "text", "pattern": p.shape},
                      f"every one of {_rows(share)} has the same shape ('#' a digit, '?' a "
                      "capital letter)")
    faker = _TEXT_FAKERS.get(name) or next(
        (_TEXT_FAKERS[w] for w in sorted(words) if w in _TEXT_FAKERS), None)
    if faker is not None:
        return _field(name, p, {"type": "text", "faker": faker},
                      f"text in {_rows(share)}; Faker's {faker} from the header")
    return _field(name, p, {"type": "text"}, f"text in {_rows(share)}, no pattern found")


def _choice(name: str, p: ColumnProfile, context: Context) -> InferredField | None:
    seen = p.distinct
    if not seen or len(seen) > CHOICE_MAX or min(seen.values()) < CHOICE_MIN_SEEN or (
        max(len(v) for v in seen) > MAX_TEXT_LENGTH
    ):
        return None
    ordered = sorted(seen.items(), key=lambda item: (-item[1], item[0]))
    weights = _reduce([n for _, n in ordered])
    note = (f"{len(ordered)} distinct values in {_rows(p.filled)}, each seen "
            f"{min(seen.values()):,} times or more; weights are their counts, reduced")
    if context.keep_choices:
        values = [v for v, _ in ordered]
        return _field(name, p, {"type": "choice", "values": values, "weights": weights}, note)
    values = [f"value_{i}" for i in range(1, len(ordered) + 1)]
    note += ("; the values are placeholders, most frequent first: name them, or infer "
             "again with --keep-choices")
    return _field(name, p, {"type": "choice", "values": values, "weights": weights}, note,
                  placeholders=True)


def _reduce(counts: list[int]) -> list[int]:
    """Counts divided by their greatest common divisor; per mille when they sum past 1,000
    (each at least 1), so a weight reads as a share and stays within 0.1% of it."""
    divisor = reduce(math.gcd, counts)
    reduced = [n // divisor for n in counts]
    total = sum(reduced)
    if total <= 1_000:
        return reduced
    return [max(1, round(1_000 * n / total)) for n in reduced]
