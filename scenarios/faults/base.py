"""What a fault kind is: the keys every fault has, and the one record that ties a kind together.

A fault kind is one module in this package defining ``FAULT``, a :class:`FaultKind`:
its scenario keys (a :class:`FaultSpec` model, the ``fault:`` section of a scenario
file), its injector (how it bends the healthy automation's plan), its cross-checks
against the automation, the stop rule that trips it early and what ``drills init``
scaffolds for it. :mod:`drills.scenarios.faults.registry` finds the modules, so adding
a kind touches no other file (docs/adding-a-fault-kind.md).

A fault never writes by itself. It receives the plan the healthy automation made for
one triggering record and returns the plan that actually runs; the bad run applies
it through the store under the run's id and batch ids, and ground truth is the
difference (see :mod:`drills.scenarios.truth`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Generic, Literal, Protocol, TypeVar

from pydantic import Field, model_validator

from drills.fakes.active import CATALOG
from drills.fakes.catalog import TableDef
from drills.scenarios.automation import Automation
from drills.scenarios.basics import Filter, Issue, LimitedRate, Span, Strict
from drills.scenarios.limits import MAX_RECORDS_PER_TABLE

if TYPE_CHECKING:
    from drills.fakes.automations import PlanContext, Record, Write
    from drills.fakes.store import Value

__all__ = [
    "FaultKind",
    "FaultSpec",
    "Healthy",
    "Injector",
    "Reach",
    "ScaffoldSite",
    "Scaffolding",
    "decoded",
    "no_checks",
    "split_field",
]


class Injector(Protocol):
    """How a fault bends the plan the healthy automation made for one record."""

    @property
    def kind(self) -> str: ...

    @property
    def ignores_filter(self) -> bool:
        """True when the fault reaches records outside the automation's ``where`` filter."""
        ...

    def bend(self, record: Record, plan: Sequence[Write], ctx: PlanContext) -> list[Write]: ...


@functools.cache
def split_field(dotted: str) -> tuple[str, str]:
    """'shop.orders.status' -> ('shop.orders', 'status'), cached: injectors run per event."""
    table, _, name = dotted.rpartition(".")
    return table, name


def decoded(table: str, where: Mapping[str, str]) -> dict[str, Value]:
    """Field = text conditions on ``table`` as the store's values."""
    t = CATALOG.table(table)
    return {name: t.column(name).decode(value) for name, value in where.items()}


@dataclass(frozen=True)
class Healthy:
    """No fault: the twin a bad run is measured against."""

    plan_determined: ClassVar[bool] = True
    """Bends every record's plan the same way (the bulk hook, drills.scenarios.bulkrun):
    its bend may be run once on a template record for a whole batch."""

    kind: str = "healthy"
    ignores_filter: bool = False

    def bend(self, record: Record, plan: Sequence[Write], ctx: PlanContext) -> list[Write]:
        return list(plan)


# -- the scenario keys -----------------------------------------------------------------


class Reach(Strict):
    """How far the bad run would go if nobody stopped it: a count, a percentage, a filter,
    or the very records a real incident changed (``keys``, in the order it changed them:
    an imported incident is replayed record for record)."""

    count: Annotated[int, Field(strict=True, ge=1, le=MAX_RECORDS_PER_TABLE)] | None = None
    percent: Annotated[float, Field(gt=0, le=100)] | None = None
    where: Filter | None = None
    keys: Annotated[str, Field(min_length=1, max_length=200_000, description=(
        "the records, in the order the run reaches them: ids and ranges, like '1-1214' or "
        "'4,9,12-20'"))] | None = None

    @property
    def key_list(self) -> list[int]:
        """``keys`` spelt out, in order (each record once)."""
        return [] if self.keys is None else parse_keys(self.keys)

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        if isinstance(value, bool):
            raise ValueError("reach is a count (120), a percentage ('25%') or {where: {...}}")
        if isinstance(value, int):
            return {"count": value}
        if isinstance(value, str):
            text = value.strip()
            if text.endswith("%"):
                try:
                    return {"percent": float(text[:-1])}
                except ValueError:
                    pass
            raise ValueError(
                f"reach {value!r} is not a count (120), a percentage ('25%') or {{where: ...}}"
            )
        return value

    @model_validator(mode="after")
    def _exactly_one(self) -> Reach:
        if sum(v is not None for v in (self.count, self.percent, self.where, self.keys)) != 1:
            raise ValueError("reach is exactly one of a count, a percentage, a where-filter "
                             "or the keys of the records")
        if self.keys is not None:
            parse_keys(self.keys)
        return self


def parse_keys(text: str) -> list[int]:
    """``'4,9,12-20'`` -> [4, 9, 12, ..., 20]: ids and ranges, in order, each once."""
    out: dict[int, None] = {}
    for part in text.replace(" ", "").split(","):
        low, dash, high = part.partition("-")
        if not low.isdigit() or (dash and not high.isdigit()):
            raise ValueError(f"reach.keys: {part!r} is not an id or a range; write ids and "
                             "ranges like '4,9,12-20'")
        first, last = int(low), int(high) if dash else int(low)
        if first < 1 or last < first or last - first > MAX_RECORDS_PER_TABLE:
            raise ValueError(f"reach.keys: {part!r} is not a range of ids from 1 up; write "
                             "the lower id first, like '12-20'")
        out.update(dict.fromkeys(range(first, last + 1)))
        if len(out) > MAX_RECORDS_PER_TABLE:
            raise ValueError(f"reach.keys names over {MAX_RECORDS_PER_TABLE:,} records, the "
                             "limit of a table; name fewer")
    return list(out)


class FaultSpec(Strict):
    """The keys every fault has; each kind's model adds its own and narrows ``kind``."""

    starts: Span = Field(
        default=timedelta(0), description="when the bad run starts, after the scenario starts"
    )
    rate: LimitedRate = Field(description="events the bad run handles per period")
    reach: Reach
    via: str | None = Field(
        default=None, description="the feeder that delivers the bad run's work, if not the trigger"
    )
    kind: str
    """Each kind narrows this to ``Literal['its_name']``, the union's discriminator."""

    def repeats(self) -> int:
        """How many times over each record reached gets the automation's writes."""
        return 1

    def also_reaches(self) -> Filter | None:
        """Conditions on records outside the automation's filter the run also reaches."""
        return None

    def needs_people(self) -> bool:
        """True when the run does damage only against what people change meanwhile (a late
        delivery over a hand edit): alone, with nobody editing, it leaves nothing wrong."""
        return False


S = TypeVar("S", bound=FaultSpec)


# -- drills init -----------------------------------------------------------------------


@dataclass(frozen=True)
class ScaffoldSite:
    """What ``drills init`` knows of the job it scaffolds a fault for (fields by name)."""

    table: str
    """The table the job works through, ``system.table``."""
    status: str
    """The status-like field the healthy job sets."""
    from_value: str
    """The records the job is meant for (its ``where`` filter)."""
    to_value: str
    """What the job sets the status to."""
    outside_value: str
    """Records outside the filter, which an over-broad filter reaches."""
    into: str
    """A field of the table a wrong mapping can write the status into."""
    blanks: tuple[str, ...]
    """Fields of the table holding real values a blank write can wipe."""
    email: str | None
    """The field holding an address to message, if the table has one."""
    does: Sequence[Mapping[str, Any]] = ()
    """The job's healthy steps, as the file writes them."""


@dataclass(frozen=True)
class Scaffolding:
    """What ``drills init`` writes for a kind."""

    keys: Callable[[ScaffoldSite], dict[str, Any]]
    """The kind's own keys for the scaffolded ``fault:`` (a ``reach`` here replaces the
    default count). Raises ValueError, one line with a fix, when the job cannot have
    this fault."""
    complaint: str
    """When customers first complain, like '5 duplicate emails'."""
    needs_review: bool = False
    """The job must send messages that wait for a person's review (and so touch
    customer_messages)."""
    default_for: Literal["messaging jobs", "other jobs"] | None = None
    """The kind ``drills init`` picks when no ``--fault`` is given, for such jobs."""


# -- the kind --------------------------------------------------------------------------


def no_checks(spec: FaultSpec, auto: Automation, source: TableDef) -> list[Issue]:
    """A kind whose keys need nothing of the automation."""
    return []


@dataclass(frozen=True)
class FaultKind(Generic[S]):
    """Everything about one kind of fault, in the one module that defines it."""

    name: str
    """The ``kind:`` a scenario file writes, like 'triple_trigger'."""
    title: str
    """One line for docs and help: what goes wrong."""
    position: int
    """Where the kind is listed (FAULT_KINDS, the JSON schema); a new kind takes the next."""
    spec: type[S]
    """The kind's scenario keys; its ``kind`` is ``Literal[name]``."""
    injector: Callable[[S, str], Injector]
    """The injector for a scenario's fault and the automation's triggering table."""
    default_stop_rule: str
    """A checkable stop rule this kind trips early, like 'duplicate_messages >= 5'."""
    scaffold: Scaffolding
    check: Callable[[S, Automation, TableDef], list[Issue]] = field(default=no_checks)
    """Problems of the fault's keys against the automation's steps and triggering table,
    each with the key path to blame; run only when the automation has steps."""
