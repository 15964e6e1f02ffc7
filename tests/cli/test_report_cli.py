"""``drills report JOURNAL`` through the real CLI, and drills killed with SIGKILL mid-way.

The kill tests start ``drills run ... --journal J`` in a real subprocess and SIGKILL it at
chosen points. To make each point exact rather than a race, the subprocess runs the real
CLI with one test hook: after writing journal line N it says so and waits (``GATE``),
and the test kills it there. Whatever the journal holds at the kill is then rebuilt by
``drills report J`` in another subprocess and checked against a drill that ran to its end.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from drills.journal import DEFAULT_NAME

pytestmark = pytest.mark.slow

REPO = Path(__file__).parents[2]
GOOD = "examples/invoice-reminder.runbook.yaml"
SCENARIO = "invoice-triple-trigger"
REPORT = "drill-invoice-triple-trigger-1729.json"

GATE = """
import os, sys, time
from pathlib import Path
import drills.journal.writer as writer

after = int(os.environ["DRILLS_TEST_KILL_AFTER"])
half = os.environ.get("DRILLS_TEST_HALF") == "1"
ready = Path(os.environ["DRILLS_TEST_READY"])
put = writer._put
written = 0

def gated(handle, line):
    global written
    written += 1
    if written == after and half:  # a kill in the middle of writing a line
        handle.write(line[: len(line) // 2])
        handle.flush()
        os.fsync(handle.fileno())
    else:
        put(handle, line)
    if written == after:
        ready.write_text(str(written))
        time.sleep(600)

writer._put = gated
from drills.cli.main import main
sys.exit(main(sys.argv[1:]))
"""


def env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO), "PYTHONWARNINGS": "error", "COLUMNS": "100"}


def drills(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "drills", *args],
        cwd=REPO, env=env(), capture_output=True, text=True, timeout=300, check=False,
    )


def assert_one_line_error(run: subprocess.CompletedProcess[str], message: str) -> None:
    assert run.returncode == 2, run.stderr
    assert run.stdout == ""
    assert run.stderr.count("\n") == 1, run.stderr
    assert run.stderr.startswith(f"drills: error: {message}"), run.stderr


def events(path: Path) -> list[dict[str, Any]]:
    """The whole event lines of a journal (not the header, not a cut-off last line)."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines(keepends=True)[1:]:
        if line.endswith("\n"):
            out.append(json.loads(line))
    return out


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A drill that ran to its end: its --out folder with the reports and the journal."""
    out = tmp_path_factory.mktemp("reference")
    run = drills("run", SCENARIO, "--runbook", GOOD, "--no-costs", "--out", str(out),
                 "--format", "json,console")
    assert run.returncode == 0, run.stderr
    assert f"wrote {out / DEFAULT_NAME}" in run.stdout
    return out


def killed(tmp_path: Path, after: int, *, half: bool = False) -> Path:
    """Run the drill in a subprocess, SIGKILL it once journal line ``after`` is written."""
    journal = tmp_path / "killed.jsonl"
    ready = tmp_path / "ready"
    proc = subprocess.Popen(
        [sys.executable, "-c", GATE, "run", SCENARIO, "--runbook", GOOD, "--journal",
         str(journal), "--no-costs", "-q"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**env(), "DRILLS_TEST_KILL_AFTER": str(after), "DRILLS_TEST_READY": str(ready),
             "DRILLS_TEST_HALF": "1" if half else "0"},
    )
    deadline = time.monotonic() + 240
    while not ready.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    if ready.exists():
        os.kill(proc.pid, signal.SIGKILL)
    elif proc.poll() is None:
        proc.kill()
    _, stderr = proc.communicate(timeout=60)
    assert ready.exists(), f"the drill never wrote journal line {after}: {stderr}"
    assert proc.returncode == -signal.SIGKILL, stderr
    return journal


def rebuild(journal: Path, out: Path, *extra: str) -> tuple[subprocess.CompletedProcess[str],
                                                            dict[str, Any]]:
    run = drills("report", str(journal), "--out", str(out), "--format", "json", *extra)
    assert run.returncode == 0, run.stderr
    return run, json.loads((out / REPORT).read_text(encoding="utf-8"))


def line_of(reference: Path, test: Any, nth: int = 1) -> int:
    """The journal line number (the header is 1) of the ``nth`` event ``test`` accepts."""
    lines = [i for i, e in enumerate(events(reference / DEFAULT_NAME), 2) if test(e)]
    return lines[nth - 1]


def without_wall(report: dict[str, Any]) -> dict[str, Any]:
    """A report less what the wall clock decides (the reference drill ran at another time)."""
    return {k: v for k, v in report.items() if k not in ("wall_seconds", "ran_at")}


# -- killed mid-drill ----------------------------------------------------------------------


KILL_POINTS: dict[str, tuple[Any, int]] = {
    "after the header only": (None, 0),
    "mid bad run": (lambda e: e["kind"] == "batch", 3),
    "after detection": (lambda e: e["kind"] == "detected", 1),
    "mid repair": (lambda e: e["kind"] == "step" and e["section"] == "repair", 1),
}


@pytest.mark.parametrize("point", list(KILL_POINTS))
def test_a_drill_killed_mid_way_is_rebuilt_up_to_the_kill(
    reference: Path, tmp_path: Path, point: str
) -> None:
    test, nth = KILL_POINTS[point]
    after = 1 if test is None else line_of(reference, test, nth)
    journal = killed(tmp_path, after)
    assert len(journal.read_text(encoding="utf-8").splitlines()) == after
    run, report = rebuild(journal, tmp_path / "rebuilt")
    assert run.stderr == ""  # the replay agreed with the journal, line by line
    assert "drill INTERRUPTED at " in run.stdout
    full = json.loads((reference / REPORT).read_text(encoding="utf-8"))
    check_rebuilt(report, events(journal), full)


def check_rebuilt(report: dict[str, Any], journaled: list[dict[str, Any]],
                  full: dict[str, Any]) -> None:
    """The rebuilt report tells the journal's story, which is the full drill's up to the kill."""
    assert report["status"] == "interrupted"
    assert report["drill_id"] == full["drill_id"]
    assert report["seed"] == full["seed"]
    last = max((e["at"] for e in journaled), default=full["started"])
    assert report["interrupted_at"] == report["finished"] == last
    assert {f["code"] for f in report["findings"]} >= {"drill-interrupted"}
    assert not {f["code"] for f in report["findings"]} & {"never-contained",
                                                          "records-left-wrong"}
    # every log line and step the journal holds is in the report, with its time ...
    logged = sorted((e["at"], e["who"], e["what"]) for e in journaled if e["kind"] == "log")
    shown = [(e["at"], e["who"], e["what"]) for e in report["log"]]
    assert set(logged) <= set(shown)
    steps = [(e["section"], e["action"], e["started"], e["at"])
             for e in journaled if e["kind"] == "step"]
    assert [(s["section"], s["action"], s["started"], s["finished"])
            for s in report["steps"]][: len(steps)] == steps
    # ... nothing after the kill is, and before it the drill is the one that ran to its end
    assert all(e["at"] <= last for e in report["log"])
    assert all(s["finished"] <= last for s in report["steps"])
    before = [e for e in full["log"] if e["at"] < last]
    assert [e for e in report["log"] if e["at"] < last] == before
    assert [p for p in report["timeline"] if p["at"] < last] == [
        p for p in full["timeline"] if p["at"] < last
    ]
    assert datetime.fromisoformat(last) < datetime.fromisoformat(full["finished"])


def test_a_kill_mid_line_is_read_up_to_the_last_whole_event(
    reference: Path, tmp_path: Path
) -> None:
    after = line_of(reference, lambda e: e["kind"] == "detected") + 5
    journal = killed(tmp_path, after, half=True)
    text = journal.read_text(encoding="utf-8")
    assert not text.endswith("\n")
    assert text.count("\n") == after - 1
    run, report = rebuild(journal, tmp_path / "rebuilt")
    assert run.stderr == (
        f"drills: warning: {journal}:{after}: journal ends mid-event (the drill was "
        "interrupted while writing); read up to the last whole event\n"
    )
    full = json.loads((reference / REPORT).read_text(encoding="utf-8"))
    check_rebuilt(report, events(journal), full)


def test_a_drill_killed_before_its_report_is_rebuilt_whole(
    reference: Path, tmp_path: Path
) -> None:
    after = line_of(reference, lambda e: e["kind"] == "ended")
    journal = killed(tmp_path, after)
    run, report = rebuild(journal, tmp_path / "rebuilt")
    assert run.stderr == (
        f"drills: warning: {journal}: the drill reached its end but was stopped before it "
        "wrote its report; the report was rebuilt by replaying the whole drill\n"
    )
    full = json.loads((reference / REPORT).read_text(encoding="utf-8"))
    assert report["status"] == "finished"
    assert without_wall(report) == without_wall(full)


def test_a_drill_killed_after_its_report_gives_that_report(
    reference: Path, tmp_path: Path
) -> None:
    after = len((reference / DEFAULT_NAME).read_text(encoding="utf-8").splitlines())
    journal = killed(tmp_path, after)
    run, report = rebuild(journal, tmp_path / "rebuilt")
    assert run.stderr == ""
    full = json.loads((reference / REPORT).read_text(encoding="utf-8"))
    assert without_wall(report) == without_wall(full)


def test_a_finished_journal_gives_the_very_report_drills_run_wrote(
    reference: Path, tmp_path: Path
) -> None:
    out = tmp_path / "again"
    run = drills("report", str(reference / DEFAULT_NAME), "--out", str(out),
                 "--format", "json,console")
    assert run.returncode == 0, run.stderr
    for name in (REPORT, REPORT.replace(".json", ".txt")):
        assert (out / name).read_bytes() == (reference / name).read_bytes()
    console = (reference / REPORT.replace(".json", ".txt")).read_text(encoding="utf-8")
    assert run.stdout.startswith(console.splitlines()[0])


# -- the command's contract --------------------------------------------------------------


def test_quiet_and_fail_under(reference: Path, tmp_path: Path) -> None:
    finished = drills("report", str(reference / DEFAULT_NAME), "-q", "--fail-under", "50")
    assert finished.returncode == 0, finished.stderr
    assert finished.stdout.count("\n") == 1
    too_high = drills("report", str(reference / DEFAULT_NAME), "-q", "--fail-under", "100")
    assert too_high.returncode == 1
    assert too_high.stderr.startswith("drills: score ")
    lines = (reference / DEFAULT_NAME).read_text(encoding="utf-8").splitlines(keepends=True)
    cut = tmp_path / "cut.jsonl"
    cut.write_text("".join(lines[:30]), encoding="utf-8")
    interrupted = drills("report", str(cut), "-q", "--fail-under", "0")
    assert interrupted.returncode == 1
    assert "INTERRUPTED" in interrupted.stdout
    assert interrupted.stderr.startswith("drills: the drill was interrupted at ")
    assert "cannot pass --fail-under" in interrupted.stderr
    assert drills("report", str(cut), "-q").returncode == 0


def test_run_writes_the_journal_where_asked_and_never_over_another(
    reference: Path, tmp_path: Path
) -> None:
    journal = tmp_path / "deep" / "j.jsonl"
    run = drills("run", SCENARIO, "--runbook", GOOD, "--no-costs", "-q", "--journal",
                 str(journal))
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines()[-1] == f"wrote {journal}"
    before = journal.read_bytes()
    again = drills("run", SCENARIO, "--runbook", GOOD, "--no-costs", "-q", "--journal",
                   str(journal))
    assert_one_line_error(again, f"--journal {journal} exists already; name a new file")
    assert journal.read_bytes() == before
    folder = drills("run", SCENARIO, "--journal", str(tmp_path))
    assert_one_line_error(folder, f"--journal {tmp_path} is a folder; name a file")
    # a rerun into the same --out folder is refused; with --overwrite it replaces the set
    out = tmp_path / "out"
    for extra in ((), ("--overwrite",)):
        first = drills("run", SCENARIO, "--runbook", GOOD, "--no-costs", "-q", "--out",
                       str(out), "--format", "json", *extra)
        assert first.returncode == 0, first.stderr
    refused = drills("run", SCENARIO, "--runbook", GOOD, "--no-costs", "-q", "--out",
                     str(out), "--format", "json")
    assert_one_line_error(refused, f"--out {out} holds an earlier drill ({REPORT}); choose "
                          "a new folder, or add --overwrite")
    assert len(events(out / DEFAULT_NAME)) == len(events(reference / DEFAULT_NAME))
    assert sorted(p.name for p in out.iterdir()) == sorted([REPORT, DEFAULT_NAME])


def _journal_lines(reference: Path) -> list[str]:
    return (reference / DEFAULT_NAME).read_text(encoding="utf-8").splitlines(keepends=True)


def _header_with(reference: Path, **changes: Any) -> str:
    header = json.loads(_journal_lines(reference)[0])
    header.update(changes)
    return json.dumps(header) + "\n"


BAD: dict[str, tuple[Any, str]] = {
    "missing": (None, "{path}: no such file; a journal is the drill.journal.jsonl"),
    "empty": (lambda r: "", "{path}:1: the journal is empty"),
    "binary": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "{path}:1: not a drills journal: "
               "line 1 holds binary data"),
    "a report instead": (lambda r: (r / REPORT).read_text(), "{path}:1: not a drills "
                         "journal: line 1 is not JSON"),
    "no header": (lambda r: "".join(_journal_lines(r)[1:]), "{path}:1: not a drills "
                  "journal: line 1 is a 'started' event"),
    "another version": (lambda r: _header_with(r, journal_version=2), "{path}:1: the journal "
                        "has journal version 2 (written by drills 0.1.0)"),
    "bad header": (lambda r: _header_with(r, mode="dreaming"), "{path}:1: the journal header "
                   "is not valid: mode:"),
    "header cut": (lambda r: _journal_lines(r)[0][:80], "{path}:1: the journal ends inside "
                   "its header"),
    "damaged middle": (lambda r: "".join([*_journal_lines(r)[:5], "{oops\n",
                                          *_journal_lines(r)[6:30]]),
                       "{path}:6: line 6 is not JSON"),
    "joined": (lambda r: "".join(_journal_lines(r)[:9] + _journal_lines(r)),
               "{path}:10: a second journal header"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_journals_are_one_line_and_exit_2(
    reference: Path, tmp_path: Path, case: str
) -> None:
    content, message = BAD[case]
    path = tmp_path / "j.jsonl"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content(reference), encoding="utf-8")
    out = tmp_path / "out"
    run = drills("report", str(path), "--out", str(out))
    assert_one_line_error(run, message.format(path=path))
    assert not out.exists()  # nothing half-written


def test_bad_options_are_one_line_and_exit_2(reference: Path, tmp_path: Path) -> None:
    journal = str(reference / DEFAULT_NAME)
    assert_one_line_error(drills("report", str(reference)),
                          f"{reference}: is a folder, not a journal; did you mean "
                          f"{reference / DEFAULT_NAME}?")
    assert_one_line_error(drills("report", journal, "--format", "pdf"),
                          "unknown format 'pdf' in --format")
    file = tmp_path / "file"
    file.write_text("x")
    assert_one_line_error(drills("report", journal, "--out", str(file)),
                          f"--out {file} is a file")
