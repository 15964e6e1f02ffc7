"""``drills scenarios``: the library as a table for people and as JSON for scripts."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from rich.console import Console

from drills.cli.commands.scenarios import render_table
from drills.cli.main import cli
from drills.scenarios.loader import ScenarioInfo, builtin_names, builtin_scenarios

REPO = Path(__file__).parents[2]

INFOS = [
    ScenarioInfo("invoice-triple-trigger", "triple_trigger", ("crm", "billing", "email"), 2360,
                 "Invoice reminder rule fires three times on one due-date edit", Path("a.yaml")),
    ScenarioInfo("welcome-email-retry-storm", "triple_trigger", ("crm", "email"), 320,
                 "Sign-up webhook retries send four welcome emails", Path("b.yaml")),
]


def render(width: int) -> list[str]:
    out = io.StringIO()
    console = Console(file=out, width=width, color_system=None, highlight=False)
    console.print(render_table(INFOS, width=width))
    return [line.rstrip() for line in out.getvalue().splitlines()]


def test_a_wide_terminal_gets_one_column_each() -> None:
    assert render(120) == [
        "name                        fault            systems                size   title",
        "─" * 120,
        "invoice-triple-trigger      triple_trigger   crm, billing, email   2,360   Invoice "
        "reminder rule fires three times on",
        "                                                                           one "
        "due-date edit",
        "welcome-email-retry-storm   triple_trigger   crm, email              320   Sign-up "
        "webhook retries send four welcome",
        "                                                                           emails",
    ]


def test_a_narrow_terminal_gets_the_title_under_the_name() -> None:
    assert render(80) == [
        "name / title                              fault           systems           size",
        "─" * 80,
        "invoice-triple-trigger                    triple          crm, billing,    2,360",
        "Invoice reminder rule fires three times   trigger         email",
        "on one due-date edit",
        "welcome-email-retry-storm                 triple          crm, email         320",
        "Sign-up webhook retries send four         trigger",
        "welcome emails",
    ]


def test_json_lists_every_builtin_scenario() -> None:
    result = CliRunner().invoke(cli, ["scenarios", "--json"], catch_exceptions=False)
    assert result.exit_code == 0
    listed = json.loads(result.output)
    assert [item["name"] for item in listed] == builtin_names()
    first = listed[0]
    assert set(first) == {"name", "fault", "systems", "records", "title", "path"}
    info = builtin_scenarios()[0]
    assert first == {
        "name": info.name, "fault": info.fault, "systems": list(info.systems),
        "records": info.records, "title": info.title, "path": str(info.path),
    }
    assert Path(first["path"]).is_file()


@pytest.mark.slow
def test_the_real_command_prints_the_table() -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "200", "PYTHONWARNINGS": "error"}
    result = subprocess.run(
        [sys.executable, "-m", "drills", "scenarios"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False,
    )
    assert (result.returncode, result.stderr) == (0, "")
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["name", "fault", "systems", "size", "title"]
    for info in builtin_scenarios():
        row = next(line for line in lines if line.startswith(f"{info.name} "))
        assert info.fault in row
        assert f"{info.records:,}" in row
        assert info.title in row


def test_scenarios_is_in_the_help() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert "scenarios" in result.output
    assert "validate" in result.output
