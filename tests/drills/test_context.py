"""The public drill context: a responder of one's own, typed against DrillContext only."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import pytest

import drills
from drills.engine import DrillContext, Responder, StepOutcome
from drills.engine.handlers import DrillEvent
from drills.engine.loop import Drill as EngineDrill
from drills.reports.model import StepRecord
from drills.responders.scripted import Drill, ScriptedResponder
from drills.runbook import Runbook, StopRule
from drills.scenarios.schema import Scenario


class PauseAtOnce:
    """Pauses the job and every feeder the moment the bad run is detected."""

    def __init__(self, rules: Sequence[StopRule]) -> None:
        self.acted_at: datetime | None = None
        self.steps: list[StepRecord] = []
        self.outcomes: list[StepOutcome] = []
        self.notes: list[datetime] = []
        self.context: DrillContext | None = None
        self.seen: list[tuple[datetime, str]] = []
        self.rules = list(rules)
        self._finished = False

    def bind(self, context: DrillContext) -> None:
        self.context = context

    def stop_rules(self) -> Sequence[StopRule]:
        return self.rules

    def detected(self, at: datetime) -> None:
        ctx = self.context
        assert ctx is not None
        assert ctx.detection is not None
        self.seen.append((ctx.now(), ctx.detection.how))
        ctx.runtime.pause_job(ctx.scenario.automation.name, at)
        for name in list(ctx.runtime.feeders):
            ctx.runtime.stop_feeder(name, at)
        self.acted_at = at
        ctx.note(at, "bot", "paused everything")
        ctx.emit(DrillEvent.NOTE, at, first=True)
        self.notes.append(at)
        self._finished = True

    def advance(self, now: datetime) -> None:
        return None

    def next_time(self) -> datetime | None:
        return None

    @property
    def busy(self) -> bool:
        return False

    @property
    def done(self) -> bool:
        return self._finished


def test_a_responder_of_ones_own_acts_through_the_context(
    example: Scenario, good_runbook: Runbook
) -> None:
    bot = PauseAtOnce(good_runbook.checkable_rules)
    responder: Responder = bot
    result = EngineDrill(example, good_runbook, responder=responder).run()
    assert result.detection is not None
    assert bot.seen == [(result.detection.at, result.detection.how)]
    assert result.runtime.contained
    assert any(e.who == "bot" and e.what == "paused everything" for e in result.log)
    assert bot.context is not None
    assert bot.context.store is result.store


def test_the_engine_drill_has_no_responder_of_its_own(
    example: Scenario, good_runbook: Runbook
) -> None:
    with pytest.raises(ValueError, match="the drill engine needs a responder"):
        EngineDrill(example, good_runbook)


def test_drills_drill_follows_the_runbook_by_default(
    example: Scenario, good_runbook: Runbook
) -> None:
    assert drills.Drill is Drill
    assert issubclass(Drill, EngineDrill)
    drill = Drill(example, good_runbook)
    assert isinstance(drill.responder, ScriptedResponder)
