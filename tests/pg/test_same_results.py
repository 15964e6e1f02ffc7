"""The shared example gives the same report on SQLite and on PostgreSQL.

``invoice-triple-trigger`` with the good runbook and with the flawed one (the latter
with every gap-cost rerun): the report JSON is the same on both backends but for the
wall-clock time and the ``backend`` field that says where the world lived. The
reports come from the session cache the engine tests fill, so each drill runs once.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from drills.reports.jsonout import render_json
from drills.reports.model import DrillReport
from tests.conftest import ExampleReports

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

VARYING = ("wall_seconds", "ran_at", "backend")
"""What may differ between backends: the wall clock, and where the world lived."""


def report_json(report: DrillReport) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(render_json(report))
    return {k: v for k, v in data.items() if k not in VARYING}


@pytest.mark.parametrize(("runbook", "costs"), [("good", False), ("flawed", True)])
def test_the_shared_example_reports_the_same_on_both_backends(
    example_reports: ExampleReports, pg_url: str, runbook: str, costs: bool
) -> None:
    on_sqlite = example_reports.get("sqlite", runbook, costs=costs)
    on_postgres = example_reports.get(pg_url, runbook, costs=costs)
    assert on_sqlite.backend.startswith("sqlite://")
    assert on_postgres.backend.startswith("postgresql://")
    assert report_json(on_postgres) == report_json(on_sqlite)
    if costs:
        measured = [f for f in on_postgres.findings if f.cost is not None and not f.cost.is_zero]
        assert len(measured) >= 8  # the reruns ran on PostgreSQL and measured real costs
