"""Make the audit-log exports ``drills import`` is tested on: one per format, seeded.

Each holds one bad run (a few hundred changes by one integration actor, minutes long)
among a few hours of background edits by several people, with realistic personal
values (German names, addresses and phone numbers from Faker's de_DE locale, so no
value can be mistaken for the en_US ones a drill's world is made of). The tests read
the personal columns back from these files and look for them in everything an import
and its drill write.

Run from the repository root: ``python tests/data/imports/make_fixtures.py``.
"""

from __future__ import annotations

import csv
import json
import random
import string
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from faker import Faker

HERE = Path(__file__).parent
SEED = 25
DAY = datetime(2026, 3, 2)
COUNTRIES = ["Germany", "Austria", "Switzerland", "France", "Netherlands", "Belgium"]


def sf_id(rng: random.Random, prefix: str) -> str:
    return prefix + "".join(rng.choices(string.ascii_letters + string.digits, k=15))


def spread(rng: random.Random, start: datetime, end: datetime, n: int) -> list[datetime]:
    seconds = (end - start).total_seconds()
    return sorted(start + timedelta(seconds=rng.uniform(0, seconds)) for _ in range(n))


def steady(start: datetime, per_minute: float, n: int) -> list[datetime]:
    return [start + timedelta(seconds=60 * i / per_minute) for i in range(n)]


def person(fake: Faker, rng: random.Random) -> dict[str, str]:
    first, last = fake.first_name(), fake.last_name()
    return {"name": f"{first} {last}",
            "email": f"{first}.{last}@{fake.domain_word()}-beispiel.de".lower().replace(" ", ""),
            "phone": fake.phone_number(), "street": fake.street_address(), "city": fake.city(),
            "country": rng.choice(COUNTRIES)}


# -- Salesforce ContactHistory: an integration user blanks MailingCountry ----------------


def salesforce(fake: Faker, rng: random.Random) -> None:
    contacts = {sf_id(rng, "003"): person(fake, rng) for _ in range(700)}
    users = [sf_id(rng, "005") for _ in range(6)]
    integration = sf_id(rng, "005")
    rows: list[dict[str, str]] = []
    ids = list(contacts)
    edits = {"Email": "email", "Phone": "phone", "MailingStreet": "street",
             "MailingCity": "city", "MailingCountry": "country"}
    for at in spread(rng, DAY.replace(hour=8), DAY.replace(hour=12), 170):
        key = rng.choice(ids)
        field = rng.choice(list(edits))
        old = contacts[key][edits[field]]
        fresh = person(fake, rng)
        new = rng.choice(COUNTRIES) if field == "MailingCountry" else fresh[edits[field]]
        contacts[key][edits[field]] = new
        rows.append(row(rng, key, rng.choice(users), at, field, old, new))
    hit = rng.sample(ids, 420)
    for key, at in zip(hit, steady(DAY.replace(hour=9, minute=10, second=4), 26.0, 420),
                       strict=True):
        rows.append(row(rng, key, integration, at, "MailingCountry", contacts[key]["country"], ""))
    rows.sort(key=lambda r: r["CreatedDate"])
    with (HERE / "ContactHistory.csv").open("w", newline="", encoding="utf-8") as f:
        out = csv.DictWriter(f, ["Id", "ContactId", "CreatedById", "CreatedDate", "Field",
                                 "DataType", "OldValue", "NewValue"], lineterminator="\n")
        out.writeheader()
        out.writerows(rows)


def row(rng: random.Random, key: str, user: str, at: datetime, field: str, old: str,
        new: str) -> dict[str, str]:
    return {"Id": sf_id(rng, "017"), "ContactId": key, "CreatedById": user,
            "CreatedDate": at.strftime("%Y-%m-%dT%H:%M:%S.000+0000"), "Field": field,
            "DataType": "Text", "OldValue": old, "NewValue": new}


# -- HubSpot companies: a workflow writes the lifecycle stage into the company type ------

STAGES = ["subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity",
          "customer", "evangelist"]
TYPES = ["PROSPECT", "PARTNER", "RESELLER", "VENDOR", "OTHER"]


def hubspot(fake: Faker, rng: random.Random) -> None:
    users = [str(rng.randint(10_000_000, 99_999_999)) for _ in range(5)]
    created = DAY - timedelta(days=200)
    companies: list[dict[str, Any]] = []
    for n in range(360):
        p = person(fake, rng)
        props = {"name": fake.company(), "domain": f"{fake.domain_word()}-gmbh.de",
                 "phone": p["phone"], "city": p["city"], "lifecyclestage": rng.choice(STAGES),
                 "type": rng.choice(TYPES)}
        at = created + timedelta(minutes=17 * n)
        history = {k: [entry(v, at, "CRM_UI", None, rng.choice(users))] for k, v in props.items()}
        companies.append({"id": str(9_000_000_000 + n * 37), "properties": {},
                          "propertiesWithHistory": history, "archived": False})
    for at in spread(rng, DAY.replace(hour=12), DAY.replace(hour=17), 140):
        company = rng.choice(companies)
        prop = rng.choice(["phone", "city", "lifecyclestage", "name"])
        value = {"phone": fake.phone_number(), "city": fake.city(), "name": fake.company(),
                 "lifecyclestage": rng.choice(STAGES)}[prop]
        company["propertiesWithHistory"][prop].insert(
            0, entry(value, at, "CRM_UI", None, rng.choice(users)))
    for company, at in zip(rng.sample(companies, 260),
                           steady(DAY.replace(hour=14, minute=2, second=11), 22.0, 260),
                           strict=True):
        company["propertiesWithHistory"]["type"].insert(
            0, entry("customer", at, "AUTOMATION_PLATFORM", "enrollmentId:4711392", None))
    text = json.dumps({"results": companies}, ensure_ascii=False)  # compact, as the API sends
    (HERE / "hubspot-companies.json").write_text(text + "\n", encoding="utf-8")


def entry(value: str, at: datetime, source: str, source_id: str | None,
          user: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {"value": value,
                           "timestamp": at.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
                           "sourceType": source}
    if source_id:
        out["sourceId"] = source_id
    if user:
        out["updatedByUserId"] = int(user)
    return out


# -- Stripe events: an integration flips subscriptions between active and past_due -------


def stripe(fake: Faker, rng: random.Random) -> None:
    def sid(prefix: str) -> str:
        return prefix + "".join(rng.choices(string.ascii_letters + string.digits, k=14))

    customers = {sid("cus_"): person(fake, rng) for _ in range(220)}
    subs = {sid("sub_"): {"customer": c, "status": "active", "cancel_at_period_end": False}
            for c in customers}
    events: list[dict[str, Any]] = []

    def event(kind: str, at: datetime, obj: dict[str, Any], previous: dict[str, Any],
              api: str) -> None:
        events.append({"id": sid("evt_"), "object": "event", "api_version": api,
                       "created": int(at.timestamp()) if at.tzinfo else
                       int((at - datetime(1970, 1, 1)).total_seconds()),
                       "data": {"object": obj, "previous_attributes": previous},
                       "livemode": True, "pending_webhooks": 1,
                       "request": {"id": sid("req_"), "idempotency_key": None}, "type": kind})

    def customer(key: str) -> dict[str, Any]:
        p = customers[key]
        return {"id": key, "object": "customer", "name": p["name"], "email": p["email"],
                "phone": p["phone"], "address": {"line1": p["street"], "city": p["city"],
                                                 "country": "DE"}}

    for at in spread(rng, DAY.replace(hour=8), DAY.replace(hour=13), 120):
        key = rng.choice(list(customers))
        field = rng.choice(["email", "phone", "name", "street"])
        old = customers[key][field]
        customers[key][field] = person(fake, rng)[field]
        previous: dict[str, Any] = ({"address": {"line1": old}} if field == "street"
                                    else {field: old})
        event("customer.updated", at, customer(key), previous, "2024-06-20")
    for key, at in zip(rng.sample(list(subs), 150),
                       steady(DAY.replace(hour=10, minute=30, second=2), 10.0, 150), strict=True):
        for n, status in enumerate(["past_due", "active", "past_due"]):
            was = subs[key]["status"]
            subs[key]["status"] = status
            event("customer.subscription.updated", at + timedelta(seconds=2 * n),
                  {"id": key, "object": "subscription", **subs[key]}, {"status": was},
                  "2022-11-15")
    events.sort(key=lambda e: e["created"], reverse=True)  # Stripe lists newest first
    text = json.dumps({"object": "list", "data": events, "has_more": False},
                      ensure_ascii=False)
    (HERE / "stripe-events.json").write_text(text + "\n", encoding="utf-8")


# -- a generic change log: a sync job's run blanks emails and phones ---------------------


def changes(fake: Faker, rng: random.Random) -> None:
    people = {str(1000 + n): person(fake, rng) for n in range(500)}
    staff = [person(fake, rng)["email"] for _ in range(5)]
    rows: list[dict[str, str]] = []
    for at in spread(rng, DAY.replace(hour=8), DAY.replace(hour=16), 160):
        key = rng.choice(list(people))
        field = rng.choice(["email", "phone", "name", "city", "segment"])
        old = people[key].get(field, "") if field != "segment" else rng.choice(["smb", "mid"])
        new = person(fake, rng)[field] if field != "segment" else rng.choice(["enterprise", "smb"])
        if field != "segment":
            people[key][field] = new
        rows.append({"table": "shop.customers", "record": key, "field": field, "old": old,
                     "new": new, "at": at.isoformat() + "Z", "actor": rng.choice(staff),
                     "run": ""})
    sync = "crm-sync@ops-intern.example"
    for key, at in zip(rng.sample(list(people), 300),
                       steady(DAY.replace(hour=14, minute=5, second=30), 25.0, 300), strict=True):
        for n, field in enumerate(["email", "phone"]):
            rows.append({"table": "shop.customers", "record": key, "field": field,
                         "old": people[key][field], "new": "",
                         "at": (at + timedelta(milliseconds=300 * n)).isoformat() + "Z",
                         "actor": sync, "run": "run-20260302-1405"})
    rows.sort(key=lambda r: r["at"])
    with (HERE / "changes.csv").open("w", newline="", encoding="utf-8") as f:
        out = csv.DictWriter(f, ["table", "record", "field", "old", "new", "at", "actor", "run"],
                             lineterminator="\n")
        out.writeheader()
        out.writerows(rows)


def main() -> None:
    for make in (salesforce, hubspot, stripe, changes):
        fake = Faker("de_DE")
        fake.seed_instance(SEED)
        make(fake, random.Random(f"{SEED}:{make.__name__}"))


if __name__ == "__main__":
    main()
