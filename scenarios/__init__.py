"""Scenario files and the bad-run library: what goes wrong, where, and how far it spreads.

Builds on :mod:`fakes`; knows nothing of drills or reports.
"""

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
from scenarios.units import Duration, Rate, RateValue, format_duration, parse_duration, parse_rate

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
