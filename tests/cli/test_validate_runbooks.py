"""``drills validate`` on runbooks: one exact line per problem, exit code 2, never a traceback.

Every malformed runbook under ``tests/data/runbooks/bad/`` goes through the real command
in its own process (``python -m drills validate FILE``), the way CI runs it; the
processes start together so the table stays fast.
"""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
BAD = "tests/data/runbooks/bad"
GOOD = "tests/data/runbooks/invoice-reminder.runbook.yaml"
FLAWED = "tests/data/runbooks/invoice-reminder.flawed.runbook.yaml"
MINIMAL = "tests/data/runbooks/minimal.runbook.yaml"
# The shared examples, copied into the checkout so no test depends on ../shared.
SHARED_EXAMPLES = REPO / "tests" / "data" / "examples"

# (file, expected line after 'file:') - the file as given on the command line.
CASES: list[tuple[str, str]] = [
    (f"{BAD}/unknown-key.runbook.yaml",
     "4:1: unknown key 'backup_ownr'; did you mean 'backup_owner'?"),
    (f"{BAD}/unknown-step-kind.runbook.yaml",
     "8:6: unknown key 'pause_jobb' (pause.0); did you mean 'pause_job'?"),
    (f"{BAD}/bad-duration.runbook.yaml",
     "8:42: '2 minutes' is not a duration (pause.0.takes); write it like '90s', '5m', '2h' "
     "or '1h30m'"),
    (f"{BAD}/takes-too-long.runbook.yaml",
     "8:42: '99999999999d' is far too long (pause.0.takes); a runbook time is minutes to "
     "days, like '15m'"),
    (f"{BAD}/unknown-system.runbook.yaml",
     "10:42: unknown system 'emial' (scope.systems.1); did you mean 'email'?"),
    (f"{BAD}/system-listed-twice.runbook.yaml",
     "10:49: 'billing' is listed twice (scope.systems.2); keep one"),
    (f"{BAD}/unknown-scope-method.runbook.yaml",
     "10:14: unknown value 'run-id' (scope.by.0); did you mean 'run_id'?"),
    (f"{BAD}/stages-not-increasing.runbook.yaml",
     "14:17: stage 10% does not grow from 50% before it (repair.stages.1); each stage "
     "repairs more, like [10%, 50%, 100%]"),
    (f"{BAD}/stages-not-ending-at-100.runbook.yaml",
     "14:17: the last stage is 50%, so the repair never finishes (repair.stages.1); end the "
     "stages at 100%, like [10%, 50%, 100%]"),
    (f"{BAD}/stage-not-a-percentage.runbook.yaml",
     "14:12: 10 is not a percentage (repair.stages.0); write it like '10%'\n"
     f"{BAD}/stage-not-a-percentage.runbook.yaml:"
     "14:16: 50 is not a percentage (repair.stages.1); write it like '10%'\n"
     f"{BAD}/stage-not-a-percentage.runbook.yaml:"
     "14:20: 100 is not a percentage (repair.stages.2); write it like '10%'"),
    (f"{BAD}/negative-sample.runbook.yaml",
     "13:11: must be 1 or more, got -5 (repair.sample); raise it"),
    (f"{BAD}/sample-too-large.runbook.yaml",
     "13:11: must be at most 100,000, got 2,000,000 (repair.sample); lower it"),
    (f"{BAD}/wrong-type.runbook.yaml",
     "3:65: expected true or false, got 'yes' (owner.can_pause); write true or false"),
    (f"{BAD}/missing-owner.runbook.yaml", "2:1: missing key 'owner'; add it"),
    (f"{BAD}/owner-without-name.runbook.yaml", "3:1: missing key 'name' (owner); add it"),
    (f"{BAD}/ramp-not-increasing.runbook.yaml",
     "18:14: batch 1 is not bigger than 10 before it (restart.ramp.1); a ramp grows to normal "
     "volume, like [1, 10, normal]"),
    (f"{BAD}/ramp-without-normal.runbook.yaml",
     "18:17: the ramp stops at 100 and never reaches normal volume (restart.ramp.2); end it "
     "with 'normal', like [1, 10, normal]"),
    (f"{BAD}/ramp-misspelt.runbook.yaml",
     "18:17: 'nromal' is not a ramp step (restart.ramp.2); did you mean 'normal'?"),
    (f"{BAD}/bad-callable.runbook.yaml",
     "15:9: 'ops/reminders.revert' is not a callable (repair.call); write it as "
     "'package.module:function', like 'ops.reminders:pause_all'"),
    (f"{BAD}/two-things-in-one-step.runbook.yaml",
     "9:5: a pause step does one thing, not disable_feeder and stop_queue at once (pause.1); "
     "split it into one step each"),
    (f"{BAD}/empty-step.runbook.yaml",
     "9:5: a pause step names nothing to pause (pause.1); write one of pause_job, "
     "disable_feeder, stop_queue or call"),
    (f"{BAD}/step-listed-twice.runbook.yaml",
     "10:18: step 3 'stop_queue: email.outbox' repeats step 2 (pause.2.stop_queue); keep one"),
    (f"{BAD}/unknown-strategy.runbook.yaml",
     "12:13: unknown value 'bulk-revert' (repair.strategy); did you mean 'bulk_revert'?"),
    (f"{BAD}/stop-rule-not-text.runbook.yaml",
     "6:5: a stop rule is text, got a mapping (stop_rules.0); write it like "
     "'duplicate_messages >= 5' (in quotes if it holds ': ')"),
    (f"{BAD}/bad-automation-name.runbook.yaml",
     "2:13: 'Invoice Reminder' is not a valid name (automation); use lower-case letters, "
     "digits, '.', '-' or '_', like 'invoice-reminder'"),
    (f"{BAD}/empty.runbook.yaml", "1:1: the file is empty; write a runbook in it"),
]


def drills(*args: str) -> subprocess.CompletedProcess[str]:
    """``python -m drills ARGS`` from the repository root, as CI would run it."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONWARNINGS": "error"}
    return subprocess.run(
        [sys.executable, "-m", "drills", *args],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False,
    )


@pytest.fixture(scope="module")
def runs() -> dict[str, subprocess.CompletedProcess[str]]:
    """Every case's process, started together."""
    files = [file for file, _ in CASES]
    with ThreadPoolExecutor(max_workers=min(8, 2 * (os.cpu_count() or 1))) as pool:
        return dict(zip(files, pool.map(lambda f: drills("validate", f), files), strict=True))


def test_every_bad_runbook_has_a_case() -> None:
    on_disk = {f"{BAD}/{p.name}" for p in (REPO / BAD).glob("*.yaml")}
    assert on_disk == {file for file, _ in CASES}
    assert len(CASES) >= 10


@pytest.mark.parametrize(("file", "expected"), CASES,
                         ids=[Path(f).name.removesuffix(".runbook.yaml") for f, _ in CASES])
def test_a_malformed_runbook_gives_one_exact_line_and_exit_code_2(
    runs: dict[str, subprocess.CompletedProcess[str]], file: str, expected: str
) -> None:
    result = runs[file]
    assert (result.stdout, result.stderr) == (f"{file}:{expected}\n", "")
    assert result.returncode == 2


def test_the_good_flawed_and_minimal_runbooks_are_valid() -> None:
    result = drills("validate", GOOD, FLAWED, MINIMAL)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.splitlines() == [
        f"ok: {GOOD}", f"ok: {FLAWED}",
        f"ok: {MINIMAL} (callables not imported; add --imports to check them)",
    ]


def test_the_shared_examples_are_valid_runbooks() -> None:
    files = [str(SHARED_EXAMPLES / "invoice-reminder.runbook.yaml"),
             str(SHARED_EXAMPLES / "invoice-reminder.flawed.runbook.yaml")]
    result = drills("validate", *files)
    assert (result.returncode, result.stdout, result.stderr) == (
        0, "".join(f"ok: {f}\n" for f in files), "")


def test_runbooks_and_scenarios_validate_together_each_by_its_own_checker() -> None:
    scenario = "tests/data/scenarios/good/minimal.yaml"
    bad = f"{BAD}/negative-sample.runbook.yaml"
    result = drills("validate", scenario, GOOD, bad)
    assert result.returncode == 2
    assert result.stdout.splitlines() == [
        f"ok: {scenario}",
        f"ok: {GOOD}",
        f"{bad}:13:11: must be 1 or more, got -5 (repair.sample); raise it",
    ]
    assert result.stderr == ""


def test_a_runbook_is_recognised_by_its_keys_without_the_suffix(tmp_path: Path) -> None:
    plan = tmp_path / "reminder.yaml"
    plan.write_text("automation: invoice-reminder\nowner: {name: Dana, can_pause: maybe}\n",
                    encoding="utf-8")
    result = drills("validate", str(plan))
    assert (result.returncode, result.stderr) == (2, "")
    assert result.stdout == (
        f"{plan}:2:32: expected true or false, got 'maybe' (owner.can_pause); write true or "
        "false\n"
    )
