"""Scenario files and the bad-run library: what goes wrong, where, and how far it spreads.

Builds on :mod:`fakes`; knows nothing of drills or reports.

Public names are loaded on first use, as in :mod:`drills`: reading a scenario file
needs its schema, not the bad-run engine and the database it writes to.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fakes.errors import DrillsError
    from scenarios.badrun import BadRun, BatchResult, Event, automation_def, select_targets
    from scenarios.build import ScenarioWorld, build_scenario_world
    from scenarios.faults import Injector, injector_for
    from scenarios.limits import LimitError
    from scenarios.loader import (
        ScenarioInfo,
        UnknownScenarioError,
        builtin_by_automation,
        builtin_names,
        builtin_scenarios,
        load_scenario,
        validate_scenario_file,
    )
    from scenarios.schema import FAULT_KINDS, Scenario
    from scenarios.truth import Damage, DamageKind, GroundTruth
    from scenarios.units import (
        Duration,
        Rate,
        RateValue,
        format_duration,
        parse_duration,
        parse_rate,
    )

__all__ = [
    "FAULT_KINDS",
    "BadRun",
    "BatchResult",
    "Damage",
    "DamageKind",
    "DrillsError",
    "Duration",
    "Event",
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
    "select_targets",
    "validate_scenario_file",
]

_LAZY = {
    "DrillsError": "fakes.errors",
    "BadRun": "scenarios.badrun",
    "BatchResult": "scenarios.badrun",
    "Event": "scenarios.badrun",
    "automation_def": "scenarios.badrun",
    "select_targets": "scenarios.badrun",
    "ScenarioWorld": "scenarios.build",
    "build_scenario_world": "scenarios.build",
    "Injector": "scenarios.faults",
    "injector_for": "scenarios.faults",
    "LimitError": "scenarios.limits",
    "ScenarioInfo": "scenarios.loader",
    "UnknownScenarioError": "scenarios.loader",
    "builtin_by_automation": "scenarios.loader",
    "builtin_names": "scenarios.loader",
    "builtin_scenarios": "scenarios.loader",
    "load_scenario": "scenarios.loader",
    "validate_scenario_file": "scenarios.loader",
    "FAULT_KINDS": "scenarios.schema",
    "Scenario": "scenarios.schema",
    "Damage": "scenarios.truth",
    "DamageKind": "scenarios.truth",
    "GroundTruth": "scenarios.truth",
    "Duration": "scenarios.units",
    "Rate": "scenarios.units",
    "RateValue": "scenarios.units",
    "format_duration": "scenarios.units",
    "parse_duration": "scenarios.units",
    "parse_rate": "scenarios.units",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'scenarios' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
