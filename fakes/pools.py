"""Large fake worlds in seconds: seeded value pools sampled in bulk, streamed as row tuples.

factory_boy builds one record at a time (about half a millisecond each), which is
fine for a few hundred records and far too slow for a million. Here Faker (without
locale weighting, about ten times faster) fills pools of a few thousand names,
companies, cities, phones and sentences once per seed, and a seeded sampler picks
from them a column at a time, 50,000 values per call, so 1M contacts are generated in
about two seconds. The rules (windows, weights, ranges, how fields hang together) are
those of :mod:`drills.fakes.factories`, which stays the readable definition.

Rows are generated lazily, a chunk at a time, as tuples in catalog column order, so a
million rows never sit in memory as dicts. What later tables need from earlier ones
(who a contact is, which contact an invoice bills) is kept as compact arrays of pool
indexes: 7 bytes per contact.
"""

from __future__ import annotations

import functools
from array import array
from collections.abc import Callable, Iterator, Mapping, Sequence, Sized
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from faker import Faker

from drills.fakes.active import CATALOG, active_catalog, builtin_catalog
from drills.fakes.catalog import KEY, Catalog, Column, TableDef
from drills.fakes.factories import (
    CHOICE_WEIGHTS,
    DATE_WINDOWS,
    DATETIME_WINDOWS,
    DEAL_KINDS,
    DEFAULT_DATE_WINDOW,
    DEFAULT_DATETIME_WINDOW,
    FLAG_RATES,
    OUTBOX_RELATED,
    PARTY_FIELDS,
    SEND_DELAY_SECONDS,
    SENT_STATUSES,
    TERMS_DAYS,
    WorldProvider,
    make_staff,
)
from drills.fakes.generators import declared_rows
from drills.fakes.sampling import DAY, Sampler, TimeText, take
from drills.fakes.spelling import (
    company_domain,
    deal_title,
    normalise_start,
    outbox_subject,
    related_ref,
    slug,
)
from drills.fakes.store import Value

__all__ = ["CHUNK", "KINDS", "POOL_SIZE", "PoolWorld", "Sampler", "ValuePools"]

POOL_SIZE = 4_096
"""Faker draws per pool (fewer distinct values where a locale has fewer, e.g. first names)."""

CHUNK = 50_000
"""Rows generated per batch: bounds memory whatever the table size."""

_LINKS: Mapping[str, str] = {"billing.invoices": "customer_id"}
"""The reference field that names the contact a party table's record is about, if any."""

T = TypeVar("T")
Row = tuple[Value, ...]
Columns = dict[str, list[Value]]


@dataclass(frozen=True)
class ValuePools:
    """Faker values made once per seed and sampled by index."""

    first_names: tuple[str, ...]
    last_names: tuple[str, ...]
    first_slugs: tuple[str, ...]
    last_slugs: tuple[str, ...]
    companies: tuple[str, ...]
    domains: tuple[str, ...]
    cities: tuple[str, ...]
    phones: tuple[str, ...]
    sentences: tuple[str, ...]
    staff: tuple[str, ...]
    money: Mapping[str, tuple[int, ...]]

    @classmethod
    def build(cls, seed: int, size: int = POOL_SIZE, catalog: Catalog = CATALOG) -> ValuePools:
        """The pools for ``seed``; built once per process (they are immutable and cost ~1 s).

        Gap costs rerun the same seeded drill many times; without the cache each rerun
        would spend most of its time asking Faker for the same names again.
        """
        resolved = active_catalog() if catalog is CATALOG else catalog
        if resolved is builtin_catalog():
            return _build_pools(seed, size)
        key = (id(resolved), seed, size)
        kept = _DECLARED_POOLS.get(key)
        if kept is None or kept[0] is not resolved:
            if len(_DECLARED_POOLS) >= 8:
                del _DECLARED_POOLS[next(iter(_DECLARED_POOLS))]
            kept = _DECLARED_POOLS[key] = (resolved, cls._build(seed, size, resolved))
        return kept[1]

    @classmethod
    def _build(cls, seed: int, size: int, catalog: Catalog) -> ValuePools:
        fake = Faker(use_weighting=False)
        fake.add_provider(WorldProvider)
        fake.seed_instance(f"{seed}/pools")

        def distinct(make: Callable[[], str]) -> tuple[str, ...]:
            # dict, not set: insertion order keeps the pool (and the world) seed-stable
            return tuple(dict.fromkeys(make() for _ in range(size)))

        firsts = distinct(fake.first_name)
        lasts = distinct(fake.last_name)
        companies = distinct(fake.company)
        money = {
            f"{t.qualname}.{c.name}": tuple(
                fake.drill_money(f"{t.qualname}.{c.name}") for _ in range(size)
            )
            for t in catalog
            for c in t.columns
            if c.kind == "money"
        }
        return cls(
            first_names=firsts,
            last_names=lasts,
            first_slugs=tuple(slug(n) for n in firsts),
            last_slugs=tuple(slug(n) for n in lasts),
            companies=companies,
            domains=tuple(company_domain(c) for c in companies),
            cities=distinct(fake.city),
            phones=distinct(fake.phone_number),
            sentences=distinct(fake.sentence),
            staff=make_staff(seed),
            money=money,
        )


@dataclass(frozen=True)
class _People:
    """People as pool indexes, one entry each (contacts, or strangers of one table)."""

    first: Sequence[int]
    last: Sequence[int]
    company: Sequence[int]
    status: Sequence[int]

    def gather(self, positions: Sequence[int]) -> _People:
        """The people at 0-based ``positions``, in that order."""
        return _People(
            take(self.first, positions),
            take(self.last, positions),
            take(self.company, positions),
            take(self.status, positions),
        )

    def slice(self, low: int, high: int) -> _People:
        return _People(
            self.first[low:high], self.last[low:high],
            self.company[low:high], self.status[low:high],
        )


@dataclass(frozen=True)
class _Party:
    """Who a chunk's records are about: the people, and the number in their email address."""

    people: _People
    serials: Sequence[int]
    keys: Sequence[int] | None = None
    """Contact ids, when the people are contacts of the world (``None`` for strangers)."""


def _span_days() -> int:
    """Days either side of the start that any rule can reach (windows plus billing terms)."""
    windows = [*DATE_WINDOWS.values(), *DATETIME_WINDOWS.values(), DEFAULT_DATE_WINDOW,
               DEFAULT_DATETIME_WINDOW]
    return max(abs(d) for w in windows for d in w) + max(TERMS_DAYS.values()) + 2


def _contact_statuses(catalog: Catalog) -> tuple[str, ...]:
    """The built-in contacts' statuses, which invoices copy as their customer's status."""
    return catalog.table("crm.contacts").column("status").choices


def _weights(qualfield: str, options: Sized) -> Sequence[int]:
    return CHOICE_WEIGHTS.get(qualfield, (1,) * len(options))


class PoolWorld:
    """A seeded world's rows, table by table, generated on demand.

    ``rows(qualname)`` may be called in any order and more than once: each table draws
    from its own stream, seeded ``"<seed>/<qualname>"``, so the result depends only on
    the seed, the start and the counts. Who each record is about (contacts, invoice
    customers, order buyers) is drawn up front, since other tables point at them.
    """

    def __init__(
        self,
        counts: Mapping[str, int],
        *,
        seed: int,
        start: datetime,
        pools: ValuePools | None = None,
        catalog: Catalog = CATALOG,
    ) -> None:
        self.counts = dict(counts)
        self.seed = seed
        self.start = normalise_start(start)
        self.catalog = catalog
        self._pools = pools
        n_contacts = self._builtin_count("crm.contacts")
        # A party table's records are about a contact (``_links``: contact ids) or, in a
        # world without contacts, about strangers of its own (``_people``).
        self._people: dict[str, _People] = {}
        self._links: dict[str, array[int]] = {}
        if n_contacts:
            self._people["crm.contacts"] = self._draw_people("crm.contacts", n_contacts)
        for qualname in ("billing.invoices", "shop.orders"):
            n = self._builtin_count(qualname)
            if n and n_contacts:
                draw = Sampler(f"{seed}/{qualname}/customers")
                self._links[qualname] = array("I", draw.ints(1, n_contacts + 1, n))
            elif n:
                self._people[qualname] = self._draw_people(qualname, n)

    @property
    def pools(self) -> ValuePools:
        """The built-in tables' Faker pools, built on first use: declared tables need none."""
        if self._pools is None:
            self._pools = ValuePools.build(self.seed, catalog=self.catalog)
        return self._pools

    @functools.cached_property
    def text(self) -> TimeText:
        return TimeText(self.start, _span_days())

    def _builtin_count(self, qualname: str) -> int:
        """Records of built-in table ``qualname`` (0 when the world's is a declared one)."""
        table = self.catalog.tables.get(qualname)
        return self.counts.get(qualname, 0) if table is not None and table.builtin else 0

    # -- public --------------------------------------------------------------------------

    def columns(self, qualname: str) -> tuple[str, ...]:
        return self.catalog.table(qualname).field_names

    def rows(self, qualname: str) -> Iterator[Row]:
        """Every row of ``qualname`` in key order, as tuples in catalog column order."""
        table = self.catalog.table(qualname)
        if not table.builtin:
            yield from declared_rows(table, self.counts, seed=self.seed, start=self.start,
                                     chunk=CHUNK)
            return
        total = self.counts.get(qualname, 0)
        draw = Sampler(f"{self.seed}/{qualname}")
        for low in range(0, total, CHUNK):
            cols = self._chunk(table, range(low + 1, min(total, low + CHUNK) + 1), draw)
            yield from zip(*(cols[c.name] for c in table.columns), strict=True)

    # -- people --------------------------------------------------------------------------

    def _draw_people(self, qualname: str, n: int) -> _People:
        draw = Sampler(f"{self.seed}/{qualname}/people")
        p = self.pools
        status = range(len(_contact_statuses(self.catalog)))
        return _People(
            array("H", draw.indexes(len(p.first_names), n)),
            array("H", draw.indexes(len(p.last_names), n)),
            array("H", draw.indexes(len(p.companies), n)),
            array("B", draw.weighted(status, _weights("crm.contacts.status", status), n)),
        )

    def _party(self, qualname: str, keys: Sequence[int]) -> _Party | None:
        """Who records ``keys`` of ``qualname`` are about; ``None`` for non-party tables."""
        if qualname in self._links:
            contacts = take(self._links[qualname], [k - 1 for k in keys])
            return self._contacts_party(contacts)
        if qualname == "crm.contacts" and qualname in self._people:
            return self._contacts_party(keys)
        if qualname in self._people:
            return _Party(self._people[qualname].gather([k - 1 for k in keys]), keys)
        return None

    def _contacts_party(self, contact_ids: Sequence[int]) -> _Party:
        people = self._people["crm.contacts"]
        if isinstance(contact_ids, range) and contact_ids.step == 1 and contact_ids:
            return _Party(people.slice(contact_ids[0] - 1, contact_ids[-1]), contact_ids,
                          contact_ids)
        return _Party(people.gather([c - 1 for c in contact_ids]), contact_ids, contact_ids)

    def _stranger_party(self, keys: Sequence[int], draw: Sampler) -> _Party:
        p, k = self.pools, len(keys)
        people = _People(
            draw.indexes(len(p.first_names), k),
            draw.indexes(len(p.last_names), k),
            draw.indexes(len(p.companies), k),
            [0] * k,
        )
        return _Party(people, keys)

    def _party_field(self, party: _Party, role: str) -> list[Value]:
        p, people = self.pools, party.people
        if role == "first":
            return list(take(p.first_names, people.first))
        if role == "last":
            return list(take(p.last_names, people.last))
        if role == "company":
            return list(take(p.companies, people.company))
        if role == "status":
            return list(take(_contact_statuses(self.catalog), people.status))
        if role == "name":
            fn, ln = p.first_names, p.last_names
            return [f"{fn[f]} {ln[la]}" for f, la in zip(people.first, people.last, strict=True)]
        if role == "email":
            fs, ls, ds = p.first_slugs, p.last_slugs, p.domains
            return [
                f"{fs[f]}.{ls[la]}{n}@{ds[c]}"
                for f, la, c, n in zip(
                    people.first, people.last, people.company, party.serials, strict=True
                )
            ]
        raise ValueError(f"unknown party role '{role}'")

    # -- one chunk -----------------------------------------------------------------------

    def _chunk(self, table: TableDef, keys: range, draw: Sampler) -> Columns:
        """Columns for ``keys``: party fields, then each kind's generator, then the rules."""
        cols: Columns = {}
        roles = PARTY_FIELDS.get(table.qualname, {})
        party = self._party(table.qualname, keys)
        link = _LINKS.get(table.qualname)
        for col in table.columns:
            if party is not None and col.name in roles:
                cols[col.name] = self._party_field(party, roles[col.name])
            elif party is not None and party.keys is not None and col.name == link:
                cols[col.name] = list(party.keys)
            else:
                cols[col.name] = self._kind(table, col, keys, draw, cols)
        rule = _RULES.get(table.qualname)
        if rule is not None:
            rule(self, cols, draw)
        return cols

    def _kind(
        self, table: TableDef, col: Column, keys: range, draw: Sampler, cols: Columns
    ) -> list[Value]:
        """A column of values for ``col.kind``: the generic generator of each kind."""
        field = f"{table.qualname}.{col.name}"
        if col.kind.startswith("ref:"):
            return _reference(self, field, col, keys, draw, cols)
        make = KINDS.get(col.kind)
        if make is None:
            raise ValueError(
                f"{field} has kind '{col.kind}', which the pools cannot generate; "
                "add a generator to fakes.pools.KINDS"
            )
        return make(self, field, col, keys, draw, cols)


# -- generators per kind ---------------------------------------------------------------

_Maker = Callable[[PoolWorld, str, Column, range, Sampler, Columns], list[Value]]

_POOL_KINDS: Mapping[str, str] = {
    "first_name": "first_names",
    "last_name": "last_names",
    "company": "companies",
    "city": "cities",
    "phone": "phones",
    "sentence": "sentences",
    "person": "staff",
}


def _from_pool(w: PoolWorld, f: str, c: Column, keys: range, draw: Sampler,
               cols: Columns) -> list[Value]:
    pool: tuple[str, ...] = getattr(w.pools, _POOL_KINDS[c.kind])
    return list(draw.pick(pool, len(keys)))


def _key(w: PoolWorld, f: str, c: Column, keys: range, draw: Sampler,
         cols: Columns) -> list[Value]:
    return list(keys)


def _reference(w: PoolWorld, f: str, c: Column, keys: range, draw: Sampler,
               cols: Columns) -> list[Value]:
    """``ref:<table>``: an existing record's id, uniformly; ``None`` when there are none."""
    among = w.counts.get(c.kind.removeprefix("ref:"), 0)
    if not among:
        return [None] * len(keys)
    return list(draw.ints(1, among + 1, len(keys)))


def _choice(w: PoolWorld, f: str, c: Column, keys: range, draw: Sampler,
            cols: Columns) -> list[Value]:
    return list(draw.weighted(c.choices, _weights(f, c.choices), len(keys)))


def _money(w: PoolWorld, f: str, c: Column, keys: range, draw: Sampler,
           cols: Columns) -> list[Value]:
    return list(draw.pick(w.pools.money[f], len(keys)))


def _date(w: PoolWorld, f: str, c: Column, keys: range, draw: Sampler,
          cols: Columns) -> list[Value]:
    low, high = DATE_WINDOWS.get(f, DEFAULT_DATE_WINDOW)
    return w.text.dates(draw.ints(low, high, len(keys)))


def _datetime(w: PoolWorld, f: str, c: Column, keys: range, draw: Sampler,
              cols: Columns) -> list[Value]:
    low, high = DATETIME_WINDOWS.get(f, DEFAULT_DATETIME_WINDOW)
    return w.text.times(draw.ints(low * DAY, high * DAY, len(keys)))


def _flag(w: PoolWorld, f: str, c: Column, keys: range, draw: Sampler,
          cols: Columns) -> list[Value]:
    return list(draw.flags(FLAG_RATES.get(f, 0.5), len(keys)))


def _stranger(w: PoolWorld, f: str, c: Column, keys: range, draw: Sampler,
              cols: Columns) -> list[Value]:
    """``name`` / ``email`` in a record about no contact: a stranger, numbered by its key."""
    return w._party_field(w._stranger_party(keys, draw), "email" if c.kind == "email" else "name")


def _deal_title(w: PoolWorld, f: str, c: Column, keys: range, draw: Sampler,
                cols: Columns) -> list[Value]:
    """The deal's contact's company (a stranger company without contacts) and a kind of deal."""
    k = len(keys)
    contacts = w._people.get("crm.contacts")
    refs = cols.get("contact_id")
    if contacts is not None and refs is not None:
        positions = [r - 1 for r in refs if isinstance(r, int)]
        companies = take(w.pools.companies, take(contacts.company, positions))
    else:
        companies = draw.pick(w.pools.companies, k)
    kinds = draw.pick(DEAL_KINDS, k)
    return [deal_title(co, kd) for co, kd in zip(companies, kinds, strict=True)]


def _related(w: PoolWorld, f: str, c: Column, keys: range, draw: Sampler,
             cols: Columns) -> list[Value]:
    """``table:id`` of the record a message is about; the table follows the template."""
    templates = cols.get("template")
    if templates is None:
        targets = draw.pick(sorted(set(OUTBOX_RELATED.values())), len(keys))
    else:
        targets = [OUTBOX_RELATED[str(t)] for t in templates]
    picks = draw.indexes(2**62, len(keys))
    out: list[Value] = []
    for target, pick in zip(targets, picks, strict=True):
        among = w.counts.get(target, 0)
        out.append(related_ref(target, 1 + pick % among) if among else None)
    return out


KINDS: Mapping[str, _Maker] = {
    "key": _key,
    **{kind: _from_pool for kind in _POOL_KINDS},
    "ref": _reference,
    "choice": _choice,
    "money": _money,
    "date": _date,
    "datetime": _datetime,
    "flag": _flag,
    "name": _stranger,
    "email": _stranger,
    "deal_title": _deal_title,
    "related": _related,
}
"""The generator of each column ``kind``; ``ref:<table>`` kinds go to ``KINDS["ref"]``."""


# -- how the fields of one record hang together ---------------------------------------


def _invoices(w: PoolWorld, cols: Columns, draw: Sampler) -> None:
    """Due date = issue date + the billing terms' days (issue dates drawn here to know both)."""
    low, high = DATE_WINDOWS["billing.invoices.issued_on"]
    issued = draw.ints(low, high, len(cols[KEY]))
    terms = [TERMS_DAYS[str(t)] for t in cols["billing_terms"]]
    cols["issued_on"] = w.text.dates(issued)
    cols["due_date"] = w.text.dates(issued, by=terms)


def _outbox(w: PoolWorld, cols: Columns, draw: Sampler) -> None:
    """To the related record's person; subject by template; a sent message has a send time."""
    parsed = [_parse_related(r) for r in cols["related"]]
    emails = list(cols["to_address"])
    for target in sorted({ref[0] for ref in parsed if ref is not None}):
        rows = [i for i, ref in enumerate(parsed) if ref is not None and ref[0] == target]
        party = w._party(target, [_key_of(parsed[i]) for i in rows])
        if party is not None:
            for i, email in zip(rows, w._party_field(party, "email"), strict=True):
                emails[i] = email
    cols["to_address"] = emails
    cols["subject"] = [
        outbox_subject(str(t), ref[1] if ref else None)
        for t, ref in zip(cols["template"], parsed, strict=True)
    ]
    # creation times drawn here so that a send time can follow its own creation time,
    # and stay before the drill start like the rest of the baseline
    low, high = DATETIME_WINDOWS["email.outbox.created_at"]
    k = len(parsed)
    created = draw.ints(low * DAY, high * DAY, k)
    delays = draw.ints(SEND_DELAY_SECONDS[0], SEND_DELAY_SECONDS[1] + 1, k)
    sent = w.text.times([min(c + d, -1) for c, d in zip(created, delays, strict=True)])
    cols["created_at"] = w.text.times(created)
    cols["sent_at"] = [
        at if status in SENT_STATUSES else None
        for status, at in zip(cols["status"], sent, strict=True)
    ]


def _parse_related(value: Value) -> tuple[str, int] | None:
    if value is None:
        return None
    table, _, key = str(value).partition(":")
    return table, int(key)


def _key_of(ref: tuple[str, int] | None) -> int:
    assert ref is not None
    return ref[1]


_RULES: Mapping[str, Callable[[PoolWorld, Columns, Sampler], None]] = {
    "billing.invoices": _invoices,
    "email.outbox": _outbox,
}


_DECLARED_POOLS: dict[tuple[int, int, int], tuple[Catalog, ValuePools]] = {}
"""A declared catalog's pools by its identity (the catalog kept, so the id stays its own)."""


@functools.lru_cache(maxsize=8)
def _build_pools(seed: int, size: int) -> ValuePools:
    return ValuePools._build(seed, size, builtin_catalog())
