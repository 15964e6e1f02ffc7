"""The processes that rerun a drill: tied to the drill that started them.

Gap-cost reruns and baselines (:mod:`drills.judging.costs`) and the stop-rule trials
(:mod:`drills.judging.trials`) run in forked worker processes; each starts here.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time
from typing import Any

from drills.teamcode import stop_waiting_when

__all__ = ["worker_start"]


_PR_SET_PDEATHSIG = 1
"""Linux prctl option: the signal a process gets when its parent dies."""


def worker_start(parent: int, failed: Any = None) -> None:
    """Tie a rerun worker's life to the drill that started it.

    A drill killed outright (SIGKILL, out of memory) runs no cleanup, and its workers
    would otherwise go on forever, on PostgreSQL holding their schema's lock. On Linux
    the kernel kills the worker when its parent dies; elsewhere (and should the parent
    die before that is set up) a watchdog sees the parent change and ends the worker.
    The parent alone handles Ctrl-C and SIGTERM: a worker ignores the terminal's
    Ctrl-C and dies on SIGTERM like any process. Once ``failed`` is set (the team's code
    failed in another rerun), a call of the team's code still running is given up.
    """
    if failed is not None:
        stop_waiting_when(failed)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _die_with_parent()
    if os.getppid() != parent:  # the parent died before the tie was made
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True,
                     name="parent watchdog").start()


def _die_with_parent() -> None:
    """Ask Linux to SIGKILL this process when its parent dies; elsewhere do nothing."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    except (OSError, AttributeError):  # no libc or no prctl: the watchdog does it
        pass


def _watch_parent(parent: int, every: float = 0.5) -> None:
    """End this process as soon as its parent is no longer ``parent``."""
    while os.getppid() == parent:
        time.sleep(every)
    os._exit(1)
