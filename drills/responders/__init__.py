"""Responders: who acts on a bad run.

:mod:`~drills.responders.scripted` follows a runbook on the virtual clock (CI and
scoring); :mod:`drills.responders.live` does what people type at a terminal, on the
wall clock.

Both act on a drill through :class:`~drills.engine.context.DrillContext`, never the
engine's loop. :class:`~drills.responders.scripted.Drill` (``drills.Drill``) is the
engine's drill with the scripted responder as its default.

May import: ``drills.engine``, ``drills.levers``, ``drills.runbook``, ``drills.fakes``
and ``drills.scenarios``; the live drill also the journal, the judging and
``drills.reports`` to grade and journal itself.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "Drill",
    "Responder",
    "ScriptedResponder",
    "StepOutcome",
]

_LAZY = {
    "Drill": "drills.responders.scripted",
    "Responder": "drills.engine.context",
    "ScriptedResponder": "drills.responders.scripted",
    "StepOutcome": "drills.engine.context",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
