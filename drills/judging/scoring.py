"""The judging's names under the module they were first published in.

The judge is split by what each part holds: :mod:`~drills.judging.endstate` measures
the end state, :mod:`~drills.judging.observed` names the drill's findings,
:mod:`~drills.judging.points` scores them and :mod:`~drills.judging.report` builds the
DrillReport. Import from :mod:`drills.judging`; this module keeps older imports working.
"""

from __future__ import annotations

from drills.judging.endstate import Evaluation, evaluate
from drills.judging.observed import JUDGED_AT_END, drill_findings, not_reached
from drills.judging.points import SEVERITY_SHARE, WEIGHTS, merge, score
from drills.judging.report import build_report

__all__ = [
    "JUDGED_AT_END",
    "SEVERITY_SHARE",
    "WEIGHTS",
    "Evaluation",
    "build_report",
    "drill_findings",
    "evaluate",
    "merge",
    "not_reached",
    "score",
]
