"""A scenario on the team's own systems drills like one on the built-in systems.

The world in ``tests/data/declared`` declares HubSpot companies and Stripe subscriptions,
with a warehouse called ``snowflake``: a name that sorts before ``stripe``, so nothing
may rely on the warehouse's name sorting last (a repair once did, staging copies before
their sources).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from drills.api import run_drill
from drills.fakes.active import CATALOG, builtin_catalog, using_catalog
from drills.files import FileError
from drills.runbook import load_runbook
from drills.scenarios.loader import load_scenario, validate_scenario_file
from drills.scenarios.scaling import scale_scenario
from tests.conftest import BACKENDS

DATA = Path(__file__).resolve().parents[1] / "data" / "declared"
SCENARIO = DATA / "lifecycle-into-status.yaml"
RUNBOOK = DATA / "lifecycle-into-status.runbook.yaml"


def drills(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "drills", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=300, check=False)


@pytest.fixture
def copied(tmp_path: Path) -> Path:
    """The scenario folder, copied so a test may edit its files."""
    target = tmp_path / "declared"
    shutil.copytree(DATA, target)
    return target


def edit(path: Path, old: str, new: str) -> Path:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_the_scenario_loads_in_its_own_systems() -> None:
    scenario = load_scenario(SCENARIO)
    catalog = scenario.catalog
    assert catalog.name == "subscriptions"
    assert catalog.systems == ("hubspot", "stripe", "snowflake")
    assert catalog.table("stripe.subscriptions").harm == "money"
    assert scenario.world.counts == {"hubspot.companies": 300, "stripe.subscriptions": 400}
    # the declared file is kept inline: the loaded scenario needs it no more
    assert scenario.world.declared is None
    assert scenario.world.systems is not None
    # loading it leaves the built-in systems in place for whatever comes next
    assert CATALOG.systems == builtin_catalog().systems


def test_a_scaled_scenario_keeps_its_systems() -> None:
    scaled = scale_scenario(load_scenario(SCENARIO), 2)
    assert scaled.catalog.systems == ("hubspot", "stripe", "snowflake")
    assert scaled.world.counts == {"hubspot.companies": 600, "stripe.subscriptions": 800}


def test_the_runbook_is_checked_against_the_declared_systems() -> None:
    runbook = load_runbook(RUNBOOK)
    assert "snowflake" in runbook.scope.systems if runbook.scope else False


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_complete_runbook_leaves_nothing_wrong_and_doing_nothing_does(
    backend: str, request: pytest.FixtureRequest
) -> None:
    scenario = load_scenario(SCENARIO)
    where = request.getfixturevalue("pg_url") if backend == "postgresql" else "sqlite"
    done = run_drill(scenario, load_runbook(RUNBOOK, catalog=scenario.catalog),
                     costs=False, backend=where)
    assert done.outcome.records_damaged > 20
    assert done.outcome.records_left_wrong == 0
    assert {s.system for s in done.systems} >= {"stripe", "snowflake"}
    nothing = run_drill(scenario, None, costs=False, backend=where)
    assert nothing.outcome.records_left_wrong > 20  # people put a few right by hand


@pytest.mark.slow
def test_the_cli_validates_runs_and_reports_in_the_declared_names(tmp_path: Path) -> None:
    assert drills("validate", str(SCENARIO), str(RUNBOOK)).returncode == 0
    ran = drills("run", str(SCENARIO), "--runbook", str(RUNBOOK), "--no-costs",
                 "--format", "json", "--out", str(tmp_path))
    assert ran.returncode == 0, ran.stderr
    report = json.loads(next(tmp_path.glob("*.json")).read_text(encoding="utf-8"))
    assert report["outcome"]["records_left_wrong"] == 0
    text = json.dumps(report)
    assert "stripe.subscriptions" in text
    assert "snowflake" in text
    assert "billing" not in {s["system"] for s in report["systems"]}


# -- bad input: one line, exit 2 ---------------------------------------------------------


def one_error(path: Path) -> str:
    done = drills("validate", str(path))
    assert done.returncode == 2, done.stdout + done.stderr
    lines = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    assert len(lines) == 1, lines
    return lines[0]


def test_a_missing_world_file_is_one_line_at_its_key(copied: Path) -> None:
    scenario = edit(copied / SCENARIO.name, "worlds/subscriptions.yaml", "worlds/nope.yaml")
    line = one_error(scenario)
    assert line.startswith(f"{scenario}:8:")
    assert "worlds/nope.yaml" in line
    assert "relative to the scenario" in line
    assert line.count(".yaml:") == 1


def test_a_mistake_in_the_world_file_points_at_its_own_line(copied: Path) -> None:
    world = copied / "worlds" / "subscriptions.yaml"
    edit(world, "name: company", "name: compnay")
    line = one_error(copied / SCENARIO.name)
    assert line.startswith(f"{world}:")
    assert "did you mean 'company'" in line


@pytest.mark.parametrize(("old", "new", "says"), [
    ("name: company", "name: {type: company, faker: compnay}",
     "did you mean 'company'?"),
    ("to: hubspot.companies", "to: hubspot.companys",
     "did you mean 'hubspot.companies'?"),
    ("{type: money, range: [1000, 500000]}", "{type: money, range: [500000, 1000]}",
     "range [500000, 1000] is empty"),
    ("weights: [10, 70, 15, 5]", "weights: [10, 70]", "2 weights for 4 values"),
    ("cancel: {field: status, value: canceled}", "cancel: {field: status, value: cancelled}",
     "did you mean 'canceled'?"),
    ("      history: {fields: all, keep: 30d}\n", "      history: {fields: [plann]}\n",
     "did you mean 'plan'?"),
])
def test_each_bad_declaration_is_one_line(copied: Path, old: str, new: str, says: str) -> None:
    edit(copied / "worlds" / "subscriptions.yaml", old, new)
    assert says in one_error(copied / SCENARIO.name)


def test_a_wrong_table_in_the_counts_names_the_declared_ones(copied: Path) -> None:
    scenario = edit(copied / SCENARIO.name, "  declared: worlds/subscriptions.yaml\n",
                    "  declared: worlds/subscriptions.yaml\n  stripe: {subscription: 5}\n")
    line = one_error(scenario)
    assert "unknown key 'subscription'" in line
    assert "did you mean 'subscriptions'?" in line


def test_the_built_in_systems_are_not_there(copied: Path) -> None:
    scenario = edit(copied / SCENARIO.name, "field: stripe.subscriptions.status",
                    "field: billing.invoices.status")
    assert "unknown system 'billing'" in one_error(scenario)


def test_a_misspelt_system_in_the_runbook_is_one_line_with_the_declared_name(
    copied: Path,
) -> None:
    runbook = edit(copied / RUNBOOK.name, "  - stripe\n", "  - strpe\n")
    line = one_error(runbook)
    assert "unknown system 'strpe'" in line
    assert "did you mean 'stripe'?" in line


def test_email_needs_a_messages_table(copied: Path) -> None:
    edit(copied / SCENARIO.name, "  touches: [money]",
         "    - send_email: {template: welcome, to: stripe.subscriptions.external_id}\n"
         "  touches: [money]")
    assert "messages" in one_error(copied / SCENARIO.name)


def test_errors_in_python_name_the_file_and_line(copied: Path) -> None:
    edit(copied / "worlds" / "subscriptions.yaml", "count: 300", "count: -3")
    errors = validate_scenario_file(copied / SCENARIO.name)
    assert len(errors) == 1
    assert errors[0].file.endswith("subscriptions.yaml")
    assert errors[0].line == 6
    with pytest.raises(FileError):
        load_scenario(copied / SCENARIO.name)
    with using_catalog(None):
        assert CATALOG.systems == builtin_catalog().systems


def test_the_world_schema_is_shipped_and_accepts_the_example() -> None:
    import jsonschema
    import yaml

    from drills.scenarios.jsonschema import WORLD_SCHEMA_FILE, render_world

    assert WORLD_SCHEMA_FILE.read_text(encoding="utf-8") == render_world(), (
        "the declaration models changed; run: python -m drills.scenarios.jsonschema")
    schema = json.loads(render_world())
    validator = jsonschema.Draft202012Validator(schema)
    world = yaml.safe_load((DATA / "worlds" / "subscriptions.yaml").read_text(encoding="utf-8"))
    assert list(validator.iter_errors(world)) == []
    world["systems"]["hubspot"]["companies"]["fields"]["name"] = "compnay"
    assert list(validator.iter_errors(world))


# -- reach.keys: the records a real incident changed, in its order ------------------------


def with_keys(copied: Path, keys: str) -> Path:
    return edit(copied / SCENARIO.name, "  reach: 40\n", f"  reach: {{keys: '{keys}'}}\n")


def test_the_run_reaches_the_named_records_in_their_order(copied: Path) -> None:
    from drills.fakes import ManualClock, SqliteBackend, SqlStore
    from drills.scenarios.badrun import BadRun
    from drills.scenarios.build import build_scenario_world

    scenario = load_scenario(with_keys(copied, "390-400,3,1-2"))
    store = SqlStore(SqliteBackend(None), ManualClock(scenario.starts))
    build_scenario_world(scenario, store)
    run = BadRun(scenario, store)

    def status(key: int) -> object:
        record = store.get("stripe.subscriptions", key)
        assert record is not None
        return record["status"]

    assert all(status(k) == "past_due" for k in run.targets)  # what the job's filter takes
    wanted = [k for k in [*range(390, 401), 3, 1, 2] if status(k) == "past_due"]
    assert run.targets == wanted
    assert scenario.run_writes()[0] == 14


@pytest.mark.parametrize(("keys", "says"), [
    ("1-x", "'1-x' is not an id or a range"),
    ("20-10", "write the lower id first"),
    ("1-401", "reach.keys names record 401 but stripe.subscriptions holds 400"),
])
def test_bad_keys_are_one_line(copied: Path, keys: str, says: str) -> None:
    assert says in one_error(with_keys(copied, keys))


@pytest.mark.slow
def test_a_journal_keeps_the_world_and_reports_without_its_file(tmp_path: Path) -> None:
    ran = drills("run", str(SCENARIO), "--runbook", str(RUNBOOK), "--no-costs",
                 "--out", str(tmp_path / "out"))
    assert ran.returncode == 0, ran.stderr
    moved = tmp_path / "elsewhere" / "drill.journal.jsonl"
    moved.parent.mkdir()
    (tmp_path / "out" / "drill.journal.jsonl").rename(moved)
    report = drills("report", str(moved), cwd=moved.parent)
    assert report.returncode == 0, report.stderr
    assert "0 left wrong" in report.stdout
