"""The two baselines every drill's score is set between, run on the same seeded world.

- **Doing nothing**: nobody acts in the drill window - no stop rule, no pause, no
  repair, no note. The bad run and its feeders go on until they run out or the window
  ends; complaints still arrive and people still start their own fixes.
- **The perfect response**: the complete runbook for this scenario
  (:func:`drills.runbook.complete.complete_sections`) followed by the scripted responder.

Both are reruns of the drill's own seed (:class:`~drills.judging.costs.Reruns`), forked
from the drill's seeded world, so they share the gap-cost reruns' process pool and
cache: a scenario's baselines are measured once per process, whichever runbook is
drilled against it. The perfect runbook's stop rules are also tried on a healthy run
(forked from the same world), so its false alarms (none, for a complete runbook) count
as they do for the team's.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass

from drills.engine.hooks import PauseHook
from drills.fakes.backends.spec import BackendSpec
from drills.fakes.world import WorldTemplate
from drills.judging.costs import Reruns, perfect_runbook
from drills.judging.harm import Harm
from drills.judging.rerun_cache import cache_file
from drills.judging.trials import rule_findings
from drills.scenarios.schema import Scenario

__all__ = ["Baselines", "baselines"]


@dataclass(frozen=True)
class Baselines:
    """The harm of doing nothing and of the perfect response, on the drill's seed."""

    nothing: Harm
    perfect: Harm


_FALSE_ALARMS: dict[str, float] = {}
"""Per scenario: minutes the perfect runbook's stop rules pause a healthy run."""


def _false_alarm_minutes(scenario: Scenario, template: WorldTemplate | None = None) -> float:
    key = scenario.model_dump_json()
    if key not in _FALSE_ALARMS:
        path = cache_file(key, "perfect runbook's false alarms")
        try:
            _FALSE_ALARMS[key] = float(path.read_text(encoding="utf-8")) if path else -1.0
        except (OSError, ValueError):
            _FALSE_ALARMS[key] = -1.0
        if _FALSE_ALARMS[key] < 0:
            found = rule_findings(scenario, perfect_runbook(scenario), template)
            _FALSE_ALARMS[key] = sum(
                f.cost.healthy_minutes_paused for f in found if f.cost is not None)
            if path is not None:
                with contextlib.suppress(OSError):
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_text(repr(_FALSE_ALARMS[key]), encoding="utf-8")
    return _FALSE_ALARMS[key]


def baselines(
    scenario: Scenario,
    *,
    hooks: Mapping[str, PauseHook] | None = None,
    backend: BackendSpec | None = None,
    reruns: Reruns | None = None,
) -> Baselines:
    """Both baselines for ``scenario``: from ``reruns`` when it measured them already
    (the gap costs run them in their first batch), else run now, side by side."""
    reruns = reruns or Reruns(scenario, hooks, backend)
    perfect = perfect_runbook(scenario)
    reruns.run_all([None, perfect])
    return Baselines(
        nothing=reruns.get(None).harm,
        perfect=reruns.get(perfect).harm.with_healthy_paused(
            _false_alarm_minutes(scenario, reruns.template)),
    )
