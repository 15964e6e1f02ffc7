"""Scenario files and the bad-run library: what goes wrong, where, and how far it spreads.

Builds on :mod:`drills.fakes`; knows nothing of drills or reports.

Public names are loaded on first use, as in :mod:`drills`: reading a scenario file
needs its schema, not the bad-run engine and the database it writes to.

May import: ``drills.fakes`` and the bottom layer (``drills.errors``,
``drills.files``); never runbooks, the engine or the reports.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from drills.errors import DrillsError
    from drills.files.limits import LimitError
    from drills.files.units import (
        Duration,
        Rate,
        RateValue,
        format_duration,
        parse_duration,
        parse_rate,
    )
    from drills.scenarios.badrun import BadRun, BatchResult, Event, automation_def, select_targets
    from drills.scenarios.build import ScenarioWorld, build_scenario_world
    from drills.scenarios.bulkrun import BULK_ENV, BulkOutcome, run_bulk
    from drills.scenarios.faults import FAULT_KINDS, FAULTS, FaultKind, Injector, injector_for
    from drills.scenarios.loader import (
        ScenarioInfo,
        UnknownScenarioError,
        builtin_by_automation,
        builtin_names,
        builtin_scenarios,
        load_scenario,
        validate_scenario_file,
    )
    from drills.scenarios.schema import Scenario
    from drills.scenarios.truth import Damage, DamageKind, GroundTruth

__all__ = [
    "BULK_ENV",
    "FAULTS",
    "FAULT_KINDS",
    "BadRun",
    "BatchResult",
    "BulkOutcome",
    "Damage",
    "DamageKind",
    "DrillsError",
    "Duration",
    "Event",
    "FaultKind",
    "GroundTruth",
    "Injector",
    "LimitError",
    "Rate",
    "RateValue",
    "Scenario",
    "ScenarioInfo",
    "ScenarioWorld",
    "UnknownScenarioError",
    "automation_def",
    "build_scenario_world",
    "builtin_by_automation",
    "builtin_names",
    "builtin_scenarios",
    "format_duration",
    "injector_for",
    "load_scenario",
    "parse_duration",
    "parse_rate",
    "run_bulk",
    "select_targets",
    "validate_scenario_file",
]

_LAZY = {
    "DrillsError": "drills.errors",
    "BULK_ENV": "drills.scenarios.bulkrun",
    "BulkOutcome": "drills.scenarios.bulkrun",
    "run_bulk": "drills.scenarios.bulkrun",
    "BadRun": "drills.scenarios.badrun",
    "BatchResult": "drills.scenarios.badrun",
    "Event": "drills.scenarios.badrun",
    "automation_def": "drills.scenarios.badrun",
    "select_targets": "drills.scenarios.badrun",
    "ScenarioWorld": "drills.scenarios.build",
    "build_scenario_world": "drills.scenarios.build",
    "FAULTS": "drills.scenarios.faults",
    "FAULT_KINDS": "drills.scenarios.faults",
    "FaultKind": "drills.scenarios.faults",
    "Injector": "drills.scenarios.faults",
    "injector_for": "drills.scenarios.faults",
    "LimitError": "drills.files.limits",
    "ScenarioInfo": "drills.scenarios.loader",
    "UnknownScenarioError": "drills.scenarios.loader",
    "builtin_by_automation": "drills.scenarios.loader",
    "builtin_names": "drills.scenarios.loader",
    "builtin_scenarios": "drills.scenarios.loader",
    "load_scenario": "drills.scenarios.loader",
    "validate_scenario_file": "drills.scenarios.loader",
    "Scenario": "drills.scenarios.schema",
    "Damage": "drills.scenarios.truth",
    "DamageKind": "drills.scenarios.truth",
    "GroundTruth": "drills.scenarios.truth",
    "Duration": "drills.files.units",
    "Rate": "drills.files.units",
    "RateValue": "drills.files.units",
    "format_duration": "drills.files.units",
    "parse_duration": "drills.files.units",
    "parse_rate": "drills.files.units",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'drills.scenarios' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
