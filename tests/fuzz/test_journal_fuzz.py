"""Fuzzed journals through the readers behind ``drills report`` and ``drills score``.

Each case starts from a real journal of a finished drill and damages it in one or a few
places: an event's drill time (a UTC offset, garbage, a huge year, a number), a header
field (the wrong type, a huge, infinite or NaN number, nesting), a line of JSON nested
thousands deep or holding a number of thousands of digits, the ``finished`` line dropped
(so the drill is rebuilt by replaying it). The property: a report, or one
:class:`~drills.errors.DrillsError` whose message is one line; never any other
exception. Most cases keep the report line, which reads in milliseconds; the few that
drop it replay the drill (about a second each), which keeps the whole under ~10 s.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drills.errors import DrillsError
from tests.fuzz.tally import count

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
DEEP = os.environ.get("DRILLS_FUZZ") == "deep"

for _name, _cases in (("fuzz-journals", 150), ("fuzz-cli-journals", 3)):
    settings.register_profile(
        _name, max_examples=_cases * 25 if DEEP else _cases, derandomize=not DEEP,
        database=None, deadline=None, print_blob=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                               HealthCheck.function_scoped_fixture],
    )


def _base_journal() -> list[str]:
    from drills.api import run_drill
    from drills.journal import JournalSpec
    from drills.runbook import read_runbook
    from drills.scenarios.loader import load_scenario

    runbook = read_runbook(REPO / "examples" / "invoice-reminder.runbook.yaml")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "drill.journal.jsonl"
        run_drill(load_scenario("invoice-triple-trigger"), runbook.runbook, costs=False,
                  runbook_path=runbook.file,
                  journal=JournalSpec(path, source="invoice-triple-trigger"))
        return path.read_text(encoding="utf-8").splitlines()


BASE: list[str] = []


@pytest.fixture(scope="module", autouse=True)
def base() -> None:
    if not BASE:
        BASE.extend(_base_journal())


RAW = "\u0000RAW:"
"""A string value replaced by raw JSON text when the line is written (NaN, 1e999)."""


def raw(text: str) -> str:
    return RAW + text


NUMBERS = st.one_of(
    st.sampled_from([raw("NaN"), raw("Infinity"), raw("-Infinity"), raw("1e308"),
                     raw("1e999"), raw("9" * 5000), 0, -1, 1e-300, 10**30, True, None]),
    st.integers(), st.floats(allow_nan=False, allow_infinity=False),
)
WRONG = st.one_of(
    NUMBERS, st.text(max_size=20), st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
    st.just(raw("[" * 5000 + "]" * 5000)),
)
TIMES = st.one_of(
    st.sampled_from(["2026-03-02T10:00:00+02:00", "2026-03-02T09:12:00Z",
                     "2026-03-02T09:12:00-05:00", "99999-01-01T00:00:00",
                     "9999-12-31T23:59:59", "0001-01-01T00:00:00", "2026-03-02",
                     "2026-02-30T09:00:00", "garbage", "", "T"]),
    st.datetimes().map(lambda d: d.isoformat()),
    st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat()),
    WRONG,
)
HEADER_FIELDS = ("scale", "seed", "ran_at", "mode", "drill_id", "costs", "extra",
                 "journal_version", "runbook", "scenario")


@st.composite
def journals(draw: st.DrawFn) -> tuple[list[str], bool]:
    """Damaged journal lines, and whether the report line was kept."""
    lines = list(BASE)
    keep = draw(st.sampled_from([True] * 19 + [False]))
    if not keep:
        lines = lines[: draw(st.integers(2, 12))]
    objs: list[dict[str, Any] | str] = [json.loads(line) for line in lines]
    for _ in range(draw(st.integers(1, 3))):
        what = draw(st.sampled_from(["at", "header", "extra", "nest", "junk"]))
        if what == "at":
            index = draw(st.integers(1, len(objs) - 1))
            obj = objs[index]
            if isinstance(obj, dict):
                obj["at"] = draw(TIMES)
        elif what == "header":
            header = objs[0]
            assert isinstance(header, dict)
            header[draw(st.sampled_from(HEADER_FIELDS))] = draw(st.one_of(WRONG, TIMES))
        elif what == "extra":
            header = objs[0]
            assert isinstance(header, dict)
            extra = header.get("extra")
            if isinstance(extra, dict):
                extra[draw(st.sampled_from(["speed", "team", "backend"]))] = draw(WRONG)
        elif what == "nest":
            depth = draw(st.sampled_from([63, 64, 65, 900, 1000, 5000, 100_000]))
            index = draw(st.integers(1, len(objs)))
            objs.insert(index, raw('{"kind":"note","at":null,"x":' + "[" * depth
                                   + "]" * depth + "}"))
        else:
            index = draw(st.integers(1, len(objs)))
            objs.insert(index, draw(st.text(max_size=30).map(raw)))
    text = [_dump(o) for o in objs]
    return text, keep


def _dump(obj: dict[str, Any] | str) -> str:
    if isinstance(obj, str):
        return obj.removeprefix(RAW)
    out = json.dumps(obj, ensure_ascii=False)
    for marker in {m for m in _markers(obj)}:
        out = out.replace(json.dumps(marker, ensure_ascii=False), marker.removeprefix(RAW))
    return out


def _markers(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value] if value.startswith(RAW) else []
    if isinstance(value, dict):
        return [m for v in value.values() for m in _markers(v)]
    if isinstance(value, list):
        return [m for v in value for m in _markers(v)]
    return []


def _write(folder: Path, lines: list[str]) -> Path:
    path = folder / "fuzzed.journal.jsonl"
    path.write_text("".join(line.replace("\n", " ") + "\n" for line in lines),
                    encoding="utf-8", errors="surrogatepass")
    return path


def _one_line(err: DrillsError) -> None:
    message = str(err)
    assert message
    assert "\n" not in message, message


@settings(settings.get_profile("fuzz-journals"))
@given(case=journals())
def test_a_damaged_journal_is_a_report_or_one_line(case: tuple[list[str], bool]) -> None:
    from drills.api import report_from_journal
    from drills.review.inputs import collect_inputs

    lines, _ = case
    with tempfile.TemporaryDirectory() as folder:
        path = _write(Path(folder), lines)
        try:
            report_from_journal(path)
            outcome = "report"
        except DrillsError as err:
            _one_line(err)
            outcome = "refused"
        try:
            collect_inputs([path])
        except DrillsError as err:
            _one_line(err)
    count("test_a_damaged_journal_is_a_report_or_one_line", outcome)


@settings(settings.get_profile("fuzz-cli-journals"))
@given(case=journals())
def test_drills_report_never_shows_a_traceback(case: tuple[list[str], bool]) -> None:
    lines, _ = case
    with tempfile.TemporaryDirectory() as folder:
        path = _write(Path(folder), lines)
        env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONWARNINGS": "error",
               "COLUMNS": "100"}
        run = subprocess.run([sys.executable, "-m", "drills", "report", str(path), "-q"],
                             cwd=REPO, env=env, capture_output=True, text=True, timeout=300,
                             check=False)
    assert "Traceback" not in run.stderr, run.stderr
    assert run.returncode in (0, 2), run.stderr
    if run.returncode == 2:
        errors = [line for line in run.stderr.splitlines() if line.startswith("drills: error:")]
        assert len(errors) == 1, run.stderr
    count("test_drills_report_never_shows_a_traceback",
          "report" if run.returncode == 0 else "refused")
