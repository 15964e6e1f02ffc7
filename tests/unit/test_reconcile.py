"""Reconcile: every pair of tables that should agree, with counts and mismatches."""

from __future__ import annotations

from drills.fakes import SqlStore
from drills.fakes.actors import Actor
from drills.levers.counts import reconcile
from drills.reports.model import Reconcile
from drills.scenarios.schema import Scenario

RUN = "run-1"


def pair(rows: list[Reconcile], left: str) -> Reconcile:
    (found,) = [r for r in rows if r.left == left]
    return found


def test_a_fresh_world_reconciles_clean(scenario: Scenario, world: SqlStore) -> None:
    rows = reconcile(world, scenario, RUN, {})
    assert rows
    assert all(r.mismatched == 0 for r in rows)
    invoices = pair(rows, "billing.invoices")
    assert invoices.right == "warehouse.billing_invoices"
    assert invoices.left_count == invoices.right_count == world.count("billing.invoices")


def test_a_changed_source_record_is_one_mismatch_with_its_copy(
    scenario: Scenario, world: SqlStore
) -> None:
    world.update("billing.invoices", {1: {"notes": "changed"}}, Actor.person("Ana"))
    assert pair(reconcile(world, scenario, RUN, {}), "billing.invoices").mismatched == 1


def test_a_record_without_its_copy_is_a_mismatch(scenario: Scenario, world: SqlStore) -> None:
    world.insert("billing.invoices", [{"notes": "new"}], Actor.person("Ana"))
    invoices = pair(reconcile(world, scenario, RUN, {}), "billing.invoices")
    assert invoices.left_count == invoices.right_count + 1
    assert invoices.mismatched == 1


def test_messages_the_run_sent_reconcile_with_the_records_it_handled(
    scenario: Scenario, world: SqlStore
) -> None:
    job = Actor.automation("job", RUN)
    world.insert("email.outbox", [{"status": "sent"}] * 3, job)
    rows = reconcile(world, scenario, RUN, {"email.outbox": 2})
    sent = pair(rows, "billing.invoices handled")
    assert (sent.left_count, sent.right_count, sent.mismatched) == (2, 3, 1)


def test_a_mismatch_names_its_records_and_fields(scenario: Scenario, world: SqlStore) -> None:
    world.update("billing.invoices", {k: {"notes": "changed"} for k in (9, 2, 5, 7)},
                 Actor.person("Ana"))
    invoices = pair(reconcile(world, scenario, RUN, {}), "billing.invoices")
    assert invoices.mismatched == 4
    assert invoices.examples == [2, 5, 7]
    assert invoices.fields == ["notes"]
    assert invoices.disagreement() == (
        "billing.invoices vs warehouse.billing_invoices: 4 records differ in notes, "
        "e.g. #2, #5, #7")


def test_a_record_without_its_copy_is_named_and_the_counts_shown(
    scenario: Scenario, world: SqlStore
) -> None:
    world.insert("billing.invoices", [{"notes": "new"}], Actor.person("Ana"))
    invoices = pair(reconcile(world, scenario, RUN, {}), "billing.invoices")
    (new,) = invoices.examples
    assert invoices.fields == []
    assert invoices.disagreement() == (
        f"billing.invoices vs warehouse.billing_invoices: {invoices.left_count:,} vs "
        f"{invoices.right_count:,} records; 1 record differs, e.g. #{new}")


def test_a_clean_pair_names_nothing(scenario: Scenario, world: SqlStore) -> None:
    for row in reconcile(world, scenario, RUN, {}):
        assert (row.examples, row.fields) == ([], [])
