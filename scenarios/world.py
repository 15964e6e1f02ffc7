"""The world a scenario happens in: how many records each table starts with, and its syncs.

Split from :mod:`drills.scenarios.schema`; the models are the ``world:`` section of a
scenario file, one count model per system the catalog simulates.
"""

from __future__ import annotations

from datetime import timedelta
from functools import lru_cache
from typing import Any, Literal, cast

from pydantic import (
    BaseModel,
    Field,
    ValidationError,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    create_model,
    model_validator,
)
from pydantic_core import InitErrorDetails

from drills.errors import DrillsError
from drills.fakes.active import CATALOG
from drills.fakes.catalog import TableDef
from drills.fakes.history import History
from drills.files.units import Duration
from drills.scenarios.basics import Count, FieldRef, Interval, Span, Strict, TableRef
from drills.scenarios.declaration import (
    Declaration,
    DeclaredTable,
    Name,
    check_systems,
    read_declaration,
    resolve,
)
from drills.scenarios.limits import MAX_ITEMS, MAX_TOTAL_RECORDS

__all__ = ["FieldHistory", "FieldSyncSpec", "Warehouse", "World", "moved_errors"]

class Warehouse(Strict):
    """Whole-table copies the warehouse refreshes on a schedule (incrementally)."""

    name: str | None = Field(
        default=None, description="the warehouse's system name, in a declared world "
        "(default 'warehouse')")
    copies: list[TableRef] = Field(default_factory=list, max_length=MAX_ITEMS)
    every: Interval = timedelta(minutes=5)


class FieldSyncSpec(Strict):
    """A healthy downstream sync: a field copied to records that point at its record."""

    from_: FieldRef = Field(alias="from")
    to: FieldRef
    key: str = Field(description="field of the target table holding the source record's id")
    lag: Span = timedelta(minutes=2)


class FieldHistory(Strict):
    """What one table remembers of its fields' past values (see ``docs/sources.md``)."""

    fields: list[str] | Literal["all"] = Field(
        default="all", max_length=MAX_ITEMS,
        description="the fields whose changes the system records, or 'all'",
    )
    keep: Duration = Field(default=timedelta(days=30), description="how long it keeps them")


class World(Strict):
    """The systems a scenario happens in, how many records each table starts with, and the
    copies and syncs between them.

    The systems are the built-in ones unless the world declares its own, inline
    (``systems``) or in a shared file (``declared: worlds/x.yaml``, relative to the
    scenario); see ``docs/worlds.md``. Counts are written per table (``counts``) or per
    system, as ``crm: {contacts: 600}``; a declared table's own ``count`` applies when
    the scenario gives none. Once loaded, the world is self-contained: a declaration
    read from a file is kept inline in ``systems`` (and the file's copies, syncs and
    history under the scenario's own), so a journal replays it without the file.
    """

    declared: str | None = Field(
        default=None, description="a world.yaml declaring the systems, relative to the "
        "scenario file")
    systems: dict[Name, dict[Name, DeclaredTable]] | None = Field(
        default=None, max_length=MAX_ITEMS,
        description="the systems, tables and fields, declared inline (docs/worlds.md)")
    counts: dict[TableRef, Count] = Field(
        default_factory=dict, max_length=MAX_ITEMS,
        description="records each table starts with, by 'system.table'")
    warehouse: Warehouse = Field(default_factory=Warehouse)
    syncs: list[FieldSyncSpec] = Field(default_factory=list, max_length=MAX_ITEMS)
    history: dict[TableRef, FieldHistory | Literal["none"]] = Field(
        default_factory=dict, max_length=MAX_ITEMS,
        description="per table, the field history it keeps, overriding the defaults "
        "('none' keeps nothing)",
    )

    @model_validator(mode="before")
    @classmethod
    def _gather(cls, data: Any, info: ValidationInfo) -> Any:
        """Read a declared file into the world, and per-system counts into ``counts``."""
        if not isinstance(data, dict):
            return data
        data = dict(data)
        if isinstance(data.get("declared"), str):
            base = (info.context or {}).get("base")
            try:
                declaration = read_declaration(resolve(data["declared"], base))
            except OSError as err:
                raise ValueError(
                    f"world.declared: cannot read {data['declared']} ({err.strerror or err}); "
                    "give the path of a world.yaml, relative to the scenario file"
                ) from None
            data = _merge(declaration, data)
        declared = data.get("systems")
        if isinstance(declared, dict) and isinstance(data.get("counts", {}), dict):
            counts = dict(data.get("counts") or {})
            for system, tables in declared.items():
                for table, spec in (tables.items() if isinstance(tables, dict) else ()):
                    if isinstance(spec, dict) and spec.get("count"):
                        counts.setdefault(f"{system}.{table}", spec["count"])
            data["counts"] = counts
        return data

    @model_validator(mode="wrap")
    @classmethod
    def _system_counts(cls, data: Any, handler: ValidatorFunctionWrapHandler) -> World:
        """``crm: {contacts: 600}``: each system's counts, checked against the world's own
        tables (errors at their keys, like any model's), then folded into ``counts``."""
        if not isinstance(data, dict):
            return cast(World, handler(data))
        fields = {f.alias or name for name, f in cls.model_fields.items()}
        rest = {k: v for k, v in data.items() if k in fields}
        errors: list[InitErrorDetails] = []
        found: dict[str, int] = {}
        systems = [s for s in CATALOG.systems if s != CATALOG.warehouse]
        for key in [k for k in data if k not in fields]:
            if key not in systems:
                errors.append(InitErrorDetails(type="extra_forbidden", loc=(key,),
                                               input=data[key],
                                               ctx={"choices": [*fields, *systems]}))
                continue
            try:
                counts = _counts_model(CATALOG.system_tables(key)).model_validate(data[key])
            except ValidationError as err:
                errors.extend(moved_errors(err, key, [t.name for t in CATALOG.system_tables(key)]))
                continue
            found.update({f"{key}.{t}": n for t, n in counts.model_dump().items() if n})
        if found and isinstance(rest.get("counts", {}), dict):
            rest["counts"] = {**found, **(rest.get("counts") or {})}
        try:
            world = cast(World, handler(rest))
        except ValidationError as err:
            errors.extend(moved_errors(err, None, None))
            world = None
        if errors or world is None:
            raise ValidationError.from_exception_data(cls.__name__, errors)
        return world

    def field_history(self) -> dict[str, History]:
        """Table -> the history it keeps: the defaults, with this world's overrides."""
        out = CATALOG.history_defaults()
        for table, spec in self.history.items():
            if spec == "none":
                out.pop(table, None)
            elif isinstance(spec, FieldHistory):
                names = None if spec.fields == "all" else frozenset(spec.fields)
                out[table] = History(names, spec.keep)
        return out

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @model_validator(mode="after")
    def _declared_systems(self) -> World:
        if self.systems is not None:
            check_systems(self.systems, self.warehouse.name or "warehouse")
        return self

    @model_validator(mode="after")
    def _history_fields(self) -> World:
        for table, spec in self.history.items():
            if isinstance(spec, FieldHistory) and spec.fields != "all":
                known = CATALOG.table(table)
                for name in spec.fields:
                    try:
                        known.column(name)
                    except DrillsError as err:  # names the fields that exist
                        raise ValueError(str(err)) from None
        return self

    @model_validator(mode="after")
    def _total_limit(self) -> World:
        if self.total > MAX_TOTAL_RECORDS:
            raise ValueError(
                f"the world holds {self.total:,} records, over the limit of "
                f"{MAX_TOTAL_RECORDS:,}; lower the counts"
            )
        return self


def _merge(declaration: Declaration, world: dict[str, Any]) -> dict[str, Any]:
    """The scenario's world with a declared file's parts under its own keys."""
    out = dict(world)
    out["declared"] = None
    out["systems"] = declaration.model_dump(mode="json", exclude_none=True)["systems"]
    if declaration.warehouse is not None:
        theirs = declaration.warehouse.model_dump(mode="json", exclude_none=True)
        out["warehouse"] = {**theirs, **_mapping(out.get("warehouse"))}
    if declaration.syncs and "syncs" not in out:
        out["syncs"] = declaration.syncs
    if declaration.history:
        out["history"] = {**declaration.history, **_mapping(out.get("history"))}
    return out


def _mapping(value: Any) -> dict[str, Any]:
    return dict(value) if isinstance(value, dict) else {}


@lru_cache(maxsize=64)
def _counts_model(tables: tuple[TableDef, ...]) -> type[BaseModel]:
    """The ``{table: count}`` model of one system's tables."""
    system = tables[0].system
    fields: dict[str, Any] = {
        t.name: (Count, Field(default=0, description=f"records in {t.qualname}"))
        for t in tables
    }
    return create_model(f"{system.capitalize()}Counts", __base__=Strict,
                        __doc__=f"How many records each {system} table starts with.", **fields)


def moved_errors(err: ValidationError, key: str | None,
           choices: list[str] | None) -> list[InitErrorDetails]:
    """``err``'s errors, under ``key``; unknown keys there name ``choices``."""
    out: list[InitErrorDetails] = []
    for e in err.errors(include_url=False):
        ctx = dict(e.get("ctx") or {})
        if e["type"] == "extra_forbidden" and choices is not None:
            ctx["choices"] = choices
        loc = e["loc"] if key is None else (key, *e["loc"])
        detail = InitErrorDetails(type=e["type"], loc=loc, input=e.get("input"))
        if ctx:
            detail["ctx"] = ctx
        out.append(detail)
    return out
