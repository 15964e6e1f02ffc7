"""The benchmark cannot rot: it runs at a tiny size and prints a well-formed table.

Timings are not checked here (they belong to the benchmark's own output); what is
checked is that every phase has a figure, every floor phase a time and a ratio, and
that the Markdown file it writes holds the same table.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import meter
from benchmarks.meter import Meter

pytestmark = pytest.mark.slow

REPO = Path(__file__).parents[1]
PHASES = ("seed", "snapshot", "bad run (event loop)", "review of the run", "scope and tag",
          "repair", "reconcile", "report", "whole scripted drill")
WITH_FLOOR = ("seed", "snapshot", "bad run (event loop)", "scope and tag", "repair",
              "reconcile", "whole scripted drill")
NUMBER = r"\d+\.\d\d"


def bench(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONWARNINGS": "error"}
    return subprocess.run(
        [sys.executable, "-m", "benchmarks.run", *args],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False,
    )


def test_smallest_size_prints_a_well_formed_table(tmp_path: Path) -> None:
    out = tmp_path / "results" / "tiny.md"
    run = bench("--sizes", "2k", "--backends", "sqlite", "--no-library", "--out", str(out))
    assert run.returncode == 0, run.stderr
    tables = [[line for line in block.splitlines() if line.startswith("| ")]
              for block in run.stdout.split("\n\n")]
    rows, shapes = (t for t in tables if t)
    assert rows[0] == ("| phase | size | backend | seconds | peak MiB | floor s | ratio | "
                       "target |")
    cells = {r.split(" | ")[0].lstrip("| "): [c.strip() for c in r.strip("|").split("|")]
             for r in rows[1:]}
    assert tuple(cells) == PHASES
    for phase, (_, size, backend, secs, mib, floor, ratio, _target) in cells.items():
        assert (size, backend) == ("2k", "sqlite")
        assert re.fullmatch(NUMBER, secs), (phase, secs)
        assert re.fullmatch(r"[1-9]\d*", mib), (phase, mib)
        if phase in WITH_FLOOR:
            assert re.fullmatch(NUMBER, floor), (phase, floor)
            assert re.fullmatch(r"\d+\.\dx", ratio), (phase, ratio)
        else:
            assert (floor, ratio) == ("-", "-")
    whole = float(cells["whole scripted drill"][3])
    assert whole >= sum(float(cells[p][3]) for p in PHASES[:-1]) - 0.05
    assert run.stdout.startswith("Machine: ")
    assert "Command: `python -m benchmarks.run --sizes 2k" in run.stdout
    assert out.read_text() == run.stdout
    # The other shape (a triple trigger), drilled by default: every phase with its
    # time, memory and CPU split, then the whole drill.
    assert shapes[0] == ("| shape | size | backend | phase | seconds | peak MiB | user s | "
                         "system s |")
    other = [[c.strip() for c in r.strip("|").split("|")] for r in shapes[1:]]
    assert {tuple(c[:3]) for c in other} == {("triple-trigger", "2k", "sqlite")}
    assert [c[3] for c in other][-1] == "whole scripted drill"
    assert {"seed", "bad run (event loop)", "report"} <= {c[3] for c in other}
    for c in other[:-1]:
        assert all(re.fullmatch(NUMBER, x) for x in (c[4], c[6], c[7])), c


def test_a_bad_size_is_one_line_and_exit_2() -> None:
    run = bench("--sizes", "10q")
    assert run.returncode == 2
    assert run.stderr.startswith("benchmarks: error: argument --sizes: size '10q' is not a count")
    assert len(run.stderr.splitlines()) == 1


def test_a_bad_shape_is_one_line_and_exit_2() -> None:
    run = bench("--shapes", "quadruple")
    assert run.returncode == 2
    assert run.stderr == ("benchmarks: error: argument --shapes: unknown shape 'quadruple'; "
                          "choose from triple-trigger, or none\n")


def test_a_bad_backend_is_one_line_and_exit_2() -> None:
    run = bench("--backends", "sqlite,oracle")
    assert run.returncode == 2
    assert run.stderr == ("benchmarks: error: argument --backends: unknown backend 'oracle'; "
                          "choose from sqlite, postgresql\n")


def test_a_phase_inside_another_takes_its_own_time(monkeypatch: pytest.MonkeyPatch) -> None:
    ticks = iter(range(100))
    monkeypatch.setattr(meter, "_CLOCK", (lambda: float(next(ticks)),))
    m = Meter(rest="rest")
    m.start()  # 0
    with m.phase("scope"):  # switch at 1, since 2
        # switch at 3, since 4; the second, inside itself, does not switch
        with m.phase("truth"), m.phase("truth"):
            pass
        # back to scope at 5, since 6
        with m.phase("scope"):  # inside itself: no switch
            pass
    # back to rest at 7, since 8
    figures = m.stop()  # 9
    seconds = {name: f.seconds for name, f in figures.items()}
    assert seconds == {"rest": (1 - 0) + (9 - 8), "scope": (3 - 2) + (7 - 6), "truth": 5 - 4}
    assert {name: f.calls for name, f in figures.items()} == {"rest": 0, "scope": 1, "truth": 1}
