"""A team's own systems, as written in a scenario or a shared ``world.yaml``.

The models check what a person writes (see ``docs/worlds.md``): every system, table
and field name, each field's type and its one generator, references between tables,
and the table properties the engine relies on (a ``messages`` table holds the fields a
message needs; ``cancel`` and ``sends`` name fields the table has). A declaration that
validates becomes a :class:`~drills.fakes.catalog.Catalog` through
:func:`drills.fakes.declared.catalog_from_declaration`, so this module and the
built-in ``builtin.yaml`` describe worlds in one shape.

Where the file is: :func:`read_declaration` reads a ``world.yaml`` named by path,
relative to the scenario that names it, and reports its problems at its own lines.
"""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, ValidationError, model_validator

from drills.errors import did_you_mean
from drills.fakes.catalog import KEY, Catalog
from drills.fakes.declared import catalog_from_declaration, declared_column
from drills.fakes.generators import check_generator
from drills.files import Duration, FileError, check_file
from drills.scenarios.basics import Count, Strict
from drills.scenarios.limits import MAX_ITEMS, MAX_TEXT_LENGTH, MAX_TOTAL_RECORDS

__all__ = [
    "MESSAGE_FIELDS",
    "Declaration",
    "DeclaredField",
    "DeclaredTable",
    "declared_catalog",
    "declares_systems",
    "load_declaration",
    "read_declaration",
]

_NAME = re.compile(r"[a-z][a-z0-9_]{0,62}")
"""System, table and field names: they become SQL identifiers (``system__table``)."""

MESSAGE_FIELDS = ("to_address", "template", "subject", "related", "reviewed", "status",
                  "created_at", "sent_at")
"""What a ``messages: true`` table must hold: the engine queues and corrects messages there."""

FieldType = Literal[
    "text", "integer", "money", "date", "datetime", "boolean", "choice", "email", "phone",
    "name", "company", "url", "free_text", "reference",
]

_INT_MAX = 2**31 - 1
"""The largest whole number every backend stores (a PostgreSQL ``integer``)."""


def _name(value: str) -> str:
    if not isinstance(value, str) or not _NAME.fullmatch(value):
        raise ValueError(
            f"{value!r} is not a valid name; use lower-case letters, digits and '_', "
            "starting with a letter, like 'lifecycle_stage'"
        )
    return value


Name = Annotated[str, BeforeValidator(_name)]


def _shorthand(value: Any) -> Any:
    """``email`` alone means ``{type: email}``: a type with its default generator."""
    return {"type": value} if isinstance(value, str) else value


class DeclaredField(Strict):
    """One field: its type and at most one generator (none: the type's default)."""

    type: FieldType
    faker: str | None = Field(default=None, description="a Faker provider by name")
    values: list[Annotated[str, Field(min_length=1, max_length=MAX_TEXT_LENGTH)]] | None = (
        Field(default=None, min_length=1, max_length=MAX_ITEMS))
    weights: list[Annotated[int, Field(strict=True, ge=0, le=1_000_000)]] | None = None
    pattern: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    range: tuple[int, int] | None = None
    days: tuple[Annotated[int, Field(ge=-36_500, le=36_500)],
                Annotated[int, Field(ge=-36_500, le=36_500)]] | None = None
    to: str | None = Field(default=None, description="the table a reference points at")
    blank: Annotated[float, Field(ge=0, lt=1)] = 0.0

    @model_validator(mode="after")
    def _generator(self) -> DeclaredField:
        """The generator fits the type and makes values (the fakes' own check, so what
        validates is what a world can be built from); references are checked once the
        whole declaration is read."""
        column = declared_column("field", self.model_dump(exclude_none=True))
        problem = check_generator("", column, refs=False)
        if problem is not None:
            raise ValueError(problem)
        if self.range is not None and not all(-_INT_MAX - 1 <= n <= _INT_MAX for n in self.range):
            raise ValueError(f"the range {list(self.range)} goes past what a whole-number field "
                             f"holds, from -{_INT_MAX + 1:,} to {_INT_MAX:,} (money is in "
                             f"cents: at most {_INT_MAX / 100:,.2f}); narrow it")
        return self


FieldSpec = Annotated[DeclaredField, BeforeValidator(_shorthand)]


class DeclaredHistory(Strict):
    """The field history a system keeps (see ``docs/sources.md``)."""

    fields: list[Name] | Literal["all"] = Field(default="all", max_length=MAX_ITEMS)
    keep: Duration = timedelta(days=30)


class Cancel(Strict):
    """How a record that should not exist is neutralised: this field set to this value."""

    field: Name
    value: Annotated[str, Field(min_length=1, max_length=MAX_TEXT_LENGTH)]


class DeclaredTable(Strict):
    """One table: its fields and what the engine needs to know about it."""

    count: Count = 0
    fields: dict[Name, FieldSpec] = Field(min_length=1, max_length=MAX_ITEMS)
    history: DeclaredHistory | None = None
    harm: Literal["money", "customer_messages"] | None = None
    internal: bool = False
    cancel: Cancel | None = None
    sends: Name | None = None
    messages: bool = False

    @model_validator(mode="after")
    def _fields_it_names(self) -> DeclaredTable:
        names = list(self.fields)
        if KEY in self.fields:
            raise ValueError(f"'{KEY}' is every table's key and is added for you; remove it "
                             "or rename the field")
        if self.cancel is not None:
            _known(self.cancel.field, names, "cancel.field")
            spec = self.fields[self.cancel.field]
            if spec.values and self.cancel.value not in spec.values:
                hint = did_you_mean(self.cancel.value, spec.values)
                raise ValueError(f"cancel.value '{self.cancel.value}' is not one of "
                                 f"{self.cancel.field}'s values{hint}")
        if self.sends is not None:
            _known(self.sends, names, "sends")
        if self.history is not None and self.history.fields != "all":
            for name in self.history.fields:
                _known(name, names, "history.fields")
        if self.messages:
            missing = [f for f in MESSAGE_FIELDS if f not in self.fields]
            if missing:
                raise ValueError(f"a messages table holds {', '.join(MESSAGE_FIELDS)}; add "
                                 f"{', '.join(missing)}")
        return self


def _known(name: str, names: list[str], key: str) -> None:
    if name not in names:
        raise ValueError(f"{key} names '{name}', which is not a field of the table"
                         f"{did_you_mean(name, names)}")


class DeclaredWarehouse(Strict):
    """The system that keeps copies of tables, its name and what it copies (scenario keys
    ``world.warehouse.copies`` and ``every`` override these)."""

    name: Name = "warehouse"
    copies: list[str] = Field(default_factory=list, max_length=MAX_ITEMS)
    every: Duration | None = None


class Declaration(Strict):
    """A ``world.yaml``: the systems, and the copies and syncs between them."""

    name: Annotated[str, Field(min_length=1, max_length=80)] | None = None
    warehouse: DeclaredWarehouse | None = None
    syncs: list[dict[str, Any]] = Field(default_factory=list, max_length=MAX_ITEMS)
    history: dict[str, Any] = Field(default_factory=dict, max_length=MAX_ITEMS)
    systems: dict[Name, dict[Name, DeclaredTable]] = Field(min_length=1, max_length=MAX_ITEMS)

    @model_validator(mode="after")
    def _whole(self) -> Declaration:
        check_systems(self.systems, self.warehouse.name if self.warehouse else "warehouse")
        return self

    def catalog(self) -> Catalog:
        return catalog_from_declaration(
            self.model_dump(mode="json", exclude_none=True), self.name or "declared")


def check_systems(systems: dict[str, dict[str, DeclaredTable]], warehouse: str) -> None:
    """What spans tables: references point at declared tables, one outbox, sizes."""
    tables = [f"{s}.{t}" for s, ts in systems.items() for t in ts]
    if warehouse in systems:
        raise ValueError(f"'{warehouse}' is the warehouse's name and cannot be a system too; "
                         "rename the system or set warehouse: {name: ...}")
    for system, ts in systems.items():
        for table, spec in ts.items():
            for name, f in spec.fields.items():
                if f.to is not None and f.to not in tables:
                    raise ValueError(f"{system}.{table}.{name} points at '{f.to}', which is "
                                     f"not declared{did_you_mean(f.to, tables)}")
    outboxes = [f"{s}.{t}" for s, ts in systems.items() for t, spec in ts.items() if spec.messages]
    if len(outboxes) > 1:
        raise ValueError(f"{' and '.join(outboxes)} are both messages tables; keep one")
    total = sum(spec.count for ts in systems.values() for spec in ts.values())
    if total > MAX_TOTAL_RECORDS:
        raise ValueError(f"the declared counts add up to {total:,} records, over the limit of "
                         f"{MAX_TOTAL_RECORDS:,}; lower them")


def load_declaration(path: Path) -> Declaration:
    """The ``world.yaml`` at ``path``, checked; raises its first :class:`FileError`."""
    checked = check_file(path, Declaration, what="world declaration")
    if checked.model is None or checked.errors:
        first: FileError = checked.errors[0]
        raise first
    return checked.model


def read_declaration(path: Path) -> Declaration:
    """:func:`load_declaration` for a validator: its first problem as a ``ValueError``
    (``worlds/x.yaml:12:5: ...``), which the scenario reports at its ``declared`` key."""
    try:
        return load_declaration(path)
    except FileError as err:
        raise ValueError(str(err)) from None


def declared_catalog(world: Any, base: Path | None) -> Catalog | None:
    """The catalog a scenario's raw ``world`` section declares, or None (the built-in one,
    or a declaration too broken to use: the world's own validation reports why)."""
    if not isinstance(world, dict):
        return None
    try:
        if world.get("systems") is not None:
            return Declaration.model_validate({"systems": world["systems"],
                                               "warehouse": _warehouse(world)}).catalog()
        if isinstance(world.get("declared"), str):
            return read_declaration(resolve(world["declared"], base)).catalog()
    except (ValidationError, ValueError, OSError):
        return None
    return None


def declares_systems(world: Any) -> bool:
    """Whether a raw ``world`` section declares its own systems (inline or by file)."""
    return isinstance(world, dict) and (world.get("systems") is not None
                                        or world.get("declared") is not None)


def _warehouse(world: dict[str, Any]) -> dict[str, Any] | None:
    spec = world.get("warehouse")
    if isinstance(spec, dict) and "name" in spec:
        return {"name": spec["name"]}
    return None


def resolve(declared: str, base: Path | None) -> Path:
    """A ``declared:`` path, relative to the folder of the scenario that names it."""
    path = Path(declared)
    # lexically: the folder may not exist yet (drills init checks a scenario before it
    # writes its folder), and 'folder/../worlds' cannot be followed through a missing one
    return path if path.is_absolute() or base is None else Path(os.path.normpath(base / path))
