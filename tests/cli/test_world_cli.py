"""``drills world``: a seeded world and its summary; bad input is one line and exit 2.

The end-to-end cases run the real command in its own process (``python -m drills
world ...``), the way a user and CI run it; the finer cases go through click's runner.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from drills.cli.commands.world import DEFAULT_COUNTS, parse_counts
from drills.cli.main import cli
from drills.fakes.errors import WorldError
from drills.fakes.exports import MANIFEST, read_manifest

REPO = Path(__file__).parents[2]
SMALL = ["--count", "crm.contacts=40", "--count", "billing.invoices=25", "--count",
         "crm.deals=0", "--count", "billing.activity=0", "--count", "email.outbox=5",
         "--count", "support.tickets=0", "--count", "shop.orders=3"]


def drills(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONWARNINGS": "error",
           "COLUMNS": "100"}
    return subprocess.run(
        [sys.executable, "-m", "drills", *args],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False,
    )


def assert_one_line_error(run: subprocess.CompletedProcess[str], message: str) -> None:
    assert run.returncode == 2, run.stderr
    assert run.stdout == ""
    assert run.stderr == f"drills: error: {message}\n"


# -- in a real process ------------------------------------------------------------------


@pytest.mark.slow
def test_world_builds_prints_a_summary_and_exports(tmp_path: Path) -> None:
    db, folder = tmp_path / "drill.sqlite", tmp_path / "export"
    run = drills("world", "--seed", "7", *SMALL, "--db", str(db), "--export", str(folder))
    assert run.returncode == 0, run.stderr
    assert run.stderr == ""
    lines = run.stdout.splitlines()
    assert lines[0].strip() == "World (seed 7)"
    rows = [[cell.strip() for cell in line.split("│")[1:-1]] for line in lines if "│" in line]
    assert rows == [
        ["crm", "contacts", "40"], ["crm", "deals", "0"], ["billing", "invoices", "25"],
        ["billing", "activity", "0"], ["email", "outbox", "5"], ["support", "tickets", "0"],
        ["shop", "orders", "3"], ["", "total", "73"],
    ]
    assert any(line.startswith("seed 7 · start 2026-03-02T09:00:00 · built in ")
               for line in lines)
    assert f"database: {db}" in lines
    assert any(line.startswith(f"export: {folder} (14 files + {MANIFEST})") for line in lines)
    assert db.is_file()
    manifest = read_manifest(folder)
    assert {t.qualname: t.rows for t in manifest.tables}["crm.contacts"] == 40


@pytest.mark.slow
def test_a_bad_count_is_one_line_on_stderr_and_exit_2(tmp_path: Path) -> None:
    db = tmp_path / "drill.sqlite"
    run = drills("world", "--count", "crm.contacts=-1", "--db", str(db))
    assert_one_line_error(run, "count for crm.contacts must be 0 or more, got -1")
    assert "Traceback" not in run.stderr
    assert not db.exists()


@pytest.mark.slow
def test_a_malformed_count_is_one_line_on_stderr_and_exit_2() -> None:
    run = drills("world", "--count", "crm.contacts")
    assert_one_line_error(
        run, "--count 'crm.contacts' is not TABLE=N; write it as e.g. --count crm.contacts=800"
    )


@pytest.mark.slow
def test_an_existing_export_folder_fails_before_any_database_is_made(tmp_path: Path) -> None:
    folder, db = tmp_path / "export", tmp_path / "drill.sqlite"
    folder.mkdir()
    (folder / "old.csv").write_text("id\n")
    run = drills("world", "--db", str(db), "--export", str(folder))
    assert_one_line_error(
        run, f"export folder {folder} is not empty; choose a new folder or remove it"
    )
    assert not db.exists()
    assert [p.name for p in folder.iterdir()] == ["old.csv"]


# -- through click ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--count", "crm.contact=5"],
         "system 'crm' has no table 'contact'; did you mean 'contacts'?"),
        (["--count", "crn.contacts=5"], "unknown system 'crn'; did you mean 'crm'?"),
        (["--count", "crm.contacts=lots"],
         "count for crm.contacts must be a whole number, got 'lots'; write e.g. "
         "crm.contacts=800"),
        (["--count", "=5"],
         "--count '=5' is not TABLE=N; write it as e.g. --count crm.contacts=800"),
        (["--count", "crm.contacts=6000000"],
         "count for crm.contacts is 6,000,000, over the limit of 5,000,000 records per "
         "table; lower it to 5,000,000 or fewer (a drill's findings do not change past a "
         "few hundred thousand records)"),
        (["--seed", "abc"], "--seed must be a whole number, got 'abc'; e.g. --seed 1729"),
        (["--start", "monday"],
         "--start must be an ISO date-time, got 'monday'; e.g. --start 2026-03-02T09:00"),
    ],
)
def test_bad_input_through_click(args: list[str], message: str) -> None:
    result = CliRunner().invoke(cli, ["world", *args])
    assert result.exit_code == 2
    assert result.output == f"drills: error: {message}\n"


def test_an_existing_database_file_is_not_touched(tmp_path: Path) -> None:
    db = tmp_path / "precious.sqlite"
    db.write_bytes(b"someone's data")
    result = CliRunner().invoke(cli, ["world", "--db", str(db)])
    assert result.exit_code == 2
    assert result.output == (
        f"drills: error: {db} exists already; drills world builds a fresh database: "
        "choose a new path or remove the file\n"
    )
    assert db.read_bytes() == b"someone's data"


def test_a_database_in_a_missing_folder_is_refused(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["world", "--db", str(tmp_path / "no" / "x.sqlite")])
    assert result.exit_code == 2
    assert result.output == (
        f"drills: error: folder {tmp_path / 'no'} does not exist; create it or choose "
        "another path\n"
    )


def test_an_export_under_a_file_is_refused(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = CliRunner().invoke(cli, ["world", "--export", str(blocker / "out")])
    assert result.exit_code == 2
    assert "not a writable folder; choose a folder you can write to" in result.output


@pytest.mark.slow
def test_a_failed_export_removes_the_database_it_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import drills.cli.commands.world as world_command

    def broken(*args: object, **kwargs: object) -> None:
        raise WorldError("disk full while exporting; free space and run again")

    monkeypatch.setattr(world_command, "export_tables", broken)
    db = tmp_path / "drill.sqlite"
    result = CliRunner().invoke(
        cli, ["world", *SMALL, "--db", str(db), "--export", str(tmp_path / "out")]
    )
    assert result.exit_code == 2
    assert "disk full while exporting" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_the_same_seed_prints_the_same_world_in_memory() -> None:
    runs = [CliRunner().invoke(cli, ["world", "--seed", "3", *SMALL]) for _ in range(2)]
    assert [r.exit_code for r in runs] == [0, 0]
    tables = [r.output.split("seed 3 ·")[0] for r in runs]
    assert tables[0] == tables[1]
    assert "database: in memory (gone on exit)" in runs[0].output


def test_counts_override_the_defaults_table_by_table() -> None:
    counts = parse_counts(["shop.orders=7", "crm.contacts = 12"])
    assert counts == {**DEFAULT_COUNTS, "shop.orders": 7, "crm.contacts": 12}
    assert list(counts) == list(DEFAULT_COUNTS)  # catalog order
