"""A drill on PostgreSQL tries its stop rules exactly as one on SQLite does.

The healthy and the bad trial always build their world in memory (the world is a
function of the seed), whatever backend the drill itself uses; so the trial findings
of a drill on PostgreSQL are the SQLite drill's, and no trial leaves a schema behind.
"""

from __future__ import annotations

import pytest

from tests.conftest import ExampleReports

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def test_stop_rules_are_tried_the_same_on_postgresql(
    example_reports: ExampleReports, pg_url: str
) -> None:
    on_sqlite = example_reports.get("sqlite", "good", costs=False)
    on_postgres = example_reports.get(pg_url, "good", costs=False)
    trials = [f for f in on_sqlite.findings if f.code.startswith("stop-rule-")]
    assert [f.code for f in trials] == ["stop-rule-never-fires"]
    assert [f for f in on_postgres.findings if f.code.startswith("stop-rule-")] == trials
