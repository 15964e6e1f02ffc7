"""Runbooks: the one-page plan for one risky automation, loaded, checked and linted.

A runbook file says who owns an automation, when to stop it, how to pause it and
everything feeding it, where the clean data lives, and how to scope, repair, verify,
communicate and restart (rule 8 of docs/rules.md). This package reads such files
(:func:`load_runbook`, with ``file:line:col`` errors like scenarios), parses their stop
rules into checkable expressions (:func:`parse_stop_rule`), knows how long unstated
steps take (:func:`takes`) and lists the gaps a runbook shows before any drill is run
(:func:`lint_runbook`). The engine follows a loaded runbook; the lint needs no engine.

May import: ``drills.findings``, ``drills.reports``, ``drills.scenarios``,
``drills.fakes`` and the bottom layer (``drills.errors``, ``drills.files``); never the
engine, the responders or the judging.
"""

from drills.runbook.defaults import DEFAULT_TAKES, takes
from drills.runbook.deliveries import Deliveries, RetryPolicy
from drills.runbook.lint import (
    LINT_CODES,
    LintCode,
    can_pause,
    lint_runbook,
    lint_runbook_file,
    not_a_person,
)
from drills.runbook.loader import (
    LoadedRunbook,
    Positions,
    load_runbook,
    read_runbook,
    validate_runbook_file,
)
from drills.runbook.proof import cause_problem, same_person
from drills.runbook.rules import METRICS, Op, StopRule, parse_stop_rule
from drills.runbook.schema import (
    CleanExport,
    Comms,
    PauseStep,
    Person,
    Repair,
    Restart,
    Runbook,
    Scope,
    Snapshot,
    Verify,
)

__all__ = [
    "DEFAULT_TAKES",
    "LINT_CODES",
    "METRICS",
    "CleanExport",
    "Comms",
    "Deliveries",
    "LintCode",
    "LoadedRunbook",
    "Op",
    "PauseStep",
    "Person",
    "Positions",
    "Repair",
    "Restart",
    "RetryPolicy",
    "Runbook",
    "Scope",
    "Snapshot",
    "StopRule",
    "Verify",
    "can_pause",
    "cause_problem",
    "lint_runbook",
    "lint_runbook_file",
    "load_runbook",
    "not_a_person",
    "parse_stop_rule",
    "read_runbook",
    "same_person",
    "takes",
    "validate_runbook_file",
]
