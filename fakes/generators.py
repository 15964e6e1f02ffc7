"""The values of a declared table: one seeded stream per field, drawn a column at a time.

A team's own tables (``TableDef.builtin`` false) are made by the generic generators a
declaration names (:class:`~drills.fakes.catalog.Generator`): a Faker provider, a choice
with weights, a pattern, a range, a window of days, a reference, and a share left blank.
A field that names none takes its type's default (:data:`DEFAULTS`, the table in
``docs/worlds.md``).

Each field of each table draws from its own streams, seeded ``"<seed>/<table>/<field>"``,
and every draw takes one number per record, so a column is the same whether it is
made at once (the factories, small worlds) or 50,000 records at a time (the pools,
large worlds), and adding a field or a table changes no other field. Faker is asked
for :data:`FAKER_POOL` values once per seed and field and sampled by index, as the
built-in pools do, so a million records take seconds; a record's key goes into its
email address so that addresses stay distinct.

:func:`check_generator` says, in one line, what is wrong with a declared field's
generator; the scenario layer calls it for each field of a user's declaration. This
module imports Faker only when a Faker value is needed.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import math
import string
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from drills.errors import did_you_mean
from drills.fakes.active import CATALOG
from drills.fakes.catalog import KEY, Catalog, Column, Generator, TableDef
from drills.fakes.sampling import DAY, Sampler, TimeText
from drills.fakes.spelling import normalise_start

if TYPE_CHECKING:
    from drills.fakes.changelog import Value

__all__ = [
    "DEFAULTS",
    "FAKER_POOL",
    "FITS",
    "MAX_DAYS",
    "DeclaredColumns",
    "check_generator",
    "declared_columns",
    "declared_rows",
    "faker_providers",
    "resolve",
]

FAKER_POOL = 4_096
"""Faker draws per field and seed (fewer distinct values where a provider has fewer)."""

MAX_DAYS = 36_500
"""How far (in days, either way) a ``days`` window may reach from the drill start."""

DEFAULTS: Mapping[str, Generator] = {
    "text": Generator(faker="word"),
    "integer": Generator(low=0, high=1_000),
    "money": Generator(low=100, high=100_000),
    "date": Generator(days=(-365, 0)),
    "datetime": Generator(days=(-365, 0)),
    "boolean": Generator(),
    "choice": Generator(),
    "email": Generator(faker="email"),
    "phone": Generator(faker="phone_number"),
    "name": Generator(faker="name"),
    "company": Generator(faker="company"),
    "url": Generator(faker="url"),
    "free_text": Generator(faker="sentence"),
    "reference": Generator(),
}
"""Each declared type's generator when the field names none (booleans are half and half,
a choice draws its values uniformly, a reference its table's records)."""

_TEXTS = frozenset({"faker", "values", "pattern"})
FITS: Mapping[str, frozenset[str]] = {
    "text": _TEXTS,
    "integer": frozenset({"range"}),
    "money": frozenset({"range"}),
    "date": frozenset({"days"}),
    "datetime": frozenset({"days"}),
    "boolean": frozenset(),
    "choice": frozenset({"values"}),
    "email": frozenset({"faker"}),
    "phone": _TEXTS,
    "name": _TEXTS,
    "company": _TEXTS,
    "url": _TEXTS,
    "free_text": _TEXTS,
    "reference": frozenset({"to"}),
}
"""The generators each type takes: the values they make have the type's shape."""

_SPREAD_LIMIT = 65_536
"""Weights adding up to at most this are sampled from a spread-out list, else by bisection."""

Columns = dict[str, list["Value"]]
_Draw = Callable[[range], list["Value"]]


def _parts(gen: Generator) -> list[str]:
    """The generators ``gen`` names, as a declaration spells them."""
    named = [("faker", gen.faker is not None), ("values", bool(gen.values)),
             ("pattern", gen.pattern is not None),
             ("range", gen.low is not None or gen.high is not None),
             ("days", gen.days is not None), ("to", gen.ref is not None)]
    return [name for name, there in named if there]


def resolve(column: Column) -> Generator:
    """The generator that makes ``column``'s values: its own, else its type's default."""
    gen = column.generator or Generator(values=column.choices)
    if _parts(gen):
        return gen
    return replace(DEFAULTS[column.declared], blank=gen.blank)


# -- Faker, through seeded pools ----------------------------------------------------


@functools.cache
def _faker() -> Any:
    """One Faker for every pool (reseeded per pool); without locale weighting, 10x faster."""
    from faker import Faker

    return Faker(use_weighting=False)


@functools.cache
def faker_providers() -> frozenset[str]:
    """The names of Faker's providers (``company``, ``phone_number``, ``iban``...)."""
    fake = _faker()
    return frozenset(
        name for provider in fake.get_providers() for name in dir(provider)
        if not name.startswith("_") and callable(getattr(provider, name))
    )


@functools.lru_cache(maxsize=64)
def _faker_pool(seed: str, provider: str) -> tuple[str, ...]:
    """Distinct values of ``provider`` from a Faker seeded ``seed`` (reruns reuse them)."""
    fake = _faker()
    fake.seed_instance(seed)
    make = getattr(fake, provider)
    # dict, not set: insertion order keeps the pool (and the world) seed-stable
    return tuple(dict.fromkeys(str(make()) for _ in range(FAKER_POOL)))


def _split_addresses(pool: Sequence[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    pairs = [a.partition("@") for a in pool]
    return (tuple(local or "user" for local, _, _ in pairs),
            tuple(domain or "example.com" for _, _, domain in pairs))


# -- one field's values -------------------------------------------------------------


class _Field:
    """The streams of one declared field, drawn a chunk of consecutive keys at a time."""

    def __init__(self, stream: str, column: Column, gen: Generator,
                 counts: Mapping[str, int], text: TimeText | None) -> None:
        self.stream = stream
        self.draw = self._maker(column, gen, counts, text)
        self.blanks = Sampler(f"{stream}/blank") if gen.blank > 0 else None
        self.blank = gen.blank

    def take(self, keys: range) -> list[Value]:
        values = self.draw(keys)
        if self.blanks is None:
            return values
        flags = self.blanks.flags(self.blank, len(keys))
        return [None if f else v for v, f in zip(values, flags, strict=True)]

    def _maker(self, column: Column, gen: Generator, counts: Mapping[str, int],
               text: TimeText | None) -> _Draw:
        draw = Sampler(self.stream)
        kind = column.declared
        if gen.ref is not None:
            return _references(draw, counts.get(gen.ref, 0))
        if gen.values:
            return _choices(draw, gen.values, gen.weights)
        if gen.pattern is not None:
            return _pattern(self.stream, gen.pattern)
        if gen.low is not None and gen.high is not None:
            low, high = gen.low, gen.high
            return lambda keys: list(draw.ints(low, high + 1, len(keys)))
        if gen.days is not None and text is not None:
            return _days(draw, gen.days, text, dated=kind == "date")
        if gen.faker is not None:
            pool = _faker_pool(f"{self.stream}/faker", gen.faker)
            if kind == "email":
                return _emails(draw, pool)
            return lambda keys: list(draw.pick(pool, len(keys)))
        if kind == "boolean":
            return lambda keys: list(draw.flags(0.5, len(keys)))
        raise ValueError(
            f"{self.stream.partition('/')[2].replace('/', '.')}: a '{kind}' field needs a "
            f"generator; {check_generator('', column) or 'see docs/worlds.md'}"
        )


def _references(draw: Sampler, among: int) -> _Draw:
    """An existing record's key, uniformly; ``None`` when the table has no records."""
    if not among:
        return lambda keys: [None] * len(keys)
    return lambda keys: list(draw.ints(1, among + 1, len(keys)))


def _choices(draw: Sampler, values: Sequence[str], weights: Sequence[int]) -> _Draw:
    """Each value as often as its weight says (uniformly without weights)."""
    weights = weights or (1,) * len(values)
    common = math.gcd(*weights)
    weights = [w // common for w in weights]
    total = sum(weights)
    if total <= _SPREAD_LIMIT:
        spread = tuple(v for v, w in zip(values, weights, strict=True) for _ in range(w))
        return lambda keys: list(draw.pick(spread, len(keys)))
    bounds = list(itertools.accumulate(weights))
    options = tuple(values)
    return lambda keys: [options[bisect.bisect_right(bounds, x)]
                         for x in draw.indexes(total, len(keys))]


def _days(draw: Sampler, days: tuple[int, int], text: TimeText, *, dated: bool) -> _Draw:
    """A date ``low..high`` days from the start's date, or any second in that window."""
    low, high = days
    if dated:
        return lambda keys: text.dates(draw.ints(low, high + 1, len(keys)))
    return lambda keys: text.times(draw.ints(low * DAY, high * DAY + 1, len(keys)))


def _emails(draw: Sampler, pool: Sequence[str]) -> _Draw:
    """``local.<key>@domain``: Faker's addresses, made distinct by the record's key."""
    locals_, domains = _split_addresses(pool)

    def make(keys: range) -> list[Value]:
        picks = draw.indexes(len(locals_), len(keys))
        return [f"{locals_[i]}.{k}@{domains[i]}" for i, k in zip(picks, keys, strict=True)]

    return make


@functools.cache
def _letters(width: int) -> tuple[str, ...]:
    return tuple("".join(p) for p in itertools.product(string.ascii_uppercase, repeat=width))


def _pattern(stream: str, pattern: str) -> _Draw:
    """``#`` a digit, ``?`` a capital letter, anything else as written (``SO-#####``).

    A run of digits is one number drawn and zero-padded, a run of letters one pick
    among every spelling of up to three letters: a draw per run, not per character.
    """
    pieces: list[str | Callable[[int], list[str]]] = []
    for index, (char, run) in enumerate(itertools.groupby(pattern)):
        width = len(list(run))
        if char not in "#?":
            pieces.append(char * width)
            continue
        for part, offset in enumerate(range(0, width, 18 if char == "#" else 3)):
            sampler = Sampler(f"{stream}/pattern/{index}/{part}")
            size = min(width - offset, 18 if char == "#" else 3)
            pieces.append(_digits(sampler, size) if char == "#" else _capitals(sampler, size))

    def make(keys: range) -> list[Value]:
        k = len(keys)
        columns = [p(k) if callable(p) else [p] * k for p in pieces]
        return ["".join(parts) for parts in zip(*columns, strict=True)]

    return make


def _digits(sampler: Sampler, width: int) -> Callable[[int], list[str]]:
    top, spec = 10 ** width, f"0{width}d"
    return lambda k: [format(x, spec) for x in sampler.ints(0, top, k)]


def _capitals(sampler: Sampler, width: int) -> Callable[[int], list[str]]:
    spellings = _letters(width)
    return lambda k: sampler.pick(spellings, k)


# -- a table's values ---------------------------------------------------------------


class DeclaredColumns:
    """A declared table's values, column by column, for consecutive chunks of keys 1..n.

    ``take(keys)`` must be called with ranges that follow each other from 1 (``1..50000``,
    ``50001..100000``...); the values depend only on the seed, the start, the counts
    (a reference draws among its table's count) and the declaration.
    """

    def __init__(self, table: TableDef, counts: Mapping[str, int], *, seed: int,
                 start: datetime) -> None:
        self.table = table
        reach = [abs(d) for c in table.columns if c.kind == "declared"
                 for d in (resolve(c).days or ())]
        text = _time_text(normalise_start(start), max(reach) + 1) if reach else None
        self.fields: dict[str, _Field] = {}
        for col in table.columns:
            if col.kind == "declared":
                self.fields[col.name] = _Field(f"{seed}/{table.qualname}/{col.name}", col,
                                               resolve(col), counts, text)
            elif col.name != KEY:
                raise ValueError(
                    f"{table.qualname}.{col.name} names the built-in generator "
                    f"'{col.kind}' in a declared table; give it a type and a generator "
                    "as docs/worlds.md shows ('builtin:' is for drills' own systems)"
                )

    def take(self, keys: range) -> Columns:
        """Every column's values for ``keys``, the key column included."""
        cols: Columns = {KEY: list(keys)}
        for name, field in self.fields.items():
            cols[name] = field.take(keys)
        return cols


@functools.lru_cache(maxsize=4)
def _time_text(start: datetime, span: int) -> TimeText:
    return TimeText(start, span)


def declared_columns(table: TableDef, counts: Mapping[str, int], *, seed: int,
                     start: datetime) -> Columns:
    """All of a declared table's values at once (its count from ``counts``)."""
    return DeclaredColumns(table, counts, seed=seed, start=start).take(
        range(1, counts.get(table.qualname, 0) + 1))


def declared_rows(table: TableDef, counts: Mapping[str, int], *, seed: int,
                  start: datetime, chunk: int) -> Iterator[tuple[Value, ...]]:
    """A declared table's rows in key order, as tuples in column order, ``chunk`` at a time."""
    made = DeclaredColumns(table, counts, seed=seed, start=start)
    total = counts.get(table.qualname, 0)
    for low in range(0, total, chunk):
        cols = made.take(range(low + 1, min(total, low + chunk) + 1))
        yield from zip(*(cols[c.name] for c in table.columns), strict=True)


# -- what is wrong with a declared field --------------------------------------------


def check_generator(field_qualname: str, column: Column,
                    catalog: Catalog | None = None, *, refs: bool = True) -> str | None:
    """One line saying what is wrong with ``column``'s generator, or ``None`` if nothing.

    ``field_qualname`` (``hubspot.companies.owner``) starts the message; ``catalog``
    (default: the drill's) is where a reference's table must exist. Checks that the
    generator fits the field's type, that a Faker provider exists and takes no
    arguments, and each generator's own rules (values and weights, range and days
    bounds, a pattern's placeholders, the blank share). ``refs=False`` leaves out whether
    a referenced table exists (a field checked before its declaration is whole).
    """
    problem = _problem(column, catalog if catalog is not None else CATALOG, refs)
    if problem is None:
        return None
    return f"{field_qualname}: {problem}" if field_qualname else problem


def _problem(column: Column, catalog: Catalog, refs: bool = True) -> str | None:
    kind = column.declared
    if column.kind != "declared" or kind not in FITS:
        return None
    gen = column.generator or Generator(values=column.choices)
    named = _parts(gen)
    if not 0 <= gen.blank < 1:
        return (f"blank is {gen.blank}; write the share of records left empty, "
                "0 or more and below 1 (e.g. 0.1)")
    if len(named) > 1:
        return (f"takes one generator, got {' and '.join(named)}; keep one of them "
                "(values may add weights)")
    unfit = [n for n in named if n not in FITS[kind]]
    if unfit:
        takes = ", ".join(sorted(FITS[kind])) or "no generator (only blank)"
        article = "an" if kind[0] in "aeiou" else "a"
        return f"{article} {kind} field cannot take '{unfit[0]}'; it takes {takes}"
    if kind == "choice" and not gen.values:
        return "a choice needs its values, e.g. values: [lead, customer]"
    if kind == "reference" and gen.ref is None:
        return "a reference needs the table it points at, e.g. to: crm.contacts"
    return _rules(kind, gen, catalog, refs)


def _rules(kind: str, gen: Generator, catalog: Catalog, refs: bool = True) -> str | None:
    if gen.weights and len(gen.weights) != len(gen.values):
        return (f"{len(gen.weights)} weights for {len(gen.values)} values; "
                "give one whole-number weight per value")
    if gen.weights and (min(gen.weights) < 0 or sum(gen.weights) <= 0):
        return "weights must be 0 or more and add up to more than 0"
    if gen.low is not None and gen.high is not None and gen.low > gen.high:
        return f"range [{gen.low}, {gen.high}] is empty; write the low end first"
    if gen.days is not None:
        low, high = gen.days
        if low > high:
            return f"days [{low}, {high}] is empty; write the earlier day first"
        if max(abs(low), abs(high)) > MAX_DAYS:
            return f"days [{low}, {high}] reaches past {MAX_DAYS:,} days from the start"
    if gen.pattern is not None and "#" not in gen.pattern and "?" not in gen.pattern:
        return (f"pattern '{gen.pattern}' has no '#' (a digit) or '?' (a capital letter); "
                "without one every record gets the same text")
    if refs and gen.ref is not None and gen.ref not in catalog.tables:
        return (f"references unknown table '{gen.ref}'"
                f"{did_you_mean(gen.ref, list(catalog.tables))}")
    if gen.faker is not None:
        return _faker_problem(kind, gen.faker)
    return None


def _faker_problem(kind: str, provider: str) -> str | None:
    names = faker_providers()
    if provider not in names:
        hint = did_you_mean(provider, names)
        if not hint.startswith("; did you mean"):
            hint = "; see https://faker.readthedocs.io/en/master/providers.html"
        return f"unknown Faker provider '{provider}'{hint}"
    fake = _faker()
    try:
        value = getattr(fake, provider)()
    except Exception:  # any failure means it cannot be called bare
        return f"Faker provider '{provider}' needs arguments; name one that takes none"
    if kind == "email" and "@" not in str(value):
        return (f"Faker provider '{provider}' makes no email addresses (e.g. '{value}'); "
                "use email, company_email or free_email")
    return None
