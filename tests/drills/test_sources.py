"""Right values come only from what the team has: validity tests for the repair's sources.

Each test runs a real drill (or real SQL on a real store) and reads the outcome against
the ground truth: a runbook without a source for a system's values must leave those
records wrong, one with the source must leave none, whatever the runbook's wording.
"""

from __future__ import annotations

import copy
from datetime import datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from drills.fakes import ManualClock, PostgresBackend, SqliteBackend, SqlStore
from drills.fakes.active import CATALOG
from drills.fakes.actors import Actor
from drills.fakes.backends.base import Backend
from drills.fakes.history import History
from drills.judging.endstate import Evaluation, evaluate
from drills.judging.report import build_report
from drills.levers.repair import CORRECTION
from drills.levers.sources import (
    RepairSources,
    Source,
    export_taken_at,
    fill_right_values,
)
from drills.responders.scripted import Drill
from drills.runbook import Runbook
from drills.runbook.complete import complete_sections
from drills.scenarios.loader import load_scenario
from drills.scenarios.schema import Scenario

T0 = datetime(2026, 3, 1, 9, 0)


def _scenario(name: str, **world: Any) -> Scenario:
    scenario = load_scenario(name)
    if not world:
        return scenario
    data = scenario.model_dump(by_alias=True, mode="json", exclude_none=True)
    data["world"].update(world)
    return Scenario.model_validate(data)


def _drill(scenario: Scenario, sections: dict[str, Any],
           backend: Backend | None = None) -> tuple[Evaluation, Any]:
    result = Drill(scenario, Runbook.model_validate(sections), backend=backend).run()
    return evaluate(result), result


def _without(sections: dict[str, Any], *keys: str) -> dict[str, Any]:
    out = copy.deepcopy(sections)
    for key in keys:
        out.pop(key, None)
    return out


# -- whole drills -----------------------------------------------------------------------


@pytest.mark.slow
def test_no_export_leaves_values_wrong_where_the_system_keeps_no_history() -> None:
    """CRM contacts keep no history of email or phone: only an export holds them."""
    scenario = _scenario("crm-blank-emails")
    full = complete_sections(scenario)
    with_export, _ = _drill(scenario, full)
    bare, result = _drill(scenario, _without(full, "snapshot", "last_clean_export"))
    assert with_export.records_left_wrong == 0
    assert len(bare.left_wrong.get("crm.contacts", set())) > 100
    report = build_report(result, [], bare)
    assert report.outcome.no_source.get("crm.contacts", 0) > 100


@pytest.mark.slow
def test_field_history_is_a_source_where_the_world_declares_it() -> None:
    """The same drill, in a CRM that tracks email and phone: no export needed."""
    scenario = _scenario("crm-blank-emails", history={
        "crm.contacts": {"fields": ["email", "phone"], "keep": "30d"},
    })
    full = complete_sections(scenario)
    bare, _ = _drill(scenario, _without(full, "snapshot", "last_clean_export"))
    assert bare.records_left_wrong == 0


@pytest.mark.slow
def test_a_snapshot_is_no_baseline() -> None:
    """A snapshot taken during the incident holds damaged values: no export, still wrong."""
    scenario = _scenario("crm-blank-emails")
    ev, _ = _drill(scenario, _without(complete_sections(scenario), "last_clean_export"))
    assert len(ev.left_wrong.get("crm.contacts", set())) > 100


@pytest.mark.slow
def test_a_value_written_to_the_wrong_field_comes_back_only_from_a_rerun() -> None:
    """The renewal date never reached its field: no history or export holds it; the fixed
    job does, once the cause is known."""
    scenario = _scenario("renewal-date-into-order-notes")
    full = complete_sections(scenario)
    fixed, _ = _drill(scenario, full)
    no_cause = copy.deepcopy(full)
    no_cause["restart"].pop("cause")
    blind, _ = _drill(scenario, no_cause)
    assert fixed.records_left_wrong == 0
    assert len(blind.left_wrong.get("shop.orders", set())) > 10
    only_export = copy.deepcopy(full)
    only_export["repair"]["from"] = ["export"]
    stale, _ = _drill(scenario, only_export)
    assert len(stale.left_wrong.get("shop.orders", set())) > 10


@pytest.mark.slow
def test_sent_is_sent() -> None:
    """Notices sent without review are never marked unsent; each gets a correction."""
    scenario = _scenario("renewal-notices-without-review")
    ev, result = _drill(scenario, complete_sections(scenario))
    assert ev.records_left_wrong == 0
    assert ev.sent_wrongly > 0
    store = result.store
    out = store.sa_table(CATALOG.messages_table())
    with store.engine.connect() as conn:
        damaged = sorted({d.key for d in result.run.truth if d.table == CATALOG.messages_table()})
        cl = store.changelog
        unsent = conn.execute(sa.select(cl.c.record_key, cl.c.field, cl.c.new_value).where(
            cl.c.actor_kind == "repair", cl.c.table_name == CATALOG.messages_table(),
            cl.c.op == "update",
        )).all()
        corrections = conn.scalars(
            sa.select(out.c.related).where(out.c.related.like(f"{CORRECTION}%"))
        ).all()
    assert unsent == []  # the repair sent nothing back to "held" and cleared no sent_at
    assert {int(r.removeprefix(CORRECTION)) for r in corrections} == set(damaged)
    report = build_report(result, [], ev)
    assert report.outcome.messages_sent_wrongly == ev.sent_wrongly


@pytest.mark.postgres
@pytest.mark.slow
def test_sources_on_postgresql(pg_url: str) -> None:
    scenario = _scenario("renewal-date-into-order-notes")
    full = complete_sections(scenario)
    for sections, wrong in ((full, False),
                            (_without(full, "snapshot", "last_clean_export"), True)):
        backend = PostgresBackend(pg_url)
        try:
            ev, _ = _drill(scenario, sections, backend)
        finally:
            backend.dispose()
        assert (ev.records_left_wrong > 0) is wrong


# -- the sources on a hand-made change log -----------------------------------------------


def _store(backend: Backend) -> SqlStore:
    store = SqlStore(backend, ManualClock(T0))
    store.add_tables([CATALOG.table("shop.orders")])
    store.bulk_load("shop.orders", ("id", "note", "status"),
                    [(1, "leave at no. 12", "delivered"), (2, "ring twice", "delivered")])
    return store


def _damage(store: SqlStore, rows: list[tuple[int, str]]) -> sa.Table:
    t = store.work_table(
        "_drills_test_damage",
        sa.Column("table_name", sa.Text, primary_key=True),
        sa.Column("field", sa.Text, primary_key=True),
        sa.Column("record_key", sa.Integer, primary_key=True),
        sa.Column("wrong_value", sa.Text),
        sa.Column("right_value", sa.Text),
        sa.Column("source", sa.Text),
    )
    with store.begin() as conn:
        conn.execute(t.delete())
        conn.execute(t.insert(), [
            {"table_name": "shop.orders", "field": f, "record_key": k} for k, f in rows
        ])
    return t


def _filled(store: SqlStore, damage: sa.Table) -> dict[tuple[int, str], tuple[Any, Any]]:
    with store.engine.connect() as conn:
        return {(r.record_key, r.field): (r.right_value, r.source)
                for r in conn.execute(sa.select(damage))}


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> Any:
    if request.param == "sqlite":
        yield SqliteBackend(None)
        return
    pg_url = request.getfixturevalue("pg_url")
    made = PostgresBackend(pg_url)
    yield made
    made.dispose()


def test_an_export_holds_the_value_from_when_it_was_taken(backend: Backend) -> None:
    """A person's change after the export comes back stale; a record made later is absent."""
    store = _store(backend)
    clock = store.clock
    assert isinstance(clock, ManualClock)
    run = Actor.automation("planner", "run-1")
    clock.set(T0 + timedelta(minutes=5))
    store.update("shop.orders", {2: {"note": "ring twice, then call"}}, Actor.person("Ana"))
    clock.set(T0 + timedelta(minutes=10))
    [new] = store.insert("shop.orders", [{"note": "fragile", "status": "delivered"}],
                         Actor.person("Ben"))
    clock.set(T0 + timedelta(minutes=20))
    store.update("shop.orders", {1: {"note": "2026-06-01"}, 2: {"note": "2026-06-02"},
                                 new: {"note": "2026-06-03"}}, run)
    damage = _damage(store, [(1, "note"), (2, "note"), (new, "note")])
    export = RepairSources(export_at=T0)
    fill_right_values(store, damage, "run-1", export, T0 + timedelta(hours=1), None)
    assert _filled(store, damage) == {
        (1, "note"): ("leave at no. 12", "export"),
        (2, "note"): ("ring twice", "export"),  # stale: Ana's change came after
        (new, "note"): (None, None),  # not in an export taken before it existed
    }
    history = RepairSources(history={"shop.orders": History(frozenset({"note"}),
                                                            timedelta(days=1))})
    damage = _damage(store, [(1, "note"), (2, "note"), (new, "note")])
    fill_right_values(store, damage, "run-1", history, T0 + timedelta(hours=1), None)
    assert _filled(store, damage) == {
        (1, "note"): ("leave at no. 12", "history"),
        (2, "note"): ("ring twice, then call", "history"),
        (new, "note"): ("fragile", "history"),
    }
    store.close()


def test_history_forgets_what_it_no_longer_keeps(backend: Backend) -> None:
    store = _store(backend)
    assert isinstance(store.clock, ManualClock)
    store.clock.set(T0 + timedelta(minutes=1))
    store.update("shop.orders", {1: {"status": "cancelled"}}, Actor.automation("j", "run-1"))
    damage = _damage(store, [(1, "status"), (1, "note")])
    kept = {"shop.orders": History(frozenset({"status"}), timedelta(hours=2))}
    fill_right_values(store, damage, "run-1", RepairSources(history=kept),
                      T0 + timedelta(hours=1), None)
    assert _filled(store, damage) == {(1, "status"): ("delivered", "history"),
                                      (1, "note"): (None, None)}  # note is not tracked
    damage = _damage(store, [(1, "status")])
    fill_right_values(store, damage, "run-1", RepairSources(history=kept),
                      T0 + timedelta(hours=3), None)
    assert _filled(store, damage) == {(1, "status"): (None, None)}
    damage = _damage(store, [(1, "status")])
    fill_right_values(store, damage, "run-1",
                      RepairSources(history=kept, allowed=(Source.EXPORT,)),
                      T0 + timedelta(hours=1), None)
    assert _filled(store, damage) == {(1, "status"): (None, None)}  # the runbook chose
    store.close()


@pytest.mark.parametrize(("start", "every", "taken"), [
    (datetime(2026, 3, 2, 9, 10), timedelta(days=1), datetime(2026, 3, 2)),
    (datetime(2026, 3, 2, 9, 10), timedelta(days=7), datetime(2026, 2, 24)),
    (datetime(2026, 3, 2, 9, 10), timedelta(hours=1), datetime(2026, 3, 2, 9)),
    (datetime(2026, 3, 2, 9, 10), timedelta(hours=4), datetime(2026, 3, 2, 8)),
])
def test_the_export_is_as_old_as_its_schedule_makes_it(
    start: datetime, every: timedelta, taken: datetime
) -> None:
    assert export_taken_at(start, every) == taken


def test_a_repair_from_an_export_the_runbook_does_not_have_is_one_line(tmp_path: Any) -> None:
    import subprocess
    import sys

    import yaml

    sections = complete_sections(load_scenario("renewal-date-into-order-notes"))
    sections.pop("last_clean_export")
    sections["repair"]["from"] = ["history", "export"]
    path = tmp_path / "planner.runbook.yaml"
    path.write_text(yaml.safe_dump(sections, sort_keys=False), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "drills", "run", "renewal-date-into-order-notes",
         "--runbook", str(path), "--out", str(tmp_path / "out")],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert f"{path}:" in lines[0]
    assert "last_clean_export" in lines[0]
    assert not (tmp_path / "out").exists()
