"""The team's own code in a drill, run so that when it fails, it fails as the team's code.

A drill calls code the team wrote: a runbook pause step's ``call: ops.pause:everything``
and a scenario's ``automation.callable``. When that code raises, calls ``sys.exit`` or
never returns, the drill can say nothing more about the runbook. It stops with one line
(``drills: error: ...``, exit 2, like any bad input: a broken automation is not a failed
runbook) naming the function, the line of the team's file where it failed, what happened
and what to do - not a traceback through the engine, and not a CI job that hangs until
it is killed.

Each call runs in a worker thread the drill waits on for at most the call timeout (10 s;
``--call-timeout SECONDS`` on ``drills run``, ``check`` and ``live``, or
``DRILLS_CALL_TIMEOUT``). A thread, because ``signal.alarm`` works in the main thread
only, and a live drill runs its engine in a thread of its own. Python cannot stop a
thread: a hung call is left running, and the process ends without waiting for it.

Two things about time. freezegun holds ``datetime.now()`` and ``time.monotonic()`` at
drill time for the team's code (:mod:`drills.engine.clock`), so the wait must read the
real clock: ``Event.wait`` times out in real time, and elapsed time is read from
freezegun's own copy of the real ``monotonic``. And freezegun's ``time.time()`` gives
real time to code called within a few frames of a module on its ignore list,
``threading`` among them: a ``threading.Thread`` would put its ``run`` right under the
team's function, and the team's ``time.time()`` would read the wall clock. So the worker
is a bare :func:`_thread.start_new_thread` thread, which behaves like a daemon thread and
has no Python frames of its own.

Rank 0 (the standard library, freezegun and :mod:`drills.errors`): the fake systems run a
team's automation function, and they sit below every layer but this one.
"""

from __future__ import annotations

import _thread
import importlib
import math
import os
import site
import sys
import sysconfig
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from types import FrameType, ModuleType, TracebackType
from typing import Any, Protocol, TypeVar

import freezegun.api

from drills.errors import DrillsError

__all__ = [
    "CALL_TIMEOUT_ENV",
    "DEFAULT_CALL_TIMEOUT",
    "CallTimeoutError",
    "TeamCodeError",
    "call_team",
    "call_team_each",
    "call_timeout",
    "import_team_module",
    "parse_call_timeout",
    "stop_waiting_when",
    "using_call_timeout",
]

T = TypeVar("T")

CALL_TIMEOUT_ENV = "DRILLS_CALL_TIMEOUT"
"""Seconds one call of the team's code may take, when ``--call-timeout`` is not given."""

DEFAULT_CALL_TIMEOUT = 10.0
"""The call timeout without ``--call-timeout`` or ``DRILLS_CALL_TIMEOUT``, in seconds."""


class TeamCodeError(DrillsError):
    """The team's own code (a runbook ``call:`` step, a scenario's ``automation.callable``)
    raised, called ``sys.exit`` or did not return within the call timeout.

    ``label`` names the code as the files do, ``happened`` says what it did
    (``raised ValueError: boom``) and ``where`` is ``file:line`` in the team's code, when
    known. Plain strings, so the error crosses from a gap-cost rerun's process intact.
    """

    def __init__(self, message: str, *, label: str = "", happened: str = "",
                 where: str | None = None) -> None:
        super().__init__(message)
        self.label = label
        self.happened = happened
        self.where = where

    def bare(self) -> TeamCodeError:
        """The same error without a traceback or cause (a worker process adds both)."""
        return TeamCodeError(str(self), label=self.label, happened=self.happened,
                             where=self.where)


class CallTimeoutError(DrillsError):
    """A call timeout (``--call-timeout``, ``DRILLS_CALL_TIMEOUT``) that is not a number
    of seconds above 0."""


# -- the timeout ---------------------------------------------------------------------------

_held: list[float] = []
"""Timeouts set by :func:`using_call_timeout`, innermost last (process-wide, so a live
drill's engine thread and a forked gap-cost rerun see the one the command was given)."""


def parse_call_timeout(text: str, source: str = "--call-timeout") -> float:
    """``text`` as seconds above 0; anything else is one :class:`CallTimeoutError` line
    naming ``source`` (the flag, or the environment variable)."""
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if math.isfinite(seconds) and seconds > 0:
        return seconds
    given = f"{source}={text!r}" if source == CALL_TIMEOUT_ENV else f"{source} {text!r}"
    example = f"{source}=30" if source == CALL_TIMEOUT_ENV else f"{source} 30"
    raise CallTimeoutError(
        f"{given} is not a finite number of seconds above 0; give how long one call of the team's "
        f"code may run, e.g. {example}"
    )


def call_timeout() -> float:
    """The call timeout now: the innermost :func:`using_call_timeout`, else
    ``DRILLS_CALL_TIMEOUT``, else :data:`DEFAULT_CALL_TIMEOUT`."""
    if _held:
        return _held[-1]
    text = os.environ.get(CALL_TIMEOUT_ENV, "").strip()
    return parse_call_timeout(text, CALL_TIMEOUT_ENV) if text else DEFAULT_CALL_TIMEOUT


@contextmanager
def using_call_timeout(seconds: float | None) -> Iterator[None]:
    """Calls of the team's code in the block may take ``seconds`` each (None: unchanged)."""
    if seconds is None:
        yield
        return
    if not (math.isfinite(seconds) and seconds > 0):
        raise CallTimeoutError(f"a call timeout of {seconds!r} s: give seconds above 0")
    _held.append(seconds)
    try:
        yield
    finally:
        _held.pop()


# -- running the team's code -------------------------------------------------------------


class _Flag(Protocol):
    def is_set(self) -> bool: ...


_stop_waiting: list[_Flag] = []
"""Set in a gap-cost rerun's process: once the flag is up, a call still running is given
up at once instead of at its timeout (the team's code failed in another rerun)."""

_GIVE_UP_POLL = 0.2
"""Seconds between looks at the flag of :func:`stop_waiting_when`."""


def stop_waiting_when(flag: _Flag) -> None:
    """For the rest of this process, stop waiting on a running call once ``flag`` is set.

    For a gap-cost rerun's worker process, whose drill is already over when the team's
    code failed in another rerun; its running call fails with a :class:`TeamCodeError`
    too, and its rerun unwinds (dropping its schema) instead of waiting out a hang.
    """
    _stop_waiting.append(flag)


def _now() -> float:
    # Looked up on freezegun's module each time: freezegun never patches itself.
    return float(freezegun.api.real_monotonic())


class _Calls:
    """The worker's side: the calls, one after another, and when the current one began."""

    def __init__(self, function: Callable[..., Any], calls: Sequence[tuple[Any, ...]]) -> None:
        self.function = function
        self.calls = calls
        self.results: list[Any] = []
        self.error: BaseException | None = None
        self.started = _now()
        self.ident: int | None = None
        self.done = threading.Event()

    def run(self) -> None:
        try:
            for args in self.calls:
                self.started = _now()
                self.results.append(self.function(*args))
        except BaseException as err:  # the team's failure, whatever it is, is reported
            self.error = err
        finally:
            self.done.set()


def call_team(label: str, function: Callable[..., T], *args: Any) -> T:
    """``function(*args)``, the team's code that ``label`` names; its failure is one
    :class:`TeamCodeError`."""
    result: T = call_team_each(label, function, [args])[0]
    return result


def call_team_each(label: str, function: Callable[..., T],
                   calls: Sequence[tuple[Any, ...]]) -> list[T]:
    """``function(*args)`` for each ``args`` in ``calls``, in order, each within the call
    timeout; the results. The first failure stops the rest and is a :class:`TeamCodeError`.

    One worker thread runs them all: an automation function is called once per record,
    and a thread per call would add about 75 us to each.
    """
    if not calls:
        return []
    timeout = call_timeout()
    work = _Calls(function, calls)
    work.ident = _thread.start_new_thread(work.run, ())
    poll = _GIVE_UP_POLL if _stop_waiting else threading.TIMEOUT_MAX
    while not work.done.wait(min(max(timeout - (_now() - work.started), 0.0), poll)):
        if work.done.is_set():
            break
        if _now() - work.started >= timeout:
            raise _hung(label, function, work, timeout)
        if any(flag.is_set() for flag in _stop_waiting):
            raise TeamCodeError(f"{label} was given up: the team's code failed elsewhere",
                                label=label, happened="was given up")
    if work.error is not None:
        raise _failed(label, function, work.error)
    return work.results


def import_team_module(label: str, name: str) -> ModuleType:
    """Import the team's module ``name``; an :class:`ImportError` passes through (the
    caller says how to make it importable), any other failure of the module's own code
    is a :class:`TeamCodeError`. In the calling thread: importing sets up a module the
    rest of the process shares."""
    try:
        return importlib.import_module(name)
    except ImportError:
        raise
    except (Exception, SystemExit) as err:
        failure = err
    raise _failed(f"{label}: importing '{name}'", None, failure, module=name)


# -- saying what happened, and where ---------------------------------------------------------


def _library_folders() -> tuple[str, ...]:
    """The standard library's and installed packages' folders: not the team's files."""
    paths = sysconfig.get_paths()
    folders = [paths[k] for k in ("stdlib", "platstdlib", "purelib", "platlib") if k in paths]
    folders += [*site.getsitepackages(), site.getusersitepackages()]
    return tuple(sorted({os.path.realpath(f) + os.sep for f in folders}))


_LIBRARIES = _library_folders()


def _is_team(frame: FrameType, module: str | None) -> bool:
    """Whether ``frame`` runs the team's code: the function's own module, or any file that
    is neither drills nor the standard library nor an installed package."""
    name = frame.f_globals.get("__name__")
    if module is not None and name == module:
        return True
    if not isinstance(name, str) or name == "drills" or name.startswith("drills."):
        return False
    filename = frame.f_code.co_filename
    if filename.startswith("<"):
        return False
    return not os.path.realpath(filename).startswith(_LIBRARIES)


def _shown(filename: str, line: int) -> str:
    path = Path(filename)
    with suppress(ValueError, OSError):  # shown from the current folder, when under it
        path = path.relative_to(Path.cwd())
    return f"{path}:{line}"


def _innermost(frames: Sequence[tuple[FrameType, int]], module: str | None) -> str | None:
    for frame, line in reversed(frames):
        if _is_team(frame, module):
            return _shown(frame.f_code.co_filename, line)
    return None


def _defined_at(function: Callable[..., Any] | None) -> str | None:
    code = getattr(function, "__code__", None)
    if code is None:
        return None
    return _shown(code.co_filename, code.co_firstlineno)


def _traceback_frames(tb: TracebackType | None) -> list[tuple[FrameType, int]]:
    frames = []
    while tb is not None:
        frames.append((tb.tb_frame, tb.tb_lineno))
        tb = tb.tb_next
    return frames


def _stack_frames(frame: FrameType | None) -> list[tuple[FrameType, int]]:
    frames = []
    while frame is not None:
        frames.append((frame, frame.f_lineno))
        frame = frame.f_back
    return frames[::-1]


def _failed(label: str, function: Callable[..., Any] | None, err: BaseException, *,
            module: str | None = None) -> TeamCodeError:
    owner = module if module is not None else getattr(function, "__module__", None)
    where = _innermost(_traceback_frames(err.__traceback__), owner) or _defined_at(function)
    at = f" at {where}" if where else ""
    if isinstance(err, SystemExit):
        code = "" if err.code is None else repr(err.code)
        happened = f"called sys.exit({code})"
        fix = "return from the function instead: it runs inside the drill's own process"
    else:
        text = " ".join(str(err).split())
        happened = f"raised {type(err).__name__}" + (f": {text}" if text else "")
        fix = "fix the team's code there, then run the drill again"
    return TeamCodeError(f"{label} {happened}{at}; {fix}", label=label, happened=happened,
                         where=where)


def _hung(label: str, function: Callable[..., Any], work: _Calls,
          timeout: float) -> TeamCodeError:
    stack = sys._current_frames().get(work.ident) if work.ident is not None else None
    where = _innermost(_stack_frames(stack), getattr(function, "__module__", None))
    at = f" (it was at {where})" if where else ""
    happened = f"did not return within {timeout:g} s"
    return TeamCodeError(
        f"{label} {happened}{at}; make it return sooner, or allow each call longer with "
        f"--call-timeout SECONDS or {CALL_TIMEOUT_ENV}=SECONDS",
        label=label, happened=happened, where=where)
