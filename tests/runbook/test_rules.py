"""Stop rules: what parses, what is kept as text with a reason, and when a rule fires."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drills.runbook.rules import EXAMPLE_RULE, METRICS, OPS, Op, StopRule, parse_stop_rule

SHAPE = "write METRIC OP NUMBER [within DURATION], e.g. 'duplicate_messages >= 5'"

PARSED: list[tuple[str, str, Op, float, timedelta | None]] = [
    ("duplicate_messages >= 5", "duplicate_messages", ">=", 5, None),
    ("changed_records >= 100 within 5m", "changed_records", ">=", 100, timedelta(minutes=5)),
    ("messages_without_review >= 1", "messages_without_review", ">=", 1, None),
    ("blank_writes > 0", "blank_writes", ">", 0, None),
    ("records_per_minute > 50", "records_per_minute", ">", 50, None),
    ("misshapen_writes == 3", "misshapen_writes", "==", 3, None),
    ("duplicate_records <= 2.5", "duplicate_records", "<=", 2.5, None),
    ("status_flips < 10", "status_flips", "<", 10, None),
    ("complaints >= 2 within 1h30m", "complaints", ">=", 2, timedelta(hours=1, minutes=30)),
    ("  duplicate_messages>=5  ", "duplicate_messages", ">=", 5, None),
    ("changed_records >= 100  within  90s", "changed_records", ">=", 100, timedelta(seconds=90)),
]


@pytest.mark.parametrize(("text", "metric", "op", "threshold", "window"), PARSED,
                         ids=[p[0].strip() for p in PARSED])
def test_a_checkable_rule_parses_into_its_parts(
    text: str, metric: str, op: Op, threshold: float, window: timedelta | None
) -> None:
    rule = parse_stop_rule(text)
    assert rule == StopRule(text=text, metric=metric, op=op, threshold=threshold, window=window)
    assert rule.parsed
    assert (rule.problem, rule.fix) == (None, None)
    assert str(rule) == text


UNPARSED: list[tuple[str, str, str]] = [
    ("pause if something looks wrong",
     "stop rule 'pause if something looks wrong' is not checkable", SHAPE),
    ("pause if too many duplicates",
     "stop rule 'pause if too many duplicates' is not checkable", SHAPE),
    ("", "an empty stop rule is not checkable", SHAPE),
    ("   ", "an empty stop rule is not checkable", SHAPE),
    ("duplicate_messages", "stop rule 'duplicate_messages' is not checkable", SHAPE),
    ("duplicate_messages = 5", "stop rule 'duplicate_messages = 5' is not checkable", SHAPE),
    ("duplicate_messages >= -1", "stop rule 'duplicate_messages >= -1' is not checkable",
     SHAPE),
    ("duplicate_messages >= five",
     "stop rule 'duplicate_messages >= five' is not checkable", SHAPE),
    ("changed_records >= 100 within",
     "stop rule 'changed_records >= 100 within' is not checkable", SHAPE),
    ("duplicate_message >= 5",
     "stop rule 'duplicate_message >= 5' names the unknown metric 'duplicate_message'",
     "did you mean 'duplicate_messages'?"),
    ("Complaints >= 1", "stop rule 'Complaints >= 1' names the unknown metric 'Complaints'",
     "did you mean 'complaints'?"),
    ("emails_sent >= 5", "stop rule 'emails_sent >= 5' names the unknown metric 'emails_sent'",
     "did you mean 'messages_sent'?"),
    ("vibes_felt >= 5", "stop rule 'vibes_felt >= 5' names the unknown metric 'vibes_felt'",
     "choose one of: " + ", ".join(sorted(METRICS))),
    ("changed_records >= 100 within 5 minutes",
     "'5 minutes' in stop rule 'changed_records >= 100 within 5 minutes' is not a duration",
     "write it like '90s', '5m' or '1h'"),
    ("changed_records >= 100 within 0s",
     "stop rule 'changed_records >= 100 within 0s' counts over no time at all",
     "give a window above zero, like 'within 5m'"),
    ("changed_records >= 100 within 99999999999d",
     "'99999999999d' in stop rule 'changed_records >= 100 within 99999999999d' is not a "
     "duration", "write it like '90s', '5m' or '1h'"),
    ("records_per_minute > 50 within 5m",
     "'records_per_minute' is already counted over the last minute",
     "drop 'within 5m', or use changed_records >= N within 5m"),
    ("x" * 80 + " >= 1",
     "stop rule '" + "x" * 57 + "...' names the unknown metric '" + "x" * 80 + "'",
     "choose one of: " + ", ".join(sorted(METRICS))),
]


@pytest.mark.parametrize(("text", "problem", "fix"), UNPARSED,
                         ids=[u[0][:40] or "empty" for u in UNPARSED])
def test_a_rule_that_cannot_be_checked_is_kept_as_text_with_the_reason(
    text: str, problem: str, fix: str
) -> None:
    rule = parse_stop_rule(text)
    assert not rule.parsed
    assert rule.text == text
    assert (rule.metric, rule.op, rule.threshold, rule.window) == (None, None, None, None)
    assert (rule.problem, rule.fix) == (problem, fix)
    assert rule.canonical == text


FIRES: list[tuple[str, float, bool]] = [
    ("duplicate_messages >= 5", 4, False),
    ("duplicate_messages >= 5", 5, True),
    ("duplicate_messages >= 5", 6, True),
    ("blank_writes > 0", 0, False),
    ("blank_writes > 0", 1, True),
    ("misshapen_writes == 3", 2, False),
    ("misshapen_writes == 3", 3, True),
    ("misshapen_writes == 3", 4, False),
    ("status_flips <= 2", 2, True),
    ("status_flips <= 2", 3, False),
    ("records_per_minute < 1", 0.5, True),
    ("records_per_minute < 1", 1, False),
    ("changed_records >= 100 within 5m", 100, True),
]


@pytest.mark.parametrize(("text", "value", "fires"), FIRES,
                         ids=[f"{t} at {v}" for t, v, _ in FIRES])
def test_fires_compares_the_live_value_with_the_threshold(
    text: str, value: float, fires: bool
) -> None:
    assert parse_stop_rule(text).fires(value) is fires


def test_a_rule_that_cannot_be_checked_never_fires() -> None:
    rule = parse_stop_rule("pause if something looks wrong")
    assert [rule.fires(v) for v in (0, 1, 1e9)] == [False, False, False]


def test_every_metric_says_what_it_counts() -> None:
    assert set(METRICS) == {
        "messages_sent", "duplicate_messages", "duplicate_records", "changed_records",
        "records_per_minute", "blank_writes", "misshapen_writes", "unexpected_writes",
        "bounced_emails",
        "messages_without_review", "approvals_skipped", "status_flips", "complaints",
        "delivery_drift", "redeliveries", "out_of_order_arrivals", "failed_calls",
        "redeliveries_per_event", "error_rate",
    }
    assert not set(METRICS) & {"wrong_values"}  # ground truth: no team can watch it
    for name, description in METRICS.items():
        assert description, name
        assert "\n" not in description, name
    assert OPS == (">=", ">", "==", "<=", "<")
    assert parse_stop_rule(EXAMPLE_RULE).parsed


def test_the_canonical_spelling_is_one_space_apart_with_the_shortest_window() -> None:
    assert parse_stop_rule(" changed_records>=100.0 within 300s").canonical == (
        "changed_records >= 100 within 5m"
    )
    assert parse_stop_rule("duplicate_records <= 2.5").canonical == "duplicate_records <= 2.5"


_RULES = st.builds(
    lambda metric, op, threshold, window: (
        f"{metric} {op} {threshold}" + (f" within {window}m" if window else "")
    ),
    st.sampled_from(sorted(set(METRICS) - {"records_per_minute"})),
    st.sampled_from(OPS),
    st.integers(min_value=0, max_value=10**9),
    st.integers(min_value=0, max_value=600),
)


@given(_RULES)
def test_every_well_formed_rule_parses_and_reparses_from_its_canonical_form(text: str) -> None:
    rule = parse_stop_rule(text)
    assert rule.parsed, rule.problem
    again = parse_stop_rule(rule.canonical)
    assert (again.metric, again.op, again.threshold, again.window) == (
        rule.metric, rule.op, rule.threshold, rule.window)


@given(st.text(max_size=200))
def test_parsing_never_raises_and_always_explains_itself(text: str) -> None:
    rule = parse_stop_rule(text)
    assert rule.text == text
    assert rule.parsed or (rule.problem and rule.fix and "\n" not in rule.problem)
