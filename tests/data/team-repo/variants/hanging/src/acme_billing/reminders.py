"""The invoice reminder, waiting on a mail API that never answers."""

from __future__ import annotations

import time
from typing import Any


def _wait_for_mail_api() -> None:
    while True:
        time.sleep(0.05)  # line 11: polls forever


def send_reminder(client: Any, event: Any) -> None:
    """Email the customer about their invoice once the mail API is up."""
    _wait_for_mail_api()
    client.send(str(event.record["customer_email"]), "invoice-reminder",
                related=f"billing.invoices:{event.key}")
