"""What each fake system holds: its tables, their fields and the kind of value in each.

The catalog is the single definition of the world's shape. The store builds SQL
tables from it, the factories and value pools fill it, scenario files are checked
against it, and the warehouse derives its copies from it. Values are kept simple
on purpose (integers and text, dates as ISO text, money in cents) so that a record
survives CSV, JSONL, SQLite and PostgreSQL unchanged, and exports are byte-stable.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from drills.errors import did_you_mean
from drills.fakes.errors import UnknownFieldError, UnknownSystemError, UnknownTableError

__all__ = [
    "ACTIVITY_LOG",
    "CATALOG",
    "KEY",
    "OUTBOX",
    "WAREHOUSE",
    "Catalog",
    "Column",
    "ColumnType",
    "TableDef",
    "warehouse_copy",
]

KEY = "id"
"""Every table is keyed by an integer ``id``; change logs and diffs join on it."""


class ColumnType(StrEnum):
    INT = "int"
    TEXT = "text"


@dataclass(frozen=True)
class Column:
    """One field. ``kind`` names the value generator (``email``, ``company``, ``status``...)."""

    name: str
    type: ColumnType
    kind: str
    choices: tuple[str, ...] = ()
    nullable: bool = True

    def decode(self, text: str | None) -> int | str | None:
        """Turn a change-log text value back into this column's Python value."""
        if text is None:
            return None
        return int(text) if self.type is ColumnType.INT else text


@dataclass(frozen=True)
class TableDef:
    """A table of one system, e.g. ``crm.contacts``; stored in SQL as ``crm__contacts``."""

    system: str
    name: str
    columns: tuple[Column, ...]
    copy_of: str | None = None

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


def _t(system: str, name: str, *cols: Column) -> TableDef:
    return TableDef(system, name, (Column(KEY, ColumnType.INT, "key", nullable=False), *cols))


def _text(name: str, kind: str | None = None, *choices: str) -> Column:
    return Column(name, ColumnType.TEXT, kind or name, tuple(choices))


def _int(name: str, kind: str | None = None) -> Column:
    return Column(name, ColumnType.INT, kind or name)


CONTACT_STATUSES = ("lead", "active", "customer", "churned")
DEAL_STAGES = ("prospect", "qualified", "proposal", "negotiation", "won", "lost")
INVOICE_STATUSES = ("draft", "open", "paid", "overdue", "void")
BILLING_TERMS = ("net15", "net30", "net45", "net60", "prepaid")
ACTIVITY_KINDS = ("reminder_sent", "payment_received", "note", "status_change")
OUTBOX_STATUSES = ("queued", "sent", "held", "duplicate")
TICKET_STATUSES = ("open", "pending", "solved", "closed")
PRIORITIES = ("low", "normal", "high", "urgent")
ORDER_STATUSES = ("pending", "processing", "shipped", "delivered", "cancelled")

_TABLES: tuple[TableDef, ...] = (
    _t(
        "crm", "contacts",
        _text("first_name"), _text("last_name"), _text("email"), _text("phone"),
        _text("company"), _text("status", "choice", *CONTACT_STATUSES), _text("owner", "person"),
        _text("city"), _text("notes", "sentence"), _text("updated_at", "datetime"),
    ),
    _t(
        "crm", "deals",
        _int("contact_id", "ref:crm.contacts"), _text("title", "deal_title"),
        _text("stage", "choice", *DEAL_STAGES), _int("amount_cents", "money"),
        _text("close_date", "date"), _text("owner", "person"), _text("notes", "sentence"),
    ),
    _t(
        "billing", "invoices",
        _int("customer_id", "ref:crm.contacts"), _text("customer_name", "name"),
        _text("customer_email", "email"),
        _text("customer_status", "choice", *CONTACT_STATUSES),
        _text("billing_terms", "choice", *BILLING_TERMS), _int("amount_cents", "money"),
        _text("currency", "choice", "EUR", "USD", "GBP"),
        _text("status", "choice", *INVOICE_STATUSES), _text("issued_on", "date"),
        _text("due_date", "date"), _text("notes", "sentence"),
    ),
    _t(
        "billing", "activity",
        _int("invoice_id", "ref:billing.invoices"), _text("kind", "choice", *ACTIVITY_KINDS),
        _text("message", "sentence"), _text("at", "datetime"), _text("actor", "person"),
    ),
    _t(
        "email", "outbox",
        _text("to_address", "email"), _text("template", "choice", "invoice-reminder",
                                             "welcome", "renewal-notice", "order-update"),
        _text("subject", "sentence"), _text("related", "related"),
        _int("reviewed", "flag"), _text("status", "choice", *OUTBOX_STATUSES),
        _text("created_at", "datetime"), _text("sent_at", "datetime"),
    ),
    _t(
        "support", "tickets",
        _int("contact_id", "ref:crm.contacts"), _text("subject", "sentence"),
        _text("status", "choice", *TICKET_STATUSES), _text("priority", "choice", *PRIORITIES),
        _text("notes", "sentence"), _text("updated_at", "datetime"),
    ),
    _t(
        "shop", "orders",
        _text("customer_email", "email"), _text("customer_name", "name"),
        _text("status", "choice", *ORDER_STATUSES), _int("total_cents", "money"),
        _text("renewal_date", "date"), _text("note", "sentence"), _text("placed_at", "datetime"),
    ),
)

WAREHOUSE = "warehouse"
"""The system that holds a copy of every table (``warehouse.billing_invoices``)."""

OUTBOX = "email.outbox"
"""The table of outgoing messages: a duplicate there is a message a customer received."""

ACTIVITY_LOG = "billing.activity"
"""Billing's internal activity log: records no customer sees (or complains about)."""


def warehouse_copy(source: TableDef) -> TableDef:
    """The warehouse table that mirrors ``source``: same fields, named ``system_table``."""
    return TableDef(WAREHOUSE, f"{source.system}_{source.name}", source.columns, source.qualname)


@dataclass(frozen=True)
class Catalog:
    """Look-ups by system and table with errors that list what exists."""

    tables: Mapping[str, TableDef] = field(
        default_factory=lambda: {t.qualname: t for t in _TABLES}
    )
    copies: Mapping[str, TableDef] = field(init=False, repr=False, compare=False)
    """Every table's warehouse copy by its qualified name, made once: the scoring and the
    syncs look tables up per damaged field, a million times in a large drill."""

    def __post_init__(self) -> None:
        made = (warehouse_copy(t) for t in self.tables.values())
        object.__setattr__(self, "copies", {c.qualname: c for c in made})

    @property
    def systems(self) -> tuple[str, ...]:
        return (*sorted({t.system for t in self.tables.values()}), WAREHOUSE)

    def __iter__(self) -> Iterator[TableDef]:
        return iter(self.tables.values())

    def system_tables(self, system: str) -> tuple[TableDef, ...]:
        if system == WAREHOUSE:
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
        if system == WAREHOUSE and name:
            if qualname in self.copies:
                return self.copies[qualname]
            choices = [c.name for c in self.copies.values()]
            raise UnknownTableError(
                f"the warehouse has no copy named '{name}'{did_you_mean(name, choices)}"
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
            raise UnknownFieldError(
                f"'{dotted}' is not a field; write it as 'system.table.field', "
                "e.g. 'billing.invoices.due_date'"
            )
        table = self.table(f"{parts[0]}.{parts[1]}")
        return table, table.column(parts[2])


CATALOG = Catalog()
