"""Stop-rule metrics read while the bad run happens: from ground truth and the change log."""

from __future__ import annotations

from datetime import timedelta

import pytest

from drills.engine import MetricReader
from drills.fakes import SqlStore
from drills.fakes.actors import Actor
from drills.fakes.store import Value
from drills.scenarios.schema import Scenario
from drills.scenarios.truth import Damage, DamageKind, GroundTruth

RUN = "run-1"


def extra(table: str, key: int, at_minute: int, scenario: Scenario) -> Damage:
    return Damage(table, key, "*", DamageKind.EXTRA, None, None,
                  scenario.starts + timedelta(minutes=at_minute))


def value(key: int, wrong: Value, at_minute: int, scenario: Scenario) -> Damage:
    return Damage("billing.invoices", key, "notes", DamageKind.VALUE, wrong, "ok",
                  scenario.starts + timedelta(minutes=at_minute))


def test_duplicate_messages_count_extra_emails_only(scenario: Scenario, world: SqlStore) -> None:
    truth = GroundTruth(RUN)
    reader = MetricReader(world, truth, RUN)
    truth.record([extra("email.outbox", k, 1, scenario) for k in (1, 2, 3)])
    truth.record([extra("billing.invoices", 9, 1, scenario)])
    now = scenario.starts + timedelta(minutes=2)
    assert reader.read("duplicate_messages", now) == 3
    assert reader.read("duplicate_records", now) == 1


def test_a_window_counts_only_the_last_stretch(scenario: Scenario, world: SqlStore) -> None:
    truth = GroundTruth(RUN)
    reader = MetricReader(world, truth, RUN)
    truth.record([extra("email.outbox", k, k, scenario) for k in range(1, 11)])
    now = scenario.starts + timedelta(minutes=10)
    assert reader.read("duplicate_messages", now) == 10
    assert reader.read("duplicate_messages", now, timedelta(minutes=3)) == 3


def test_readings_follow_the_truth_as_it_grows(scenario: Scenario, world: SqlStore) -> None:
    truth = GroundTruth(RUN)
    reader = MetricReader(world, truth, RUN)
    now = scenario.starts + timedelta(hours=1)
    assert reader.read("blank_writes", now) == 0
    truth.record([value(1, "", 1, scenario), value(2, None, 2, scenario)])
    assert reader.read("blank_writes", now) == 2
    truth.record([value(3, "typo", 3, scenario)])
    assert reader.read("blank_writes", now) == 2
    assert reader.read("wrong_values", now) == 3


def test_complaints_are_counted_in_their_window(scenario: Scenario, world: SqlStore) -> None:
    reader = MetricReader(world, GroundTruth(RUN), RUN)
    reader.complaints += [scenario.starts + timedelta(minutes=m) for m in (1, 8, 9)]
    now = scenario.starts + timedelta(minutes=10)
    assert reader.read("complaints", now) == 3
    assert reader.read("complaints", now, timedelta(minutes=5)) == 2


def test_changed_records_count_the_runs_writes_once_per_record(
    scenario: Scenario, world: SqlStore
) -> None:
    reader = MetricReader(world, GroundTruth(RUN), RUN)
    job = Actor.automation("job", RUN)
    world.update("billing.invoices", {1: {"notes": "a"}, 2: {"notes": "b"}}, job)
    world.update("billing.invoices", {1: {"notes": "c"}}, job)
    world.update("billing.invoices", {3: {"notes": "by hand"}}, Actor.person("Ana"))
    assert reader.read("changed_records", scenario.starts + timedelta(minutes=1)) == 2


def test_status_flips_count_writes_beyond_the_first(scenario: Scenario, world: SqlStore) -> None:
    reader = MetricReader(world, GroundTruth(RUN), RUN)
    job = Actor.automation("job", RUN)
    for status in ("paid", "open", "paid"):
        world.update("billing.invoices", {1: {"status": status}}, job)
    world.update("billing.invoices", {2: {"status": "void"}}, job)
    assert reader.read("status_flips", scenario.starts + timedelta(minutes=1)) == 2


def test_an_unknown_metric_is_a_key_error(scenario: Scenario, world: SqlStore) -> None:
    with pytest.raises(KeyError):
        MetricReader(world, GroundTruth(RUN), RUN).read("vibes", scenario.starts)
