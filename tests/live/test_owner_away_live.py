"""A live drill with the owner away: said at the start, and the pause is refused with one
line until escalation reaches someone who may - unless the runbook names such a backup."""

from __future__ import annotations

from datetime import timedelta

import pytest

from drills.engine.loop import Drill
from drills.responders.live.responder import ActionResult, JournaledAction, LiveResponder
from drills.runbook import Runbook, load_runbook
from drills.scenarios.loader import load_scenario
from drills.scenarios.schema import Scenario
from tests.live.test_responder import RUNBOOK

pytestmark = pytest.mark.slow


def _away() -> Scenario:
    scenario = load_scenario("invoice-triple-trigger")
    people = scenario.people.model_copy(update={"owner": "away"})
    return scenario.model_copy(update={"people": people, "runs_for": timedelta(minutes=50)})


def _tries(runbook: Runbook) -> tuple[list[ActionResult], list[str]]:
    scenario = _away()
    at = [scenario.starts + timedelta(minutes=m) for m in (5, 45, 46)]
    results: list[ActionResult] = []
    responder = LiveResponder(
        scenario, runbook, team=("alice",), on_result=results.append,
        replay=[JournaledAction(at[0], "alice", "pause"),
                JournaledAction(at[1], "alice", "pause"),
                JournaledAction(at[2], "alice", "end yes")],
    )
    result = Drill(scenario, runbook, responder=responder).run()
    return results, [e.what for e in result.log if e.who == "drill"]


def test_without_a_backup_who_may_pause_the_pause_waits_for_escalation() -> None:
    data = load_runbook(RUNBOOK).model_dump(mode="json", by_alias=True, exclude_none=True)
    data["backup_owner"]["can_pause"] = False
    results, said = _tries(Runbook.model_validate(data))
    first, second = results[0], results[1]
    assert not first.ok
    assert "the owner is away and nobody here may pause yet" in first.message
    assert "\n" not in first.message
    assert second.ok
    assert any("is away today and no backup may pause" in s for s in said)


def test_a_backup_who_may_pause_pauses_at_once() -> None:
    data = load_runbook(RUNBOOK).model_dump(mode="json", by_alias=True, exclude_none=True)
    data["backup_owner"]["can_pause"] = True
    results, said = _tries(Runbook.model_validate(data))
    assert results[0].ok
    assert any("(backup) may pause" in s for s in said)
