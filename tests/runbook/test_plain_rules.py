"""Stop rules in specific plain language are read; vague ones stay uncheckable.

The grammar is :data:`drills.runbook.plain.READINGS`; each case is a phrasing a team
really writes and the reading the drill shows for it.
"""

from __future__ import annotations

import pytest

from drills.runbook import lint_runbook
from drills.runbook.plain import READINGS
from drills.runbook.rules import parse_stop_rule
from drills.runbook.schema import Runbook

READ: list[tuple[str, str | None]] = [
    ("5 duplicate records in a row", "duplicate_records >= 5"),
    ("5 duplicate emails in a row", "duplicate_messages >= 5"),
    ("Pause if 3 duplicate messages within 10 minutes", "duplicate_messages >= 3 within 10m"),
    ("two duplicate reminders in 5 min", "duplicate_messages >= 2 within 5m"),
    ("stop the job when 10 duplicate invoices are created", None),  # "are created": not read
    ("10 duplicate invoices created", "duplicate_records >= 10"),
    ("any reminder sent twice", "duplicate_messages >= 1"),
    ("one approval skipped", "approvals_skipped >= 1"),
    ("any approval is skipped", "approvals_skipped >= 1"),
    ("Pause if an approval gets bypassed.", "approvals_skipped >= 1"),
    ("one message sent without review", "messages_without_review >= 1"),
    ("any email sent without approval", "messages_without_review >= 1"),
    ("any notice sent without review", "messages_without_review >= 1"),
    ("pause on the first reminder sent without review", "messages_without_review >= 1"),
    ("3 messages sent without a review within 1h", "messages_without_review >= 3 within 1h"),
    ("more than 100 records changed in 5 minutes", "changed_records > 100 within 5m"),
    ("over 50 records updated within the last 10 min", "changed_records > 50 within 10m"),
    ("at least 20 records updated in the last 5m", "changed_records >= 20 within 5m"),
    ("more than 500 records changed", "changed_records > 500"),
    ("more than 200 orders touched in an hour", "changed_records > 200 within 1h"),
    ("any record updated with the wrong email", "misshapen_writes >= 1"),
    ("pause if any record is updated with the wrong billing terms",
     "misshapen_writes >= 1"),
    ("a field set with the wrong date", "misshapen_writes >= 1"),
    ("5 blank writes", "blank_writes >= 5"),
    ("any record blanked", "blank_writes >= 1"),
    ("one bounced email", "bounced_emails >= 1"),
    ("any email bounces", "bounced_emails >= 1"),
    ("the first complaint", "complaints >= 1"),
    ("pause after 2 customer complaints within 1 hour", "complaints >= 2 within 1h"),
    # How events reach the job (the delivery faults): the sender's log beside the job's.
    ("more than 2 redeliveries per event", "redeliveries_per_event > 2"),
    ("pause if 3 redeliveries of the same event", "redeliveries_per_event >= 3"),
    ("an event delivered more than once", None),  # no count of deliveries: not read
    ("10 redeliveries within 5 minutes", "redeliveries >= 10 within 5m"),
    ("more than 20 webhook retries", "redeliveries > 20"),
    ("5 events out of order", "out_of_order_arrivals >= 5"),
    ("any event arrives out of order", "out_of_order_arrivals >= 1"),
    ("3 scans applied out of order in 10 minutes", "out_of_order_arrivals >= 3 within 10m"),
    ("the first out-of-order event", "out_of_order_arrivals >= 1"),
    ("sender and receiver counts differ by 10", "delivery_drift >= 10"),
    ("stop when the sender's and the job's counts drift apart by more than 5 events",
     "delivery_drift > 5"),
    ("10 events sent but not received", "delivery_drift >= 10"),
    ("more than 20 events lost within an hour", "delivery_drift > 20 within 1h"),
    ("5 failed calls", "failed_calls >= 5"),
    ("any call times out", "failed_calls >= 1"),
    ("3 timeouts within 10 minutes", "failed_calls >= 3 within 10m"),
    ("one rate-limit error", "failed_calls >= 1"),
    ("error rate above 5%", "error_rate > 5"),
    ("pause if the error rate goes over 2.5%", "error_rate > 2.5"),
    ("error rate reaches 10 percent within 15m", "error_rate >= 10 within 15m"),
]

VAGUE = [
    "pause if something looks wrong",
    "if something looks wrong",
    "too many emails",
    "pause when customers complain a lot",
    "unusual activity",
    "if the numbers look off",
    "some duplicate records",
    "lots of records changed",
    "records changed too fast",
    "any record looks wrong",
    "when it feels wrong",
    "duplicates",
    "stop when the team says so",
    "too many errors",
    "events out of order",
    "some events lost",
    "lots of redeliveries",
    "the counts look off",
    "error rate is high",
]


@pytest.mark.parametrize(("text", "reading"), [c for c in READ if c[1]],
                         ids=[c[0] for c in READ if c[1]])
def test_specific_plain_language_is_read(text: str, reading: str) -> None:
    rule = parse_stop_rule(text)
    assert rule.parsed, rule.problem
    assert rule.plain
    assert rule.reading == reading
    assert rule.text == text
    assert rule.shown == f"'{text}' read as {reading}"
    assert rule.canonical == reading


@pytest.mark.parametrize("text", [*VAGUE, *(c[0] for c in READ if c[1] is None)])
def test_vague_language_stays_uncheckable(text: str) -> None:
    rule = parse_stop_rule(text)
    assert not rule.parsed
    assert rule.reading is None
    assert rule.problem == f"stop rule {text!r} is not checkable"


def test_a_rule_in_metric_form_has_no_reading() -> None:
    rule = parse_stop_rule("duplicate_messages >= 5")
    assert rule.parsed
    assert not rule.plain
    assert rule.reading is None
    assert rule.shown == "'duplicate_messages >= 5'"


def test_every_row_reads_its_own_example() -> None:
    for row in READINGS:
        assert parse_stop_rule(row.example).parsed, row.example


def test_the_lint_shows_the_reading_and_flags_only_rules_with_none() -> None:
    runbook = Runbook.model_validate({
        "automation": "invoice-reminder",
        "owner": {"name": "Dana Whitfield", "can_pause": True},
        "stop_rules": ["pause on the first reminder sent without review",
                       "pause if something looks wrong"],
    })
    found = [f for f in lint_runbook(runbook) if "stop" in f.code]
    assert [f.code for f in found] == ["stop-rule-read", "uncheckable-stop-rule"]
    assert found[0].message == ("stop rule 'pause on the first reminder sent without review' "
                                "is read as messages_without_review >= 1")
    assert found[0].severity.value == "info"
    assert "something looks wrong" in found[1].message


def test_a_plain_rule_loads_from_a_file_and_keeps_its_words() -> None:
    runbook = Runbook.model_validate({
        "automation": "invoice-reminder",
        "owner": {"name": "Dana Whitfield", "can_pause": True},
        "stop_rules": ["5 duplicate emails in a row"],
    })
    assert runbook.model_dump(mode="json")["stop_rules"] == ["5 duplicate emails in a row"]
    assert runbook.checkable_rules[0].reading == "duplicate_messages >= 5"
