"""Credentials never show: a password in the URL is in no output, error, report or file."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from drills.cli.backend import PASSWORD_WARNING
from drills.fakes.backends.base import redact_url, scrub, url_secrets
from drills.fakes.backends.postgres import engine_url
from tests.pg.conftest import GOOD, drills, drop_schemas, with_database, with_password

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

SECRET = "Zq9-hunter2-s3cr3t"
"""A password no output could contain by accident."""


def assert_secret_free(*texts: str) -> None:
    for text in texts:
        assert SECRET not in text
        assert "hunter2" not in text


def files_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def test_a_password_is_in_no_output_report_or_file(pg_url: str, tmp_path: Path) -> None:
    url = with_password(pg_url, SECRET)
    shown = redact_url(pg_url)
    out = tmp_path / "report"
    run = drills("run", "invoice-triple-trigger", "--runbook", GOOD, "--backend", url,
                 "--out", str(out), "--format", "console,md,html,json,junit", "-v", "--keep")
    assert run.returncode == 0, run.stderr
    kept = re.search(rf"^kept drill schema (drill_[0-9a-f]{{12}}) in {re.escape(shown)}$",
                     run.stdout, re.M)
    assert kept is not None, run.stdout
    try:
        assert_secret_free(run.stdout, run.stderr)
        written = files_under(out)
        # five report formats and the drill's journal (which names the backend too)
        assert len(written) == 6
        assert out / "drill.journal.jsonl" in written
        for path in written:
            assert_secret_free(path.read_text(encoding="utf-8"))
        report = json.loads((out / "drill-invoice-triple-trigger-1729.json").read_text())
        assert report["backend"] == f"{shown} (schema {kept.group(1)})"

        world = drills("world", "--count", "crm.contacts=10", "--backend", url,
                       "--export", str(tmp_path / "export"))
        assert world.returncode == 0, world.stderr
        assert f"database: {shown} (schema drill_" in world.stdout
        assert_secret_free(world.stdout, world.stderr)
        for path in files_under(tmp_path / "export"):
            assert_secret_free(path.read_text(encoding="utf-8"))

        check = drills("check", GOOD, "--scenario", "invoice-triple-trigger", "--no-costs",
                       "--backend", url, "--junit", str(tmp_path / "junit.xml"))
        assert check.returncode == 0, check.stdout + check.stderr
        assert_secret_free(check.stdout, check.stderr,
                           (tmp_path / "junit.xml").read_text(encoding="utf-8"))

        status = drills("sandbox", "status", url)
        assert status.returncode == 0
        assert kept.group(1) in status.stdout
        assert_secret_free(status.stdout, status.stderr)
    finally:
        drop_schemas(pg_url, [kept.group(1)])


def test_a_password_is_in_no_error(pg_url: str, unmarked_db: str) -> None:
    refused = drills("run", "invoice-triple-trigger", "--no-costs",
                     "--backend", with_password(unmarked_db, SECRET))
    assert refused.returncode == 2
    assert "is not a drill sandbox" in refused.stderr
    no_server = with_password(pg_url, SECRET).replace(":5432/", ":1/")
    unreachable = drills("world", "--backend", no_server)
    assert unreachable.returncode == 2
    assert unreachable.stderr.startswith(
        f"{PASSWORD_WARNING}\ndrills: error: cannot connect to {redact_url(no_server)}:")
    no_database = with_password(with_database(pg_url, "no_such_db_for_drills"), SECRET)
    missing = drills("sandbox", "init", no_database)
    assert missing.returncode == 2
    assert 'database "no_such_db_for_drills" does not exist' in missing.stderr
    bad = drills("run", "invoice-triple-trigger", "--backend", f"mysql://root:{SECRET}@h/db")
    assert bad.returncode == 2
    for run in (refused, unreachable, missing, bad):
        assert run.stdout == ""
        # --backend on the command line: the warning about its password, then the error
        error = run.stderr.removeprefix(f"{PASSWORD_WARNING}\n")
        assert error.startswith("drills: error: "), run.stderr
        assert error.count("\n") == 1, run.stderr
        assert_secret_free(run.stderr)
    assert all(run.stderr.startswith(PASSWORD_WARNING) for run in (refused, unreachable))
    assert bad.stderr.count("\n") == 1  # not a backend URL: the error alone


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql+psycopg://ana:s3cret@db:5432/drills?sslpassword=x1y2z3",
         "postgresql://ana@db:5432/drills"),
        ("postgres://ana:p@ss/w?rd@db/drills", "postgresql://ana@db/drills"),
        ("postgresql://ana@db/drills", "postgresql://ana@db/drills"),
        ("postgresql://ana:pw@/drills?host=/var/run/postgresql", "postgresql://ana@/drills"),
        ("sqlite:////tmp/drill.sqlite", "sqlite:////tmp/drill.sqlite"),
    ],
)
def test_redact_url_keeps_user_host_and_database_only(url: str, shown: str) -> None:
    assert redact_url(url) == shown
    for secret in url_secrets(url):
        assert secret not in redact_url(url)
        assert "***" in scrub(f"driver said {secret}", url) or len(secret) < 3


def test_a_password_with_at_and_slash_is_taken_whole() -> None:
    parsed = engine_url("postgresql://ana:p@ss/w%3Ard@db:6543/drills")
    assert (parsed.username, parsed.password, parsed.host, parsed.port, parsed.database) == (
        "ana", "p@ss/w:rd", "db", 6543, "drills")
    assert parsed.drivername == "postgresql+psycopg"
    assert engine_url("postgres://ana:p?w@db/drills?sslmode=disable").password == "p?w"
