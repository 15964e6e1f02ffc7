"""The drill engine: what moves the clock.

The discrete-event loop (:mod:`~drills.engine.loop`) and everything that runs on its
clock: the virtual and real clocks, the automation's runtime (job and feeders), the
people around a bad run, the metrics stop rules read, the downstream propagation,
the team's own hooks (and which code a file may name: :class:`~drills.engine.hooks.CodeTrust`),
the progress handlers and the paused garbage collector.

May import: ``drills.fakes``, ``drills.scenarios``, ``drills.reports`` (its model),
``drills.runbook`` and ``drills.levers``; never the responders, the judging, the
journal or the CLI. Responders see the engine through :class:`~drills.engine.context.DrillContext`
only, and the engine sees them as a :class:`~drills.engine.context.Responder`; the
engine's :class:`~drills.engine.loop.Drill` has no responder of its own
(``drills.Drill`` defaults to the scripted one).
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "AutomationControl",
    "AutomationRuntime",
    "CodeTrust",
    "Complaint",
    "Detection",
    "Drill",
    "DrillClock",
    "DrillContext",
    "DrillEvent",
    "DrillEventHandler",
    "DrillResult",
    "FeederState",
    "HandlerRegistry",
    "HookContext",
    "HookError",
    "MetricReader",
    "NullHandler",
    "Pacer",
    "PauseHook",
    "People",
    "PersonEdit",
    "RealClock",
    "Responder",
    "StepOutcome",
    "TestRecord",
    "UntrustedCodeError",
    "collector_paused",
    "propagate",
    "resolve_hook",
]

_LAZY = {
    "AutomationControl": "drills.engine.hooks",
    "AutomationRuntime": "drills.engine.runtime",
    "CodeTrust": "drills.engine.hooks",
    "Complaint": "drills.engine.people",
    "Detection": "drills.engine.context",
    "Drill": "drills.engine.loop",
    "DrillClock": "drills.engine.clock",
    "DrillContext": "drills.engine.context",
    "DrillEvent": "drills.engine.handlers",
    "DrillEventHandler": "drills.engine.handlers",
    "DrillResult": "drills.engine.loop",
    "FeederState": "drills.engine.runtime",
    "HandlerRegistry": "drills.engine.handlers",
    "HookContext": "drills.engine.hooks",
    "HookError": "drills.engine.hooks",
    "MetricReader": "drills.engine.metrics",
    "NullHandler": "drills.engine.handlers",
    "Pacer": "drills.engine.loop",
    "PauseHook": "drills.engine.hooks",
    "People": "drills.engine.people",
    "PersonEdit": "drills.engine.people",
    "RealClock": "drills.engine.clock",
    "Responder": "drills.engine.context",
    "StepOutcome": "drills.engine.context",
    "TestRecord": "drills.engine.proof",
    "UntrustedCodeError": "drills.engine.hooks",
    "collector_paused": "drills.engine.collector",
    "propagate": "drills.engine.downstream",
    "resolve_hook": "drills.engine.hooks",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
