"""The command group, the exit-code contract and the one place errors become output.

Exit codes, like pytest and ruff: 0 success, 1 the drill or check failed, 2 bad input
or usage. Every :class:`~drills.fakes.errors.DrillsError` is printed as one line on stderr
(``drills: error: ...``) and exits 2, never with a traceback.
"""

from __future__ import annotations

import importlib
import keyword
import signal
import sys
import threading
from types import FrameType
from typing import Any

import click

from drills.errors import DrillsError, one_line
from drills.version import __version__

__all__ = [
    "EXIT_FAILED", "EXIT_OK", "EXIT_TERMINATED", "EXIT_USAGE", "cli", "main",
    "say", "usage_line",
]

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_TERMINATED = 128 + int(signal.SIGTERM)
"""Exit code after SIGTERM, as a shell reports a process the signal ended (143)."""

COMMANDS: tuple[str, ...] = (
    "check", "import", "init", "live", "report", "room", "run", "sandbox", "scenarios",
    "score", "validate", "world",
)
"""Each name is a module in :mod:`drills.cli.commands` that defines ``command`` (a Python
keyword with ``_`` after it: ``import_``)."""


class _Terminated(KeyboardInterrupt):
    """SIGTERM arrived: unwound like Ctrl-C, so every schema is dropped (unless
    ``--keep``) and every file closed on the way out."""


_SIGTERM_SEEN = threading.Event()
"""Set by the handler before it raises: an exception raised inside a finaliser or a weak
reference's callback is printed and dropped by Python, and the command must still end
as terminated, not as a success."""


def _terminate(signum: int, frame: FrameType | None) -> None:
    _SIGTERM_SEEN.set()
    raise _Terminated


TERMINATED_LINE = "drills: terminated (SIGTERM); the drill was stopped"


class DrillsGroup(click.Group):
    """Loads each command only when it runs, and turns library errors into one line.

    Lazy loading keeps ``drills validate`` from importing the database and faker
    stacks it never uses; startup time is what a CI step waits on most often.
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module_name = f"{cmd_name}_" if keyword.iskeyword(cmd_name) else cmd_name
        module = importlib.import_module(f"drills.cli.commands.{module_name}")
        command: click.Command = module.command
        return command

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except DrillsError as err:
            click.echo(f"drills: error: {one_line(str(err))}", err=True)
            ctx.exit(EXIT_USAGE)
        except _Terminated:  # before click turns it into Abort with a blank line first
            click.echo(TERMINATED_LINE, err=True)
            raise SystemExit(EXIT_TERMINATED) from None


@click.group(cls=DrillsGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="drills")
def cli() -> None:
    """Recovery drills for business automations.

    Inject a bad run into fake business systems, time the team's response and report
    what it cost and what the runbook is missing.

    \b
    Exit codes: 0 passed, 1 the drill or check failed, 2 bad input or usage.
    """


class _NeverRaised(click.UsageError):
    pass


_NoArgsIsHelp: type[click.UsageError] = getattr(click.exceptions, "NoArgsIsHelpError", _NeverRaised)
"""Click 8.2+ raises this for a group run with no command; older click prints help itself."""


def main(argv: list[str] | None = None) -> int:
    """Console-script entry point; returns the exit code instead of raising SystemExit.

    A usage mistake (an unknown option, a value of the wrong type) is one line, like
    every other bad input: ``drills: error: ...`` and where to look, exit 2. Click's
    own rendering would print the usage block first and the error last.
    """
    try:
        previous = signal.signal(signal.SIGTERM, _terminate)
    except ValueError:  # not the main thread: no handler can be installed there
        previous = None
    _SIGTERM_SEEN.clear()
    try:
        code = _main(argv)
    except _Terminated:  # SIGTERM before or after a command ran
        click.echo(TERMINATED_LINE, err=True)
        return EXIT_TERMINATED
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    if _SIGTERM_SEEN.is_set() and code != EXIT_TERMINATED:  # the exception was swallowed
        click.echo(TERMINATED_LINE, err=True)
        return EXIT_TERMINATED
    return code


def _main(argv: list[str] | None) -> int:
    try:
        code = cli.main(args=argv, prog_name="drills", standalone_mode=False)
    except _NoArgsIsHelp as err:  # a bare 'drills' or group: the help, as click shows it
        click.echo(err.format_message(), err=True)
        return EXIT_USAGE
    except click.UsageError as err:
        click.echo(f"drills: error: {usage_line(err)}", err=True)
        return EXIT_USAGE
    except click.Abort:
        click.echo("drills: aborted", err=True)
        return EXIT_FAILED
    except click.ClickException as err:
        click.echo(f"drills: error: {err.format_message()}", err=True)
        return err.exit_code
    except SystemExit as exit_:
        code = exit_.code
        return code if isinstance(code, int) else (0 if code is None else EXIT_USAGE)
    return code if isinstance(code, int) else EXIT_OK


def say(text: str, *, err: bool = False) -> None:
    """Print one line the way error lines are printed: a path, name or title from a file
    holding ESC, OSC or a right-to-left override shows as its escape (``\\x1b``), never
    acting on the terminal."""
    click.echo(one_line(text), err=err)


def usage_line(err: click.UsageError) -> str:
    """Click's message on one line, with the command whose ``--help`` says how to fix it."""
    message = " ".join(err.format_message().split())
    ctx = err.ctx
    where = ctx.command_path if ctx is not None else "drills"
    return f"{message} (see '{where} --help')"


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
