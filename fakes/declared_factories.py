"""factory_boy factories for declared tables, made from the declaration at run time.

A built-in table has a hand-written factory (:mod:`drills.fakes.factories`); a team's
own table gets one here: a ``DictFactory`` subclass whose every field is a
``LazyAttribute`` reading that record's value from the table's columns, generated
column-wise by :mod:`drills.fakes.generators`. The small-world path so goes through
factory_boy (a user may subclass or ``build`` the factory like any other), while its
values are by construction those the bulk path (the pools) writes for the same seed:
one definition, two speeds, the same world byte for byte.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import factory as _factory_boy

from drills.fakes.catalog import KEY, TableDef
from drills.fakes.changelog import Value
from drills.fakes.generators import declared_columns

__all__ = ["declared_factory", "declared_records"]

# factory_boy ships ``py.typed`` but no annotations; it is typed as ``Any`` once, here.
factory: Any = _factory_boy


def _value_of(values: Sequence[Value]) -> Any:
    """The field's value of the record being built (keys run 1..n, so ``id - 1``)."""
    return factory.LazyAttribute(lambda o: values[o.id - 1])


def _clashes(name: str) -> bool:
    return (name in ("Meta", "Params") or name.startswith("_") or "__" in name
            or hasattr(factory.DictFactory, name))


def declared_factory(table: TableDef, columns: Mapping[str, Sequence[Value]]) -> type[Any]:
    """A factory building ``table``'s records from ``columns`` (field -> values of keys 1..n).

    ``Factory.build(id=k)`` is record ``k``; the class is named after the table
    (``HubspotCompaniesFactory``) so a traceback says which declaration it came from.
    """
    attrs: dict[str, Any] = {
        "__doc__": f"A record of the declared table {table.qualname}.",
        KEY: factory.Sequence(lambda n: n + 1),
    }
    rename: dict[str, str] = {}
    for index, name in enumerate(table.data_fields):
        # a field named like a factory's own attribute (``build``, ``Meta``) or that
        # factory_boy reads as a path (``a__b``) is declared under an alias and renamed
        alias = f"field{index}" if _clashes(name) else name
        attrs[alias] = _value_of(columns[name])
        if alias != name:
            rename[alias] = name
    if rename:
        attrs["Meta"] = type("Meta", (), {"rename": rename})
    title = "".join(part.title() for part in table.sql_name.replace("__", "_").split("_"))
    made: type[Any] = type(f"{title}Factory", (factory.DictFactory,), attrs)
    return made


def declared_records(
    table: TableDef, counts: Mapping[str, int], *, seed: int, start: datetime
) -> list[dict[str, Value]]:
    """Records 1..n of declared ``table``, built one by one by its factory."""
    columns = declared_columns(table, counts, seed=seed, start=start)
    make = declared_factory(table, columns)
    records = (make.build(id=key) for key in range(1, counts.get(table.qualname, 0) + 1))
    return [{f: record[f] for f in table.field_names} for record in records]
