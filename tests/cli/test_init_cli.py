"""``drills init``: the scaffolded pair loads, drills, and bad input writes nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.slow

REPO = Path(__file__).parents[2]
NAME = "invoice-reminder"


def drills(*args: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real CLI in its own process; stdin is empty (not a terminal) unless given."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONWARNINGS": "error", "COLUMNS": "100"}
    return subprocess.run(
        [sys.executable, "-m", "drills", *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False,
        input=stdin, stdin=subprocess.DEVNULL if stdin is None else None,
    )


def init(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return drills("init", NAME, "--yes", "--dir", "out", *args, cwd=tmp_path)


@pytest.mark.slow
def test_the_pair_validates_and_check_runs(tmp_path: Path) -> None:
    run = init(tmp_path, "--touches", "money,customer_messages", "--owner", "Dana Whitfield",
               "--backup-owner", "Luis Ortega")
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines()[:2] == [
        f"wrote out/{NAME}.runbook.yaml", f"wrote out/{NAME}.scenario.yaml"]
    runbook, scenario = f"out/{NAME}.runbook.yaml", f"out/{NAME}.scenario.yaml"
    valid = drills("validate", runbook, scenario, cwd=tmp_path)
    assert valid.returncode == 0, valid.stdout
    assert valid.stdout == f"ok: {runbook}\nok: {scenario}\n"
    check = drills("check", runbook, "--scenario", scenario, "--no-costs", cwd=tmp_path)
    assert check.returncode in (0, 1), check.stderr
    assert "1 runbook checked" in check.stdout


def test_risky_jobs_get_strict_rules_and_every_section(tmp_path: Path) -> None:
    assert init(tmp_path, "--touches", "customer_messages").returncode == 0
    text = (tmp_path / "out" / f"{NAME}.runbook.yaml").read_text()
    assert text.startswith("# One-page runbook for invoice-reminder")
    data = yaml.safe_load(text)
    assert data["stop_rules"][:2] == ["duplicate_messages >= 1", "messages_without_review >= 1"]
    assert data["comms"]["first_note_within"] == "5m"
    assert data["comms"]["customer_message"].endswith(".")
    assert {"pause_job": NAME} in data["pause"]
    assert {"stop_queue": "email.outbox"} in data["pause"]
    assert data["scope"]["by"] == ["run_id", "window"]
    assert "warehouse" in data["scope"]["systems"]
    assert data["repair"] == {"strategy": "script", "sample": 20, "stages": ["10%", "50%", "100%"]}
    assert set(data["restart"]) >= {"approver", "cause", "test", "ramp", "watch"}
    scenario = yaml.safe_load((tmp_path / "out" / f"{NAME}.scenario.yaml").read_text())
    assert scenario["fault"]["kind"] == "triple_trigger"
    assert scenario["automation"]["touches"] == ["customer_messages"]


@pytest.mark.slow
def test_flags_shape_the_scenario(tmp_path: Path) -> None:
    run = init(tmp_path, "--table", "crm.deals", "--fault", "over_broad_filter",
               "--feeder", "webhook:esign.done", "--feeder", "schedule:sweep",
               "--stop-rule", "changed_records >= 10 within 5m", "--owner-cannot-pause")
    assert run.returncode == 0, run.stderr
    scenario = yaml.safe_load((tmp_path / "out" / f"{NAME}.scenario.yaml").read_text())
    assert scenario["automation"]["feeders"] == [
        {"kind": "webhook", "name": "esign.done"},
        {"kind": "schedule", "name": "sweep", "every": "1h"},
    ]
    assert scenario["fault"]["reaches"] == {"stage": "proposal"}
    runbook = yaml.safe_load((tmp_path / "out" / f"{NAME}.runbook.yaml").read_text())
    assert runbook["stop_rules"] == ["changed_records >= 10 within 5m"]
    assert runbook["owner"]["can_pause"] is False
    assert {"disable_feeder": "sweep"} in runbook["pause"]


@pytest.mark.slow
def test_existing_files_are_refused_and_force_overwrites(tmp_path: Path) -> None:
    assert init(tmp_path).returncode == 0
    runbook = tmp_path / "out" / f"{NAME}.runbook.yaml"
    runbook.write_text("edited by hand\n")
    again = init(tmp_path)
    assert again.returncode == 2
    assert again.stderr == (
        f"drills: error: out/{NAME}.runbook.yaml exists already; pass --force to overwrite it\n")
    assert runbook.read_text() == "edited by hand\n"
    forced = init(tmp_path, "--force", "--owner", "Ana Ruiz")
    assert forced.returncode == 0, forced.stderr
    assert yaml.safe_load(runbook.read_text())["owner"]["name"] == "Ana Ruiz"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--table", "billing.invoice"],
         "--table: system 'billing' has no table 'invoice'; did you mean 'invoices'?"),
        (["--system", "biling"], "--system: unknown system 'biling'; did you mean 'billing'?"),
        (["--table", "email.outbox"],
         "--table email.outbox: drills init cannot scaffold a job that works through it; pick "
         "one of: crm.contacts, crm.deals, billing.invoices, support.tickets, shop.orders"),
        (["--fault", "triple_triger"],
         "--fault: unknown fault kind 'triple_triger'; did you mean 'triple_trigger'?"),
        (["--feeder", "webhook"],
         "--feeder 'webhook' is not KIND:NAME; write it like 'webhook:billing.invoice-updated' "
         "(kinds: schedule, webhook, chained, queue)"),
        (["--feeder", "hook:x"], "--feeder 'hook:x': unknown kind 'hook'; did you mean 'webhook'?"),
        (["--stop-rule", "if something looks wrong"],
         "--stop-rule: stop rule 'if something looks wrong' is not checkable; write METRIC OP "
         "NUMBER [within DURATION], e.g. 'duplicate_messages >= 5'"),
        (["--touches", "mony"], "--touches: unknown risk 'mony'; did you mean 'money'?"),
        (["--table", "crm.deals", "--touches", "customer_messages"],
         "crm.deals holds no email address, so a job on it cannot message customers; pick a "
         "--table with one: crm.contacts, billing.invoices, shop.orders"),
        (["--owner", " "], "--owner is empty; name one person, like 'Dana Whitfield'"),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(
    tmp_path: Path, args: list[str], message: str
) -> None:
    run = init(tmp_path, *args)
    assert run.returncode == 2
    assert run.stdout == ""
    assert run.stderr == f"drills: error: {message}\n"
    assert not (tmp_path / "out").exists()


def test_bad_name_is_one_line(tmp_path: Path) -> None:
    run = drills("init", "Invoice Reminder", "--yes", cwd=tmp_path)
    assert run.returncode == 2
    assert run.stderr == (
        "drills: error: NAME: 'Invoice Reminder' is not a valid name; use lower-case letters, "
        "digits, '.', '-' or '_', like 'invoice-reminder'\n")
    assert list(tmp_path.iterdir()) == []


def test_interactive_answers_end_up_in_the_runbook(tmp_path: Path) -> None:
    answers = "\n".join([
        "shop.order",              # a typo: asked again
        "shop.orders",
        "customer_messages",
        "Priya Natarajan",
        "Sam Okafor",
        "n",
        "",                        # the suggested stop rules
    ]) + "\n"
    run = drills("init", NAME, "--interactive", "--dir", "out", cwd=tmp_path, stdin=answers)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "system 'shop' has no table 'order'; did you mean 'orders'?" in run.stdout + run.stderr
    runbook = yaml.safe_load((tmp_path / "out" / f"{NAME}.runbook.yaml").read_text())
    assert runbook["owner"] == {"name": "Priya Natarajan", "role": "Automation owner",
                                "can_pause": False}
    assert runbook["backup_owner"]["name"] == "Sam Okafor"
    assert runbook["restart"]["approver"]["name"] == "Priya Natarajan"
    assert "duplicate_messages >= 1" in runbook["stop_rules"]
    scenario = yaml.safe_load((tmp_path / "out" / f"{NAME}.scenario.yaml").read_text())
    assert scenario["automation"]["source"] == "shop"


def test_no_terminal_asks_nothing(tmp_path: Path) -> None:
    run = drills("init", NAME, "--dir", "out", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "?" not in run.stdout
    runbook = yaml.safe_load((tmp_path / "out" / f"{NAME}.runbook.yaml").read_text())
    assert runbook["owner"]["name"] == "TBD"


# -- a team's own systems (--world) ------------------------------------------------------

WORLD = REPO / "tests" / "data" / "declared" / "worlds" / "subscriptions.yaml"


def own_world(tmp_path: Path) -> Path:
    folder = tmp_path / "ops" / "worlds"
    folder.mkdir(parents=True)
    target = folder / WORLD.name
    target.write_text(WORLD.read_text(encoding="utf-8"), encoding="utf-8")
    return target


def test_a_job_on_the_teams_own_systems_is_scaffolded_in_their_names(tmp_path: Path) -> None:
    world = own_world(tmp_path)
    run = drills("init", "plan-sync", "--world", str(world), "--table", "stripe.subscriptions",
                 "--touches", "money", "--yes", "--dir", "ops", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    scenario = yaml.safe_load((tmp_path / "ops" / "plan-sync.scenario.yaml").read_text())
    assert scenario["world"]["declared"] == "worlds/subscriptions.yaml"
    assert scenario["automation"]["where"] == {"status": "trialing"}
    assert scenario["automation"]["does"] == [
        {"set_field": {"field": "stripe.subscriptions.status", "value": "active"}}]
    text = (tmp_path / "ops" / "plan-sync.scenario.yaml").read_text()
    text += (tmp_path / "ops" / "plan-sync.runbook.yaml").read_text()
    for built_in in ("crm", "billing", "email.", "shop", "support", "warehouse."):
        assert built_in not in text, built_in
    runbook = yaml.safe_load((tmp_path / "ops" / "plan-sync.runbook.yaml").read_text())
    assert runbook["world"] == "plan-sync.scenario.yaml"
    assert "snowflake" in runbook["scope"]["systems"]
    check = drills("validate", "ops/plan-sync.scenario.yaml", "ops/plan-sync.runbook.yaml",
                   cwd=tmp_path)
    assert check.returncode == 0, check.stdout + check.stderr


@pytest.mark.parametrize(("args", "says"), [
    (("--world", "nope.yaml"), "--world: "),
    (("--table", "stripe.subscription"), "did you mean 'subscriptions'?"),
    (("--system", "strpe"), "did you mean 'stripe'?"),
    (("--touches", "customer_messages"), "no table of outgoing messages"),
])
def test_bad_world_flags_are_one_line(tmp_path: Path, args: tuple[str, ...], says: str) -> None:
    world = own_world(tmp_path)
    flags = ("--world", str(world), *args) if args[0] != "--world" else args
    run = drills("init", "plan-sync", *flags, "--yes", cwd=tmp_path)
    assert run.returncode == 2
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1
    assert says in lines[0]
    assert not list(tmp_path.glob("*.yaml"))


def test_a_new_folder_names_the_world_relative_to_itself(tmp_path: Path) -> None:
    world = own_world(tmp_path)
    run = drills("init", "plan-sync", "--world", str(world), "--yes", "--dir", "new/sub",
                 cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    scenario = yaml.safe_load((tmp_path / "new" / "sub" / "plan-sync.scenario.yaml").read_text())
    assert scenario["world"]["declared"] == "../../ops/worlds/subscriptions.yaml"
    check = drills("validate", "new/sub/plan-sync.scenario.yaml", cwd=tmp_path)
    assert check.returncode == 0, check.stdout + check.stderr
