"""The team's own code in a drill: a runbook step that calls ``package.module:function``.

A runbook's pause step can be ``call: ops.reminders:pause_all`` - the team's real
pause script. In a drill it runs against the fake world at the step's drill time
(``datetime.now()`` reads drill time) and acts only through :class:`AutomationControl`,
the same levers a person has: pause the job, turn off a feeder or queue. Whether the
bad run was contained is judged from the world afterwards, never from what the
script says it did.

The script runs through :func:`drills.teamcode.call_team`: should it raise, call
``sys.exit`` or hang past the call timeout, the drill stops with one
:class:`~drills.teamcode.TeamCodeError` line naming the step and the script's own line.
A failing script is not a runbook gap the drill could measure: it is code to fix first.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from drills.engine.runtime import AutomationRuntime
from drills.errors import DrillsError
from drills.fakes.store import SqlStore
from drills.runbook import Runbook
from drills.scenarios.schema import Scenario
from drills.teamcode import TeamCodeError, call_team, import_team_module

__all__ = [
    "TRUSTED_ENV",
    "AutomationControl",
    "CodeTrust",
    "HookContext",
    "HookError",
    "PauseHook",
    "TeamCodeError",
    "UntrustedCodeError",
    "call_label",
    "named_code",
    "resolve_hook",
    "run_hook",
    "untrusted_message",
]

TRUSTED_ENV = "DRILLS_TRUSTED"
"""Comma-separated module prefixes whose code files from elsewhere may name."""


class HookError(DrillsError):
    """A runbook step names a callable that cannot be found."""


class AutomationControl:
    """The levers a pause script may pull, and what it may look at."""

    def __init__(self, runtime: AutomationRuntime, now: Callable[[], datetime]) -> None:
        self._runtime = runtime
        self._now = now

    @property
    def job(self) -> str:
        return self._runtime.scenario.automation.name

    @property
    def live_feeders(self) -> list[str]:
        return [f.name for f in self._runtime.left_running]

    @property
    def paused(self) -> bool:
        return self._runtime.job_paused

    def pause_job(self, name: str) -> bool:
        """Pause the job; False when the automation has no job of that name."""
        return self._runtime.pause_job(name, self._now())

    def stop_feeder(self, name: str) -> bool:
        """Disable a feeder or stop a queue; False when there is no such feeder."""
        return self._runtime.stop_feeder(name, self._now())


@dataclass(frozen=True)
class HookContext:
    """What a team's pause code receives."""

    at: datetime
    scenario: Scenario
    store: SqlStore
    control: AutomationControl


PauseHook = Callable[[HookContext], object]
"""Called with the context; its return value (if text) goes into the shared log."""


def call_label(target: str) -> str:
    """How an error names a pause step's code: ``runbook step 'call: ops.pause:all'``."""
    return f"runbook step 'call: {target}'"


def resolve_hook(target: str, hooks: Mapping[str, PauseHook]) -> PauseHook:
    """A hook passed in by name, else the callable ``package.module:function`` imports to.

    A module that fails on import for any reason but a missing module is the team's
    code failing: a :class:`~drills.teamcode.TeamCodeError` naming its line.
    """
    if target in hooks:
        return hooks[target]
    module_name, _, attr = target.partition(":")
    try:
        module = import_team_module(call_label(target), module_name)
    except ImportError as err:
        raise HookError(
            f"{call_label(target)}: cannot import '{module_name}' ({err}); "
            "install the team's package or pass the function to the drill"
        ) from None
    func = getattr(module, attr, None)
    if not callable(func):
        raise HookError(f"{call_label(target)}: '{module_name}' has no function '{attr}'")
    hook: PauseHook = func
    return hook


def run_hook(target: str, hook: PauseHook, context: HookContext) -> object:
    """Call the team's pause code for ``call: target``, within the call timeout.

    Its return value, or a :class:`~drills.teamcode.TeamCodeError` when it raises, calls
    ``sys.exit`` or does not return in time.
    """
    return call_team(call_label(target), hook, context)


# -- trust: code named in files from elsewhere -----------------------------------------


class UntrustedCodeError(DrillsError):
    """A file names code to import, and the user has not said that code may run."""


@dataclass(frozen=True)
class CodeTrust:
    """Which code named in a file (``package.module:function``) may be imported and run.

    ``drills score``, ``drills report`` and ``drills live --resume`` read files a team
    may have received from someone else; they import nothing those files name unless
    the user trusts it: every module (``--trust-code``), or modules under the prefixes
    of ``DRILLS_TRUSTED`` (``ops,acme.billing`` trusts ``ops.pause`` and
    ``acme.billing.jobs``, not ``opsx``).
    """

    everything: bool = False
    prefixes: tuple[str, ...] = ()

    @classmethod
    def from_env(cls, everything: bool = False,
                 environ: Mapping[str, str] | None = None) -> CodeTrust:
        """``--trust-code`` (``everything``) plus the prefixes ``DRILLS_TRUSTED`` lists."""
        text = (os.environ if environ is None else environ).get(TRUSTED_ENV, "")
        prefixes = tuple(p.strip() for p in text.split(",") if p.strip())
        return cls(everything=everything, prefixes=prefixes)

    def allows(self, target: str) -> bool:
        """Whether ``package.module:function`` may be imported."""
        if self.everything:
            return True
        module = target.partition(":")[0]
        return any(module == p or module.startswith(p + ".") for p in self.prefixes)

    def refused(self, names: list[str]) -> list[str]:
        """The names this trust does not allow, in order."""
        return [n for n in names if not self.allows(n)]


def named_code(scenario: Scenario | None, runbook: Runbook | None) -> list[str]:
    """Every ``package.module:function`` a drill of these would import: the scenario's
    ``automation.callable`` and the runbook's pause steps' ``call:``, each once."""
    names: list[str] = []
    if scenario is not None and scenario.automation.callable is not None:
        names.append(scenario.automation.callable)
    if runbook is not None:
        names += [step.call for step in runbook.pause if step.call is not None]
    return list(dict.fromkeys(names))


def untrusted_message(where: str, names: list[str], what: str) -> str:
    """One line: what ``where`` names, that it was not run, and how to allow it."""
    modules = ",".join(dict.fromkeys(n.partition(":")[0] for n in names))
    return (f"{where} names code to run ({', '.join(names)}); {what}, because code named "
            f"in files is imported only when trusted: add --trust-code if you trust this "
            f"file, or set {TRUSTED_ENV}={modules}")
