"""Stop rules tried both ways: on a healthy run of the same seed, and on the bad run left alone.

A stop rule is only as good as what it does on a normal day. One that trips while the
job works as meant pauses a healthy job (a *false alarm*: the team pauses, looks,
finds nothing and restarts, and the job's work waits all that while); one that never
trips on the bad run however long it runs is no stop rule at all. So each checkable
rule of a runbook is tried twice, with the same metrics the drill reads
(:class:`~drills.engine.metrics.MetricReader`), from the scenario's start over its
``runs_for``:

- **healthy**: the scenario's world and traffic, the same seed, the same events at the
  same rate, handled by the automation as it is meant to work (no fault). A rule that
  fires here is a ``stop-rule-false-alarm``; it costs the minutes the healthy job is
  paused, from the firing to when the runbook's restart brings it back (no restart
  section: to the end of the window).
- **bad, unstopped**: the same run with its fault and nobody pausing it. A rule that
  never fires here is ``stop-rule-never-fires``; the gap-cost rerun
  (:mod:`drills.judging.costs`) measures the detection delay it caused.

A trial is the smallest honest run: the seeded world, the run batched per tick as the
drill batches it, the rules read every tick, the customers' complaints (bad trial
only: a healthy run harms nobody). No syncs, people's edits or responder: no metric
counts them. Each trial lives in a fresh in-memory SQLite world whatever backend the
drill used (the world is a function of the seed), and stops as soon as every rule has
fired or the run has no more events.

The two trials run side by side in forked processes where that is safe. Measured on the
shared example at 10,000 invoices (2 cores, loaded): a drill of the good runbook took
2.2-2.7 s without them and 3.6-4.5 s with them (docs/stop-rules.md).
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from drills.engine.clock import DrillClock
from drills.engine.collector import collector_paused
from drills.engine.metrics import MetricReader, job_shape, review_templates
from drills.engine.people import People
from drills.engine.runtime import AutomationRuntime
from drills.fakes.active import CATALOG
from drills.fakes.backends.sqlite import SqliteBackend
from drills.fakes.store import SqlStore
from drills.fakes.world import WorldTemplate
from drills.findings import finding
from drills.judging.workers import worker_start
from drills.reports.findings import Finding, GapCost, Severity
from drills.runbook import Runbook, StopRule, can_pause, takes
from drills.runbook.complete import STOP_RULE_FOR
from drills.scenarios.badrun import BadRun
from drills.scenarios.build import build_scenario_world
from drills.scenarios.schema import Scenario

__all__ = ["TICK", "Trial", "both_trials", "paused_minutes", "rule_findings", "try_rules"]

TICK = timedelta(minutes=1)
"""Rules are read once a tick, as the drill reads them (:data:`drills.engine.loop.TICK`)."""


@dataclass(frozen=True)
class Trial:
    """What one rule did in one trial: when it first fired (None: never) and its peak."""

    rule: StopRule
    fired_at: datetime | None
    peak: float


def try_rules(
    scenario: Scenario, rules: Sequence[StopRule], *, healthy: bool,
    template: WorldTemplate | None = None,
) -> list[Trial]:
    """Run the scenario's automation once, healthy or with its fault and unstopped, and
    read every rule each tick from the start over ``runs_for``; the world forked from
    the drill's seeded ``template`` when it is a SQLite one, else seeded."""
    checkable = [r for r in rules if r.parsed and r.metric is not None]
    if not checkable:
        return []
    fired: dict[int, datetime] = {}
    peaks = [0.0] * len(checkable)
    clock = DrillClock(scenario.starts)
    store = SqlStore(SqliteBackend(None), clock)
    try:
        with clock, collector_paused():
            build_scenario_world(scenario, store, template=template)
            run = BadRun(scenario, store, healthy=healthy)
            runtime = AutomationRuntime(scenario, run)
            people = None if healthy else People(scenario, store, run.truth)
            metrics = MetricReader(store, run.run_id, review_templates(scenario),
                                   job_shape(scenario))
            now, end = scenario.starts, scenario.starts + scenario.runs_for
            while now <= end:
                clock.set(now)
                runtime.step(now)
                if people is not None:
                    complaint = people.complain_due(now, _visible(run))
                    if complaint is not None:
                        metrics.complaints.append(complaint.at)
                for i, rule in enumerate(checkable):
                    if i in fired:
                        continue
                    assert rule.metric is not None
                    value = metrics.read(rule.metric, now, rule.window)
                    peaks[i] = max(peaks[i], value)
                    if rule.fires(value):
                        fired[i] = now
                if len(fired) == len(checkable) or runtime.exhausted:
                    break
                now += TICK
    finally:
        store.close()
    return [Trial(rule, fired.get(i), peaks[i]) for i, rule in enumerate(checkable)]


def _visible(run: BadRun) -> int:
    """Damage customers can see, as the drill counts it for complaints."""
    return sum(
        len(keys) for table, keys in run.truth.records.items()
        if CATALOG.seen(table)
    )


def paused_minutes(scenario: Scenario, runbook: Runbook, fired_at: datetime) -> float:
    """How long a false alarm at ``fired_at`` keeps the healthy job paused.

    Detection, then acting (at once when a named person may pause, else after the
    scenario's escalation delay), the pause steps, and the restart section's own time;
    with no restart section, nothing brings the job back before the window ends.
    """
    end = scenario.starts + scenario.runs_for
    if runbook.restart is None:
        back = end
    else:
        acting = timedelta(0) if (
            can_pause(runbook.owner) or can_pause(runbook.backup_owner)
        ) else scenario.escalation_delay
        back = fired_at + acting + sum((takes(s) for s in runbook.pause), timedelta(0))
        back += takes(runbook.restart)
    return round(max((back - fired_at).total_seconds(), 0.0) / 60, 2)


_NO_DELAY = GapCost(records_damaged=0, records_left_wrong=0, minutes_to_contain=0)
"""A silent rule beside one that fires delayed nothing: its cost, with no rerun needed."""


def _where(runbook: Runbook, rule: StopRule) -> str:
    return f"stop_rules.{runbook.stop_rules.index(rule)}"


def _try(
    scenario: Scenario, rules: Sequence[StopRule], healthy: bool, template: WorldTemplate | None
) -> list[Trial]:
    return try_rules(scenario, rules, healthy=healthy, template=template)


_KNOWN: dict[tuple[str, bool, str], Trial] = {}
"""Trials already run in this process, by scenario (its JSON), kind and rule (its
canonical form). A drill tries its runbook's rules and then the perfect runbook's for
its false-alarm baseline; where the two share rules (always, for a drill of the complete
runbook) the second would run the same two trials again. A rule's result does not depend
on the rules tried beside it (each is read every tick until it fires), so a trial is
kept per rule."""

_KNOWN_LIMIT = 4096
"""Trials kept before the memory is cleared (a long sweep must not grow without bound)."""


def both_trials(
    scenario: Scenario, rules: Sequence[StopRule], template: WorldTemplate | None = None
) -> tuple[list[Trial], list[Trial]]:
    """The healthy and the bad trial, side by side in two forked processes when that is
    safe (as the gap-cost reruns decide it), else one after the other. Each builds its
    own world, so the results are the same either way. A rule tried on this scenario
    before in this process is not tried again."""
    checkable = [r for r in rules if r.parsed and r.metric is not None]
    key = scenario.model_dump_json()
    todo = {healthy: [r for r in checkable if (key, healthy, r.canonical) not in _KNOWN]
            for healthy in (True, False)}
    if todo[True] or todo[False]:
        for healthy, trials in zip((True, False), _run_both(scenario, todo, template),
                                   strict=True):
            for trial in trials:
                _KNOWN[(key, healthy, trial.rule.canonical)] = trial
    found = tuple([replace(_KNOWN[(key, healthy, r.canonical)], rule=r) for r in checkable]
                  for healthy in (True, False))
    if len(_KNOWN) > _KNOWN_LIMIT:
        _KNOWN.clear()
    return found[0], found[1]


def _run_both(
    scenario: Scenario, todo: dict[bool, list[StopRule]], template: WorldTemplate | None
) -> tuple[list[Trial], list[Trial]]:
    if not todo[True] or not todo[False] or threading.active_count() > 1 or (
        os.name != "posix" or (os.cpu_count() or 1) < 2
    ):
        return (_try(scenario, todo[True], True, template),
                _try(scenario, todo[False], False, template))
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=2, mp_context=context,
                             initializer=worker_start, initargs=(os.getpid(),)) as pool:
        healthy = pool.submit(_try, scenario, todo[True], True, template)
        bad = pool.submit(_try, scenario, todo[False], False, template)
        return healthy.result(), bad.result()


def rule_findings(
    scenario: Scenario, runbook: Runbook | None, template: WorldTemplate | None = None
) -> list[Finding]:
    """False alarms on the healthy run and rules that never fire on the bad run (each
    trial's world forked from ``template``, the drill's seeded one, when given)."""
    if runbook is None or not runbook.checkable_rules:
        return []
    rules = runbook.checkable_rules
    healthy, bad = both_trials(scenario, rules, template)
    out: list[Finding] = []
    for trial in healthy:
        if trial.fired_at is None:
            continue
        paused = paused_minutes(scenario, runbook, trial.fired_at)
        out.append(finding(
            "stop-rule-false-alarm", where=_where(runbook, trial.rule),
            rule=trial.rule.shown, minute=(trial.fired_at - scenario.starts).total_seconds() / 60,
            value=f"{trial.peak:g}", paused=paused,
        ).model_copy(update={"cost": GapCost(records_damaged=0, records_left_wrong=0,
                                             minutes_to_contain=0,
                                             healthy_minutes_paused=paused)}))
    # Beside a rule that does fire, a silent one delays nothing: worth knowing, no points.
    others_fire = any(t.fired_at is not None for t in bad)
    for trial in (t for t in bad if t.fired_at is None):
        out.append(finding(
            "stop-rule-never-fires", where=_where(runbook, trial.rule),
            severity=Severity.INFO if others_fire else None,
            rule=trial.rule.shown, metric=trial.rule.metric, peak=f"{trial.peak:g}",
            example=STOP_RULE_FOR[scenario.fault.kind],
            window=f"{scenario.runs_for.total_seconds() / 60:g} min",
        ).model_copy(update={"cost": _NO_DELAY if others_fire else None}))
    return out
