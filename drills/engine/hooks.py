"""The team's own code in a drill: a runbook step that calls ``package.module:function``.

A runbook's pause step can be ``call: ops.reminders:pause_all`` - the team's real
pause script. In a drill it runs against the fake world at the step's drill time
(``datetime.now()`` reads drill time) and acts only through :class:`AutomationControl`,
the same levers a person has: pause the job, turn off a feeder or queue. Whether the
bad run was contained is judged from the world afterwards, never from what the
script says it did.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from drills.engine.runtime import AutomationRuntime
from drills.errors import DrillsError
from drills.fakes.store import SqlStore
from drills.scenarios.schema import Scenario

__all__ = ["AutomationControl", "HookContext", "HookError", "PauseHook", "resolve_hook"]


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


def resolve_hook(target: str, hooks: Mapping[str, PauseHook]) -> PauseHook:
    """A hook passed in by name, else the callable ``package.module:function`` imports to."""
    if target in hooks:
        return hooks[target]
    module_name, _, attr = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as err:
        raise HookError(
            f"runbook step 'call: {target}': cannot import '{module_name}' ({err}); "
            "install the team's package or pass the function to the drill"
        ) from None
    func = getattr(module, attr, None)
    if not callable(func):
        raise HookError(
            f"runbook step 'call: {target}': '{module_name}' has no function '{attr}'"
        )
    hook: PauseHook = func
    return hook
