"""The scenario file format, as pydantic models.

A scenario says what goes wrong: the world it happens in, the automation, the fault
that turns its run bad, and the people around it. The models are strict (unknown
keys are errors) because a silently ignored typo in a drill file makes a drill that
tests nothing. References to systems, tables and fields are checked against
:data:`drills.fakes.catalog.CATALOG` where they are written, so an error points at the key.
Checks that span several parts of the file live in :meth:`Scenario.cross_check`,
which returns key paths so the loader can point at the line.

The parts live in their own modules (:mod:`~drills.scenarios.basics`,
:mod:`~drills.scenarios.world`, :mod:`~drills.scenarios.automation`, and one module per
fault kind in :mod:`drills.scenarios.faults`); this module puts them together and
re-exports them, so ``from drills.scenarios.schema import ...`` reaches every model.
"""

from __future__ import annotations

import math
import re
from datetime import timedelta
from typing import TYPE_CHECKING, Annotated, Any, Literal, Union

from pydantic import (
    BeforeValidator,
    Field,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    model_validator,
)

from drills.errors import did_you_mean
from drills.fakes.active import CATALOG, builtin_catalog, using_catalog
from drills.fakes.catalog import Catalog, TableDef
from drills.files import format_duration
from drills.scenarios.automation import (
    FEEDER_KINDS,
    RISKS,
    Action,
    Automation,
    CreateRecord,
    Feeder,
    LogActivity,
    SendEmail,
    SetField,
    SyncField,
    Trigger,
    check_action,
)
from drills.scenarios.basics import (
    SLUG_PATTERN,
    Interval,
    Issue,
    Path,
    PerHour,
    Slug,
    Span,
    Start,
    Strict,
    Text,
    check_filter,
    check_slug,
    check_system,
    no_field,
    same_type,
)
from drills.scenarios.declaration import declared_catalog, declares_systems
from drills.scenarios.faults import FAULT_KINDS, FAULTS, FaultSpec, Reach
from drills.scenarios.incident import Incident
from drills.scenarios.limits import MAX_PEOPLE_EDITS, MAX_RUN_WRITES
from drills.scenarios.world import FieldSyncSpec, Warehouse, World, moved_errors

__all__ = [
    "FAULT_KINDS",
    "FEEDER_KINDS",
    "RISKS",
    "SLUG_PATTERN",
    "Action",
    "Automation",
    "Complaints",
    "CreateRecord",
    "Fault",
    "Feeder",
    "FieldSyncSpec",
    "LogActivity",
    "People",
    "Reach",
    "Scenario",
    "SendEmail",
    "SetField",
    "ShadowFixes",
    "Strict",
    "SyncField",
    "Trigger",
    "Warehouse",
    "World",
    "check_slug",
    "check_system",
]


# -- fault -----------------------------------------------------------------------------

if TYPE_CHECKING:
    Fault = FaultSpec
else:
    Fault = Annotated[
        Union[tuple(kind.spec for kind in FAULTS.values())],  # noqa: UP007 - built at run time
        Field(discriminator="kind"),
    ]
"""One of the registered kinds' models (:data:`drills.scenarios.faults.FAULTS`), by ``kind``."""


# -- people ----------------------------------------------------------------------------

_AFTER = re.compile(r"^\s*(\d+)\s+([a-z][a-z _-]*)$")


def _after(value: Any) -> Any:
    """'10 duplicate emails' -> {'count': 10, 'of': 'duplicate emails'}."""
    if isinstance(value, int) and not isinstance(value, bool):
        return {"count": value, "of": "damaged records"}
    if isinstance(value, str):
        m = _AFTER.fullmatch(value)  # whole: '$' lets a trailing newline in
        if not m:
            raise ValueError(
                f"{value!r} is not a threshold; write a count and what is counted, "
                "like '10 duplicate emails'"
            )
        return {"count": int(m.group(1)), "of": m.group(2).strip()}
    return value


class Threshold(Strict):
    count: Annotated[int, Field(strict=True, ge=1, le=MAX_RUN_WRITES)]
    of: Text


class Complaints(Strict):
    """Customers notice: the first complaint after so much visible damage, then more."""

    first_after: Annotated[Threshold, BeforeValidator(_after)]
    every: Interval = timedelta(minutes=10)


class ShadowFixes(Strict):
    """Untracked manual fixes that start when nobody has said anything for too long."""

    start_after_silence: Span
    per_hour: PerHour


class People(Strict):
    owner: Literal["present", "away", "random"] = Field(
        default="present", description="whether the runbook's owner is there to pause: "
        "away leaves it to a backup who may pause, or to escalation; random picks by the seed")
    edits_per_hour: PerHour = 0
    complaints: Complaints | None = None
    shadow_fixes: ShadowFixes | None = None


# -- scenario --------------------------------------------------------------------------


class Scenario(Strict):
    """One bad run to drill: what breaks, where, and who is around when it does."""

    name: Slug
    title: Text
    summary: Text
    seed: Annotated[int, Field(strict=True, ge=0, le=2**63 - 1)] = 0
    starts: Start
    runs_for: Span = Field(
        default=timedelta(hours=2), description="how long the drill clock may run at most"
    )
    escalation_delay: Span = Field(
        default=timedelta(minutes=30),
        description="how long until someone who can pause is reached, if the owner cannot",
    )
    world: World
    automation: Automation
    fault: Fault
    people: People = Field(default_factory=People)
    incident: Incident | None = Field(
        default=None, description="the real incident this scenario replays (drills import)")
    _catalog: Catalog | None = PrivateAttr(default=None)

    @model_validator(mode="wrap")
    @classmethod
    def _in_its_world(cls, data: Any, handler: ValidatorFunctionWrapHandler,
                      info: ValidationInfo) -> Any:
        """Validate every reference against the scenario's own systems when it declares
        them: the declaration is read first, and the rest is checked inside it."""
        base = (info.context or {}).get("base")
        world = data.get("world") if isinstance(data, dict) else None
        catalog = declared_catalog(world, base)
        if catalog is None and declares_systems(world):
            # a broken declaration: its own errors, not every name it would have defined
            try:
                World.model_validate(world, context=info.context)
            except ValidationError as err:
                raise ValidationError.from_exception_data(
                    cls.__name__, moved_errors(err, "world", None)) from None
        # A world that declares no systems is in the built-in ones, whichever drill ran last.
        with using_catalog(catalog or builtin_catalog()):
            scenario: Scenario = handler(data)
        if catalog is not None:
            scenario._catalog = catalog
        return scenario

    @property
    def catalog(self) -> Catalog:
        """The systems this scenario happens in: its declared ones, else the built-in."""
        return self._catalog or builtin_catalog()

    def cross_check(self) -> list[Issue]:
        """Problems that span several parts of the file, each with the key path to blame."""
        with using_catalog(self.catalog):
            return self._cross_check()

    def _cross_check(self) -> list[Issue]:
        issues: list[Issue] = []
        counts = self.world.counts
        present = set(counts)
        auto = self.automation

        def need(table: str, path: Path, what: str) -> None:
            if not CATALOG.is_copy(table) and table not in present:
                issues.append(
                    (path, f"{what} '{table}' has no records in this world; "
                     f"add it under world.{table.replace('.', ': ', 1)}: N")
                )

        need(auto.trigger.table, ("automation", "trigger"), "the trigger's table")
        if auto.trigger.table.split(".")[0] != auto.source:
            issues.append((
                ("automation", "source"),
                f"the automation's source is '{auto.source}' but its trigger works on "
                f"'{auto.trigger.table}'; make them the same system",
            ))
        source_table = CATALOG.table(auto.trigger.table)
        issues.extend(check_filter(source_table, auto.where, ("automation", "where")))
        names = [f.name for f in auto.feeders]
        for i, name in enumerate(names):
            if name in names[:i]:
                issues.append(
                    (("automation", "feeders", i, "name"),
                     f"feeder '{name}' is listed twice; give each feeder its own name")
                )
        for i, action in enumerate(auto.does):
            issues.extend(check_action(action, ("automation", "does", i, action.kind),
                                        source_table))
            if action.kind == "send_email" and CATALOG.outbox is None:
                issues.append((("automation", "does", i, action.kind),
                               "this world has no table of outgoing messages; declare one "
                               "with 'messages: true' (see docs/worlds.md) or drop the step"))
        for i, sync in enumerate(self.world.syncs):
            target = CATALOG.table(sync.to.rsplit(".", 1)[0])
            if sync.key not in target.field_names:
                issues.append((("world", "syncs", i, "key"), no_field(target, sync.key)))
            mismatch = same_type(sync.from_, sync.to)
            if mismatch is not None:
                issues.append((("world", "syncs", i, "to"), mismatch))
        issues.extend(self._check_fault(source_table))
        issues.extend(self._check_volume())
        if self.incident is not None:  # the report sets each curve beside the drill's system
            systems = CATALOG.systems
            issues.extend(
                (("incident", "changes_per_minute", name),
                 f"'{name}' is not a system of this world; name one of "
                 f"{', '.join(systems)}{did_you_mean(name, systems)}")
                for name in self.incident.changes_per_minute if name not in systems)
        return issues

    def run_writes(self) -> tuple[int, int, int]:
        """(records reached, writes per record, their product): the most a bad run writes.

        The reach is cut to the trigger table's size, and each record reached gets every
        step of the automation, times the fault's repeats. Syncs downstream copy some of
        it again; this bound leaves them out, as they copy at most what is written here.
        """
        size = self.world.counts.get(self.automation.trigger.table, 0)
        reach = self.fault.reach
        if reach.count is not None:
            reached = min(reach.count, size)
        elif reach.keys is not None:
            reached = min(len(reach.key_list), size)
        elif reach.percent is not None:
            reached = math.ceil(size * reach.percent / 100)
        else:
            reached = size
        repeats = self.fault.repeats()
        each = max(1, len(self.automation.does)) * repeats
        return reached, each, reached * each

    def people_edits(self) -> int:
        """People's edits and shadow fixes over the whole drill, at most."""
        per_hour = self.people.edits_per_hour
        if self.people.shadow_fixes is not None:
            per_hour += self.people.shadow_fixes.per_hour
        return math.ceil(per_hour * self.runs_for.total_seconds() / 3600)

    def _check_volume(self) -> list[Issue]:
        """The limits on what a drill writes, which only the whole file can tell."""
        issues: list[Issue] = []
        reached, each, writes = self.run_writes()
        if writes > MAX_RUN_WRITES:
            issues.append((("fault", "reach"),
                           f"the bad run could write {writes:,} records ({reached:,} records "
                           f"reached, {each:,} writes each), over the limit of "
                           f"{MAX_RUN_WRITES:,}; lower the reach or the fault's repeats"))
        edits = self.people_edits()
        if edits > MAX_PEOPLE_EDITS:
            issues.append((("people",),
                           f"people would make {edits:,} edits over the "
                           f"{format_duration(self.runs_for)} drill, over the limit of "
                           f"{MAX_PEOPLE_EDITS:,}; lower the edits per hour or runs_for"))
        return issues

    def _check_fault(self, source_table: TableDef) -> list[Issue]:
        f = self.fault
        issues: list[Issue] = []
        auto = self.automation
        if f.via is not None and auto.feeder(f.via) is None:
            known = [x.name for x in auto.feeders]
            hint = did_you_mean(f.via, known) if known else "; the automation lists no feeders"
            issues.append(
                (("fault", "via"), f"the automation has no feeder '{f.via}'{hint}")
            )
        if f.starts >= self.runs_for:
            issues.append((("fault", "starts"),
                           "the fault starts after the drill ends; make it start before runs_for"))
        if f.reach.where is not None:
            issues.extend(check_filter(source_table, f.reach.where, ("fault", "reach", "where")))
        size = self.world.counts.get(source_table.qualname, 0)
        if f.reach.keys is not None and max(f.reach.key_list) > size:
            issues.append((("fault", "reach", "keys"),
                           f"reach.keys names record {max(f.reach.key_list):,} but "
                           f"{source_table.qualname} holds {size:,}; raise its count"))
        if auto.callable is not None:
            return issues  # what the team's own code writes is only known when it runs
        issues.extend(FAULTS[f.kind].check(f, auto, source_table))
        return issues
