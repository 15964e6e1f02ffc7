"""The documented workflows, run step by step from a clean shell as a fresh runner would.

``docs/ci/github-actions.yml`` (through the composite ``action.yml`` at the repository
root) and ``docs/ci/gitlab-ci.yml`` are run by :mod:`tests.ci.runner` in a copy of the
team repository: a fresh venv, drills installed from this checkout by pip, the team's
package installed by the workflow's own command, no PYTHONPATH. The job passes with the
good runbooks, and fails with exit 1 and an annotation on the runbook's pause line when
the webhook's disable step is taken out. Each job prints its time, cold (a new cache)
and cached (the second run, the cache folder kept).

The runs that read ``[tool.drills]`` (the documented workflows as written) need the
configuration file support; the first test passes the runbooks and scenarios as
explicit ``args`` and runs today.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.ci.runner import JobRun, run_github_job, run_gitlab_job
from tests.ci.teamrepo import (
    CHECKOUT,
    REMINDER_RUNBOOK,
    copy_team_repo,
    line_of,
    remove_webhook_disable,
)

pytestmark = pytest.mark.slow

WORKFLOW = CHECKOUT / "docs" / "ci" / "github-actions.yml"
PIPELINE = CHECKOUT / "docs" / "ci" / "gitlab-ci.yml"
EXPLICIT = ("runbooks/invoice-reminder.runbook.yaml runbooks/welcome-email.runbook.yaml "
            "--scenario scenarios/invoice-storm.yaml --scenario scenarios/welcome-retry.yaml")
NEEDS_CONFIG = ("needs [tool.drills] support (the config branch): the documented workflow "
                "runs `drills check` from the configuration")


def _github(tmp_path: Path, name: str, store: Path, *, broken: bool = False,
            args: str | None = None) -> tuple[JobRun, Path]:
    repo = copy_team_repo(tmp_path / name / "workspace")
    if broken:
        remove_webhook_disable(repo)
    inputs = {"args": args} if args is not None else None
    run = run_github_job(WORKFLOW, CHECKOUT, repo, tmp_path / name, store, inputs=inputs)
    steps = [line for line in run.log if line.startswith("[step ")]
    print(f"github job {name}: exit {run.code} in {run.seconds:.1f} s", *steps, sep="\n  ")
    return run, repo


def _annotation(repo: Path) -> str:
    pause = line_of(repo / REMINDER_RUNBOOK, "pause:")
    return f"::error file={REMINDER_RUNBOOK},line={pause},title=never-contained::critical: "


def _needs_config(run: JobRun) -> None:
    assert "Missing argument 'RUNBOOKS...'" not in run.text, NEEDS_CONFIG
    assert "'gitlab' is not one of" not in run.text, NEEDS_CONFIG


def _reports_ok(run: JobRun) -> None:
    assert run.artifacts is not None
    folder = run.artifacts / "drills-reports"
    junit = ET.parse(folder / "drills-junit.xml").getroot()
    assert junit.tag == "testsuites"
    sarif = json.loads((folder / "drills.sarif").read_text(encoding="utf-8"))
    assert sarif["version"] == "2.1.0"


def test_the_github_action_with_explicit_runbooks(tmp_path: Path) -> None:
    """The action as the workflow uses it, told the runbooks and scenarios in ``args``."""
    store = tmp_path / "cache-store"
    good, _ = _github(tmp_path, "good", store, args=EXPLICIT)
    assert good.code == 0, good.text
    assert "2 runbooks checked: 2 passed, 0 failed" in good.text
    assert "invoice-reminder" in good.summary  # the job summary page
    _reports_ok(good)

    broken, repo = _github(tmp_path, "broken", store, broken=True, args=EXPLICIT)
    assert broken.code == 1, broken.text
    assert _annotation(repo) in broken.text
    _reports_ok(broken)  # uploaded although the check failed


def test_the_documented_github_workflow_cold_cached_and_failing(tmp_path: Path) -> None:
    store = tmp_path / "cache-store"
    cold, _ = _github(tmp_path, "cold", store)
    _needs_config(cold)
    assert cold.code == 0, cold.text
    assert "config: pyproject.toml [tool.drills]" in cold.text
    assert "2 runbooks checked: 2 passed, 0 failed" in cold.text
    _reports_ok(cold)
    cached, _ = _github(tmp_path, "cached", store)
    assert cached.code == 0, cached.text
    assert "[cache restored: ./.drills-cache]" in cached.text
    print(f"team repository CI time: cold {cold.seconds:.1f} s, cached {cached.seconds:.1f} s")

    broken, repo = _github(tmp_path, "broken", store, broken=True)
    assert broken.code == 1, broken.text
    assert _annotation(repo) in broken.text
    _reports_ok(broken)


def test_the_documented_gitlab_job_passes_then_fails_on_the_webhook(tmp_path: Path) -> None:
    store = tmp_path / "cache-store"
    variables = {"DRILLS_SPEC": str(CHECKOUT)}
    good_repo = copy_team_repo(tmp_path / "good" / "workspace")
    good = run_gitlab_job(PIPELINE, "drills", good_repo, tmp_path / "good", store,
                          variables=variables)
    print(f"gitlab job good: exit {good.code} in {good.seconds:.1f} s")
    _needs_config(good)
    assert good.code == 0, good.text
    quality = json.loads((good_repo / "drills-reports" / "gl-code-quality.json").read_text())
    assert isinstance(quality, list)
    ET.parse(good_repo / "drills-reports" / "drills-junit.xml")

    bad_repo = copy_team_repo(tmp_path / "broken" / "workspace")
    remove_webhook_disable(bad_repo)
    broken = run_gitlab_job(PIPELINE, "drills", bad_repo, tmp_path / "broken", store,
                            variables=variables)
    print(f"gitlab job broken: exit {broken.code} in {broken.seconds:.1f} s")
    assert broken.code == 1, broken.text
    quality = json.loads((bad_repo / "drills-reports" / "gl-code-quality.json").read_text())
    pause = line_of(bad_repo / REMINDER_RUNBOOK, "pause:")
    assert any(issue["location"]["path"] == REMINDER_RUNBOOK
               and issue["location"]["lines"]["begin"] == pause for issue in quality)
    assert broken.artifacts is not None
    assert (broken.artifacts / "drills-reports" / "drills-junit.xml").is_file()
