"""The drills pytest plugin: hooks that make drills a first-class part of a test run.

Loaded through the ``pytest11`` entry point (``drills = "drills.plugin"``), so a team
that installs drills can drill its runbooks in the test suite it already runs in CI.
This module holds the hooks only, as pytest-django does; the fixtures live in
:mod:`drills.fixtures` and are imported here so pytest registers them with the plugin.

- the ``drills`` marker is registered, so ``--strict-markers`` suites accept it;
- ``--drills-report-dir DIR`` writes every report made through ``run_drill`` to
  ``DIR/<test>/`` in the ``--drills-format`` formats (default md, html, json, junit),
  for CI to keep as artifacts; a bad folder or format stops the session at once with
  one line (exit 4, a usage error), before any test runs;
- ``--drills-backend BACKEND`` (or ``DRILLS_BACKEND``) runs the fixtures' drills on
  ``sqlite`` (default), ``docker`` or a PostgreSQL sandbox URL, each in its own schema;
  a bad value stops the session at once with one line (credentials never shown);
- a failing test that ran a drill shows the drill's headline and critical findings in
  a ``drills`` section, and the headline is a suite property ``drills: <test id>``
  (so pytest's own ``--junitxml`` carries it, where JUnit schemas allow properties).

The report folder is settled in the controller before pytest-xdist starts workers:
pytest picks its rootdir (and its configuration file) before any plugin's options are
known, so the ``DIR`` of ``--drills-report-dir DIR`` (two words) counts as a test path
there once it exists, and a folder outside the repository moved the rootdir to a
common parent - every path relative to the rootdir, and every node id, went wrong ("no
such file" in each drill under xdist, whose workers started after the folder was
made). Now the folder is made only when the first report is written, workers get it
as one absolute ``--drills-report-dir=DIR`` word, and when it existed before the run
the rootdir is put back where the other arguments place it (or, had pytest read
another configuration file because of it, one usage error says to write the option
as one word).

A ``--drills-backend`` PostgreSQL database that is not marked as a drill sandbox is
one usage error before any test runs (naming ``drills sandbox init``), not the same
failure in every test.

Nothing heavy is imported here: sessions that never drill pay nothing for the plugin.
"""

from __future__ import annotations

import dataclasses
import inspect
import itertools
import os
import sys
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

from drills.fixtures import (
    SESSION_KEY,
    DrillsSession,
    drill_result,
    drill_runbook,
    drill_scenario,
    drill_world,
    run_drill,
)

__all__ = [
    "DEFAULT_FORMATS",
    "MARKER_HELP",
    "REPORT_DIR_OPTION",
    "drill_result",
    "drill_runbook",
    "drill_scenario",
    "drill_world",
    "pytest_addoption",
    "pytest_configure",
    "pytest_load_initial_conftests",
    "pytest_report_header",
    "pytest_runtest_call",
    "pytest_terminal_summary",
    "run_drill",
]

DEFAULT_FORMATS = ("md", "html", "json", "junit")
"""Report formats ``--drills-report-dir`` writes when ``--drills-format`` is not given."""

MARKER_HELP = (
    "drills(scenario=None, runbook=None, seed=None, costs=False): the scenario (a built-in "
    "name or a file) and runbook the drill fixtures use for this test; paths are relative "
    "to the test file, then the rootdir"
)


REPORT_DIR_OPTION = "--drills-report-dir"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("drills", "recovery drills (drills)")
    group.addoption(
        REPORT_DIR_OPTION, dest="drills_report_dir", metavar="DIR", default=None,
        help="write every drill report made through run_drill to DIR, one folder per test",
    )
    group.addoption(
        "--drills-format", dest="drills_format", metavar="FORMATS", default=None,
        help="comma-separated report formats for --drills-report-dir: md, html, json, "
             "junit, console (default: md,html,json,junit)",
    )
    group.addoption(
        "--drills-backend", dest="drills_backend", metavar="BACKEND", default=None,
        help="where run_drill and drill_world build their worlds: sqlite (default), docker, "
             "or a postgresql:// URL of a drill sandbox (default: $DRILLS_BACKEND)",
    )


def _formats(text: str | None) -> tuple[str, ...]:
    if text is None:
        return DEFAULT_FORMATS
    from drills.reports.writer import FORMATS

    names = tuple(dict.fromkeys(n.strip() for n in text.split(",") if n.strip()))
    unknown = [n for n in names if n not in FORMATS]
    if unknown or not names:
        what = f"unknown format '{unknown[0]}'" if unknown else "no format"
        raise pytest.UsageError(
            f"--drills-format '{text}': {what}; choose from {', '.join(FORMATS)}")
    return names


def _report_dir(text: str) -> Path:
    """The folder as an absolute path, checked now but made only when a report is written.

    Not made here: pytest-xdist's workers read the command line again as they start,
    and a folder that exists by then is one pytest takes for a test path.
    """
    folder = Path(text).expanduser()
    if not folder.is_absolute():
        folder = Path.cwd() / folder
    folder = Path(os.path.normpath(folder))
    blocker = next((p for p in (folder, *folder.parents) if p.exists()), None)
    if blocker is not None and not blocker.is_dir():
        raise pytest.UsageError(
            f"--drills-report-dir {text}: {blocker} is a file; name a folder for the reports")
    if blocker is not None and not os.access(blocker, os.W_OK | os.X_OK):
        what = "cannot write there" if blocker == folder else f"cannot create it in {blocker}"
        raise pytest.UsageError(
            f"--drills-report-dir {text}: {what}; choose a folder you can write to")
    return folder


def _backend(text: str | None, *, connect: bool = True) -> str | None:
    """Check ``--drills-backend`` (or ``DRILLS_BACKEND``) now, not in every test.

    A PostgreSQL URL is also checked for the drill-sandbox mark (``connect``), once, so
    an unmarked database is one usage error rather than the same failure in every test.
    """
    if text is None and not os.environ.get("DRILLS_BACKEND"):
        return None
    from drills.fakes.backends import BackendError, parse_backend

    try:
        spec = parse_backend(text, option="--drills-backend")
        if connect and spec.kind == "postgresql" and spec.url is not None:
            _require_sandbox(spec.url)
    except BackendError as err:
        problem = str(err).replace("use --backend docker", "use --drills-backend docker")
    else:
        return text
    raise pytest.UsageError(problem)


def _require_sandbox(url: str) -> None:
    """Refuse a PostgreSQL database without the drill-sandbox mark (or out of reach)."""
    import sqlalchemy as sa

    from drills.fakes.backends.postgres import admin_engine, connect_error
    from drills.fakes.backends.sandbox import is_sandbox, not_a_sandbox

    engine = admin_engine(url)
    try:
        with engine.connect() as conn:
            marked = is_sandbox(conn)
    except sa.exc.OperationalError as err:
        raise connect_error(err, url) from None
    finally:
        engine.dispose()
    if not marked:
        raise not_a_sandbox(url)


def _is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


# -- the report folder and the rootdir ---------------------------------------------------


def _separate_value(args: tuple[str, ...] | list[str]) -> str | None:
    """The ``DIR`` of ``--drills-report-dir DIR`` given as two words, else None."""
    for word, following in itertools.pairwise(args):
        if word == REPORT_DIR_OPTION:
            return following
    return None


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config) -> None:
    """Put the rootdir back where it would be had pytest not read DIR as a test path."""
    config = early_config
    if _separate_value(config.invocation_params.args) is None:
        return
    ns = config.known_args_namespace
    if getattr(ns, "rootdir", None):
        return  # the user chose the rootdir
    from _pytest.config import findpaths

    given: dict[str, Any] = {
        "inifile": getattr(ns, "inifilename", None),
        "override_ini": getattr(ns, "override_ini", None),
        "args": list(getattr(ns, "file_or_dir", None) or []),
        "rootdir_cmd_arg": None,
        "invocation_dir": config.invocation_params.dir,
    }
    accepted = inspect.signature(findpaths.determine_setup).parameters
    rootpath, inipath, *_ = findpaths.determine_setup(
        **{k: v for k, v in given.items() if k in accepted})
    if rootpath == config.rootpath:
        return
    if inipath != config.inipath:  # the wrong configuration was read: only pytest can redo it
        value = _separate_value(config.invocation_params.args)
        raise pytest.UsageError(
            f"{REPORT_DIR_OPTION} {value}: pytest took this existing folder for a test path "
            f"and read its configuration from {config.inipath or 'nowhere'} instead of "
            f"{inipath}; write the option as one word, {REPORT_DIR_OPTION}={value}")
    if getattr(ns, "confcutdir", None) == str(config.rootpath):
        ns.confcutdir = str(rootpath)
    config._rootpath = rootpath
    config._parser.extra_info["rootdir"] = str(rootpath)


def _hand_to_workers(config: pytest.Config, folder: Path) -> None:
    """Give pytest-xdist's workers the folder as one absolute word.

    Workers parse the controller's command line again; one word keeps their rootdir
    right, and an absolute path keeps the folder the same wherever a worker runs.
    """
    args = list(config.invocation_params.args)
    out: list[str] = []
    skip = False
    for index, word in enumerate(args):
        if skip:
            skip = False
            continue
        if word == REPORT_DIR_OPTION and index + 1 < len(args):
            out.append(f"{REPORT_DIR_OPTION}={folder}")
            skip = True
        elif word.startswith(REPORT_DIR_OPTION + "="):
            out.append(f"{REPORT_DIR_OPTION}={folder}")
        else:
            out.append(word)
    if out != args:
        config.invocation_params = dataclasses.replace(config.invocation_params, args=tuple(out))


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", MARKER_HELP)
    text: str | None = config.getoption("drills_report_dir", None)
    fmt: str | None = config.getoption("drills_format", None)
    backend = _backend(config.getoption("drills_backend", None),
                       connect=not _is_worker(config))
    if text is None:
        if fmt is not None:
            raise pytest.UsageError(
                "--drills-format needs --drills-report-dir DIR to say where reports go")
        config.stash[SESSION_KEY] = DrillsSession(backend=backend)
        return
    formats = _formats(fmt)
    folder = _report_dir(text)
    if not _is_worker(config):
        _hand_to_workers(config, folder)
    config.stash[SESSION_KEY] = DrillsSession(folder, formats, backend=backend)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, object, object]:
    """Show the drill report a test took as a fixture value (``drill_result``) on failure."""
    try:
        return (yield)
    finally:
        model = sys.modules.get("drills.reports.model")
        values = getattr(item, "funcargs", {})
        if model is not None:
            from drills.fixtures import show_report

            for value in values.values():
                if isinstance(value, model.DrillReport):
                    show_report(item, value)


def pytest_report_header(config: pytest.Config) -> str | None:
    session = config.stash.get(SESSION_KEY, None)
    if session is None or session.report_dir is None:
        return None
    return f"drills: reports to {session.report_dir} ({', '.join(session.formats)})"


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, exitstatus: int, config: pytest.Config
) -> None:
    session = config.stash.get(SESSION_KEY, None)
    if session is None or not session.written:
        return
    folders = {path.parent for path in session.written}
    terminalreporter.write_sep("-", "drills")
    terminalreporter.write_line(
        f"{len(session.written)} report file(s) from {len(folders)} drill(s) written to "
        f"{session.report_dir}")
