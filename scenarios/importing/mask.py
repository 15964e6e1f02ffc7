"""Stable pseudonyms: what lets an imported scenario be shared without its people.

Every id, name, email, phone, address or free text the import would write is replaced
by a pseudonym made from a keyed HMAC-SHA256 of the original: the same original and
key give the same pseudonym in every run (so two imports of one incident line up), a
different key gives different ones, and without the key nobody can test a guess
("was it anna@firm.de?") against a pseudonym. The HMAC seeds Faker, so a pseudonym is
of the original's kind (an email looks like an email, a name like a name); ids and
actors become short hex tokens.

The key comes from ``--key`` or ``--key-file``, or is generated with :mod:`secrets`; it
is never written into the scenario.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from typing import Literal

__all__ = ["KEY_BYTES", "Kind", "Masker", "kind_of", "new_key"]

KEY_BYTES = 32
Kind = Literal["id", "email", "name", "phone", "address", "text"]

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}")
_PHONE = re.compile(r"\+?[0-9 ().\-/]{7,}")
_NAME = re.compile(r"[A-Z][\w'\-.]*(?: [A-Z][\w'\-.]*){1,3}")
_FAKERS: dict[Kind, str] = {"email": "email", "name": "name", "phone": "phone_number",
                            "address": "street_address", "text": "sentence"}


def new_key() -> str:
    """A fresh random key, as hex text (what ``--key`` takes)."""
    return secrets.token_hex(KEY_BYTES)


def kind_of(value: str) -> Kind:
    """The kind of a value by its look: an email, a phone number, a person's name, an id."""
    text = value.strip()
    if _EMAIL.fullmatch(text):
        return "email"
    if _PHONE.fullmatch(text) and sum(ch.isdigit() for ch in text) >= 7:
        return "phone"
    if _NAME.fullmatch(text):
        return "name"
    return "id"


@dataclass(frozen=True)
class Masker:
    """Pseudonyms under one key; ``key=None`` keeps every value as it is (``--no-mask``)."""

    key: bytes | None

    @property
    def masking(self) -> bool:
        return self.key is not None

    def digest(self, value: str, kind: Kind) -> bytes:
        """The keyed HMAC of a value (its kind too: one original, one pseudonym per kind)."""
        if self.key is None:
            raise ValueError("no key: values are kept as they are")
        return hmac.new(self.key, f"{kind}\0{value}".encode(), hashlib.sha256).digest()

    def token(self, value: str, length: int = 6) -> str:
        """An id or an actor as a hex token, like ``3f2a9c``."""
        if self.key is None:
            return value
        return self.digest(value, "id").hex()[:length]

    def fake(self, value: str, kind: Kind) -> str:
        """A value of the same kind, from Faker seeded with the value's HMAC."""
        if self.key is None or not value.strip():
            return value
        if kind == "id":
            return self.token(value)
        from faker import Faker  # only when a personal value is masked

        faker = Faker("en_US")
        faker.seed_instance(int.from_bytes(self.digest(value, kind)[:8], "big"))
        return str(getattr(faker, _FAKERS[kind])())

    def actor(self, value: str) -> str:
        """An actor's pseudonym: an email stays an email, a person's name a name, any
        other id a token."""
        kind = kind_of(value)
        return self.token(value) if kind in ("id", "phone") else self.fake(value, kind)
