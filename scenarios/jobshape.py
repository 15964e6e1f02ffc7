"""The shape of a scenario's job as its team knows it: what it writes, which records it
takes, which messages wait for a person's review.

The team wrote the job, so all of this is theirs to know without any view of the damage:
stop-rule metrics (:mod:`drills.engine.metrics`) and the team's review of a bad run
(:mod:`drills.levers.review`) compare the run's writes with it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from drills.scenarios.schema import Scenario

__all__ = ["JobShape", "job_shape", "review_templates"]


def review_templates(scenario: Scenario) -> frozenset[str]:
    """The templates the job sends only after a person's review (``review: true``).

    The team's own configuration, so theirs to know: a message of one of these that
    shows as sent and not reviewed skipped its approval.
    """
    return frozenset(
        a.spec.template for a in scenario.automation.does
        if a.kind == "send_email" and a.spec.review
    )


@dataclass(frozen=True)
class JobShape:
    """What the team's own job writes when it works: the fields it sets, and the records
    its filter takes. The team wrote the job, so this is theirs to know, and a write
    outside it is one the job never makes healthily."""

    table: str
    """The table whose records trigger the job."""
    where: Mapping[str, str]
    """The job's filter on those records, values as the change log spells them."""
    writes: frozenset[tuple[str, str]]
    """(table, field) pairs the job updates."""


def job_shape(scenario: Scenario) -> JobShape | None:
    """The shape of the scenario's job from its steps; None for the team's own function."""
    auto = scenario.automation
    if auto.callable is not None:
        return None
    writes: set[tuple[str, str]] = set()
    for action in auto.does:
        spec = action.spec
        if action.kind == "sync_field":
            writes.add(tuple(spec.to.rsplit(".", 1)))
        elif action.kind in ("set_field", "advance_stage"):
            writes.add(tuple(spec.field.rsplit(".", 1)))
    return JobShape(auto.trigger.table, {k: str(v) for k, v in auto.where.items()},
                    frozenset(writes))
