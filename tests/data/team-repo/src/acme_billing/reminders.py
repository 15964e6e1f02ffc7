"""The invoice reminder: one email and one activity entry each time a due date changes."""

from __future__ import annotations

from typing import Any


def send_reminder(client: Any, event: Any) -> None:
    """Email the customer about their invoice and note it in the activity log."""
    invoice = event.record
    client.send(str(invoice["customer_email"]), "invoice-reminder",
                related=f"billing.invoices:{event.key}")
    client.create("billing.activity", invoice_id=event.key, kind="reminder_sent",
                  message=f"reminder sent for invoice {event.key}",
                  at=client.now.isoformat())
