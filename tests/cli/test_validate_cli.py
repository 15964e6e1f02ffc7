"""``drills validate``: one exact line per problem, exit code 2, never a traceback.

Every malformed file under ``tests/data/scenarios/bad/`` goes through the real command in
its own process (``python -m drills validate FILE``), the way CI runs it. The processes
start together, so the table stays fast however long it grows.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from click.testing import CliRunner

from drills.cli.commands import validate
from drills.cli.main import cli
from drills.files import MAX_FILE_BYTES, FileError
from drills.scenarios.loader import builtin_names

pytestmark = pytest.mark.slow

REPO = Path(__file__).parents[2]
BAD = "tests/data/scenarios/bad"
GOOD = "tests/data/scenarios/good/minimal.yaml"

# (file, expected line) - the file as given on the command line, relative to the repo.
CASES: list[tuple[str, str]] = [
    (f"{BAD}/syntax-error.yaml",
     "4:10: invalid YAML: a ':' where YAML does not expect one; quote the value if it holds "
     "': ', or fix the indentation"),
    (f"{BAD}/wrong-type.yaml",
     "7:19: expected a whole number, got 'eighty' (world.crm.contacts); write it as digits, "
     "like 120"),
    (f"{BAD}/unknown-key.yaml",
     "21:8: unknown key 'sendemail' (automation.does.0); did you mean 'send_email'?"),
    (f"{BAD}/unknown-fault-kind.yaml",
     "23:9: unknown fault kind 'tripple_trigger' (fault.kind); did you mean 'triple_trigger'?"),
    (f"{BAD}/bad-duration.yaml",
     "12:12: '5 minutes' is not a duration (world.warehouse.every); write it like '90s', "
     "'5m', '2h' or '1h30m'"),
    (f"{BAD}/bad-rate.yaml",
     "24:9: '4 per minute' is not a rate (fault.rate); write it like '4/min', '200/h' or '1/s'"),
    (f"{BAD}/negative-count.yaml",
     "8:23: must be 0 or more, got -120 (world.billing.invoices); raise it"),
    (f"{BAD}/unknown-field.yaml",
     "16:24: table 'billing.invoices' has no field 'due_day' (automation.trigger.on_change); "
     "did you mean 'due_date'?"),
    (f"{BAD}/unknown-feeder.yaml",
     "26:8: the automation has no feeder 'email.outbx' (fault.via); did you mean "
     "'email.outbox'?"),
    (f"{BAD}/empty.yaml", "1:1: the file is empty; write a scenario in it"),
    (f"{BAD}/only-comments.yaml", "1:1: the file is empty; write a scenario in it"),
    (f"{BAD}/binary.yaml",
     "1:1: the file is binary (it holds NUL bytes); name a YAML scenario file"),
    (f"{BAD}/does-not-exist.yaml", "1:1: no such file; check the path"),
    (f"{BAD}/huge-count.yaml",
     "7:19: must be at most 5,000,000, got 80,000,000 (world.crm.contacts); lower it"),
    (f"{BAD}/duplicate-key.yaml",
     "25:3: duplicate key 'rate' (fault); it is also set on line 24, keep one"),
    (f"{BAD}/not-a-mapping.yaml",
     "2:1: the top level is a list; a scenario is a mapping of 'key: value' lines"),
    (f"{BAD}/missing-key.yaml", "22:1: missing key 'rate' (fault); add it"),
    (f"{BAD}/unknown-system.yaml",
     "15:11: unknown system 'bills' (automation.source); did you mean 'billing'?"),
    (f"{BAD}/unknown-feeder-kind.yaml",
     "18:14: unknown value 'queu' (automation.feeders.0.kind); did you mean 'queue'?"),
    (f"{BAD}/two-triggers.yaml",
     "16:3: a trigger needs exactly one of 'on_change', 'schedule' or 'webhook', not "
     "on_change and schedule (automation.trigger)"),
    (f"{BAD}/no-records.yaml",
     "15:3: the trigger's table 'billing.invoices' has no records in this world; add it "
     "under world.billing: invoices: N (automation.trigger)"),
    (f"{BAD}/bad-start.yaml",
     "5:9: expected a date and time, got 'next monday' (starts); write it like "
     "'2026-03-02T09:10:00'"),
    (f"{BAD}/python-tag.yaml",
     "3:8: the YAML tag '!!python/object/apply:os.system' is not allowed; remove it, these "
     "files hold plain values only"),
    (f"{BAD}/tab-indent.yaml", "23:1: invalid YAML: tabs cannot indent YAML; indent with spaces"),
    (f"{BAD}/unclosed-quote.yaml",
     "5:9: invalid YAML: a quote that is never closed; close the quote"),
    (f"{BAD}/two-documents.yaml",
     "22:1: invalid YAML: more than one YAML document ('---'); keep one document per file"),
    (f"{BAD}/latin1.yaml",
     "4:14: the file is not UTF-8 text (byte 0xe9); save it as UTF-8"),
    (f"{BAD}/alias-bomb.yaml",
     "6:4: aliases expand this document to more than 100,000 values; write the values out "
     "instead of nesting aliases"),
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


def test_every_bad_file_has_a_case() -> None:
    on_disk = {f"{BAD}/{p.name}" for p in (REPO / BAD).glob("*.yaml")}
    assert on_disk <= {file for file, _ in CASES}
    assert len(CASES) >= 15


@pytest.mark.parametrize(("file", "expected"), CASES, ids=[Path(f).stem for f, _ in CASES])
def test_a_malformed_file_gives_one_exact_line_and_exit_code_2(
    runs: dict[str, subprocess.CompletedProcess[str]], file: str, expected: str
) -> None:
    result = runs[file]
    assert (result.stdout, result.stderr) == (f"{file}:{expected}\n", "")
    assert result.returncode == 2


def test_a_valid_file_prints_ok_and_exits_0() -> None:
    result = drills("validate", GOOD)
    assert (result.returncode, result.stdout, result.stderr) == (0, f"ok: {GOOD}\n", "")


def test_several_files_give_every_line_in_order_and_fail_if_any_fails() -> None:
    files = [GOOD, f"{BAD}/empty.yaml", f"{BAD}/unknown-key.yaml"]
    result = drills("validate", *files)
    assert result.returncode == 2
    assert result.stdout.splitlines() == [
        f"ok: {GOOD}",
        f"{BAD}/empty.yaml:1:1: the file is empty; write a scenario in it",
        f"{BAD}/unknown-key.yaml:21:8: unknown key 'sendemail' (automation.does.0); "
        "did you mean 'send_email'?",
    ]
    assert result.stderr == ""


def test_every_builtin_scenario_validates() -> None:
    files = [f"scenarios/library/{name}.yaml" for name in builtin_names()]
    result = drills("validate", *files)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.splitlines() == [f"ok: {f}" for f in files]


def test_a_file_over_the_size_limit_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    path.write_text("name: x\nnotes: '" + "a" * MAX_FILE_BYTES + "'\n", encoding="utf-8")
    result = drills("validate", str(path))
    assert result.returncode == 2
    assert result.stdout == (
        f"{path}:1:1: the file is over the limit of 1 MiB; trim it, a scenario names things "
        "and counts, it never lists records\n"
    )
    assert result.stderr == ""


def test_several_problems_in_one_file_are_each_one_line(tmp_path: Path) -> None:
    text = (REPO / GOOD).read_text(encoding="utf-8")
    text = text.replace("contacts: 80", "contacts: -1").replace("kind: queue", "kind: queu")
    path = tmp_path / "two.yaml"
    path.write_text(text, encoding="utf-8")
    result = drills("validate", str(path))
    assert result.returncode == 2
    assert result.stdout.splitlines() == [
        f"{path}:7:19: must be 0 or more, got -1 (world.crm.contacts); raise it",
        f"{path}:18:14: unknown value 'queu' (automation.feeders.0.kind); did you mean 'queue'?",
    ]


# -- in process: options and the extension point ---------------------------------------------


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def test_quiet_prints_only_errors() -> None:
    assert invoke("validate", "-q", str(REPO / GOOD)) == (0, "")


def test_validate_needs_at_least_one_file(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    result = subprocess.run([sys.executable, "-m", "drills", "validate"], cwd=tmp_path,
                            env=env, capture_output=True, text=True, timeout=120, check=False)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        "drills: error: nothing to validate: give FILES (runbooks, scenarios, folders or "
        "globs), or list runbooks = [\"runbooks/\"] under [tool.drills] in pyproject.toml\n")


def test_a_folder_validates_each_file_in_it() -> None:
    result = drills("validate", "tests/data/scenarios/good")
    files = sorted(p for p in (REPO / "tests/data/scenarios/good").rglob("*.y*ml"))
    assert files
    assert result.returncode == 0, result.stdout
    shown = {line.split(": ", 1)[1].split(" (")[0] for line in result.stdout.splitlines()
             if line.startswith("ok: ")}
    assert shown == {str(p.relative_to(REPO)) for p in files}


def test_the_kind_of_a_file_comes_from_its_name_or_its_keys(tmp_path: Path) -> None:
    runbook = tmp_path / "reminder.yaml"
    runbook.write_text("automation: invoice-reminder\nstop_rules: [x]\n", encoding="utf-8")
    assert validate.kind_of(runbook) == "runbook"
    assert validate.kind_of(tmp_path / "plan.runbook.yaml") == "runbook"
    assert validate.kind_of(tmp_path / "missing.yaml") == "scenario"
    assert validate.kind_of(REPO / GOOD) == "scenario"


def test_a_kind_without_a_checker_is_refused_and_a_registered_checker_is_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "reminder.runbook.yaml"
    path.write_text("automation: invoice-reminder\n", encoding="utf-8")
    assert invoke("validate", str(path)) == (2, f"{path}:1:1: missing key 'owner'; add it\n")

    scenarios_only = {"scenario": validate.CHECKERS["scenario"]}
    monkeypatch.setattr(validate, "CHECKERS", scenarios_only)
    assert invoke("validate", str(path)) == (2, (
        f"{path}:1:1: 'drills validate' cannot check runbook files yet; pass only scenario "
        "files for now\n"
    ))

    def check_runbook(p: Path) -> list[FileError]:
        return [FileError(str(p), 1, 1, "no owner", path=("owner",), fix="name one")]

    checkers: dict[str, Callable[[Path], list[FileError]]] = {
        **validate.CHECKERS, "runbook": check_runbook,
    }
    monkeypatch.setattr(validate, "CHECKERS", checkers)
    assert invoke("validate", str(path)) == (2, f"{path}:1:1: no owner (owner); name one\n")
