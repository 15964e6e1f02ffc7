"""Stop-rule metrics read while the bad run happens: from the change log and the tables only.

A stop rule is something the person on duty checks, so no metric may read the drill's
ground truth: every value here is made by writing to the world the way the run does.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path

import pytest

import drills.engine.metrics as metrics_module
from drills.engine import MetricReader
from drills.fakes import SqlStore
from drills.fakes.actors import Actor
from drills.fakes.store import Value
from drills.scenarios.schema import Scenario

RUN = "run-1"
JOB = Actor.automation("invoice-reminder", RUN)


def send(world: SqlStore, *rows: Mapping[str, Value], actor: Actor = JOB) -> None:
    world.insert("email.outbox", [
        {"template": "invoice-reminder", "reviewed": 0, "status": "sent",
         "created_at": "2026-03-02T09:10:00", **row} for row in rows
    ], actor)


def mail(to: str, related: str, **more: Value) -> dict[str, Value]:
    return {"to_address": to, "related": related, **more}


def test_metrics_read_no_ground_truth() -> None:
    source = Path(metrics_module.__file__).read_text(encoding="utf-8")
    imported = {
        alias.name
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    assert "GroundTruth" not in imported
    assert "drills.scenarios.truth" not in source


def test_duplicates_are_messages_that_look_the_same(scenario: Scenario, world: SqlStore) -> None:
    reader = MetricReader(world, RUN)
    send(world, *[mail("ana@example.com", "billing.invoices#1")] * 3,
         mail("ana@example.com", "billing.invoices#2"),
         mail("bo@example.com", "billing.invoices#1"))
    send(world, mail("ana@example.com", "billing.invoices#1"), actor=Actor.person("Ana"))
    now = scenario.starts + timedelta(minutes=1)
    assert reader.read("duplicate_messages", now) == 2
    assert reader.read("messages_sent", now) == 5


def test_duplicate_records_ignore_time_stamps(scenario: Scenario, world: SqlStore) -> None:
    reader = MetricReader(world, RUN)
    entry: dict[str, Value] = {"invoice_id": 7, "kind": "reminder_sent", "message": "ran",
                               "actor": "job"}
    world.insert("billing.activity", [{**entry, "at": "2026-03-02T09:10:00"},
                                      {**entry, "at": "2026-03-02T09:10:01"},
                                      {**entry, "invoice_id": 8}], JOB)
    assert reader.read("duplicate_records", scenario.starts + timedelta(minutes=1)) == 1


def test_a_window_counts_only_the_last_stretch(scenario: Scenario, world: SqlStore) -> None:
    reader = MetricReader(world, RUN)
    for minute in range(1, 11):
        world.clock.set(scenario.starts + timedelta(minutes=minute))  # type: ignore[attr-defined]
        send(world, mail(f"c{minute}@example.com", f"billing.invoices#{minute}"))
    now = scenario.starts + timedelta(minutes=10)
    assert reader.read("messages_sent", now) == 10
    assert reader.read("messages_sent", now, timedelta(minutes=3)) == 3


def test_blank_writes_are_emptied_values_in_the_change_log(
    scenario: Scenario, world: SqlStore
) -> None:
    reader = MetricReader(world, RUN)
    now = scenario.starts + timedelta(hours=1)
    assert reader.read("blank_writes", now) == 0
    world.update("billing.invoices", {1: {"notes": ""}, 2: {"notes": None}}, JOB)
    assert reader.read("blank_writes", now) == 2
    world.update("billing.invoices", {3: {"notes": "typo"}}, JOB)
    world.update("billing.invoices", {1: {"notes": None}}, JOB)  # blank over blank: no news
    world.update("billing.invoices", {4: {"notes": ""}}, Actor.person("Ana"))
    assert reader.read("blank_writes", now) == 2


def test_misshapen_writes_do_not_fit_their_field(scenario: Scenario, world: SqlStore) -> None:
    reader = MetricReader(world, RUN)
    world.update("billing.invoices", {
        1: {"billing_terms": "active"},          # a contact status in a terms field
        2: {"customer_email": "Barry Bishop"},   # a name where an address goes
        3: {"due_date": "net30"},                # terms where a date goes
        4: {"billing_terms": "net60", "customer_email": "x@y.org", "due_date": "2026-04-01",
            "notes": "2026-04-01"},              # all fit (notes take any text)
    }, JOB)
    assert reader.read("misshapen_writes", scenario.starts + timedelta(minutes=1)) == 3


def test_bounces_are_messages_to_no_real_address(scenario: Scenario, world: SqlStore) -> None:
    reader = MetricReader(world, RUN)
    send(world, mail("", "billing.invoices#1"), mail("Barry Bishop", "billing.invoices#2"),
         mail("ok@example.com", "billing.invoices#3"))
    assert reader.read("bounced_emails", scenario.starts + timedelta(minutes=1)) == 2


def test_unreviewed_messages_count_only_templates_that_need_review(
    scenario: Scenario, world: SqlStore
) -> None:
    reader = MetricReader(world, RUN, review={"renewal-notice"})
    send(world, *[mail("a@example.com", "shop.orders#1", template="renewal-notice")] * 2,
         mail("b@example.com", "shop.orders#2", template="renewal-notice", status="held"),
         mail("c@example.com", "shop.orders#3", template="renewal-notice", reviewed=1),
         mail("d@example.com", "billing.invoices#4"))
    now = scenario.starts + timedelta(minutes=1)
    assert reader.read("messages_without_review", now) == 2
    assert reader.read("approvals_skipped", now) == 1
    assert reader.read("messages_sent", now) == 4


def test_complaints_are_counted_in_their_window(scenario: Scenario, world: SqlStore) -> None:
    reader = MetricReader(world, RUN)
    reader.complaints += [scenario.starts + timedelta(minutes=m) for m in (1, 8, 9)]
    now = scenario.starts + timedelta(minutes=10)
    assert reader.read("complaints", now) == 3
    assert reader.read("complaints", now, timedelta(minutes=5)) == 2


def test_changed_records_count_the_runs_writes_once_per_record(
    scenario: Scenario, world: SqlStore
) -> None:
    reader = MetricReader(world, RUN)
    world.update("billing.invoices", {1: {"notes": "a"}, 2: {"notes": "b"}}, JOB)
    world.update("billing.invoices", {1: {"notes": "c"}}, JOB)
    world.update("billing.invoices", {3: {"notes": "by hand"}}, Actor.person("Ana"))
    assert reader.read("changed_records", scenario.starts + timedelta(minutes=1)) == 2


def test_status_flips_count_writes_beyond_the_first(scenario: Scenario, world: SqlStore) -> None:
    reader = MetricReader(world, RUN)
    for status in ("paid", "open", "paid"):
        world.update("billing.invoices", {1: {"status": status}}, JOB)
    world.update("billing.invoices", {2: {"status": "void"}}, JOB)
    assert reader.read("status_flips", scenario.starts + timedelta(minutes=1)) == 2


def test_an_unknown_metric_is_a_key_error(scenario: Scenario, world: SqlStore) -> None:
    with pytest.raises(KeyError):
        MetricReader(world, RUN).read("vibes", scenario.starts)
