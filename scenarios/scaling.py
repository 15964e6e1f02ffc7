"""Scale a scenario: the same story on a bigger or smaller world.

``drills run --scale 10`` asks how a drill behaves when the world and the bad run's
reach are ten times larger; ``--scale 0.1`` gives a quick smoke drill. Counts and a
count reach are multiplied (at least one record each where there were some), rates
and percentages stay, and the result is validated again, so the documented limits
still hold.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from fakes.errors import DrillsError
from scenarios.schema import Scenario

__all__ = ["ScaleError", "scale_scenario"]


class ScaleError(DrillsError):
    """A scale factor that is not a positive number, or scales past a limit."""


def scale_scenario(scenario: Scenario, factor: float) -> Scenario:
    """The scenario with every table count and a count reach multiplied by ``factor``."""
    if not factor > 0:
        raise ScaleError(f"--scale must be above 0, got {factor:g}; e.g. --scale 10 or 0.5")
    if factor == 1:
        return scenario
    data: dict[str, Any] = scenario.model_dump(mode="json", by_alias=True, exclude_none=True)

    def times(n: int) -> int:
        return max(1, round(n * factor)) if n else 0

    for system, tables in data["world"].items():
        if system in ("warehouse", "syncs"):
            continue
        for table, count in tables.items():
            tables[table] = times(count)
    reach = data["fault"]["reach"]
    if "count" in reach:
        reach["count"] = times(reach["count"])
    try:
        return Scenario.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ScaleError(
            f"--scale {factor:g} takes {where} of scenario '{scenario.name}' past its limit "
            f"({first['msg'].removeprefix('Value error, ').lower()}); choose a smaller factor"
        ) from None
