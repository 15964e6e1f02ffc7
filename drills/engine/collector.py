"""Python's cyclic garbage collector, held off while a scripted drill runs.

A million-record drill makes millions of small objects that live to its end (the
truth's entries, the plans and writes of a hundred thousand events, rows read back)
and almost no reference cycles. The collector cannot know that: each time the
long-lived heap grows by a quarter it walks all of it again, about 3 s of a 32 s
drill (1M records, SQLite; 29.0 s with the collector off, peak memory unchanged at
660 MB). Reference counting still frees everything that is not in a cycle, and the
collector runs again, as it was, when the drill is over.

Only for work that ends: a live drill runs for an hour beside the terminal's own
thread, and is never wrapped in this.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collector_paused"]


@contextmanager
def collector_paused() -> Iterator[None]:
    """Disable the cyclic collector for the block, if it was on; nests."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
