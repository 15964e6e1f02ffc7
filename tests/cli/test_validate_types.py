"""Validate means run will load it: a value ``drills validate`` passes never crashes a drill.

Each bad file is a built-in scenario with one value changed: text or a 30-digit number in
a whole-number field (in the automation's ``where:`` filter and in a ``create_record``),
a NUL character, a name with a trailing newline, a copy between fields of different
kinds. ``drills validate`` and ``drills run`` both give exactly one line at the value's
``file:line``, exit 2, and never a traceback; the drill never reaches its database.
``drills validate --imports`` imports the code a file names and says at its key what is
missing. Every file goes through the real command in its own process.
"""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from drills.fakes.active import CATALOG
from drills.scenarios.basics import INT64, check_value

REPO = Path(__file__).parents[2]
LIBRARY = REPO / "scenarios" / "library"
RUNBOOK = REPO / "examples" / "invoice-reminder.runbook.yaml"
THIRTY_DIGITS = "123456789012345678901234567890"
NOT_IMPORTED = " (callables not imported; add --imports to check them)"


@dataclass(frozen=True)
class Case:
    """A library scenario with ``old`` replaced by ``new``; the error is on ``line``."""

    name: str
    base: str
    old: str
    new: str
    line: int
    says: str


CASES = [
    Case("where-text", "invoices-billed-twice", "where: {status: delivered}",
         "where: {total_cents: abc}", 25,
         "'shop.orders.total_cents' holds whole numbers, got 'abc' "
         "(automation.where.total_cents)"),
    Case("where-30-digits", "invoices-billed-twice", "where: {status: delivered}",
         f'where: {{total_cents: "{THIRTY_DIGITS}"}}', 25,
         "a 30-digit number does not fit 'shop.orders.total_cents', a 64-bit whole number"),
    Case("create-text", "invoices-billed-twice", "values: {status: open",
         "values: {amount_cents: abc, status: open", 34,
         "'billing.invoices.amount_cents' holds whole numbers, got 'abc' "
         "(automation.does.0.create_record.values.amount_cents)"),
    Case("create-30-digits", "invoices-billed-twice", "values: {status: open",
         f"values: {{amount_cents: {THIRTY_DIGITS}, status: open", 34,
         "a 30-digit number does not fit 'billing.invoices.amount_cents'"),
    Case("create-copies-text-into-a-number", "invoices-billed-twice",
         "amount_cents: total_cents}", "amount_cents: customer_name}", 33,
         "'shop.orders.customer_name' holds text but 'billing.invoices.amount_cents' holds "
         "whole numbers (automation.does.0.create_record.copy.amount_cents)"),
    Case("where-nul", "invoices-billed-twice", "where: {status: delivered}",
         'where: {status: "deli\\u0000vered"}', 25,
         "the text holds a NUL character ('\\0'), which PostgreSQL cannot store "
         "(automation.where.status)"),
    Case("title-nul", "invoices-billed-twice",
         "title: Delivered orders are invoiced twice after a queue redelivery",
         'title: "Delivered orders\\0 are invoiced twice"', 3,
         "the text holds a NUL character ('\\0'), which PostgreSQL cannot store (title)"),
    Case("name-trailing-newline", "invoices-billed-twice", "name: invoices-billed-twice",
         'name: "invoices-billed-twice\\n"', 2,
         "'invoices-billed-twice\\n' is not a valid name (name)"),
    Case("feeder-trailing-newline", "invoices-billed-twice",
         "{kind: queue, name: billing.invoice-queue}",
         '{kind: queue, name: "billing.invoice-queue\\n"}', 27,
         "is not a valid name (automation.feeders.0.name)"),
    Case("set-field-text", "deals-closed-won-early",
         "advance_stage: {field: crm.deals.stage, value: won}",
         "advance_stage: {field: crm.deals.stage, value: won}\n"
         "    - set_field: {field: crm.deals.amount_cents, value: abc}", 29,
         "'crm.deals.amount_cents' holds whole numbers, got 'abc' "
         "(automation.does.1.set_field.value)"),
    Case("mapping-text-into-a-number", "renewal-date-into-order-notes",
         "into: shop.orders.note", "into: shop.orders.total_cents", 35,
         "'shop.orders.renewal_date' holds text but 'shop.orders.total_cents' holds whole "
         "numbers (fault.into)"),
    Case("unknown-field", "invoices-billed-twice", "where: {status: delivered}",
         "where: {state: delivered}", 25,
         "table 'shop.orders' has no field 'state' (automation.where.state); "
         "did you mean 'status'?"),
]


def drills(*args: str, path: str = "") -> subprocess.CompletedProcess[str]:
    """``python -m drills ARGS`` from the repository root, as CI would run it."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(REPO), path) if p),
           "PYTHONWARNINGS": "error"}
    env.pop("DRILLS_BACKEND", None)
    return subprocess.run(
        [sys.executable, "-m", "drills", *args],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=600, check=False,
    )


def write_case(case: Case, folder: Path) -> Path:
    text = (LIBRARY / f"{case.base}.yaml").read_text(encoding="utf-8")
    assert text.count(case.old) == 1, case.name
    path = folder / f"{case.name}.yaml"
    path.write_text(text.replace(case.old, case.new), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def bad_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("bad")
    return {case.name: write_case(case, folder) for case in CASES}


@pytest.fixture(scope="module")
def runs(bad_files: dict[str, Path]) -> dict[tuple[str, str], subprocess.CompletedProcess[str]]:
    """``validate`` and ``run`` of every case, started together."""
    jobs = [(case.name, command) for case in CASES for command in ("validate", "run")]

    def one(job: tuple[str, str]) -> subprocess.CompletedProcess[str]:
        name, command = job
        extra = ("--no-costs", "-q") if command == "run" else ()
        return drills(command, str(bad_files[name]), *extra)

    with ThreadPoolExecutor(max_workers=min(8, 2 * (os.cpu_count() or 1))) as pool:
        return dict(zip(jobs, pool.map(one, jobs), strict=True))


@pytest.mark.slow
@pytest.mark.parametrize("command", ["validate", "run"])
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_a_bad_value_is_one_line_at_its_line_and_exit_2(
    case: Case, command: str, bad_files: dict[str, Path],
    runs: dict[tuple[str, str], subprocess.CompletedProcess[str]],
) -> None:
    result = runs[(case.name, command)]
    output = result.stdout + result.stderr
    assert "Traceback" not in output
    assert result.returncode == 2, output
    lines = output.splitlines()
    assert len(lines) == 1, output
    prefix = "drills: error: " if command == "run" else ""
    assert lines[0].startswith(f"{prefix}{bad_files[case.name]}:{case.line}:"), output
    assert case.says in lines[0]


# -- the team's code: --imports ---------------------------------------------------------


TEAM_CODE = '''\
def pause_all(ctx):
    return "paused"


NOT_CALLABLE = 5
'''


@pytest.fixture(scope="module")
def team(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder for PYTHONPATH holding ``teamops.pauses`` and a ``teamops.broken``."""
    root = tmp_path_factory.mktemp("team")
    (root / "teamops").mkdir()
    (root / "teamops" / "__init__.py").write_text("", encoding="utf-8")
    (root / "teamops" / "pauses.py").write_text(TEAM_CODE, encoding="utf-8")
    (root / "teamops" / "broken.py").write_text("raise RuntimeError('boom')\n", encoding="utf-8")
    return root


def runbook_calling(folder: Path, *targets: str) -> tuple[Path, int]:
    """The example runbook with a ``call:`` step per target; the line of the first one."""
    text = RUNBOOK.read_text(encoding="utf-8")
    anchor = "  - {disable_feeder: activity-logger, takes: 1m}\n"
    steps = "".join(f"  - {{call: {t}}}\n" for t in targets)
    path = folder / "calls.runbook.yaml"
    path.write_text(text.replace(anchor, anchor + steps), encoding="utf-8")
    first = text[: text.index(anchor)].count("\n") + 2
    return path, first


@pytest.mark.slow
def test_imports_reports_each_callable_that_does_not_resolve_at_its_line(
    tmp_path: Path, team: Path
) -> None:
    path, first = runbook_calling(
        tmp_path, "teamops.pauses:pause_all", "nosuchmod.ops:pause",
        "teamops.pauses:pause_al", "teamops.pauses:NOT_CALLABLE", "teamops.broken:pause",
    )
    result = drills("validate", "--imports", str(path), path=str(team))
    assert "Traceback" not in result.stdout + result.stderr
    assert result.returncode == 2
    assert result.stdout.splitlines() == [
        f"{path}:{first + 1}:12: cannot import 'nosuchmod.ops' (No module named 'nosuchmod') "
        "(pause.5.call); install the team's package or put it on PYTHONPATH",
        f"{path}:{first + 2}:12: module 'teamops.pauses' has no attribute 'pause_al' "
        "(pause.6.call); did you mean 'pause_all'?",
        f"{path}:{first + 3}:12: 'teamops.pauses:NOT_CALLABLE' is not callable (a value of "
        "type int) (pause.7.call); name a function",
        f"{path}:{first + 4}:12: importing 'teamops.broken' raised RuntimeError: boom "
        f"at {team / 'teamops' / 'broken.py'}:1 (pause.8.call); fix the module so it "
        "imports cleanly",
    ]


@pytest.mark.slow
def test_without_imports_no_team_code_runs_and_the_ok_line_says_so(
    tmp_path: Path, team: Path
) -> None:
    path, _ = runbook_calling(tmp_path, "teamops.broken:pause", "nosuchmod.ops:pause")
    result = drills("validate", str(path), str(RUNBOOK), path=str(team))
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.splitlines() == [f"ok: {path}{NOT_IMPORTED}", f"ok: {RUNBOOK}"]


@pytest.mark.slow
def test_imports_passes_code_that_resolves_in_a_runbook_and_a_scenario(
    tmp_path: Path, team: Path
) -> None:
    path, _ = runbook_calling(tmp_path, "teamops.pauses:pause_all")
    text = (LIBRARY / "invoices-billed-twice.yaml").read_text(encoding="utf-8")
    start, end = text.index("  does:\n"), text.index("  touches:")
    scenario = tmp_path / "own-code.yaml"
    scenario.write_text(
        text[:start] + "  callable: teamops.pauses:pause_all\n" + text[end:], encoding="utf-8"
    )
    result = drills("validate", "--imports", str(path), str(scenario), path=str(team))
    assert (result.returncode, result.stderr) == (0, ""), result.stdout
    assert result.stdout.splitlines() == [f"ok: {path}", f"ok: {scenario}"]

    scenario.write_text(
        text[:start] + "  callable: teamops.pauses:NOT_CALLABLE\n" + text[end:], encoding="utf-8"
    )
    result = drills("validate", "--imports", str(scenario), path=str(team))
    line = text[:start].count("\n") + 1
    assert (result.returncode, result.stdout) == (2, (
        f"{scenario}:{line}:13: 'teamops.pauses:NOT_CALLABLE' is not callable (a value of type "
        "int) (automation.callable); name a function\n"
    ))


# -- what ships still validates ---------------------------------------------------------


SHIPPED = sorted(
    [*REPO.glob("examples/*.yaml"), *LIBRARY.glob("*.yaml"),
     *REPO.glob("tests/data/examples/*.yaml")]
)


@pytest.mark.slow
@pytest.mark.parametrize("flags", [(), ("--imports",)], ids=["plain", "imports"])
def test_the_shipped_examples_and_library_validate(flags: tuple[str, ...]) -> None:
    files = [str(p.relative_to(REPO)) for p in SHIPPED]
    assert len(files) >= 13
    result = drills("validate", *flags, *files)
    assert (result.returncode, result.stderr) == (0, ""), result.stdout
    assert result.stdout.splitlines() == [f"ok: {f}" for f in files]


# -- the value check itself (fast) ------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "fits"),
    [
        ("amount_cents", str(INT64[1]), True),
        ("amount_cents", str(INT64[1] + 1), False),
        ("amount_cents", str(INT64[0]), True),
        ("amount_cents", str(INT64[0] - 1), False),
        ("amount_cents", INT64[1] + 1, False),
        ("amount_cents", "+120", True),
        ("amount_cents", "1_000", False),
        ("amount_cents", " 12", False),
        ("amount_cents", "12.5", False),
        ("due_date", "2026-03-02", True),
        ("due_date", "next monday", False),
        ("notes", "x" * 10_001, False),
        ("notes", 5, True),
    ],
)
def test_check_value_against_the_column(field: str, value: str | int, fits: bool) -> None:
    problem = check_value(CATALOG.table("billing.invoices"), field, value)
    assert (problem is None) is fits, problem
