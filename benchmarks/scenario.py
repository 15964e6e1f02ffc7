"""The benchmark's own scenario and runbook, generated for a world size (not a built-in).

A million-record drill needs a story where the bad run touches a tenth of the world
before anyone stops it: an import that blanks the email and phone of every CRM
contact it handles, with a warehouse copy of the CRM so reconciliation has work. The
fault's rate is set so the whole reach lands in the first four minutes of drill
time, before the runbook's pause (five minutes) takes hold: every size does the
same work in proportion, 10% of its records badly written.
"""

from __future__ import annotations

from typing import Any

from drills.runbook import Runbook
from drills.scenarios.schema import Scenario

__all__ = [
    "AUTOMATION",
    "BAD_SHARE",
    "SHAPES",
    "TRIPLE_AUTOMATION",
    "bench_runbook",
    "bench_scenario",
    "parse_size",
    "triple_runbook",
    "triple_scenario",
]

BAD_SHARE = 0.10
"""Share of the world the bad run writes badly."""

AUTOMATION = "bench-attendee-import"

_SUFFIX = {"k": 1_000, "m": 1_000_000}


def parse_size(text: str) -> int:
    """'10k' -> 10_000, '1M' -> 1_000_000, '2500' -> 2500."""
    raw = text.strip().lower().replace("_", "")
    factor = _SUFFIX.get(raw[-1:], 1)
    digits = raw[:-1] if raw[-1:] in _SUFFIX else raw
    try:
        value = float(digits) * factor
    except ValueError:
        raise ValueError(f"size {text!r} is not a count like 10k, 100k, 1M or 2000") from None
    if value < 100 or value != int(value):
        raise ValueError(f"size {text!r} must be a whole number of records, at least 100")
    return int(value)


def _drill_hours(records: int, per_million: int) -> str:
    """How long the drill clock may run: long enough for the runbook's modelled work.

    Work takes the time it takes for its size (docs/durations.md): at 1M records the
    snapshot alone streams 2M records at 2,000 a minute (17 hours), and the scope reads
    the run's records at 100 a minute. A six-hour clock ended the 1M drill before its
    snapshot was done, so nothing was scoped or repaired. Capped at the longest drill
    a scenario may have (a week)."""
    return f"{min(168, 6 + -(-per_million * records // 1_000_000))}h"


def bench_scenario(records: int, *, seed: int = 1729) -> Scenario:
    """``records`` CRM contacts, a warehouse copy, and a bad run over 10% of them."""
    reach = max(1, round(records * BAD_SHARE))
    per_minute = max(1, -(-reach // 4))  # all of the reach within four minutes
    data: dict[str, Any] = {
        "name": "bench-blank-emails",
        "title": "Benchmark: an import blanks the email and phone of a tenth of the CRM",
        "summary": (
            "The attendee import writes empty values over email and phone for every contact "
            "it handles; the warehouse copies the CRM every ten minutes."
        ),
        "seed": seed,
        "starts": "2026-03-02T09:00:00",
        "runs_for": _drill_hours(records, 72),
        "world": {
            "crm": {"contacts": records},
            "warehouse": {"copies": ["crm.contacts"], "every": "10m"},
        },
        "automation": {
            "name": AUTOMATION,
            "source": "crm",
            "trigger": {"webhook": "events.attendee-updated", "on": "crm.contacts"},
            "feeders": [{"kind": "queue", "name": "crm.import-queue"}],
            "does": [
                {"set_field": {"field": "crm.contacts.notes",
                               "value": "Attended the spring customer webinar"}},
            ],
            "touches": ["customer_messages"],
        },
        "fault": {
            "kind": "blank_writes",
            "fields": ["crm.contacts.email", "crm.contacts.phone"],
            "blank": "empty",
            "rate": f"{per_minute}/min",
            "reach": reach,
            "via": "crm.import-queue",
        },
        "people": {"edits_per_hour": 30},
    }
    return Scenario.model_validate(data)


def bench_runbook() -> Runbook:
    """The good runbook (after ``examples/invoice-reminder.runbook.yaml``), fitted to the import."""
    data: dict[str, Any] = {
        "automation": AUTOMATION,
        "owner": {"name": "Dana Whitfield", "role": "CRM operations lead", "can_pause": True},
        "backup_owner": {"name": "Luis Ortega", "role": "Marketing ops", "can_pause": True},
        "stop_rules": ["blank_writes >= 5", "complaints >= 1"],
        "first_safe_action": "Pause the attendee import, then stop the CRM import queue.",
        "pause": [
            {"pause_job": AUTOMATION, "takes": "5m"},
            {"stop_queue": "crm.import-queue", "takes": "1m"},
        ],
        "snapshot": {"export": ["crm", "warehouse"], "to": "exports/", "takes": "5m"},
        "last_clean_export": {"where": "crm-share/exports/daily", "every": "24h"},
        "scope": {"by": ["run_id", "window"], "systems": ["crm", "warehouse"], "takes": "15m"},
        "repair": {"strategy": "script", "sample": 20, "stages": ["10%", "50%", "100%"],
                   "takes": "30m"},
        "verify": {"reconcile": ["crm", "warehouse"], "takes": "10m"},
        "comms": {"first_note_within": "15m", "next_update_every": "1h"},
        "restart": {
            "approver": {"name": "Dana Whitfield", "role": "CRM operations lead"},
            "cause": "The events export changed its column order; the import mapped blanks.",
            "test": ["one internal test contact", "one low-risk real contact"],
            "ramp": [1, 10, "normal"],
            "watch": "10m",
        },
    }
    return Runbook.model_validate(data)


TRIPLE_AUTOMATION = "bench-invoice-reminder"


def triple_scenario(records: int, *, seed: int = 1729) -> Scenario:
    """The other shape the memory target names: ``records`` invoices, a fifth as many
    contacts, emails and activity rows, and a reminder rule that fires three times for
    each of a tenth of the invoices (every email and activity entry made three times over:
    at 1M, 600,000 records created and 400,000 of them extra).

    Sized like :func:`bench_scenario`: the whole reach lands in the first four minutes,
    before the runbook's pause."""
    reach = max(1, round(records * BAD_SHARE))
    per_minute = max(1, -(-reach // 4))
    fifth = max(1, records // 5)
    data: dict[str, Any] = {
        "name": "bench-triple-reminders",
        "title": "Benchmark: an invoice reminder fires three times for a tenth of the invoices",
        "summary": (
            "Each due-date edit reaches the reminder rule three times: three emails and "
            "three activity entries per invoice; the warehouse copies billing."
        ),
        "seed": seed,
        "starts": "2026-03-02T09:00:00",
        "runs_for": _drill_hours(records, 160),
        "world": {
            "crm": {"contacts": fifth},
            "billing": {"invoices": records, "activity": fifth},
            "email": {"outbox": fifth},
            "warehouse": {"copies": ["billing.invoices", "billing.activity"], "every": "10m"},
        },
        "automation": {
            "name": TRIPLE_AUTOMATION,
            "source": "billing",
            "trigger": {"on_change": "billing.invoices.due_date"},
            "feeders": [
                {"kind": "queue", "name": "email.outbox"},
                {"kind": "webhook", "name": "billing.invoice-updated"},
                {"kind": "chained", "name": "activity-logger"},
            ],
            "does": [
                {"send_email": {"template": "invoice-reminder",
                                "to": "billing.invoices.customer_email"}},
                {"log_activity": "billing.activity"},
            ],
            "touches": ["customer_messages", "money"],
        },
        "fault": {"kind": "triple_trigger", "times": 3, "rate": f"{per_minute}/min",
                  "reach": reach},
        "people": {"edits_per_hour": 30},
    }
    return Scenario.model_validate(data)


def triple_runbook() -> Runbook:
    """The good runbook of the shared example (``examples/invoice-reminder.runbook.yaml``)."""
    data: dict[str, Any] = {
        "automation": TRIPLE_AUTOMATION,
        "owner": {"name": "Dana Whitfield", "role": "Finance manager", "can_pause": True},
        "backup_owner": {"name": "Luis Ortega", "role": "Billing ops", "can_pause": True},
        "stop_rules": ["duplicate_messages >= 5", "complaints >= 1"],
        "first_safe_action": "Pause the reminder rule, then stop the outgoing email queue.",
        "pause": [
            {"pause_job": TRIPLE_AUTOMATION, "takes": "5m"},
            {"stop_queue": "email.outbox", "takes": "1m"},
            {"disable_feeder": "billing.invoice-updated", "takes": "1m"},
            {"disable_feeder": "activity-logger", "takes": "1m"},
        ],
        "snapshot": {"export": ["billing", "email", "warehouse"], "to": "exports/",
                     "takes": "5m"},
        "last_clean_export": {"where": "finance-share/exports/billing/daily", "every": "24h"},
        "scope": {"by": ["run_id", "window"], "systems": ["billing", "email", "warehouse"],
                  "takes": "15m"},
        "repair": {"strategy": "script", "sample": 20, "stages": ["10%", "50%", "100%"],
                   "takes": "30m"},
        "verify": {"reconcile": ["billing", "email", "warehouse"], "takes": "10m"},
        "comms": {"first_note_within": "15m", "next_update_every": "1h"},
        "restart": {
            "approver": {"name": "Priya Nair", "role": "Head of Finance"},
            "cause": "The reminder rule fired once per changed field instead of once per edit.",
            "test": ["internal invoice", "one low-risk real invoice"],
            "ramp": [1, 10, "normal"],
            "watch": "10m",
        },
    }
    return Runbook.model_validate(data)


SHAPES = {
    "blank-emails": (bench_scenario, bench_runbook),
    "triple-trigger": (triple_scenario, triple_runbook),
}
"""The benchmark's scenario shapes by name: the phase table's (blank emails, with its
floor) and the memory target's second shape (a triple trigger over invoices)."""
