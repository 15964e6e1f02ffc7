"""The welcome email: greet each new sign-up and mark the contact a lead."""

from __future__ import annotations

from typing import Any


def send_welcome(client: Any, event: Any) -> None:
    """Send the welcome email and set the contact's status."""
    contact = event.record
    client.send(str(contact["email"]), "welcome", related=f"crm.contacts:{event.key}")
    client.update("crm.contacts", event.key, status="lead")
