"""A password given in ``--backend`` on the command line draws a warning; elsewhere none.

The command line of the drill (and of its pool workers) is readable by every user of
the machine, its environment and a password file are not. The URLs here point at a
port nothing listens on, so each command stops at the connection, after the warning.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner, Result

from drills.cli.backend import PASSWORD_WARNING
from drills.cli.main import cli

pytest.importorskip("psycopg")

SECRET = "Zq9-hunter2-s3cr3t"
NOWHERE = "127.0.0.1:1/drills"
"""A port nothing listens on: the connection is refused at once."""

COMMANDS = {
    "world": ["world", "--count", "crm.contacts=3"],
    "run": ["run", "invoice-triple-trigger", "--no-costs"],
}


def invoke(args: list[str], env: dict[str, str] | None = None) -> Result:
    return CliRunner(env={"DRILLS_BACKEND": "", **(env or {})}).invoke(cli, args)


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize(
    "url",
    [f"postgresql://ana:{SECRET}@{NOWHERE}", f"postgresql://ana@{NOWHERE}?password={SECRET}"],
)
def test_a_password_on_the_command_line_is_warned_about(command: str, url: str) -> None:
    result = invoke([*COMMANDS[command], "--backend", url])
    assert result.exit_code == 2, result.output
    warning, error = result.stderr.splitlines()
    assert warning == PASSWORD_WARNING
    assert error.startswith(f"drills: error: cannot connect to postgresql://ana@{NOWHERE}:")
    assert SECRET not in result.stderr + result.stdout
    assert "DRILLS_BACKEND" in warning
    assert "~/.pgpass" in warning


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_no_warning_without_a_password_on_the_command_line(command: str) -> None:
    from_env = invoke(COMMANDS[command],
                      env={"DRILLS_BACKEND": f"postgresql://ana:{SECRET}@{NOWHERE}"})
    no_password = invoke([*COMMANDS[command], "--backend", f"postgresql://ana@{NOWHERE}"])
    for result in (from_env, no_password):
        assert result.exit_code == 2, result.output
        assert result.stderr.startswith("drills: error: cannot connect to "), result.stderr
        assert result.stderr.count("\n") == 1
        assert "warning" not in result.stderr


def test_a_url_that_is_no_backend_is_its_one_error_line_alone() -> None:
    result = invoke(["world", "--backend", f"mysql://root:{SECRET}@h/db"])
    assert result.exit_code == 2, result.output
    assert result.stderr == (
        "drills: error: --backend 'mysql://root@h/db' is not a backend; use sqlite (the "
        "default), docker, or a PostgreSQL URL such as postgresql://USER@HOST:5432/DB\n"
    )
