"""The console report, rendered at a fixed width without colour (as rich's own tests do)
and compared with golden files.

Regenerate the golden files after a deliberate change of output with::

    DRILLS_REGEN_GOLDEN=1 pytest tests/reports

and review the diff of ``tests/data/reports/*.console.txt`` like code.
"""

from __future__ import annotations

import io
import re

import pytest
from rich.console import Console

from drills.reports.console import render_console, render_console_text
from drills.reports.findings import Check, Finding, Severity
from drills.reports.model import DrillReport
from tests.reports.conftest import assert_no_raw_controls, check_golden, poisoned


@pytest.mark.parametrize("kind", ["good", "flawed"])
def test_console_matches_the_golden_file(
    kind: str, good_report: DrillReport, flawed_report: DrillReport
) -> None:
    report = good_report if kind == "good" else flawed_report
    check_golden(f"invoice-reminder.{kind}.console.txt", render_console_text(report))


def test_console_leads_with_the_headline_and_shows_every_section(
    flawed_report: DrillReport,
) -> None:
    text = render_console_text(flawed_report)
    assert text.splitlines()[0] == flawed_report.headline()
    for heading in ("Phases", "Damage by system", "What to fix first", "Findings (15)",
                    "Score 43/100 · NOT READY", "Counts across systems", "Restart checklist"):
        assert any(line.startswith(heading) for line in text.splitlines()), heading
    assert "Scope precision 82%" in text
    assert "recall 31%" in text
    assert "1.  downstream-not-scoped high · +482 left wrong" in text


def test_console_lines_fit_the_width(flawed_report: DrillReport) -> None:
    for width in (80, 100, 140):
        text = render_console_text(flawed_report, width=width)
        assert max(len(line) for line in text.splitlines()) <= width


def test_report_text_cannot_restyle_the_console(good_report: DrillReport) -> None:
    sneaky = Finding(code="sneaky", severity=Severity.HIGH, check=Check.COMMS,
                     message="[bold red]not markup[/] and [link=x]", fix="[/]")
    report = good_report.model_copy(update={"findings": [sneaky]})
    text = render_console_text(report)
    assert "[bold red]not markup[/] and [link=x]" in text
    assert "fix: [/]" in text


def test_colour_goes_to_a_real_terminal(flawed_report: DrillReport) -> None:
    buffer = io.StringIO()
    console = Console(file=buffer, width=100, force_terminal=True, color_system="truecolor",
                      _environ={})
    render_console(flawed_report, console)
    assert "\x1b[" in buffer.getvalue()
    assert "\x1b[" not in render_console_text(flawed_report)


def test_no_text_in_a_report_reaches_the_terminal_raw(flawed_report: DrillReport) -> None:
    report = poisoned(flawed_report)
    assert_no_raw_controls(render_console_text(report, width=200))
    buffer = io.StringIO()
    render_console(report, Console(file=buffer, force_terminal=True, color_system="truecolor",
                                   width=200))
    styled = re.sub(r"\x1b\[[0-9;]*m", "", buffer.getvalue())  # rich's own colours only
    assert_no_raw_controls(styled)
