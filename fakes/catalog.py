"""What each fake system holds: its tables, their fields and the kind of value in each.

The catalog is the single definition of the world's shape. The store builds SQL
tables from it, the factories and value pools fill it, scenario files are checked
against it, and the warehouse derives its copies from it. Values are kept simple
on purpose (integers and text, dates as ISO text, money in cents) so that a record
survives CSV, JSONL, SQLite and PostgreSQL unchanged, and exports are byte-stable.

A catalog is made from a declaration (:mod:`drills.fakes.declared`): the built-in
one, shipped as ``drills/fakes/worlds/builtin.yaml``, or a team's own systems. What
the engine and the judge need to know about a table (that it sends messages, that a
wrong record there is money, how a record that should not exist is cancelled) is a
property of the declared table, never a name the code knows. Which catalog a drill
uses is kept by :mod:`drills.fakes.active`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Literal

from drills.errors import did_you_mean
from drills.fakes.errors import UnknownFieldError, UnknownSystemError, UnknownTableError

if TYPE_CHECKING:
    from drills.fakes.history import History

__all__ = [
    "DECLARED_TYPES",
    "KEY",
    "Catalog",
    "Column",
    "ColumnType",
    "Generator",
    "Harm",
    "TableDef",
    "warehouse_copy",
]

KEY = "id"
"""Every table is keyed by an integer ``id``; change logs and diffs join on it."""


class ColumnType(StrEnum):
    INT = "int"
    TEXT = "text"


DECLARED_TYPES: Mapping[str, ColumnType] = {
    "text": ColumnType.TEXT,
    "integer": ColumnType.INT,
    "money": ColumnType.INT,
    "date": ColumnType.TEXT,
    "datetime": ColumnType.TEXT,
    "boolean": ColumnType.INT,
    "choice": ColumnType.TEXT,
    "email": ColumnType.TEXT,
    "phone": ColumnType.TEXT,
    "name": ColumnType.TEXT,
    "company": ColumnType.TEXT,
    "url": ColumnType.TEXT,
    "free_text": ColumnType.TEXT,
    "reference": ColumnType.INT,
}
"""The field types a declaration may use, and how each is stored: money in cents,
booleans as 0/1, dates and times as ISO text, references as the other table's ``id``."""

Harm = Literal["money", "customer_messages"]
"""What a wrong record of a table is to a customer: money, a message, or (None) neither."""


@dataclass(frozen=True)
class Generator:
    """How a declared field's values are made (one of these is set).

    ``faker``: a Faker provider by name (``company``, ``phone_number``...); ``values``
    with optional ``weights``: a choice; ``pattern``: ``#`` a digit, ``?`` a capital
    letter, anything else itself (``SO-#####``); ``low``/``high``: a whole-number range
    ``[low, high]`` (money in cents); ``days``: a date or time window in whole days
    relative to the drill start; ``ref``: another table's key. ``blank`` is the share
    of records left empty.
    """

    faker: str | None = None
    values: tuple[str, ...] = ()
    weights: tuple[int, ...] = ()
    pattern: str | None = None
    low: int | None = None
    high: int | None = None
    days: tuple[int, int] | None = None
    ref: str | None = None
    blank: float = 0.0


@dataclass(frozen=True)
class Column:
    """One field. ``kind`` names the value generator (``email``, ``company``, ``status``...).

    A declared field's ``kind`` is ``declared`` and its values come from ``generator``;
    ``declared`` is its declared type (``email``, ``money``...), what a value must look
    like whatever made it.
    """

    name: str
    type: ColumnType
    kind: str
    choices: tuple[str, ...] = ()
    nullable: bool = True
    declared: str = ""
    generator: Generator | None = field(default=None, compare=False)

    def decode(self, text: str | None) -> int | str | None:
        """Turn a change-log text value back into this column's Python value."""
        if text is None:
            return None
        return int(text) if self.type is ColumnType.INT else text

    @property
    def shape(self) -> str:
        """What its values look like (``email``, ``date``...): the declared type, else the kind."""
        return self.declared if self.kind == "declared" else self.kind


@dataclass(frozen=True)
class TableDef:
    """A table of one system, e.g. ``crm.contacts``; stored in SQL as ``crm__contacts``.

    ``harm``: what a wrong record here is to a customer; ``cancel``: the field and value
    that neutralise a record that should not exist, keeping its trail; ``sends``: the
    field that, once set, means the record took effect outside the world (a message's
    send time): such a record is compensated, never undone; ``messages``: this is where
    the world's outgoing messages are queued; ``count``: records by default.
    """

    system: str
    name: str
    columns: tuple[Column, ...]
    copy_of: str | None = None
    harm: Harm | None = None
    cancel: tuple[str, str] | None = None
    sends: str | None = None
    messages: bool = False
    internal: bool = False
    """No customer sees it (or complains about it): an internal activity log."""
    count: int = 0
    history: History | None = field(default=None, compare=False)
    job: Mapping[str, Any] | None = field(default=None, compare=False)
    """How a typical job on this table behaves, for ``drills init`` (``job:`` hints)."""
    builtin: bool = True
    """Made by the built-in generators (a built-in table); else by the declared ones."""

    @property
    def qualname(self) -> str:
        return f"{self.system}.{self.name}"

    @property
    def sql_name(self) -> str:
        return f"{self.system}__{self.name}"

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def data_fields(self) -> tuple[str, ...]:
        """Every field but the key: the ones a diff or a repair compares."""
        return tuple(c.name for c in self.columns if c.name != KEY)

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise UnknownFieldError(
            f"table '{self.qualname}' has no field '{name}'"
            f"{did_you_mean(name, self.field_names)}"
        )


def warehouse_copy(source: TableDef, warehouse: str = "warehouse") -> TableDef:
    """The warehouse table that mirrors ``source``: same fields, named ``system_table``."""
    return TableDef(warehouse, f"{source.system}_{source.name}", source.columns, source.qualname,
                    builtin=source.builtin)


@dataclass(frozen=True)
class Catalog:
    """Look-ups by system and table with errors that list what exists.

    ``warehouse`` names the system that holds a copy of every table
    (``warehouse.billing_invoices``); ``name`` says where the declaration came from.
    """

    tables: Mapping[str, TableDef]
    warehouse: str = "warehouse"
    name: str = "built-in"
    copies: Mapping[str, TableDef] = field(init=False, repr=False, compare=False)
    """Every table's warehouse copy by its qualified name, made once: the scoring and the
    syncs look tables up per damaged field, a million times in a large drill."""

    def __post_init__(self) -> None:
        made = (warehouse_copy(t, self.warehouse) for t in self.tables.values())
        object.__setattr__(self, "copies", {c.qualname: c for c in made})

    @property
    def systems(self) -> tuple[str, ...]:
        return (*sorted({t.system for t in self.tables.values()}), self.warehouse)

    def __iter__(self) -> Iterator[TableDef]:
        return iter(self.tables.values())

    # -- what the engine and the judge ask of a table -------------------------------------

    @property
    def outbox(self) -> str | None:
        """The table the world's outgoing messages are queued in, if it has one."""
        return next((t.qualname for t in self.tables.values() if t.messages), None)

    def messages_table(self) -> str:
        """The outbox, for a job that sends email; a world without one cannot send."""
        if self.outbox is None:
            raise UnknownTableError(
                "this world has no table of outgoing messages; declare one with "
                "'messages: true' (see docs/worlds.md)"
            )
        return self.outbox

    def is_copy(self, table: str) -> bool:
        """Whether ``table`` is one of the warehouse's copies (never a system of record)."""
        return table.partition(".")[0] == self.warehouse

    def copy_name(self, table: str) -> str:
        """The warehouse copy's name of source table ``table``."""
        return f"{self.warehouse}.{table.replace('.', '_')}"

    def seen(self, table: str) -> bool:
        """Whether people see this table's records (and complain when they are wrong):
        every table of a system, not the warehouse's copies or an internal log."""
        return not self.is_copy(table) and not (table in self.tables
                                                and self.tables[table].internal)

    def harm(self, table_or_system: str) -> Harm | None:
        """``money`` or ``customer_messages`` when a wrong record of this table (or any
        table of this system) reaches a customer; the warehouse's copies never do."""
        if table_or_system in self.tables:
            return self.tables[table_or_system].harm
        if "." in table_or_system:
            return None
        found = {t.harm for t in self.tables.values() if t.system == table_or_system}
        return "money" if "money" in found else (
            "customer_messages" if "customer_messages" in found else None)

    def cancels(self) -> dict[str, tuple[str, str]]:
        """Table -> (field, value) that neutralises a record that should not exist."""
        return {q: t.cancel for q, t in self.tables.items() if t.cancel is not None}

    def irreversible(self) -> dict[str, str]:
        """Table -> the field that, once set, means its record took effect outside."""
        return {q: t.sends for q, t in self.tables.items() if t.sends is not None}

    def history_defaults(self) -> dict[str, History]:
        """Table -> the field history the declaration says it keeps."""
        return {q: t.history for q, t in self.tables.items() if t.history is not None}

    def counts(self) -> dict[str, int]:
        """Table -> the records the declaration gives it (tables of none left out)."""
        return {q: t.count for q, t in self.tables.items() if t.count}

    # -- look-ups -------------------------------------------------------------------------

    def system_tables(self, system: str) -> tuple[TableDef, ...]:
        if system == self.warehouse:
            return ()
        found = tuple(t for t in self.tables.values() if t.system == system)
        if not found:
            raise UnknownSystemError(
                f"unknown system '{system}'{did_you_mean(system, self.systems)}"
            )
        return found

    def table(self, qualname: str) -> TableDef:
        """``crm.contacts`` or ``warehouse.billing_invoices`` -> its definition."""
        if qualname in self.tables:
            return self.tables[qualname]
        system, _, name = qualname.partition(".")
        if system == self.warehouse and name:
            if qualname in self.copies:
                return self.copies[qualname]
            choices = [c.name for c in self.copies.values()]
            raise UnknownTableError(
                f"the {self.warehouse} has no copy named '{name}'{did_you_mean(name, choices)}"
            )
        tables = self.system_tables(system)
        if not name:
            raise UnknownTableError(
                f"'{qualname}' names no table; write it as 'system.table', "
                f"e.g. '{tables[0].qualname}'"
            )
        raise UnknownTableError(
            f"system '{system}' has no table '{name}'{did_you_mean(name, [t.name for t in tables])}"
        )

    def field(self, dotted: str) -> tuple[TableDef, Column]:
        """``billing.invoices.due_date`` -> (table, column)."""
        parts = dotted.split(".")
        if len(parts) != 3:
            example = next(iter(self.tables.values()), None)
            shown = (f"{example.qualname}.{example.data_fields[0]}"
                     if example is not None and example.data_fields else "system.table.field")
            raise UnknownFieldError(
                f"'{dotted}' is not a field; write it as 'system.table.field', e.g. '{shown}'"
            )
        table = self.table(f"{parts[0]}.{parts[1]}")
        return table, table.column(parts[2])
