"""The invoice reminder, after someone renamed a field it reads."""

from __future__ import annotations

from typing import Any


def send_reminder(client: Any, event: Any) -> None:
    """Email the customer about their invoice and note it in the activity log."""
    invoice = event.record
    client.send(str(invoice["billing_email"]), "invoice-reminder",  # line 11: no such field
                related=f"billing.invoices:{event.key}")
