"""The complete runbook on every built-in scenario and seed: what it leaves behind.

Rule: every finding can be closed by some runbook, so the complete runbook (``drills
init``'s) must leave no record wrong, overwrite no person's edit and get no finding of
severity medium or above. ``python scripts/fairness.py [--seeds 1-20]`` prints every
drill that breaks that, and a line per scenario; the property test in
``tests/judging/test_fair_noise.py`` checks the same on a sample.
"""

from __future__ import annotations

import argparse
import sys

from drills.api import run_drill
from drills.reports.findings import Severity
from drills.runbook.complete import complete_runbook
from drills.scenarios.loader import builtin_names, load_scenario

SERIOUS = {Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", default="1-20", help="a seed or a range, e.g. 1-20")
    parser.add_argument("--only", nargs="*", help="scenario names (default: every one)")
    args = parser.parse_args()
    low, _, high = args.seeds.partition("-")
    seeds = range(int(low), int(high or low) + 1)
    bad = 0
    for name in args.only or builtin_names():
        base = load_scenario(name)
        broken = 0
        for seed in seeds:
            scenario = base.model_copy(update={"seed": seed})
            report = run_drill(scenario, complete_runbook(scenario), costs=False)
            o = report.outcome
            serious = sorted({f.code for f in report.findings if f.severity in SERIOUS})
            if o.records_left_wrong or o.human_edits_overwritten or serious:
                broken += 1
                print(f"  {name} seed {seed}: left wrong {o.records_left_wrong}, "
                      f"overwritten {o.human_edits_overwritten}, findings {serious}",
                      flush=True)
        bad += broken
        print(f"{name}: {len(seeds) - broken}/{len(seeds)} clean", flush=True)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
