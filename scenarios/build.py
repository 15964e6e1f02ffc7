"""Build the world a scenario happens in: seeded records, warehouse copies and syncs.

Tables the automation only writes to (the outbox, the activity log, the table it
creates records in) exist from the start, empty, so every write the run makes has
somewhere to land and every system it touches can be scoped and exported.
"""

from __future__ import annotations

from dataclasses import dataclass

from drills.fakes.active import CATALOG, activate
from drills.fakes.store import SqlStore
from drills.fakes.syncs import FieldSync, Sync, SyncSchedule, TableCopy
from drills.fakes.world import World, WorldTemplate, build_world
from drills.scenarios.schema import Scenario

__all__ = ["ScenarioWorld", "build_scenario_world", "tables_written"]


def tables_written(scenario: Scenario) -> set[str]:
    """Every table the automation or the world's syncs may write to."""
    out: set[str] = {scenario.automation.trigger.table}
    if scenario.automation.callable is not None:
        # The team's code may write anywhere in its system, and may send email.
        out.update(t.qualname for t in CATALOG.system_tables(scenario.automation.source))
        out.add("email.outbox")
    for action in scenario.automation.does:
        spec = action.spec
        if action.kind == "send_email":
            out.add("email.outbox")
        elif action.kind == "log_activity":
            out.add(spec)
        elif action.kind == "create_record":
            out.add(spec.table)
        elif action.kind == "sync_field":
            out.add(spec.to.rsplit(".", 1)[0])
    for sync in scenario.world.syncs:
        out.add(sync.from_.rsplit(".", 1)[0])
        out.add(sync.to.rsplit(".", 1)[0])
    out.update(scenario.world.warehouse.copies)
    return out


@dataclass(frozen=True)
class ScenarioWorld:
    """The seeded world plus the healthy syncs that keep copying from it."""

    scenario: Scenario
    world: World
    syncs: SyncSchedule

    @property
    def store(self) -> SqlStore:
        return self.world.store


def build_scenario_world(
    scenario: Scenario,
    store: SqlStore,
    *,
    template: WorldTemplate | None = None,
    keep_template: bool = False,
) -> ScenarioWorld:
    """Seed ``store`` as the scenario says and prime its warehouse copies.

    ``template`` forks the seeded tables from a drill's kept world instead of seeding
    them; ``keep_template`` keeps this one for reruns (:func:`build_world`). The copies
    are primed from the seeded tables either way.
    """
    activate(scenario.catalog)
    counts = dict(scenario.world.counts)
    for table in sorted(tables_written(scenario)):
        counts.setdefault(table, 0)
    world = build_world(store, counts, seed=scenario.seed, start=scenario.starts,
                        template=template, keep_template=keep_template)
    syncs: list[Sync] = [
        TableCopy(source, scenario.world.warehouse.every)
        for source in scenario.world.warehouse.copies
    ]
    syncs.extend(
        FieldSync(spec.from_, spec.to, spec.key, spec.lag) for spec in scenario.world.syncs
    )
    schedule = SyncSchedule(syncs)
    schedule.prime(store)
    return ScenarioWorld(scenario, world, schedule)
