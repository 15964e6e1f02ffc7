"""Drafts of the words a team owes people during an incident, written from plain facts.

Rule 6 says communicate early: name the job, when it ran, what was paused, what is
wrong, what still looks normal and when the next update comes. Silence breeds shadow
fixes, and a blank page at minute ten is why the first note goes out at minute sixty.
So the engine calls these pure functions with what the drill knows and puts the text
in :attr:`drills.reports.model.Comms`; a live drill can show the same draft to the person on
duty. They take plain values (strings, lists, datetimes), never the engine's objects,
so they are easy to call from anywhere and to test.

Dates are spelt out by hand (``09:10 on Mon 2 Mar 2026``) rather than with
``strftime('%a')``, whose day and month names follow the process locale.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from drills.reports.model import ChecklistItem

__all__ = ["customer_message", "first_note", "format_when", "restart_checklist"]

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun",
           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def format_when(at: datetime, *, since: datetime | None = None) -> str:
    """``09:10 on Mon 2 Mar 2026``; only ``09:10`` when ``since`` is the same day."""
    clock = f"{at:%H:%M}"
    if since is not None and since.date() == at.date():
        return clock
    return f"{clock} on {_DAYS[at.weekday()]} {at.day} {_MONTHS[at.month - 1]} {at.year}"


def _join(items: Sequence[str], conjunction: str = "and") -> str:
    """``a``, ``a and b``, ``a, b and c``: how people write lists in a message."""
    cleaned = [item.strip() for item in items if item.strip()]
    if len(cleaned) <= 1:
        return "".join(cleaned)
    return f"{', '.join(cleaned[:-1])} {conjunction} {cleaned[-1]}"


def _sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else f"{text}."


def first_note(
    job: str,
    run_started: datetime,
    paused: list[str],
    wrong: list[str],
    normal: list[str],
    next_update: datetime | None,
    *,
    owner: str | None = None,
) -> str:
    """The first note to colleagues (rule 6), one short paragraph per question they ask.

    ``paused`` lists what was switched off (``the invoice-reminder job``), ``wrong``
    what is known to be wrong (``about 40 customers got the same reminder three
    times``), ``normal`` what still looks right (``invoice amounts and due dates``).
    Empty lists are said out loud rather than left out: "nothing is paused yet" is
    news too. ``owner`` is who to tell instead of fixing records by hand.
    """
    lines = [
        f"Heads-up: the {job} automation misbehaved. "
        f"Its bad run started at {format_when(run_started)}.",
        "",
    ]
    lines.append(
        _sentence(f"We have paused {_join(paused)}") if paused
        else "Nothing is paused yet; we are pausing it now."
    )
    lines.append(
        _sentence(f"What is wrong: {_join(wrong)}") if wrong
        else "We are still working out which records are wrong."
    )
    lines.append(
        _sentence(f"What still looks normal: {_join(normal)}") if normal
        else "We have not yet confirmed what still looks normal."
    )
    lines.append("")
    if next_update is None:
        lines.append("Next update: as soon as we know more.")
    else:
        lines.append(f"Next update by {format_when(next_update, since=run_started)}.")
    tell = owner or "us"
    lines.append(
        f"Please do not fix affected records by hand in the meantime; tell {tell} "
        "what you see, so the cleanup does not undo your fix or miss it."
    )
    return "\n".join(lines)


def customer_message(
    what_happened: str,
    when: datetime,
    *,
    unaffected: Sequence[str] = (),
    customer_action: str | None = None,
    contact: str | None = None,
    signed: str | None = None,
) -> str:
    """A plain, apologetic message to customers, for when the runbook has none.

    ``what_happened`` is a clause in the team's words (``our billing system sent some
    invoice reminders more than once``); ``unaffected`` what did not change (``your
    invoice``, ``the amount due``); ``customer_action`` what the customer must do, or
    ``None`` when they need do nothing, which the message then says plainly.
    """
    opening = f"On {_DAYS[when.weekday()]} {when.day} {_MONTHS[when.month - 1]}, "
    lines = ["Hello,", "", _sentence(opening + what_happened.strip()) + " We are sorry."]
    if unaffected:
        lines.append(_sentence(f"Nothing about {_join(unaffected, 'or')} changed"))
    if customer_action:
        lines.append(_sentence(f"What we need from you: {customer_action}"))
    else:
        lines.append("You do not need to do anything.")
    reach = f"contact {contact}" if contact else "reply to this message"
    lines += ["", f"If anything still looks wrong to you, please {reach} and we will put it right."]
    if signed:
        lines += ["", signed]
    return "\n".join(lines)


def restart_checklist(
    *,
    cause: str | None,
    unreconciled: int,
    test_record_ok: bool | None,
    tiny_batch_ok: bool | None,
    normal_volume: bool,
    on_duty: str | None,
    approver: str | None,
    cause_why: str | None = None,
    test_record_detail: str | None = None,
    tiny_batch_detail: str | None = None,
    approver_why: str | None = None,
) -> list[ChecklistItem]:
    """Rule 7 as a checklist: restart only with proof, in this order.

    ``None`` for a test means it was never run; ``unreconciled`` counts the pairs of
    systems whose counts still disagree after repair. A test says "passed" only when it
    came out right (``True``) and "failed" otherwise, followed by ``*_detail`` (which
    record, and what came out wrong). ``cause_why`` says why a written cause does not
    count (it says the cause is unknown, or names no mechanism); ``approver_why`` why a
    named approver does not (a team, or the person who restarts).
    """
    one_sentence = bool(cause) and (cause or "").strip().rstrip(".").count(". ") == 0
    cause_text = (cause or "no cause written down").strip()
    return [
        ChecklistItem(
            item="The exact cause in one sentence",
            done=one_sentence and cause_why is None,
            detail=cause_text if cause_why is None or not cause
            else f"not a cause: {cause_why}",
        ),
        ChecklistItem(
            item="Cleanup counts match across systems",
            done=unreconciled == 0,
            detail="all counts reconcile" if unreconciled == 0
            else f"{unreconciled} count{'s do' if unreconciled != 1 else ' does'} not reconcile",
        ),
        ChecklistItem(
            item="One low-risk real test record",
            done=test_record_ok is True,
            detail=_result(test_record_ok, test_record_detail),
        ),
        ChecklistItem(
            item="Then a tiny batch",
            done=tiny_batch_ok is True,
            detail=_result(tiny_batch_ok, tiny_batch_detail),
        ),
        ChecklistItem(
            item="Then normal volume",
            done=normal_volume,
            detail="back to normal volume" if normal_volume else "not reached",
        ),
        ChecklistItem(
            item="Someone on duty who can pause again",
            done=on_duty is not None,
            detail=on_duty or "nobody named",
        ),
        ChecklistItem(
            item="Restart approved by a named person",
            done=approver is not None and approver_why is None,
            detail=(approver or "no approver in the runbook") if approver_why is None
            else f"{approver} - {approver_why}",
        ),
    ]


def _result(ok: bool | None, detail: str | None) -> str:
    """``passed``, ``failed`` or ``not run``, then what the test showed."""
    word = {True: "passed", False: "failed", None: "not run"}[ok]
    return f"{word}: {detail}" if detail and ok is not None else word
