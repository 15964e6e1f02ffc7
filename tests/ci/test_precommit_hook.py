"""The ``drills-validate`` pre-commit hook, run by pre-commit itself on a team repository.

The hook's ``files`` pattern must take every runbook and scenario drills reads (the
suffixes ``drills init`` writes, and the team's ``scenarios/`` folder) and nothing
else; ``pre-commit try-repo`` installs drills from this checkout into pre-commit's own
environment, as a team's first commit would, and the hook passes the team's files and
fails a broken runbook with its one line.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.ci.teamrepo import CHECKOUT, REMINDER_RUNBOOK, copy_team_repo

HOOKS = CHECKOUT / ".pre-commit-hooks.yaml"


def _hook() -> dict[str, object]:
    (hook,) = [h for h in yaml.safe_load(HOOKS.read_text(encoding="utf-8"))
               if h["id"] == "drills-validate"]
    return dict(hook)


@pytest.mark.parametrize(("path", "taken"), [
    ("runbooks/invoice-reminder.runbook.yaml", True),
    ("invoice-reminder.runbook.yml", True),
    ("ops/deal-closer.scenario.yaml", True),
    ("scenarios/invoice-storm.yaml", True),
    ("drills/scenarios/welcome.yml", True),
    ("pyproject.toml", False),
    (".github/workflows/drills.yml", False),
    (".gitlab-ci.yml", False),
    ("docs/scenarios/notes/extra.yaml", False),
    ("config/runbook.yaml.bak", False),
])
def test_the_hook_takes_runbooks_and_scenarios_only(path: str, taken: bool) -> None:
    pattern = re.compile(str(_hook()["files"]))
    assert bool(pattern.search(path)) is taken


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True,
                   env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@x",
                        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@x"})


@pytest.mark.slow
def test_pre_commit_runs_the_hook_from_this_checkout(tmp_path: Path) -> None:
    pre_commit = shutil.which("pre-commit") or str(Path(sys.executable).with_name("pre-commit"))
    assert Path(pre_commit).exists(), "pre-commit is in the dev extras: pip install -e .[dev]"
    tracked = subprocess.run(["git", "ls-files", "--error-unmatch", ".pre-commit-hooks.yaml"],
                             cwd=CHECKOUT, capture_output=True, check=False)
    assert tracked.returncode == 0, "pre-commit try-repo reads committed hooks: commit it"
    repo = copy_team_repo(tmp_path / "acme")
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHONPATH", "PYTEST_"))}
    env["PRE_COMMIT_HOME"] = str(tmp_path / "pre-commit-home")

    def hook(*files: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([pre_commit, "try-repo", str(CHECKOUT), "drills-validate",
                               "--files", *files], cwd=repo, env=env, capture_output=True,
                              text=True, timeout=900, check=False)

    files = sorted(str(p.relative_to(repo)) for p in repo.glob("*/*.yaml"))
    passed = hook(*files, "pyproject.toml")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert re.search(r"drills validate\.+Passed", passed.stdout)

    runbook = repo / REMINDER_RUNBOOK
    runbook.write_text(runbook.read_text(encoding="utf-8").replace("stop_rules:", "stop_rule:"),
                       encoding="utf-8")
    failed = hook(REMINDER_RUNBOOK)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert re.search(r"drills validate\.+Failed", failed.stdout)
    errors = [line for line in failed.stdout.splitlines() if line.startswith(REMINDER_RUNBOOK)]
    assert len(errors) == 1, failed.stdout
    assert "stop_rule" in errors[0]
