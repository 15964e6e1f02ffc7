"""Acme's pause scripts: what the on-call person runs to stop an automation.

In a drill they act on the fake systems through the same levers a person has.
"""

from __future__ import annotations

from typing import Any


def pause_reminders(ctx: Any) -> str:
    """Pause the reminder rule and hold the outgoing email queue."""
    ctx.control.pause_job("invoice-reminder")
    ctx.control.stop_feeder("email.outbox")
    return "reminder rule paused, email queue held"


def pause_welcome(ctx: Any) -> str:
    """Pause the welcome rule and turn off the sign-up form's webhook."""
    ctx.control.pause_job("welcome-email")
    ctx.control.stop_feeder("signup-form.submitted")
    ctx.control.stop_feeder("email.outbox")
    return "welcome rule paused, sign-up webhook off, email queue held"
