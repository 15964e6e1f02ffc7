"""Responders: who acts on a bad run.

:mod:`~drills.responders.scripted` follows a runbook on the virtual clock (CI and
scoring); :mod:`drills.responders.live` does what people type at a terminal, on the
wall clock.

May import: ``drills.engine``, ``drills.levers``, ``drills.runbook``, ``drills.fakes``
and ``drills.scenarios``; the live drill also the journal, the judging and
``drills.reports`` to grade and journal itself.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "Responder",
    "ScriptedResponder",
    "StepOutcome",
]

_LAZY = {
    "Responder": "drills.responders.scripted",
    "ScriptedResponder": "drills.responders.scripted",
    "StepOutcome": "drills.responders.scripted",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
