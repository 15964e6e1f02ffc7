"""A catalog from a declaration: systems, tables, typed fields and their generators.

A declaration is plain data (read from YAML): ``systems`` -> system -> table ->
``fields`` (each a type, or a mapping with ``type`` and one generator), with the
table's ``count``, ``history``, ``harm``, ``cancel``, ``sends`` and ``messages``; and
the ``warehouse`` that copies every table. The scenario layer checks a user's file
against its schema first (``drills.scenarios.declaration``), so this module trusts its
input's shape and only turns it into :class:`~drills.fakes.catalog.Catalog` objects.

The built-in systems are one such declaration, shipped beside this module as
``worlds/builtin.yaml``. Their fields name built-in generators (``builtin: email``)
that know how a contact's email follows its name; a team's own fields use the
generic ones (:class:`~drills.fakes.catalog.Generator`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml

from drills.fakes.catalog import (
    DECLARED_TYPES,
    KEY,
    Catalog,
    Column,
    ColumnType,
    Generator,
    TableDef,
)
from drills.fakes.history import History

__all__ = [
    "BUILTIN_DECLARATION", "catalog_from_declaration", "declared_column", "load_builtin",
    "parse_keep",
]

BUILTIN_DECLARATION = Path(__file__).with_name("worlds") / "builtin.yaml"
"""The built-in systems' declaration, shipped with drills."""

_UNITS = {"d": 1, "w": 7}


def parse_keep(text: str | int) -> timedelta:
    """``540d``, ``4w`` or a number of days -> a duration (how long history is kept)."""
    if isinstance(text, int):
        return timedelta(days=text)
    number, unit = text[:-1], text[-1]
    if unit in _UNITS and number.isdigit():
        return timedelta(days=int(number) * _UNITS[unit])
    return timedelta(days=int(text))


def declared_column(name: str, spec: str | Mapping[str, Any]) -> Column:
    """One field of a declaration (a type, or a mapping with its generator) as a column."""
    if isinstance(spec, str):
        spec = {"type": spec}
    declared = str(spec["type"])
    stored = DECLARED_TYPES[declared]
    values = tuple(str(v) for v in spec.get("values", ()))
    if "builtin" in spec:
        kind = str(spec["builtin"])
        return Column(name, stored, kind, values, declared=declared)
    low, high = (spec.get("range") or (None, None))
    days = spec.get("days")
    generator = Generator(
        faker=spec.get("faker"),
        values=values,
        weights=tuple(int(w) for w in spec.get("weights", ())),
        pattern=spec.get("pattern"),
        low=low,
        high=high,
        days=(int(days[0]), int(days[1])) if days else None,
        ref=spec.get("to"),
        blank=float(spec.get("blank", 0.0)),
    )
    return Column(name, stored, "declared", values, declared=declared, generator=generator)


def _history(spec: Mapping[str, Any] | None) -> History | None:
    if not spec:
        return None
    fields = spec.get("fields", "all")
    names = None if fields == "all" else frozenset(str(f) for f in fields)
    return History(names, parse_keep(spec.get("keep", "30d")))


def _table(system: str, name: str, spec: Mapping[str, Any]) -> TableDef:
    columns = [Column(KEY, ColumnType.INT, "key", nullable=False, declared="integer")]
    columns += [declared_column(f, s) for f, s in spec.get("fields", {}).items()]
    cancel = spec.get("cancel")
    return TableDef(
        system,
        name,
        tuple(columns),
        harm=spec.get("harm"),
        cancel=(str(cancel["field"]), str(cancel["value"])) if cancel else None,
        sends=spec.get("sends"),
        messages=bool(spec.get("messages", False)),
        internal=bool(spec.get("internal", False)),
        count=int(spec.get("count", 0)),
        history=_history(spec.get("history")),
        job=spec.get("job"),
        builtin=all(c.kind != "declared" for c in columns),
    )


def catalog_from_declaration(data: Mapping[str, Any], name: str = "declared") -> Catalog:
    """The catalog a (checked) declaration describes, tables in the order written."""
    tables = {
        f"{system}.{table}": _table(system, table, spec)
        for system, system_tables in data["systems"].items()
        for table, spec in system_tables.items()
    }
    warehouse = data.get("warehouse") or {}
    where = warehouse if isinstance(warehouse, str) else warehouse.get("name", "warehouse")
    return Catalog(tables, warehouse=str(where), name=str(data.get("name", name)))


def load_builtin() -> Catalog:
    """The built-in catalog, from the declaration shipped with drills."""
    data = yaml.safe_load(BUILTIN_DECLARATION.read_text(encoding="utf-8"))
    return catalog_from_declaration(data, "built-in")
