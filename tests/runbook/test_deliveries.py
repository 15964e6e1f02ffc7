"""The runbook's ``deliveries`` section: what it may say, what it refuses in one line,
what ``drills init`` scaffolds for a job fed by webhooks or queues, and what each step
does to the job and its feeders in a real drill world."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from drills.responders.scripted import Drill
from drills.runbook import Deliveries, Runbook
from drills.runbook.complete import complete_sections, delivery_sections
from drills.runbook.scaffold import InitOptions, build_scaffold
from drills.scenarios.loader import load_scenario
from drills.scenarios.schema import Scenario

OWNER = {"name": "Dana Whitfield", "can_pause": True}


def runbook(deliveries: Any) -> Runbook:
    return Runbook.model_validate({"automation": "order-paid-handler", "owner": OWNER,
                                   "deliveries": deliveries})


def test_every_step_loads_and_says_which_guards_it_turns_on() -> None:
    rb = runbook({"dedupe": "event_id", "latest_per_record": True,
                  "hold": ["payments.order-paid"],
                  "retry": [{"feeder": "payments.order-paid", "every": "10m", "for": "24h"}]})
    spec = rb.deliveries
    assert spec is not None
    assert spec.guards == {"dedupe", "latest_per_record"}
    assert spec.retry[0].every == timedelta(minutes=10)
    assert spec.retry[0].for_ == timedelta(hours=24)
    assert Deliveries.model_validate({"hold": ["x.y"]}).guards == frozenset()
    dumped = rb.model_dump(mode="json", by_alias=True, exclude_none=True)["deliveries"]
    assert dumped["retry"] == [{"feeder": "payments.order-paid", "every": "10m", "for": "1d"}]


@pytest.mark.parametrize(("section", "says"), [
    ({}, "names no step"),
    ({"dedupe": "email"}, "event_id"),
    ({"latest_per_record": "yes"}, "valid boolean"),
    ({"retry": [{"feeder": "payments.order-paid", "every": "0m", "for": "1h"}]}, "positive"),
    ({"retry": [{"feeder": "payments.order-paid", "every": "5m", "for": "90d"}]}, "days at most"),
    ({"hold": ["Not A Slug"]}, ""),
    ({"dedupe": "event_id", "hold_feeder": "x"}, "xtra"),
])
def test_what_cannot_be_meant_is_refused(section: dict[str, Any], says: str) -> None:
    with pytest.raises(ValidationError) as err:
        runbook(section)
    assert says in str(err.value)


def test_a_feeder_held_twice_is_a_cross_check_with_its_path() -> None:
    rb = runbook({"hold": ["payments.order-paid", "payments.order-paid"]})
    assert rb.cross_check() == [(("deliveries", "hold", 1),
                                 "'payments.order-paid' is listed twice; keep one")]


def test_a_bad_section_in_a_file_is_one_line_with_its_line_and_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "job.runbook.yaml"
    path.write_text("automation: order-paid-handler\nowner: {name: Dana Whitfield}\n"
                    "deliveries:\n  dedupe: email_address\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "drills", "validate", str(path)],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 2, done.stdout + done.stderr
    lines = [ln for ln in (done.stdout + done.stderr).splitlines() if "job.runbook.yaml:4" in ln]
    assert len(lines) == 1, done.stdout + done.stderr
    assert "dedupe" in lines[0]
    assert "event_id" in lines[0]


def test_a_held_feeder_counts_as_shut_off_on_paper() -> None:
    from drills.runbook import lint_runbook

    data = {"automation": "order-paid-handler", "owner": OWNER,
            "pause": [{"pause_job": "order-paid-handler"}]}
    codes = {f.code for f in lint_runbook(Runbook.model_validate(data))}
    assert "pause-job-only" in codes
    held = Runbook.model_validate({**data, "deliveries": {"hold": ["payments.order-paid"]}})
    assert "pause-job-only" not in {f.code for f in lint_runbook(held)}


def test_the_complete_runbook_carries_the_guard_that_answers_each_delivery_fault() -> None:
    assert delivery_sections(load_scenario("order-paid-webhook-redelivered")) == {
        "dedupe": "event_id", "hold": ["payments.order-paid"]}
    assert delivery_sections(load_scenario("dispatch-events-out-of-order")) == {
        "latest_per_record": True, "hold": ["warehouse.scan-event"]}
    assert delivery_sections(load_scenario("crm-conversions-lost-in-outage")) == {
        "hold": ["billing.first-invoice-paid"]}
    assert delivery_sections(load_scenario("invoice-triple-trigger")) is None


def test_init_scaffolds_the_steps_for_a_job_fed_by_a_webhook() -> None:
    made = build_scaffold(InitOptions(name="order-sync", owner="Dana Whitfield",
                                      table="shop.orders"))
    data = yaml.safe_load(made.runbook_text)
    webhook = next(f.name for f in made.scenario.automation.feeders if f.kind == "webhook")
    assert data["deliveries"] == {
        "dedupe": "event_id", "hold": [webhook],
        "retry": [{"feeder": webhook, "every": "10m", "for": "24h"}]}
    assert list(data).index("deliveries") == list(data).index("pause") + 1
    assert made.runbook.deliveries is not None


def test_init_for_a_reorder_adds_latest_per_record() -> None:
    made = build_scaffold(InitOptions(name="order-sync", owner="Dana Whitfield",
                                      table="shop.orders", fault="reordered_deliveries"))
    spec = made.runbook.deliveries
    assert spec is not None
    assert spec.guards == {"dedupe", "latest_per_record"}


def test_init_leaves_the_section_out_for_a_job_only_a_schedule_feeds() -> None:
    from drills.scenarios.schema import Feeder

    made = build_scaffold(InitOptions(
        name="order-sync", owner="Dana Whitfield", table="shop.orders",
        feeders=(Feeder(kind="schedule", name="order-sync.nightly", every=timedelta(hours=24)),)))
    assert made.runbook.deliveries is None
    assert "deliveries" not in yaml.safe_load(made.runbook_text)


# -- what the steps do in the drill world -------------------------------------------------


def short_retries(scenario: Scenario, every: str, span: str) -> Scenario:
    data = scenario.model_dump(by_alias=True, mode="json", exclude_none=True)
    for feeder in data["automation"]["feeders"]:
        if feeder["name"] == data["fault"]["via"]:
            feeder["retry"] = {"every": every, "for": span}
    return Scenario.model_validate(data)


@pytest.mark.slow
def test_a_held_webhook_gives_up_nothing_a_disabled_one_loses_to_its_senders_retries() -> None:
    """A sender that retries for 20 minutes gives up on what the job refused longer than
    that; held, the same events wait and are drained after the fix."""
    scenario = short_retries(load_scenario("order-paid-webhook-redelivered"), "5m", "20m")
    via = scenario.fault.via
    assert via is not None
    accounts = {}
    for hold in (False, True):
        sections = complete_sections(scenario)
        sections["deliveries"] = {"dedupe": "event_id", **({"hold": [via]} if hold else {})}
        result = Drill(scenario, Runbook.model_validate(sections)).run()
        accounts[hold] = result.runtime.feeders[via].account
        # The pause step that switches the feeder off holds it: no step of its own.
        shut = [s for s in result.steps if s.target == via]
        assert [s.action for s in shut] == ["disable_feeder"]
        assert shut[0].outcome.startswith("held: ") is hold
    assert accounts[False]["gave_up"] > 0
    assert accounts[True]["gave_up"] == 0
    assert accounts[True]["held"] > 0
    assert accounts[True]["delivered"] == accounts[True]["held"]


@pytest.mark.slow
def test_a_retry_policy_set_for_the_incident_keeps_the_sender_trying() -> None:
    scenario = short_retries(load_scenario("order-paid-webhook-redelivered"), "5m", "20m")
    via = scenario.fault.via
    assert via is not None
    sections = complete_sections(scenario)
    sections["deliveries"] = {"dedupe": "event_id",
                              "retry": [{"feeder": via, "every": "5m", "for": "24h"}]}
    result = Drill(scenario, Runbook.model_validate(sections)).run()
    account = result.runtime.feeders[via].account
    assert account["gave_up"] == 0
    assert account["retried"] > 0
    steps = [s for s in result.steps if s.action == "set_retry"]
    assert steps[0].outcome == "its sender retries every 5m for 1d"


@pytest.mark.slow
def test_a_step_naming_no_such_feeder_fails_in_the_log() -> None:
    scenario = load_scenario("order-paid-webhook-redelivered")
    sections = complete_sections(scenario)
    sections["deliveries"] = {"hold": ["payments.order-paied"]}
    result = Drill(scenario, Runbook.model_validate(sections)).run()
    failed = [o for o in result.outcomes if o.action == "hold_feeder"]
    assert [o.ok for o in failed] == [False]
    assert "no feeder named 'payments.order-paied'" in failed[0].detail
