"""A complete runbook for a scenario's automation: every section rule 8 asks for.

Used three ways: as the yardstick in tests (a complete runbook must leave no damage
behind, whatever the fault), as the source of the fix when a gap's cost is measured
(:mod:`drills.judging.costs` closes one gap with the matching piece of this), and as the
scaffold ``drills init`` writes for a new automation.
"""

from __future__ import annotations

from typing import Any

from drills.runbook import Runbook
from drills.scenarios.build import tables_written
from drills.scenarios.schema import Scenario

__all__ = ["STOP_RULE_FOR", "complete_runbook", "complete_sections", "systems_reached"]

STOP_RULE_FOR: dict[str, str] = {
    "triple_trigger": "duplicate_messages >= 5",
    "duplicate_records": "duplicate_records >= 5",
    "blank_writes": "blank_writes >= 5",
    "skipped_approval": "messages_without_review >= 1",
    "status_flapping": "status_flips >= 5",
    "wrong_field_mapping": "changed_records >= 20 within 5m",
    "over_broad_filter": "changed_records >= 20 within 5m",
}
"""A checkable stop rule that this kind of fault trips early."""


def systems_reached(scenario: Scenario) -> list[str]:
    """Every system the run or the syncs downstream of it can write to."""
    systems = {t.split(".")[0] for t in tables_written(scenario)}
    if scenario.world.warehouse.copies:
        systems.add("warehouse")
    return sorted(systems)


def complete_sections(scenario: Scenario) -> dict[str, Any]:
    """The runbook as plain data (the YAML's shape), for editing one section at a time."""
    auto = scenario.automation
    systems = systems_reached(scenario)
    owner = {"name": "Dana Whitfield", "role": "Automation owner", "can_pause": True}
    pause: list[dict[str, str]] = [{"pause_job": auto.name}]
    for feeder in auto.feeders:
        pause.append({"stop_queue" if feeder.kind == "queue" else "disable_feeder": feeder.name})
    return {
        "automation": auto.name,
        "owner": owner,
        "backup_owner": {"name": "Luis Ortega", "role": "Operations", "can_pause": True},
        "stop_rules": [STOP_RULE_FOR[scenario.fault.kind], "complaints >= 1"],
        "first_safe_action": f"Pause {auto.name}, then stop everything that feeds it.",
        "pause": pause,
        "snapshot": {"export": systems, "to": "exports/"},
        "last_clean_export": {"where": "shared/exports/daily", "every": "1d"},
        "scope": {"by": ["run_id", "window"], "systems": systems},
        "repair": {"strategy": "script", "sample": 20, "stages": ["10%", "50%", "100%"]},
        "verify": {"reconcile": systems},
        "comms": {"first_note_within": "15m", "next_update_every": "1h"},
        "restart": {
            "approver": {"name": owner["name"], "role": owner["role"]},
            "cause": f"The {scenario.fault.kind.replace('_', ' ')} in {auto.name}.",
            "test": ["one internal test record", "one low-risk real record"],
            "ramp": [1, 10, "normal"],
            "watch": "10m",
        },
    }


def complete_runbook(scenario: Scenario) -> Runbook:
    """A runbook with every section filled in, fitted to the scenario's automation."""
    return Runbook.model_validate(complete_sections(scenario))
