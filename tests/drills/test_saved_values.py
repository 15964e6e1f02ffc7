"""Saved values undo a repair that went wrong; without them, people's overwritten edits
are lost. A blind repair (no reviewed sample) overwrites what people changed during the
window; only a team that kept the values it wrote over can put those edits back."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from drills.judging.endstate import evaluate
from drills.responders.scripted import Drill
from drills.runbook import Runbook
from drills.runbook.complete import complete_sections
from drills.scenarios.loader import load_scenario

pytestmark = pytest.mark.slow


def _blind(saved: bool, snapshot: bool) -> tuple[int, str]:
    scenario = load_scenario("crm-blank-emails")
    sections: dict[str, Any] = copy.deepcopy(complete_sections(scenario))
    sections["repair"].pop("sample")
    sections["repair"]["overwrite_human_edits"] = True
    sections["repair"]["save_values"] = saved
    if not snapshot:
        sections.pop("snapshot")
    result = Drill(scenario, Runbook.model_validate(sections)).run()
    verify = next(s.outcome for s in result.steps if s.section == "verify")
    return evaluate(result).human_edits_overwritten, verify


def test_without_saved_values_overwritten_edits_are_lost() -> None:
    lost, verify = _blind(saved=False, snapshot=False)
    assert lost > 5
    assert "put back" not in verify


def test_saved_values_put_them_back() -> None:
    lost, verify = _blind(saved=True, snapshot=False)
    assert lost == 0
    assert "overwritten human edits put back from the saved values" in verify
    assert "all counts match" in verify


def test_a_snapshot_puts_back_only_the_edits_made_before_it() -> None:
    without, _ = _blind(saved=False, snapshot=False)
    lost, verify = _blind(saved=False, snapshot=True)
    assert lost < without
    assert "overwritten human edits put back from the saved values" in verify
