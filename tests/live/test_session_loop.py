"""The live screen's event loop keeps real time while the drill's thread freezes the clock."""

from __future__ import annotations

import time

import freezegun
from freezegun.api import real_monotonic

from drills.responders.live.session import _RealTimeLoop


def test_the_screen_loop_reads_the_real_clock_under_a_freezer() -> None:
    loop = _RealTimeLoop()
    try:
        with freezegun.freeze_time("2026-03-02 09:00:00"):
            frozen = time.monotonic()
            first = loop.time()
            time.sleep(0.05)
            second = loop.time()
            assert time.monotonic() == frozen  # the drill's code still sees drill time
        assert second - first >= 0.04  # the screen's timers run on the wall clock
        assert abs(second - real_monotonic()) < 1.0
    finally:
        loop.close()
