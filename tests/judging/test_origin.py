"""Minutes count from when the bad run began, never to a negative containment.

A held or lost delivery does its harm by writing nothing: a drift rule sees it and the
team contains it before the bad run's first write (which comes only when the held
events drain). Counted from that first write, containment read "-91 min"; the clock
starts at the fault's start instead, and the report says no bad write had come yet.
"""

from __future__ import annotations

from drills.api import run_drill
from drills.reports.model import PhaseName
from drills.runbook import Runbook
from drills.runbook.complete import complete_sections
from drills.scenarios.loader import load_scenario


def test_containment_before_the_first_write_counts_from_the_faults_start() -> None:
    scenario = load_scenario("card-payments-arrive-late")
    report = run_drill(scenario, Runbook.model_validate(complete_sections(scenario)),
                       costs=False)
    assert report.outcome.contained
    assert report.outcome.minutes_to_contain is not None
    assert 0 <= report.outcome.minutes_to_contain < 30
    assert report.containment_text().startswith("contained in ")
    assert all(p.minute is None or p.minute >= 0 for p in report.phases)
    started = next(p for p in report.phases if p.name == PhaseName.RUN_STARTED)
    assert started.at == scenario.starts + scenario.fault.starts
    assert "no bad write yet" in started.how


def test_a_bad_run_that_wrote_first_still_counts_from_its_first_write() -> None:
    scenario = load_scenario("invoice-triple-trigger")
    report = run_drill(scenario, Runbook.model_validate(complete_sections(scenario)),
                       costs=False)
    started = next(p for p in report.phases if p.name == PhaseName.RUN_STARTED)
    assert started.how == "first write of the bad run"
    assert started.minute == 0
