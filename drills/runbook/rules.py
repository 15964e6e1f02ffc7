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

A rule that does not parse is *not* a load error: the runbook still loads, the rule
is kept as its text with :attr:`StopRule.problem` saying why it cannot be checked,
and the lint turns it into an ``uncheckable-stop-rule`` finding. A runbook as teams
really write it ("pause if something looks wrong") must load, so a drill can show
what that vague rule costs.
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

__all__ = [
    "EXAMPLE_RULE",
    "METRICS",
    "OPS",
    "RATE_METRICS",
    "Op",
    "StopRule",
    "parse_stop_rule",
]

METRICS: Mapping[str, str] = MappingProxyType({
    "duplicate_messages": "extra copies of customer messages in the email outbox "
                          "(one event delivered several times)",
    "changed_records": "distinct records the automation's run wrote to, in any system",
    "blank_writes": "real values the run overwrote with an empty value or null",
    "messages_without_review": "messages sent that needed a person's review first",
    "records_per_minute": "distinct records the run changed in the last minute "
                          "(already a rate, so it takes no 'within')",
    "wrong_values": "field values the run made wrong (wrong mapping, blanks, flapping)",
    "duplicate_records": "records created more than once, outside the email outbox "
                         "(an invoice billed twice)",
    "status_flips": "status changes beyond the first per record (a status bouncing "
                    "between two values)",
    "complaints": "customer complaints received about the damage",
})
"""Every metric a stop rule may name -> what it counts. The engine computes each one."""

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

    def __str__(self) -> str:
        return self.text


def _number(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value)


def _quote(text: str) -> str:
    short = text if len(text) <= 60 else text[:57] + "..."
    return repr(short)


def _unparsed(text: str, problem: str, fix: str) -> StopRule:
    return StopRule(text=text, problem=problem, fix=fix)


def parse_stop_rule(text: str) -> StopRule:
    """Parse one rule; never raises. An unparsed rule says why in ``problem`` and ``fix``."""
    if not text.strip():
        return _unparsed(text, "an empty stop rule is not checkable", _SHAPE)
    m = _RULE.match(text)
    if m is None:
        return _unparsed(text, f"stop rule {_quote(text)} is not checkable", _SHAPE)
    metric = m.group("metric")
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
