"""The built-in scenarios on declared systems: HubSpot and Stripe, Zendesk and Shopify.

They stand for every team that drills in its own systems, so each is checked end to end
through the real CLI: the scenario and its shared ``worlds/*.yaml`` validate, a complete
runbook leaves nothing wrong on SQLite and on PostgreSQL, no runbook leaves damage, the
reports speak the declared names, and a runbook or scenario that misspells one gets one
line naming the declared one it meant.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml

from drills.api import run_drill
from drills.fakes import ManualClock, SqlStore
from drills.fakes.backends.sqlite import SqliteBackend
from drills.fakes.catalog import KEY
from drills.reports.jsonout import parse_report, render_json
from drills.reports.markdown import render_markdown
from drills.runbook.complete import complete_sections
from drills.scenarios.build import build_scenario_world
from drills.scenarios.loader import builtin_names, load_scenario

REPO = Path(__file__).parents[2]
LIBRARY = REPO / "scenarios" / "library"


@dataclass(frozen=True)
class Declared:
    """What one declared scenario's world is, as its files say."""

    world: str
    systems: tuple[str, ...]
    harmed: str
    """The table whose records the bad run leaves wrong when nobody responds."""
    warehouse: str


DECLARED = {
    "hubspot-stage-into-stripe-plan": Declared(
        "hubspot-stripe", ("hubspot", "stripe", "snowflake"), "stripe.subscriptions",
        "snowflake"),
    "zendesk-tickets-flap-on-delivery": Declared(
        "zendesk-shopify", ("shopify", "zendesk", "bigquery"), "zendesk.tickets", "bigquery"),
}
NAMES = sorted(DECLARED)


def drills(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONWARNINGS": "error", "COLUMNS": "100"}
    env.pop("DRILLS_BACKEND", None)
    return subprocess.run([sys.executable, "-m", "drills", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300, check=False)


def write_runbook(path: Path, sections: dict[str, object]) -> Path:
    # No YAML anchors: each list is written where it is used, as a person writes it.
    path.write_text(yaml.dump(sections, Dumper=_NoAliases, sort_keys=False), encoding="utf-8")
    return path


class _NoAliases(yaml.SafeDumper):
    def ignore_aliases(self, data: object) -> bool:
        return True


# -- the library -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_a_declared_scenario_is_in_the_library_with_its_own_systems(name: str) -> None:
    declared = DECLARED[name]
    assert name in builtin_names()
    scenario = load_scenario(name)
    catalog = scenario.catalog
    assert catalog.name == declared.world
    assert catalog.warehouse == declared.warehouse
    assert set(declared.systems) <= set(catalog.systems)
    assert not {"crm", "billing", "email", "shop"} & set(catalog.systems)
    assert catalog.harm(declared.harmed) is not None
    assert all(t.cancel is not None for t in catalog), "every table says how it is undone"


def test_the_worlds_folder_is_not_a_scenario_and_ships_with_the_package() -> None:
    assert not any(n.startswith("worlds") for n in builtin_names())
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert '"library/worlds/*.yaml"' in pyproject


@pytest.mark.slow
def test_the_scenarios_and_their_worlds_validate() -> None:
    files = [f"scenarios/library/{n}.yaml" for n in NAMES]
    files += [f"scenarios/library/worlds/{DECLARED[n].world}.yaml" for n in NAMES]
    result = drills("validate", *files)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.splitlines() == [f"ok: {f}" for f in files]


def test_a_world_builds_with_its_syncs_settled(tmp_path: Path) -> None:
    """Generated values are drawn field by field; a healthy sync that has always run
    keeps its targets equal to their sources, so the world starts that way."""
    scenario = load_scenario("hubspot-stage-into-stripe-plan")
    (sync,) = scenario.world.syncs
    store = SqlStore(SqliteBackend(tmp_path / "world.sqlite"), ManualClock(scenario.starts),
                     scenario.catalog)
    build_scenario_world(scenario, store)
    source, target = store.sa_table("stripe.subscriptions"), store.sa_table("stripe.invoices")
    assert sync.key == "subscription_id"
    with store.engine.connect() as conn:
        linked, differ = conn.execute(
            sa.select(sa.func.count(),
                      sa.func.count(sa.case((target.c.plan != source.c.plan, 1))))
            .select_from(target.join(source, target.c.subscription_id == source.c[KEY]))
        ).one()
    store.close()
    assert (linked, differ) == (3000, 0)


# -- drills ----------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_a_complete_runbook_leaves_nothing_wrong(
    name: str, backend_kind: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """Through ``drills run`` itself, on SQLite and on PostgreSQL: the declared warehouse
    is repaired after its sources, and sent messages land in the declared outbox."""
    runbook = write_runbook(tmp_path / f"{name}.runbook.yaml",
                            complete_sections(load_scenario(name)))
    backend = [] if backend_kind == "sqlite" else ["--backend", request.getfixturevalue("pg_url")]
    result = drills("run", name, "--runbook", str(runbook), "--no-costs", "--format", "json",
                    "--out", str(tmp_path / "out"), "-q", *backend)
    assert result.returncode == 0, result.stderr
    (path,) = (tmp_path / "out").glob("drill-*.json")
    report = parse_report(path.read_text(encoding="utf-8"))
    declared = DECLARED[name]
    assert report.outcome.records_damaged > 0
    assert report.outcome.records_left_wrong == 0
    assert report.outcome.unreconciled == 0
    assert [f.code for f in report.findings] == []
    assert {s.system for s in report.systems} <= set(declared.systems)
    assert {declared.harmed.split(".")[0], declared.warehouse} <= {
        s.system for s in report.systems}
    assert all(s.left_wrong == 0 for s in report.systems)


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_no_runbook_leaves_damage_and_the_report_names_the_declared_systems(name: str) -> None:
    declared = DECLARED[name]
    report = run_drill(load_scenario(name), None, costs=False)
    assert report.outcome.records_left_wrong > 0
    assert report.score.verdict is not None
    assert not report.score.verdict.ready
    left = {s.system: s.left_wrong for s in report.systems}
    assert left[declared.harmed.split(".")[0]] > 0
    assert left[declared.warehouse] > 0
    markdown = render_markdown(report)
    data = json.loads(render_json(report))
    for system in declared.systems:
        assert system in markdown
    copy = f"{declared.warehouse}.{declared.harmed.replace('.', '_')}"
    assert copy in json.dumps(data)
    assert "crm" not in {s["system"] for s in data["systems"]}
    # The next scenario in the same process is checked in its own (built-in) systems.
    assert load_scenario("crm-blank-emails").catalog.name == "built-in"


# -- misspellings ----------------------------------------------------------------------------


@pytest.mark.slow
def test_a_runbook_misspelling_a_declared_system_gets_one_line(tmp_path: Path) -> None:
    sections = complete_sections(load_scenario("hubspot-stage-into-stripe-plan"))
    sections["scope"] = {**sections["scope"], "systems": ["hubspott", "stripe", "snowflake"]}
    runbook = write_runbook(tmp_path / "hubspot-to-stripe.runbook.yaml", sections)
    line = next(n for n, text in enumerate(runbook.read_text().splitlines(), 1)
                if "hubspott" in text)
    result = drills("validate", runbook.name, cwd=tmp_path)
    assert (result.returncode, result.stderr) == (2, "")
    assert result.stdout == (f"{runbook.name}:{line}:5: unknown system 'hubspott' "
                             "(scope.systems.0); did you mean 'hubspot'?\n")


@pytest.mark.slow
def test_a_runbook_naming_its_world_file_is_checked_in_it(tmp_path: Path) -> None:
    """A team's own automation has no built-in scenario: its ``world:`` names the file."""
    sections = complete_sections(load_scenario("zendesk-tickets-flap-on-delivery"))
    sections = {"automation": "our-order-status-job",
                "world": str(LIBRARY / "worlds" / "zendesk-shopify.yaml"),
                **{k: v for k, v in sections.items() if k != "automation"}}
    good = write_runbook(tmp_path / "good.runbook.yaml", sections)
    sections["verify"] = {**sections["verify"], "reconcile": ["zendesk", "bigqeury"]}
    bad = write_runbook(tmp_path / "bad.runbook.yaml", sections)
    result = drills("validate", good.name, bad.name, cwd=tmp_path)
    assert (result.returncode, result.stderr) == (2, "")
    ok, line = result.stdout.splitlines()
    assert ok == f"ok: {good.name}"
    assert line.startswith(f"{bad.name}:")
    assert line.endswith("unknown system 'bigqeury' (verify.reconcile.1); did you mean "
                         "'bigquery'?")


@pytest.mark.slow
@pytest.mark.parametrize(("wrong", "right", "said"), [
    ("hubspot.companies.lifecycle_stage", "hubspot.companies.lifecyle_stage",
     "did you mean 'lifecycle_stage'"),
    ("hubspot.companies.lifecycle_stage", "hubspot.companys.lifecycle_stage",
     "did you mean 'companies'"),
    ("hubspot.companies.lifecycle_stage", "hubspott.companies.lifecycle_stage",
     "did you mean 'hubspot'"),
])
def test_a_scenario_misspelling_a_declared_name_gets_one_line(
    tmp_path: Path, wrong: str, right: str, said: str
) -> None:
    (tmp_path / "worlds").mkdir()
    world = LIBRARY / "worlds" / "hubspot-stripe.yaml"
    (tmp_path / "worlds" / world.name).write_text(world.read_text(encoding="utf-8"),
                                                  encoding="utf-8")
    text = (LIBRARY / "hubspot-stage-into-stripe-plan.yaml").read_text(encoding="utf-8")
    assert text.count(f"on_change: {wrong}") == 1
    scenario = tmp_path / "ours.yaml"
    scenario.write_text(text.replace(f"on_change: {wrong}", f"on_change: {right}"),
                        encoding="utf-8")
    line = next(n for n, t in enumerate(scenario.read_text().splitlines(), 1) if right in t)
    result = drills("validate", scenario.name, cwd=tmp_path)
    assert (result.returncode, result.stderr) == (2, "")
    (error,) = result.stdout.splitlines()
    assert error.startswith(f"{scenario.name}:{line}:")
    assert said in error


@pytest.mark.slow
def test_a_declared_range_past_a_whole_number_field_is_one_line(tmp_path: Path) -> None:
    text = (LIBRARY / "worlds" / "hubspot-stripe.yaml").read_text(encoding="utf-8")
    old = "annual_revenue: {type: money, range: [5000000, 2000000000]}"
    assert old in text
    world = tmp_path / "world.yaml"
    world.write_text(text.replace(old, old.replace("2000000000", "5000000000")),
                     encoding="utf-8")
    line = next(n for n, t in enumerate(world.read_text().splitlines(), 1)
                if "5000000000" in t)
    result = drills("validate", world.name, cwd=tmp_path)
    assert (result.returncode, result.stderr) == (2, "")
    (error,) = result.stdout.splitlines()
    assert error.startswith(f"{world.name}:{line}:")
    assert "goes past what a whole-number field holds" in error
    assert "21,474,836.47" in error


# -- the README's example ---------------------------------------------------------------------


def readme_files() -> dict[str, str]:
    """The files of the README's "Your own systems" example, by the name each starts with."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Your own systems"):text.index("### From an export")]
    blocks = re.findall(r"```yaml\n(.*?)```", section, re.DOTALL)
    return {block.splitlines()[0].removeprefix("# ").split(":")[0]: block for block in blocks}


@pytest.mark.slow
def test_the_readme_example_validates_and_drills_as_it_says(tmp_path: Path) -> None:
    files = readme_files()
    assert sorted(files) == ["stage-into-plan.yaml", "stage-sync.runbook.yaml",
                             "worlds/ours.yaml"]
    (tmp_path / "worlds").mkdir()
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    checked = drills("validate", *files, cwd=tmp_path)
    assert (checked.returncode, checked.stderr) == (0, ""), checked.stdout
    left: dict[str, int] = {}
    for how, runbook in (("none", []), ("ours", ["--runbook", "stage-sync.runbook.yaml"])):
        result = drills("run", "stage-into-plan.yaml", *runbook, "--no-costs", "--format",
                        "json", "--out", how, "-q", cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        (path,) = (tmp_path / how).glob("drill-*.json")
        report = parse_report(path.read_text(encoding="utf-8"))
        assert {s.system for s in report.systems} <= {"hubspot", "stripe", "snowflake"}
        left[how] = report.outcome.records_left_wrong
    assert left["none"] > 0
    assert left["ours"] == 0
