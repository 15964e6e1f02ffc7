"""``drills live --backend``: a live drill's world on the team's PostgreSQL sandbox.

The same two options and words as ``drills run``: the world lives in a drill schema of
its own, dropped at the end unless ``--keep`` (which prints its name); the report's
``backend`` names where it lived, without the password; a refused or unreachable
database is one line and exit 2 with nothing written - no journal either - because it
is opened after every other input is checked. ``--resume`` takes ``--backend`` too:
the journal never names the database, and the drill is replayed onto a fresh world
wherever it is told. Live drills are driven by piped lines through the real CLI.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import threading
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from drills.cli.backend import PASSWORD_WARNING
from drills.cli.main import cli
from drills.fakes.backends import PostgresBackend, redact_url
from drills.journal import JournalHeader, JournalWriter, read_journal
from drills.responders.live import LiveDrill, LivePlan
from drills.runbook import load_runbook
from drills.scenarios.loader import load_scenario
from tests.conftest import open_test_backend
from tests.live.tmux import DRILLS, ROOT, Tmux
from tests.pg.conftest import drop_schemas, schemas, unmarked_db, with_password

__all__ = ["unmarked_db"]  # the fixture, shared with tests/pg

RUNBOOK = str(ROOT / "examples" / "invoice-reminder.runbook.yaml")
SCENARIO = "invoice-triple-trigger"
SECRET = "Zq9-hunter2-s3cr3t"
LINES = [
    "pause",
    "bob: stop email.outbox",
    "disable billing.invoice-updated",
    "disable activity-logger",
    "note containment done",
    "end yes",
]
"""The piped script of tests/live/test_live_cli.py, without its deliberate mistake."""


def live(*args: str, lines: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """The real ``drills live`` in its own process, fed ``lines`` on standard input."""
    env = {k: v for k, v in os.environ.items() if k != "DRILLS_BACKEND"}
    return subprocess.run(
        [DRILLS, "live", *args], input="\n".join(lines) + "\n", capture_output=True,
        text=True, cwd=cwd, env=env, timeout=120, check=False,
    )


def report_of(out: Path) -> dict[str, Any]:
    report: dict[str, Any] = json.loads(next(out.glob("*.json")).read_text())
    return report


def schema_of(report: dict[str, Any], pg_url: str) -> str:
    """The drill schema the report's ``backend`` names (after the redacted URL)."""
    match = re.fullmatch(rf"{re.escape(redact_url(pg_url))} \(schema (drill_[0-9a-f]{{12}})\)",
                         report["backend"])
    assert match is not None, report["backend"]
    return match.group(1)


def steps(report: dict[str, Any]) -> list[tuple[str, str]]:
    return [(s["who"], s["action"]) for s in report["steps"]]


TEAM_STEPS = [("alice", "pause_job"), ("bob", "stop_queue"), ("alice", "disable_feeder"),
              ("alice", "disable_feeder")]


# -- refused before anything is written --------------------------------------------------------


@pytest.mark.parametrize(("backend", "message"), [
    (["--backend", "postgresql://nobody:pw@127.0.0.1:1/x"],
     "cannot connect to postgresql://nobody@127.0.0.1:1/x"),
    (["--backend", "mysql://db/x"], "--backend 'mysql://db/x' is not a backend"),
    (["--keep"], "--keep keeps a PostgreSQL drill schema"),
])
def test_a_bad_backend_is_one_line_exit_2_and_no_journal(
    backend: list[str], message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DRILLS_BACKEND", raising=False)
    for where in ([], ["--out", "out"]):  # the journal's default place, and into --out
        result = CliRunner().invoke(cli, ["live", SCENARIO, "--runbook", RUNBOOK, *where,
                                          *backend], input="pause\n")
        assert result.exit_code == 2, result.output
        output = result.output
        if any(":pw@" in arg for arg in backend):  # a password on the command line
            assert output.startswith(f"{PASSWORD_WARNING}\n")
            output = output.removeprefix(f"{PASSWORD_WARNING}\n")
        assert output.startswith("drills: error: ")
        assert message in output
        assert output.count("\n") == 1
        assert "pw@" not in result.output
        assert list(tmp_path.iterdir()) == []  # no journal, no --out folder


@pytest.mark.slow
@pytest.mark.postgres
def test_an_unmarked_database_is_refused_with_no_journal(
    unmarked_db: str, tmp_path: Path
) -> None:
    done = live(SCENARIO, "--runbook", RUNBOOK, "--backend", unmarked_db, "--out", "out",
                lines=LINES, cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("drills: error: ")
    assert "is not a drill sandbox" in done.stderr
    assert done.stderr.count("\n") == 1
    assert done.stdout == ""
    assert list(tmp_path.iterdir()) == []


def test_a_refused_backend_leaves_a_resumed_journal_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    scenario = load_scenario(SCENARIO)
    runbook = load_runbook(RUNBOOK)
    header = JournalHeader.build("live", scenario, runbook, source=SCENARIO,
                                 runbook_path=RUNBOOK, extra={"speed": 600.0, "team": ["alice"]})
    journal = tmp_path / "drill.journal.jsonl"
    JournalWriter.create(journal, header).close()
    before = journal.read_bytes()
    result = CliRunner().invoke(cli, ["live", "--resume", str(journal), "--backend",
                                      "postgresql://nobody@127.0.0.1:1/x"])
    assert result.exit_code == 2, result.output
    assert result.output.count("\n") == 1
    assert "cannot connect to postgresql://nobody@127.0.0.1:1/x" in result.output
    assert journal.read_bytes() == before  # no 'resumed' line: nothing started
    assert list(tmp_path.iterdir()) == [journal]


# -- whole drills on PostgreSQL -------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.postgres
def test_a_whole_live_drill_on_postgresql_drops_its_schema(pg_url: str, tmp_path: Path) -> None:
    done = live(SCENARIO, "--runbook", RUNBOOK, "--speed", "600", "--team", "alice,bob",
                "--out", "out", "--format", "json", "--backend", pg_url,
                lines=LINES, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "bob: stop email.outbox -> done" in done.stdout
    assert "Team vs runbook" in done.stdout
    assert "kept drill schema" not in done.stdout
    report = report_of(tmp_path / "out")
    schema = schema_of(report, pg_url)
    assert steps(report) == TEAM_STEPS
    assert report["outcome"]["contained"] is True
    assert report["comparison"]["runbook_score"] == 99  # the same seeded drill, scripted
    assert schema not in schemas(pg_url)
    header = (tmp_path / "out" / "drill.journal.jsonl").read_text().splitlines()[0]
    assert "postgresql" not in header  # the journal's header never names the database


@pytest.mark.slow
@pytest.mark.postgres
def test_keep_keeps_the_schema_and_prints_its_name_never_the_password(
    pg_url: str, tmp_path: Path
) -> None:
    url = with_password(pg_url, SECRET)
    done = live(SCENARIO, "--runbook", RUNBOOK, "--speed", "600", "--team", "alice,bob",
                "--out", "out", "--format", "json,md", "--backend", url, "--keep",
                lines=LINES, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    kept = re.search(rf"^kept drill schema (drill_[0-9a-f]{{12}}) in "
                     rf"{re.escape(redact_url(pg_url))}$", done.stdout, re.M)
    assert kept is not None, done.stdout
    schema = kept.group(1)
    try:
        assert done.stdout.rstrip().endswith(kept.group(0))  # last, as 'drills run' prints it
        assert schema in schemas(pg_url)
        report = report_of(tmp_path / "out")
        assert schema_of(report, pg_url) == schema
        for text in (done.stdout, done.stderr,
                     *(p.read_text() for p in (tmp_path / "out").iterdir())):
            assert SECRET not in text
            assert "hunter2" not in text
    finally:
        drop_schemas(pg_url, [schema])


@pytest.mark.slow
@pytest.mark.postgres
def test_a_live_drill_that_fails_names_the_schema_it_kept(
    unmarked_db: str, tmp_path: Path
) -> None:
    """The drill's own thread fails (the team's automation cannot be imported): with
    --keep the schema is named on stderr before the error, as ``drills run`` does. In a
    database of its own, dropped after the test, kept schema and all."""
    data = load_scenario(SCENARIO).model_dump(mode="json", by_alias=True, exclude_none=True)
    data["automation"].pop("does")
    data["automation"]["callable"] = "no_such_team_module:send"
    scenario = tmp_path / "own-automation.yaml"
    scenario.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    assert subprocess.run([DRILLS, "sandbox", "init", unmarked_db], capture_output=True,
                          check=False).returncode == 0
    done = live(str(scenario), "--runbook", RUNBOOK, "--speed", "600", "--team", "alice",
                "--journal", "drill.journal.jsonl", "--backend", unmarked_db, "--keep",
                lines=LINES, cwd=tmp_path)
    kept = re.search(rf"^kept drill schema (drill_[0-9a-f]{{12}}) in "
                     rf"{re.escape(redact_url(unmarked_db))}$", done.stderr, re.M)
    assert kept is not None, done.stderr
    assert done.returncode == 2, done.stderr
    last = done.stderr.splitlines()[-1]
    assert last.startswith("drills: error: "), done.stderr
    assert "no_such_team_module" in last
    assert done.stderr.index(kept.group(0)) < done.stderr.index(last)
    assert schemas(unmarked_db) == [kept.group(1)]


@pytest.mark.slow
@pytest.mark.postgres
def test_resume_replays_onto_a_fresh_world_on_the_backend_given(
    pg_url: str, tmp_path: Path
) -> None:
    # A live drill on SQLite (the default), then cut after its second action as if the
    # laptop died there.
    first = live(SCENARIO, "--runbook", RUNBOOK, "--speed", "600", "--team", "alice,bob",
                 "--out", "first", "--format", "json", lines=LINES, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert report_of(tmp_path / "first")["backend"].startswith("sqlite")
    lines = (tmp_path / "first" / "drill.journal.jsonl").read_text().splitlines()
    actions = [i for i, line in enumerate(lines) if json.loads(line)["kind"] == "action"]
    journal = tmp_path / "cut.journal.jsonl"
    journal.write_text("\n".join(lines[:actions[1] + 1]) + "\n")
    assert not read_journal(journal).finished

    done = live("--resume", str(journal), "--out", "resumed", "--format", "json",
                "--backend", pg_url, lines=LINES[2:], cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    report = report_of(tmp_path / "resumed")
    schema = schema_of(report, pg_url)
    assert steps(report) == TEAM_STEPS  # two replayed, two typed after the resume
    assert report["outcome"]["contained"] is True
    assert schema not in schemas(pg_url)
    resumed = read_journal(journal)
    assert resumed.finished
    assert [e["kind"] for e in resumed.events].count("resumed") == 1
    # Only the report at its end names where the world lived, as a scripted journal's does.
    assert not [line for line in journal.read_text().splitlines()
                if "postgresql" in line and json.loads(line)["kind"] != "finished"]


# -- closed before its end ----------------------------------------------------------------


def test_closing_a_live_drill_early_stops_its_thread_before_the_backend_goes(
    backend_kind: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    scenario = load_scenario(SCENARIO)
    runbook = load_runbook(RUNBOOK)
    header = JournalHeader.build("live", scenario, runbook, source=SCENARIO,
                                 runbook_path=RUNBOOK, extra={"speed": 1.0, "team": ["alice"]})
    writer = JournalWriter.create(tmp_path / "drill.journal.jsonl", header)
    backend = open_test_backend(backend_kind, request, tmp_path / "drill.sqlite")
    try:
        # At real speed the drill would run for an hour: it is waiting on the wall clock.
        plan = LivePlan(scenario, runbook, RUNBOOK, ("alice",), speed=1.0)
        drill = LiveDrill(plan, journal=writer, backend=backend).start()
        # (The drill clock freezes time for this module while the drill runs: the waits
        # here are counted, and timed by threading, which freezegun leaves alone.)
        for _ in range(1200):  # until the world is built and the pacer holds the clock
            if drill.pacer.drill_now() is not None or drill.over:
                break
            drill.wait(0.05)
        assert drill.pacer.drill_now() is not None
        assert not drill.over
        closer = threading.Thread(target=drill.close)
        closer.start()
        closer.join(10)
        assert not closer.is_alive()  # the wait on the wall clock ended at once
        assert drill.closed
        assert not drill.over
        assert drill.report is None
        assert drill.error is None
        drill.close()  # twice is harmless
        writer.close()
        assert not read_journal(writer.path).finished  # resumable
    finally:
        backend.dispose()
    if isinstance(backend, PostgresBackend):
        assert backend.schema not in schemas(backend.url)


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux")
def test_a_drill_closed_with_ctrl_c_on_postgresql_keeps_its_schema_with_keep(
    pg_url: str, tmp_path: Path
) -> None:
    journal = tmp_path / "closed.journal.jsonl"
    tmux = Tmux(tmp_path)
    try:
        s = tmux.start("live", SCENARIO, "--runbook", RUNBOOK, "--speed", "60", "--journal",
                       str(journal), "--backend", pg_url, "--keep")
        tmux.wait_for(s, r"queue email\.outbox: on")
        tmux.type(s, "pause")
        tmux.wait_for(s, r"team: pause -> done")
        tmux.send(s, "C-c")
        screen = tmux.wait_for(s, r"EXIT=1")
    finally:
        tmux.close()
    kept = re.search(rf"kept drill schema (drill_[0-9a-f]{{12}}) in "
                     rf"{re.escape(redact_url(pg_url))}", screen)
    assert kept is not None, screen
    try:
        assert kept.group(1) in schemas(pg_url)
        stderr = (tmp_path / "stderr-s1.txt").read_text()
        assert "drill closed before its end; resume it with: drills live --resume" in stderr
        assert not read_journal(journal).finished
    finally:
        drop_schemas(pg_url, [kept.group(1)])
