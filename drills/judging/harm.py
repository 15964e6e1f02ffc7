"""Harm, measured: what a drill's bad run cost, in named units, and what those units weigh.

The score follows harm, not the runbook's form (docs/scoring.md). Each drill's harm is
a :class:`Harm`: counts in named units, every one read from the judge's
:class:`~drills.judging.endstate.Evaluation` and the finished
:class:`~drills.engine.loop.DrillResult` (the judge may read ground truth; a responder
never does):

- records left wrong at the end, by system;
- records damaged at all (even those put right: customers and staff saw them);
- customer-facing messages or charges that went out wrongly (sent is sent);
- minutes the bad run was live after detection, to containment or, when never
  contained (or restarted with the fault still in it), to the end of the drill window;
- human edits a repair overwrote;
- shadow fixes people started because nobody told them anything;
- minutes a healthy run of the job stays paused by a false alarm of a stop rule.

:func:`weights` says what one unit of each weighs in harm points for a risk class
(:data:`drills.scenarios.schema.RISKS`): money and customer messages weigh most, and a
record left wrong in a money or customer-message system weighs more than one
elsewhere. Harm points are the weighted sum (:meth:`Harm.points`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from types import MappingProxyType

from drills.engine.loop import DrillResult
from drills.fakes.active import CATALOG
from drills.judging.endstate import Evaluation
from drills.reports.findings import Finding
from drills.reports.model import HarmUnit

__all__ = [
    "UNIT_LABELS",
    "WEIGHTS_BY_CLASS",
    "Harm",
    "critical_system",
    "harm_class",
    "measure_harm",
    "weight_of",
    "weights",
]

def critical_system(table_or_system: str) -> str | None:
    """``money`` or ``customer_messages`` for a table (or system) where a wrong record is
    one, else None: a gate when left wrong.

    It is what the world's declaration says of the table (``harm:``); a system is
    critical when one of its tables is. A table no customer sees in a system that has
    such tables (billing's internal activity log) is counted on a line of its own
    (:func:`_by_system`). The warehouse holds copies for reports, never the record a
    customer is charged or written from."""
    return CATALOG.harm(table_or_system)


UNIT_LABELS: Mapping[HarmUnit, str] = MappingProxyType({
    HarmUnit.LEFT_WRONG: "records left wrong",
    HarmUnit.DAMAGED: "records damaged",
    HarmUnit.SENT_WRONGLY: "messages or charges sent wrongly",
    HarmUnit.LIVE_MINUTES: "minutes live after detection",
    HarmUnit.HUMAN_EDITS_OVERWRITTEN: "human edits overwritten",
    HarmUnit.SHADOW_FIXES: "shadow fixes started",
    HarmUnit.HEALTHY_MINUTES_PAUSED: "minutes a healthy job paused (false alarm)",
})
"""How each unit reads in a report."""

_STANDARD: dict[str, float] = {
    "left_wrong_critical": 4.0,
    "left_wrong": 2.0,
    "damaged": 0.5,
    "sent_wrongly": 3.0,
    "live_minutes": 1.0,
    "human_edits_overwritten": 3.0,
    "shadow_fixes": 1.0,
    "healthy_minutes_paused": 0.5,
}

WEIGHTS_BY_CLASS: Mapping[str, Mapping[str, float]] = MappingProxyType({
    "standard": MappingProxyType(_STANDARD),
    "customer_messages": MappingProxyType({
        **_STANDARD, "left_wrong_critical": 5.0, "sent_wrongly": 5.0, "live_minutes": 2.0}),
    "money": MappingProxyType({
        **_STANDARD, "left_wrong_critical": 6.0, "sent_wrongly": 5.0, "live_minutes": 2.0}),
    "legal_records": MappingProxyType({
        **_STANDARD, "left_wrong_critical": 5.0, "left_wrong": 3.0}),
    "access": MappingProxyType({**_STANDARD, "live_minutes": 2.0}),
})
"""Harm points per unit, per risk class (the reasons are in docs/scoring.md).

``left_wrong_critical`` is a record left wrong in a money or customer-message system
(:func:`critical_system`), ``left_wrong`` one anywhere else. A job that touches several
classes takes, unit by unit, the heaviest weight among them."""


def harm_class(touches: Iterable[str]) -> list[str]:
    """The risk classes a scenario's ``touches`` name (``standard`` when none)."""
    named = [t for t in touches if t in WEIGHTS_BY_CLASS and t != "standard"]
    return sorted(set(named)) or ["standard"]


def weights(touches: Iterable[str]) -> dict[str, float]:
    """Harm points per unit for a job that touches ``touches``: per unit the heaviest."""
    classes = harm_class(touches)
    return {key: max(WEIGHTS_BY_CLASS[c][key] for c in classes) for key in _STANDARD}


def weight_of(unit: HarmUnit, system: str | None, table: Mapping[str, float]) -> float:
    """The weight of one unit (of records left wrong in ``system``) in ``table``."""
    if unit is HarmUnit.LEFT_WRONG:
        return table["left_wrong_critical" if system and critical_system(system) else "left_wrong"]
    return table[unit.value]


@dataclass(frozen=True)
class Harm:
    """One drill's harm in named units (counts, not points)."""

    left_wrong: Mapping[str, int] = field(default_factory=dict)
    """Records left wrong at the end, by system (billing's activity log apart:
    ``billing.activity`` is counted as a system of its own, no customer sees it)."""
    damaged: int = 0
    sent_wrongly: int = 0
    live_minutes: float = 0.0
    human_edits_overwritten: int = 0
    shadow_fixes: int = 0
    healthy_minutes_paused: float = 0.0
    damaged_by_system: Mapping[str, int] = field(default_factory=dict)
    """Records damaged, by system as ``left_wrong`` counts them: what the repair had to
    put right."""

    def count(self, unit: HarmUnit, system: str | None = None) -> float:
        """How many of ``unit`` (records left wrong: in ``system``, or everywhere)."""
        if unit is HarmUnit.LEFT_WRONG:
            if system is None:
                return float(sum(self.left_wrong.values()))
            return float(self.left_wrong.get(system, 0))
        return float(getattr(self, unit.value))

    def lines(self) -> list[tuple[HarmUnit, str | None]]:
        """The (unit, system) pairs this harm has a count for: records left wrong per
        system, then every other unit once."""
        out: list[tuple[HarmUnit, str | None]] = [
            (HarmUnit.LEFT_WRONG, s) for s in sorted(self.left_wrong)]
        out += [(u, None) for u in HarmUnit if u is not HarmUnit.LEFT_WRONG]
        return out

    def points(self, table: Mapping[str, float]) -> float:
        """Harm points: every unit's count times its weight, summed."""
        return round(sum(weight_of(u, s, table) * self.count(u, s) for u, s in self.lines()), 2)

    def left_wrong_points(self, table: Mapping[str, float]) -> float:
        """Harm points of the records left wrong alone."""
        return sum(weight_of(HarmUnit.LEFT_WRONG, s, table) * n
                   for s, n in self.left_wrong.items())

    def unrepaired_points(self, table: Mapping[str, float]) -> float:
        """Harm points had every record this run damaged been left wrong (no repair)."""
        return sum(weight_of(HarmUnit.LEFT_WRONG, s, table) * n
                   for s, n in self.damaged_by_system.items())

    def with_healthy_paused(self, minutes: float) -> Harm:
        return replace(self, healthy_minutes_paused=round(minutes, 2))


def _by_system(by_table: Mapping[str, set[int]]) -> dict[str, int]:
    out: dict[str, int] = {}
    for table, keys in by_table.items():
        if not keys:
            continue
        system = table.split(".")[0]
        if table in CATALOG.tables and CATALOG.tables[table].internal:
            system = table  # internal, in a system customers see: a line of its own
        out[system] = out.get(system, 0) + len(keys)
    return dict(sorted(out.items()))


def _live_minutes(result: DrillResult) -> float:
    """Minutes the bad run was live after detection (from its first write when it was
    never detected), to containment or the end of the drill window; a restart with the
    fault still in it makes it live again until the next containment or the window's end."""
    runtime = result.runtime
    scenario = result.scenario
    # A finished drill is judged over its whole window, however early the responder was
    # done; an interrupted one up to where it stopped.
    end = result.finished if result.interrupted else scenario.starts + scenario.runs_for
    origin = runtime.first_write
    if origin is None:
        return 0.0  # the bad run never wrote: nothing was live
    seen = result.detection.at if result.detection is not None else origin
    start = max(seen, origin)

    def span(a: datetime, b: datetime | None) -> float:
        b = end if b is None else min(b, end)
        return max((b - a).total_seconds(), 0.0) / 60

    minutes = span(start, runtime.contained_at)
    if runtime.restarted_at is not None and not runtime.fixed:
        again = runtime.paused_at if (runtime.job_paused and runtime.paused_at is not None
                                      and runtime.paused_at > runtime.restarted_at) else None
        minutes += span(runtime.restarted_at, again)
    return round(minutes, 2)


def measure_harm(
    result: DrillResult, ev: Evaluation, findings: Iterable[Finding] = ()
) -> Harm:
    """The drill's harm in named units; ``findings`` give the false-alarm minutes (the
    stop-rule trials' ``healthy_minutes_paused``), which no single drill run shows."""
    paused = sum(f.cost.healthy_minutes_paused for f in findings if f.cost is not None)
    return Harm(
        left_wrong=_by_system(ev.left_wrong),
        damaged=ev.records_damaged,
        sent_wrongly=ev.sent_wrongly,
        live_minutes=_live_minutes(result),
        human_edits_overwritten=ev.human_edits_overwritten,
        shadow_fixes=sum(1 for e in result.people.edits if e.shadow),
        healthy_minutes_paused=round(paused, 2),
        damaged_by_system=_by_system(ev.damaged),
    )
