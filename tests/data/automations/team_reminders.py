"""A team's own automation, as a plain function: what drills calls for each trigger.

Used by tests to show a user automation in a drill; the faults bend what it writes.
"""

from __future__ import annotations

from drills.fakes.automations import PlanningClient, TriggerEvent


def send_reminder(client: PlanningClient, event: TriggerEvent) -> None:
    """Email the customer about their invoice and note it in the activity log."""
    invoice = event.record
    client.send(str(invoice["customer_email"]), "invoice-reminder",
                related=f"billing.invoices:{event.key}")
    client.create("billing.activity", invoice_id=event.key, kind="reminder_sent",
                  message=f"reminder sent for invoice {event.key}", at=client.now.isoformat())
    client.update("billing.invoices", event.key, notes="reminder sent")
