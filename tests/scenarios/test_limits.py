"""Every documented scenario limit, through the real loader: one line, the limit, the fix.

``docs/limits.md`` lists each limit; each has a case here that goes one past it in a
copy of the minimal scenario and asserts the exact line a person would read.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from drills.scenarios.limits import (
    MAX_DRILL_LENGTH,
    MAX_ITEMS,
    MAX_NAME_LENGTH,
    MAX_PEOPLE_EDITS,
    MAX_PEOPLE_PER_HOUR,
    MAX_RATE_PER_MINUTE,
    MAX_RECORDS_PER_TABLE,
    MAX_REPEATS,
    MAX_RUN_WRITES,
    MAX_TEXT_LENGTH,
    MAX_TOTAL_RECORDS,
    MIN_INTERVAL,
)
from drills.scenarios.loader import load_scenario, validate_scenario_file
from tests.conftest import edited_copy

MINIMAL = Path(__file__).parents[1] / "data" / "scenarios" / "good" / "minimal.yaml"
FEEDER = "    - {kind: webhook, name: billing.invoice-updated}"
HOOKS = "\n".join(f"    - {{kind: webhook, name: hook-{i}}}" for i in range(MAX_ITEMS + 1))

LIMITS = [
    pytest.param(
        [("contacts: 80", f"contacts: {MAX_RECORDS_PER_TABLE + 1}")],
        "7:19: must be at most 5,000,000, got 5,000,001 (world.crm.contacts); lower it",
        id="records per table"),
    pytest.param(
        [("crm: {contacts: 80}", "crm: {contacts: 5000000, deals: 5000000}\n  shop: {orders: 1}")],
        f"6:1: the world holds {MAX_TOTAL_RECORDS + 121:,} records, over the limit of "
        "10,000,000 (world); lower the counts",
        id="records in the world"),
    pytest.param(
        [("rate: 4/min", f"rate: {MAX_RATE_PER_MINUTE + 1}/min")],
        "24:9: rate 1000001/min is over the limit of 1,000,000/min (fault.rate); lower it "
        "(a real bad run is rarely above a few thousand a minute)",
        id="fault rate"),
    pytest.param(
        [("reach: 12", "reach: 12\nruns_for: 8d")],
        "26:11: 8d is over the limit of 7 days, the longest a drill runs (runs_for); write a "
        "shorter time, like '2h'",
        id="drill length"),
    pytest.param(
        [("reach: 12", "reach: 12\nescalation_delay: 30d")],
        "26:19: 30d is over the limit of 7 days, the longest a drill runs (escalation_delay); "
        "write a shorter time, like '2h'",
        id="escalation delay"),
    pytest.param(
        [("rate: 4/min", "rate: 4/min\n  starts: 7d1s")],
        "25:11: 7d1s is over the limit of 7 days, the longest a drill runs (fault.starts); "
        "write a shorter time, like '2h'",
        id="fault start"),
    pytest.param(
        [("every: 5m", "every: 0s")],
        "12:12: every 0s is no schedule (world.warehouse.every); write at least 1s, like '5m'",
        id="shortest interval"),
    pytest.param(
        [("rate: 4/min", f"rate: 4/min\n  times: {MAX_REPEATS + 1}")],
        "25:10: must be at most 100, got 101 (fault.times); lower it",
        id="repeats"),
    pytest.param(
        [("invoices: 120", "invoices: 5000000"), ("reach: 12", "reach: 100%\n  times: 100")],
        "25:10: the bad run could write 500,000,000 records (5,000,000 records reached, 100 "
        "writes each), over the limit of 10,000,000 (fault.reach); lower the reach or the "
        "fault's repeats",
        id="bad run writes"),
    pytest.param(
        [("reach: 12", f"reach: 12\npeople: {{edits_per_hour: {MAX_PEOPLE_PER_HOUR + 1}}}")],
        "26:26: must be at most 10,000, got 10,001 (people.edits_per_hour); lower it",
        id="people per hour"),
    pytest.param(
        [("reach: 12", "reach: 12\nruns_for: 7d\npeople: {edits_per_hour: 1000}")],
        "27:1: people would make 168,000 edits over the 7d drill, over the limit of 100,000 "
        "(people); lower the edits per hour or runs_for",
        id="people edits in a drill"),
    pytest.param(
        [(FEEDER, HOOKS)],
        "17:3: has more than 100 items, the limit (automation.feeders); remove some",
        id="items in a list"),
    pytest.param(
        [("name: reminder-drill", "name: " + "r" * (MAX_NAME_LENGTH + 1))],
        "2:7: the name is 65 characters long, over the limit of 64 (name); shorten it, "
        "like 'invoice-reminder'",
        id="name length"),
    pytest.param(
        [("title: Reminder rule fires three times", "title: " + "t" * (MAX_TEXT_LENGTH + 1))],
        "3:8: is longer than 10,000 characters, the limit (title); shorten it",
        id="text length"),
    pytest.param(
        [('starts: "2026-03-02T09:10:00"', 'starts: "3000-01-01T00:00:00"')],
        "5:9: 3000-01-01T00:00:00 is outside the years 1900 to 2999 a drill can start in "
        "(starts); write a date like '2026-03-02T09:10:00'",
        id="latest start"),
    pytest.param(
        [('starts: "2026-03-02T09:10:00"', 'starts: "1899-12-31T23:59:59"')],
        "5:9: 1899-12-31T23:59:59 is outside the years 1900 to 2999 a drill can start in "
        "(starts); write a date like '2026-03-02T09:10:00'",
        id="earliest start"),
]


def scenario_with(tmp_path: Path, changes: list[tuple[str, str]]) -> Path:
    return edited_copy(MINIMAL, changes, tmp_path / "over.yaml")


@pytest.mark.parametrize(("changes", "message"), LIMITS)
def test_each_limit_is_one_line_with_the_limit_and_the_fix(
    tmp_path: Path, changes: list[tuple[str, str]], message: str
) -> None:
    path = scenario_with(tmp_path, changes)
    assert [str(e) for e in validate_scenario_file(path)] == [f"{path}:{message}"]


@pytest.mark.parametrize(
    "changes",
    [
        [("contacts: 80", f"contacts: {MAX_RECORDS_PER_TABLE}")],
        [("reach: 12", f"reach: 12\nruns_for: {MAX_DRILL_LENGTH.days}d")],
        [("every: 5m", f"every: {int(MIN_INTERVAL.total_seconds())}s")],
        [("rate: 4/min", f"rate: {MAX_RATE_PER_MINUTE}/min\n  times: {MAX_REPEATS}")],
        [("reach: 12", "reach: 12\nruns_for: 100h\npeople: "
          f"{{edits_per_hour: {MAX_PEOPLE_EDITS // 100}}}")],
        [("name: reminder-drill", "name: " + "r" * MAX_NAME_LENGTH)],
        [('starts: "2026-03-02T09:10:00"', 'starts: "1900-01-01T00:00:00"')],
    ],
)
def test_at_the_limit_is_still_fine(tmp_path: Path, changes: list[tuple[str, str]]) -> None:
    assert validate_scenario_file(scenario_with(tmp_path, changes)) == []


def test_every_builtin_scenario_is_well_within_the_limits() -> None:
    from drills.scenarios.loader import builtin_names

    for name in builtin_names():
        scenario = load_scenario(name)
        assert scenario.run_writes()[2] * 100 <= MAX_RUN_WRITES, name
        assert scenario.people_edits() * 10 <= MAX_PEOPLE_EDITS, name
