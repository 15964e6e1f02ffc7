"""The fault registry: every kind is complete, and a new kind is one new module, nothing else."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import get_args

import pytest

from drills.runbook import parse_stop_rule
from drills.runbook.complete import STOP_RULE_FOR
from drills.runbook.scaffold import PROFILES, InitOptions, ScaffoldError, build_scaffold
from drills.scenarios.faults import FAULT_KINDS, FAULTS, FaultKind, FaultSpec
from drills.scenarios.loader import builtin_scenarios
from drills.scenarios.schema import Fault

REPO = Path(__file__).parents[2]
KINDS = list(FAULT_KINDS)


def test_every_kind_module_is_registered() -> None:
    modules = {
        p.stem for p in (REPO / "scenarios" / "faults").glob("*.py")
        if p.stem not in ("base", "registry") and not p.stem.startswith("_")
    }
    assert modules == set(FAULTS)
    assert tuple(FAULTS) == FAULT_KINDS
    assert [k.position for k in FAULTS.values()] == sorted(k.position for k in FAULTS.values())


def test_the_schema_union_is_the_registry() -> None:
    union = get_args(get_args(Fault)[0])
    assert [model for model in union] == [kind.spec for kind in FAULTS.values()]


@pytest.mark.parametrize("name", KINDS)
def test_a_kind_is_complete(name: str) -> None:
    kind = FAULTS[name]
    assert isinstance(kind, FaultKind)
    assert kind.name == name
    assert kind.title
    assert "\n" not in kind.title
    assert get_args(kind.spec.model_fields["kind"].annotation) == (name,)
    assert kind.spec.__doc__
    assert STOP_RULE_FOR[name] == kind.default_stop_rule


@pytest.mark.parametrize("name", KINDS)
def test_a_kind_has_a_library_scenario(name: str) -> None:
    assert name in {info.fault for info in builtin_scenarios()}


@pytest.mark.parametrize("name", KINDS)
def test_a_kind_is_listed_in_the_docs_with_its_keys_and_stop_rule(name: str) -> None:
    """docs/faults.md has a row per kind naming what it models, its own keys, its
    default stop rule and its built-in scenarios."""
    text = (REPO / "docs" / "faults.md").read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if line.startswith(f"| `{name}` |")]
    assert len(rows) == 1, f"docs/faults.md lists no row for {name}"
    row = rows[0]
    common = set(FaultSpec.model_fields)
    for key in (k for k in FAULTS[name].spec.model_fields if k not in common):
        assert f"`{key}`" in row, f"docs/faults.md: {name} does not name its key '{key}'"
    assert f"`{FAULTS[name].default_stop_rule}`" in row
    for info in builtin_scenarios():
        if info.fault == name:
            assert f"`{info.name}`" in row, info.name


@pytest.mark.parametrize("name", KINDS)
def test_a_kinds_default_stop_rule_parses(name: str) -> None:
    rule = parse_stop_rule(FAULTS[name].default_stop_rule)
    assert rule.parsed, rule.problem
    assert rule.canonical == FAULTS[name].default_stop_rule


@pytest.mark.parametrize("name", KINDS)
def test_a_kinds_scaffold_validates(name: str) -> None:
    """On at least one table ``drills init`` knows, the scaffolded pair loads clean."""
    built = []
    for table in PROFILES:
        touches = ("customer_messages",) if PROFILES[table].email is not None else ()
        try:
            scaffold = build_scaffold(
                InitOptions(name="registry-check", table=table, touches=touches, fault=name)
            )
        except ScaffoldError:
            continue
        assert scaffold.scenario.fault.kind == name
        metric = parse_stop_rule(FAULTS[name].default_stop_rule).metric
        assert scaffold.runbook.stop_rules[0].metric == metric
        built.append(table)
    assert built, f"drills init cannot scaffold {name} on any table"


def test_each_default_is_picked_by_one_kind() -> None:
    for wanted in ("messaging jobs", "other jobs"):
        assert [n for n, k in FAULTS.items() if k.scaffold.default_for == wanted] != []
        assert len([n for n, k in FAULTS.items() if k.scaffold.default_for == wanted]) == 1


_EXTRA_KIND = '''
"""Fault kind ``stale_reads``: a throwaway kind, defined here and nowhere else."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from drills.fakes.automations import PlanContext, Record, Write
from drills.scenarios.faults.base import FaultKind, FaultSpec, Scaffolding


class StaleReads(FaultSpec):
    """The job works from a stale copy of the record."""

    kind: Literal["stale_reads"]
    lag: int = 3


@dataclass(frozen=True)
class StaleReadsInjector:
    kind: str = "stale_reads"
    ignores_filter: bool = False

    def bend(self, record: Record, plan: Sequence[Write], ctx: PlanContext) -> list[Write]:
        return list(plan)


FAULT = FaultKind(
    name="stale_reads",
    title="the job works from a stale copy of the record",
    position=99,
    spec=StaleReads,
    injector=lambda f, _table: StaleReadsInjector(),
    check=lambda f, auto, source: [(("fault", "lag"), "lag must be under 3")] if f.lag >= 3 else [],
    default_stop_rule="changed_records >= 7",
    scaffold=Scaffolding(keys=lambda site: {"lag": 1}, complaint="3 stale records"),
)
'''

_PROBE = '''
import sys
import drills.scenarios.faults as faults
faults.__path__.append(sys.argv[1])  # the only change: one more module beside the others

from drills.runbook.complete import STOP_RULE_FOR
from drills.runbook.scaffold import InitOptions, build_scaffold
from drills.scenarios.faults import FAULT_KINDS, injector_for
from drills.scenarios.jsonschema import scenario_json_schema
from drills.scenarios.loader import load_scenario
from drills.scenarios.schema import Scenario

data = load_scenario("invoice-triple-trigger").model_dump(mode="json", by_alias=True,
                                                          exclude_none=True)
data["fault"] = {"kind": "stale_reads", "rate": "5/min", "reach": 10}
scenario = Scenario.model_validate(data)
mapping = scenario_json_schema()["properties"]["fault"]["discriminator"]
scaffold = build_scaffold(InitOptions(name="stale", fault="stale_reads"))
print(FAULT_KINDS[-1], type(scenario.fault).__name__, scenario.cross_check(),
      injector_for(scenario.fault, "billing.invoices").kind, STOP_RULE_FOR["stale_reads"],
      mapping["mapping"]["stale_reads"], scaffold.scenario.fault.kind, sep="|")
'''


def test_a_new_kind_is_one_module(tmp_path: Path) -> None:
    """A module dropped beside the others is in the registry, the schema, the JSON schema,
    the bad run, the complete runbook and ``drills init``, with no other file touched."""
    (tmp_path / "stale_reads.py").write_text(textwrap.dedent(_EXTRA_KIND), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    probe = subprocess.run(
        [sys.executable, "-c", _PROBE, str(tmp_path)],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )
    assert probe.returncode == 0, probe.stderr
    assert probe.stdout.strip().split("|") == [
        "stale_reads", "StaleReads", "[(('fault', 'lag'), 'lag must be under 3')]",
        "stale_reads", "changed_records >= 7", "#/$defs/StaleReads", "stale_reads",
    ]
