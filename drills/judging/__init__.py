"""The judging: a drill's end state measured against ground truth, findings, score, gap costs.

Ground truth is read here and nowhere a responder acts. :mod:`~drills.judging.endstate`
measures a finished drill's end state, :mod:`~drills.judging.observed` names the gaps
the drill saw (from the registry, :mod:`drills.findings`), :mod:`~drills.judging.points`
scores them, :mod:`~drills.judging.report` builds the
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
    from drills.judging.costs import CLOSERS, Measured, close_gap, measure, measured, with_costs
    from drills.judging.endstate import Evaluation, evaluate
    from drills.judging.observed import JUDGED_AT_END, drill_findings, not_reached
    from drills.judging.points import SEVERITY_SHARE, WEIGHTS, merge, score
    from drills.judging.report import build_report
    from drills.judging.restart import restart_checklist_for, restart_findings

__all__ = [
    "CLOSERS",
    "JUDGED_AT_END",
    "SEVERITY_SHARE",
    "WEIGHTS",
    "Evaluation",
    "Measured",
    "build_report",
    "close_gap",
    "drill_findings",
    "evaluate",
    "measure",
    "measured",
    "merge",
    "not_reached",
    "restart_checklist_for",
    "restart_findings",
    "score",
    "with_costs",
]

_LAZY = {
    "CLOSERS": "drills.judging.costs",
    "Evaluation": "drills.judging.endstate",
    "JUDGED_AT_END": "drills.judging.observed",
    "Measured": "drills.judging.costs",
    "SEVERITY_SHARE": "drills.judging.points",
    "WEIGHTS": "drills.judging.points",
    "build_report": "drills.judging.report",
    "close_gap": "drills.judging.costs",
    "drill_findings": "drills.judging.observed",
    "evaluate": "drills.judging.endstate",
    "measure": "drills.judging.costs",
    "measured": "drills.judging.costs",
    "merge": "drills.judging.points",
    "restart_checklist_for": "drills.judging.restart",
    "restart_findings": "drills.judging.restart",
    "not_reached": "drills.judging.observed",
    "score": "drills.judging.points",
    "with_costs": "drills.judging.costs",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
