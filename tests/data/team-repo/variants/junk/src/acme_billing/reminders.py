"""The invoice reminder, writing a structure where the activity log holds text."""

from __future__ import annotations

from typing import Any


def send_reminder(client: Any, event: Any) -> None:
    """Email the customer about their invoice and note it in the activity log."""
    client.send(str(event.record["customer_email"]), "invoice-reminder",
                related=f"billing.invoices:{event.key}")
    note = {"sent": True, "invoice": event.key}
    client.create("billing.activity", message=note, at=client.now.isoformat())  # line 13

