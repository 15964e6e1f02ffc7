"""The world a scenario happens in: how many records each table starts with, and its syncs.

Split from :mod:`drills.scenarios.schema`; the models are the ``world:`` section of a
scenario file, one count model per system the catalog simulates.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Literal

from pydantic import BaseModel, Field, create_model, model_validator

from drills.errors import DrillsError
from drills.fakes.active import CATALOG
from drills.fakes.history import History
from drills.files.units import Duration
from drills.scenarios.basics import Count, FieldRef, Interval, Span, Strict, TableRef
from drills.scenarios.limits import MAX_ITEMS, MAX_TOTAL_RECORDS

__all__ = ["FieldHistory", "FieldSyncSpec", "Warehouse", "World"]

def _system_counts(system: str) -> type[BaseModel]:
    tables: dict[str, Any] = {
        t.name: (Count, Field(default=0, description=f"records in {t.qualname}"))
        for t in CATALOG.system_tables(system)
    }
    return create_model(
        f"{system.capitalize()}Counts",
        __base__=Strict,
        __doc__=f"How many records each {system} table starts with.",
        **tables,
    )


CrmCounts = _system_counts("crm")
BillingCounts = _system_counts("billing")
EmailCounts = _system_counts("email")
SupportCounts = _system_counts("support")
ShopCounts = _system_counts("shop")


class Warehouse(Strict):
    """Whole-table copies the warehouse refreshes on a schedule (incrementally)."""

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
    crm: CrmCounts = Field(default_factory=CrmCounts)  # type: ignore[valid-type]
    billing: BillingCounts = Field(default_factory=BillingCounts)  # type: ignore[valid-type]
    email: EmailCounts = Field(default_factory=EmailCounts)  # type: ignore[valid-type]
    support: SupportCounts = Field(default_factory=SupportCounts)  # type: ignore[valid-type]
    shop: ShopCounts = Field(default_factory=ShopCounts)  # type: ignore[valid-type]
    warehouse: Warehouse = Field(default_factory=Warehouse)
    syncs: list[FieldSyncSpec] = Field(default_factory=list, max_length=MAX_ITEMS)
    history: dict[TableRef, FieldHistory | Literal["none"]] = Field(
        default_factory=dict, max_length=MAX_ITEMS,
        description="per table, the field history it keeps, overriding the defaults "
        "('none' keeps nothing)",
    )

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
    def counts(self) -> dict[str, int]:
        """qualname -> count for every table with records, e.g. {'crm.contacts': 800}."""
        out: dict[str, int] = {}
        for system in ("crm", "billing", "email", "support", "shop"):
            for table, n in getattr(self, system).model_dump().items():
                if n:
                    out[f"{system}.{table}"] = n
        return out

    @property
    def total(self) -> int:
        return sum(self.counts.values())

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
