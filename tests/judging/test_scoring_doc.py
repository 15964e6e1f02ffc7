"""docs/scoring.md says what the code does: its weights, deductions and worked example.

The worked example is recomputed here from a real drill's JSON report, by the formula
as the page writes it (not by calling the scorer), and the page's block must match it
to the character: the test fails when the doc's numbers drift from the drill's.
``DRILLS_REGEN_GOLDEN=1`` rewrites the block (review the diff).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from drills.api import run_drill
from drills.judging.harm import WEIGHTS_BY_CLASS
from drills.judging.points import READY_AT, SEVERITY_POINTS
from drills.reports.jsonout import render_json
from drills.runbook import Runbook
from drills.scenarios.loader import load_scenario

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "scoring.md"
BEGIN = "<!-- worked example: tests/judging/test_scoring_doc.py recomputes it from a real drill -->"
END = "<!-- end of worked example -->"
ROWS = {
    "left_wrong_critical": "record left wrong in a money or customer-message system",
    "left_wrong": "record left wrong elsewhere",
    "damaged": "record damaged",
    "sent_wrongly": "message or charge sent wrongly",
    "live_minutes": "minute live after detection",
    "human_edits_overwritten": "human edit overwritten",
    "shadow_fixes": "shadow fix started",
    "healthy_minutes_paused": "minute a healthy job paused",
}
CLASSES = ["standard", "customer_messages", "money", "legal_records", "access"]


def _n(value: float) -> str:
    return f"{value:,.1f}".removesuffix(".0")


def test_the_weights_table_is_the_codes() -> None:
    text = DOC.read_text(encoding="utf-8")
    for key, label in ROWS.items():
        cells = " | ".join(f"{WEIGHTS_BY_CLASS[c][key]:g}" for c in CLASSES)
        assert f"| {label} | {cells} |" in text, label


def test_the_deductions_and_thresholds_are_the_codes() -> None:
    text = DOC.read_text(encoding="utf-8")
    for severity, points in SEVERITY_POINTS.items():
        assert f"| {severity.value} | {points} |" in text
    assert ("standard 70, customer messages 80, money 85, legal records 85, access 90"
            in " ".join(text.split()))
    assert dict(READY_AT) == {"standard": 70, "customer_messages": 80, "money": 85,
                              "legal_records": 85, "access": 90}


@pytest.fixture(scope="module")
def drill_json() -> dict[str, Any]:
    """The example good runbook with its webhook's pause step taken out, drilled for real."""
    sections = yaml.safe_load((ROOT / "examples" / "invoice-reminder.runbook.yaml")
                              .read_text(encoding="utf-8"))
    sections["pause"] = [s for s in sections["pause"]
                         if s.get("disable_feeder") != "billing.invoice-updated"]
    report = run_drill(load_scenario("invoice-triple-trigger"), Runbook.model_validate(sections))
    data = json.loads(render_json(report))
    assert isinstance(data, dict)
    return data


def _example(data: dict[str, Any]) -> str:
    """The worked example, every number recomputed from the JSON by the page's formula."""
    score = data["score"]
    lines = score["harm"]

    def points(key: str, only: str | None = None) -> float:
        return float(sum(ln["weight"] * ln[key] for ln in lines
                         if only is None or ln["unit"] == only))

    n, p, r = points("nothing"), points("perfect"), points("run")
    lw_n, lw_p, lw_r = (points(k, "left_wrong") for k in ("nothing", "perfect", "run"))
    had = sum(ln["weight"] * ln["run_damaged"] for ln in lines if ln["unit"] == "left_wrong")
    rest = (n - lw_n) - (r - lw_r)
    if r <= p:
        avoided = 100.0
    else:
        repaired = 1.0 if lw_r <= lw_p else max(0.0, 1 - (lw_r - lw_p) / (had - lw_p))
        avoided = min(100.0, max(0.0, 100 * (rest + (lw_n - lw_p) * repaired) / (n - p)))
    deducted = sum(d["points"] for d in score["deductions"])
    total = max(0, min(100, round(avoided - deducted)))
    assert total == score["total"], "the page's formula and the scorer disagree"
    assert round(n, 2) == score["nothing_points"]
    assert round(r, 2) == score["run_points"]
    assert round(p, 2) == score["perfect_points"]
    share = (1.0 if lw_r <= lw_p else max(0.0, 1 - (lw_r - lw_p) / (had - lw_p)))
    out = [
        "The example good runbook (`examples/invoice-reminder.runbook.yaml`) with one pause",
        "step taken out, the one for the `billing.invoice-updated` webhook, drilled on",
        f"`{data['scenario']['name']}` (seed {data['seed']}; the job touches "
        f"{', '.join(score['risk'])}):",
        "",
        "| harm | weight | this drill | do nothing | perfect |",
        "|---|---:|---:|---:|---:|",
    ]
    for ln in lines:
        if ln["run"] or ln["nothing"] or ln["perfect"]:
            out.append(f"| {ln['label']} | {ln['weight']:g} | {_n(ln['run'])} | "
                       f"{_n(ln['nothing'])} | {_n(ln['perfect'])} |")
    out += [
        f"| harm points | | {_n(r)} | {_n(n)} | {_n(p)} |",
        "",
        f"- Avoidable harm: N - P = {_n(n)} - {_n(p)} = {_n(n - p)} points.",
        f"- Outside records left wrong the drill avoided (N - R) = {_n(rest)} points.",
        f"- Records left wrong: this drill put right {share:.0%} of its own damage, so it "
        f"avoids {share:.0%} of their {_n(lw_n - lw_p)} avoidable points.",
        f"- avoided = 100 x ({_n(rest)} + {_n((lw_n - lw_p) * share)}) / {_n(n - p)} "
        f"= {avoided:.1f}.",
    ]
    for d in score["deductions"]:
        out.append(f"- `{d['code']}` ({d['severity']}): {d['reason']}.")
    out.append(f"- total = {avoided:.1f} - {deducted:g} = **{total}**.")
    for g in score["gates"]:
        out.append(f"- Gate `{g['code']}`: {g['message']}.")
    verdict = score["verdict"]
    ready = "ready" if verdict["ready"] else "**not ready**"
    out.append(f"- Verdict: {ready} (money needs {verdict['threshold']}); a score of {total} "
               "cannot buy a gate." if score["gates"] else f"- Verdict: {ready}.")
    return "\n".join(out)


@pytest.mark.slow
def test_the_worked_example_is_a_real_drills(drill_json: dict[str, Any]) -> None:
    text = DOC.read_text(encoding="utf-8")
    assert BEGIN in text
    assert END in text
    head, rest = text.split(BEGIN, 1)
    block, tail = rest.split(END, 1)
    expected = f"\n{_example(drill_json)}\n"
    if os.environ.get("DRILLS_REGEN_GOLDEN") == "1":
        DOC.write_text(f"{head}{BEGIN}{expected}{END}{tail}", encoding="utf-8")
        block = expected
    assert block == expected, (
        "docs/scoring.md's worked example drifted from the drill; regenerate with "
        "DRILLS_REGEN_GOLDEN=1 pytest tests/judging/test_scoring_doc.py and review the diff")
