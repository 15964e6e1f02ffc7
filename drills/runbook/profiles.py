"""What a typical job on a table does, for ``drills init`` to scaffold a drill of it.

A job sets a status-like field on the records its filter picks; each fault kind needs a
few more fields of the table (one a wrong mapping writes into, ones a blank write can
wipe, an address to message). The world's declaration says it per table (``job:``
hints, as the built-in systems do in ``builtin.yaml``); a declared table without hints
gets a profile read off its fields: its first choice field with three values or more
(one named like a status first), a text field to write into, the fields holding real
values, its first email field.
A table none of that fits cannot be scaffolded, and ``drills init`` says which can.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from drills.fakes.catalog import KEY, Catalog, TableDef

__all__ = ["TableProfile", "default_table", "profile_of", "profiles"]

_TEXTS = frozenset({"text", "free_text", "name", "company", "phone", "url", "email"})
"""Declared types whose values a blank write can wipe and a wrong mapping can land in."""

_STATUS_WORDS = ("status", "stage", "state")
"""A choice field named so is the one a job sets, before any other choice."""


@dataclass(frozen=True)
class TableProfile:
    """What a typical job on one table does, and the fields each fault kind needs there.

    The values are all legal for the table's fields, so the drill's world and the
    job's writes stay plausible (a deal is advanced to 'won', not to 'shipped').
    """

    count: int
    status: str
    """The status-like field the healthy job sets."""
    from_value: str
    """The records the job is meant for (its ``where`` filter)."""
    to_value: str
    """What the job sets the status to."""
    outside_value: str
    """Records outside the filter, which an over-broad filter reaches."""
    into: str
    """The field a wrong mapping writes the status into."""
    blanks: tuple[str, ...]
    email: str | None = None
    template: str = "welcome"
    advance: bool = False
    """Write the step as ``advance_stage`` (a pipeline stage) rather than ``set_field``."""
    creates: dict[str, Any] | None = None
    """An extra healthy step that creates records, as the file writes it."""
    also: dict[str, int] = field(default_factory=dict)
    """Other tables the world needs records in."""
    default: bool = False
    """The table ``drills init`` picks when told none."""


def _hinted(table: TableDef, hints: Mapping[str, Any]) -> TableProfile:
    return TableProfile(
        count=int(hints.get("count", table.count or 1000)),
        status=str(hints["status"]),
        from_value=str(hints["from"]),
        to_value=str(hints["to"]),
        outside_value=str(hints["outside"]),
        into=str(hints["into"]),
        blanks=tuple(str(b) for b in hints.get("blanks", ())),
        email=hints.get("email"),
        template=str(hints.get("template", "welcome")),
        advance=bool(hints.get("advance", False)),
        creates=hints.get("creates"),
        also={str(t): int(n) for t, n in (hints.get("also") or {}).items()},
        default=bool(hints.get("default", False)),
    )


def _derived(table: TableDef, catalog: Catalog) -> TableProfile | None:
    """A profile read off a declared table's fields, or None when it has no status-like
    field (a choice of three values or more) or no text field to write a status into."""
    columns = [c for c in table.columns if c.name != KEY]
    choices = [c for c in columns if c.choices and len(c.choices) >= 3]
    status = next((c for c in choices if any(w in c.name for w in _STATUS_WORDS)),
                  next(iter(choices), None))
    if status is None:
        return None
    into = next((c.name for c in columns
                 if c is not status and c.shape in ("free_text", "text")), None)
    if into is None:
        return None
    blanks = tuple(c.name for c in columns if c is not status and c.shape in _TEXTS)
    email = next((c.name for c in columns if c.shape == "email"), None)
    refs = {c.generator.ref for c in columns if c.generator is not None and c.generator.ref}
    also = {ref: catalog.table(ref).count or 1000 for ref in sorted(refs)
            if ref != table.qualname}
    values = status.choices
    return TableProfile(
        count=table.count or 1000, status=status.name, from_value=values[0],
        to_value=values[1], outside_value=values[-1], into=into, blanks=blanks[:2] or (into,),
        email=email, also=also,
    )


def profile_of(table: TableDef, catalog: Catalog) -> TableProfile | None:
    """How a job on ``table`` behaves: its ``job:`` hints, else read off its fields."""
    if table.job:
        return _hinted(table, table.job)
    if table.builtin:
        return None  # a built-in table without hints (a log, an outbox) has no such job
    return _derived(table, catalog)


def profiles(catalog: Catalog) -> dict[str, TableProfile]:
    """Every table of ``catalog`` a job can be scaffolded on, by its ``system.table``."""
    out: dict[str, TableProfile] = {}
    for table in catalog:
        profile = profile_of(table, catalog)
        if profile is not None:
            out[table.qualname] = profile
    return out


def default_table(catalog: Catalog) -> str | None:
    """The table ``drills init`` scaffolds on when told none: the one hinted as the
    default, else the first that can be scaffolded."""
    found = profiles(catalog)
    return next((t for t, p in found.items() if p.default), next(iter(found), None))
