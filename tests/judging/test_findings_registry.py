"""The finding registry: every code used is registered, documented, closable where it says.

Codes are a promise to CI rules and trend reports, so a code raised anywhere in
``drills/`` must have its row in :data:`drills.findings.FINDINGS`, every row must be on
``docs/scoring.md``, and a row's ``closes`` must name a real runbook field.
"""

from __future__ import annotations

import ast
import re
import string
import types
import typing
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from drills.cli.commands.check import DRILL_CODE_PATHS
from drills.findings import (
    DOC_END,
    DOC_START,
    FINDINGS,
    closes,
    finding,
    markdown_table,
    message,
    registered,
    section,
)
from drills.judging import CLOSERS, JUDGED_AT_END
from drills.reports.findings import Check, GapCost, Severity, cost_text
from drills.review.review import EXPORT_CODES, OWNER_CODES
from drills.runbook import LINT_CODES, Runbook

REPO = Path(__file__).resolve().parents[2]
SCORING_DOC = REPO / "docs" / "scoring.md"
CODE_LIKE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)+$")

NOT_CODES = {
    "utf-8", "utf-8-sig",  # encodings
    "others-closed",  # GapCost.basis
    "team-draft", "drill-watch", "c-c", "c-d",  # live session names and tmux keys
    "on-call",  # a group word the lint knows
    "invoice-reminder", "order-update",  # outbox templates a scaffold names
    "before-harm",  # a review score's basis (AutomationReview.basis), not a finding
    "owner-unreachable", "second-batch", "feeder-on",  # a facilitator's twists
    "no-store", "room-chart",  # the room's Cache-Control value and a thread's name
}
"""Hyphenated string literals in drills/ that are not finding codes."""

BUILDERS = {"finding", "message", "registered", "closes", "section"}
"""Functions whose first argument is a finding code."""


def _sources() -> list[Path]:
    """drills/'s own modules (the linked scenarios, fakes and reports hold no codes)."""
    root = REPO / "drills"
    linked = [p for p in root.iterdir() if p.is_symlink()]
    return sorted(p for p in root.rglob("*.py")
                  if not any(p.is_relative_to(link) for link in linked))


def _literals(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [(n.lineno, n.value) for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def test_every_code_like_literal_in_drills_is_registered() -> None:
    unknown = [
        f"{path.relative_to(REPO)}:{line}: {text}"
        for path in _sources()
        for line, text in _literals(path)
        if CODE_LIKE.match(text) and not registered(text) and text not in NOT_CODES
    ]
    assert unknown == [], "register these codes in drills/findings.py (or list them in NOT_CODES)"


def test_every_finding_built_from_the_registry_names_a_registered_code() -> None:
    bad = []
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", None))
            first = node.args[0]
            if name in BUILDERS and isinstance(first, ast.Constant) and not registered(
                    str(first.value)):
                bad.append(f"{path.relative_to(REPO)}:{node.lineno}: {first.value!s}")
    assert bad == []


def test_codes_other_tables_key_on_are_registered() -> None:
    for table in (CLOSERS, DRILL_CODE_PATHS, LINT_CODES):
        assert set(table) <= set(FINDINGS)
    assert set(FINDINGS) >= JUDGED_AT_END
    assert set(FINDINGS) >= OWNER_CODES | EXPORT_CODES


def test_every_gap_a_rerun_closes_says_where_it_is_closed() -> None:
    assert [code for code in CLOSERS if closes(code) is None] == []


def test_rows_are_well_formed() -> None:
    for code, spec in FINDINGS.items():
        assert spec.code == code
        assert CODE_LIKE.match(code), code
        assert all(1 <= rule <= 8 for rule in spec.rules), code
        assert spec.kind in ("lint", "drill", "review")
        if spec.kind == "lint":
            assert spec.check is not None, code
            assert spec.rules, code
        templates = [spec.message, spec.fix,
                     *(t for pair in spec.variants.values() for t in pair)]
        for template in templates:
            for _, field, _, _ in string.Formatter().parse(template):
                assert field is None or field.isidentifier(), (code, template)


def _model_of(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is not None:
        for arg in typing.get_args(annotation):
            found = _model_of(arg)
            if found is not None:
                return found
    return None


def _field_exists(path: str) -> bool:
    model: type[BaseModel] | None = Runbook
    for part in path.split("[", 1)[0].split("."):
        if model is None:
            return False
        fields = {f.alias or name: f for name, f in model.model_fields.items()}
        fields.update(model.model_fields)
        if part not in fields:
            return False
        model = _model_of(fields[part].annotation)
    return True


def test_every_closes_path_names_a_runbook_field() -> None:
    paths = {spec.closes for spec in FINDINGS.values() if spec.closes is not None}
    assert paths
    assert sorted(p for p in paths if not _field_exists(p)) == []
    assert not _field_exists("nonsense.path")


def test_section_drops_the_bracketed_part() -> None:
    assert section("feeder-left-running") == ("pause",)
    assert section("system-never-scoped") == ("scope", "systems")
    assert section("drill-interrupted") is None


def test_every_registered_code_is_on_docs_scoring_and_the_table_is_current() -> None:
    text = SCORING_DOC.read_text(encoding="utf-8")
    assert DOC_START in text
    assert DOC_END in text
    current = text[text.index(DOC_START):text.index(DOC_END) + len(DOC_END)]
    assert current == markdown_table(), (
        "docs/scoring.md is stale: paste the output of 'python -m drills.findings' "
        "between its markers")
    for code in FINDINGS:
        assert f"`{code}`" in current, code
    assert "rules.md" in current


def test_finding_keeps_the_wording_reports_carry() -> None:
    feeder = finding("feeder-left-running", where="retry-hook", kind="webhook",
                     name="retry-hook")
    assert (feeder.severity, feeder.check) == (Severity.HIGH, Check.CONTAINMENT)
    assert feeder.message == "webhook 'retry-hook' kept running after the job was paused"
    assert feeder.fix == "add 'disable_feeder: retry-hook' to the runbook's pause steps"
    assert finding("no-pause-steps", automation="reminder").fix == (
        "list the steps under 'pause:', e.g. '- {pause_job: reminder}' and "
        "'- {stop_queue: ...}'")
    counts = finding("counts-do-not-reconcile", pairs="2 pairs of systems disagree",
                     detail="crm vs billing: 1,200 vs 1,188 records",
                     more="; and 1 more: crm vs warehouse")
    assert counts.message == ("2 pairs of systems disagree after repair: crm vs billing: "
                              "1,200 vs 1,188 records; and 1 more: crm vs warehouse")
    raised = finding("no-snapshot", severity=Severity.CRITICAL, variant="neither")
    assert raised.severity is Severity.CRITICAL
    assert raised.message.endswith("; with no clean export either, nothing can be restored")
    assert message("drill-undated", share="25%") == (
        "the report does not say when the drill was run, so it counts as old (25%)")


def test_a_code_with_no_check_of_its_own_needs_one() -> None:
    with pytest.raises(ValueError, match="no-runbook"):
        finding("no-runbook", covers="repair")
    assert finding("no-runbook", check=Check.REPAIR, covers="repair").message == (
        "there is no runbook, so nothing covers repair")
    with pytest.raises(KeyError):
        finding("not-a-code")


def test_one_cost_text() -> None:
    defined = [
        f"{path.relative_to(REPO)}"
        for root in ("drills", "reports")
        for path in (REPO / root).rglob("*.py")
        if not path.is_symlink() and "def cost_text(" in path.read_text(encoding="utf-8")
    ]
    assert defined == ["reports/findings.py"]
    assert cost_text(GapCost(records_damaged=64, records_left_wrong=0,
                             minutes_to_contain=11.0)) == "+64 records damaged, +11 min to contain"
