"""The whole scripted drill, with its phases timed from inside.

The drill is the real one: :class:`drills.engine.loop.Drill` with the scripted responder
following the benchmark runbook, then the same judging ``run_drill`` does (findings,
score, report; the gap-cost reruns are left out, as ``drills run --no-costs`` does).
To see where its time goes, the functions that do each phase's work are wrapped
with a :class:`~benchmarks.meter.Meter` for the length of the run:

========================  ===========================================================
phase                     what is timed
========================  ===========================================================
seed                      building the world (records and the warehouse copy's baseline)
snapshot                  the runbook's snapshot step (``take_snapshot``)
bad run (event loop)      everything else until the drill ends: the bad run's batches,
                          the syncs and the truth they spread, people, stop rules, ticks
review of the run         the team sorting the run's writes into right and wrong
                          (``review_run``: its log, the fixed job's replay); it runs
                          as the scope step starts
scope and tag             the scope step (``take_scope``), without the review
repair                    every repair stage (counting the scoped records, ``repair_stage``)
reconcile                 the verify step's ``reconcile``
report                    judging the end state and building the report
========================  ===========================================================
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

from benchmarks.meter import Meter, PhaseFigure, seconds
from drills.engine.collector import collector_paused
from drills.fakes.store import SqlStore
from drills.judging import build_report, drill_findings, evaluate
from drills.reports.model import DrillReport
from drills.responders.scripted import Drill
from drills.runbook import Runbook
from drills.scenarios.schema import Scenario

__all__ = ["PHASES", "REST", "TRUTH", "run_measured_drill"]

REST = "bad run (event loop)"
TRUTH = "review of the run"
PHASES = ("seed", "snapshot", REST, TRUTH, "scope and tag", "repair", "reconcile", "report")

_WRAPPED: tuple[tuple[str, str, str], ...] = (
    # (module, attribute path, phase)
    ("drills.engine.loop", "build_scenario_world", "seed"),
    ("drills.responders.scripted", "ScriptedResponder._snapshot", "snapshot"),
    ("drills.responders.scripted", "ScriptedResponder._scope", "scope and tag"),
    ("drills.responders.scripted", "review_run", TRUTH),
    ("drills.responders.scripted", "ScriptedResponder._repairable", "repair"),
    ("drills.responders.scripted", "repair_stage", "repair"),
    ("drills.responders.scripted", "reconcile", "reconcile"),
)


@contextmanager
def _patched(meter: Meter) -> Iterator[None]:
    with ExitStack() as stack:
        for module_name, path, phase in _WRAPPED:
            owner: Any = importlib.import_module(module_name)
            *parents, attr = path.split(".")
            for name in parents:
                owner = getattr(owner, name)
            original: Callable[..., Any] = getattr(owner, attr)
            setattr(owner, attr, meter.wrap(phase, original))
            stack.callback(setattr, owner, attr, original)
        yield


def run_measured_drill(
    scenario: Scenario, runbook: Runbook, store: SqlStore | None = None
) -> tuple[DrillReport, dict[str, PhaseFigure], float, str]:
    """Run the drill once; returns the report, figures per phase, total seconds, RSS mode."""
    meter = Meter(rest=REST)
    began = seconds()
    meter.start()
    with _patched(meter):
        result = Drill(scenario, runbook, store=store).run()
        with meter.phase("report"):
            with collector_paused():  # as run_drill judges
                ev = evaluate(result)
                findings = drill_findings(result, ev)
            report = build_report(result, findings, ev)
    figures = meter.stop()
    total = seconds() - began
    return report, figures, total, meter.mode
