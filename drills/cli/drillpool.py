"""Drilling a check's runbook/scenario pairs, here or in worker processes (``--jobs N``).

Each drill is independent (its own world, its own database or schema), so a check of
many runbooks spreads them over processes: forked, so the workers share the loaded
runbooks and scenarios instead of unpickling them, and the team's code on
``python-path`` imports the same way. A worker prints its drill's start line itself;
the caller hears each result as it ends (in completion order) and prints the end line.
A team error (raise, exit, hang) comes back as its one line, stops the drills not yet
started, and ends the command with exit 2.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from drills.cli.backend import kept_line
from drills.cli.checkplan import RunbookPlan
from drills.cli.checkverdict import drill_result
from drills.cli.main import say
from drills.errors import DrillsError

if TYPE_CHECKING:
    from drills.reports.model import DrillReport
    from drills.runbook import Runbook
    from drills.scenarios.schema import Scenario

__all__ = ["Job", "Outcome", "Work", "clock", "pair", "run_all", "run_reports", "using_work"]

Outcome = tuple[dict[str, Any] | None, str | None, str | None]
"""(the drill's result as data, a kept-schema line, or the team error's line)."""



@dataclass(frozen=True)
class Job:
    """One drill to run: which runbook and scenario, and how."""

    index: int
    of: int
    runbook: int
    scenario: int
    key: str | None


@dataclass
class Work:
    """What every drill of one check shares; a forked worker inherits it as it is."""

    runbooks: list[RunbookPlan]
    costs: bool
    backend: Any
    keep: bool
    progress: bool


_WORK: list[Work] = []
"""The check's work, set before workers fork so each reads it instead of unpickling it."""


@contextmanager
def using_work(work: Work) -> Iterator[None]:
    """Drill ``work``'s pairs in the block (:func:`run_all`)."""
    _WORK.append(work)
    try:
        yield
    finally:
        _WORK.pop()


def clock() -> str:
    return datetime.now().strftime("%H:%M:%S")


def pair(r: RunbookPlan, scenario: str) -> str:
    return f"{r.file} x {scenario}"


def _drill(job: Job) -> Outcome:
    """Run one drill: (its result as data, a kept-schema line, or the error line)."""
    from drills.api import run_drill  # the engine stack only once there is a drill to run
    from drills.reports.checkresult import drill_data

    work = _WORK[-1]
    r = work.runbooks[job.runbook]
    scenario = r.scenarios[job.scenario]
    if work.progress:
        say(f"[{clock()}] drilling {job.index}/{job.of}: {pair(r, scenario.name)}", err=True)
    began = time.perf_counter()
    database = work.backend.open(keep=work.keep)  # each drill in a database (schema) of its own
    try:
        report = run_drill(scenario, r.loaded.runbook, costs=work.costs,
                           runbook_path=r.loaded.file, backend=database)
    except DrillsError as err:
        return None, None, str(err)
    finally:
        database.dispose()
    lint = {(f.finding.code, f.finding.message) for f in r.lint}
    drill = drill_result(r.loaded, report, time.perf_counter() - began, lint)
    return drill_data(drill), kept_line(database), None


def _serial_reruns() -> None:
    """In a worker of ``--jobs``: run each drill's gap-cost reruns one after another.

    The drill measures gap costs in a process pool of its own, forked only from a
    single-threaded process (:func:`drills.judging.costs._measure_all`). A worker that
    keeps one idle thread is not one, so its reruns run in it, and a check never holds
    more than ``--jobs`` drilling processes.
    """
    import threading

    threading.Thread(target=threading.Event().wait, daemon=True).start()


def run_all(jobs: list[Job], workers: int, done: Callable[[Job, Outcome], None]) -> None:
    """Run ``jobs``, ``workers`` at a time; ``done(job, result)`` as each one ends."""
    if workers <= 1 or len(jobs) <= 1:
        for job in jobs:
            done(job, _drill(job))
        return
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context,
                             initializer=_serial_reruns) as pool:
        pending = {pool.submit(_drill, job): job for job in jobs}
        try:
            while pending:
                finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    done(pending.pop(future), future.result())
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise


# -- whole reports, for drills score -------------------------------------------------------


@dataclass(frozen=True)
class _Reports:
    pairs: Sequence[tuple[Scenario, Runbook, str]]
    costs: bool


_REPORTS: list[_Reports] = []


def _report(index: int) -> tuple[str | None, str | None]:
    """One drill's whole report as JSON, or the team error's line."""
    from drills.api import run_drill

    work = _REPORTS[-1]
    scenario, runbook, path = work.pairs[index]
    try:
        return run_drill(scenario, runbook, costs=work.costs, runbook_path=path
                         ).model_dump_json(), None
    except DrillsError as err:
        return None, str(err)


def run_reports(pairs: Sequence[tuple[Scenario, Runbook, str]], *, workers: int, costs: bool,
                ) -> list[DrillReport]:
    """The report of each (scenario, runbook, path), in order, ``workers`` at a time in
    forked processes (here when one); a team error ends them all with its one line."""
    from drills.reports.model import DrillReport

    _REPORTS.append(_Reports(pairs, costs))
    try:
        if workers <= 1 or len(pairs) <= 1:
            outcomes = [_report(i) for i in range(len(pairs))]
        else:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            context = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(max_workers=workers, mp_context=context,
                                     initializer=_serial_reruns) as pool:
                outcomes = list(pool.map(_report, range(len(pairs))))
    finally:
        _REPORTS.pop()
    reports: list[DrillReport] = []
    for data, error in outcomes:
        if error is not None or data is None:
            raise DrillsError(error or "a drill returned nothing")
        reports.append(DrillReport.model_validate_json(data))
    return reports
