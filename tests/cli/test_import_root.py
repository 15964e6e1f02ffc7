"""One import root: a team's own ``reports``, ``scenarios`` or ``fakes`` package never shadows ours.

Before the import root, our packages were installed as top-level ``reports``,
``scenarios`` and ``fakes``: a team repository holding a package of the same name on the
import path (its own report scripts, say) replaced ours and broke the CLI. Here such
packages sit first on ``PYTHONPATH`` and in the working directory, each failing loudly if
imported, and a real drill still runs and renders its report.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def test_a_team_package_named_like_ours_is_not_imported(tmp_path: Path) -> None:
    for name in ("reports", "scenarios", "fakes"):
        package = tmp_path / name
        package.mkdir()
        (package / "__init__.py").write_text(
            f"raise RuntimeError('the team package {name} was imported')\n", encoding="utf-8"
        )
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    run = subprocess.run(
        [sys.executable, "-m", "drills", "run", "welcome-email-retry-storm", "--no-costs",
         "--out", str(tmp_path / "out"), "--format", "md,json"],
        capture_output=True, text=True, check=False, cwd=tmp_path, env=env,
    )
    assert run.returncode == 0, run.stderr
    assert "team package" not in run.stderr
    assert sorted(p.suffix for p in (tmp_path / "out").glob("*.*") if p.suffix != ".jsonl") == [
        ".json", ".md"
    ]


def test_our_packages_are_reached_only_under_drills() -> None:
    probe = (
        "import importlib.util, drills.reports, drills.scenarios, drills.fakes;"
        "print(*[importlib.util.find_spec(n) is None for n in ('reports','scenarios','fakes')])"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}  # a checkout's folders
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=False, cwd=Path.home(), env=env)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["True", "True", "True"]
