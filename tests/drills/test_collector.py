"""The cyclic collector waits while a scripted drill runs, and is as it was afterwards."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest

from drills.engine.collector import collector_paused
from drills.responders.scripted import Drill
from drills.runbook import Runbook
from drills.scenarios.schema import Scenario


@pytest.fixture
def collector_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


class _Watch:
    """Notes whether the collector was on at each drill event."""

    def __init__(self) -> None:
        self.seen: set[bool] = set()

    def on_event(self, kind: str, at: datetime, data: dict[str, Any]) -> None:
        self.seen.add(gc.isenabled())


@pytest.mark.slow
@pytest.mark.usefixtures("collector_on")
def test_a_scripted_drill_runs_without_the_collector_and_restores_it(
    example: Scenario, good_runbook: Runbook
) -> None:
    watch = _Watch()
    result = Drill(example, good_runbook, handlers=[watch]).run()
    assert result.log  # the drill ran and its handler saw events
    assert watch.seen == {False}
    assert gc.isenabled()


@pytest.mark.usefixtures("collector_on")
def test_the_pause_nests_and_survives_an_error() -> None:
    def failing_step() -> None:
        with collector_paused():
            with collector_paused():
                assert not gc.isenabled()
            assert not gc.isenabled()  # the inner block does not turn it back on early
            raise RuntimeError("a step failed")

    with pytest.raises(RuntimeError, match="a step failed"):
        failing_step()
    assert gc.isenabled()


def test_a_collector_the_caller_turned_off_stays_off() -> None:
    was = gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # not switched on by a pause that did not switch it off
    finally:
        if was:
            gc.enable()
