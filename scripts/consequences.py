"""Records left wrong per built-in scenario for three runbooks: the complete one, the same
without an export or a snapshot, and the same with every feeder left running.

Used to show what a runbook gap costs in the drill world (``python scripts/consequences.py
[--seeds 1-3]``); every figure is a real drill on the seed, nothing is estimated.
"""

from __future__ import annotations

import argparse
import copy
from typing import Any

from drills.judging.endstate import evaluate
from drills.responders.scripted import Drill
from drills.runbook import Runbook
from drills.runbook.complete import complete_sections
from drills.scenarios.loader import builtin_names, load_scenario


def _variants(sections: dict[str, Any], feeders: bool) -> dict[str, dict[str, Any]]:
    bare = copy.deepcopy(sections)
    bare.pop("snapshot", None)
    bare.pop("last_clean_export", None)
    out = {"complete": sections, "no export, no snapshot": bare}
    if feeders:
        running = copy.deepcopy(sections)
        running["pause"] = [s for s in running["pause"] if "pause_job" in s]
        out["feeders left running"] = running
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", default="1", help="a seed or a range, e.g. 1-5")
    args = parser.parse_args()
    low, _, high = args.seeds.partition("-")
    seeds = range(int(low), int(high or low) + 1)
    print(f"{'scenario':38} {'runbook':24} {'damaged':>8} {'left wrong':>10}")
    for name in builtin_names():
        base = load_scenario(name)
        for seed in seeds:
            scenario = base.model_copy(update={"seed": seed})
            sections = complete_sections(scenario)
            for label, data in _variants(sections, bool(scenario.automation.feeders)).items():
                result = Drill(scenario, Runbook.model_validate(data)).run()
                ev = evaluate(result)
                print(f"{name + ('' if len(seeds) == 1 else f' #{seed}'):38} {label:24} "
                      f"{ev.records_damaged:8,} {ev.records_left_wrong:10,}", flush=True)


if __name__ == "__main__":
    main()
