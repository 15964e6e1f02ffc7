"""Fixtures of the drills pytest plugin: a team's runbook as a test that CI runs on every change.

A runbook rots quietly: someone adds a webhook and nobody adds the step that turns
it off. A test that runs a drill and asserts what it leaves behind catches that on
the pull request that adds the webhook::

    def test_runbook_stops_the_repeated_reminders(run_drill):
        report = run_drill("invoice-triple-trigger", "runbook.yaml")
        assert report.outcome.records_left_wrong == 0

The fixtures are thin: :func:`run_drill` loads through the same loaders as the CLI and
runs :func:`drills.api.run_drill`, so a test sees the very drill ``drills run`` shows.
``@pytest.mark.drills(scenario=..., runbook=..., seed=..., costs=...)`` sets the
defaults for a test (a class or module mark for many); relative paths are looked up
beside the test file first, then under the rootdir. Bad input (an unknown scenario, a
runbook with a typo, a runbook for another automation) fails the test with the same
one line the CLI prints, never a traceback into drills.

The engine stack (SQLAlchemy, faker) is imported only when a fixture runs, so the
plugin costs nothing in test sessions that never drill.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, Protocol

import pytest

if TYPE_CHECKING:
    from drills.reports.model import DrillReport
    from drills.runbook import Runbook
    from drills.scenarios.build import ScenarioWorld
    from drills.scenarios.schema import Scenario

__all__ = [
    "MARKER_ARGS",
    "SESSION_KEY",
    "SHOWN_KEY",
    "SHOWN_SEVERITIES",
    "DrillResult",
    "DrillSettings",
    "DrillsSession",
    "RunDrill",
    "drill_result",
    "drill_runbook",
    "drill_scenario",
    "drill_world",
    "run_drill",
    "settings_of",
    "show_report",
    "summary",
]

MARKER_ARGS: tuple[str, ...] = ("scenario", "runbook", "seed", "costs")
"""Keyword arguments ``@pytest.mark.drills`` takes; ``scenario`` and ``runbook`` may be
given positionally too."""

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


# -- session state (shared with the hooks in drills.plugin) ----------------------------


@dataclass
class DrillsSession:
    """Where this session's drill reports go, and what was written so far."""

    report_dir: Path | None = None
    formats: tuple[str, ...] = ()
    backend: str | None = None
    """``--drills-backend`` as given; None reads ``DRILLS_BACKEND`` (else SQLite)."""
    written: list[Path] = field(default_factory=list)
    shared: list[tuple[Hashable, DrillReport]] = field(default_factory=list)
    """The reports ``drill_result`` wrote, by their call's key (each written once)."""
    _folders: set[str] = field(default_factory=set)

    def folder_for(self, nodeid: str) -> Path:
        """A fresh folder per test (``-2``, ``-3`` for a test's further drills)."""
        assert self.report_dir is not None
        base = _UNSAFE.sub("-", nodeid.replace("::", "--")).strip("-.") or "test"
        name, n = base, 1
        while name in self._folders:
            n += 1
            name = f"{base}-{n}"
        self._folders.add(name)
        return self.report_dir / name

    def record(self, nodeid: str, report: DrillReport) -> list[Path]:
        """Write ``report`` for the test ``nodeid`` when a report folder was given."""
        if self.report_dir is None:
            return []
        from drills.reports.jsonout import ReportError
        from drills.reports.writer import write_reports

        folder = self.folder_for(nodeid)
        try:
            written = list(write_reports(report, folder, self.formats).values())
        except (ReportError, ValueError) as err:
            problem = f"--drills-report-dir: {err}"
        else:
            self.written += written
            return written
        _fail(problem)  # outside the handler: one line, no chained second copy


SESSION_KEY = pytest.StashKey[DrillsSession]()
"""The session's :class:`DrillsSession` in ``config.stash``; set by ``drills.plugin``."""


def _session(config: pytest.Config) -> DrillsSession:
    return config.stash.get(SESSION_KEY, None) or DrillsSession()


# -- the marker ------------------------------------------------------------------------


@dataclass(frozen=True)
class DrillSettings:
    """What ``@pytest.mark.drills`` says for one test: the closest mark wins, key by key."""

    scenario: Any = None
    runbook: Any = None
    seed: int | None = None
    costs: bool = False


def _fail(message: str) -> NoReturn:
    pytest.fail(message, pytrace=False)


def settings_of(node: pytest.Item | pytest.Collector) -> DrillSettings:
    """Merge every ``drills`` mark on ``node`` (function over class over module)."""
    merged: dict[str, Any] = {}
    for mark in node.iter_markers("drills"):  # closest first
        if len(mark.args) > 2:
            _fail("@pytest.mark.drills takes at most two positional arguments, "
                  "(scenario, runbook); name the rest: seed=..., costs=...")
        given = dict(zip(("scenario", "runbook"), mark.args, strict=False))
        for key in mark.kwargs:
            if key not in MARKER_ARGS:
                from drills.errors import did_you_mean

                _fail(f"@pytest.mark.drills got an unknown argument '{key}'"
                      f"{did_you_mean(key, MARKER_ARGS)}")
        given.update(mark.kwargs)
        for key, value in given.items():
            merged.setdefault(key, value)
    seed = merged.get("seed")
    if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool) or seed < 0):
        _fail(f"@pytest.mark.drills(seed={seed!r}): the seed is a whole number, 0 or more")
    costs = merged.get("costs", False)
    if not isinstance(costs, bool):
        _fail(f"@pytest.mark.drills(costs={costs!r}): costs is True or False")
    return DrillSettings(merged.get("scenario"), merged.get("runbook"), seed, costs)


# -- loading, relative to the test -----------------------------------------------------


Resolve = Callable[[str | Path], Path]
"""Turns a path as written in a test into the file it names."""


def _resolve_in(bases: Sequence[Path], value: str | Path) -> Path:
    """A path as written, or under the first of ``bases`` where it exists."""
    path = Path(value)
    if path.is_absolute():
        return path
    candidates = [base / path for base in dict.fromkeys(bases)]
    return next((c for c in candidates if c.exists()), candidates[0])


def _resolve(request: pytest.FixtureRequest, value: str | Path) -> Path:
    """A path as written, beside the test file, or under the rootdir (first that exists)."""
    return _resolve_in((request.path.parent, request.config.rootpath), value)


def _looks_like_path(value: str) -> bool:
    return "/" in value or "\\" in value or value.endswith((".yaml", ".yml"))


def _load_scenario(resolve: Resolve, value: Any, seed: int | None) -> Scenario:
    from drills.errors import DrillsError
    from drills.scenarios.loader import load_scenario
    from drills.scenarios.schema import Scenario

    if value is None:
        _fail("no scenario to drill: pass one, run_drill('invoice-triple-trigger', ...), or "
              "mark the test with @pytest.mark.drills(scenario='invoice-triple-trigger')")
    if isinstance(seed, bool) or (seed is not None and (not isinstance(seed, int) or seed < 0)):
        _fail(f"seed={seed!r}: the seed is a whole number, 0 or more")
    if not isinstance(value, Scenario | str | Path):
        _fail(f"scenario={value!r}: give a built-in name, a file path or a Scenario")
    try:
        if isinstance(value, Scenario):
            scenario = value
        elif isinstance(value, Path) or _looks_like_path(value):
            scenario = load_scenario(resolve(value))
        else:
            scenario = load_scenario(value)
    except DrillsError as err:
        problem = str(err)  # failed outside the handler: one line, no chained traceback
    else:
        problem = ""
    if problem:
        _fail(problem)
    if seed is not None:
        scenario = scenario.model_copy(update={"seed": seed})
    return scenario


def _load_runbook(resolve: Resolve, value: Any) -> Runbook | None:
    from drills.errors import DrillsError
    from drills.runbook import Runbook, load_runbook

    if value is None or isinstance(value, Runbook):
        return value
    if not isinstance(value, str | Path):
        _fail(f"runbook={value!r}: give a file path or a Runbook")
    try:
        return load_runbook(resolve(value))
    except DrillsError as err:
        problem = str(err)
    _fail(problem)


SHOWN_SEVERITIES: tuple[str, ...] = ("critical", "high")
"""Findings a failing test lists under 'drills': the critical gaps that fail a drill and
the high ones beside them, which often name the very step that is missing (the feeder
left running behind 'never contained')."""


def summary(report: DrillReport) -> str:
    """What a failing test shows under 'drills': the headline, then the critical and high
    gaps, critical first."""
    shown = sorted((f for f in report.findings if f.severity.value in SHOWN_SEVERITIES),
                   key=lambda f: f.severity.rank)
    lines = [report.headline()]
    lines += [f"{f.code} {f.severity.value}: {f.message} (fix: {f.fix})" for f in shown]
    return "\n".join(lines)


SHOWN_KEY = pytest.StashKey[set[int]]()
"""Per test item: the ids of the reports whose summary it already shows."""


def show_report(item: pytest.Item, report: DrillReport) -> None:
    """Attach ``report``'s summary to ``item`` once, for its failure text."""
    shown = item.stash.setdefault(SHOWN_KEY, set())
    if id(report) in shown:
        return
    shown.add(id(report))
    item.add_report_section("call", "drills", summary(report))


# -- fixtures --------------------------------------------------------------------------


class RunDrill(Protocol):
    """The ``run_drill`` fixture: annotate with it, ``def test_x(run_drill: RunDrill)``."""

    def __call__(
        self,
        scenario: str | Path | Scenario | None = None,
        runbook: str | Path | Runbook | None = None,
        *,
        seed: int | None = None,
        costs: bool | None = None,
        automation: Callable[..., Any] | None = None,
        pause: Mapping[str, Callable[..., Any]] | None = None,
    ) -> DrillReport: ...


@pytest.fixture
def drill_scenario(request: pytest.FixtureRequest) -> Scenario:
    """The scenario ``@pytest.mark.drills(scenario=..., seed=...)`` names, loaded."""
    settings = settings_of(request.node)
    return _load_scenario(partial(_resolve, request), settings.scenario, settings.seed)


@pytest.fixture
def drill_runbook(request: pytest.FixtureRequest) -> Runbook | None:
    """The runbook ``@pytest.mark.drills(runbook=...)`` names, loaded; None without one."""
    return _load_runbook(partial(_resolve, request), settings_of(request.node).runbook)


@pytest.fixture
def drill_world(
    drill_scenario: Scenario, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[ScenarioWorld]:
    """The marked scenario's seeded world in a fresh SQLite file, before any bad run.

    For tests of a team's own repair or pause code against realistic records; the
    file is ``tmp_path / 'drill-world.sqlite'`` (with ``--drills-backend`` on
    PostgreSQL: a fresh drill schema) and the clock stands at the scenario's start.
    The store is closed (the schema dropped) after the test.
    """
    from drills.fakes import DrillsError, ManualClock, SqlStore
    from drills.fakes.backends import parse_backend
    from drills.scenarios.build import build_scenario_world

    try:
        where = parse_backend(_session(request.config).backend, option="--drills-backend")
        backend = where.open(db_path=tmp_path / "drill-world.sqlite"
                             if where.kind == "sqlite" else None)
    except DrillsError as err:
        problem = str(err)
    else:
        problem = ""
    if problem:  # failed outside the handler: one line, not the error and its chained copy
        _fail(problem)
    store = SqlStore(backend, ManualClock(drill_scenario.starts))
    try:
        world = build_scenario_world(drill_scenario, store)
    except BaseException:
        store.close()
        raise
    yield world
    store.close()


def _drill(
    resolve: Resolve,
    name: str,
    scenario: Any,
    runbook: Any,
    *,
    seed: int | None,
    costs: bool,
    automation: Callable[..., Any] | None,
    pause: Mapping[str, Callable[..., Any]] | None,
    backend: str | None,
) -> DrillReport:
    """Load the pair, check it fits, run the drill; every failure is one line."""
    if pause is not None and not isinstance(pause, Mapping):
        _fail(f"{name}(pause=...) takes a mapping from a runbook 'call:' target to your "
              "function, e.g. pause={'ops.pause:everything': pause_everything}")
    from drills.api import run_drill as api_run_drill
    from drills.errors import DrillsError

    spec = _load_scenario(resolve, scenario, seed)
    if automation is not None:
        spec = _with_automation(spec, automation, name)
    book = _load_runbook(resolve, runbook)
    if book is not None and book.automation != spec.automation.name:
        _fail(f"{runbook if isinstance(runbook, str | Path) else 'the runbook'} is the "
              f"runbook for '{book.automation}', but scenario '{spec.name}' drills "
              f"'{spec.automation.name}'; pick the matching pair")
    path = resolve(runbook) if isinstance(runbook, str | Path) else None
    try:
        report = api_run_drill(spec, book, costs=costs, runbook_path=path, hooks=pause,
                               backend=backend)
    except DrillsError as err:  # bad input, or the team's code failed (TeamCodeError)
        problem = str(err)
    else:
        return report
    _fail(problem)  # outside the handler: one line, no chained traceback


@pytest.fixture
def run_drill(request: pytest.FixtureRequest) -> RunDrill:
    """Run a scripted drill and return its :class:`~drills.reports.model.DrillReport`.

    ``run_drill(scenario=None, runbook=None, *, seed=None, costs=None)``: arguments left
    out come from ``@pytest.mark.drills``; ``costs`` (the reruns that measure each gap)
    is off unless the call or the mark turns it on. With ``--drills-report-dir`` every
    report is written there, one folder per test. The headline and the critical and
    high findings are attached to the test, so a failing assert shows what the drill saw.

    ``pause={"pkg.mod:func": func}`` runs the team's own pause code for the runbook's
    ``call:`` steps (a target not in the mapping is imported). ``automation=func`` puts
    the team's own automation function (``func(client, event)``, importable from its
    module) in place of the scenario's declared steps; the fault bends what it writes.
    """
    settings = settings_of(request.node)
    session = _session(request.config)
    node = request.node
    suite_property = request.getfixturevalue("record_testsuite_property")

    def run(
        scenario: str | Path | Scenario | None = None,
        runbook: str | Path | Runbook | None = None,
        *,
        seed: int | None = None,
        costs: bool | None = None,
        automation: Callable[..., Any] | None = None,
        pause: Mapping[str, Callable[..., Any]] | None = None,
    ) -> DrillReport:
        report = _drill(
            partial(_resolve, request), "run_drill",
            scenario if scenario is not None else settings.scenario,
            runbook if runbook is not None else settings.runbook,
            seed=seed if seed is not None else settings.seed,
            costs=settings.costs if costs is None else costs,
            automation=automation, pause=pause, backend=session.backend)
        if isinstance(node, pytest.Item):
            show_report(node, report)
        # A suite-level property: JUnit schemas (Jenkins xunit junit-10.xsd, Ant) allow
        # <properties> in a <testsuite> only, never in a <testcase>.
        suite_property(f"drills: {node.nodeid}", report.headline())
        session.record(node.nodeid, report)
        return report

    return run


class DrillResult(Protocol):
    """The ``drill_result`` fixture: one drill per distinct call, shared by the session."""

    def __call__(
        self,
        scenario: str | Path | Scenario,
        runbook: str | Path | Runbook | None = None,
        *,
        seed: int | None = None,
        costs: bool = False,
        automation: Callable[..., Any] | None = None,
        pause: Mapping[str, Callable[..., Any]] | None = None,
    ) -> DrillReport: ...


def _key_of(value: Any, resolve: Resolve) -> Hashable:
    """What identifies a scenario or runbook argument: its file, name, or the object."""
    if value is None or isinstance(value, str | Path):
        if isinstance(value, Path) or (isinstance(value, str) and _looks_like_path(value)):
            return str(resolve(value).resolve())
        return value
    return ("object", id(value))


def _caller_folder() -> Path | None:
    """The folder of the file that called ``drill_result`` (two frames up)."""
    frame = sys._getframe(2)
    name = frame.f_globals.get("__file__")
    return Path(name).parent if isinstance(name, str) else None


@pytest.fixture(scope="session")
def drill_result(request: pytest.FixtureRequest) -> DrillResult:
    """Run a drill once and share its report: for module- and session-scoped fixtures.

    A drill takes seconds; several tests asserting different things about one drill
    should not each pay for it. ``drill_result(scenario, runbook=None, *, seed=None,
    costs=False, automation=None, pause=None)`` runs the drill the first time it is
    called with those arguments and returns the same report every later time, in any
    test or fixture of the session (each xdist worker runs it once)::

        @pytest.fixture(scope="module")
        def storm(drill_result):
            return drill_result("scenarios/invoice-storm.yaml", "runbooks/reminder.runbook.yaml")

    Relative paths are looked up beside the calling file, then under the rootdir. A
    failed drill fails every test that asks for it with the same one line, without
    running again. With ``--drills-report-dir`` the report is written once, to a folder
    named after the scenario and runbook; a failing test that took the report as a
    fixture value shows its headline and critical and high findings.
    """
    session = _session(request.config)
    rootpath = request.config.rootpath
    done: dict[Hashable, DrillReport | str] = {}

    def result(
        scenario: str | Path | Scenario,
        runbook: str | Path | Runbook | None = None,
        *,
        seed: int | None = None,
        costs: bool = False,
        automation: Callable[..., Any] | None = None,
        pause: Mapping[str, Callable[..., Any]] | None = None,
    ) -> DrillReport:
        caller = _caller_folder()
        bases = ((caller,) if caller is not None else ()) + (rootpath, Path.cwd())
        resolve: Resolve = partial(_resolve_in, bases)
        hooks = (tuple(sorted((k, id(v)) for k, v in pause.items()))
                 if isinstance(pause, Mapping) else pause)
        key = (_key_of(scenario, resolve), _key_of(runbook, resolve), seed, costs,
               id(automation) if automation is not None else None, hooks)
        if key not in done:
            try:
                done[key] = _drill(resolve, "drill_result", scenario, runbook, seed=seed,
                                   costs=costs, automation=automation, pause=pause,
                                   backend=session.backend)
            except pytest.fail.Exception as failed:
                done[key] = failed.msg or str(failed)
        found = done[key]
        if isinstance(found, str):
            _fail(found)
        if session.report_dir is not None and not any(k == key for k, _ in session.shared):
            session.shared.append((key, found))
            session.record(f"drill_result::{found.scenario.name}::"
                           f"{Path(str(key[1])).name if key[1] is not None else 'no-runbook'}",
                           found)
        return found

    return result


def _with_automation(spec: Scenario, function: Callable[..., Any],
                     name: str = "run_drill") -> Scenario:
    """The scenario with its automation's steps replaced by the team's own function."""
    from drills.scenarios.schema import Scenario as ScenarioModel

    ref = f"{function.__module__}:{function.__qualname__}"
    if "." in function.__qualname__ or function.__module__ == "__main__":
        _fail(f"{name}(automation={function.__qualname__}): the function must be defined "
              "at the top level of an importable module, so the drill can call it by name")
    data = spec.model_dump(mode="json", by_alias=True, exclude_none=True)
    data["automation"].pop("does", None)
    data["automation"]["callable"] = ref
    return ScenarioModel.model_validate(data)
