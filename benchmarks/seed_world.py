"""How fast a large world is seeded, and how much memory it takes.

Seeding speed decides whether a million-record drill is practical, so it is measured,
not assumed: run ``python benchmarks/seed_world.py --records 1000000`` and compare
with the figures in the project notes (target: 1M contacts well under 8 s, peak
memory well under 1 GB, on SQLite). Not part of the test run.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from anywhere

from drills.fakes import ManualClock, SqliteBackend, SqlStore
from drills.fakes.world import build_world

__all__ = ["main"]

START = datetime(2026, 3, 2, 9, 0, 0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000, help="crm.contacts to seed")
    parser.add_argument("--db", type=Path, help="SQLite file to create (default: a temp file)")
    parser.add_argument("--seed", type=int, default=1729)
    parser.add_argument(
        "--table", default="crm.contacts", help="table to fill (default crm.contacts)"
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or Path(tmp) / "bench.sqlite"
        if db.exists():
            parser.error(f"{db} exists already; choose a new path or remove it")
        store = SqlStore(SqliteBackend(db), ManualClock(START))
        began = time.perf_counter()
        world = build_world(store, {args.table: args.records}, seed=args.seed, start=START)
        seconds = time.perf_counter() - began
        count = store.count(args.table)
        store.close()
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(
        f"{count:,} {args.table} ({world.method}) seeded in {seconds:.2f} s; "
        f"peak RSS {peak_mib:.0f} MiB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
