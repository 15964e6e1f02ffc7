"""Stop rules in plain language: the specific phrasings a drill can read, and nothing vaguer.

Rule 1 (docs/rules.md) quotes stop rules as teams say them: "5 duplicate records in a
row", "one message sent without review". Those are as checkable as
``duplicate_records >= 5``, so a runbook may write them as they are said and the drill
reads each one into a metric, a comparison and a threshold (its *reading*, shown by the
lint and in the report). A phrase that names no count of anything a team can see ("if
something looks wrong", "too many emails") matches no row below and stays uncheckable.

Each row of :data:`READINGS` is one regular expression over the rule (lower-cased, with
a leading "pause if", "stop when", "on the first"... taken off) and the reading it
gives. The table is docs/stop-rules.md's too; ``tests/runbook/test_plain_rules.py``
tries it on many phrasings, the vague ones included.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from types import MappingProxyType

__all__ = ["READINGS", "PlainReading", "Reading", "read_plain"]

_WORD_NUMBERS: Mapping[str, int] = MappingProxyType({
    "a": 1, "an": 1, "any": 1, "one": 1, "single": 1, "the first": 1, "first": 1,
    "a single": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "twenty": 20, "fifty": 50, "a hundred": 100,
})
_NUMBER = r"(?P<n>\d+|" + "|".join(
    sorted((re.escape(w) for w in _WORD_NUMBERS), key=len, reverse=True)) + r")"

_UNITS: Mapping[str, str] = MappingProxyType({
    "s": "s", "sec": "s", "secs": "s", "second": "s", "seconds": "s",
    "m": "m", "min": "m", "mins": "m", "minute": "m", "minutes": "m",
    "h": "h", "hr": "h", "hrs": "h", "hour": "h", "hours": "h",
})
_SPAN = (r"(?:the\s+)?(?:last\s+|same\s+)?(?P<span>(?:\d+|a|an|one)\s*(?:"
         + "|".join(sorted(_UNITS, key=len, reverse=True)) + r"))")
_WINDOW = rf"(?:\s+(?:within|in|inside|over)\s+{_SPAN})?"
_MESSAGES = r"(?:messages?|e-?mails?|reminders?|notices?|notifications?|texts?)"
_RECORDS = (r"(?:records?|invoices?|orders?|deals?|contacts?|tickets?|entries|entry|rows?|"
            r"charges?)")

_LEAD = re.compile(
    r"^(?:(?:pause|stop|halt)(?:\s+(?:the\s+)?(?:job|run|automation|it))?\s+)?"
    r"(?:(?:if|when|whenever|on|after|as\s+soon\s+as|once)\s+)?"
    r"(?:there\s+(?:is|are|were|was)\s+)?"
)


@dataclass(frozen=True)
class Reading:
    """What a plain-language rule means as a checkable rule."""

    metric: str
    op: str
    threshold: float
    window: timedelta | None = None


@dataclass(frozen=True)
class PlainReading:
    """One row of the grammar: the phrasing (as a regex), an example, and how it reads."""

    pattern: re.Pattern[str]
    example: str
    reads_as: str
    """The reading in words, for the docs table (``duplicate_messages >= N``)."""
    build: Callable[[re.Match[str]], Reading]


def _count(m: re.Match[str]) -> int:
    text = " ".join(m.group("n").split())
    return int(text) if text.isdigit() else _WORD_NUMBERS[text]


def _window(m: re.Match[str]) -> timedelta | None:
    span = m.groupdict().get("span")
    if not span:
        return None
    found = re.fullmatch(r"(\d+|a|an|one)\s*([a-z]+)", span)
    assert found is not None
    amount = 1 if found.group(1) in ("a", "an", "one") else int(found.group(1))
    unit = {"s": "seconds", "m": "minutes", "h": "hours"}[_UNITS[found.group(2)]]
    return timedelta(**{unit: amount})


def _at_least(metric: str) -> Callable[[re.Match[str]], Reading]:
    return lambda m: Reading(metric, ">=", _count(m), _window(m))


def _more_than(metric: str) -> Callable[[re.Match[str]], Reading]:
    def build(m: re.Match[str]) -> Reading:
        more = m.group("cmp") is not None and m.group("cmp").split()[0] in ("more", "over")
        return Reading(metric, ">" if more else ">=", _count(m), _window(m))
    return build


def _percent_above(metric: str) -> Callable[[re.Match[str]], Reading]:
    """'above 5%' reads as ``> 5``; 'at least 5%' and 'reaches 5%' as ``>= 5``."""
    def build(m: re.Match[str]) -> Reading:
        strict = m.group("cmp").split()[0] in ("above", "over", "more", "exceeds")
        return Reading(metric, ">" if strict else ">=", float(m.group("pct")), _window(m))
    return build


def _first(metric: str) -> Callable[[re.Match[str]], Reading]:
    return lambda m: Reading(metric, ">=", 1)


def _row(pattern: str, example: str, reads_as: str,
         build: Callable[[re.Match[str]], Reading]) -> PlainReading:
    return PlainReading(re.compile(rf"^{pattern}$"), example, reads_as, build)


_MORE = r"(?P<cmp>more\s+than\s+|over\s+|at\s+least\s+)?"
_ARRIVE = r"(?:(?:arrive|arrives|arrived|arriving|received|delivered|applied)\s+)?"
_FAILED = (r"(?:failed\s+(?:calls?|requests?)|(?:api\s+)?(?:calls?|requests?)\s+(?:that\s+)?"
           r"(?:fail|fails|failed|failing|time\s+out|times\s+out|timed\s+out)|"
           r"(?:api\s+)?errors?|timeouts?|rate[\s-]limit(?:ed)?\s+(?:errors?|answers?|"
           r"responses?)|429s?)")
_SEEN = r"(?:\s+(?:sent|created|seen|written|in\s+the\s+outbox))?"
_ROW = r"(?:\s+in\s+a\s+row)?"

READINGS: tuple[PlainReading, ...] = (
    _row(rf"{_NUMBER}\s+(?:duplicate|duplicated|repeated)\s+{_MESSAGES}{_SEEN}{_ROW}{_WINDOW}",
         "5 duplicate emails in a row", "duplicate_messages >= N [within T]",
         _at_least("duplicate_messages")),
    _row(rf"{_NUMBER}\s+(?:duplicate|duplicated|repeated)\s+{_RECORDS}{_SEEN}{_ROW}{_WINDOW}",
         "5 duplicate records in a row", "duplicate_records >= N [within T]",
         _at_least("duplicate_records")),
    _row(rf"{_NUMBER}\s+{_MESSAGES}\s+sent\s+(?:twice|more\s+than\s+once){_WINDOW}",
         "any reminder sent twice", "duplicate_messages >= N [within T]",
         _at_least("duplicate_messages")),
    _row(rf"{_NUMBER}\s+approvals?\s+(?:(?:is|was|were|are|gets|got)\s+)?"
         rf"(?:skipped|bypassed|missed){_WINDOW}",
         "one approval skipped", "approvals_skipped >= N", _at_least("approvals_skipped")),
    _row(rf"{_NUMBER}\s+{_MESSAGES}\s+(?:(?:is|was|were|are|gets|got)\s+)?(?:sent|sent\s+out|"
         rf"going\s+out|goes\s+out)\s+(?:without|before)\s+(?:a\s+|any\s+)?"
         rf"(?:review|approval|sign-?off){_WINDOW}",
         "pause on the first reminder sent without review", "messages_without_review >= N",
         _at_least("messages_without_review")),
    _row(rf"(?P<cmp>more\s+than\s+|over\s+|at\s+least\s+)?{_NUMBER}\s+{_RECORDS}\s+"
         rf"(?:(?:are|were|get|got)\s+)?(?:changed|updated|touched|written|edited|modified)"
         rf"{_WINDOW}",
         "more than 100 records changed in 5 minutes",
         "changed_records > N [within T] ('at least N': >=)", _more_than("changed_records")),
    _row(rf"{_NUMBER}\s+(?:blank|empty)\s+(?:writes?|values?|fields?){_WINDOW}",
         "5 blank writes", "blank_writes >= N [within T]", _at_least("blank_writes")),
    _row(rf"{_NUMBER}\s+{_RECORDS}\s+(?:(?:is|was|were|are|gets|got)\s+)?"
         rf"(?:blanked|emptied|wiped|cleared){_WINDOW}",
         "any record blanked", "blank_writes >= N [within T]", _at_least("blank_writes")),
    _row(rf"{_NUMBER}\s+(?:bounced|bouncing)\s+{_MESSAGES}{_WINDOW}",
         "one bounced email", "bounced_emails >= N [within T]", _at_least("bounced_emails")),
    _row(rf"{_NUMBER}\s+{_MESSAGES}\s+(?:bounces?|bounced|bouncing|bounced\s+back){_WINDOW}",
         "any email bounces", "bounced_emails >= N [within T]", _at_least("bounced_emails")),
    _row(rf"{_NUMBER}\s+(?:customer\s+)?complaints?(?:\s+(?:comes?|came)\s+in)?{_WINDOW}",
         "the first complaint", "complaints >= N [within T]", _at_least("complaints")),
    _row(r"(?:any|a|one|the\s+first)\s+(?:records?\s+|fields?\s+)?"
         r"(?:(?:is|was|gets|got)\s+)?(?:updated|written|set|changed|filled)\s+with\s+"
         r"(?:the\s+|a\s+)?wrong\s+(?P<field>[a-z][a-z _-]*?)(?:\s+values?)?",
         "any record updated with the wrong email", "misshapen_writes >= 1",
         _first("misshapen_writes")),
    # How events reach the job: what the sender's log and the job's log show side by side.
    _row(rf"{_MORE}{_NUMBER}\s+(?:redeliveries|redelivered|deliveries|retries|times)\s+"
         rf"(?:per|for\s+(?:one|an?|any|the\s+same)|of\s+(?:one|an?|any|the\s+same))\s+"
         rf"event{_WINDOW}",
         "more than 2 redeliveries per event",
         "redeliveries_per_event > N ('at least N': >=)", _more_than("redeliveries_per_event")),
    _row(rf"{_MORE}{_NUMBER}\s+(?:redeliveries|redelivered\s+events?|repeated\s+deliveries|"
         rf"(?:webhook\s+)?retries|deliveries\s+of\s+the\s+same\s+event){_WINDOW}",
         "10 redeliveries within 5 minutes",
         "redeliveries >= N [within T] ('more than N': >)", _more_than("redeliveries")),
    _row(rf"{_NUMBER}\s+(?:events?|scans?|updates?|messages?)\s+{_ARRIVE}out[\s-]+of[\s-]+"
         rf"order{_WINDOW}",
         "5 events out of order", "out_of_order_arrivals >= N [within T]",
         _at_least("out_of_order_arrivals")),
    _row(rf"{_NUMBER}\s+out[\s-]+of[\s-]+order\s+(?:events?|arrivals?|deliveries){_WINDOW}",
         "any out-of-order event", "out_of_order_arrivals >= N [within T]",
         _at_least("out_of_order_arrivals")),
    _row(rf"(?:the\s+)?(?:sender|sent)(?:'s)?\s+and\s+(?:the\s+)?(?:receiver|received|job)"
         rf"(?:'s)?\s+counts?\s+(?:differ|drift(?:\s+apart)?|are\s+apart|are\s+off)\s+by\s+"
         rf"{_MORE}{_NUMBER}(?:\s+events?)?{_WINDOW}",
         "sender and receiver counts differ by 10",
         "delivery_drift >= N [within T] ('more than N': >)",
         _more_than("delivery_drift")),
    _row(rf"{_MORE}{_NUMBER}\s+events?\s+(?:sent\s+(?:but|and)\s+not\s+received|"
         rf"not\s+received|lost(?:\s+on\s+the\s+way)?|missing){_WINDOW}",
         "10 events sent but not received",
         "delivery_drift >= N [within T] ('more than N': >)",
         _more_than("delivery_drift")),
    _row(rf"{_NUMBER}\s+{_FAILED}{_WINDOW}",
         "5 failed calls", "failed_calls >= N [within T]", _at_least("failed_calls")),
    _row(rf"(?:the\s+)?(?:api\s+)?(?:error|failure|failed[\s-]call)\s+rate\s+"
         rf"(?:(?:is|goes|gets|climbs|rises)\s+)?(?P<cmp>above|over|exceeds|more\s+than|"
         rf"at\s+least|reaches|hits)\s+(?P<pct>\d+(?:\.\d+)?)\s*(?:%|percent){_WINDOW}",
         "error rate above 5%", "error_rate > N ('at least N%': >=)",
         _percent_above("error_rate")),
)
"""The grammar of plain-language stop rules, most specific first."""


def read_plain(text: str) -> Reading | None:
    """The reading of a plain-language rule, or None when no row of the grammar fits."""
    said = " ".join(text.strip().lower().rstrip(".!").split())
    said = _LEAD.sub("", said, count=1)
    for row in READINGS:
        m = row.pattern.match(said)
        if m is not None:
            return row.build(m)
    return None
