"""Every command is documented: a ``--help`` that says what it does, and a README entry.

Like sqlite-utils' docs test: adding a command without documenting it fails here.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from drills.cli.main import COMMANDS, cli

README = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_help(name: str) -> None:
    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Usage: cli {name} ")
    summary = result.output.split("\n\n")[1].strip()
    assert len(summary) > 20, f"'drills {name} --help' needs a sentence saying what it does"


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_is_in_the_readme(name: str) -> None:
    assert f"`drills {name}" in README, f"document 'drills {name}' in README.md"


def test_the_group_help_lists_every_command_and_the_exit_codes() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for name in COMMANDS:
        assert f"  {name} " in result.output
    assert "Exit codes: 0 passed, 1 the drill or check failed, 2 bad input or usage." in (
        result.output
    )
