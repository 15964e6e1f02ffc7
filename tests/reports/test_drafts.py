"""The drafted first note and customer message say what rule 6 asks, in plain words."""

from __future__ import annotations

from datetime import datetime

from drills.reports.drafts import customer_message, first_note, format_when, restart_checklist

STARTED = datetime(2026, 3, 2, 9, 10)


def test_first_note_answers_every_question_of_rule_6() -> None:
    note = first_note(
        "invoice-reminder", STARTED,
        paused=["the invoice-reminder job", "the email.outbox queue"],
        wrong=["about 40 customers got the same reminder three times"],
        normal=["invoice amounts", "due dates", "payments"],
        next_update=datetime(2026, 3, 2, 10, 30),
        owner="Dana Whitfield",
    )
    assert "invoice-reminder automation" in note  # the job
    assert "09:10 on Mon 2 Mar 2026" in note  # when it ran
    assert "We have paused the invoice-reminder job and the email.outbox queue." in note
    assert "What is wrong: about 40 customers got the same reminder three times." in note
    assert "What still looks normal: invoice amounts, due dates and payments." in note
    assert "Next update by 10:30." in note  # same day: the clock is enough
    assert "tell Dana Whitfield" in note  # against shadow fixes


def test_first_note_says_the_unknowns_out_loud() -> None:
    note = first_note("crm-sync", STARTED, paused=[], wrong=[], normal=[], next_update=None)
    assert "Nothing is paused yet" in note
    assert "still working out which records are wrong" in note
    assert "not yet confirmed what still looks normal" in note
    assert "Next update: as soon as we know more." in note
    assert "tell us what you see" in note


def test_next_update_on_another_day_names_the_day() -> None:
    note = first_note("job", datetime(2026, 3, 2, 23, 30), ["the job"], ["x"], ["y"],
                      next_update=datetime(2026, 3, 3, 8, 0))
    assert "Next update by 08:00 on Tue 3 Mar 2026." in note


def test_dates_do_not_depend_on_the_locale() -> None:
    assert format_when(datetime(2026, 12, 27, 7, 5)) == "07:05 on Sun 27 Dec 2026"
    assert format_when(datetime(2026, 12, 27, 7, 5), since=datetime(2026, 12, 27)) == "07:05"


def test_customer_message_apologises_and_says_whether_to_act() -> None:
    text = customer_message(
        "our billing system sent some invoice reminders more than once", STARTED,
        unaffected=["your invoice", "the amount due"], contact="billing@example.com",
        signed="The billing team",
    )
    assert text.startswith("Hello,\n\nOn Mon 2 Mar, our billing system sent")
    assert "We are sorry." in text
    assert "Nothing about your invoice or the amount due changed." in text
    assert "You do not need to do anything." in text
    assert "contact billing@example.com" in text
    assert text.endswith("The billing team")


def test_customer_message_with_something_to_do() -> None:
    text = customer_message("we sent a wrong payment link", STARTED,
                            customer_action="please ignore the link in yesterday's email")
    assert "What we need from you: please ignore the link in yesterday's email." in text
    assert "You do not need to do anything" not in text
    assert "reply to this message" in text


def test_restart_checklist_follows_rule_7_in_order() -> None:
    done = restart_checklist(cause="The rule fired once per field.", unreconciled=0,
                             test_record_ok=True, tiny_batch_ok=True, normal_volume=True,
                             on_duty="Luis", approver="Dana")
    assert [i.item for i in done] == [
        "The exact cause in one sentence",
        "Cleanup counts match across systems",
        "One low-risk real test record",
        "Then a tiny batch",
        "Then normal volume",
        "Someone on duty who can pause again",
        "Restart approved by a named person",
    ]
    assert all(i.done for i in done)

    missing = restart_checklist(cause="It broke. Then it broke more.", unreconciled=1,
                                test_record_ok=False, tiny_batch_ok=None,
                                normal_volume=False, on_duty=None, approver=None)
    assert not any(i.done for i in missing)
    assert [i.detail for i in missing] == [
        "It broke. Then it broke more.", "1 count does not reconcile", "failed", "not run",
        "not reached", "nobody named", "no approver in the runbook",
    ]
