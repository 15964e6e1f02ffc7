"""A runbook step that calls the team's own pause code, run against the fake world."""

from __future__ import annotations

import pytest

from drills.api import run_drill
from drills.engine.hooks import HookContext, HookError, TeamCodeError
from drills.runbook import Runbook
from drills.scenarios.schema import Scenario


def with_call(runbook: Runbook, target: str) -> Runbook:
    data = runbook.model_dump(mode="json", by_alias=True, exclude_none=True)
    data["pause"] = [{"call": target, "takes": "1m"}]
    return Runbook.model_validate(data)


def pause_everything(ctx: HookContext) -> str:
    ctx.control.pause_job(ctx.control.job)
    for name in ctx.control.live_feeders:
        ctx.control.stop_feeder(name)
    return "paused the job and all feeders"


@pytest.mark.slow
def test_the_teams_pause_function_contains_the_run(
    example: Scenario, good_runbook: Runbook
) -> None:
    book = with_call(good_runbook, "ops.pause:everything")
    report = run_drill(example, book, costs=False, hooks={"ops.pause:everything": pause_everything})
    assert report.outcome.contained
    step = next(s for s in report.steps if s.section == "pause")
    assert step.minutes == 1
    assert step.outcome == "paused the job and all feeders; contained"
    assert report.outcome.records_left_wrong == 0


@pytest.mark.slow
def test_a_pause_function_that_forgets_the_queue_is_judged_by_the_world(
    example: Scenario, good_runbook: Runbook
) -> None:
    def job_only(ctx: HookContext) -> str:
        ctx.control.pause_job(ctx.control.job)
        return "all paused"  # it is not

    book = with_call(good_runbook, "ops.pause:job")
    report = run_drill(example, book, costs=False, hooks={"ops.pause:job": job_only})
    assert not report.outcome.contained
    codes = {f.code for f in report.findings}
    assert {"queue-left-running", "feeder-left-running", "never-contained"} <= codes


@pytest.mark.slow
def test_a_failing_pause_function_stops_the_drill(
    example: Scenario, good_runbook: Runbook
) -> None:
    # Once a finding; now the drill stops (tests/drills/test_team_code.py has the rest).
    def broken(ctx: HookContext) -> None:
        raise RuntimeError("API token expired")

    book = with_call(good_runbook, "ops.pause:broken")
    with pytest.raises(TeamCodeError, match="raised RuntimeError: API token expired at "):
        run_drill(example, book, costs=False, hooks={"ops.pause:broken": broken})


@pytest.mark.slow
def test_an_importable_callable_is_found_by_its_path(
    example: Scenario, good_runbook: Runbook
) -> None:
    book = with_call(good_runbook, "tests.drills.test_hooks:pause_everything")
    assert run_drill(example, book, costs=False).outcome.contained


def test_a_missing_callable_is_a_clear_error(example: Scenario, good_runbook: Runbook) -> None:
    book = with_call(good_runbook, "no_such_pkg.ops:pause")
    with pytest.raises(HookError, match=r"cannot import 'no_such_pkg\.ops'"):
        run_drill(example, book, costs=False)
