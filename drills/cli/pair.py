"""The scenario and runbook a drill command was given, checked as one pair.

``drills run`` and ``drills live`` take the same SCENARIO, ``--runbook``, ``--seed``
and ``--scale``, and must refuse the same mistakes with the same one line.
"""

from __future__ import annotations

from pathlib import Path

from drills.errors import DrillsError
from drills.runbook import Runbook, load_runbook
from drills.scenarios.loader import load_scenario
from drills.scenarios.scaling import scale_scenario
from drills.scenarios.schema import Scenario

__all__ = ["MAX_SEED", "load_pair"]

MAX_SEED = 2**63 - 1
"""The largest seed a scenario file may give; ``--seed`` keeps to it too."""


def load_pair(
    scenario: str, runbook_path: Path | None, *, seed: int | None, scale: float | None
) -> tuple[Scenario, Runbook | None]:
    """Load the scenario (scaled, then reseeded) and the runbook, which must drill it."""
    spec = load_scenario(scenario)
    if scale is not None:
        spec = scale_scenario(spec, scale)
    if seed is not None:
        if not 0 <= seed <= MAX_SEED:
            raise DrillsError(f"--seed must be 0 to {MAX_SEED:,}, got {seed}; e.g. --seed 1729")
        spec = spec.model_copy(update={"seed": seed})
    runbook = (load_runbook(runbook_path, catalog=spec.catalog)
               if runbook_path is not None else None)
    if runbook is not None and runbook.automation != spec.automation.name:
        raise DrillsError(
            f"{runbook_path} is the runbook for '{runbook.automation}', but scenario "
            f"'{spec.name}' drills '{spec.automation.name}'; pick the matching pair"
        )
    return spec, runbook
