"""Every documented runbook limit, through the real loader: one line, the limit, the fix.

The file-level limits (size, nesting, aliases, number length) are shared with
scenarios and tested in ``tests/scenarios/test_loader.py``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from drills.files import MAX_ITEMS, MAX_NAME_LENGTH, MAX_TEXT_LENGTH
from drills.runbook.loader import validate_runbook_file
from drills.runbook.schema import MAX_RUNBOOK_DURATION, MAX_SAMPLE, MIN_UPDATE_EVERY
from tests.conftest import edited_copy

MINIMAL = Path(__file__).parents[1] / "data" / "runbooks" / "minimal.runbook.yaml"
RULES = "\n".join(f"  - duplicate_messages >= {i}" for i in range(1, MAX_ITEMS + 2))

LIMITS = [
    pytest.param(
        [("takes: 2m", f"takes: {MAX_RUNBOOK_DURATION.days + 1}d")],
        "8:42: '367d' is over the limit of 366 days (pause.0.takes); a runbook time is "
        "minutes to days, like '15m'",
        id="longest time"),
    pytest.param(
        [("sample: 20", f"sample: {MAX_SAMPLE + 1}")],
        "13:11: must be at most 100,000, got 100,001 (repair.sample); lower it",
        id="repair sample"),
    pytest.param(
        [("ramp: [1, 10, normal]", "ramp: [1, 10, normal]\ncomms: {next_update_every: 59s}")],
        "19:28: an update every 59s never lets anyone work (comms.next_update_every); write "
        "at least 1m, like '30m'",
        id="update interval"),
    pytest.param(
        [("  - duplicate_messages >= 5", RULES)],
        "5:1: has more than 100 items, the limit (stop_rules); remove some",
        id="items in a list"),
    pytest.param(
        [("automation: invoice-reminder", "automation: " + "a" * (MAX_NAME_LENGTH + 1))],
        "2:13: the name is 65 characters long, over the limit of 64 (automation); shorten it, "
        "like 'invoice-reminder'",
        id="name length"),
    pytest.param(
        [("ramp: [1, 10, normal]",
          f"ramp: [1, 10, normal]\ncomms: {{customer_message: {'m' * (MAX_TEXT_LENGTH + 1)}}}")],
        "19:27: is longer than 10,000 characters, the limit (comms.customer_message); "
        "shorten it",
        id="text length"),
    pytest.param(
        [("  - duplicate_messages >= 5", "  - duplicate_messages >= 5 " + "x" * MAX_TEXT_LENGTH)],
        "6:5: the stop rule is 10,024 characters long, over the limit of 10,000 (stop_rules.0); "
        "write it like 'duplicate_messages >= 5'",
        id="stop rule length"),
]


def runbook_with(tmp_path: Path, changes: list[tuple[str, str]]) -> Path:
    return edited_copy(MINIMAL, changes, tmp_path / "over.runbook.yaml")


@pytest.mark.parametrize(("changes", "message"), LIMITS)
def test_each_limit_is_one_line_with_the_limit_and_the_fix(
    tmp_path: Path, changes: list[tuple[str, str]], message: str
) -> None:
    path = runbook_with(tmp_path, changes)
    assert [str(e) for e in validate_runbook_file(path)] == [f"{path}:{message}"]


def test_an_update_once_a_minute_is_fine(tmp_path: Path) -> None:
    minute = int(MIN_UPDATE_EVERY.total_seconds() // 60)
    every = f"ramp: [1, 10, normal]\ncomms: {{next_update_every: {minute}m}}"
    path = runbook_with(tmp_path, [("ramp: [1, 10, normal]", every)])
    assert validate_runbook_file(path) == []
