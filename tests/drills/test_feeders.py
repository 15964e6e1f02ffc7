"""Feeders behave as real ones do: held, retried or lost, never silently dropped.

The shared example (its outgoing queue and chained job hold their work while off) and
a variant whose bad run arrives through a webhook (``tests/data/scenarios/feeders``),
run with the shared example's good runbook and with one gap opened.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from drills.engine.loop import DrillResult
from drills.judging.endstate import evaluate
from drills.responders.scripted import Drill
from drills.runbook import Runbook
from drills.scenarios.loader import load_scenario
from drills.scenarios.schema import Feeder, Scenario

pytestmark = pytest.mark.slow

TEN_MINUTES_AND_A_TICK = timedelta(minutes=11)
"""The retry interval, plus the engine's one-minute tick in which a delivery lands."""

WEBHOOK = Path(__file__).resolve().parents[1] / "data" / "scenarios" / "feeders" / (
    "invoice-webhook.scenario.yaml")


def edited(runbook: Runbook, *, drop: str | None = None, **sections: Any) -> Runbook:
    """``runbook`` leaving ``drop`` running, with ``sections`` replaced.

    The pause step naming ``drop`` becomes a second pause of the job taking as long, so
    every later step starts when it did and only the feeder left running differs.
    """
    data = runbook.model_dump(mode="json", by_alias=True, exclude_none=True)
    data["pause"] = [s if drop not in s.values() else
                     {"pause_job": runbook.automation, "takes": s["takes"]}
                     for s in data["pause"]]
    data.update(sections)
    return Runbook.model_validate(data)


def run(scenario: Scenario, runbook: Runbook) -> tuple[DrillResult, int]:
    result = Drill(scenario, runbook).run()
    return result, evaluate(result).records_damaged


def webhook_scenario(**webhook: Any) -> Scenario:
    scenario = load_scenario(WEBHOOK)
    feeders = [f if f.kind != "webhook" else Feeder.model_validate(
        {**f.model_dump(by_alias=True, exclude_none=True),
         **({"retry": None} if webhook else {}), **webhook})
        for f in scenario.automation.feeders]
    auto = scenario.automation.model_copy(update={"feeders": feeders})
    return scenario.model_copy(update={"automation": auto})


def webhook_runbook(good_runbook: Runbook) -> Runbook:
    """The good runbook for the variant, which has no chained job."""
    return edited(good_runbook, drop="activity-logger")


def test_leaving_the_queue_running_damages_more(example: Scenario, good_runbook: Runbook) -> None:
    good, good_damage = run(example, good_runbook)
    _, left_damage = run(example, edited(good_runbook, drop="email.outbox"))
    assert left_damage > good_damage
    assert good.feeder_accounts["email.outbox"]["held"] > 0


def test_leaving_the_webhook_running_damages_more(good_runbook: Runbook) -> None:
    scenario = webhook_scenario()
    rb = webhook_runbook(good_runbook)
    _, good_damage = run(scenario, rb)
    left, left_damage = run(scenario, edited(rb, drop="billing.invoice-updated"))
    assert left_damage > good_damage
    assert left.feeder_accounts["billing.invoice-updated"]["retried"] == 0


def test_a_stopped_queue_delivers_its_messages_at_restart(
    example: Scenario, good_runbook: Runbook
) -> None:
    fixed, fixed_damage = run(example, good_runbook)
    unfixed_rb = edited(good_runbook, restart={"ramp": [1, 10, "normal"], "watch": "10m"})
    unfixed, unfixed_damage = run(example, unfixed_rb)
    for result in (fixed, unfixed):
        account = result.feeder_accounts["email.outbox"]
        assert account["held"] > 0
        assert account["delivered"] == account["held"]
        assert account["still_held"] == 0
    assert unfixed_damage > fixed_damage
    said = {e.what for e in fixed.log if e.who == "email.outbox"}
    assert any("held messages done (fixed)" in s for s in said)
    said = {e.what for e in unfixed.log if e.who == "email.outbox"}
    assert any("as the fault made them" in s for s in said)


def test_a_disabled_webhooks_deliveries_arrive_on_the_retry_schedule(
    good_runbook: Runbook,
) -> None:
    result, _ = run(webhook_scenario(), webhook_runbook(good_runbook))
    account = result.feeder_accounts["billing.invoice-updated"]
    assert account["retried"] > 0
    assert account["delivered"] == account["retried"]
    assert account["lost"] == account["gave_up"] == 0
    restart = result.runtime.restarted_at
    assert restart is not None
    landed = [e.at for e in result.log
              if e.who == "billing.invoice-updated" and "retried deliveries arrived" in e.what]
    # Every refused delivery is tried again every 10m: none lands before the restart,
    # and every one has had its next try within 10 minutes of it.
    assert landed
    assert all(restart < at <= restart + TEN_MINUTES_AND_A_TICK for at in landed)


def test_a_webhook_that_gives_up_loses_what_it_retried(good_runbook: Runbook) -> None:
    short = webhook_scenario(retry={"every": "10m", "for": "30m"})
    result, _ = run(short, webhook_runbook(good_runbook))
    account = result.feeder_accounts["billing.invoice-updated"]
    assert account["gave_up"] > 0
    assert account["delivered"] + account["gave_up"] == account["retried"]


def test_on_disable_lose_loses_them_and_says_so(good_runbook: Runbook) -> None:
    rb = webhook_runbook(good_runbook)
    result, _ = run(webhook_scenario(on_disable="lose"), rb)
    account = result.feeder_accounts["billing.invoice-updated"]
    assert account["lost"] > 0
    assert account["retried"] == account["delivered"] == 0
    summary = [e.what for e in result.log if e.who == "billing.invoice-updated"]
    assert any(f"{account['lost']} lost by declaration" in s for s in summary)
    assert any("lost (on_disable: lose)" in s for s in summary)


def test_a_paused_job_keeps_the_events_that_reach_it(
    example: Scenario, good_runbook: Runbook
) -> None:
    result, _ = run(example, good_runbook)
    job = result.feeder_accounts["invoice-reminder"]
    assert job["waited"] > 0


@pytest.mark.parametrize(("feeder", "message"), [
    ({"kind": "queue", "name": "q", "on_disable": "retry"}, "only a webhook's sender retries"),
    ({"kind": "webhook", "name": "w", "on_disable": "hold"}, "it does not hold"),
    ({"kind": "queue", "name": "q", "retry": {"every": "10m", "for": "1h"}},
     "'retry' is a webhook sender's schedule"),
    ({"kind": "webhook", "name": "w", "while_paused": "sleeps"}, "'runs' or 'waits'"),
])
def test_feeder_keys_are_checked(feeder: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Feeder.model_validate(feeder)


def test_defaults_by_kind() -> None:
    webhook = Feeder.model_validate({"kind": "webhook", "name": "w"})
    queue = Feeder.model_validate({"kind": "queue", "name": "q"})
    assert webhook.runs_while_paused
    assert webhook.when_disabled == "retry"
    assert not queue.runs_while_paused
    assert queue.when_disabled == "hold"
    assert [str(x) for x in webhook.retries] == ["0:30:00", "4:00:00"]
