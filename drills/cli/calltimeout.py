"""``--call-timeout SECONDS``: how long one call of the team's own code may run.

``drills run``, ``drills check`` and ``drills live`` call the team's code (a runbook's
``call:`` steps, a scenario's ``automation.callable``) and take the option alike. Without
it, ``DRILLS_CALL_TIMEOUT`` applies, else 10 s (:mod:`drills.teamcode`). A value that is
not a number of seconds above 0, from either place, is one ``drills: error:`` line and
exit 2 before anything runs. The command need not pass the value on: it holds for the
rest of the command, and ends with it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from drills.teamcode import (
    CALL_TIMEOUT_ENV,
    DEFAULT_CALL_TIMEOUT,
    parse_call_timeout,
    using_call_timeout,
)

__all__ = ["CALL_TIMEOUT_HELP", "call_timeout_option"]

F = TypeVar("F", bound=Callable[..., Any])

CALL_TIMEOUT_HELP = (
    "Seconds one call of the team's own code (a runbook 'call:' step, a scenario's "
    "automation.callable) may run before the drill stops with exit 2. Default: "
    f"${CALL_TIMEOUT_ENV}, else {DEFAULT_CALL_TIMEOUT:g}."
)


def _hold(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value is None:
        return
    from_env = ctx.get_parameter_source(param.name or "") is click.core.ParameterSource.ENVIRONMENT
    seconds = parse_call_timeout(value, CALL_TIMEOUT_ENV if from_env else "--call-timeout")
    ctx.with_resource(using_call_timeout(seconds))


def call_timeout_option(function: F) -> F:
    """Add ``--call-timeout SECONDS`` (read from ``DRILLS_CALL_TIMEOUT`` when not given)."""
    option = click.option("--call-timeout", metavar="SECONDS", envvar=CALL_TIMEOUT_ENV,
                          default=None, expose_value=False, callback=_hold,
                          help=CALL_TIMEOUT_HELP)
    return option(function)
