"""What each runbook gap cost: rerun the same seeded drill with the gap closed.

A finding says what is missing; its cost says why it matters. For every finding a
runbook change can close, the gap is closed with the matching section of a
complete runbook (:mod:`drills.runbook.complete`) and the drill runs again on the same
seed. The difference in damaged records, records left wrong and minutes to
contain is the gap's cost. Same seed, same numbers: nothing here is estimated.
Reruns that make the same change are run once.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from drills.engine.hooks import PauseHook
from drills.engine.loop import DrillResult
from drills.fakes.active import using_catalog
from drills.fakes.backends.spec import BackendSpec
from drills.fakes.clock import ManualClock
from drills.fakes.store import SqlStore
from drills.fakes.world import WorldTemplate
from drills.judging.endstate import Evaluation, evaluate
from drills.judging.harm import UNIT_LABELS, Harm, measure_harm, weights
from drills.judging.rerun_cache import cache_file, load, store
from drills.judging.workers import worker_start
from drills.reports.findings import Finding, GapCost
from drills.reports.model import HarmUnit
from drills.responders.scripted import Drill
from drills.runbook import Runbook
from drills.runbook.complete import complete_runbook, complete_sections
from drills.scenarios.schema import Scenario
from drills.teamcode import TeamCodeError

__all__ = [
    "CLOSERS",
    "Measured",
    "Reruns",
    "close_gap",
    "measure",
    "measured",
    "perfect_runbook",
    "why_worse",
    "with_costs",
]

Sections = dict[str, Any]


def _set(*keys: str) -> Callable[[Sections, Sections, Finding], None]:
    def close(rb: Sections, full: Sections, _f: Finding) -> None:
        for key in keys:
            rb[key] = full[key]
    return close


def _pause_all(rb: Sections, full: Sections, _f: Finding) -> None:
    have = {json.dumps(s, sort_keys=True) for s in rb.get("pause", [])}
    rb["pause"] = rb.get("pause", []) + [
        {k: v for k, v in s.items()} for s in full["pause"]
        if json.dumps(s, sort_keys=True) not in have
    ]


def _pause_one(rb: Sections, full: Sections, f: Finding) -> None:
    steps = [s for s in full["pause"] if f.where in s.values()]
    rb["pause"] = rb.get("pause", []) + steps


def _owner(rb: Sections, full: Sections, _f: Finding) -> None:
    rb["owner"] = full["owner"]


def _reachable(rb: Sections, full: Sections, f: Finding) -> None:
    """Someone who may pause is reachable: with the owner away (the finding points at
    the backup) a backup who may pause, otherwise an owner who may."""
    if f.where == "backup_owner":
        rb["backup_owner"] = full["backup_owner"]
    else:
        rb["owner"] = full["owner"]


def _backup_may_pause(rb: Sections, full: Sections, _f: Finding) -> None:
    backup = rb.get("backup_owner")
    rb["backup_owner"] = {**backup, "can_pause": True} if backup else full["backup_owner"]


def _stop_rule(rb: Sections, full: Sections, _f: Finding) -> None:
    rb["stop_rules"] = [*rb.get("stop_rules", []), full["stop_rules"][0]]


def _replace_rule(rb: Sections, full: Sections, f: Finding) -> None:
    """The rule at ``f.where`` (``stop_rules.N``) swapped for one the fault trips early."""
    rules = list(rb.get("stop_rules", []))
    index = int((f.where or "").rpartition(".")[2] or -1)
    if 0 <= index < len(rules):
        del rules[index]
    good = full["stop_rules"][0]
    rb["stop_rules"] = rules if good in rules else [*rules, good]


def _scope_system(rb: Sections, full: Sections, f: Finding) -> None:
    scope = dict(rb.get("scope") or full["scope"])
    systems = list(scope.get("systems", []))
    if f.where and f.where not in systems:
        systems.append(f.where)
    scope["systems"] = systems
    rb["scope"] = scope


def _scope_by_run(rb: Sections, full: Sections, _f: Finding) -> None:
    scope = dict(rb.get("scope") or full["scope"])
    scope["by"] = full["scope"]["by"]
    rb["scope"] = scope


def _repair(**fields: Any) -> Callable[[Sections, Sections, Finding], None]:
    def close(rb: Sections, full: Sections, _f: Finding) -> None:
        repair = dict(rb.get("repair") or full["repair"])
        repair.update(fields)
        rb["repair"] = repair
    return close


def _restart(*keys: str) -> Callable[[Sections, Sections, Finding], None]:
    def close(rb: Sections, full: Sections, _f: Finding) -> None:
        restart = dict(rb.get("restart") or {})
        for key in keys:
            restart[key] = full["restart"][key]
        rb["restart"] = restart
    return close


CLOSERS: dict[str, Callable[[Sections, Sections, Finding], None]] = {
    "owner-is-team": _owner,
    "owner-cannot-pause": _owner,
    "waited-for-escalation": _reachable,
    "missing-backup-owner": _set("backup_owner"),
    "backup-owner-is-team": _set("backup_owner"),
    "backup-cannot-pause": _backup_may_pause,
    "no-stop-rule": _stop_rule,
    "uncheckable-stop-rule": _stop_rule,
    "detected-by-complaint": _stop_rule,
    "never-detected": _stop_rule,
    "stop-rule-never-fires": _replace_rule,
    "no-pause-steps": _pause_all,
    "pause-job-only": _pause_all,
    "never-contained": _pause_all,
    "feeder-left-running": _pause_one,
    "queue-left-running": _pause_one,
    "no-snapshot": _set("snapshot"),
    "repair-without-saved-values": _set("snapshot"),
    "no-clean-export": _set("last_clean_export"),
    "no-scope": _set("scope"),
    "system-never-scoped": _scope_system,
    "scope-by-window-only": _scope_by_run,
    "scope-from-noticed": _scope_by_run,
    "no-repair-plan": _set("repair"),
    "repair-without-sample": _repair(sample=20),
    "human-edits-overwritten": _repair(sample=20, overwrite_human_edits=False),
    "repair-overwrites-human-edits": _repair(overwrite_human_edits=False),
    "repair-without-stages": _repair(stages=["10%", "50%", "100%"]),
    "no-verification": _set("verify"),
    "no-comms": _set("comms"),
    "shadow-fixes": _set("comms"),
    "late-first-note": _set("comms"),
    "no-restart-plan": _set("restart"),
    "restart-without-cause": _restart("cause"),
    "restarted-with-fault": _restart("cause"),
    "restart-without-test": _restart("test"),
    "restart-without-approver": _restart("approver"),
    "restart-without-ramp": _restart("ramp"),
    "restart-without-watch": _restart("watch"),
}
"""Finding code -> how the matching piece of a complete runbook closes it."""


def close_gap(runbook: Runbook, finding: Finding, scenario: Scenario) -> Runbook | None:
    """The runbook with this one gap closed, or None when no runbook change closes it."""
    closer = CLOSERS.get(finding.code)
    if closer is None:
        return None
    sections: Sections = runbook.model_dump(mode="json", by_alias=True, exclude_none=True)
    closer(sections, complete_sections(scenario), finding)
    with using_catalog(scenario.catalog):
        closed = Runbook.model_validate(sections)
    return None if closed == runbook else closed


@dataclass(frozen=True)
class Measured:
    """The numbers of one run of the seeded drill that a gap's cost and a baseline need."""

    damaged: int
    left_wrong: int
    minutes_to_contain: float
    minutes_to_detect: float = 0.0
    harm: Harm = field(default_factory=Harm)
    """The run's harm in named units (false-alarm minutes apart: no single run shows them)."""
    accounts: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    """Per feeder (and the job): what happened to its work (held, delivered, ...), to say
    why closing one gap alone made another harm worse."""


def measure(
    scenario: Scenario,
    runbook: Runbook | None,
    hooks: Mapping[str, PauseHook] | None = None,
    backend: BackendSpec | None = None,
    template: WorldTemplate | None = None,
) -> Measured:
    """Run the drill and keep the three numbers a gap's cost is made of.

    ``backend`` says where: by default SQLite in memory; on PostgreSQL each rerun opens
    a schema of its own (in its own process, with connections of its own) and drops it.
    ``template`` is the drill's own seeded world: the rerun's world is forked from it
    instead of seeded again (the same world, so the same numbers).
    """
    if backend is None or backend.kind == "sqlite":
        result = Drill(scenario, runbook, hooks=hooks, template=template).run()
        return measured(result, evaluate(result))
    store = SqlStore(backend.open(), ManualClock(scenario.starts))
    try:
        result = Drill(scenario, runbook, store=store, hooks=hooks, template=template).run()
        ev: Evaluation = evaluate(result)
        return measured(result, ev)
    finally:
        store.close()


def measured(result: DrillResult, ev: Evaluation) -> Measured:
    """The numbers of a finished drill: damaged, left wrong, minutes to contain and to
    detect (to the end of the drill when it was never contained or detected)."""
    origin = result.runtime.first_write or result.scenario.starts
    end = result.runtime.contained_at or result.finished
    seen = result.detection.at if result.detection is not None else result.finished
    return Measured(ev.records_damaged, ev.records_left_wrong,
                    round((end - origin).total_seconds() / 60, 2),
                    round(max((seen - origin).total_seconds(), 0.0) / 60, 2),
                    measure_harm(result, ev),
                    {name: dict(a) for name, a in result.feeder_accounts.items()})


def _apply(
    runbook: Runbook, findings: Sequence[Finding], scenario: Scenario
) -> Runbook:
    """The runbook with every closable finding in ``findings`` closed."""
    sections: Sections = runbook.model_dump(mode="json", by_alias=True, exclude_none=True)
    full = complete_sections(scenario)
    for f in findings:
        closer = CLOSERS.get(f.code)
        if closer is not None:
            closer(sections, full, f)
    with using_catalog(scenario.catalog):
        return Runbook.model_validate(sections)


def _measure_all(
    scenario: Scenario,
    runbooks: Sequence[Runbook | None],
    hooks: Mapping[str, PauseHook] | None,
    backend: BackendSpec | None = None,
    template: WorldTemplate | None = None,
) -> list[Measured]:
    """Rerun the drill once per runbook, in parallel processes when there are several.

    Each rerun has its own world (in memory, or in a PostgreSQL schema of its own),
    forked from ``template`` when there is one, so reruns share nothing and the numbers
    are the same however they are spread over processes. The template reaches the
    workers by inheritance (they are forked), never through a pipe.
    """
    workers = min(len(runbooks), os.cpu_count() or 1)
    # Fork only a single-threaded process (forking threads is unsafe, and warned about
    # from Python 3.12); spawn would re-run the caller's main module, which a user's
    # script may not guard. Otherwise the reruns go one after another.
    # The team's own hooks may not survive a trip to another process: keep them here.
    if workers <= 1 or hooks or threading.active_count() > 1 or os.name != "posix":
        return [measure(scenario, rb, hooks, backend, template) for rb in runbooks]
    context = multiprocessing.get_context("fork")
    n = len(runbooks)
    failed = context.Event()  # the team's code failed in a rerun: the others stop waiting on it
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_rerun_worker,
                             initargs=(os.getpid(), failed, template)) as pool:
        try:
            return list(pool.map(_measure_forked, [scenario] * n, runbooks, [backend] * n))
        except TeamCodeError as err:
            # The team's code failed in a rerun: the same one line as in the drill itself,
            # without the worker's traceback the pool attaches as its cause. A rerun
            # waiting on a hung call gives it up at once and drops its schema.
            failed.set()
            pool.shutdown(wait=True, cancel_futures=True)
            raise err.bare() from None
        except BaseException:
            # Interrupted (Ctrl-C, SIGTERM): start no further rerun; the running ones
            # finish and drop their own schemas before the drill's are dropped.
            pool.shutdown(wait=True, cancel_futures=True)
            raise


_FORK_FROM: list[WorldTemplate | None] = [None]
"""In a rerun worker: the drill's seeded world, set once when the worker starts."""


def _rerun_worker(parent: int, failed: Any, template: WorldTemplate | None) -> None:
    """Start a rerun worker (:func:`worker_start`) holding the template it forks from:
    passed at fork time, so a world's image is never pickled once per rerun."""
    _FORK_FROM[0] = template
    worker_start(parent, failed)


def _measure_forked(
    scenario: Scenario, runbook: Runbook | None, backend: BackendSpec | None
) -> Measured:
    """One rerun in a worker: :func:`measure` on the worker's template (no team hooks:
    those stay in the drill's own process)."""
    return measure(scenario, runbook, None, backend, _FORK_FROM[0])


_DETECTION_CODES = frozenset({"stop-rule-never-fires"})
"""Codes whose cost includes the detection delay (a rule that never fires delays it)."""


def _detect(f: Finding, minutes: float) -> dict[str, Any]:
    """The detection delay as a cost field, for the codes that are about detection only
    (other codes keep their cost as it has always read)."""
    return {"minutes_to_detect": round(minutes, 2)} if f.code in _DETECTION_CODES else {}


def perfect_runbook(scenario: Scenario) -> Runbook:
    """The perfect response's runbook: every section of a complete runbook for this scenario."""
    return complete_runbook(scenario)


_SHARED: dict[tuple[str, str], Measured] = {}
"""Reruns already measured in this process, by (scenario, runbook): the same seeded drill
gives the same numbers, so a second drill of the same scenario (another runbook in
``drills check``, a test module) reuses its baselines and any rerun it shares."""

_SHARED_LIMIT = 4096

def _load_cached(path: Path | None) -> Measured | None:
    data = load(path)
    if data is None:
        return None
    try:
        harm = data.pop("harm")
        return Measured(**data, harm=Harm(**harm))
    except (TypeError, KeyError):
        return None  # a foreign file: measure again


def _store_cached(path: Path | None, m: Measured) -> None:
    store(path, {**asdict(m), "accounts": {k: dict(v) for k, v in m.accounts.items()}})


class Reruns:
    """Reruns of one seeded drill, each distinct runbook (None: nobody acts) measured once.

    The baselines (:mod:`drills.judging.baselines`) and the gap-cost reruns share one
    :class:`Reruns`, so they run in the same process pool and none is run twice. Without
    the team's own code the numbers are kept for the whole process (``_SHARED``) and, with
    :data:`~drills.judging.rerun_cache.CACHE_ENV` set, on disk.
    """

    def __init__(
        self,
        scenario: Scenario,
        hooks: Mapping[str, PauseHook] | None = None,
        backend: BackendSpec | None = None,
        template: WorldTemplate | None = None,
    ) -> None:
        self.scenario = scenario
        self.hooks = hooks
        self.backend = backend
        self.template = template
        """The drill's own seeded world, which every rerun forks instead of seeding."""
        self._scenario_key = scenario.model_dump_json()
        self.cache: dict[str, Measured] = {}
        self._shareable = not hooks and scenario.automation.callable is None
        """Kept beyond this drill only when no team code runs in it: the same names may
        hold other code in another drill (a test's module, a changed file)."""

    @staticmethod
    def key(runbook: Runbook | None) -> str:
        return "nobody acts" if runbook is None else runbook.model_dump_json()

    def _shared(self, key: str) -> Measured | None:
        if not self._shareable:
            return None
        found = _SHARED.get((self._scenario_key, key))
        return found if found is not None else _load_cached(cache_file(self._scenario_key, key))

    def run_all(self, runbooks: Sequence[Runbook | None]) -> None:
        """Measure every runbook not measured yet, in parallel processes when several."""
        todo: dict[str, Runbook | None] = {}
        for rb in runbooks:
            key = self.key(rb)
            if key in self.cache or key in todo:
                continue
            shared = self._shared(key)
            if shared is not None:
                self.cache[key] = shared
                continue
            todo[key] = rb
        if not todo:
            return
        reruns = _measure_all(self.scenario, list(todo.values()), self.hooks, self.backend,
                              self.template)
        for key, m in zip(todo, reruns, strict=True):
            self.cache[key] = m
            if self._shareable:
                if len(_SHARED) >= _SHARED_LIMIT:
                    _SHARED.clear()
                _SHARED[(self._scenario_key, key)] = m
                _store_cached(cache_file(self._scenario_key, key), m)

    def already(self, runbook: Runbook | None, m: Measured) -> None:
        """The drill itself measured ``runbook`` on this seed: a rerun of it (the perfect
        baseline, when the team's runbook is the complete one) would give the same numbers,
        so it is not run again. Kept for this drill only."""
        self.cache.setdefault(self.key(runbook), m)

    def get(self, runbook: Runbook | None) -> Measured:
        self.run_all([runbook])
        return self.cache[self.key(runbook)]


def _harm_lines(harm: Harm) -> dict[tuple[HarmUnit, str | None], float]:
    return {(u, s): harm.count(u, s) for u, s in harm.lines()}


def _label(unit: HarmUnit, system: str | None) -> str:
    return f"{UNIT_LABELS[unit]} in {system}" if system else UNIT_LABELS[unit]


def _amount(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:,.1f}"


def why_worse(base: Measured, closed: Measured, *, alone: bool = True) -> str | None:
    """Which harm units closing a gap alone made worse, and what in the run changed.

    ``base`` is the drill as written, ``closed`` the rerun with the gap closed. None when
    no unit went up. The cause is read from the two runs' feeder accounts (work a feeder
    delivered, held or lost) and their containment times.
    """
    before, after = _harm_lines(base.harm), _harm_lines(closed.harm)
    worse = [
        f"{_label(u, s)} {_amount(before.get((u, s), 0.0))} -> {_amount(n)}"
        for (u, s), n in after.items() if n > before.get((u, s), 0.0)
    ]
    if not worse:
        return None
    causes: list[str] = []
    for name, account in closed.accounts.items():
        was = base.accounts.get(name, {})
        for what, n in account.items():
            more = n - was.get(what, 0)
            if more <= 0:
                continue
            if what == "waited":
                causes.append(f"{more:,} more events waited for the paused {name} and were "
                              "handled when it came back")
            elif what in ("delivered", "retried"):
                causes.append(f"{name} {what} {more:,} more")
    contain = closed.minutes_to_contain - base.minutes_to_contain
    if contain > 0:
        causes.append(f"containment came {contain:g} min later")
    damaged = closed.damaged - base.damaged
    if damaged > 0 and not causes:
        causes.append(f"the bad run damaged {damaged:,} more records")
    how = "alone" if alone else "with every other gap closed"
    why = f" because, with it closed {how}, {', '.join(causes)}" if causes else ""
    return f"closing it {how} made {'; '.join(worse)}{why}"


def _cost(
    f: Finding, base: Measured, m: Measured, table: Mapping[str, float], avoidable: float | None,
    basis: str = "alone",
) -> GapCost:
    """The cost of leaving ``f`` open: ``base`` with the gap, ``m`` without it."""
    harm = round(base.harm.points(table) - m.harm.points(table), 2)
    points = round(100 * harm / avoidable, 1) if avoidable else None
    return GapCost(
        records_damaged=base.damaged - m.damaged,
        records_left_wrong=base.left_wrong - m.left_wrong,
        minutes_to_contain=round(base.minutes_to_contain - m.minutes_to_contain, 2),
        **_detect(f, base.minutes_to_detect - m.minutes_to_detect),
        harm_points=harm,
        score_points=points,
        worse=why_worse(base, m, alone=basis == "alone"),
        basis=basis,  # type: ignore[arg-type]
    )


def with_costs(
    scenario: Scenario,
    runbook: Runbook,
    findings: Sequence[Finding],
    base: Measured,
    hooks: Mapping[str, PauseHook] | None = None,
    *,
    backend: BackendSpec | None = None,
    reruns: Reruns | None = None,
) -> list[Finding]:
    """The findings with their measured cost filled in where a rerun can measure one.

    First each gap is closed alone in the runbook as written. When that changes
    nothing - typically because another gap (an owner nobody can reach, a webhook
    left running) masks it - the gap is measured the other way round: in the
    runbook with every other gap closed, what does leaving this one open cost?

    The two baselines (nobody acts; the complete runbook) run in the same first batch
    of reruns, so a cost can say how many score points closing its gap is worth: its
    harm points over the drill's avoidable harm (docs/scoring.md). Pass ``reruns`` to
    keep them for the score.
    """
    reruns = reruns or Reruns(scenario, hooks, backend)
    table = weights(scenario.automation.touches)
    perfect = perfect_runbook(scenario)

    # A finding that came with its own measured cost (a false alarm's paused minutes, a
    # silent rule beside one that fires: no delay) needs no rerun.
    closed = {id(f): close_gap(runbook, f, scenario) if f.cost is None else None
              for f in findings}
    closable = [f for f in findings if closed[id(f)] is not None]
    reruns.run_all([None, perfect, *[rb for rb in closed.values() if rb is not None]])
    avoidable = (reruns.get(None).harm.points(table) - reruns.get(perfect).harm.points(table))
    scale = avoidable if avoidable >= 1 else None
    alone: dict[int, GapCost] = {}
    for f in closable:
        rb = closed[id(f)]
        assert rb is not None
        alone[id(f)] = _cost(f, base, reruns.get(rb), table, scale)
    masked = [f for f in closable if alone[id(f)].is_zero] if len(closable) > 1 else []
    opened: dict[int, Runbook] = {}
    fixed = _apply(runbook, closable, scenario)
    for f in masked:
        rb = _apply(runbook, [g for g in closable if g is not f], scenario)
        if rb != fixed:
            opened[id(f)] = rb
    if opened:
        reruns.run_all([fixed, *opened.values()])
    out: list[Finding] = []
    for f in findings:
        if f.cost is not None and f.cost.healthy_minutes_paused and f.cost.harm_points is None:
            # A false alarm's paused minutes are harm of their own (docs/scoring.md).
            harm = round(f.cost.healthy_minutes_paused * table["healthy_minutes_paused"], 2)
            out.append(f.model_copy(update={"cost": f.cost.model_copy(update={
                "harm_points": harm,
                "score_points": round(100 * harm / scale, 1) if scale else None})}))
            continue
        if id(f) not in alone:
            out.append(f)
            continue
        cost = alone[id(f)]
        if id(f) in opened:
            cost = _cost(f, reruns.get(opened[id(f)]), reruns.get(fixed), table, scale,
                         basis="others-closed")
        out.append(f.model_copy(update={"cost": cost}))
    return out
