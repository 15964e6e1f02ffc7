"""Bad inputs to the journal readers, live resume, backends and disks (issue 22 item 7):
each is one ``drills: error:`` line naming the file (and line or field), what is wrong and
how to mend it, exit 2, never a traceback, and nothing half-written."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import cast

import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).parents[2]
RUNBOOK = REPO / "examples" / "invoice-reminder.runbook.yaml"
SCENARIO = "invoice-triple-trigger"


def _env(extra_path: Path | None = None) -> dict[str, str]:
    path = str(REPO) if extra_path is None else f"{extra_path}{os.pathsep}{REPO}"
    return {**os.environ, "PYTHONPATH": path, "PYTHONWARNINGS": "error", "COLUMNS": "100",
            "DRILLS_BACKEND": "sqlite"}


def drills(*args: str, cwd: Path = REPO, stdin: str = "", inject: Path | None = None,
           ) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "drills", *args], cwd=cwd, env=_env(inject), input=stdin,
        capture_output=True, text=True, timeout=300, check=False,
    )


def one_error(run: subprocess.CompletedProcess[str], *parts: str) -> str:
    """The run exited 2 with exactly one ``drills: error:`` line holding every part."""
    assert "Traceback" not in run.stderr, run.stderr
    assert run.returncode == 2, (run.returncode, run.stdout[-500:], run.stderr)
    lines = run.stderr.splitlines()
    assert len(lines) == 1, run.stderr
    assert lines[0].startswith("drills: error: "), lines[0]
    for part in parts:
        assert part in lines[0], (part, lines[0])
    return lines[0]


@pytest.fixture(scope="module")
def finished(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A finished scripted drill's --out folder (its journal and its reports)."""
    out = tmp_path_factory.mktemp("drill") / "out"
    run = drills("run", SCENARIO, "--runbook", str(RUNBOOK), "--no-costs", "-q",
                 "--out", str(out))
    assert run.returncode == 0, run.stderr
    return out


@pytest.fixture(scope="module")
def live_journal(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A live drill's journal, finished by 'end yes'."""
    path = tmp_path_factory.mktemp("live") / "live.journal.jsonl"
    run = drills("live", SCENARIO, "--runbook", str(RUNBOOK), "--speed", "600",
                 "--journal", str(path), stdin="pause\nend yes\n")
    assert run.returncode == 0, run.stderr
    return path


def journal_lines(out: Path) -> list[str]:
    return (out / "drill.journal.jsonl").read_text(encoding="utf-8").splitlines()


def write(path: Path, lines: list[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def edited(lines: list[str], index: int, change: Callable[[dict[str, object]], None],
           raw: dict[str, str] | None = None) -> list[str]:
    """``lines`` with line ``index`` parsed, changed and written back (``raw``: text put
    in place of quoted markers, for what JSON cannot write, like ``1e308`` or ``NaN``)."""
    obj = json.loads(lines[index])
    change(obj)
    text = json.dumps(obj)
    for marker, value in (raw or {}).items():
        text = text.replace(json.dumps(marker), value)
    return [*lines[:index], text, *lines[index + 1:]]


# -- a. a folder whose only drill was interrupted -------------------------------------


def test_a_folder_whose_only_drill_was_interrupted_is_one_line(
    finished: Path, tmp_path: Path
) -> None:
    write(tmp_path / "q1" / "drill.journal.jsonl", journal_lines(finished)[:20])
    line = one_error(drills("score", str(tmp_path / "q1")), "nothing to score: ",
                     "drill.journal.jsonl: drill invoice-triple-trigger-1729 was interrupted",
                     "drill it again")
    assert "q1/drill.journal.jsonl" in line


def test_an_interrupted_drill_beside_a_finished_one_is_a_note(
    finished: Path, tmp_path: Path
) -> None:
    write(tmp_path / "q1" / "cut.journal.jsonl", journal_lines(finished)[:20])
    report = next(finished.glob("*.json"))
    (tmp_path / "q1" / report.name).write_bytes(report.read_bytes())
    run = drills("score", str(tmp_path / "q1"))
    assert run.returncode == 0, run.stderr
    assert "cut.journal.jsonl: drill invoice-triple-trigger-1729 was interrupted" in " ".join(
        run.stdout.split())


# -- b. nesting a JSON reader cannot follow ------------------------------------------------


DEEP = "[" * 100_000 + "]" * 100_000


def test_a_deeply_nested_json_file_given_to_score_is_one_line(tmp_path: Path) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text(DEEP, encoding="utf-8")
    one_error(drills("score", str(deep)), f"{deep}: is nested more than 64 levels deep")


@pytest.mark.parametrize("command", ["report", "score"])
def test_a_deeply_nested_journal_line_is_one_line(
    finished: Path, tmp_path: Path, command: str
) -> None:
    lines = journal_lines(finished)[:5]
    lines.insert(2, '{"kind":"note","at":null,"x":' + DEEP + "}")
    path = write(tmp_path / "deep.journal.jsonl", lines)
    one_error(drills(command, str(path)), f"{path}:3: line 3 is nested more than 64 levels")


def test_a_number_of_thousands_of_digits_is_one_line(finished: Path, tmp_path: Path) -> None:
    lines = journal_lines(finished)[:5]
    lines.insert(2, '{"kind":"note","at":null,"x":' + "9" * 5000 + "}")
    path = write(tmp_path / "digits.journal.jsonl", lines)
    one_error(drills("report", str(path)), f"{path}:3: line 3 holds a number of 5,000 digits")


# -- c. event times with a UTC offset ----------------------------------------------------


@pytest.mark.parametrize("at", ["2026-03-02T10:00:00+02:00", "2026-03-02T09:12:00Z"])
@pytest.mark.parametrize("command", ["report", "score"])
def test_an_event_time_with_a_utc_offset_names_journal_and_line(
    finished: Path, tmp_path: Path, command: str, at: str
) -> None:
    lines = edited(journal_lines(finished)[:20], 5, lambda e: e.update(at=at))
    path = write(tmp_path / "aware.journal.jsonl", lines)
    one_error(drills(command, str(path)), f"{path}:6: event ", f"has 'at' '{at}', a time "
              "with a UTC offset", "restore it from a copy")


def test_a_naive_ran_at_is_read_as_utc(finished: Path, tmp_path: Path) -> None:
    """The reverse: drills writes ran_at in UTC with its offset; without one it is UTC."""
    report = json.loads(next(finished.glob("*.json")).read_text(encoding="utf-8"))
    folder = tmp_path / "reports"
    folder.mkdir()
    for name, ran_at in (("a", "2026-01-01T09:00:00"), ("b", "2026-02-01T09:00:00+00:00")):
        (folder / f"{name}.json").write_text(
            json.dumps({**report, "drill_id": name, "ran_at": ran_at}), encoding="utf-8")
    run = drills("score", str(folder), "-q", "--as-of", "2026-03-01")
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr


# -- d. header numbers ---------------------------------------------------------------


@pytest.mark.parametrize(("raw", "shown"), [
    ("1e308", "scale 1e+308 does not fit its scenario 'invoice-triple-trigger'"),
    ("Infinity", "scale is inf, but a drill's scale is a finite number above 0"),
    ("NaN", "scale is nan, but"),
    ("-2", "scale is -2.0, but"),
    ("1" + "0" * 400, "the journal header is not valid: scale"),
    ("1000000", "scale 1e+06 does not fit its scenario"),
])
def test_a_header_scale_that_no_drill_has_is_one_line(
    finished: Path, tmp_path: Path, raw: str, shown: str
) -> None:
    lines = edited(journal_lines(finished)[:20], 0, lambda h: h.update(scale="@"),
                   raw={"@": raw})
    path = write(tmp_path / "scale.journal.jsonl", lines)
    one_error(drills("report", str(path)), f"{path}:1: ", shown)


# -- e. live resume: speed and team --------------------------------------------------------


@pytest.mark.parametrize(("extra", "shown"), [
    ({"speed": 0}, "speed must be above 0 (at least 0.01) and at most 3600 drill seconds "
                   "a second, got 0"),
    ({"speed": -5}, "got -5"),
    ({"speed": 1e-300}, "got 1e-300"),
    ({"speed": "fast"}, "speed is 'fast', not a number"),
    ({"team": [1, 2]}, "team is [1, 2], not a list of names"),
    ({"team": [["ana"]]}, "team is [['ana']], not a list of names"),
    ({"team": ["export"]}, "team name 'export' is also an action"),
])
def test_a_resumed_journal_with_a_speed_or_team_no_drill_has_is_one_line(
    live_journal: Path, tmp_path: Path, extra: dict[str, object], shown: str
) -> None:
    lines = live_journal.read_text(encoding="utf-8").splitlines()[:7]
    def change(header: dict[str, object]) -> None:
        header["extra"] = {**cast(dict[str, object], header["extra"]), **extra}

    path = write(tmp_path / "live.journal.jsonl", edited(lines, 0, change))
    before = path.read_bytes()
    one_error(drills("live", "--resume", str(path), stdin="end yes\n"), f"{path}:1: ", shown)
    assert path.read_bytes() == before  # nothing appended


@pytest.mark.parametrize("speed", ["0", "-1", "1e-300", "nan", "inf"])
def test_the_speed_flag_is_checked_the_same_way(speed: str) -> None:
    one_error(drills("live", SCENARIO, "--runbook", str(RUNBOOK), "--speed", speed,
                     stdin="end yes\n"),
              "--speed must be above 0 (at least 0.01) and at most 3600")


# -- f. backend URLs -------------------------------------------------------------------------


def test_an_unknown_postgresql_url_parameter_is_named_with_the_accepted_ones() -> None:
    pytest.importorskip("psycopg")
    line = one_error(drills("run", SCENARIO, "--no-costs", "--backend",
                            "postgresql://127.0.0.1/test?sslmod=require"),
                     "--backend postgresql://127.0.0.1/test has the parameter 'sslmod', "
                     "which PostgreSQL does not take (did you mean 'sslmode'?); the "
                     "parameters it takes: application_name, ")
    assert "connect_timeout" in line


def test_a_sqlite_url_with_a_query_is_one_line() -> None:
    one_error(drills("run", SCENARIO, "--no-costs", "--backend", "sqlite:///x.db?foo=1"),
              "is not a backend", "keep a SQLite drill database with --db FILE")


def test_a_question_mark_in_a_db_name_is_part_of_the_name(tmp_path: Path) -> None:
    run = drills("run", SCENARIO, "--no-costs", "-q", "--db", "x.db?foo=1", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "x.db?foo=1").is_file()
    assert not (tmp_path / "x.db").exists()


# -- g. a full disk ----------------------------------------------------------------------

FULL_JOURNAL = '''
import errno, os
_write = os.write
_count = [0]
def write(fd, data):
    try:
        name = os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        name = ""
    if name.endswith(".journal.jsonl"):
        _count[0] += 1
        if _count[0] > 40:
            raise OSError(errno.ENOSPC, "No space left on device")
    return _write(fd, data)
os.write = write
'''
"""A disk that fills up after the journal's 40th line (imported at start-up)."""

FULL_DB = '''
import sqlite3, sqlite3.dbapi2
_connect = sqlite3.dbapi2.connect
def connect(*args, **kwargs):
    conn = _connect(*args, **kwargs)
    if "drill.db" in str(args[0] if args else kwargs.get("database")):
        conn.execute("PRAGMA max_page_count = 8")
    return conn
sqlite3.connect = sqlite3.dbapi2.connect = connect
'''
"""A drill database that cannot grow past 8 pages: SQLite's "database or disk is full"."""


def _inject(tmp_path: Path, code: str) -> Path:
    folder = tmp_path / "inject"
    folder.mkdir()
    (folder / "sitecustomize.py").write_text(code, encoding="utf-8")
    return folder


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc")
def test_a_full_disk_while_journaling_keeps_the_earlier_drill_whole(
    finished: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    earlier = {p.name: p.read_bytes() for p in finished.iterdir()}
    for name, data in earlier.items():
        (out / name).write_bytes(data)
    run = drills("run", SCENARIO, "--runbook", str(RUNBOOK), "--no-costs", "-q", "--seed",
                 "7", "--out", str(out), "--overwrite", inject=_inject(tmp_path, FULL_JOURNAL))
    one_error(run, "drill.journal.jsonl: the journal could not be written after line 40: the "
              "disk is full (", " free, and the next line alone needs ",
              "free some space or choose another journal file")
    assert {p.name: p.read_bytes() for p in out.iterdir()} == earlier


def test_a_full_disk_under_the_db_file_is_one_line(tmp_path: Path) -> None:
    db = tmp_path / "drill.db"
    run = drills("run", SCENARIO, "--no-costs", "-q", "--db", str(db),
                 inject=_inject(tmp_path, FULL_DB))
    one_error(run, f"{db}: the disk is full: the drill database could not grow past ",
              "leave out --db to keep the drill in memory")


# -- h. the --db file deleted under the drill ----------------------------------------------


def test_the_db_file_deleted_mid_drill_is_one_line(tmp_path: Path) -> None:
    db = tmp_path / "drill.db"
    proc = subprocess.Popen(
        [sys.executable, "-m", "drills", "run", SCENARIO, "--runbook", str(RUNBOOK),
         "--no-costs", "-q", "--scale", "20", "--db", str(db)],
        cwd=REPO, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    deadline = time.monotonic() + 120
    while not db.exists() and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.005)
    db.unlink()
    stdout, stderr = proc.communicate(timeout=300)
    one_error(subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr),
              f"{db}: the drill database was deleted (or replaced) while the drill ran",
              "run the drill again")


# -- i. a named pipe in a folder -------------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_named_pipe_in_a_folder_is_skipped_and_named(finished: Path, tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    report = next(finished.glob("*.json"))
    (folder / report.name).write_bytes(report.read_bytes())
    os.mkfifo(folder / "pipe.journal.jsonl")
    run = drills("score", str(folder))
    assert run.returncode == 0, run.stderr
    assert (f"{folder / 'pipe.journal.jsonl'}: skipped, it is a named pipe, not a file"
            in " ".join(run.stdout.split()))


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_folder_holding_only_a_named_pipe_is_one_line(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.json")
    one_error(drills("score", str(tmp_path)), f"{tmp_path}: no runbooks",
              f"(skipped {tmp_path / 'pipe.json'}: a named pipe)")
