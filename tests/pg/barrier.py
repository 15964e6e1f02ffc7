"""A team pause script for the concurrency test: pause the job, after a rendezvous.

With ``DRILLS_TEST_BARRIER`` set, the drill writes its schema name to
``<barrier>/<DRILLS_TEST_PARTY>.schema`` and waits for ``<barrier>/go`` before it
pauses, so a test can hold two drills mid-run at once and look at both schemas.
Without it, it just pauses the job, so a solo drill runs the same steps.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from drills.engine.hooks import HookContext
from drills.fakes import PostgresBackend

__all__ = ["meet"]

WAIT_STEPS = 2400
"""How many 50 ms naps to wait for ``go`` (two minutes); freezegun stops the clocks."""


def meet(ctx: HookContext) -> str:
    folder = os.environ.get("DRILLS_TEST_BARRIER")
    if folder:
        backend = ctx.store.backend
        assert isinstance(backend, PostgresBackend)
        party = os.environ["DRILLS_TEST_PARTY"]
        tmp = Path(folder, f"{party}.tmp")
        tmp.write_text(backend.schema, encoding="utf-8")
        tmp.rename(Path(folder, f"{party}.schema"))
        for _ in range(WAIT_STEPS):
            if Path(folder, "go").exists():
                break
            time.sleep(0.05)
        else:
            raise RuntimeError(f"drill {party} waited two minutes for the other drill")
    ctx.control.pause_job(ctx.control.job)
    return "paused the job"
