"""The team's code fails as the team's code: one TeamCodeError naming it and its own line.

A module ``teamops`` is written to a temporary folder on the import path; its functions
raise, exit, hang or read the clock. A runbook's ``call:`` step and a scenario's
``automation.callable`` name them, and the drills run through the real API.
"""

from __future__ import annotations

import calendar
import pickle
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from drills.api import run_drill
from drills.engine.hooks import HookContext
from drills.runbook import Runbook
from drills.scenarios.schema import Scenario
from drills.teamcode import (
    CALL_TIMEOUT_ENV,
    DEFAULT_CALL_TIMEOUT,
    CallTimeoutError,
    TeamCodeError,
    call_team,
    call_timeout,
    parse_call_timeout,
    using_call_timeout,
)
from tests.drills.test_hooks import with_call
from tests.review.test_trust import calling_scenario

TEAMOPS = '''\
import sys
import time
from datetime import datetime


def boom(ctx):
    raise ValueError("boom")  # line 7


def leave(ctx):
    sys.exit(3)  # line 11


def hang(ctx):
    while True:
        time.sleep(0.01)  # line 16


def now(ctx):
    ctx.control.pause_job(ctx.control.job)
    for name in ctx.control.live_feeders:
        ctx.control.stop_feeder(name)
    return f"at {datetime.now().isoformat()}, {time.time():.0f}"


def send(client, event):
    _helper(client, event)


def _helper(client, event):
    client.update("billing.invoices", event.key, no_such_field=1)  # line 31
'''

BROKEN_ON_IMPORT = '''\
SETTINGS = {}
TOKEN = SETTINGS["token"]  # line 2


def pause(ctx):
    pass
'''


@pytest.fixture
def teamops(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """``teamops.py`` and ``broken_ops.py`` on the import path; the path of the first."""
    path = tmp_path / "teamops.py"
    path.write_text(TEAMOPS, encoding="utf-8")
    (tmp_path / "broken_ops.py").write_text(BROKEN_ON_IMPORT, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delenv(CALL_TIMEOUT_ENV, raising=False)
    yield path
    sys.modules.pop("teamops", None)
    sys.modules.pop("broken_ops", None)


def drill_calling(example: Scenario, runbook: Runbook, target: str) -> TeamCodeError:
    with pytest.raises(TeamCodeError) as caught:
        run_drill(example, with_call(runbook, target), costs=False)
    return caught.value


def test_a_pause_script_that_raises_is_one_line_naming_it_and_its_line(
    teamops: Path, example: Scenario, good_runbook: Runbook
) -> None:
    err = drill_calling(example, good_runbook, "teamops:boom")
    message = str(err)
    assert message.startswith("runbook step 'call: teamops:boom' raised ValueError: boom at ")
    assert f"{teamops}:7;" in message
    assert "fix the team's code there" in message
    assert "\n" not in message
    assert err.where == f"{teamops}:7"
    assert err.__cause__ is None
    assert err.__suppress_context__ or err.__context__ is None


def test_a_pause_script_that_exits_is_named_with_its_exit_code(
    teamops: Path, example: Scenario, good_runbook: Runbook
) -> None:
    err = drill_calling(example, good_runbook, "teamops:leave")
    assert str(err).startswith(
        f"runbook step 'call: teamops:leave' called sys.exit(3) at {teamops}:11; return "
    )


def test_a_hung_pause_script_is_given_up_after_the_call_timeout(
    teamops: Path, example: Scenario, good_runbook: Runbook
) -> None:
    started = time.monotonic()
    with using_call_timeout(0.5):
        err = drill_calling(example, good_runbook, "teamops:hang")
    assert time.monotonic() - started < 5
    assert str(err).startswith(
        f"runbook step 'call: teamops:hang' did not return within 0.5 s (it was at "
        f"{teamops}:16); make it return sooner, or allow each call longer with "
        "--call-timeout SECONDS or DRILLS_CALL_TIMEOUT=SECONDS"
    )


def test_the_team_code_still_reads_drill_time(
    teamops: Path, example: Scenario, good_runbook: Runbook
) -> None:
    # Both clocks freezegun holds: datetime.now(), and time.time() (given real time when
    # a frame close above the caller is on freezegun's ignore list, as threading is).
    report = run_drill(example, with_call(good_runbook, "teamops:now"), costs=False)
    step = next(s for s in report.steps if s.section == "pause")
    epoch = calendar.timegm(step.finished.timetuple())
    assert step.outcome.startswith(f"at {step.finished.isoformat()}, {epoch};")


def test_a_module_that_fails_on_import_is_the_teams_code_failing(
    teamops: Path, example: Scenario, good_runbook: Runbook
) -> None:
    err = drill_calling(example, good_runbook, "broken_ops:pause")
    assert str(err).startswith("runbook step 'call: broken_ops:pause': importing 'broken_ops' "
                               f"raised KeyError: 'token' at {teamops.parent / 'broken_ops.py'}:2;")


def test_a_pause_function_passed_in_fails_the_same_way(
    example: Scenario, good_runbook: Runbook
) -> None:
    def broken(ctx: HookContext) -> None:
        raise RuntimeError("API token expired")

    book = with_call(good_runbook, "ops.pause:broken")
    with pytest.raises(TeamCodeError, match=r"^runbook step 'call: ops\.pause:broken' raised "
                       r"RuntimeError: API token expired at .*test_team_code\.py:\d+;"):
        run_drill(example, book, costs=False, hooks={"ops.pause:broken": broken})


def test_an_automation_function_that_fails_names_the_teams_line_not_the_engines(
    teamops: Path,
) -> None:
    with pytest.raises(TeamCodeError) as caught:
        run_drill(calling_scenario("teamops:send"), None, costs=False)
    message = str(caught.value)
    assert message.startswith("automation.callable 'teamops:send' raised ")
    assert f" at {teamops}:31;" in message
    assert "no_such_field" in message


def test_the_error_crosses_a_process_boundary_intact() -> None:
    err = TeamCodeError("x raised ValueError: boom at ops.py:3; fix", label="x",
                        happened="raised ValueError: boom", where="ops.py:3")
    back = pickle.loads(pickle.dumps(err))
    assert (str(back), back.label, back.happened, back.where) == (
        str(err), "x", "raised ValueError: boom", "ops.py:3")


# -- the timeout itself ----------------------------------------------------------------


def test_call_team_returns_what_the_function_returns() -> None:
    assert call_team("test", lambda a, b: a + b, 2, 3) == 5


def test_the_timeout_comes_from_the_block_then_the_environment_then_the_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(CALL_TIMEOUT_ENV, raising=False)
    assert call_timeout() == DEFAULT_CALL_TIMEOUT == 10
    monkeypatch.setenv(CALL_TIMEOUT_ENV, "2.5")
    assert call_timeout() == 2.5
    with using_call_timeout(7):
        assert call_timeout() == 7
    assert call_timeout() == 2.5
    monkeypatch.setenv(CALL_TIMEOUT_ENV, "soon")
    with pytest.raises(CallTimeoutError, match=r"^DRILLS_CALL_TIMEOUT='soon' is not a finite "
                       r"number of seconds above 0; .* e\.g\. DRILLS_CALL_TIMEOUT=30$"):
        call_timeout()


@pytest.mark.parametrize("text", ["0", "-1", "abc", "", "nan", "inf"])
def test_a_timeout_that_is_not_seconds_above_zero_is_refused(text: str) -> None:
    with pytest.raises(CallTimeoutError, match=r"^--call-timeout '.*' is not a finite number "
                       r"of seconds above 0; .* e\.g\. --call-timeout 30$"):
        parse_call_timeout(text)


def test_a_timeout_may_be_a_fraction_of_a_second() -> None:
    assert parse_call_timeout("0.25") == 0.25
