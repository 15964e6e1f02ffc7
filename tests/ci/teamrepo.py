"""The team repository of ``tests/data/team-repo``, copied for a test to change.

Tests never touch ``tests/data`` in place: each works on a copy in its own temporary
folder, with a broken variant of the team's code laid over it, or a runbook step taken
out, as a pull request would.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

__all__ = [
    "CHECKOUT",
    "REMINDER_RUNBOOK",
    "TEAM_REPO",
    "WEBHOOK_STEP",
    "copy_team_repo",
    "drills_cli",
    "line_of",
    "remove_webhook_disable",
]

CHECKOUT = Path(__file__).parents[2]
TEAM_REPO = CHECKOUT / "tests" / "data" / "team-repo"
REMINDER_RUNBOOK = "runbooks/invoice-reminder.runbook.yaml"
WEBHOOK_STEP = re.compile(r"^\s*- \{disable_feeder: billing\.invoice-updated.*\n", re.M)
"""The pause step that turns off the webhook feeding the reminder."""


def copy_team_repo(dest: Path, variant: str | None = None) -> Path:
    """A copy of the team repository at ``dest``, with ``variants/<variant>`` laid over it."""
    shutil.copytree(TEAM_REPO, dest, ignore=shutil.ignore_patterns(
        "variants", "__pycache__", ".drills-cache", "*.egg-info", "drills-reports"))
    if variant is not None:
        shutil.copytree(TEAM_REPO / "variants" / variant, dest, dirs_exist_ok=True)
    return dest


def remove_webhook_disable(repo: Path) -> None:
    """Take the webhook's disable step out of the reminder runbook, as a careless edit would."""
    path = repo / REMINDER_RUNBOOK
    text = path.read_text(encoding="utf-8")
    changed, count = WEBHOOK_STEP.subn("", text)
    assert count == 1, "the team runbook lost its webhook step; update WEBHOOK_STEP"
    path.write_text(changed, encoding="utf-8")


def line_of(path: Path, prefix: str) -> int:
    """The 1-based line of ``path`` that starts with ``prefix``."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if line.startswith(prefix))


def drills_cli(repo: Path, *args: str, timeout: float = 300,
               env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m drills ARGS`` in ``repo``, importing this checkout's drills and, through
    PYTHONPATH, the team's ``src`` (the configuration's python-path does it without)."""
    base = {k: v for k, v in os.environ.items()
            if not k.startswith(("DRILLS_", "GITHUB_", "PYTEST_"))}
    base["PYTHONPATH"] = os.pathsep.join([str(CHECKOUT), str(repo / "src")])
    base.update(env or {})
    return subprocess.run([sys.executable, "-m", "drills", *args], cwd=repo, env=base,
                          capture_output=True, text=True, timeout=timeout, check=False)
