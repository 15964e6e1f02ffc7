"""The bad run's bulk path does what the event-by-event path does, write for write.

Two levels: every built-in scenario's whole drill gives the same report JSON on both
paths (slow: thirty drills), and on small worlds the change log (row for row, in
sequence order), the records and the ground truth of a bare bad run are the same,
with a spy proving the bulk path really ran (a path that silently fell back to
events would pass the comparison and prove nothing).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import sqlalchemy as sa

from drills.api import run_drill
from drills.fakes import ManualClock, SqliteBackend, SqlStore
from drills.reports.jsonout import render_json
from drills.runbook.complete import complete_runbook
from drills.scenarios import badrun, bulkrun
from drills.scenarios.badrun import BadRun
from drills.scenarios.build import build_scenario_world
from drills.scenarios.loader import builtin_names, load_scenario
from drills.scenarios.schema import Scenario
from tests.scenarios.test_badrun import shrink

NAMES = builtin_names()

BULK_KINDS = ("blank_writes", "wrong_field_mapping", "status_flapping", "duplicate_records",
              "triple_trigger", "redelivery_storm", "over_broad_filter", "skipped_approval")
"""The kinds whose writes the plan decides."""

_RUN_FIELDS = re.compile(r'"(ran_at|wall_seconds)": [^,\n]*')


def _report(name: str, mode: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv(bulkrun.BULK_ENV, mode)
    scenario = load_scenario(name)
    text = render_json(run_drill(scenario, complete_runbook(scenario), costs=False))
    return _RUN_FIELDS.sub(r'"\1": "-"', text)  # when it ran and how long it took


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_every_builtin_gives_the_same_report_on_both_paths(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _report(name, "bulk", monkeypatch) == _report(name, "events", monkeypatch)


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Counts the batches the bulk path ran and those it handed back to the event path."""
    counts = {"bulk": 0, "events": 0}
    real = bulkrun.run_bulk

    def counted(*args: Any, **kwargs: Any) -> bulkrun.BulkOutcome | None:
        out = real(*args, **kwargs)
        counts["bulk" if out is not None else "events"] += 1
        return out

    monkeypatch.setattr(badrun, "run_bulk", counted)
    return counts


def _bare_run(scenario: Scenario, *, bulk: bool, healthy: bool = False) -> tuple[
        list[tuple[Any, ...]], dict[str, list[tuple[Any, ...]]], list[tuple[Any, ...]]]:
    """The change log in sequence order, every table's records, and the truth's entries."""
    store = SqlStore(SqliteBackend(None), ManualClock(scenario.starts))
    build_scenario_world(scenario, store)
    run = BadRun(scenario, store, healthy=healthy, bulk=bulk)
    run.run_all(per_batch=7)
    with store.engine.connect() as conn:
        cl = store.changelog
        log = [tuple(r) for r in conn.execute(sa.select(cl).order_by(cl.c.seq))]
        tables = {name: [tuple(r) for r in conn.execute(
                      sa.select(store.sa_table(name)).order_by(store.sa_table(name).c.id))]
                  for name in sorted(store.tables)}
    truth = [(d.table, d.key, d.field, d.kind, d.wrong, d.right, d.at, d.batch_id)
             for d in run.truth]
    store.close()
    return log, tables, truth


def _small(kind: str) -> Scenario:
    """A built-in of ``kind`` on a small world, one whose steps a template can say."""
    name = next(n for n in NAMES if (s := load_scenario(n)).fault.kind == kind
                and s.automation.callable is None
                and all(a.kind != "sync_field" for a in s.automation.does))
    return shrink(load_scenario(name), seed=11, records=80, reach=30)


@pytest.mark.parametrize("kind", BULK_KINDS)
def test_bulk_batches_write_the_same_log_records_and_truth(
    kind: str, spy: dict[str, int]
) -> None:
    scenario = _small(kind)
    bulk = _bare_run(scenario, bulk=True)
    assert spy["bulk"] > 0, "the bulk path never ran"
    events = _bare_run(scenario, bulk=False)
    assert bulk[0] == events[0]  # the change log, row for row
    assert bulk[1] == events[1]  # every record of every table
    assert bulk[2] == events[2]  # the ground truth, in the order it was recorded
    assert bulk[2], "the fault did no damage: the comparison proves nothing"


def test_the_healthy_twin_runs_in_bulk_whatever_the_fault(spy: dict[str, int]) -> None:
    name = next(n for n in NAMES if load_scenario(n).fault.kind == "dropped_deliveries")
    scenario = shrink(load_scenario(name), seed=5, records=80, reach=30)
    twin = _bare_run(scenario, bulk=True, healthy=True)
    assert spy["bulk"] > 0
    assert spy["events"] == 0
    assert twin == _bare_run(scenario, bulk=False, healthy=True)
    assert twin[2] == []  # a healthy run damages nothing


def test_what_the_template_cannot_say_goes_event_by_event(spy: dict[str, int]) -> None:
    # A fault that picks events by key (dropped deliveries) bends records differently.
    name = next(n for n in NAMES if load_scenario(n).fault.kind == "dropped_deliveries")
    scenario = shrink(load_scenario(name), seed=5, records=80, reach=30)
    assert _bare_run(scenario, bulk=True) == _bare_run(scenario, bulk=False)
    assert spy["bulk"] == 0
    assert spy["events"] > 0
