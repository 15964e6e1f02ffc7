"""How the world's values are written: drill times, slugs, work addresses, subjects.

Pure functions with no random draws, shared by the factories (:mod:`drills.fakes.factories`),
the value pools (:mod:`drills.fakes.pools`) and the declared tables' generators
(:mod:`drills.fakes.generators`), so a value is spelled the same whichever way it was made.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime, timedelta

__all__ = [
    "company_domain",
    "deal_title",
    "email_for",
    "iso_date",
    "iso_datetime",
    "normalise_start",
    "outbox_subject",
    "related_ref",
    "send_time",
    "shift_date",
    "shift_datetime",
    "slug",
]

_COMPANY_NOISE = frozenset({"and", "inc", "llc", "ltd", "plc", "group", "sons", "co"})


def normalise_start(start: datetime) -> datetime:
    """Drill time as naive UTC to the second, the form every stored time is written in."""
    if start.tzinfo is not None:
        start = start.astimezone(UTC).replace(tzinfo=None)
    return start.replace(microsecond=0)


def iso_datetime(when: datetime) -> str:
    return when.isoformat(timespec="seconds")


def iso_date(day: date) -> str:
    return day.isoformat()


def shift_date(day: str, days: int) -> str:
    return (date.fromisoformat(day) + timedelta(days=days)).isoformat()


def shift_datetime(when: str, seconds: int) -> str:
    return iso_datetime(datetime.fromisoformat(when) + timedelta(seconds=seconds))


def send_time(created_at: str, delay: int, start: datetime) -> str:
    """When a message left: ``delay`` seconds after creation, but before the drill starts."""
    latest = normalise_start(start) - timedelta(seconds=1)
    return iso_datetime(min(datetime.fromisoformat(created_at) + timedelta(seconds=delay), latest))


def slug(text: str) -> str:
    """ASCII lower-case letters and digits only: ``"Zoë O'Neil"`` -> ``"zoeoneil"``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", ascii_text.lower())


def company_domain(company: str) -> str:
    """``"Robinson, Harding and Brooks"`` -> ``"robinson-harding.com"``."""
    ascii_text = unicodedata.normalize("NFKD", company).encode("ascii", "ignore").decode()
    words = [w for w in re.findall(r"[a-z0-9]+", ascii_text.lower()) if w not in _COMPANY_NOISE]
    return "-".join(words[:2] or ["example"]) + ".com"


def email_for(first: str, last: str, serial: int, domain: str) -> str:
    """A work address, unique by ``serial`` (the contact's id) so a key sync can match it."""
    return f"{slug(first)}.{slug(last)}{serial}@{domain}"


def deal_title(company: str, kind: str) -> str:
    return f"{company}: {kind}"


def related_ref(qualname: str, key: int) -> str:
    """The outbox's pointer at the record an email is about: ``billing.invoices:17``."""
    return f"{qualname}:{key}"


def outbox_subject(template: str, related_key: int | None) -> str:
    """The subject line an email of ``template`` carries."""
    ref = f" {related_key}" if related_key is not None else ""
    if template == "invoice-reminder":
        return f"Reminder: invoice{ref} is due"
    if template == "welcome":
        return "Welcome aboard: your account is ready"
    if template == "renewal-notice":
        return f"Your order{ref} renews soon"
    if template == "order-update":
        return f"Update on your order{ref}"
    return f"A message about{ref or ' your account'}".rstrip()
