"""Limits at the command line: past one is one line, exit 2, and nothing written.

The world-size and scale limits go through the real CLI in its own process, with a
database and a report folder named, to show that a refused command leaves neither
behind. The disk-room check cannot fill a real disk in a test, so it runs through
click's runner with the free space the operating system reports made small.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections import namedtuple
from pathlib import Path

import pytest
from click.testing import CliRunner

from drills.cli.main import cli

REPO = Path(__file__).parents[2]
MINIMAL = REPO / "tests" / "data" / "scenarios" / "good" / "minimal.yaml"


def drills(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONWARNINGS": "error", "COLUMNS": "100"}
    return subprocess.run(
        [sys.executable, "-m", "drills", *args],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False,
    )


def assert_refused(run: subprocess.CompletedProcess[str], message: str, *unwritten: Path
                   ) -> None:
    assert run.returncode == 2, run.stderr
    assert run.stdout == ""
    assert run.stderr == f"drills: error: {message}\n"
    for path in unwritten:
        assert not path.exists(), path
        assert not Path(f"{path}-wal").exists()


@pytest.mark.slow
def test_world_over_the_per_table_limit(tmp_path: Path) -> None:
    db = tmp_path / "w.sqlite"
    run = drills("world", "--count", "crm.contacts=5000001", "--db", str(db),
                 "--export", str(tmp_path / "export"))
    assert_refused(
        run,
        "count for crm.contacts is 5,000,001, over the limit of 5,000,000 records per table; "
        "lower it to 5,000,000 or fewer (a drill's findings do not change past a few hundred "
        "thousand records)",
        db, tmp_path / "export",
    )


@pytest.mark.slow
def test_world_over_the_total_limit(tmp_path: Path) -> None:
    db = tmp_path / "w.sqlite"
    run = drills("world", "--count", "crm.contacts=5000000", "--count", "crm.deals=5000000",
                 "--db", str(db))
    assert_refused(
        run,
        "the world would hold 10,003,960 records, over the limit of 10,000,000 in all tables "
        "together; lower the counts",
        db,
    )


@pytest.mark.slow
def test_run_scaled_past_the_world_limit(tmp_path: Path) -> None:
    db, out = tmp_path / "d.sqlite", tmp_path / "report"
    run = drills("run", "invoice-triple-trigger", "--scale", "5000", "--db", str(db),
                 "--out", str(out), "--no-costs")
    assert_refused(
        run,
        "--scale 5000 takes world.billing.invoices of scenario 'invoice-triple-trigger' past "
        "its limit (6,000,000 records, over the limit of 5,000,000); the largest --scale that "
        "fits is 4166.66",
        db, out,
    )


@pytest.mark.slow
def test_run_scaled_by_infinity(tmp_path: Path) -> None:
    out = tmp_path / "report"
    run = drills("run", "invoice-triple-trigger", "--scale", "inf", "--out", str(out))
    assert_refused(run, "--scale must be a finite number, got inf; e.g. --scale 10", out)


@pytest.mark.slow
def test_run_of_a_file_whose_world_is_too_big(tmp_path: Path) -> None:
    text = MINIMAL.read_text(encoding="utf-8").replace(
        "crm: {contacts: 80}", "crm: {contacts: 5000000, deals: 5000000}")
    scenario = tmp_path / "huge.yaml"
    scenario.write_text(text, encoding="utf-8")
    db, out = tmp_path / "d.sqlite", tmp_path / "report"
    run = drills("run", str(scenario), "--db", str(db), "--out", str(out), "--no-costs")
    assert_refused(
        run,
        f"{scenario}:6:1: the world holds 10,000,120 records, over the limit of 10,000,000 "
        "(world); lower the counts",
        db, out,
    )


Usage = namedtuple("Usage", "total used free")


@pytest.fixture
def small_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    """The disk under every folder reports 1 MB free."""
    monkeypatch.setattr(shutil, "disk_usage", lambda _path: Usage(10**9, 10**9 - 10**6, 10**6))


@pytest.mark.usefixtures("small_disk")
def test_world_too_big_for_the_free_disk(tmp_path: Path) -> None:
    db = tmp_path / "w.sqlite"
    result = CliRunner().invoke(cli, ["world", "--count", "crm.contacts=5000", "--db", str(db)])
    assert result.exit_code == 2
    assert result.output == (
        f"drills: error: --db {db}: a world of 9,260 records needs up to 5.6 MB and {tmp_path} "
        "has 1.0 MB free; free some space, choose a folder on another disk, or leave out --db "
        "to keep the drill in memory\n"
    )
    assert not db.exists()


@pytest.mark.usefixtures("small_disk")
def test_run_too_big_for_the_free_disk(tmp_path: Path) -> None:
    db = tmp_path / "d.sqlite"
    result = CliRunner().invoke(cli, ["run", "invoice-triple-trigger", "--db", str(db),
                                      "--no-costs", "-q"])
    assert result.exit_code == 2
    assert result.output == (
        f"drills: error: --db {db}: a world of 2,360 records needs up to 1.4 MB and {tmp_path} "
        "has 1.0 MB free; free some space, choose a folder on another disk, or leave out --db "
        "to keep the drill in memory\n"
    )
    assert not db.exists()


def test_a_small_world_fits_the_real_disk(tmp_path: Path) -> None:
    db = tmp_path / "w.sqlite"
    result = CliRunner().invoke(cli, ["world", "--count", "crm.contacts=20", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert db.exists()
