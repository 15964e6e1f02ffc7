"""Which fields each system keeps a history of, and for how long.

A repair can only put back a value someone still has. Business systems differ in what
they remember: a billing system keeps an event log with each object's previous values
for a few weeks; a CRM tracks the handful of fields an admin chose, for many months; an
email outbox, a help desk's free-text fields, a shop's orders and a warehouse copy keep
nothing but their current value. So a bulk revert by run id works only on fields the
system tracks, and only while it still keeps them; every other value must come from an
export or from re-running the fixed job.

The defaults below mirror common software of each kind; a scenario overrides them per
table with ``world.history`` (see ``docs/sources.md``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from types import MappingProxyType

__all__ = ["HISTORY_DEFAULTS", "History"]


@dataclass(frozen=True)
class History:
    """A table's field history: the fields it tracks (``None``: every field) and how long."""

    fields: frozenset[str] | None
    keep: timedelta

    def tracks(self, field: str) -> bool:
        return self.fields is None or field in self.fields


_DAY = timedelta(days=1)

HISTORY_DEFAULTS: Mapping[str, History] = MappingProxyType({
    # Billing systems keep an event per change with the object's previous attributes
    # (Stripe's events API, for one, returns the last 30 days).
    "billing.invoices": History(None, 30 * _DAY),
    # CRMs track the fields an admin turned history on for (Salesforce allows 20 per
    # object and keeps them 18 months): typically the status, owner and deal figures,
    # rarely contact details such as email or phone.
    "crm.contacts": History(frozenset({"status", "owner"}), 540 * _DAY),
    "crm.deals": History(frozenset({"stage", "amount_cents", "close_date", "owner"}), 540 * _DAY),
})
"""Table -> its field history when the scenario does not say; tables not named keep none
(billing's activity log, the email outbox, support tickets, shop orders, the warehouse)."""
