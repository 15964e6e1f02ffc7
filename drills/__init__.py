"""drills: recovery drills and chaos tests for business automations.

The library never prints or exits; the CLI in :mod:`drills.cli` is a thin shell
over it. Public names are loaded on first use so that ``drills --help`` and
``drills validate`` start without importing the engine.

Imports: only ``drills.errors`` and ``drills.version`` when imported; every other
public name is loaded from the module that defines it on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from drills.errors import DrillsError
from drills.version import __version__

if TYPE_CHECKING:
    from drills.api import report_from_journal, run_drill
    from drills.engine.hooks import CodeTrust, UntrustedCodeError
    from drills.engine.loop import DrillResult
    from drills.journal import (
        Journal,
        JournalError,
        JournalHandler,
        JournalHeader,
        JournalWriter,
        read_journal,
    )
    from drills.responders.live import LiveDrill, LivePlan
    from drills.responders.scripted import Drill
    from drills.review import build_review
    from drills.runbook import Runbook, lint_runbook, load_runbook
    from drills.runbook.complete import complete_runbook

__all__ = [
    "CodeTrust",
    "Drill",
    "DrillResult",
    "DrillsError",
    "Journal",
    "JournalError",
    "JournalHandler",
    "JournalHeader",
    "JournalWriter",
    "LiveDrill",
    "LivePlan",
    "Runbook",
    "UntrustedCodeError",
    "__version__",
    "build_review",
    "complete_runbook",
    "lint_runbook",
    "load_runbook",
    "read_journal",
    "report_from_journal",
    "run_drill",
]



_LAZY = {
    "CodeTrust": "drills.engine.hooks",
    "UntrustedCodeError": "drills.engine.hooks",
    "run_drill": "drills.api",
    "build_review": "drills.review",
    "complete_runbook": "drills.runbook.complete",
    "Drill": "drills.responders.scripted",
    "DrillResult": "drills.engine.loop",
    "Journal": "drills.journal",
    "JournalError": "drills.journal",
    "JournalHandler": "drills.journal",
    "JournalHeader": "drills.journal",
    "JournalWriter": "drills.journal",
    "read_journal": "drills.journal",
    "report_from_journal": "drills.api",
    "LiveDrill": "drills.responders.live",
    "LivePlan": "drills.responders.live",
    "Runbook": "drills.runbook",
    "lint_runbook": "drills.runbook",
    "load_runbook": "drills.runbook",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'drills' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
