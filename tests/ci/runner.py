"""Run a documented CI workflow by hand, the way a fresh runner would.

A workflow file nobody ran is a guess. These helpers read the YAML of a GitHub
Actions workflow (and of the composite action it uses) or of a GitLab CI job, take
its steps and run each ``run:`` (or ``script:``) with bash in a copy of a team's
repository, in a clean environment: a fresh venv where the runner sets up Python,
no PYTHONPATH, no virtualenv of the developer's. The few marketplace actions a
workflow uses are stood in for by what they do on a runner: ``actions/setup-python``
puts a fresh interpreter first on the PATH, ``actions/cache`` copies a folder from
and to a store kept between runs, ``actions/upload-artifact`` copies files out.
Anything else (an unknown action, an expression these helpers cannot evaluate)
fails loudly, so the test cannot pass over a step it did not run.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "JobRun",
    "clean_env",
    "run_github_job",
    "run_gitlab_job",
]

EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
VARIABLE = re.compile(r"\$(?:\{(\w+)\}|(\w+))")
BASH = ["bash", "--noprofile", "--norc", "-eo", "pipefail"]
"""How GitHub runs a ``shell: bash`` step."""


class UnsupportedStep(AssertionError):
    """A step or expression these helpers do not know how to run: the test must not
    pretend it ran."""


@dataclass
class JobRun:
    """What a job did: its exit code, its log, the summary and the artifacts."""

    code: int = 0
    log: list[str] = field(default_factory=list)
    seconds: float = 0.0
    summary: str = ""
    artifacts: Path | None = None

    @property
    def text(self) -> str:
        return "\n".join(self.log)


def _base_python() -> str:
    """The interpreter a runner's image has: the base one, never a venv's."""
    return getattr(sys, "_base_executable", None) or sys.executable


def clean_env(home: Path, bin_dir: Path) -> dict[str, str]:
    """A runner's environment: PATH with ``python`` (the base interpreter) and the
    system tools, the machine's pip settings (its package index), nothing of the
    developer's Python (no PYTHONPATH, no VIRTUAL_ENV, no DRILLS_*)."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    for name in ("python", "python3"):
        link = bin_dir / name
        if not link.exists():
            link.symlink_to(_base_python())
    env = {
        "PATH": f"{bin_dir}:/usr/local/bin:/usr/bin:/bin",
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "CI": "true",
    }
    env.update({k: v for k, v in os.environ.items() if k.startswith("PIP_")})
    return env


def _bash(script: str, cwd: Path, env: Mapping[str, str], run: JobRun,
          argv: list[str] | None = None, timeout: float = 900) -> int:
    """Run ``script`` with bash; its output goes to the job's log."""
    proc = subprocess.run([*(argv or BASH), "-c", script], cwd=cwd, env=dict(env),
                          capture_output=True, text=True, timeout=timeout, check=False)
    run.log += [proc.stdout, proc.stderr]
    return proc.returncode


# -- GitHub Actions -------------------------------------------------------------------


@dataclass
class _Context:
    inputs: dict[str, str]
    github: dict[str, str]
    runner: dict[str, str]
    steps: dict[str, dict[str, str]] = field(default_factory=dict)
    failed: bool = False

    def value(self, expr: str) -> str:
        parts = expr.split(".")
        if parts[0] == "inputs" and len(parts) == 2:
            return self.inputs.get(parts[1], "")
        if parts[0] in ("github", "runner") and len(parts) == 2:
            table: dict[str, str] = self.github if parts[0] == "github" else self.runner
            found = table.get(parts[1])
            if found is not None:
                return found
        if parts[0] == "steps" and len(parts) == 4 and parts[2] == "outputs":
            return self.steps.get(parts[1], {}).get(parts[3], "")
        raise UnsupportedStep(f"expression ${{{{ {expr} }}}} is not evaluated here")

    def substitute(self, text: str) -> str:
        return EXPRESSION.sub(lambda m: self.value(m.group(1)), text)

    def should_run(self, condition: Any) -> bool:
        if condition is None:
            return not self.failed
        text = EXPRESSION.sub(lambda m: m.group(1), str(condition)).strip()
        if text in ("always()", "!cancelled()"):
            return True
        if text in ("success()",):
            return not self.failed
        if text == "failure()":
            return self.failed
        raise UnsupportedStep(f"if: {condition} is not evaluated here")


def _substituted(mapping: Mapping[str, Any] | None, ctx: _Context) -> dict[str, str]:
    return {k: ctx.substitute(str(v)) for k, v in (mapping or {}).items()}


def _copy_tree(source: Path, dest: Path) -> None:
    if dest.exists():
        shutil.rmtree(dest)
    if source.is_dir():
        shutil.copytree(source, dest)


def _uses(step: Mapping[str, Any], ctx: _Context, env: dict[str, str], workspace: Path,
          store: Path, artifacts: Path, run: JobRun) -> int:
    """Stand in for the marketplace actions a drills workflow uses."""
    name = str(step["uses"]).split("@")[0]
    given = _substituted(step.get("with"), ctx)
    if name == "actions/setup-python":
        venv = Path(env["RUNNER_TEMP"]) / "python"
        if not venv.exists():
            code = _bash(f'python -m venv "{venv}"', workspace, env, run)
            if code:
                return code
        env["PATH"] = f"{venv / 'bin'}:{env['PATH']}"
        run.log.append(f"[setup-python {given.get('python-version', '')}: {venv}]")
        return 0
    if name in ("actions/cache/restore", "actions/cache/save", "actions/cache"):
        path = workspace / given["path"]
        kept = store / given["path"].replace("/", "_")
        if name.endswith("save"):
            if path.is_dir():
                _copy_tree(path, kept)
                run.log.append(f"[cache saved: {given['path']}]")
            else:  # actions/cache/save warns and saves nothing
                run.log.append(f"[cache not saved, no folder: {given['path']}]")
        elif kept.exists():
            _copy_tree(kept, path)
            run.log.append(f"[cache restored: {given['path']}]")
        else:
            run.log.append(f"[cache miss: {given['path']}]")
        return 0
    if name == "actions/upload-artifact":
        source = workspace / given["path"]
        _copy_tree(source, artifacts / given.get("name", "artifact"))
        run.log.append(f"[artifact {given.get('name')}: {source}]")
        return 0
    if name == "actions/checkout":
        return 0  # the workspace is the team's repository already
    raise UnsupportedStep(f"uses: {step['uses']} has no stand-in here")


def _steps(steps: list[Mapping[str, Any]], ctx: _Context, env: dict[str, str],
           workspace: Path, store: Path, artifacts: Path, run: JobRun,
           action: Path | None, action_inputs: Mapping[str, Any] | None = None) -> None:
    for step in steps:
        if not ctx.should_run(step.get("if")):
            continue
        began = time.perf_counter()
        uses = str(step.get("uses", ""))
        if uses and _is_drills_action(uses):
            if action is None:
                raise UnsupportedStep(f"uses: {uses} inside the action itself")
            _composite(action, _substituted(step.get("with"), ctx), ctx, env, workspace,
                       store, artifacts, run)
            continue
        if uses:
            code = _uses(step, ctx, env, workspace, store, artifacts, run)
        else:
            if "run" not in step:
                raise UnsupportedStep(f"step without run: or uses: {step}")
            if action_inputs is not None and step.get("shell") != "bash":
                raise UnsupportedStep(f"a composite step needs shell: bash: {step}")
            output = Path(env["RUNNER_TEMP"]) / f"output-{len(ctx.steps)}-{time.time_ns()}"
            output.touch()
            step_env = {**env, **_substituted(step.get("env"), ctx), "GITHUB_OUTPUT": str(output)}
            cwd = workspace / ctx.substitute(str(step.get("working-directory", ".")))
            code = _bash(ctx.substitute(str(step["run"])), cwd, step_env, run)
            if step.get("id"):
                lines = output.read_text(encoding="utf-8").splitlines()
                ctx.steps[str(step["id"])] = dict(
                    line.split("=", 1) for line in lines if "=" in line)
        run.log.append(f"[step {step.get('name', uses or 'run')}: exit {code} in "
                       f"{time.perf_counter() - began:.1f} s]")
        if code:
            ctx.failed = True
            run.code = code


def _is_drills_action(uses: str) -> bool:
    """``<owner>/drills@<ref>`` or a local path to a drills checkout (``./.drills``)."""
    return uses.startswith("./") or uses.split("@")[0].endswith("/drills")


def _composite(action_dir: Path, given: Mapping[str, str], outer: _Context,
               env: dict[str, str], workspace: Path, store: Path, artifacts: Path,
               run: JobRun) -> None:
    spec = yaml.safe_load((action_dir / "action.yml").read_text(encoding="utf-8"))
    if spec["runs"]["using"] != "composite":
        raise UnsupportedStep("the drills action is not a composite action")
    unknown = set(given) - set(spec.get("inputs", {}))
    if unknown:
        raise UnsupportedStep(f"the workflow gives the action unknown inputs {unknown}")
    inputs = {name: str(given.get(name, meta.get("default", "")))
              for name, meta in spec.get("inputs", {}).items()}
    ctx = _Context(inputs, {**outer.github, "action_path": str(action_dir)}, outer.runner,
                   failed=outer.failed)
    action_env = {**env, "GITHUB_ACTION_PATH": str(action_dir)}
    _steps(spec["runs"]["steps"], ctx, action_env, workspace, store, artifacts, run, None,
           action_inputs=inputs)
    env["PATH"] = action_env["PATH"]  # setup-python's PATH outlives the action's steps
    outer.failed = outer.failed or ctx.failed


def run_github_job(workflow: Path, action: Path, workspace: Path, scratch: Path,
                   store: Path, *, job: str = "check",
                   inputs: Mapping[str, str] | None = None) -> JobRun:
    """Run ``job`` of ``workflow`` in ``workspace``; ``store`` keeps caches between runs.

    ``inputs`` are added to (or replace) the ``with:`` the workflow gives the action.
    """
    doc = yaml.safe_load(workflow.read_text(encoding="utf-8"))
    steps = doc["jobs"][job]["steps"]
    if inputs:
        steps = [dict(s, **{"with": {**(s.get("with") or {}), **inputs}})
                 if _is_drills_action(str(s.get("uses", ""))) else s for s in steps]
    temp = scratch / "runner-temp"
    temp.mkdir(parents=True, exist_ok=True)
    summary = temp / "step-summary.md"
    summary.touch()
    env = clean_env(scratch / "home", scratch / "image-bin")
    (scratch / "home").mkdir(exist_ok=True)
    env.update({
        "GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_STEP_SUMMARY": str(summary), "RUNNER_TEMP": str(temp), "RUNNER_OS": "Linux",
    })
    if "HOME" in os.environ:  # pip's cache (a runner keeps it with actions/cache)
        env["XDG_CACHE_HOME"] = str(Path(os.environ["HOME"]) / ".cache")
    ctx = _Context({}, {"sha": "0123abc", "workspace": str(workspace)}, {"os": "Linux"})
    artifacts = scratch / "artifacts"
    run = JobRun(artifacts=artifacts)
    began = time.perf_counter()
    _steps(steps, ctx, env, workspace, store, artifacts, run, action)
    run.seconds = time.perf_counter() - began
    run.summary = summary.read_text(encoding="utf-8")
    return run


# -- GitLab CI --------------------------------------------------------------------------


def run_gitlab_job(pipeline: Path, job: str, workspace: Path, scratch: Path, store: Path,
                   *, variables: Mapping[str, str] | None = None) -> JobRun:
    """Run ``job`` of a ``.gitlab-ci.yml`` as a runner would: ``before_script`` and
    ``script`` as one bash session that stops at the first failing command, its cache
    paths restored from and saved to ``store``, its artifacts (``when: always``) kept."""
    doc = yaml.safe_load(pipeline.read_text(encoding="utf-8"))
    spec = doc[job]
    env = clean_env(scratch / "home", scratch / "image-bin")
    (scratch / "home").mkdir(exist_ok=True)
    if "HOME" in os.environ:
        env["XDG_CACHE_HOME"] = str(Path(os.environ["HOME"]) / ".cache")
    env.update({"GITLAB_CI": "true", "CI_PROJECT_DIR": str(workspace)})
    given = {**(doc.get("variables") or {}), **(spec.get("variables") or {}), **(variables or {})}
    for name, value in given.items():  # GitLab expands $VARS inside variables
        env[name] = VARIABLE.sub(lambda m: env.get(m.group(1) or m.group(2), ""), str(value))
    cache_paths = [str(p).rstrip("/") for p in (spec.get("cache") or {}).get("paths", [])]
    run = JobRun(artifacts=scratch / "artifacts")
    for path in cache_paths:
        kept = store / path.replace("/", "_")
        if kept.exists():
            _copy_tree(kept, workspace / path)
            run.log.append(f"[cache restored: {path}]")
    script = "\n".join([*spec.get("before_script", []), *spec["script"]])
    began = time.perf_counter()
    run.code = _bash(script, workspace, env, run, argv=["bash", "--noprofile", "--norc",
                                                        "-eo", "pipefail"])
    run.seconds = time.perf_counter() - began
    if run.code == 0 or (spec.get("cache") or {}).get("when") == "always":
        for path in cache_paths:
            _copy_tree(workspace / path, store / path.replace("/", "_"))
    artifacts = spec.get("artifacts") or {}
    if run.code == 0 or artifacts.get("when") in ("always", "on_failure"):
        assert run.artifacts is not None
        for path in artifacts.get("paths", []):
            source = workspace / path
            if source.exists():
                _copy_tree(source, run.artifacts / path.rstrip("/").replace("/", "_"))
    return run
