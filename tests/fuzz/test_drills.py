"""Scenario files that load must drill: fuzzed knobs on small worlds, run end to end.

The structural fuzzing in ``test_loaders.py`` rarely makes a file that loads, so
this strategy keeps the structure of a built-in scenario and turns its knobs to odd
but plausible values: seeds at the edges, start times across the centuries and in
time zones, rates from one a day to the limit, tiny percentages, instant and week-long
delays, schedules of one second. Each file is written and loaded like any other;
one that loads is drilled on a world capped small, with a complete runbook, and must
finish with a report. One that does not load must say so in one line.
"""

from __future__ import annotations

import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drills.api import run_drill
from drills.runbook.complete import complete_runbook
from drills.scenarios.loader import load_scenario, validate_scenario_file
from tests.fuzz.strategies import SCENARIO_SEEDS, dump, encode, seed_data
from tests.fuzz.tally import count
from tests.fuzz.test_loaders import load_or_refuse

pytestmark = pytest.mark.slow

SMALL = 40
"""Records per table in a fuzzed drill: enough for every fault to show."""


def durations(most: int) -> st.SearchStrategy[str | int]:
    """A duration as a file spells it, from 0s to ``most`` seconds (or a bit over)."""
    seconds = st.one_of(st.sampled_from([0, 1, 59, 60, most, most + 1]), st.integers(0, most))
    return st.one_of(
        seconds,
        seconds.map(lambda s: f"{s}s"),
        seconds.map(lambda s: f"{s // 60}m"),
        seconds.map(lambda s: f"{s // 3600}h{s % 3600 // 60}m"),
    )


def rates() -> st.SearchStrategy[str]:
    count = st.one_of(
        st.sampled_from(["0.001", "1", "4", "1000000", "1000001"]),
        st.integers(1, 5_000).map(str),
        st.floats(0.001, 100, allow_nan=False).map(lambda x: f"{x:.3f}"),
    )
    return st.tuples(count, st.sampled_from(["s", "min", "h", "d"])).map(
        lambda p: f"{p[0]}/{p[1]}"
    )


def starts() -> st.SearchStrategy[str]:
    moments = st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31))
    zones = st.sampled_from(["", "Z", "+05:30", "-12:00", "+14:00"])
    edges = st.sampled_from([
        "1900-01-01T00:00:00", "2999-12-31T23:59:59", "9999-12-31T23:00:00",
        "0001-01-01T00:00:00", "2026-03-29T01:30:00", "2024-02-29T23:59:59",
    ])
    return st.one_of(edges, st.tuples(moments, zones).map(
        lambda p: p[0].isoformat(timespec="seconds") + p[1]))


def _set(data: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    node = data
    for key in path[:-1]:
        node = node.setdefault(key, {})
    node[path[-1]] = value


KNOBS: dict[tuple[str, ...], st.SearchStrategy[Any]] = {
    ("seed",): st.one_of(st.sampled_from([0, 1, 2**63 - 1, 2**63]), st.integers(0, 2**40)),
    ("starts",): starts(),
    ("runs_for",): durations(3 * 3600),
    ("escalation_delay",): durations(7 * 86_400),
    ("fault", "starts"): durations(3 * 3600),
    ("fault", "rate"): rates(),
    ("fault", "reach"): st.one_of(
        st.integers(0, 60),
        st.sampled_from(["0.0001%", "1%", "50%", "100%", "100.5%"]),
    ),
    ("world", "warehouse", "every"): durations(3600),
    ("people", "edits_per_hour"): st.integers(0, 300),
    ("people", "complaints"): st.fixed_dictionaries(
        {"first_after": st.integers(0, 20), "every": durations(3600)}),
    ("people", "shadow_fixes"): st.fixed_dictionaries(
        {"start_after_silence": durations(7200), "per_hour": st.integers(0, 300)}),
}


def _small(data: dict[str, Any]) -> dict[str, Any]:
    for system, tables in data["world"].items():
        if system in ("warehouse", "syncs") or not isinstance(tables, dict):
            continue
        for table, n in tables.items():
            tables[table] = min(n, SMALL)
    reach = data["fault"].get("reach")
    if isinstance(reach, int):
        data["fault"]["reach"] = min(reach, SMALL // 4)
    data["runs_for"] = "2h"
    return data


@st.composite
def scenario_files(draw: st.DrawFn) -> tuple[str, bytes]:
    seed = draw(st.sampled_from(SCENARIO_SEEDS))
    data = _small(seed_data(seed))
    turned = draw(st.lists(st.sampled_from(sorted(KNOBS)), min_size=1, max_size=4, unique=True))
    for path in turned:
        _set(data, path, draw(KNOBS[path]))
    return seed.name, encode(dump(data))


@settings(settings.get_profile("fuzz-drills"))
@given(case=scenario_files())
def test_a_fuzzed_scenario_that_loads_also_drills(case: tuple[str, bytes]) -> None:
    _, raw = case
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "knobs.yaml"
        path.write_bytes(raw)
        scenario = load_or_refuse(load_scenario, validate_scenario_file, path)
    if scenario is None:
        count("drills", "refused")
        return
    report = run_drill(scenario, complete_runbook(scenario), costs=False)
    count("drills", "drilled")
    assert report.outcome.records_damaged >= report.outcome.records_left_wrong >= 0
    assert report.seed == scenario.seed
    report.model_dump_json()  # every report can be written
