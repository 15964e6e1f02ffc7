"""The judging: a drill's end state measured against ground truth, findings, score, gap costs.

Ground truth is read here and nowhere a responder acts. :mod:`~drills.judging.endstate`
measures a finished drill's end state, :mod:`~drills.judging.observed` names the gaps
the drill saw (from the registry, :mod:`drills.findings`), :mod:`~drills.judging.points`
scores them, :mod:`~drills.judging.harm` measures the harm in named units,
:mod:`~drills.judging.baselines` runs the same seed with nobody acting and with the complete
runbook, :mod:`~drills.judging.points` scores the share of avoidable harm avoided (with its
deductions, gates and verdict), :mod:`~drills.judging.report` builds the
:class:`~drills.reports.model.DrillReport`, and :mod:`~drills.judging.costs` reruns
the same seeded drill with one gap closed, and :mod:`~drills.judging.trials` tries
each stop rule on a healthy run and on the bad run left alone.

May import: ``drills.engine``, ``drills.levers``, ``drills.runbook``, ``drills.findings``,
``drills.fakes``, ``drills.scenarios`` and ``drills.reports``; never the CLI, the
journal or a live responder.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the same names, for type checkers; at run time they load lazily
    from drills.judging.baselines import Baselines, baselines
    from drills.judging.costs import (
        CLOSERS,
        Measured,
        Reruns,
        close_gap,
        measure,
        measured,
        perfect_runbook,
        with_costs,
    )
    from drills.judging.endstate import Evaluation, evaluate
    from drills.judging.harm import Harm, measure_harm, weights
    from drills.judging.observed import JUDGED_AT_END, drill_findings, not_reached
    from drills.judging.points import (
        READY_AT,
        SEVERITY_POINTS,
        SEVERITY_SHARE,
        WEIGHTS,
        gates,
        merge,
        score,
        unscored,
    )
    from drills.judging.report import build_report
    from drills.judging.restart import restart_checklist_for, restart_findings

__all__ = [
    "CLOSERS",
    "JUDGED_AT_END",
    "READY_AT",
    "SEVERITY_POINTS",
    "SEVERITY_SHARE",
    "WEIGHTS",
    "Baselines",
    "Evaluation",
    "Harm",
    "Measured",
    "Reruns",
    "baselines",
    "build_report",
    "close_gap",
    "drill_findings",
    "evaluate",
    "gates",
    "measure",
    "measure_harm",
    "measured",
    "merge",
    "not_reached",
    "perfect_runbook",
    "restart_checklist_for",
    "restart_findings",
    "score",
    "unscored",
    "weights",
    "with_costs",
]

_LAZY = {
    "Baselines": "drills.judging.baselines",
    "CLOSERS": "drills.judging.costs",
    "Evaluation": "drills.judging.endstate",
    "Harm": "drills.judging.harm",
    "JUDGED_AT_END": "drills.judging.observed",
    "Measured": "drills.judging.costs",
    "READY_AT": "drills.judging.points",
    "Reruns": "drills.judging.costs",
    "SEVERITY_POINTS": "drills.judging.points",
    "SEVERITY_SHARE": "drills.judging.points",
    "WEIGHTS": "drills.judging.points",
    "baselines": "drills.judging.baselines",
    "build_report": "drills.judging.report",
    "close_gap": "drills.judging.costs",
    "drill_findings": "drills.judging.observed",
    "evaluate": "drills.judging.endstate",
    "gates": "drills.judging.points",
    "measure": "drills.judging.costs",
    "measure_harm": "drills.judging.harm",
    "measured": "drills.judging.costs",
    "merge": "drills.judging.points",
    "restart_checklist_for": "drills.judging.restart",
    "restart_findings": "drills.judging.restart",
    "not_reached": "drills.judging.observed",
    "perfect_runbook": "drills.judging.costs",
    "score": "drills.judging.points",
    "unscored": "drills.judging.points",
    "weights": "drills.judging.harm",
    "with_costs": "drills.judging.costs",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
