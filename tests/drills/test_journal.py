"""The drill journal: written event by event, read back whole, and a report rebuilt from it.

Real drills on real files: a journal written by ``run_drill``, read by another file
handle while the drill still runs, cut at every kind of point, edited, and replayed.
(The kill tests, with a real subprocess and SIGKILL, are in
``tests/cli/test_report_cli.py``.)
"""

from __future__ import annotations

import json
import os
import stat
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from drills.api import report_from_journal as api_report_from_journal
from drills.api import run_drill
from drills.engine.handlers import DrillEvent
from drills.journal import (
    ENDED,
    EventList,
    Journal,
    JournalError,
    JournalHandler,
    JournalHeader,
    JournalRecorder,
    JournalSpec,
    JournalWriter,
    read_journal,
    report_from_journal,
)
from drills.journal.replay import compare_events
from drills.judging import JUDGED_AT_END
from drills.reports.console import render_console_text
from drills.reports.html import render_html
from drills.reports.junit import render_junit
from drills.reports.markdown import render_markdown
from drills.reports.model import DrillReport
from drills.responders.live import replay as live_replay
from drills.responders.scripted import Drill
from drills.runbook import Runbook, load_runbook
from drills.scenarios.loader import load_scenario, scenario_text
from drills.scenarios.schema import Scenario

REPO = Path(__file__).resolve().parents[2]
GOOD = REPO / "tests" / "data" / "runbooks" / "invoice-reminder.runbook.yaml"
FLAWED = REPO / "tests" / "data" / "runbooks" / "invoice-reminder.flawed.runbook.yaml"
SCENARIO = "invoice-triple-trigger"


@pytest.fixture(scope="module")
def journaled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, DrillReport]:
    """One finished drill with its journal: the good runbook on the example scenario."""
    path = tmp_path_factory.mktemp("journal") / "drill.journal.jsonl"
    report = run_drill(load_scenario(SCENARIO), load_runbook(GOOD), costs=False,
                       runbook_path=GOOD, journal=JournalSpec(path, source=SCENARIO))
    return path, report


def lines_of(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines(keepends=True)


def cut(source: Path, target: Path, whole: int, partial: str = "") -> Path:
    """The first ``whole`` lines of ``source`` and then ``partial`` (a line cut mid-way)."""
    target.write_text("".join(lines_of(source)[:whole]) + partial, encoding="utf-8")
    return target


# -- writing and reading back ----------------------------------------------------------


def test_round_trip_keeps_every_event_and_the_report(journaled: tuple[Path, DrillReport]) -> None:
    path, report = journaled
    journal = read_journal(path)
    header = journal.header
    assert header.mode == "scripted"
    assert header.drill_id == report.drill_id == "invoice-triple-trigger-1729"
    assert header.seed == 1729
    assert header.scale is None
    assert header.costs is False
    assert header.scenario.source == SCENARIO
    assert header.scenario.text == scenario_text(SCENARIO)
    assert header.runbook is not None
    assert header.runbook.path == str(GOOD)
    assert header.runbook.text == GOOD.read_text(encoding="utf-8")
    assert header.extra == {"backend": "sqlite:// (in memory)"}
    assert journal.report == report
    assert report_from_journal(path) == report
    assert not journal.truncated
    assert journal.warnings == []
    kinds = [e["kind"] for e in journal.events]
    assert kinds[0] == "started"
    assert kinds[-1] == ENDED
    assert {"batch", "sync", "detected", "step", "log", "note", "person_edit"} <= set(kinds)
    # every line is one JSON object with a drill time and a wall time
    for event in journal.events:
        assert datetime.fromisoformat(event["at"]).tzinfo is None  # drill time, naive
        assert datetime.fromisoformat(event["wall"]).utcoffset() == timedelta(0)
    # the shared action log and the steps are in the journal as they happened
    logged = [(e["at"], e["who"], e["what"]) for e in journal.events if e["kind"] == "log"]
    assert sorted(logged) == sorted((e.at.isoformat(), e.who, e.what) for e in report.log)
    steps = [(e["section"], e["action"], e["started"], e["at"])
             for e in journal.events if e["kind"] == "step"]
    assert steps == [(s.section, s.action, s.started.isoformat(), s.finished.isoformat())
                     for s in report.steps]


def test_wall_times_are_real_while_drill_time_is_frozen(
    journaled: tuple[Path, DrillReport],
) -> None:
    journal = read_journal(journaled[0])
    walls = [datetime.fromisoformat(e["wall"]) for e in journal.events]
    assert walls == sorted(walls)
    assert journal.header.ran_at <= walls[0]
    assert abs((walls[0] - datetime.now().astimezone()).total_seconds()) < 3600
    assert journal.events[0]["at"] == "2026-03-02T09:10:00"  # the scenario's own clock


class _Peek:
    """Reads the journal through a file handle of its own whenever the engine emits."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.seen: list[tuple[str, str]] = []

    def on_event(self, kind: str, at: datetime, data: dict[str, Any]) -> None:
        with self.path.open("rb") as handle:
            last = handle.read().splitlines()[-1]
        event = json.loads(last)
        self.seen.append((kind, event["kind"]))


def test_each_event_is_on_disk_before_the_drill_goes_on(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    peek = _Peek(path)
    run_drill(load_scenario(SCENARIO), load_runbook(GOOD), costs=False, handlers=[peek],
              journal=path)
    assert len(peek.seen) > 50
    renamed = {"finished": ENDED}
    assert all(event == renamed.get(kind, kind) for kind, event in peek.seen)


def test_the_journal_holds_no_credentials(tmp_path: Path) -> None:
    scenario = load_scenario(SCENARIO)
    header = JournalHeader.build(
        "live", scenario, extra={"backend": "postgresql://drill:s3cret@db.example:5432/x"}
    )
    with JournalWriter.create(tmp_path / "j.jsonl", header) as writer:
        writer.write("note", None, first=True)
    text = (tmp_path / "j.jsonl").read_text()
    assert "s3cret" not in text
    assert read_journal(tmp_path / "j.jsonl").header.extra["backend"] == (
        "postgresql://drill@db.example:5432/x"
    )


@pytest.mark.parametrize("umask", [0o022, 0o077])
def test_a_journal_gets_the_umask_mode(tmp_path: Path, umask: int) -> None:
    header = JournalHeader.build("scripted", load_scenario(SCENARIO))
    path = tmp_path / "j.jsonl"
    before = os.umask(umask)
    try:
        JournalWriter.create(path, header).close()
        assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask
        JournalWriter.create(path, header, overwrite=True).close()
        assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask
    finally:
        os.umask(before)


def test_a_scenario_or_runbook_changed_in_memory_is_kept_as_the_model(tmp_path: Path) -> None:
    scenario = load_scenario(SCENARIO).model_copy(update={"seed": 7})
    runbook = load_runbook(GOOD)
    assert len(runbook.stop_rules) > 1
    edited = runbook.model_copy(update={"stop_rules": runbook.stop_rules[::-1]})
    header = JournalHeader.build("scripted", scenario, edited, source=SCENARIO,
                                 runbook_path=GOOD)
    # seed 7 is applied on load, so the library text is still the scenario as written ...
    assert header.scenario.source == SCENARIO
    assert header.seed == 7
    assert header.load_scenario() == scenario
    # ... but the runbook differs from its file: the model itself is kept, under its path
    assert header.runbook is not None
    assert header.runbook.path == str(GOOD)
    assert header.runbook.text != GOOD.read_text()
    assert header.load_runbook() == edited
    unknown = JournalHeader.build("scripted", scenario, source="no-such-scenario")
    assert unknown.scenario.source == "(in memory)"
    assert unknown.load_scenario() == scenario
    scaled = load_scenario(SCENARIO)
    kept = JournalHeader.build("scripted", scaled, source=SCENARIO, scale=3.0)
    assert kept.scale is None
    assert kept.scenario.source == "(in memory)"


def test_create_refuses_to_overwrite_unless_told(tmp_path: Path) -> None:
    header = JournalHeader.build("scripted", load_scenario(SCENARIO))
    path = tmp_path / "j.jsonl"
    with JournalWriter.create(path, header) as writer:
        writer.write("note", None, first=True)
    with pytest.raises(JournalError, match="a journal is there already"):
        JournalWriter.create(path, header)
    assert len(lines_of(path)) == 2  # untouched
    with JournalWriter.create(path, header, overwrite=True):
        pass
    assert len(lines_of(path)) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["j.jsonl"]  # no temporary file left
    with pytest.raises(JournalError, match="is a folder"):
        JournalWriter.create(tmp_path, header)


def test_writer_refuses_what_would_break_the_format(tmp_path: Path) -> None:
    header = JournalHeader.build("scripted", load_scenario(SCENARIO))
    with JournalWriter.create(tmp_path / "j.jsonl", header) as writer:
        with pytest.raises(ValueError, match="'wall'"):
            writer.write("note", None, wall="x")
        with pytest.raises(ValueError, match="not allowed"):
            writer.write("header", None)
        with pytest.raises(ValueError, match="use finish"):
            writer.write("finished", None)
        with pytest.raises(TypeError, match="cannot hold object"):
            writer.write("note", None, thing=object())
        writer.write("note", None, text="two\nlines", when=datetime(2026, 1, 1), tags={"b", "a"})
    journal = read_journal(tmp_path / "j.jsonl")
    assert journal.events[0]["text"] == "two\nlines"
    assert journal.events[0]["tags"] == ["a", "b"]
    assert journal.events[0]["when"] == "2026-01-01T00:00:00"
    assert len(lines_of(tmp_path / "j.jsonl")) == 2


def test_a_failing_disk_is_reported_not_ignored(
    journaled: tuple[Path, DrillReport], tmp_path: Path
) -> None:
    """/dev/full fails every write with ENOSPC, as a full disk does."""
    if not Path("/dev/full").exists():
        pytest.skip("needs /dev/full")
    writer = JournalWriter(tmp_path / "j.jsonl", Path("/dev/full").open("a"), 1)  # noqa: SIM115
    recorder = JournalRecorder(writer)
    assert recorder.handler is not None
    recorder.handler.on_event("batch", datetime(2026, 3, 2, 9, 0), {"events": 1})
    assert recorder.handler.error is not None
    recorder.handler.on_event("batch", datetime(2026, 3, 2, 9, 1), {"events": 1})  # ignored
    assert recorder.handler.written == 0
    with pytest.raises(JournalError, match=r"could not be written after line 1: the disk is "
                       r"full \(.* has .* free, and the next line alone needs "):
        recorder.finish(journaled[1])
    writer.close()  # nothing was left in a buffer to fail again


# -- reading a cut-off or broken journal -----------------------------------------------


def test_a_last_line_cut_mid_event_is_dropped_with_a_warning(
    journaled: tuple[Path, DrillReport], tmp_path: Path
) -> None:
    path = cut(journaled[0], tmp_path / "cut.jsonl", 30, '{"kind":"batch","at":"2026-03')
    journal = read_journal(path)
    assert journal.truncated
    assert journal.warnings == [
        f"{path}:31: journal ends mid-event (the drill was interrupted while writing); read "
        "up to the last whole event"
    ]
    assert len(journal.events) == 29
    assert journal.report is None
    assert journal.whole_bytes == len("".join(lines_of(journaled[0])[:30]).encode())


def test_a_whole_json_line_without_its_newline_is_not_trusted(
    journaled: tuple[Path, DrillReport], tmp_path: Path
) -> None:
    lines = lines_of(journaled[0])
    path = cut(journaled[0], tmp_path / "cut.jsonl", 10, lines[10].rstrip("\n"))
    journal = read_journal(path)
    assert journal.truncated
    assert len(journal.events) == 9


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "j.jsonl:1: the journal is empty"),
        (b"\x7fELF\x02\x01\x01\x00\x00\n", "j.jsonl:1: not a drills journal: line 1 holds binary"),
        (b"\xff\xfe{}\n", "line 1 holds binary data (it is not UTF-8 text)"),
        (b"name: invoice\n", "j.jsonl:1: not a drills journal: line 1 is not JSON"),
        (b'[1, 2]\n', "j.jsonl:1: not a drills journal: line 1 is a JSON list"),
        (b'{"kind":"batch","at":null}\n', "j.jsonl:1: not a drills journal: line 1 is a 'batch'"),
        (b'{"kind":"header","journal_version":2,"tool_version":"9.0"}\n',
         "j.jsonl:1: the journal has journal version 2 (written by drills 9.0)"),
        (b'{"kind":"header"}\n', "j.jsonl:1: the journal has no journal_version"),
        (b'{"kind":"header","journal_version":true}\n', "journal version True"),
        (b'{"kind":"header","journal_version":1}\n', "j.jsonl:1: the journal header is not valid"),
        (b'{"kind":"header","journal_ver', "j.jsonl:1: the journal ends inside its header"),
    ],
)
def test_what_is_not_a_journal_is_one_clear_error(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "j.jsonl"
    path.write_bytes(content)
    with pytest.raises(JournalError) as raised:
        read_journal(path)
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)


def _edit(source: Path, target: Path, number: int, new: str | None) -> Path:
    lines = lines_of(source)
    if new is None:
        del lines[number - 1]
    else:
        lines[number - 1] = new
    target.write_text("".join(lines), encoding="utf-8")
    return target


@pytest.mark.parametrize(
    ("number", "new", "message"),
    [
        (5, "{garbage\n", ":5: line 5 is not JSON"),
        (5, '{"at":null}\n', ":5: line 5 has no 'kind'"),
        (5, '{"kind":"batch","at":"noon"}\n', ":5: event 'batch' has 'at' 'noon'"),
        (5, None, None),  # a line taken out is still a valid journal
    ],
)
def test_damage_in_the_middle_is_an_error(
    journaled: tuple[Path, DrillReport], tmp_path: Path, number: int, new: str | None,
    message: str | None,
) -> None:
    path = _edit(journaled[0], tmp_path / "j.jsonl", number, new)
    if message is None:
        assert read_journal(path).report is not None
        return
    with pytest.raises(JournalError, match=message):
        read_journal(path)


def test_a_second_header_or_a_line_after_the_report_is_an_error(
    journaled: tuple[Path, DrillReport], tmp_path: Path
) -> None:
    lines = lines_of(journaled[0])
    joined = tmp_path / "joined.jsonl"
    joined.write_text("".join(lines[:20] + lines), encoding="utf-8")
    with pytest.raises(JournalError, match=":21: a second journal header"):
        read_journal(joined)
    after = tmp_path / "after.jsonl"
    after.write_text("".join(lines) + '{"kind":"note","at":null}\n', encoding="utf-8")
    with pytest.raises(JournalError, match=f":{len(lines) + 1}: an event after the drill's"):
        read_journal(after)


def test_an_edited_header_text_is_caught_by_its_hash(
    journaled: tuple[Path, DrillReport], tmp_path: Path
) -> None:
    lines = lines_of(journaled[0])
    header = json.loads(lines[0])
    header["scenario"]["text"] = header["scenario"]["text"].replace("1729", "1730")
    path = _edit(journaled[0], tmp_path / "j.jsonl", 1, json.dumps(header) + "\n")
    with pytest.raises(JournalError, match="scenario text in the journal header does not match"):
        read_journal(path)


def test_a_broken_report_line_is_an_error(
    journaled: tuple[Path, DrillReport], tmp_path: Path
) -> None:
    lines = lines_of(journaled[0])
    last = json.loads(lines[-1])
    del last["report"]["score"]
    path = _edit(journaled[0], tmp_path / "j.jsonl", len(lines), json.dumps(last) + "\n")
    with pytest.raises(JournalError, match="report in the finished line is not valid: score"):
        read_journal(path)


# -- resuming ----------------------------------------------------------------------------


def test_append_to_drops_a_cut_line_and_goes_on(
    journaled: tuple[Path, DrillReport], tmp_path: Path
) -> None:
    path = cut(journaled[0], tmp_path / "j.jsonl", 12, '{"kind":"ba')
    with JournalWriter.append_to(path) as writer:
        assert writer.lines == 12
        writer.write("resumed", datetime(2026, 3, 2, 9, 30), by="test")
    journal = read_journal(path)
    assert not journal.truncated
    assert len(journal.events) == 12
    assert journal.events[-1]["kind"] == "resumed"
    assert journal.events[-1]["by"] == "test"
    with pytest.raises(JournalError, match="the drill finished"):
        JournalWriter.append_to(journaled[0])


# -- the engine stopped early ----------------------------------------------------------


@pytest.mark.slow
def test_until_stops_the_drill_after_the_last_moment_at_or_before_it(
    good_runbook: Runbook, example: Scenario
) -> None:
    until = example.starts + timedelta(minutes=20, seconds=30)
    events = EventList()
    result = Drill(example, good_runbook, handlers=[JournalHandler(events)]).run(until=until)
    assert result.interrupted
    assert result.finished == example.starts + timedelta(minutes=20)
    times = [datetime.fromisoformat(e["at"]) for e in events.events]
    assert max(times) <= until
    assert ENDED not in {e["kind"] for e in events.events}
    whole = Drill(example, good_runbook).run(until=example.starts + timedelta(days=1))
    assert not whole.interrupted
    assert whole.finished == Drill(example, good_runbook).run().finished


def test_until_before_the_start_runs_no_moment(example: Scenario) -> None:
    events = EventList()
    result = Drill(example, None, handlers=[JournalHandler(events)]).run(
        until=example.starts - timedelta(seconds=1)
    )
    assert result.interrupted
    assert result.finished == example.starts
    assert [e["kind"] for e in events.events] == [DrillEvent.STARTED]
    assert sum(result.run.truth.counts().values()) == 0


# -- rebuilding the report --------------------------------------------------------------


def _rebuild(path: Path) -> tuple[Journal, DrillReport]:
    journal = read_journal(path)
    return journal, report_from_journal(journal)


def test_a_rebuilt_report_never_carries_a_password_from_the_journal(
    journaled: tuple[Path, DrillReport], tmp_path: Path
) -> None:
    """drills journals backends redacted, but a journal may come from elsewhere, edited."""
    lines = lines_of(journaled[0])
    header = json.loads(lines[0])
    header.setdefault("extra", {})["backend"] = "postgresql://drill:s3cret@db:5432/x?sslpassword=k3y"
    finished = json.loads(lines[-1])
    finished["report"]["backend"] = header["extra"]["backend"]
    for kept, last in ((lines[1:6], []), (lines[1:-1], [json.dumps(finished) + "\n"])):
        path = tmp_path / "j.jsonl"
        path.write_text("".join([json.dumps(header) + "\n", *kept, *last]), encoding="utf-8")
        journal, report = _rebuild(path)
        assert journal.ended == bool(last)
        text = report.model_dump_json()
        assert "s3cret" not in text
        assert "k3y" not in text
        assert report.backend == "postgresql://drill@db:5432/x"


@pytest.mark.slow
def test_every_cut_rebuilds_the_drill_so_far(
    journaled: tuple[Path, DrillReport], tmp_path: Path
) -> None:
    source, final = journaled
    total = len(lines_of(source))
    statuses = set()
    for whole in sorted({1, 2, 3, 8, 20, 40, 60, 80, total - 4, total - 3}):
        journal, report = _rebuild(cut(source, tmp_path / f"cut{whole}.jsonl", whole, '{"k'))
        last = journal.last_at or report.started
        statuses.add(report.status)
        if last == final.finished:  # cut in the drill's last moment: the replay reaches its end
            assert report.status == "finished", whole
            continue
        assert [w for w in journal.warnings if "mid-event" not in w] == [], whole
        assert report.status == "interrupted", whole
        assert report.interrupted_at == report.finished == last
        assert report.started == final.started
        assert report.seed == final.seed
        assert {f.code for f in report.findings} & JUDGED_AT_END == set()
        assert "drill-interrupted" in {f.code for f in report.findings}
        assert report.headline().startswith("invoice-reminder drill INTERRUPTED at ")
        # what the journal saw is in the report, in the same order, up to the cut
        logged = [(e["at"], e["who"], e["what"]) for e in journal.events if e["kind"] == "log"]
        shown = [(e.at.isoformat(), e.who, e.what) for e in report.log]
        assert set(logged) <= set(shown)
        assert [s for s in shown if s[0] < last.isoformat()] == sorted(
            [s for s in logged if s[0] < last.isoformat()], key=lambda s: s[0]
        )
        assert all(e.at <= last for e in report.log)
        assert all(p.at <= last for p in report.timeline)
    assert "interrupted" in statuses


def test_a_drill_killed_after_its_end_rebuilds_the_full_report(
    journaled: tuple[Path, DrillReport], tmp_path: Path
) -> None:
    source, final = journaled
    path = cut(source, tmp_path / "j.jsonl", len(lines_of(source)) - 1)
    journal, report = _rebuild(path)
    assert report.status == "finished"
    assert report.model_copy(update={"wall_seconds": 0}) == final.model_copy(
        update={"wall_seconds": 0}
    )
    assert journal.warnings == [
        f"{path}: the drill reached its end but was stopped before it wrote its report; the "
        "report was rebuilt by replaying the whole drill"
    ]


def test_a_journal_that_differs_from_the_replay_is_a_warning(
    journaled: tuple[Path, DrillReport], tmp_path: Path
) -> None:
    lines = lines_of(journaled[0])
    number = next(i for i, line in enumerate(lines, 1) if '"kind":"batch"' in line)
    event = json.loads(lines[number - 1])
    event["events"] += 1
    path = _edit(journaled[0], tmp_path / "j.jsonl", number, json.dumps(event) + "\n")
    cut(path, path, 40)
    journal, report = _rebuild(path)
    assert report.status == "interrupted"
    assert len(journal.warnings) == 1
    assert journal.warnings[0].startswith(f"{path}:{number}: the replay differs from the journal")


def test_a_replay_shorter_than_the_journal_is_a_warning(
    journaled: tuple[Path, DrillReport],
) -> None:
    journal = read_journal(journaled[0])
    replayed = [{k: v for k, v in e.items() if k != "wall"} for e in journal.events[:10]]
    assert compare_events(journal, replayed)[0].startswith(
        f"{journal.path}:12: the replay ended {len(journal.events) - 10} events before"
    )
    whole = [{k: v for k, v in e.items() if k != "wall"} for e in journal.events]
    more = [*whole, {"kind": "log", "at": None, "who": "x", "what": "y"}]
    assert compare_events(journal, more) == []  # a moment is replayed whole: it may go on


def test_rebuilt_reports_say_interrupted_in_every_format(
    journaled: tuple[Path, DrillReport], tmp_path: Path
) -> None:
    _, report = _rebuild(cut(journaled[0], tmp_path / "j.jsonl", 30))
    note = "this report was rebuilt from the drill"
    assert note in render_console_text(report, width=200)
    assert note in render_markdown(report)
    assert 'id="interrupted"' in render_html(report)
    assert note in render_html(report)
    assert '<property name="status" value="interrupted" />' in render_junit(report)
    assert DrillReport.model_validate_json(report.model_dump_json()) == report
    assert report.interrupted_at is not None


def test_a_finished_report_keeps_the_v1_shape(journaled: tuple[Path, DrillReport]) -> None:
    """Reports written before journals (no status) still load, as finished."""
    data = json.loads(journaled[1].model_dump_json())
    data.pop("status")
    data.pop("interrupted_at")
    report = DrillReport.model_validate(data)
    assert report.status == "finished"
    assert report.interrupted_at is None
    assert not report.interrupted


def test_a_live_journal_goes_to_the_live_rebuild(
    journaled: tuple[Path, DrillReport], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Mode 'live' is rebuilt by the rebuild handed in; drills.api hands the live one in."""
    header = JournalHeader.build("live", load_scenario(SCENARIO), extra={"speed": 60})
    with JournalWriter.create(tmp_path / "j.jsonl", header) as writer:
        writer.write("command", datetime(2026, 3, 2, 9, 12), text="pause invoice-reminder")
    seen: list[Journal] = []

    def rebuild(journal: Journal) -> DrillReport:
        seen.append(journal)
        return journaled[1]

    assert report_from_journal(tmp_path / "j.jsonl", live=rebuild) is journaled[1]
    assert [j.events[0]["text"] for j in seen] == ["pause invoice-reminder"]
    assert seen[0].header.extra == {"speed": 60}
    with pytest.raises(JournalError, match="a live drill's journal"):
        report_from_journal(tmp_path / "j.jsonl")  # the journal alone knows no live drills
    monkeypatch.setattr(live_replay, "report_from_live_journal", rebuild)
    assert api_report_from_journal(tmp_path / "j.jsonl") is journaled[1]
    assert len(seen) == 2
