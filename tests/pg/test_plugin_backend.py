"""The pytest plugin on PostgreSQL: ``--drills-backend`` puts the fixtures' drills there."""

from __future__ import annotations

import pytest

from tests.plugin.test_plugin import project, run  # noqa: F401 - the shared test project

pytest_plugins = ["pytester"]
pytestmark = [pytest.mark.postgres, pytest.mark.slow]

ON_POSTGRES = '''
import pytest

from drills.fakes import PostgresBackend


@pytest.mark.drills(scenario="invoice-triple-trigger", runbook="invoice-reminder.runbook.yaml")
def test_the_drill_runs_in_a_schema(run_drill):
    report = run_drill()
    assert report.backend.startswith("postgresql://") and "(schema drill_" in report.backend
    assert report.outcome.records_left_wrong == 0


@pytest.mark.drills(scenario="invoice-triple-trigger")
def test_the_world_is_in_a_schema(drill_world):
    assert isinstance(drill_world.store.backend, PostgresBackend)
    assert drill_world.store.count("billing.invoices") > 0
'''


def test_drills_backend_runs_the_fixtures_on_postgresql(
    project: pytest.Pytester, pg_url: str  # noqa: F811
) -> None:
    project.makepyfile(**{"tests/test_pg": ON_POSTGRES})
    result = run(project, "--drills-backend", pg_url)
    result.assert_outcomes(passed=2)


def test_a_bad_drills_backend_stops_the_session_with_one_line(
    project: pytest.Pytester, pg_url: str  # noqa: F811
) -> None:
    project.makepyfile(**{"tests/test_pg": ON_POSTGRES})
    result = run(project, "--drills-backend", "mysql://root:hunter2@db/x")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: --drills-backend 'mysql://root@db/x' is not a backend;*"])
    assert "hunter2" not in result.stderr.str() + result.stdout.str()
