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
    ScenarioInfo("invoice-triple-trigger", "invoice-reminder", "triple_trigger",
                 ("crm", "billing", "email"), 2360,
                 "Invoice reminder rule fires three times on one due-date edit", Path("a.yaml")),
    ScenarioInfo("hubspot-stage-into-stripe-plan", "hubspot-to-stripe", "wrong_field_mapping",
                 ("hubspot", "stripe", "snowflake"), 7700,
                 "HubSpot-to-Stripe sync writes lifecycle stages into subscription plans",
                 Path("b.yaml")),
]
DECLARED = {
    "hubspot-stage-into-stripe-plan": ("hubspot-to-stripe", ["hubspot", "stripe", "snowflake"]),
    "zendesk-tickets-flap-on-delivery": ("shopify-zendesk-order-status",
                                         ["shopify", "zendesk", "bigquery"]),
}
"""The built-in scenarios on declared systems: their automation and their own systems."""


def render(width: int) -> list[str]:
    out = io.StringIO()
    console = Console(file=out, width=width, color_system=None, highlight=False)
    console.print(render_table(INFOS, width=width))
    return [line.rstrip() for line in out.getvalue().splitlines()]


def drills(*args: str, columns: int = 200) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": str(columns),
           "PYTHONWARNINGS": "error"}
    return subprocess.run(
        [sys.executable, "-m", "drills", *args],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False,
    )


def test_a_wide_terminal_gets_one_column_each() -> None:
    assert render(160) == [
        "name                             automation          fault                 systems"
        "                       size   title",
        "─" * 160,
        "invoice-triple-trigger           invoice-reminder    triple_trigger        crm, billing, "
        "email          2,360   Invoice reminder rule fires three times on one",
        " " * 112 + "due-date edit",
        "hubspot-stage-into-stripe-plan   hubspot-to-stripe   wrong_field_mapping   hubspot, "
        "stripe, snowflake   7,700   HubSpot-to-Stripe sync writes lifecycle stages",
        " " * 112 + "into subscription plans",
    ]


def test_a_narrow_terminal_gets_the_automation_and_title_under_the_name() -> None:
    assert render(80) == [
        "name / automation / title                 fault           systems           size",
        "─" * 80,
        "invoice-triple-trigger                    triple          crm, billing,    2,360",
        "invoice-reminder                          trigger         email",
        "Invoice reminder rule fires three times",
        "on one due-date edit",
        "hubspot-stage-into-stripe-plan            wrong field     hubspot,         7,700",
        "hubspot-to-stripe                         mapping         stripe,",
        "HubSpot-to-Stripe sync writes lifecycle                   snowflake",
        "stages into subscription plans",
    ]


def test_json_lists_every_builtin_scenario() -> None:
    result = CliRunner().invoke(cli, ["scenarios", "--json"], catch_exceptions=False)
    assert result.exit_code == 0
    listed = json.loads(result.output)
    assert [item["name"] for item in listed] == builtin_names()
    first = listed[0]
    assert set(first) == {"name", "automation", "fault", "systems", "records", "title", "path"}
    info = builtin_scenarios()[0]
    assert first == {
        "name": info.name, "automation": info.automation, "fault": info.fault,
        "systems": list(info.systems), "records": info.records, "title": info.title,
        "path": str(info.path),
    }
    assert Path(first["path"]).is_file()


@pytest.mark.slow
def test_the_real_command_lists_each_scenarios_own_systems_as_json() -> None:
    result = drills("scenarios", "--json")
    assert (result.returncode, result.stderr) == (0, "")
    listed = {item["name"]: item for item in json.loads(result.stdout)}
    for name, (automation, systems) in DECLARED.items():
        assert (listed[name]["automation"], listed[name]["systems"]) == (automation, systems)
        assert listed[name]["fault"] in ("wrong_field_mapping", "status_flapping")
    built_in = listed["invoice-triple-trigger"]
    assert built_in["automation"] == "invoice-reminder"
    assert built_in["systems"] == ["crm", "billing", "email", "support", "warehouse"]
    every = {s for item in listed.values() for s in item["systems"]}
    assert {"hubspot", "stripe", "snowflake", "shopify", "zendesk", "bigquery"} <= every


@pytest.mark.slow
def test_the_real_command_prints_the_table() -> None:
    result = drills("scenarios", columns=240)
    assert (result.returncode, result.stderr) == (0, "")
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["name", "automation", "fault", "systems", "size", "title"]
    for info in builtin_scenarios():
        row = next(line for line in lines if line.startswith(f"{info.name} "))
        assert info.automation in row
        assert info.fault in row
        assert f"{info.records:,}" in row
        assert info.title in row
    row = next(line for line in lines if line.startswith("zendesk-tickets-flap-on-delivery "))
    assert "shopify, zendesk, bigquery" in row


def test_scenarios_is_in_the_help() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert "scenarios" in result.output
    assert "validate" in result.output
