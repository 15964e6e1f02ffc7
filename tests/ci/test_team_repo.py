"""A team's repository checked the way its CI checks it: the real CLI in a subprocess.

The repository (``tests/data/team-repo``) has its own package - an automation function
and a pause script the runbooks and scenarios name - two runbooks, two scenarios, a
pytest suite and ``[tool.drills]``. Its good runbooks pass; a runbook without the step
that turns off the webhook fails with an annotation on the pause section; the team's
code raising, hanging or writing junk is one line and exit 2, never a traceback.

Tests marked NEEDS_CONFIG read the configuration (``drills check`` with no arguments).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.ci.teamrepo import (
    CHECKOUT,
    REMINDER_RUNBOOK,
    copy_team_repo,
    drills_cli,
    line_of,
    remove_webhook_disable,
)

pytestmark = pytest.mark.slow

BOTH = ["runbooks/invoice-reminder.runbook.yaml", "runbooks/welcome-email.runbook.yaml",
        "--scenario", "scenarios/invoice-storm.yaml",
        "--scenario", "scenarios/welcome-retry.yaml"]
REMINDER = [REMINDER_RUNBOOK, "--scenario", "scenarios/invoice-storm.yaml"]

NEEDS_CONFIG = ("needs [tool.drills] support (the config branch): `drills check` with no "
                "arguments reads the configuration")


def test_the_team_repo_passes_its_check(tmp_path: Path) -> None:
    repo = copy_team_repo(tmp_path / "acme")
    done = drills_cli(repo, "check", *BOTH, "--fail-under", "70", "--no-costs")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 runbooks checked: 2 passed, 0 failed" in done.stdout
    assert "runbooks/invoice-reminder.runbook.yaml: passed (score 100/100 in invoice-storm)" \
        in done.stdout


def test_without_the_webhook_disable_the_pause_line_is_annotated(tmp_path: Path) -> None:
    repo = copy_team_repo(tmp_path / "acme")
    remove_webhook_disable(repo)
    pause = line_of(repo / REMINDER_RUNBOOK, "pause:")
    done = drills_cli(repo, "check", *REMINDER, "--format", "github", "--no-costs")
    assert done.returncode == 1, done.stdout + done.stderr
    where = f"file={REMINDER_RUNBOOK},line={pause}"
    assert f"::error {where},title=never-contained::critical: " in done.stdout
    assert (f"::error {where},title=feeder-left-running::high: webhook "
            "'billing.invoice-updated' kept running after the job was paused") in done.stdout


EXPECTED = {
    "raising": "drills: error: automation.callable 'acme_billing.reminders:send_reminder' "
               "raised KeyError: 'billing_email' at src/acme_billing/reminders.py:11; "
               "fix the team's code there, then run the drill again",
    "hanging": "drills: error: automation.callable 'acme_billing.reminders:send_reminder' "
               "did not return within 1 s (it was at src/acme_billing/reminders.py:11); make "
               "it return sooner, or allow each call longer with --call-timeout SECONDS or "
               "DRILLS_CALL_TIMEOUT=SECONDS",
    "junk": "drills: error: automation.callable 'acme_billing.reminders:send_reminder' "
            "raised StoreError: billing.activity.message holds text, got {'sent': True, "
            "'invoice': *}; pass a str at src/acme_billing/reminders.py:13; fix the team's "
            "code there, then run the drill again",
}


PROGRESS = re.compile(r"^(config: .*|\[\d\d:\d\d:\d\d\] (drilling|done|cached) \d+/\d+: .*)$")


def _one_line(text: str, expected: str) -> None:
    """The error is one line; beside it only the configuration and progress lines."""
    lines = [line for line in text.strip().splitlines() if not PROGRESS.match(line)]
    assert len(lines) == 1, text
    head, _, tail = expected.partition("*")
    assert lines[0].startswith(head), lines[0]
    assert lines[0].endswith(tail), lines[0]
    assert "Traceback" not in text


@pytest.mark.parametrize("variant", sorted(EXPECTED))
def test_the_teams_code_failing_is_one_line_and_exit_2(tmp_path: Path, variant: str) -> None:
    repo = copy_team_repo(tmp_path / "acme", variant)
    done = drills_cli(repo, "check", *REMINDER, "--no-costs", "--call-timeout", "1",
                      timeout=120)
    assert done.returncode == 2, done.stdout + done.stderr
    _one_line(done.stderr, EXPECTED[variant])
    assert done.stdout == ""


def test_the_teams_code_is_checked_before_a_drill(tmp_path: Path) -> None:
    """``drills validate --imports`` (the pre-commit hook's command, with imports) finds
    the team's functions the files name."""
    repo = copy_team_repo(tmp_path / "acme")
    files = sorted(str(p.relative_to(repo)) for p in repo.glob("*/*.yaml"))
    done = drills_cli(repo, "validate", "--imports", *files)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines() == [f"ok: {name}" for name in files]


# -- the configuration ([tool.drills]) --------------------------------------------------


def _config_cli(repo: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """``drills check`` with nothing but the configuration: no PYTHONPATH to the team's
    code (python-path in [tool.drills] names src)."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DRILLS_", "GITHUB_", "PYTEST_"))}
    env["PYTHONPATH"] = str(CHECKOUT)
    return subprocess.run([sys.executable, "-m", "drills", "check", *args], cwd=repo,
                          env=env, capture_output=True, text=True, timeout=timeout,
                          check=False)


def _needs_config(done: subprocess.CompletedProcess[str]) -> None:
    assert "Missing argument 'RUNBOOKS...'" not in done.stderr, NEEDS_CONFIG


def test_check_with_no_arguments_reads_the_configuration(tmp_path: Path) -> None:
    repo = copy_team_repo(tmp_path / "acme")
    done = _config_cli(repo, "--no-costs")
    _needs_config(done)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "config: pyproject.toml [tool.drills]" in done.stdout + done.stderr
    assert "2 runbooks checked: 2 passed, 0 failed" in done.stdout + done.stderr


def test_the_configuration_fails_the_runbook_without_the_webhook_disable(
    tmp_path: Path,
) -> None:
    repo = copy_team_repo(tmp_path / "acme")
    remove_webhook_disable(repo)
    pause = line_of(repo / REMINDER_RUNBOOK, "pause:")
    done = _config_cli(repo, "--format", "github", "--no-costs")
    _needs_config(done)
    assert done.returncode == 1, done.stdout + done.stderr
    assert (f"::error file={REMINDER_RUNBOOK},line={pause},title=never-contained::"
            in done.stdout)


def test_the_configured_call_timeout_ends_a_hung_function(tmp_path: Path) -> None:
    repo = copy_team_repo(tmp_path / "acme", "hanging")
    config = repo / "pyproject.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("call-timeout = 10", "call-timeout = 1"), encoding="utf-8")
    done = _config_cli(repo, "--no-costs", timeout=120)
    _needs_config(done)
    assert done.returncode == 2, done.stdout + done.stderr
    assert ("automation.callable 'acme_billing.reminders:send_reminder' did not return within "
            "1 s (it was at src/acme_billing/reminders.py:11)") in done.stderr
    assert "Traceback" not in done.stderr


# -- the team's own pytest suite, through the plugin -----------------------------------


def _team_pytest(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DRILLS_", "GITHUB_", "PYTEST_"))}
    env["PYTHONPATH"] = str(CHECKOUT)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:randomly", *args],
        cwd=repo, env=env, capture_output=True, text=True, timeout=600, check=False)


def test_the_teams_pytest_suite_drills_its_runbooks(tmp_path: Path) -> None:
    repo = copy_team_repo(tmp_path / "acme")
    done = _team_pytest(repo, "-q")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "5 passed" in done.stdout


def test_the_teams_suite_names_the_missing_step_when_the_webhook_is_left_on(
    tmp_path: Path,
) -> None:
    repo = copy_team_repo(tmp_path / "acme")
    remove_webhook_disable(repo)
    done = _team_pytest(repo, "-q")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "never-contained critical: the bad run was never contained" in done.stdout
    assert ("feeder-left-running high: webhook 'billing.invoice-updated' kept running after "
            "the job was paused (fix: add 'disable_feeder: billing.invoice-updated' to the "
            "runbook's pause steps)") in done.stdout
