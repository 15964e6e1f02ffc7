"""The Markdown page: golden files, and values that cannot break its tables.

Regenerate the golden files with ``DRILLS_REGEN_GOLDEN=1 pytest tests/reports``.
"""

from __future__ import annotations

import pytest

from drills.reports.findings import Check, Finding, Severity
from drills.reports.markdown import md_escape, render_markdown
from drills.reports.model import DrillReport, LogEntry
from tests.reports.conftest import check_golden


@pytest.mark.parametrize("kind", ["good", "flawed"])
def test_markdown_matches_the_golden_file(
    kind: str, good_report: DrillReport, flawed_report: DrillReport
) -> None:
    report = good_report if kind == "good" else flawed_report
    check_golden(f"invoice-reminder.{kind}.md", render_markdown(report))


def test_the_page_has_every_section(flawed_report: DrillReport) -> None:
    text = render_markdown(flawed_report)
    assert text.startswith(f"# {md_escape(flawed_report.headline())}\n")
    for heading in ("## Phases", "## Damage by system", "## What to fix first",
                    "## Findings (15)", "### Critical (3)",
                    "## Score 43/100 · NOT READY (needs 85 for money, and no gate)",
                    "## Restart checklist", "## Messages", "## Shared action log"):
        assert f"\n{heading}" in text, heading
    assert "- [ ] The exact cause in one sentence: no cause written down" in text
    assert "> Heads-up: the invoice-reminder automation misbehaved." in text
    assert "> You do not need to do anything." in text


def _table_rows(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("| ")]


def test_every_table_row_has_as_many_cells_as_its_header(good_report: DrillReport) -> None:
    hostile = Finding(code="pipes", severity=Severity.HIGH, check=Check.SCOPING,
                      message="a | b || c\nsecond line", fix="use `x` | *y* _z_ <b>")
    report = good_report.model_copy(update={"findings": [hostile]})
    text = render_markdown(report)
    blocks: list[list[str]] = [[]]
    for line in text.splitlines():
        if line.startswith("| "):
            blocks[-1].append(line)
        elif blocks[-1]:
            blocks.append([])
    for block in (b for b in blocks if b):
        widths = {len(row.replace("\\|", "").split("|")) for row in block}
        assert len(widths) == 1, block
    assert "a \\| b \\|\\| c second line" in text
    assert "\\<b\\>" in text
    assert "\\*y\\*" in text
    assert "\\_z\\_" in text


def test_a_long_log_is_cut_in_the_middle(good_report: DrillReport) -> None:
    start = good_report.started
    log = [LogEntry(at=start.replace(minute=i % 60, second=i // 60), who="bot", what=f"step {i}")
           for i in range(50)]
    text = render_markdown(good_report.model_copy(update={"log": log}))
    assert "## Shared action log (50 entries)" in text
    assert "| step 0 |" in text
    assert "| step 11 |" in text
    assert "step 12 |" not in text
    assert "step 41 |" not in text
    assert "| step 42 |" in text
    assert "| step 49 |" in text
    assert "*30 more entries: see the HTML or JSON report*" in text
