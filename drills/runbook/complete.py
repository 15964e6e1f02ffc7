"""A complete runbook for a scenario's automation: every section rule 8 asks for.

Used three ways: as the yardstick in tests (a complete runbook must leave no damage
behind, whatever the fault), as the source of the fix when a gap's cost is measured
(:mod:`drills.judging.costs` closes one gap with the matching piece of this), and as the
scaffold ``drills init`` writes for a new automation.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from drills.runbook import Runbook
from drills.scenarios.build import tables_written
from drills.scenarios.faults import FAULTS
from drills.scenarios.faults._delivery import GUARDED_BY, fed_by_sender
from drills.scenarios.schema import Scenario

__all__ = ["DELIVERY_KINDS", "STOP_RULE_FOR", "complete_runbook", "complete_sections",
           "delivery_sections", "systems_reached"]

STOP_RULE_FOR: Mapping[str, str] = MappingProxyType(
    {name: kind.default_stop_rule for name, kind in FAULTS.items()}
)
"""A checkable stop rule that each kind of fault trips early (from the fault registry)."""


def systems_reached(scenario: Scenario) -> list[str]:
    """Every system the run or the syncs downstream of it can write to."""
    systems = {t.split(".")[0] for t in tables_written(scenario)}
    if scenario.world.warehouse.copies:
        systems.add(scenario.catalog.warehouse)
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
        **({"deliveries": d} if (d := delivery_sections(scenario)) else {}),
        "snapshot": {"export": systems, "to": "exports/"},
        "last_clean_export": {"where": "shared/exports/daily", "every": "1d"},
        "scope": {"by": ["run_id", "window"], "systems": systems},
        "repair": {"strategy": "script", "sample": 20, "stages": ["10%", "50%", "100%"]},
        "verify": {"reconcile": systems},
        "comms": {
            "first_note_within": "15m", "next_update_every": "1h",
            "customer_message": "A fault in one of our automated jobs affected your "
                                "account. We have stopped it, put your records right and "
                                "will confirm once we have checked every one.",
        },
        "restart": {
            # Someone other than the owner, who restarts the job: the approval is a check.
            "approver": {"name": "Priya Nair", "role": "Head of Operations"},
            "cause": f"In {auto.name}, {FAULTS[scenario.fault.kind].title}.",
            "test": ["one internal test record", "one low-risk real record"],
            "ramp": [1, 10, "normal"],
            "watch": "10m",
        },
    }


DELIVERY_KINDS = frozenset({"redelivery_storm", "reordered_deliveries", "dropped_deliveries",
                            "delayed_deliveries", "partial_failure"})
"""The fault kinds that bend how events reach the job (docs/faults.md)."""


def delivery_sections(scenario: Scenario) -> dict[str, Any] | None:
    """The ``deliveries`` section for a job a delivery fault reaches: the intake guard that
    answers the fault, if one does, and its sender's feeder held to drain after the fix."""
    fault = scenario.fault
    if fault.kind not in DELIVERY_KINDS:
        return None
    out: dict[str, Any] = {}
    guard = GUARDED_BY.get(fault.kind)
    if guard == "dedupe":
        out["dedupe"] = "event_id"
    elif guard == "latest_per_record":
        out["latest_per_record"] = True
    sender = fed_by_sender(scenario.automation, fault.via)
    if sender is not None and scenario.automation.feeder(sender) is not None:
        out["hold"] = [sender]
    return out or None


def complete_runbook(scenario: Scenario) -> Runbook:
    """A runbook with every section filled in, fitted to the scenario's automation."""
    return Runbook.model_validate(complete_sections(scenario))
