"""``--backend docker`` without Docker: the container faked at the testcontainers boundary.

This machine runs no Docker engine, so the one step that needs it - starting the
container - is replaced: ``PostgresContainer`` (looked up in the module drills uses,
``testcontainers.community.postgres``) becomes a fake whose database is a fresh,
unmarked database on the test PostgreSQL. Everything after the start runs for real:
marking the database as a sandbox (drills created it), the drill in a schema, the
gap-cost reruns in forked processes, and removing the container at the end.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from click.testing import CliRunner

from drills.api import run_drill
from drills.cli.main import cli
from drills.fakes import BackendError
from drills.fakes.backends.docker import DEFAULT_IMAGE, DockerBackend, container_module
from drills.fakes.backends.postgres import admin_engine
from drills.fakes.backends.sandbox import marks
from drills.runbook import Runbook, load_runbook
from drills.scenarios.loader import load_scenario
from tests.pg.conftest import GOOD, REPO, drills, schemas, with_password

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


class FakeContainer:
    """Stands in for ``PostgresContainer``: records how drills drives it."""

    url = ""
    made: list[FakeContainer] = []  # noqa: RUF012 - a class-wide record, reset per test
    fail_start: Exception | None = None

    def __init__(self, image: str, **kwargs: Any) -> None:
        self.image = image
        self.kwargs = kwargs
        self.started = 0
        self.stopped = 0
        FakeContainer.made.append(self)

    def start(self) -> FakeContainer:
        if FakeContainer.fail_start is not None:
            raise FakeContainer.fail_start
        self.started += 1
        return self

    def get_connection_url(self, host: str | None = None, driver: str | None = "x") -> str:
        assert driver is None, "drills asks for a driver-less URL and picks psycopg itself"
        return with_password(FakeContainer.url, self.kwargs["password"])

    def stop(self, force: bool = True, delete_volume: bool = True) -> None:
        self.stopped += 1


@pytest.fixture
def fake_docker(unmarked_db: str, monkeypatch: pytest.MonkeyPatch) -> type[FakeContainer]:
    FakeContainer.url = unmarked_db
    FakeContainer.made = []
    FakeContainer.fail_start = None
    monkeypatch.setattr(container_module(), "PostgresContainer", FakeContainer)
    monkeypatch.delenv("DRILLS_DOCKER_IMAGE", raising=False)
    return FakeContainer


def without(runbook: Runbook, *sections: str) -> Runbook:
    data = runbook.model_dump(mode="json", by_alias=True, exclude_none=True)
    for section in sections:
        data.pop(section)
    return Runbook.model_validate(data)


def test_a_drill_on_docker_marks_its_database_runs_and_removes_the_container(
    fake_docker: type[FakeContainer],
) -> None:
    scenario = load_scenario("invoice-triple-trigger")
    # Gaps with a cost: gap-cost reruns, in forked processes, in schemas of the container.
    runbook = without(load_runbook(REPO / GOOD), "comms", "verify", "scope")
    report = run_drill(scenario, runbook, costs=True, backend="docker")
    alone = run_drill(scenario, runbook, costs=True, backend="sqlite")

    [container] = fake_docker.made
    assert container.image == DEFAULT_IMAGE
    assert container.kwargs["username"] == "drills"
    assert len(container.kwargs["password"]) >= 20  # a fresh random one, never "test"
    assert (container.started, container.stopped) == (1, 1)
    assert report.backend.startswith(f"docker {DEFAULT_IMAGE} (schema drill_")
    assert container.kwargs["password"] not in report.model_dump_json()
    costed = {f.code for f in report.findings if f.cost is not None and not f.cost.is_zero}
    assert {"no-comms", "no-verification", "no-scope"} <= {f.code for f in report.findings}
    assert costed, "the reruns measured something"
    dump = report.model_dump(mode="json", exclude={"wall_seconds", "ran_at", "backend"})
    assert dump == alone.model_dump(mode="json", exclude={"wall_seconds", "ran_at", "backend"})

    engine = admin_engine(fake_docker.url)
    try:
        with engine.connect() as conn:
            [mark] = marks(conn)
    finally:
        engine.dispose()
    assert mark.by == "drills --backend docker"
    assert schemas(fake_docker.url) == []  # the drill's and the reruns' schemas are gone


def test_the_cli_world_on_docker(fake_docker: type[FakeContainer]) -> None:
    result = CliRunner().invoke(cli, ["world", "--backend", "docker",
                                      "--count", "crm.contacts=10"])
    assert result.exit_code == 0, result.output
    assert f"database: docker {DEFAULT_IMAGE} (schema drill_" in result.output
    assert ", dropped on exit)" in result.output
    assert [c.stopped for c in fake_docker.made] == [1]


def test_a_container_that_does_not_start_is_one_line_and_cleaned_up(
    fake_docker: type[FakeContainer],
) -> None:
    fake_docker.fail_start = RuntimeError("image pull failed:\n  manifest unknown")
    with pytest.raises(BackendError) as info:
        DockerBackend()
    assert str(info.value) == (
        "--backend docker needs a running Docker engine, and none answered (RuntimeError: "
        "image pull failed: manifest unknown); start Docker, or drill on a PostgreSQL you "
        "have: --backend postgresql://USER@HOST/DB"
    )
    assert [c.stopped for c in fake_docker.made] == [1]


def test_keep_is_refused_on_docker(fake_docker: type[FakeContainer]) -> None:
    result = CliRunner().invoke(cli, ["run", "invoice-triple-trigger", "--backend", "docker",
                                      "--keep", "--no-costs"])
    assert result.exit_code == 2
    assert result.output == (
        "drills: error: --keep cannot keep a drill on --backend docker: the container is "
        "removed when the drill ends; keep it on a PostgreSQL of yours with "
        "--backend postgresql://USER@HOST/DB --keep\n"
    )
    assert fake_docker.made == []


def test_without_a_docker_engine_the_user_gets_one_line_and_exit_2(pg_url: str) -> None:
    # However this machine is set up, point Docker clients at a socket that is not there.
    env = {"DOCKER_HOST": "unix:///nonexistent/drills-test/docker.sock"}
    run = drills("run", "invoice-triple-trigger", "--no-costs", "--backend", "docker", env=env)
    assert run.returncode == 2
    assert run.stdout == ""
    assert run.stderr.count("\n") == 1
    assert run.stderr.startswith(
        "drills: error: --backend docker needs a running Docker engine, and none answered (")
    assert run.stderr.endswith(
        "); start Docker, or drill on a PostgreSQL you have: --backend "
        "postgresql://USER@HOST/DB\n")
    via_env = drills("world", env={**env, "DRILLS_BACKEND": "docker"})
    assert (via_env.returncode, via_env.stderr) == (2, run.stderr)
    assert "DOCKER_HOST" not in os.environ or os.environ["DOCKER_HOST"] != env["DOCKER_HOST"]
