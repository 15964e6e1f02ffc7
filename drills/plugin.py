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

Nothing heavy is imported here: sessions that never drill pay nothing for the plugin.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from drills.fixtures import (
    SESSION_KEY,
    DrillsSession,
    drill_runbook,
    drill_scenario,
    drill_world,
    run_drill,
)

__all__ = [
    "DEFAULT_FORMATS",
    "MARKER_HELP",
    "drill_runbook",
    "drill_scenario",
    "drill_world",
    "pytest_addoption",
    "pytest_configure",
    "pytest_report_header",
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


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("drills", "recovery drills (drills)")
    group.addoption(
        "--drills-report-dir", dest="drills_report_dir", metavar="DIR", default=None,
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
    folder = Path(text).expanduser()
    if not folder.is_absolute():
        folder = Path.cwd() / folder
    blocker = next((p for p in (folder, *folder.parents) if p.exists()), None)
    if blocker is not None and not blocker.is_dir():
        raise pytest.UsageError(
            f"--drills-report-dir {text}: {blocker} is a file; name a folder for the reports")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise pytest.UsageError(
            f"--drills-report-dir {text}: cannot create it: {err.strerror or err}") from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise pytest.UsageError(
            f"--drills-report-dir {text}: cannot write there; choose a folder you can write to")
    return folder


def _backend(text: str | None) -> str | None:
    """Check ``--drills-backend`` (or ``DRILLS_BACKEND``) now, not in every test."""
    if text is None and not os.environ.get("DRILLS_BACKEND"):
        return None
    from drills.fakes.backends import BackendError, parse_backend

    try:
        parse_backend(text, option="--drills-backend")
    except BackendError as err:
        raise pytest.UsageError(str(err)) from None
    return text


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", MARKER_HELP)
    text: str | None = config.getoption("drills_report_dir", None)
    fmt: str | None = config.getoption("drills_format", None)
    backend = _backend(config.getoption("drills_backend", None))
    if text is None:
        if fmt is not None:
            raise pytest.UsageError(
                "--drills-format needs --drills-report-dir DIR to say where reports go")
        config.stash[SESSION_KEY] = DrillsSession(backend=backend)
        return
    formats = _formats(fmt)
    config.stash[SESSION_KEY] = DrillsSession(_report_dir(text), formats, backend=backend)


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
