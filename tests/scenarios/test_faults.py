"""Each fault bends a healthy plan the way its story says, and only that way."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from drills.fakes import CATALOG, SqlStore
from drills.fakes.automations import Insert, PlanContext, Record, Update, Write
from drills.scenarios.faults import FAULT_KINDS, FAULTS, injector_for
from drills.scenarios.faults.blank_writes import BlankWritesInjector
from drills.scenarios.faults.duplicate_records import DuplicateRecordsInjector
from drills.scenarios.faults.over_broad_filter import OverBroadFilterInjector
from drills.scenarios.faults.skipped_approval import SkippedApprovalInjector
from drills.scenarios.faults.status_flapping import StatusFlappingInjector
from drills.scenarios.faults.triple_trigger import TripleTriggerInjector
from drills.scenarios.faults.wrong_field_mapping import WrongFieldMappingInjector

NOW = datetime(2026, 3, 2, 9, 0)
RECORD: Record = {"id": 7, "status": "processing", "customer_email": "a@example.com"}
EMAIL = Insert("email.outbox", {"to_address": "a@example.com", "status": "held", "sent_at": None})
SHIP = Update("shop.orders", 7, "status", "shipped")


@pytest.fixture
def ctx(store: SqlStore) -> PlanContext:
    """A plan context on the shared ``store`` fixture: SQLite, then PostgreSQL."""
    assert store.clock.now() == NOW
    return PlanContext(store, NOW, "job", "shop.orders")


def test_wrong_field_mapping_moves_the_write(ctx: PlanContext) -> None:
    f = WrongFieldMappingInjector("shop.orders.status", "shop.orders.note")
    assert f.bend(RECORD, [SHIP, EMAIL], ctx) == [
        Update("shop.orders", 7, "note", "shipped"),
        EMAIL,
    ]


def test_triple_trigger_repeats_the_whole_plan(ctx: PlanContext) -> None:
    assert TripleTriggerInjector(3).bend(RECORD, [SHIP, EMAIL], ctx) == [SHIP, EMAIL] * 3


def test_blank_writes_add_blanks_to_the_triggering_record(ctx: PlanContext) -> None:
    f = BlankWritesInjector(("shop.orders.customer_email",), None)
    assert f.bend(RECORD, [SHIP], ctx) == [
        SHIP,
        Update("shop.orders", 7, "customer_email", None),
    ]


def test_status_flapping_ends_on_the_wrong_value_with_a_plan_per_flip(
    ctx: PlanContext,
) -> None:
    f = StatusFlappingInjector("shop.orders.status", ("processing", "shipped"), flips=2)
    bent = f.bend(RECORD, [SHIP, EMAIL], ctx)
    statuses = [w.value for w in bent if isinstance(w, Update)]
    assert statuses == ["shipped", "processing", "shipped", "processing"]
    assert sum(isinstance(w, Insert) for w in bent) == 4


def test_status_flapping_leaves_plans_without_the_status_alone(ctx: PlanContext) -> None:
    f = StatusFlappingInjector("shop.orders.status", ("processing", "shipped"))
    assert f.bend(RECORD, [EMAIL], ctx) == [EMAIL]


def test_duplicate_records_copy_only_the_named_table(ctx: PlanContext) -> None:
    invoice = Insert("billing.invoices", {"amount_cents": 100})
    f = DuplicateRecordsInjector("billing.invoices", copies=2)
    assert f.bend(RECORD, [invoice, EMAIL], ctx) == [invoice, invoice, EMAIL]


def test_skipped_approval_sends_held_messages(ctx: PlanContext) -> None:
    bent = SkippedApprovalInjector().bend(RECORD, [EMAIL], ctx)
    assert isinstance(bent[0], Insert)
    assert bent[0].row["status"] == "sent"
    assert bent[0].row["sent_at"] == "2026-03-02T09:00:00.000000"


def test_over_broad_filter_widens_targets_not_plans(ctx: PlanContext) -> None:
    f = OverBroadFilterInjector({"status": "churned"})
    plan: list[Write] = [EMAIL]
    assert f.ignores_filter
    assert f.bend(RECORD, plan, ctx) == plan


def test_every_schema_fault_has_an_injector() -> None:
    base = {"rate": "1/min", "reach": 5}
    specs: dict[str, dict[str, Any]] = {
        "wrong_field_mapping": {"writes": "shop.orders.status", "into": "shop.orders.note"},
        "triple_trigger": {},
        "blank_writes": {"fields": ["shop.orders.note"]},
        "status_flapping": {"field": "shop.orders.status", "between": ["a", "b"]},
        "duplicate_records": {"table": "shop.orders"},
        "skipped_approval": {},
        "over_broad_filter": {"reaches": {"status": "cancelled"}},
        "redelivery_storm": {"deliveries": 3},
        "reordered_deliveries": {"field": "shop.orders.status", "older": "processing"},
        "dropped_deliveries": {"lost": "20%"},
        "delayed_deliveries": {"held_for": "45m"},
        "partial_failure": {"target": "email.outbox", "failing": "30%"},
    }
    assert set(specs) == set(FAULT_KINDS)
    for kind, extra in specs.items():
        fault = FAULTS[kind].spec.model_validate({"kind": kind, **base, **extra})
        assert injector_for(fault, "shop.orders").kind == kind
    assert CATALOG.table("shop.orders")
