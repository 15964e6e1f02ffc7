"""What ``drills check`` will drill: runbooks, the scenarios for each, and a shard of them.

The scenarios of a runbook come from ``--scenario`` (names, files, folders, globs),
else from ``[tool.drills.scenarios]``, else the built-in ones for its automation. The
work is one drill per runbook and scenario; ``--shard K/N`` keeps every N-th of the
sorted pairs, starting at the K-th, so a CI matrix's jobs split it without talking to
each other, and a runbook no scenario drills is one piece of work too (its lint).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from drills.cli.config import LoadedConfig
from drills.cli.paths import RUNBOOK_PATTERNS, SCENARIO_PATTERNS, expand, is_glob
from drills.errors import DrillsError
from drills.reports.checkresult import DrillResult, LocatedFinding
from drills.runbook import LoadedRunbook, read_runbook
from drills.scenarios.loader import builtin_by_automation, load_scenario
from drills.scenarios.schema import Scenario

__all__ = [
    "CheckOptionError",
    "RunbookPlan",
    "ScenarioMismatchError",
    "configured_scenarios",
    "named_scenarios",
    "parse_shard",
    "plan",
    "read_runbooks",
    "scenario_names",
    "shard",
]


class CheckOptionError(DrillsError):
    """A ``drills check`` option, or combination of them, that cannot be used as given."""


class ScenarioMismatchError(DrillsError):
    """A scenario that drills an automation none of the given runbooks is for."""



@dataclass
class RunbookPlan:
    """One runbook to check: the scenarios that drill it, and its lint once run."""

    loaded: LoadedRunbook
    scenarios: list[Scenario]
    lint: list[LocatedFinding] = field(default_factory=list)
    linted_at: datetime | None = None
    drills: list[DrillResult] = field(default_factory=list)

    @property
    def file(self) -> str:
        return self.loaded.file

    @property
    def automation(self) -> str:
        return self.loaded.runbook.automation


def read_runbooks(paths: Sequence[Path]) -> list[LoadedRunbook]:
    return [read_runbook(path) for path in paths]


def scenario_names(items: Sequence[str]) -> list[tuple[str, str | None]]:
    """``--scenario`` values with folders and globs expanded: (scenario, the pattern it
    came from, None for one named alone); names pass through."""
    out: dict[str, str | None] = {}
    for item in items:
        if Path(item).is_dir() or is_glob(item):
            for p in expand([item], SCENARIO_PATTERNS, what="scenario", option="--scenario",
                            skip=RUNBOOK_PATTERNS):
                out.setdefault(str(p), item)
        else:
            out[item] = None
    return list(out.items())


def named_scenarios(loaded: Sequence[LoadedRunbook],
           named: Sequence[tuple[str, str | None]]) -> dict[str, list[Scenario]]:
    """``--scenario`` values by automation. One named alone that drills none of the
    runbooks is an error; from a folder or glob it is passed over, unless none of the
    pattern's scenarios fits."""
    chosen: dict[str, list[Scenario]] = {}
    autos = {lr.runbook.automation for lr in loaded}
    fitted: dict[str, bool] = {}
    for name, pattern in named:
        scenario = load_scenario(name)
        auto = scenario.automation.name
        if pattern is not None:
            fitted[pattern] = fitted.get(pattern, False) or auto in autos
            if auto not in autos:
                continue
        if auto not in autos:
            if len(loaded) == 1:
                only = loaded[0]
                raise ScenarioMismatchError(
                    f"--scenario {name} drills '{auto}', but {only.file} is the runbook for "
                    f"'{only.runbook.automation}'; name a scenario for "
                    f"'{only.runbook.automation}' or leave --scenario out")
            raise ScenarioMismatchError(
                f"--scenario {name} drills '{auto}', but no runbook given is for it "
                f"(they are for: {', '.join(sorted(autos))}); add its runbook or drop the "
                "--scenario")
        group = chosen.setdefault(auto, [])
        if all(s.name != scenario.name for s in group):
            group.append(scenario)
    for pattern, fits in fitted.items():
        if not fits:
            raise ScenarioMismatchError(
                f"--scenario {pattern}: none of the scenarios it matches drills the "
                f"automations of the runbooks given ({', '.join(sorted(autos))}); check the "
                "pattern, or add their runbooks")
    return chosen


def configured_scenarios(config: LoadedConfig) -> dict[str, list[Scenario]]:
    """``[tool.drills.scenarios]``: files (relative to the configuration) or built-in names."""
    chosen: dict[str, list[Scenario]] = {}
    for auto, refs in config.config.scenarios.items():
        group = chosen.setdefault(auto, [])
        for i, ref in enumerate(refs):
            where = f"{config.shown}:{config.line_of('scenarios', auto)}"
            looks_like_file = "/" in ref or ref.endswith((".yaml", ".yml")) or is_glob(ref)
            paths = [str(config.resolve(ref))] if looks_like_file else [ref]
            if looks_like_file and (is_glob(ref) or config.resolve(ref).is_dir()):
                paths = [str(p) for p in expand(paths, SCENARIO_PATTERNS, what="scenario",
                                                option=f"{where}: scenarios.{auto}[{i}]",
                                                skip=RUNBOOK_PATTERNS)]
            for path in paths:
                try:
                    scenario = load_scenario(path)
                except DrillsError as err:
                    raise DrillsError(f"{where}: scenarios.{auto}[{i}]: {err}") from None
                if scenario.automation.name != auto:
                    raise ScenarioMismatchError(
                        f"{where}: scenarios.{auto}[{i}] is '{ref}', which drills "
                        f"'{scenario.automation.name}', not '{auto}'; list it under "
                        f"'{scenario.automation.name}'")
                if all(s.name != scenario.name for s in group):
                    group.append(scenario)
    return chosen


def plan(loaded: Sequence[LoadedRunbook],
         chosen: Mapping[str, list[Scenario]]) -> list[RunbookPlan]:
    builtin: dict[str, list[Scenario]] | None = None
    out: list[RunbookPlan] = []
    for lr in loaded:
        auto = lr.runbook.automation
        if auto in chosen:
            out.append(RunbookPlan(lr, list(chosen[auto])))
            continue
        if builtin is None:
            builtin = builtin_by_automation()
        out.append(RunbookPlan(lr, list(builtin.get(auto, []))))
    return out


def parse_shard(text: str | None) -> tuple[int, int] | None:
    """``2/4`` -> (2, 4); anything else is one error saying how to write it."""
    if text is None:
        return None
    k, _, n = text.partition("/")
    if k.strip().isdigit() and n.strip().isdigit() and 1 <= int(k) <= int(n):
        return int(k), int(n)
    raise CheckOptionError(f"--shard {text!r} is not K/N with 1 <= K <= N; give which slice "
                           "of how many, e.g. --shard 1/4")


def units(runbooks: Sequence[RunbookPlan]) -> list[tuple[str, str]]:
    """Every piece of work as (runbook, scenario), '' for a runbook no scenario drills, in
    sorted order: what ``--shard`` deals out."""
    return sorted({(r.file, s.name) for r in runbooks for s in r.scenarios}
                  | {(r.file, "") for r in runbooks if not r.scenarios})


def shard(runbooks: list[RunbookPlan], shard: tuple[int, int] | None) -> list[RunbookPlan]:
    """The runbooks and scenarios of slice K of N: every N-th unit of the sorted work."""
    if shard is None:
        return runbooks
    k, n = shard
    mine = {u for i, u in enumerate(units(runbooks)) if i % n == k - 1}
    out: list[RunbookPlan] = []
    for r in runbooks:
        scenarios = [s for s in r.scenarios if (r.file, s.name) in mine]
        if scenarios or (r.file, "") in mine:
            out.append(RunbookPlan(r.loaded, scenarios))
    return out
