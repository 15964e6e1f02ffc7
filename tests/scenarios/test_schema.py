"""The scenario models: what a file may say, and the checks that span several parts of it."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta
from typing import Any, get_args

import pytest
from pydantic import ValidationError

from drills.scenarios.faults.over_broad_filter import OverBroadFilter
from drills.scenarios.faults.triple_trigger import TripleTrigger
from drills.scenarios.limits import MAX_RECORDS_PER_TABLE, MAX_REPEATS
from drills.scenarios.schema import (
    FAULT_KINDS,
    Fault,
    Reach,
    Scenario,
    SetField,
    Trigger,
)


def base() -> dict[str, Any]:
    """A small valid scenario, as the YAML loader would hand it over."""
    return {
        "name": "reminder-drill",
        "title": "Reminder rule fires three times",
        "summary": "One due-date edit sends three reminder emails.",
        "starts": "2026-03-02T09:10:00",
        "world": {
            "crm": {"contacts": 80},
            "billing": {"invoices": 120},
            "email": {},
            "warehouse": {"copies": ["billing.invoices"], "every": "5m"},
        },
        "automation": {
            "name": "invoice-reminder",
            "source": "billing",
            "trigger": {"on_change": "billing.invoices.due_date"},
            "feeders": [
                {"kind": "queue", "name": "email.outbox"},
                {"kind": "webhook", "name": "billing.invoice-updated"},
            ],
            "does": [
                {"send_email": {"template": "invoice-reminder",
                                "to": "billing.invoices.customer_email"}},
            ],
        },
        "fault": {"kind": "triple_trigger", "rate": "4/min", "reach": 12},
    }


def with_(changes: dict[str, Any]) -> dict[str, Any]:
    """``base()`` with dotted keys replaced, e.g. {'fault.rate': '2/min'}; None deletes."""
    data = base()
    for dotted, value in changes.items():
        *parents, last = dotted.split(".")
        node: Any = data
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        if value is None:
            del node[last]
        elif isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value
    return data


def messages(data: dict[str, Any]) -> list[tuple[tuple[str | int, ...], str]]:
    """(loc, message) of every validation error, pydantic's prefix removed."""
    with pytest.raises(ValidationError) as info:
        Scenario.model_validate(data)
    return [(e["loc"], e["msg"].removeprefix("Value error, ")) for e in info.value.errors()]


def issues(data: dict[str, Any]) -> list[tuple[tuple[str | int, ...], str]]:
    return Scenario.model_validate(data).cross_check()


# -- what a valid file gets --------------------------------------------------------------


def test_the_base_scenario_is_valid_with_its_defaults() -> None:
    scenario = Scenario.model_validate(base())
    assert scenario.cross_check() == []
    assert scenario.starts == datetime(2026, 3, 2, 9, 10)
    assert scenario.seed == 0
    assert scenario.runs_for == timedelta(hours=2)
    assert scenario.escalation_delay == timedelta(minutes=30)
    assert scenario.people.edits_per_hour == 0
    assert scenario.people.complaints is None
    assert isinstance(scenario.fault, TripleTrigger)
    assert scenario.fault.times == 3
    assert scenario.fault.starts == timedelta(0)
    assert scenario.fault.reach == Reach(count=12)
    assert scenario.world.counts == {"crm.contacts": 80, "billing.invoices": 120}
    assert scenario.world.total == 200
    assert scenario.automation.trigger.table == "billing.invoices"


def test_a_scenario_survives_a_round_trip_through_json() -> None:
    scenario = Scenario.model_validate(base())
    dumped = scenario.model_dump(mode="json", by_alias=True, exclude_none=True)
    assert Scenario.model_validate(dumped) == scenario


def test_the_fault_kinds_list_matches_the_fault_models() -> None:
    union = get_args(get_args(Fault)[0])
    kinds = tuple(get_args(model.model_fields["kind"].annotation)[0] for model in union)
    assert kinds == FAULT_KINDS


def test_models_are_frozen() -> None:
    scenario = Scenario.model_validate(base())
    with pytest.raises(ValidationError):
        scenario.name = "other"


# -- field-level errors ------------------------------------------------------------------


def test_unknown_keys_are_errors_at_every_level() -> None:
    data = with_({"fault.times_": 3, "world.crm.contactz": 5, "automation.feeders.0.every_": "5m"})
    assert sorted(loc for loc, _ in messages(data)) == sorted([
        ("automation", "feeders", 0, "every_"),
        ("world", "crm", "contactz"),
        ("fault", "triple_trigger", "times_"),
    ])


def test_an_unknown_fault_kind_is_a_tag_error() -> None:
    [(loc, message)] = messages(with_({"fault.kind": "tripple_trigger"}))
    assert loc == ("fault",)
    assert "'tripple_trigger'" in message


@pytest.mark.parametrize(
    ("changes", "loc", "message"),
    [
        ({"name": "Invoice Reminder"}, ("name",),
         "'Invoice Reminder' is not a valid name; use lower-case letters, digits, '.', '-' "
         "or '_', like 'invoice-reminder'"),
        ({"name": "invoice-reminder\n"}, ("name",),
         "'invoice-reminder\\n' is not a valid name; use lower-case letters, digits, '.', "
         "'-' or '_', like 'invoice-reminder'"),
        ({"automation.source": "bills"}, ("automation", "source"),
         "unknown system 'bills'; did you mean 'billing'?"),
        ({"automation.trigger": {"on_change": "billing.invoices.due_day"}},
         ("automation", "trigger", "on_change"),
         "table 'billing.invoices' has no field 'due_day'; did you mean 'due_date'?"),
        ({"world.warehouse.copies": ["billing.invoice"]}, ("world", "warehouse", "copies", 0),
         "system 'billing' has no table 'invoice'; did you mean 'invoices'?"),
        ({"automation.trigger": {"on_change": "billing.invoices.due_date", "schedule": "5m"}},
         ("automation", "trigger"),
         "a trigger needs exactly one of 'on_change', 'schedule' or 'webhook', "
         "not on_change and schedule"),
        ({"automation.trigger": {"schedule": "5m"}}, ("automation", "trigger"),
         "a schedule trigger needs 'on: system.table', the table it works through"),
        ({"fault.rate": "2000000/min"}, ("fault", "triple_trigger", "rate"),
         "rate 2000000/min is over the limit of 1,000,000/min; lower it (a real bad run is "
         "rarely above a few thousand a minute)"),
        ({"runs_for": "8d"}, ("runs_for",),
         "8d is over the limit of 7 days, the longest a drill runs; write a shorter time, "
         "like '2h'"),
        ({"fault.reach": "lots"}, ("fault", "triple_trigger", "reach"),
         "reach 'lots' is not a count (120), a percentage ('25%') or {where: ...}"),
        ({"fault.reach": {}}, ("fault", "triple_trigger", "reach"),
         "reach is exactly one of a count, a percentage, a where-filter or the keys of the "
         "records"),
        ({"automation.does": []}, ("automation", "does"),
         "an automation needs at least one step in 'does', or the team's own function in "
         "'callable'"),
        ({"automation.callable": "ops.reminders:send"}, ("automation", "does"),
         "give either 'does' steps or a 'callable', not both"),
        ({"automation.does": [{}]}, ("automation", "does", 0),
         "each step does exactly one thing; write one of send_email, log_activity, "
         "sync_field, set_field, advance_stage, create_record"),
    ],
)
def test_validators_say_what_is_wrong_and_how_to_fix_it(
    changes: dict[str, Any], loc: tuple[str | int, ...], message: str
) -> None:
    assert messages(with_(changes)) == [(loc, message)]


@pytest.mark.parametrize(
    ("changes", "loc", "kind"),
    [
        ({"world.crm.contacts": -1}, ("world", "crm", "contacts"), "greater_than_equal"),
        ({"world.crm.contacts": MAX_RECORDS_PER_TABLE + 1}, ("world", "crm", "contacts"),
         "less_than_equal"),
        ({"world.crm.contacts": "80"}, ("world", "crm", "contacts"), "int_type"),
        ({"world.crm.contacts": True}, ("world", "crm", "contacts"), "int_type"),
        ({"seed": 1.5}, ("seed",), "int_type"),
        ({"fault.times": 1}, ("fault", "triple_trigger", "times"), "greater_than_equal"),
        ({"fault.times": MAX_REPEATS + 1}, ("fault", "triple_trigger", "times"),
         "less_than_equal"),
        ({"fault.rate": None}, ("fault", "triple_trigger", "rate"), "missing"),
        ({"automation.touches": ["mony"]}, ("automation", "touches", 0), "literal_error"),
        ({"automation.feeders.0.kind": "queu"}, ("automation", "feeders", 0, "kind"),
         "literal_error"),
        ({"title": ""}, ("title",), "string_too_short"),
    ],
)
def test_strict_types_and_bounds(
    changes: dict[str, Any], loc: tuple[str | int, ...], kind: str
) -> None:
    with pytest.raises(ValidationError) as info:
        Scenario.model_validate(with_(changes))
    [error] = info.value.errors()
    assert (error["loc"], error["type"]) == (loc, kind)


def test_the_whole_world_has_a_limit_too() -> None:
    full = MAX_RECORDS_PER_TABLE
    data = with_({"world.crm": {"contacts": full, "deals": full},
                  "world.billing": {"invoices": full}})
    [(loc, message)] = messages(data)
    assert loc == ("world",)
    assert message == (
        "the world holds 15,000,000 records, over the limit of 10,000,000; lower the counts"
    )


# -- shorthands ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "reach"),
    [
        (120, Reach(count=120)),
        ("25%", Reach(percent=25.0)),
        (" 2.5 % ", Reach(percent=2.5)),
        ({"where": {"status": "open"}}, Reach(where={"status": "open"})),
        ({"count": 7}, Reach(count=7)),
    ],
)
def test_reach_is_a_count_a_percentage_or_a_filter(written: Any, reach: Reach) -> None:
    assert Scenario.model_validate(with_({"fault.reach": written})).fault.reach == reach


def test_complaint_thresholds_are_written_as_a_count_and_a_noun() -> None:
    data = with_({"people": {"complaints": {"first_after": "10 duplicate emails"}}})
    complaints = Scenario.model_validate(data).people.complaints
    assert complaints is not None
    assert (complaints.first_after.count, complaints.first_after.of) == (10, "duplicate emails")
    assert complaints.every == timedelta(minutes=10)
    data = with_({"people": {"complaints": {"first_after": 4}}})
    complaints = Scenario.model_validate(data).people.complaints
    assert complaints is not None
    assert (complaints.first_after.count, complaints.first_after.of) == (4, "damaged records")


def test_set_field_takes_a_value_or_another_field_not_both() -> None:
    assert SetField.model_validate({"field": "crm.deals.stage", "value": "won"}).value == "won"
    copied = SetField.model_validate({"field": "crm.deals.notes", "from": "crm.deals.title"})
    assert copied.from_ == "crm.deals.title"
    with pytest.raises(ValidationError, match="set_field needs exactly one of 'value' or 'from'"):
        SetField.model_validate({"field": "crm.deals.stage"})


def test_a_schedule_trigger_works_through_its_table() -> None:
    trigger = Trigger.model_validate({"schedule": "1h", "on": "crm.contacts"})
    assert trigger.table == "crm.contacts"
    assert trigger.schedule == timedelta(hours=1)


# -- checks across the file ------------------------------------------------------------------


def test_a_fault_via_a_feeder_the_automation_lacks() -> None:
    assert issues(with_({"fault.via": "email.outbx"})) == [
        (("fault", "via"),
         "the automation has no feeder 'email.outbx'; did you mean 'email.outbox'?"),
    ]
    assert issues(with_({"fault.via": "x", "automation.feeders": []})) == [
        (("fault", "via"), "the automation has no feeder 'x'; the automation lists no feeders"),
    ]


def test_the_trigger_table_needs_records_and_the_source_system() -> None:
    data = with_({"world.billing": None})
    assert issues(data) == [(
        ("automation", "trigger"),
        "the trigger's table 'billing.invoices' has no records in this world; "
        "add it under world.billing: invoices: N",
    )]
    data = with_({"automation.source": "crm"})
    assert issues(data) == [(
        ("automation", "source"),
        "the automation's source is 'crm' but its trigger works on 'billing.invoices'; "
        "make them the same system",
    )]


def test_feeder_names_are_unique_and_filters_name_real_fields() -> None:
    data = with_({
        "automation.feeders.1": {"kind": "queue", "name": "email.outbox"},
        "automation.where": {"stauts": "open"},
    })
    assert issues(data) == [
        (("automation", "where", "stauts"),
         "table 'billing.invoices' has no field 'stauts'; did you mean 'status'?"),
        (("automation", "feeders", 1, "name"),
         "feeder 'email.outbox' is listed twice; give each feeder its own name"),
    ]


def test_a_fault_that_starts_after_the_drill_ends() -> None:
    assert issues(with_({"fault.starts": "3h"})) == [
        (("fault", "starts"),
         "the fault starts after the drill ends; make it start before runs_for"),
    ]


def test_a_wrong_mapping_must_write_a_field_the_job_writes() -> None:
    data = with_({
        "automation.does": [{"set_field": {"field": "billing.invoices.status", "value": "open"}}],
        "fault": {"kind": "wrong_field_mapping", "writes": "billing.invoices.notes",
                  "into": "crm.contacts.notes", "rate": "1/min", "reach": 5},
    })
    assert issues(data) == [
        (("fault", "writes"), "the automation never writes 'billing.invoices.notes'; name a "
                              "field it writes: billing.invoices.status"),
        (("fault", "into"), "a wrong mapping writes into another field of the same table; "
                            "pick a field of 'billing.invoices'"),
    ]


def test_each_fault_kind_needs_what_it_breaks() -> None:
    fault = {"rate": "1/min", "reach": 5}
    assert issues(with_({"fault": {**fault, "kind": "blank_writes",
                                   "fields": ["crm.contacts.email"]}})) == [
        (("fault", "fields", 0), "blank writes hit the triggering table 'billing.invoices'; "
                                 "name one of its fields"),
    ]
    assert issues(with_({"fault": {**fault, "kind": "status_flapping",
                                   "field": "billing.invoices.status",
                                   "between": ["open", "paid"]}})) == [
        (("fault", "field"), "the automation never writes 'billing.invoices.status'; flapping "
                             "needs a status the job sets"),
    ]
    assert issues(with_({"fault": {**fault, "kind": "duplicate_records",
                                   "table": "billing.invoices"}})) == [
        (("fault", "table"), "the automation never creates records in 'billing.invoices'; "
                             "it creates: email.outbox"),
    ]
    assert issues(with_({"fault": {**fault, "kind": "skipped_approval"}})) == [
        (("fault", "kind"), "skipped_approval needs a send_email step with 'review: true'"),
    ]
    assert issues(with_({"fault": {**fault, "kind": "over_broad_filter",
                                   "reaches": {"stat": "void"}}})) == [
        (("fault", "kind"), "over_broad_filter needs the automation's 'where' filter"),
        (("fault", "reaches", "stat"),
         "table 'billing.invoices' has no field 'stat'; did you mean 'status'?"),
    ]


def test_an_over_broad_filter_with_a_where_is_consistent() -> None:
    data = with_({
        "automation.where": {"status": "open"},
        "fault": {"kind": "over_broad_filter", "reaches": {"status": "void"},
                  "rate": "1/min", "reach": {"where": {"status": "void"}}},
    })
    scenario = Scenario.model_validate(data)
    assert isinstance(scenario.fault, OverBroadFilter)
    assert scenario.cross_check() == []


def test_steps_must_work_on_the_triggering_table() -> None:
    data = copy.deepcopy(base())
    data["automation"]["does"] = [
        {"send_email": {"template": "x", "to": "crm.contacts.email"}},
        {"sync_field": {"from": "crm.contacts.status", "to": "billing.invoices.customer_status",
                        "key": "contact"}},
        {"create_record": {"table": "billing.activity", "copy": {"invoice": "id"},
                           "values": {"kind": "note"}}},
    ]
    data["world"]["syncs"] = [{"from": "crm.contacts.email",
                               "to": "billing.invoices.customer_email", "key": "customer"}]
    found = issues(data)
    assert found == [
        (("automation", "does", 0, "send_email", "to"),
         "the address must be a field of 'billing.invoices', the triggering table"),
        (("automation", "does", 1, "sync_field", "from"),
         "sync from a field of 'billing.invoices', the triggering table"),
        (("automation", "does", 1, "sync_field", "key"),
         "table 'billing.invoices' has no field 'contact'; choose one of: amount_cents, "
         "billing_terms, currency, customer_email, customer_id, customer_name, "
         "customer_status, due_date, id, issued_on, notes, status"),
        (("automation", "does", 2, "create_record", "copy", "invoice"),
         "table 'billing.activity' has no field 'invoice'; did you mean 'invoice_id'?"),
        (("world", "syncs", 0, "key"),
         "table 'billing.invoices' has no field 'customer'; did you mean 'customer_id'?"),
    ]
