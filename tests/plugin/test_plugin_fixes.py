"""The plugin as a team's CI meets it: shared drills, xdist, sandboxes, failure text.

- ``drill_result`` serves module- and session-scoped fixtures, and a drill several
  tests share runs once (counted by the team's own pause script, which runs once per
  drill);
- ``--drills-report-dir`` outside the repository works under pytest-xdist, where every
  drill used to fail with "no such file" (the folder moved pytest's rootdir);
- a failing test lists the high findings beside the critical ones;
- an unmarked PostgreSQL sandbox is one usage error before any test runs;
- an error is printed once, not once more as its chained cause.
"""

from __future__ import annotations

from pathlib import Path

import pytest

# Imported up front so pytester's in-process runs find the engine in sys.modules.
import drills.api  # noqa: F401
from tests.plugin.test_plugin import FLAWED, GOOD, plugin_args
from tests.review.test_trust import calling_runbook

pytest_plugins = ["pytester"]

COUNTING = '''\
from pathlib import Path


def pause(ctx):
    with open(Path(__file__).with_name("calls.txt"), "a") as calls:
        calls.write("drill\\n")
    ctx.control.pause_job(ctx.control.job)
    for name in ctx.control.live_feeders:
        ctx.control.stop_feeder(name)
    return "paused by the counting script"
'''

CONFTEST = '''
import pytest


@pytest.fixture(scope="session")
def storm(drill_result):
    return drill_result("invoice-triple-trigger", "runbooks/counted.runbook.yaml")
'''

MODULE_A = '''
import pytest


@pytest.fixture(scope="module")
def shared(drill_result):
    # the same drill as the session fixture: the same call, the same report
    return drill_result("invoice-triple-trigger", "../runbooks/counted.runbook.yaml")


def test_contained(shared):
    assert shared.outcome.contained


def test_nothing_left_wrong(shared):
    assert shared.outcome.records_left_wrong == 0


def test_same_report_as_the_session_fixture(shared, storm):
    assert shared is storm
'''

MODULE_B = '''
def test_the_pause_script_ran(storm):
    assert any(s.outcome.startswith("paused by the counting script") for s in storm.steps)


def test_a_failing_assert_shows_the_shared_drill(storm):
    assert storm.outcome.records_damaged == 0
'''


@pytest.mark.slow
def test_drill_result_runs_a_shared_drill_once(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\naddopts = --strict-markers\n")
    pytester.makepyfile(counting=COUNTING)
    pytester.syspathinsert()
    pytester.mkdir("runbooks")
    calling_runbook(pytester.path / "runbooks" / "counted.runbook.yaml", "counting:pause")
    pytester.mkdir("tests")
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(**{"tests/test_a": MODULE_A, "tests/test_b": MODULE_B})
    result = pytester.runpytest(*plugin_args(), "-p", "no:cacheprovider",
                                "--drills-report-dir", "reports", "--drills-format", "json")
    result.assert_outcomes(passed=4, failed=1)
    assert (pytester.path / "calls.txt").read_text() == "drill\n"
    written = [p.relative_to(pytester.path / "reports").as_posix()
               for p in (pytester.path / "reports").rglob("*.json")]
    assert written == ["drill_result--invoice-triple-trigger--counted.runbook.yaml/"
                       "drill-invoice-triple-trigger-1729.json"]
    result.stdout.fnmatch_lines([
        "*test_a_failing_assert_shows_the_shared_drill*",
        "*Captured drills call*",
        "invoice-reminder drill: contained in *",
    ])


@pytest.mark.slow
def test_a_failing_test_lists_high_findings_beside_critical_ones(
    pytester: pytest.Pytester,
) -> None:
    text = GOOD.read_text(encoding="utf-8")
    without = "".join(line for line in text.splitlines(keepends=True)
                      if "disable_feeder: billing.invoice-updated" not in line)
    assert without != text
    (pytester.path / "leaky.runbook.yaml").write_text(without, encoding="utf-8")
    pytester.makepyfile(test_leak='''
def test_contained(run_drill):
    assert run_drill("invoice-triple-trigger", "leaky.runbook.yaml").outcome.contained
''')
    result = pytester.runpytest(*plugin_args(), "-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "*Captured drills call*",
        "invoice-reminder drill: never contained, *",
        "never-contained critical: the bad run was never contained*",
        "feeder-left-running high: webhook 'billing.invoice-updated' kept running after the "
        "job was paused (fix: add 'disable_feeder: billing.invoice-updated' to the runbook's "
        "pause steps)",
    ])


XDIST_TESTS = '''
import pytest


@pytest.mark.parametrize("seed", [1, 2])
def test_runbook_from_the_rootdir(run_drill, seed):
    report = run_drill("invoice-triple-trigger", "runbooks/good.runbook.yaml", seed=seed)
    assert report.outcome.contained
'''


def _xdist_project(pytester: pytest.Pytester, *, ini: bool) -> None:
    if ini:
        pytester.makeini("[pytest]\naddopts = --strict-markers\n")
    pytester.mkdir("runbooks")
    (pytester.path / "runbooks" / "good.runbook.yaml").write_text(
        GOOD.read_text(encoding="utf-8"), encoding="utf-8")
    pytester.makepyfile(**{"tests/test_drills": XDIST_TESTS})


def _reports_in(outside: Path) -> list[str]:
    return sorted(p.relative_to(outside).as_posix() for p in outside.rglob("*.json"))


WRITTEN = [f"tests-test_drills.py--test_runbook_from_the_rootdir-{n}/"
           f"drill-invoice-triple-trigger-{n}.json" for n in (1, 2)]


@pytest.mark.slow
@pytest.mark.parametrize(("ini", "exists", "option"), [
    (True, False, "two-words"),
    (False, True, "two-words"),
    (True, True, "one-word"),
], ids=["new-folder", "existing-folder-no-ini", "existing-folder-one-word"])
def test_a_report_folder_outside_the_repository_under_xdist(
    pytester: pytest.Pytester, tmp_path_factory: pytest.TempPathFactory,
    ini: bool, exists: bool, option: str,
) -> None:
    _xdist_project(pytester, ini=ini)
    outside = tmp_path_factory.mktemp("outside") / "reports"
    if exists:  # a CI cache, or a second run
        outside.mkdir()
    given = ([f"--drills-report-dir={outside}"] if option == "one-word"
             else ["--drills-report-dir", str(outside)])
    result = pytester.runpytest_subprocess(
        *plugin_args(), "-p", "no:cacheprovider", "-p", "xdist", "-n", "2", *given,
        "--drills-format", "json")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines([f"rootdir: {pytester.path}"])
    assert _reports_in(outside) == WRITTEN


@pytest.mark.slow
def test_an_existing_report_folder_that_hid_the_configuration_is_one_usage_error(
    pytester: pytest.Pytester, tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """pytest read no ini file because it took the folder for a test path: only pytest
    can read the configuration again, so the plugin says how to write the option."""
    _xdist_project(pytester, ini=True)
    outside = tmp_path_factory.mktemp("outside") / "reports"
    outside.mkdir()
    result = pytester.runpytest_subprocess(
        *plugin_args(), "-p", "no:cacheprovider", "--drills-report-dir", str(outside))
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([
        f"ERROR: --drills-report-dir {outside}: pytest took this existing folder for a test "
        f"path and read its configuration from nowhere instead of {pytester.path}/tox.ini; "
        f"write the option as one word, --drills-report-dir={outside}"])


@pytest.fixture
def unmarked_url() -> str:
    """A PostgreSQL database nobody marked as a drill sandbox (created when missing)."""
    from tests.conftest import PG_URL, unavailable

    try:
        import psycopg
    except ImportError:
        unavailable("psycopg is not installed")
    base, _, _ = PG_URL.rpartition("/")
    try:
        with psycopg.connect(f"{base}/postgres", autocommit=True, connect_timeout=3) as conn:
            if conn.execute("SELECT 1 FROM pg_database WHERE datname = 'drills_unmarked'"
                            ).fetchone() is None:
                conn.execute("CREATE DATABASE drills_unmarked")
    except psycopg.OperationalError as err:
        unavailable(f"no PostgreSQL at {base}: {err}")
    url = f"{base}/drills_unmarked"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS public.drills_sandbox")
    return url


@pytest.mark.postgres
@pytest.mark.slow
def test_an_unmarked_sandbox_is_one_usage_error(
    pytester: pytest.Pytester, unmarked_url: str
) -> None:
    pytester.makepyfile(test_many='''
import pytest


@pytest.mark.drills("invoice-triple-trigger")
def test_world(drill_world):
    pass


def test_drill(run_drill):
    run_drill("invoice-triple-trigger")
''')
    result = pytester.runpytest(*plugin_args(), "-p", "no:cacheprovider",
                                "--drills-backend", unmarked_url)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    shown = unmarked_url.replace("postgresql://", "postgresql://", 1)
    assert result.stderr.lines[0] == (
        f"ERROR: {shown} is not a drill sandbox; drills only writes to databases marked for "
        f"it: run `drills sandbox init {shown}` once (a password it needs goes in ~/.pgpass) "
        "to mark it, or use --drills-backend docker for a throwaway database")
    assert "test_world" not in result.stdout.str()


NO_DOCKER = '''
import pytest

from drills.fakes.backends import BackendError
from drills.fakes.backends import docker


class NoEngine:
    """The testcontainers boundary on a machine without a Docker engine."""

    def __init__(self, *args, **kwargs):
        raise BackendError("cannot start a PostgreSQL container: no Docker engine answers; "
                           "start Docker or use --drills-backend sqlite")


@pytest.fixture(autouse=True)
def no_docker(monkeypatch):
    monkeypatch.setattr(docker, "DockerBackend", NoEngine)
'''


@pytest.mark.slow
def test_an_error_is_printed_once(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(NO_DOCKER)
    pytester.makepyfile(test_docker='''
import pytest


@pytest.mark.drills("invoice-triple-trigger")
def test_world(drill_world):
    pass


def test_drill(run_drill):
    run_drill("invoice-triple-trigger")
''')
    # -rN: pytest's short summary repeats each message, cut to the terminal's width, so
    # whether it shows there depends on COLUMNS; the test counts the per-test sections.
    result = pytester.runpytest(*plugin_args(), "-p", "no:cacheprovider", "-rN",
                                "--drills-backend", "docker")
    result.assert_outcomes(failed=1, errors=1)
    text = result.stdout.str()
    message = ("cannot start a PostgreSQL container: no Docker engine answers; start Docker "
               "or use --drills-backend sqlite")
    assert text.count(message) == 2, text  # one per test
    assert "During handling" not in text
    assert "Traceback" not in text


def test_flawed_example_is_flawed() -> None:
    """The files these tests copy are what they say (a guard on the fixtures' inputs)."""
    assert "Finance team" in FLAWED.read_text(encoding="utf-8")
    assert "disable_feeder: billing.invoice-updated" in GOOD.read_text(encoding="utf-8")
