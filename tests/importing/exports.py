"""The fixtures of ``drills import``'s tests: the four exports and their personal values.

The personal values are read from the exports here, with plain csv/json and no code of
the importer, so a reader that lost a column cannot also hide it from the leak test.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).parents[1] / "data" / "imports"


@dataclass(frozen=True)
class Fixture:
    """One export and what its bad run did, as tests/data/imports/make_fixtures.py made it."""

    file: str
    kind: str
    table: str
    records: int
    fields: frozenset[str]
    records_per_minute: float


FIXTURES = {
    "salesforce": Fixture("ContactHistory.csv", "blank_writes", "salesforce.contacts", 420,
                          frozenset({"mailing_country"}), 26.0),
    "hubspot": Fixture("hubspot-companies.json", "wrong_field_mapping", "hubspot.companies",
                       260, frozenset({"type"}), 22.0),
    "stripe": Fixture("stripe-events.json", "status_flapping", "stripe.subscriptions", 150,
                      frozenset({"status"}), 10.0),
    "changes": Fixture("changes.csv", "blank_writes", "shop.customers", 300,
                       frozenset({"email", "phone"}), 25.0),
}

_SF_PERSONAL = {"Email", "Phone", "MailingStreet", "MailingCity"}


def personal_values(name: str) -> set[str]:
    """Every id, name, email, phone and address in a fixture (4 characters or more)."""
    path = DATA / FIXTURES[name].file
    found: set[str] = set()
    if name == "salesforce":
        with path.open(encoding="utf-8") as f:
            for row in csv.DictReader(f):
                found |= {row["Id"], row["ContactId"], row["CreatedById"]}
                if row["Field"] in _SF_PERSONAL:
                    found |= {row["OldValue"], row["NewValue"]}
    elif name == "changes":
        with path.open(encoding="utf-8") as f:
            for row in csv.DictReader(f):
                found |= {row["actor"], row["run"]}
                if row["field"] != "segment":
                    found |= {row["old"], row["new"]}
    elif name == "hubspot":
        for company in json.loads(path.read_text(encoding="utf-8"))["results"]:
            found.add(company["id"])
            for prop in ("name", "domain", "phone", "city"):
                found |= {e["value"] for e in company["propertiesWithHistory"][prop]}
            for history in company["propertiesWithHistory"].values():
                found |= {str(e.get("updatedByUserId", "")) for e in history}
                found |= {str(e.get("sourceId", "")) for e in history}
    else:
        for event in json.loads(path.read_text(encoding="utf-8"))["data"]:
            found |= {event["id"], event["request"]["id"], event["data"]["object"]["id"]}
            obj = event["data"]["object"]
            found |= {str(obj.get(k, "")) for k in ("customer", "name", "email", "phone")}
            address = obj.get("address") or {}
            found |= {str(address.get("line1", "")), str(address.get("city", ""))}
    return {v for v in found if len(v.strip()) >= 4}


def leaks(text: str, values: set[str]) -> list[str]:
    """The values found in ``text`` as whole words (not inside a longer word)."""
    return sorted(v for v in values
                  if re.search(rf"(?<![\w@.]){re.escape(v)}(?![\w@])", text))
