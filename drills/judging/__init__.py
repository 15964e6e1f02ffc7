"""The judging: a drill's end state measured against ground truth, findings, score, gap costs.

Ground truth is read here and nowhere a responder acts. :mod:`~drills.judging.scoring`
evaluates a finished drill and builds its :class:`~drills.reports.model.DrillReport`;
:mod:`~drills.judging.costs` reruns the same seeded drill with one gap closed.

May import: ``drills.engine``, ``drills.runbook``, ``drills.fakes``,
``drills.scenarios`` and ``drills.reports.model``; never the CLI or the journal.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "CLOSERS",
    "JUDGED_AT_END",
    "SEVERITY_SHARE",
    "WEIGHTS",
    "Evaluation",
    "Measured",
    "build_report",
    "close_gap",
    "evaluate",
    "measure",
    "measured",
    "not_reached",
    "score",
    "with_costs",
]

_LAZY = {
    "CLOSERS": "drills.judging.costs",
    "Evaluation": "drills.judging.scoring",
    "JUDGED_AT_END": "drills.judging.scoring",
    "Measured": "drills.judging.costs",
    "SEVERITY_SHARE": "drills.judging.scoring",
    "WEIGHTS": "drills.judging.scoring",
    "build_report": "drills.judging.scoring",
    "close_gap": "drills.judging.costs",
    "evaluate": "drills.judging.scoring",
    "measure": "drills.judging.costs",
    "measured": "drills.judging.costs",
    "not_reached": "drills.judging.scoring",
    "score": "drills.judging.scoring",
    "with_costs": "drills.judging.costs",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
