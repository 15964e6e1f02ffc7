"""Scale a scenario: the same story on a bigger or smaller world.

``drills run --scale 10`` asks how a drill behaves when the world and the bad run's
reach are ten times larger; ``--scale 0.1`` gives a quick smoke drill. Counts and a
count reach are multiplied (at least one record each where there were some), rates
and percentages stay, and the result is validated again, cross-checks included, so
the documented limits (``docs/limits.md``) hold after scaling too. A factor that goes
past one says the largest factor that would not.
"""

from __future__ import annotations

import math
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from drills.errors import DrillsError
from drills.scenarios.limits import MAX_RECORDS_PER_TABLE, MAX_RUN_WRITES, MAX_TOTAL_RECORDS
from drills.scenarios.schema import Scenario

__all__ = ["ScaleError", "largest_scale", "scale_scenario"]


class ScaleError(DrillsError):
    """A scale factor that is not a positive number, or scales past a limit."""


def largest_scale(scenario: Scenario) -> float:
    """The largest factor that keeps every table, the world and the bad run within limits."""
    counts = scenario.world.counts
    bounds = [MAX_RECORDS_PER_TABLE / n for n in counts.values() if n]
    if scenario.world.total:
        bounds.append(MAX_TOTAL_RECORDS / scenario.world.total)
    writes = scenario.run_writes()[2]
    if writes:
        bounds.append(MAX_RUN_WRITES / writes)
    return min(bounds, default=math.inf)


def scale_scenario(scenario: Scenario, factor: float) -> Scenario:
    """The scenario with every table count and a count reach multiplied by ``factor``."""
    if not factor > 0:
        raise ScaleError(f"--scale must be above 0, got {factor:g}; e.g. --scale 10 or 0.5")
    if not math.isfinite(factor):
        raise ScaleError(f"--scale must be a finite number, got {factor:g}; e.g. --scale 10")
    if factor == 1:
        return scenario
    data: dict[str, Any] = scenario.model_dump(mode="json", by_alias=True, exclude_none=True)

    def times(n: int) -> int:
        return max(1, round(n * factor)) if n else 0

    counts = data["world"]["counts"]
    for table, count in counts.items():
        counts[table] = times(count)
    reach = data["fault"]["reach"]
    if "count" in reach:
        reach["count"] = times(reach["count"])
    try:
        scaled = Scenario.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        # the counts are kept by table ('world.counts.billing.invoices'): name the table
        where = ".".join(str(p) for p in first["loc"]).replace("world.counts.", "world.", 1)
        raise ScaleError(
            f"--scale {factor:g} takes {where} of scenario '{scenario.name}' past its limit "
            f"({_reason(first)}); {_hint(scenario)}"
        ) from None
    issues = scaled.cross_check()
    if issues:
        spot, message = issues[0]
        raise ScaleError(
            f"--scale {factor:g} takes {'.'.join(str(p) for p in spot)} of scenario "
            f"'{scenario.name}' past its limit ({_reason(message)}); {_hint(scenario)}"
        )
    return scaled


def _reason(error: ErrorDetails | str) -> str:
    if isinstance(error, str):
        text = error
    elif error["type"] == "less_than_equal":
        limit = (error.get("ctx") or {}).get("le")
        return f"{error['input']:,} records, over the limit of {limit:,}"
    else:
        text = error["msg"].removeprefix("Value error, ")
    return (text[:1].lower() + text[1:]).split("; ")[0]


def _hint(scenario: Scenario) -> str:
    top = largest_scale(scenario)
    if top >= 1:
        return f"the largest --scale that fits is {math.floor(top * 100) / 100:g}"
    return "choose a smaller factor"
