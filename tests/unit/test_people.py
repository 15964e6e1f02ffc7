"""People around a bad run: seeded edits, complaints on visible damage, shadow fixes."""

from __future__ import annotations

from datetime import timedelta

from drills.engine import Complaint, People
from drills.fakes import ManualClock, SqliteBackend, SqlStore
from drills.scenarios.build import build_scenario_world
from drills.scenarios.schema import Scenario
from drills.scenarios.truth import GroundTruth

RUN = "run-1"


def with_people(scenario: Scenario, **people: object) -> Scenario:
    return scenario.model_copy(update={"people": scenario.people.model_copy(update=people)})


def fresh_world(scenario: Scenario) -> SqlStore:
    store = SqlStore(SqliteBackend(None), ManualClock(scenario.starts))
    build_scenario_world(scenario, store)
    return store


def test_the_first_complaint_waits_for_its_threshold_of_visible_damage(
    scenario: Scenario, world: SqlStore
) -> None:
    spec = scenario.people.complaints
    assert spec is not None
    people = People(scenario, world, GroundTruth(RUN))
    now = scenario.starts
    assert people.complain_due(now, spec.first_after.count - 1) is None
    complaint = people.complain_due(now, spec.first_after.count)
    assert complaint == Complaint(now, spec.first_after.of, spec.first_after.count)
    assert people.complaints == [complaint]


def test_later_complaints_need_both_the_interval_and_more_damage(
    scenario: Scenario, world: SqlStore
) -> None:
    spec = scenario.people.complaints
    assert spec is not None
    people = People(scenario, world, GroundTruth(RUN))
    start, n = scenario.starts, spec.first_after.count
    assert people.complain_due(start, n) is not None
    assert people.complain_due(start + spec.every / 2, n + 5) is None  # too soon
    assert people.complain_due(start + spec.every, n) is None  # nothing new
    later = people.complain_due(start + spec.every, n + 5)
    assert later is not None
    assert later.damaged == n + 5


def test_no_complaints_spec_means_no_complaints(scenario: Scenario, world: SqlStore) -> None:
    people = People(with_people(scenario, complaints=None), world, GroundTruth(RUN))
    assert people.complain_due(scenario.starts, 10_000) is None


def test_the_same_seed_meets_the_same_people(scenario: Scenario) -> None:
    later = scenario.starts + timedelta(hours=2)
    runs = []
    for _ in range(2):
        store = fresh_world(scenario)
        runs.append(People(scenario, store, GroundTruth(RUN)).edit_due(later))
        store.close()
    assert runs[0] == runs[1]
    assert runs[0], "15 edits an hour make some edits in two hours"
    assert all(not e.shadow and e.at == later for e in runs[0])


def test_edits_change_the_fields_they_name(scenario: Scenario, world: SqlStore) -> None:
    edits = People(scenario, world, GroundTruth(RUN)).edit_due(scenario.starts + timedelta(hours=1))
    assert edits
    before = fresh_world(scenario)
    for e in edits:
        now, then = world.get(e.table, e.key), before.get(e.table, e.key)
        assert now is not None
        assert then is not None
        assert now[e.field] != then[e.field]
    before.close()


def test_nobody_edits_when_the_scenario_has_no_edits(scenario: Scenario, world: SqlStore) -> None:
    people = People(with_people(scenario, edits_per_hour=0), world, GroundTruth(RUN))
    assert people.edit_due(scenario.starts + timedelta(days=1)) == []


def test_no_shadow_fixes_before_detection_or_while_people_hear_news(
    scenario: Scenario, world: SqlStore
) -> None:
    spec = scenario.people.shadow_fixes
    assert spec is not None
    people = People(scenario, world, GroundTruth(RUN))
    detected = scenario.starts + timedelta(minutes=5)
    much_later = detected + spec.start_after_silence * 4
    assert people.shadow_fix_due(much_later, None, None) == []
    assert people.shadow_fix_due(much_later, detected, much_later) == []
    assert people.shadow_fix_due(detected + spec.start_after_silence / 2, detected, None) == []


def test_shadow_fixes_touch_only_damaged_records(scenario: Scenario, world: SqlStore) -> None:
    spec = scenario.people.shadow_fixes
    assert spec is not None
    detected = scenario.starts
    # Nothing is damaged: after the silence people would fix things, but find nothing.
    people = People(scenario, world, GroundTruth(RUN))
    assert people.shadow_fix_due(detected + spec.start_after_silence * 2, detected, None) == []
