"""A killed ``drills run`` leaves no gap-cost worker behind; SIGTERM is one line, exit 143."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc"),
]

ROOT = Path(__file__).resolve().parent.parent
RUNBOOK = ROOT / "tests/data/examples/invoice-reminder.flawed.runbook.yaml"


def _children(pid: int) -> set[int]:
    """The live children of ``pid`` (every thread's), from /proc."""
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found.update(int(c) for c in (task / "children").read_text().split())
        except OSError:
            continue
    return found


def _alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie waiting to be reaped counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def _start_drill(tmp_path: Path) -> tuple[subprocess.Popen[bytes], set[int]]:
    """A real ``drills run`` with gap costs on, once its rerun workers have started."""
    # No shared rerun cache: reruns another test measured would be read from disk, and
    # the drill would start no worker to kill.
    env = {k: v for k, v in os.environ.items() if k != "DRILLS_RERUN_CACHE"}
    env["PYTHONPATH"] = str(ROOT)
    with (tmp_path / "stderr").open("w") as stderr:  # the child keeps its own copy
        proc = subprocess.Popen(
            [sys.executable, "-c", "import sys; from drills.cli.main import main; sys.exit(main())",
             "run", "invoice-triple-trigger",
             "--runbook", str(RUNBOOK), "--out", str(tmp_path / "out")],
            cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=stderr,
        )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        kids = _children(proc.pid)
        if len(kids) >= 2:  # the pool's workers are up: the drill is mid-costs
            return proc, kids
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    proc.kill()
    proc.wait()
    pytest.fail("drills run never started its gap-cost workers")


def _gone_within(pids: set[int], seconds: float) -> set[int]:
    deadline = time.monotonic() + seconds
    left = set(pids)
    while left and time.monotonic() < deadline:
        left = {p for p in left if _alive(p)}
        time.sleep(0.05)
    return left


def test_sigkill_mid_costs_leaves_no_worker(tmp_path: Path) -> None:
    proc, workers = _start_drill(tmp_path)
    proc.kill()
    proc.wait()  # not communicate(): a surviving worker would hold the pipes open
    left = _gone_within(workers, 5)
    for pid in left:  # do not leave them to the next test
        os.kill(pid, signal.SIGKILL)
    assert not left, f"workers still alive 5 s after their drill was killed: {sorted(left)}"


def test_sigterm_mid_costs_is_one_line_exit_143(tmp_path: Path) -> None:
    proc, workers = _start_drill(tmp_path)
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=120)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        pytest.fail("drills run did not stop on SIGTERM")
    assert proc.returncode == 143
    _gone_within(workers, 5)
    err = (tmp_path / "stderr").read_text()
    assert err.strip().splitlines() == ["drills: terminated (SIGTERM); the drill was stopped"]
    left = {p for p in workers if _alive(p)}
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert not left
