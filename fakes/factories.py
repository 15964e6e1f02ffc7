"""What one record of each fake table looks like: the readable definition of the world.

One factory-boy factory per catalog table, with faker fields, says what a contact, a deal,
an invoice... holds and how its fields hang together: an invoice copies its customer's name,
email and status from the contact it points at (so a field sync by key makes sense), its due
date follows its billing terms, an email that was sent has a send time after its creation
time. Small worlds are built from these factories one record at a time; large worlds come
from :mod:`drills.fakes.pools`, which samples the same rules (the windows, weights and
ranges below, the :class:`WorldProvider` values) in bulk, because factory_boy costs about
half a millisecond a record.

Every time is relative to a drill ``start`` passed in, never the wall clock, and the whole
module draws from factory_boy's and Faker's random generators, which :func:`seeded` seeds
together (``factory.random.reseed_random``) and restores after, so a seed gives one world.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any

import factory as _factory_boy
import factory.random as _factory_random
import faker.generator
from faker import Faker
from faker.providers import BaseProvider

from drills.fakes.active import CATALOG
from drills.fakes.catalog import KEY, Catalog, TableDef
from drills.fakes.declared_factories import declared_records
from drills.fakes.spelling import (
    company_domain,
    deal_title,
    email_for,
    iso_date,
    iso_datetime,
    normalise_start,
    outbox_subject,
    related_ref,
    send_time,
    shift_date,
    shift_datetime,
    slug,
)
from drills.fakes.store import Value

__all__ = [
    "CHOICE_WEIGHTS",
    "DATETIME_WINDOWS",
    "DATE_WINDOWS",
    "DEAL_KINDS",
    "DEFAULT_START",
    "FACTORIES",
    "FLAG_RATES",
    "MONEY_RANGES",
    "OUTBOX_RELATED",
    "PARTY_FIELDS",
    "SEND_DELAY_SECONDS",
    "SENT_STATUSES",
    "STAFF_SIZE",
    "TERMS_DAYS",
    "ActivityFactory",
    "ContactFactory",
    "DealFactory",
    "InvoiceFactory",
    "OrderFactory",
    "OutboxFactory",
    "TicketFactory",
    "WorldProvider",
    "build_records",
    "company_domain",
    "deal_title",
    "email_for",
    "iso_date",
    "iso_datetime",
    "make_staff",
    "normalise_start",
    "outbox_subject",
    "related_ref",
    "seeded",
    "send_time",
    "shift_date",
    "shift_datetime",
    "slug",
]

Record = dict[str, Value]

# factory_boy ships ``py.typed`` but no annotations; it is typed as ``Any`` once, here.
factory: Any = _factory_boy
factory_random: Any = _factory_random

DEFAULT_START = datetime(2026, 3, 2, 9, 0, 0)
"""The drill start a factory uses when none is passed (the example scenario's morning)."""

STAFF_SIZE = 8
"""How many people on the team own contacts and deals and log activity."""

# -- the rules every generator follows -------------------------------------------------
# Windows are whole days relative to the drill start, [low, high): a baseline record is
# history, so its times lie before the start; due, close and renewal dates may lie after.

DATETIME_WINDOWS: Mapping[str, tuple[int, int]] = MappingProxyType({
    "crm.contacts.updated_at": (-365, 0),
    "billing.activity.at": (-90, 0),
    "email.outbox.created_at": (-30, 0),
    "support.tickets.updated_at": (-60, 0),
    "shop.orders.placed_at": (-365, 0),
})
DEFAULT_DATETIME_WINDOW = (-365, 0)

DATE_WINDOWS: Mapping[str, tuple[int, int]] = MappingProxyType({
    "crm.deals.close_date": (-120, 120),
    "billing.invoices.issued_on": (-180, 1),
    "shop.orders.renewal_date": (1, 366),
})
DEFAULT_DATE_WINDOW = (-365, 1)

MONEY_RANGES: Mapping[str, tuple[int, int]] = MappingProxyType({
    "crm.deals.amount_cents": (1_000_00, 250_000_00),
    "billing.invoices.amount_cents": (40_00, 12_000_00),
    "shop.orders.total_cents": (9_00, 900_00),
})
"""Money in cents, drawn log-uniformly between the two bounds (many small, few large)."""
DEFAULT_MONEY_RANGE = (1_00, 1_000_00)

CHOICE_WEIGHTS: Mapping[str, tuple[int, ...]] = MappingProxyType({
    "crm.contacts.status": (25, 30, 35, 10),
    "crm.deals.stage": (30, 20, 15, 10, 15, 10),
    "billing.invoices.billing_terms": (20, 45, 10, 10, 15),
    "billing.invoices.currency": (50, 30, 20),
    "billing.invoices.status": (5, 30, 45, 15, 5),
    "billing.activity.kind": (35, 30, 20, 15),
    "email.outbox.template": (40, 20, 15, 25),
    "email.outbox.status": (10, 80, 8, 2),
    "support.tickets.status": (30, 20, 35, 15),
    "support.tickets.priority": (20, 50, 22, 8),
    "shop.orders.status": (8, 12, 25, 50, 5),
})
"""Relative weights in the order of the catalog column's ``choices``; others are uniform."""

FLAG_RATES: Mapping[str, float] = MappingProxyType({"email.outbox.reviewed": 0.8})
"""How often a 0/1 flag is 1."""

TERMS_DAYS: Mapping[str, int] = MappingProxyType(
    {"net15": 15, "net30": 30, "net45": 45, "net60": 60, "prepaid": 0}
)
"""An invoice is due this many days after it was issued."""

SENT_STATUSES = ("sent", "duplicate")
"""Outbox statuses of a message that left: only those have a ``sent_at``."""
SEND_DELAY_SECONDS = (20, 900)

OUTBOX_RELATED: Mapping[str, str] = MappingProxyType({
    "invoice-reminder": "billing.invoices",
    "welcome": "crm.contacts",
    "renewal-notice": "shop.orders",
    "order-update": "shop.orders",
})
"""The table an outgoing email of each template is about (its ``related`` field)."""

PARTY_FIELDS: Mapping[str, Mapping[str, str]] = MappingProxyType({
    "crm.contacts": MappingProxyType(
        {"first_name": "first", "last_name": "last", "email": "email", "company": "company",
         "status": "status"}
    ),
    "billing.invoices": MappingProxyType(
        {"customer_name": "name", "customer_email": "email", "customer_status": "status"}
    ),
    "shop.orders": MappingProxyType({"customer_email": "email", "customer_name": "name"}),
})
"""Fields that describe the person a record is about (a contact when contacts exist)."""

DEAL_KINDS = (
    "annual renewal", "pilot", "seat expansion", "support plan", "onboarding package",
    "multi-year contract", "upgrade", "new logo",
)

def make_staff(seed: int, size: int = STAFF_SIZE) -> tuple[str, ...]:
    """The team (owners, actors) of a seeded world: ``size`` distinct full names."""
    fake = Faker(use_weighting=False)
    fake.seed_instance(f"{seed}/staff")
    names: dict[str, None] = {}
    while len(names) < size:
        names[f"{fake.first_name()} {fake.last_name()}"] = None
    return tuple(names)


def _weights(qualfield: str, options: Sequence[str]) -> tuple[int, ...]:
    weights = CHOICE_WEIGHTS.get(qualfield)
    if weights is None:
        return (1,) * len(options)
    if len(weights) != len(options):
        raise ValueError(
            f"CHOICE_WEIGHTS['{qualfield}'] has {len(weights)} weights for {len(options)} "
            "choices; give one weight per choice in the catalog"
        )
    return weights


# -- the faker provider: one method per kind of value ----------------------------------


class WorldProvider(BaseProvider):
    """Values of the drill world's own kinds, drawn from Faker's (seeded) random generator.

    Registered on factory_boy's Faker (so factories declare ``factory.Faker("drill_money",
    ...)``) and on the pools' Faker, so both draw from one definition.
    """

    def drill_choice(self, field: str) -> str:
        """One of the catalog column's ``choices``, weighted by :data:`CHOICE_WEIGHTS`."""
        options = CATALOG.field(field)[1].choices
        return self._rnd.choices(options, weights=_weights(field, options))[0]

    def drill_money(self, field: str) -> int:
        """Cents, log-uniform in the field's range, priced like people price (.00, .50, .99)."""
        low, high = MONEY_RANGES.get(field, DEFAULT_MONEY_RANGE)
        rnd = self._rnd
        units = int(low / 100 * (high / low) ** rnd.random())
        cents = rnd.choice((0, 0, 0, 50, 99))
        return max(low, min(high, units * 100 + cents))

    def drill_datetime(self, field: str, start: datetime) -> str:
        low, high = DATETIME_WINDOWS.get(field, DEFAULT_DATETIME_WINDOW)
        seconds = self._rnd.randrange(low * 86_400, high * 86_400)
        return iso_datetime(normalise_start(start) + timedelta(seconds=seconds))

    def drill_date(self, field: str, start: datetime) -> str:
        low, high = DATE_WINDOWS.get(field, DEFAULT_DATE_WINDOW)
        days = self._rnd.randrange(low, high)
        return iso_date(normalise_start(start).date() + timedelta(days=days))

    def drill_flag(self, field: str) -> int:
        return int(self._rnd.random() < FLAG_RATES.get(field, 0.5))

    def deal_kind(self) -> str:
        return self._rnd.choice(DEAL_KINDS)

    def send_delay(self) -> int:
        return self._rnd.randint(*SEND_DELAY_SECONDS)

    @property
    def _rnd(self) -> random.Random:
        rnd: random.Random = self.generator.random
        return rnd


factory.Faker.add_provider(WorldProvider)


@contextmanager
def seeded(seed: int | str) -> Iterator[None]:
    """Seed factory_boy and Faker together, and put both generators back afterwards.

    Restoring keeps a world build from changing the random stream of whatever code
    (a test, a user's factory) called it.
    """
    saved_factory = factory_random.randgen.getstate()
    saved_faker = faker.generator.random.getstate()
    factory_random.reseed_random(seed)
    try:
        yield
    finally:
        factory_random.randgen.setstate(saved_factory)
        faker.generator.random.setstate(saved_faker)


# -- declarations ----------------------------------------------------------------------


def _choice(field: str) -> Any:
    return factory.Faker("drill_choice", field=field)


def _money(field: str) -> Any:
    return factory.Faker("drill_money", field=field)


def _datetime(field: str) -> Any:
    return factory.Faker("drill_datetime", field=field, start=factory.SelfAttribute("..start"))


def _date(field: str) -> Any:
    return factory.Faker("drill_date", field=field, start=factory.SelfAttribute("..start"))


def _staff() -> Any:
    """A member of the team when the world has one (``staff=...``), else any full name."""
    return factory.Maybe(
        "staff",
        yes_declaration=factory.Faker("random_element", elements=factory.SelfAttribute("..staff")),
        no_declaration=factory.LazyAttribute(lambda o: f"{o.person_first} {o.person_last}"),
    )


def _pick(records: Sequence[Record]) -> Record | None:
    """A uniformly chosen record, drawn from factory_boy's seeded generator."""
    return factory_random.randgen.choice(records) if records else None


def _full_name(record: Mapping[str, Value]) -> str:
    return f"{record['first_name']} {record['last_name']}"


def _party_email(qualname: str, record: Mapping[str, Value]) -> Value:
    field = next(f for f, role in PARTY_FIELDS[qualname].items() if role == "email")
    return record[field]


class _WorldFactory(factory.DictFactory):  # type: ignore[misc]
    """Shared parameters: the drill start, the team, and a stranger's name for fallbacks."""

    class Params:
        start = DEFAULT_START
        staff: tuple[str, ...] = ()
        person_first = factory.Faker("first_name")
        person_last = factory.Faker("last_name")

    id = factory.Sequence(lambda n: n + 1)


class ContactFactory(_WorldFactory):
    """A person at a customer company, owned by someone on the team."""

    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(
        lambda o: email_for(o.first_name, o.last_name, o.id, company_domain(o.company))
    )
    phone = factory.Faker("phone_number")
    company = factory.Faker("company")
    status = _choice("crm.contacts.status")
    owner = _staff()
    city = factory.Faker("city")
    notes = factory.Faker("sentence")
    updated_at = _datetime("crm.contacts.updated_at")


class DealFactory(_WorldFactory):
    """A sales opportunity with a contact; its title names the contact's company."""

    class Params:
        contact: Record | None = None
        other_company = factory.Faker("company")
        kind_of_deal = factory.Faker("deal_kind")

    contact_id = factory.LazyAttribute(lambda o: o.contact[KEY] if o.contact else None)
    title = factory.LazyAttribute(
        lambda o: deal_title(
            str(o.contact["company"]) if o.contact else o.other_company, o.kind_of_deal
        )
    )
    stage = _choice("crm.deals.stage")
    amount_cents = _money("crm.deals.amount_cents")
    close_date = _date("crm.deals.close_date")
    owner = _staff()
    notes = factory.Faker("sentence")


class InvoiceFactory(_WorldFactory):
    """An invoice to a customer; name, email and status are copied from that contact."""

    class Params:
        customer: Record | None = None
        fresh_company = factory.Faker("company")

    customer_id = factory.LazyAttribute(lambda o: o.customer[KEY] if o.customer else None)
    customer_name = factory.LazyAttribute(
        lambda o: _full_name(o.customer) if o.customer else f"{o.person_first} {o.person_last}"
    )
    customer_email = factory.LazyAttribute(
        lambda o: o.customer["email"] if o.customer else email_for(
            o.person_first, o.person_last, o.id, company_domain(o.fresh_company)
        )
    )
    customer_status = factory.Maybe(
        "customer",
        yes_declaration=factory.LazyAttribute(lambda o: o.customer["status"]),
        no_declaration=_choice("crm.contacts.status"),
    )
    billing_terms = _choice("billing.invoices.billing_terms")
    amount_cents = _money("billing.invoices.amount_cents")
    currency = _choice("billing.invoices.currency")
    status = _choice("billing.invoices.status")
    issued_on = _date("billing.invoices.issued_on")
    due_date = factory.LazyAttribute(
        lambda o: shift_date(o.issued_on, TERMS_DAYS[o.billing_terms])
    )
    notes = factory.Faker("sentence")


class ActivityFactory(_WorldFactory):
    """One entry of an invoice's activity log, written by someone on the team."""

    class Params:
        invoice: Record | None = None

    invoice_id = factory.LazyAttribute(lambda o: o.invoice[KEY] if o.invoice else None)
    kind = _choice("billing.activity.kind")
    message = factory.Faker("sentence")
    at = _datetime("billing.activity.at")
    actor = _staff()


class OutboxFactory(_WorldFactory):
    """An outgoing email about a record (``related``), addressed to that record's person.

    ``records`` maps a qualname to the records an email may be about; the template
    decides which table (:data:`OUTBOX_RELATED`), and a record is drawn from it.
    """

    class Params:
        records: Mapping[str, Sequence[Record]] = MappingProxyType({})
        about = factory.LazyAttribute(
            lambda o: _pick(o.records.get(OUTBOX_RELATED[o.template], ()))
        )
        delay = factory.Faker("send_delay")
        fresh_company = factory.Faker("company")

    to_address = factory.LazyAttribute(
        lambda o: _party_email(OUTBOX_RELATED[o.template], o.about) if o.about else email_for(
            o.person_first, o.person_last, o.id, company_domain(o.fresh_company)
        )
    )
    template = _choice("email.outbox.template")
    subject = factory.LazyAttribute(
        lambda o: outbox_subject(o.template, o.about[KEY] if o.about else None)
    )
    related = factory.LazyAttribute(
        lambda o: related_ref(OUTBOX_RELATED[o.template], o.about[KEY]) if o.about else None
    )
    reviewed = factory.Faker("drill_flag", field="email.outbox.reviewed")
    status = _choice("email.outbox.status")
    created_at = _datetime("email.outbox.created_at")
    sent_at = factory.LazyAttribute(
        lambda o: send_time(o.created_at, o.delay, o.start) if o.status in SENT_STATUSES else None
    )


class TicketFactory(_WorldFactory):
    """A support ticket a contact opened."""

    class Params:
        contact: Record | None = None

    contact_id = factory.LazyAttribute(lambda o: o.contact[KEY] if o.contact else None)
    subject = factory.Faker("sentence", nb_words=5)
    status = _choice("support.tickets.status")
    priority = _choice("support.tickets.priority")
    notes = factory.Faker("sentence")
    updated_at = _datetime("support.tickets.updated_at")


class OrderFactory(_WorldFactory):
    """A shop order; when contacts exist the buyer is one of them."""

    class Params:
        customer: Record | None = None
        fresh_company = factory.Faker("company")

    customer_email = factory.LazyAttribute(
        lambda o: o.customer["email"] if o.customer else email_for(
            o.person_first, o.person_last, o.id, company_domain(o.fresh_company)
        )
    )
    customer_name = factory.LazyAttribute(
        lambda o: _full_name(o.customer) if o.customer else f"{o.person_first} {o.person_last}"
    )
    status = _choice("shop.orders.status")
    total_cents = _money("shop.orders.total_cents")
    renewal_date = _date("shop.orders.renewal_date")
    note = factory.Faker("sentence")
    placed_at = _datetime("shop.orders.placed_at")


FACTORIES: Mapping[str, type[Any]] = MappingProxyType({
    "crm.contacts": ContactFactory,
    "crm.deals": DealFactory,
    "billing.invoices": InvoiceFactory,
    "billing.activity": ActivityFactory,
    "email.outbox": OutboxFactory,
    "support.tickets": TicketFactory,
    "shop.orders": OrderFactory,
})
"""The factory of each catalog table, by qualname."""

BUILD_ORDER = (
    "crm.contacts", "crm.deals", "billing.invoices", "billing.activity",
    "support.tickets", "shop.orders", "email.outbox",
)
"""Referenced tables come before the tables that point at them."""


def build_records(
    counts: Mapping[str, int], *, seed: int, start: datetime, catalog: Catalog = CATALOG
) -> dict[str, list[Record]]:
    """A whole small world as records, one factory call each, ids 1..n per table.

    Each table draws from its own stream (seeded ``"<seed>/<qualname>"``), so adding
    orders to a world does not change its contacts. References are uniform over the
    referenced table's records; with none there, the field is ``None`` and the
    record's person is a stranger.
    """
    start = normalise_start(start)
    staff = make_staff(seed)
    built: dict[str, list[Record]] = {}
    for qualname in BUILD_ORDER:
        if qualname not in counts or not catalog.table(qualname).builtin:
            continue
        table: TableDef = catalog.table(qualname)
        make = FACTORIES[qualname]
        records: list[Record] = []
        with seeded(f"{seed}/{qualname}"):
            for key in range(1, counts[qualname] + 1):
                extra = _references(qualname, built)
                record = make.build(id=key, start=start, staff=staff, **extra)
                records.append({f: record[f] for f in table.field_names})
        built[qualname] = records
    for qualname in counts:  # a declared table's references need only the counts
        if not catalog.table(qualname).builtin:
            built[qualname] = declared_records(catalog.table(qualname), counts, seed=seed,
                                               start=start)
    return built


def _references(qualname: str, built: Mapping[str, list[Record]]) -> dict[str, Any]:
    contacts = built.get("crm.contacts", [])
    if qualname in ("crm.deals", "support.tickets"):
        return {"contact": _pick(contacts)}
    if qualname in ("billing.invoices", "shop.orders"):
        return {"customer": _pick(contacts)}
    if qualname == "billing.activity":
        return {"invoice": _pick(built.get("billing.invoices", []))}
    if qualname == "email.outbox":
        return {"records": built}
    return {}
