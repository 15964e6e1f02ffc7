"""Stop rules: when to pause, written so a drill (and a tired person) can check them.

Rule 1 (docs/rules.md) asks for stop rules that are concrete and checkable ("5 duplicate
records in a row", "one message sent without review"), never "if something looks
wrong". So a rule is a tiny expression over a live drill metric::

    METRIC OP NUMBER [within DURATION]

    duplicate_messages >= 5
    changed_records >= 100 within 5m
    messages_without_review >= 1

``within 5m`` means the metric is counted over the last five minutes of drill time
only; without it the metric counts since the bad run started. The engine reads the
metrics (:data:`METRICS` says what each one counts) and asks :meth:`StopRule.fires`.

A rule may also be said in specific plain language ("5 duplicate emails in a row",
"pause on the first reminder sent without review"): :mod:`drills.runbook.plain` reads
it into the same metric, op and threshold, and :attr:`StopRule.reading` shows how.

Every metric counts what a team can observe (messages sent, duplicates a person can
see, records changed, blank writes, bounces, complaints, approvals skipped): a stop
rule is something the person on duty checks. A rule on what only the drill's ground
truth knows (``wrong_values``: which values the run made wrong) is refused when the
runbook loads (:data:`GROUND_TRUTH`), naming the metrics a team can watch instead.

A rule that does not parse is *not* a load error: the runbook still loads, the rule
is kept as its text with :attr:`StopRule.problem` saying why it cannot be checked,
and the lint turns it into an ``uncheckable-stop-rule`` finding. A runbook as teams
really write it ("pause if something looks wrong") must load, so a drill can show
what that vague rule costs. See docs/stop-rules.md.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from types import MappingProxyType
from typing import Literal, get_args

from drills.errors import did_you_mean
from drills.files import format_duration, parse_duration
from drills.runbook.plain import read_plain

__all__ = [
    "EXAMPLE_RULE",
    "GROUND_TRUTH",
    "METRICS",
    "OBSERVABLE_FIX",
    "OPS",
    "RATE_METRICS",
    "Op",
    "StopRule",
    "ground_truth_problem",
    "parse_stop_rule",
]

METRICS: Mapping[str, str] = MappingProxyType({
    "messages_sent": "messages the run sent (rows of the email outbox it wrote as sent)",
    "duplicate_messages": "messages the run wrote that repeat an earlier one: same "
                          "recipient, same template, about the same record",
    "duplicate_records": "records the run created that repeat one it created before, "
                         "outside the email outbox (an invoice billed twice)",
    "changed_records": "distinct records the automation's run wrote to, in any system",
    "records_per_minute": "distinct records the run changed in the last minute "
                          "(already a rate, so it takes no 'within')",
    "blank_writes": "the run's writes of an empty value or null over a real one "
                    "(from the change log)",
    "misshapen_writes": "the run's writes of a value that does not fit its field: not "
                        "one of the field's choices, an address without '@', a date "
                        "that is no date, text in a number",
    "unexpected_writes": "the run's writes its own job never makes: a field the job does "
                         "not write, a record its filter leaves out, a message to one",
    "bounced_emails": "messages the run sent to a blank or malformed address (they bounce)",
    "messages_without_review": "messages sent unreviewed although the job sends that "
                               "template only after a person's review",
    "approvals_skipped": "records whose message went out without the review the job "
                         "requires (one per record, however many copies)",
    "status_flips": "status changes beyond the first per record (a status bouncing "
                    "between two values)",
    "complaints": "customer complaints received about the damage",
    "delivery_drift": "events the sender's log lists as sent that the job's log has not "
                      "received (sender/receiver count drift: lost or held on the way)",
    "redeliveries": "deliveries the job received beyond the first per event (the same "
                    "event id again: webhook retries, queue redelivery)",
    "out_of_order_arrivals": "events the job received after a newer event for the same "
                             "record (the event's own time is older than one applied)",
    "failed_calls": "events whose call to a target answered an error in the job's log "
                    "(a rate limit, a timeout)",
    "redeliveries_per_event": "the most deliveries beyond the first that any one event "
                              "got (the same event id again and again)",
    "error_rate": "the share of the events received whose call to a target answered an "
                  "error, in percent (5 is 5%)",
})
"""Every metric a stop rule may name -> what it counts. Each is read from what a team can
see: the change log, the tables and the complaints (:mod:`drills.engine.metrics`)."""

GROUND_TRUTH: Mapping[str, str] = MappingProxyType({
    "wrong_values": "field values the run made wrong",
})
"""Metrics only the drill's ground truth knows -> what they count. A rule on one is
refused at load: no team can watch it."""

RATE_METRICS = frozenset({"records_per_minute"})
"""Metrics that are already rates over a fixed window, so ``within`` makes no sense."""

Op = Literal[">=", ">", "==", "<=", "<"]
"""A comparison between the live metric (left) and the threshold (right)."""

OPS: tuple[Op, ...] = get_args(Op)
_OP_BY_TEXT: Mapping[str, Op] = MappingProxyType({op: op for op in OPS})

_COMPARE: Mapping[str, Callable[[float, float], bool]] = MappingProxyType({
    ">=": operator.ge,
    ">": operator.gt,
    "==": operator.eq,
    "<=": operator.le,
    "<": operator.lt,
})

EXAMPLE_RULE = "duplicate_messages >= 5"
"""Shown in every fix, so the person mending a rule sees the shape of a good one."""

_RULE = re.compile(
    r"""^\s*
    (?P<metric>[A-Za-z_][A-Za-z0-9_]*)\s*
    (?P<op>>=|<=|==|>|<)\s*
    (?P<number>[0-9]+(?:\.[0-9]+)?)
    (?:\s+within\s+(?P<window>\S.*?))?
    \s*$""",
    re.VERBOSE,
)
_SHAPE = f"write METRIC OP NUMBER [within DURATION], e.g. '{EXAMPLE_RULE}'"


@dataclass(frozen=True)
class StopRule:
    """One stop rule: parsed into metric, op, threshold and window, or kept as text.

    ``text`` is always what the file said. When the rule parses, ``metric``, ``op`` and
    ``threshold`` are set (``window`` only with ``within``) and ``problem`` is None.
    When it does not, those are None and ``problem`` says what is wrong, ``fix`` how to
    write it instead.
    """

    text: str
    metric: str | None = None
    op: Op | None = None
    threshold: float | None = None
    window: timedelta | None = None
    problem: str | None = None
    fix: str | None = None
    plain: bool = False
    """Read from plain language (``text`` is not the metric form): see :attr:`reading`."""
    truth: bool = False
    """Names a ground-truth metric (:data:`GROUND_TRUTH`): the loader refuses the runbook."""

    @property
    def parsed(self) -> bool:
        """Whether the rule can be checked against the live metrics."""
        return self.problem is None

    def fires(self, value: float) -> bool:
        """Whether the metric's current ``value`` trips this rule.

        An unparsed rule never fires: that is exactly the gap the lint reports.
        """
        if self.op is None or self.threshold is None:
            return False
        return _COMPARE[self.op](value, self.threshold)

    @property
    def canonical(self) -> str:
        """The rule spelt the one standard way (``changed_records >= 100 within 5m``)."""
        if not self.parsed:
            return self.text
        assert self.threshold is not None
        text = f"{self.metric} {self.op} {_number(self.threshold)}"
        if self.window is not None:
            text += f" within {format_duration(self.window)}"
        return text

    @property
    def reading(self) -> str | None:
        """How a plain-language rule was read (``messages_without_review >= 1``); None
        when the rule is written as a metric already or cannot be read."""
        return self.canonical if self.plain and self.parsed else None

    @property
    def shown(self) -> str:
        """The rule as reports show it: the text, and its reading when it was read."""
        reading = self.reading
        return f"'{self.text}' read as {reading}" if reading else f"'{self.text}'"

    def __str__(self) -> str:
        return self.text


def _number(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value)


def _quote(text: str) -> str:
    short = text if len(text) <= 60 else text[:57] + "..."
    return repr(short)


def _unparsed(text: str, problem: str, fix: str) -> StopRule:
    return StopRule(text=text, problem=problem, fix=fix)


OBSERVABLE_FIX = (
    "count what a team can see instead: " + ", ".join(m for m in METRICS)
    + ", e.g. 'blank_writes >= 5' or 'changed_records >= 100 within 5m'"
)
"""How to mend a rule on a ground-truth metric: the observable metrics, by name."""


def ground_truth_problem(text: str, metric: str) -> str:
    """Why a rule on ``metric`` (a :data:`GROUND_TRUTH` one) cannot be a stop rule."""
    return (f"stop rule {_quote(text)} counts {GROUND_TRUTH[metric]}: only the drill knows "
            f"those (its ground truth), no team can watch them")


def parse_stop_rule(text: str) -> StopRule:
    """Parse one rule; never raises. An unparsed rule says why in ``problem`` and ``fix``."""
    if not text.strip():
        return _unparsed(text, "an empty stop rule is not checkable", _SHAPE)
    m = _RULE.match(text)
    if m is None:
        reading = read_plain(text)
        if reading is None:
            return _unparsed(text, f"stop rule {_quote(text)} is not checkable", _SHAPE)
        return StopRule(text=text, metric=reading.metric, op=_OP_BY_TEXT[reading.op],
                        threshold=float(reading.threshold), window=reading.window, plain=True)
    metric = m.group("metric")
    if metric in GROUND_TRUTH:
        return StopRule(text=text, problem=ground_truth_problem(text, metric),
                        fix=OBSERVABLE_FIX, truth=True)
    if metric not in METRICS:
        hint = did_you_mean(metric, METRICS).removeprefix("; ")
        return _unparsed(text, f"stop rule {_quote(text)} names the unknown metric '{metric}'",
                         hint)
    window: timedelta | None = None
    window_text = m.group("window")
    if window_text is not None:
        if metric in RATE_METRICS:
            return _unparsed(
                text, f"'{metric}' is already counted over the last minute",
                f"drop 'within {window_text}', or use changed_records >= N within "
                f"{window_text}",
            )
        try:
            window = parse_duration(window_text)
        except (ValueError, OverflowError):
            return _unparsed(
                text, f"{_quote(window_text)} in stop rule {_quote(text)} is not a duration",
                "write it like '90s', '5m' or '1h'",
            )
        if window <= timedelta(0):
            return _unparsed(text, f"stop rule {_quote(text)} counts over no time at all",
                             "give a window above zero, like 'within 5m'")
    return StopRule(
        text=text,
        metric=metric,
        op=_OP_BY_TEXT[m.group("op")],
        threshold=float(m.group("number")),
        window=window,
    )
