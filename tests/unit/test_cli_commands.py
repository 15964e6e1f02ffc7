"""Each CLI command once in this process, on the smallest input: the fast loop's CLI check.

The end-to-end CLI tests (real subprocesses, whole drills, gap-cost reruns) are
``slow``; these keep every command's wiring (options, exit codes, one-line errors)
in the fast loop.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from drills.cli.main import cli

EXAMPLES = Path(__file__).resolve().parents[1] / "data" / "examples"
GOOD = str(EXAMPLES / "invoice-reminder.runbook.yaml")
SCENARIO = str(EXAMPLES / "invoice-triple-trigger.scenario.yaml")


def drills(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), prog_name="drills")
    return result.exit_code, result.output


@pytest.mark.parametrize("command", ["run", "check", "score", "init", "report", "validate",
                                     "world", "scenarios", "live", "sandbox"])
def test_every_command_has_help_with_its_usage(command: str) -> None:
    code, out = drills(command, "--help")
    assert code == 0, out
    assert f"Usage: drills {command}" in out


def test_validate_passes_the_examples() -> None:
    code, out = drills("validate", GOOD, SCENARIO)
    assert code == 0, out


def test_validate_names_the_line_of_a_broken_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.runbook.yaml"
    bad.write_text("owner: [unclosed\n", encoding="utf-8")
    code, out = drills("validate", "--quiet", str(bad))
    assert code == 2
    assert f"{bad}:" in out


def test_an_unknown_command_is_a_usage_error() -> None:
    code, out = drills("drll")
    assert code == 2
    assert "drll" in out
