"""The drill benchmark: each phase of a scripted drill at 10k, 100k and 1M records, and its floor.

Usage (from the repository root)::

    python -m benchmarks.run --sizes 10k,100k,1M --backends sqlite,postgresql \\
        --out benchmarks/results/2026-03-02.md

For each size and backend, two fresh processes run one after the other: the whole
scripted drill of the benchmark scenario (:mod:`benchmarks.scenario`), its phases
timed from inside (:mod:`benchmarks.drill`), and the raw-SQL floor
(:mod:`benchmarks.floor`). A fresh process per run keeps one run's memory out of
the next one's peak. Each phase is printed with its wall time, its peak RSS, the
floor's time for the same work and the ratio between them; then every built-in
scenario's drill at its own size. ``--shapes`` adds drills of other scenario shapes at
each size (default: a triple trigger on invoices, :func:`benchmarks.scenario.triple_scenario`),
for their time and memory: the 1 GB target holds for every 1M scenario, not only the
one with a floor. Each phase's user and system CPU time go in the JSON (and the shapes'
table): a phase that waits on the kernel shows it there. ``--out`` writes the table as
Markdown (``.md``) or everything as JSON (``.json``); the machine and its load go with
it, since the figures mean little without them.

Not part of the test run (``testpaths = ["tests"]``); ``tests/test_benchmarks.py``
only checks that this runs at a tiny size and prints a well-formed table.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn

__all__ = ["Row", "main", "render_table"]

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PG = os.environ.get("DRILLS_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/test")
BACKENDS = ("sqlite", "postgresql")

DRILL_PHASES = ("seed", "snapshot", "bad run (event loop)", "review of the run",
                "scope and tag", "repair", "reconcile", "report")
WHOLE = "whole scripted drill"
FLOOR_OF = {  # drill phase -> floor phase doing the same work
    "seed": "seed",
    "snapshot": "snapshot",
    "bad run (event loop)": "bad run",
    "scope and tag": "scope and tag",
    "repair": "repair",
    "reconcile": "reconcile",
}
TARGETS: dict[str, dict[str, float]] = {
    # seconds at 1M records (10% written badly); memory is checked apart
    "sqlite": {"seed": 8, "snapshot": 1, "scope and tag": 2, "repair": 2, "reconcile": 1,
               WHOLE: 30},
    "postgresql": {"seed": 10},
}
PG_TOGETHER = ("scope and tag", "repair", "reconcile")
"""On PostgreSQL these three together should take at most 10 s at 1M records."""
MEMORY_TARGET_MIB = 1024
LIBRARY_TARGET = 3.0


@dataclass
class Row:
    phase: str
    size: int
    backend: str
    seconds: float | None
    peak_mib: float | None
    floor_seconds: float | None = None
    target: float | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.seconds is None or not self.floor_seconds:
            return None
        return self.seconds / self.floor_seconds


@dataclass
class Report:
    machine: dict[str, Any]
    rows: list[Row] = field(default_factory=list)
    library: list[dict[str, Any]] = field(default_factory=list)
    runs: list[dict[str, Any]] = field(default_factory=list)
    command: str = ""
    shapes: list[dict[str, Any]] = field(default_factory=list)
    """Drills of the other scenario shapes (no floor): their phases, time and memory."""


# -- machine facts ----------------------------------------------------------------------


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def _pg_version(url: str) -> str | None:
    try:
        import psycopg

        with psycopg.connect(url, connect_timeout=3) as conn:
            row = conn.execute("SHOW server_version").fetchone()
            return str(row[0]) if row else None
    except Exception:
        return None


def machine(backends: Sequence[str], pg_url: str) -> dict[str, Any]:
    return {
        "cores": os.cpu_count(),
        "arch": platform.machine(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": _pg_version(pg_url) if "postgresql" in backends else None,
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "load_before": load_average(),
    }


# -- running the workers ----------------------------------------------------------------


@contextmanager
def _database(backend: str, pg_url: str, workdir: Path) -> Iterator[str]:
    """A fresh, empty database for one run: a new SQLite file or a new PostgreSQL database."""
    if backend == "sqlite":
        path = workdir / f"bench-{uuid.uuid4().hex[:8]}.sqlite"
        try:
            yield str(path)
        finally:
            for extra in ("", "-wal", "-shm"):
                Path(f"{path}{extra}").unlink(missing_ok=True)
        return
    import psycopg
    from psycopg import sql
    from sqlalchemy.engine import make_url

    name = f"drills_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield make_url(pg_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(pg_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(name)))


def _worker(args: list[str]) -> dict[str, Any]:
    """Run one measurement in a fresh interpreter; it prints one JSON object last."""
    before = load_average()
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--worker", *args],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    if done.returncode != 0:
        tail = [line[:300] for line in (done.stderr or done.stdout).strip().splitlines()[-12:]]
        raise RuntimeError(f"benchmark worker {' '.join(args)} failed:\n" + "\n".join(tail))
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result["load_before"] = before
    result["load_after"] = load_average()
    return result


def measure(sizes: Sequence[int], backends: Sequence[str], pg_url: str,
            library: bool, log: Any, shapes: Sequence[str] = ()) -> Report:
    report = Report(machine=machine(backends, pg_url))
    with tempfile.TemporaryDirectory(prefix="drills-bench-") as tmp:
        workdir = Path(tmp)
        for backend in backends:
            for size in sizes:
                with _database(backend, pg_url, workdir) as target:
                    floor = _worker(["floor", backend, str(size), target])
                with _database(backend, pg_url, workdir) as target:
                    drill = _worker(["drill", backend, str(size), target])
                report.runs.extend([floor, drill])
                report.rows.extend(_rows(backend, size, drill, floor))
                print(f"  {backend} {size:,}: drill {drill['total']:.2f} s, floor "
                      f"{sum(f['seconds'] for f in floor['phases']):.2f} s "
                      f"(load {drill['load_after']})", file=log, flush=True)
                for shape in shapes:
                    with _database(backend, pg_url, workdir) as target:
                        other = _worker([f"drill:{shape}", backend, str(size), target])
                    report.runs.append(other)
                    report.shapes.append(other)
                    print(f"  {backend} {size:,} {shape}: drill {other['total']:.2f} s, peak "
                          f"{_peak(other):.0f} MiB (load {other['load_after']})",
                          file=log, flush=True)
        if library:
            lib = _worker(["library", "sqlite", "0", ""])
            report.library = lib["scenarios"]
            report.runs.append(lib)
    report.machine["load_after"] = load_average()
    return report


def _rows(backend: str, size: int, drill: dict[str, Any], floor: dict[str, Any]) -> list[Row]:
    floors = {f["name"]: f["seconds"] for f in floor["phases"]}
    figures = {f["name"]: f for f in drill["phases"]}
    targets = TARGETS.get(backend, {}) if size >= 1_000_000 else {}
    out: list[Row] = []
    for phase in DRILL_PHASES:
        fig = figures.get(phase, {"seconds": 0.0, "peak_mib": None})
        base = FLOOR_OF.get(phase)
        out.append(Row(phase, size, backend, fig["seconds"], fig["peak_mib"],
                       floors.get(base) if base else None, targets.get(phase)))
    peak = max((f["peak_mib"] or 0.0) for f in drill["phases"])
    out.append(Row(WHOLE, size, backend, drill["total"], peak, sum(floors.values()),
                   targets.get(WHOLE), note=drill["headline"]))
    return out


# -- the workers (run in their own process) ---------------------------------------------


def _open_store(backend: str, target: str) -> Any:
    from drills.engine.clock import DrillClock
    from drills.fakes.store import SqlStore

    clock = DrillClock(datetime(2026, 3, 2, 9, 0), freeze=False)  # the drill resets it
    if backend == "sqlite":
        from drills.fakes.backends.sqlite import SqliteBackend

        return SqlStore(SqliteBackend(target), clock)
    import sqlalchemy as sa

    from drills.fakes.backends import open_backend
    from drills.fakes.backends.sandbox import mark

    url = target.replace("postgresql://", "postgresql+psycopg://", 1)
    engine = sa.create_engine(url)
    with engine.begin() as conn:  # the run's own throwaway database, marked as a sandbox
        mark(conn, by="benchmarks", note="a throwaway database of python -m benchmarks.run")
    engine.dispose()
    return SqlStore(open_backend(url), clock)


def _work(kind: str, backend: str, size: int, target: str) -> dict[str, Any]:
    if kind == "floor":
        from benchmarks.floor import run_floor

        return {"kind": kind, "backend": backend, "size": size,
                "phases": [asdict(f) for f in run_floor(backend, target, size)]}
    if kind.partition(":")[0] == "drill":
        from benchmarks.drill import run_measured_drill
        from benchmarks.scenario import SHAPES

        shape = kind.partition(":")[2] or "blank-emails"
        make_scenario, make_runbook = SHAPES[shape]
        store = _open_store(backend, target)
        try:
            report, figures, total, mode = run_measured_drill(
                make_scenario(size), make_runbook(), store
            )
        finally:
            store.close()
        return {"kind": kind, "shape": shape, "backend": backend, "size": size, "total": total,
                "rss_mode": mode, "headline": report.headline(),
                "phases": [asdict(f) for f in figures.values()]}
    if kind == "library":
        return {"kind": kind, "scenarios": _library()}
    raise SystemExit(f"unknown worker kind {kind!r}")


def _library() -> list[dict[str, Any]]:
    """Every built-in scenario's drill at its own size, with a complete runbook, costs on."""
    from benchmarks.meter import peak_rss_mib, reset_peak_rss, seconds
    from drills.api import run_drill
    from drills.runbook.complete import complete_runbook
    from drills.scenarios.loader import builtin_names, load_scenario

    out = []
    for name in builtin_names():
        scenario = load_scenario(name)
        reset_peak_rss()
        began = seconds()
        report = run_drill(scenario, complete_runbook(scenario))
        out.append({"name": name, "records": scenario.world.total,
                    "seconds": seconds() - began, "peak_mib": peak_rss_mib(),
                    "headline": report.headline()})
    return out


# -- output -----------------------------------------------------------------------------


def _num(value: float | None, fmt: str) -> str:
    return "-" if value is None else format(value, fmt)


def _size(n: int) -> str:
    if n >= 1_000_000 and n % 1_000_000 == 0:
        return f"{n // 1_000_000}M"
    if n >= 1_000 and n % 1_000 == 0:
        return f"{n // 1_000}k"
    return f"{n:,}"


def _verdict(row: Row) -> str:
    if row.seconds is None:
        return row.note
    if row.target is None:
        return ""
    return f"<= {row.target:g} s " + ("ok" if row.seconds <= row.target else "MISSED")


def render_table(rows: Sequence[Row]) -> str:
    """The phase table as Markdown: one line per phase, size and backend."""
    head = ("| phase | size | backend | seconds | peak MiB | floor s | ratio | target |\n"
            "|---|---:|---|---:|---:|---:|---:|---|")
    lines = [head]
    for r in rows:
        ratio = "-" if r.ratio is None else f"{r.ratio:.1f}x"
        lines.append(
            f"| {r.phase} | {_size(r.size)} | {r.backend} | {_num(r.seconds, '.2f')} | "
            f"{_num(r.peak_mib, '.0f')} | {_num(r.floor_seconds, '.2f')} | {ratio} | "
            f"{_verdict(r)} |"
        )
    return "\n".join(lines)


def render_checks(rows: Sequence[Row]) -> list[str]:
    """The targets that are not a single phase's: memory, PostgreSQL's three together."""
    out = []
    for backend in sorted({r.backend for r in rows}):
        big = [r for r in rows if r.backend == backend and r.size >= 1_000_000
               and r.seconds is not None]
        if not big:
            continue
        peak = max((r.peak_mib or 0.0) for r in big)
        ok = "ok" if peak < MEMORY_TARGET_MIB else "MISSED"
        out.append(f"- {backend}, 1M: peak RSS {peak:.0f} MiB (target < "
                   f"{MEMORY_TARGET_MIB} MiB) {ok}")
        if backend == "postgresql":
            together = sum(r.seconds or 0.0 for r in big if r.phase in PG_TOGETHER)
            out.append(f"- postgresql, 1M: scope + repair + reconcile {together:.2f} s "
                       f"(target <= 10 s) {'ok' if together <= 10 else 'MISSED'}")
        for r in big:
            if r.phase in PG_TOGETHER and r.ratio is not None:
                out.append(f"- {backend}, 1M: {r.phase} {r.ratio:.1f}x the floor (target "
                           f"<= 2x) {'ok' if r.ratio <= 2 else 'MISSED'}")
    return out


def _peak(run: dict[str, Any]) -> float:
    return max((f["peak_mib"] or 0.0) for f in run["phases"])


def render_shapes(shapes: Sequence[dict[str, Any]]) -> str:
    """The other shapes' drills: each phase's time, peak memory and kernel time."""
    lines = ["| shape | size | backend | phase | seconds | peak MiB | user s | system s |",
             "|---|---:|---|---|---:|---:|---:|---:|"]
    for run in shapes:
        where = f"| {run['shape']} | {_size(run['size'])} | {run['backend']} "
        for f in run["phases"]:
            lines.append(f"{where}| {f['name']} | {f['seconds']:.2f} | {f['peak_mib']:.0f} | "
                         f"{f.get('user_s', 0.0):.2f} | {f.get('system_s', 0.0):.2f} |")
        ok = "ok" if run["size"] < 1_000_000 or _peak(run) < MEMORY_TARGET_MIB else "MISSED"
        lines.append(f"{where}| {WHOLE} | {run['total']:.2f} | {_peak(run):.0f} | - | - |"
                     + (f" peak < {MEMORY_TARGET_MIB} MiB {ok}" if run["size"] >= 1_000_000
                        else ""))
    return "\n".join(lines)


def render_library(library: Sequence[dict[str, Any]]) -> str:
    lines = ["| built-in scenario | records | seconds | peak MiB | target |",
             "|---|---:|---:|---:|---|"]
    for s in library:
        ok = "ok" if s["seconds"] < LIBRARY_TARGET else "MISSED"
        lines.append(f"| {s['name']} | {s['records']:,} | {s['seconds']:.2f} | "
                     f"{s['peak_mib']:.0f} | < {LIBRARY_TARGET:g} s {ok} |")
    return "\n".join(lines)


def render_markdown(report: Report) -> str:
    m = report.machine
    pg = f", PostgreSQL {m['postgresql']}" if m.get("postgresql") else ""
    parts = [
        f"Machine: {m['cores']} cores, {m['arch']}, Python {m['python']}, "
        f"SQLite {m['sqlite']}{pg}; {m['when']}; load average {m['load_before']} before, "
        f"{m['load_after']} after.",
        "",
        f"Command: `{report.command}`",
        "",
        render_table(report.rows),
    ]
    checks = render_checks(report.rows)
    if checks:
        parts += ["", *checks]
    if report.shapes:
        parts += ["", render_shapes(report.shapes)]
    if report.library:
        parts += ["", render_library(report.library)]
    return "\n".join(parts) + "\n"


def _write(out: Path, report: Report) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix == ".json":
        text = json.dumps({
            "machine": report.machine, "command": report.command,
            "rows": [{**asdict(r), "ratio": r.ratio} for r in report.rows],
            "library": report.library, "runs": report.runs, "shapes": report.shapes,
        }, indent=2)
    else:
        text = render_markdown(report)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(text)
    tmp.replace(out)


# -- command line -----------------------------------------------------------------------


def _sizes(text: str) -> list[int]:
    from benchmarks.scenario import parse_size

    try:
        return [parse_size(part) for part in text.split(",") if part.strip()]
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def _backends(text: str) -> list[str]:
    names = [part.strip() for part in text.split(",") if part.strip()]
    bad = [n for n in names if n not in BACKENDS]
    if bad or not names:
        raise argparse.ArgumentTypeError(
            f"unknown backend {bad[0]!r}; choose from {', '.join(BACKENDS)}" if bad
            else "name at least one backend"
        )
    return names


def _shapes(text: str) -> list[str]:
    from benchmarks.scenario import SHAPES

    names = [part.strip() for part in text.split(",") if part.strip()]
    if names == ["none"]:
        return []
    others = [n for n in SHAPES if n != "blank-emails"]
    bad = [n for n in names if n not in others]
    if bad:
        raise argparse.ArgumentTypeError(
            f"unknown shape {bad[0]!r}; choose from {', '.join(others)}, or none")
    return names


class _Parser(argparse.ArgumentParser):
    """Bad input is one line and exit 2, as everywhere in drills."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"benchmarks: error: {message}\n")


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--worker"]:
        kind, backend, size, target = argv[1:5]
        print(json.dumps(_work(kind, backend, int(size), target)))
        return 0
    parser = _Parser(
        prog="python -m benchmarks.run", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--sizes", type=_sizes, default=_sizes("10k,100k,1M"),
                        help="world sizes in crm.contacts (default 10k,100k,1M)")
    parser.add_argument("--backends", type=_backends, default=["sqlite"],
                        help="sqlite, postgresql or both, comma-separated (default sqlite)")
    parser.add_argument("--pg-url", default=DEFAULT_PG,
                        help=f"server to create throwaway databases on (default {DEFAULT_PG})")
    parser.add_argument("--out", type=Path, action="append", default=[],
                        help="write the results here (.md or .json; may be given twice)")
    parser.add_argument("--no-library", action="store_true",
                        help="skip the built-in scenarios' drills")
    parser.add_argument("--shapes", type=_shapes, default=_shapes("triple-trigger"),
                        help="other scenario shapes to drill at each size, for time and "
                             "memory (no floor): triple-trigger, or none (default "
                             "triple-trigger)")
    args = parser.parse_args(argv)
    for out in args.out:
        if out.suffix not in (".md", ".json"):
            parser.error(f"--out {out}: name a .md or .json file")
    print(f"benchmarking {', '.join(_size(s) for s in args.sizes)} on "
          f"{', '.join(args.backends)} (load {load_average()})", file=sys.stderr)
    report = measure(args.sizes, args.backends, args.pg_url, not args.no_library, sys.stderr,
                     args.shapes)
    report.command = "python -m benchmarks.run " + " ".join(argv)
    print(render_markdown(report), end="")
    for out in args.out:
        _write(out, report)
        print(f"wrote {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
