"""A NUL character in a scenario value stops a PostgreSQL drill before it starts.

PostgreSQL refuses NUL in text (SQLite stores it), so the same file used to run on
SQLite and end in a traceback deep in a PostgreSQL drill. The scenario check refuses it
for every backend: one line at the value, exit 2, and the database is never reached.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.pg.conftest import REPO, drills

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def test_a_nul_byte_in_a_where_filter_is_one_line_on_postgresql(
    pg_url: str, tmp_path: Path
) -> None:
    text = (REPO / "scenarios" / "library" / "invoices-billed-twice.yaml").read_text(
        encoding="utf-8")
    path = tmp_path / "nul.yaml"
    path.write_text(text.replace("where: {status: delivered}",
                                 'where: {status: "deli\\u0000vered"}'), encoding="utf-8")
    run = drills("run", str(path), "--no-costs", "-q", "--backend", pg_url)
    assert "Traceback" not in run.stderr
    assert (run.returncode, run.stdout) == (2, "")
    assert run.stderr == (
        f"drills: error: {path}:25:19: the text holds a NUL character ('\\0'), which "
        "PostgreSQL cannot store (automation.where.status); remove the escape that writes "
        "it ('\\0', '\\x00' or '\\u0000')\n"
    )
