"""JSON reports: valid against the shipped schema, equal after a round trip, and every
bad file is one clear line.

The golden JSON files in ``tests/data/reports/`` double as sample reports for
``scripts/html_screenshot.py``; regenerate them with ``DRILLS_REGEN_GOLDEN=1``.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from drills.reports import jsonout
from drills.reports.jsonout import (
    SCHEMA_FILE,
    ReportError,
    load_report,
    parse_report,
    render_json,
    render_schema,
    report_json_schema,
)
from drills.reports.model import DrillReport
from tests.reports.conftest import GOLDEN, check_golden


def test_the_json_validates_against_the_shipped_schema(report: DrillReport) -> None:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    errors = list(validator.iter_errors(json.loads(render_json(report))))
    assert errors == []


@pytest.mark.slow
def test_the_schema_rejects_what_the_model_rejects(flawed_report: DrillReport) -> None:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    data = json.loads(render_json(flawed_report))
    data["outcome"]["surprise"] = 1
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema)
    data = json.loads(render_json(flawed_report))
    data["schema_version"] = "2"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema)


def test_a_saved_report_reads_back_equal(report: DrillReport, tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_text(render_json(report), encoding="utf-8")
    loaded = load_report(path)
    assert loaded == report
    assert render_json(loaded) == render_json(report)


@pytest.mark.parametrize("kind", ["good", "flawed"])
def test_the_sample_reports_are_current(
    kind: str, good_report: DrillReport, flawed_report: DrillReport
) -> None:
    report = good_report if kind == "good" else flawed_report
    check_golden(f"invoice-reminder.{kind}.report.json", render_json(report))
    assert load_report(GOLDEN / f"invoice-reminder.{kind}.report.json") == report


def test_the_shipped_schema_is_the_generated_one() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == render_schema(), (
        "the report model changed; run: python -m drills.reports.jsonout --write-schema"
    )
    schema = report_json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == "urn:drills:schema:report"
    assert schema["properties"]["schema_version"]["const"] == "1"


def test_the_schema_command_writes_and_checks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "schema" / "report.schema.json"
    monkeypatch.setattr(jsonout, "SCHEMA_FILE", target)
    assert jsonout.main(["--check"]) == 1
    assert "run: python -m drills.reports.jsonout --write-schema" in capsys.readouterr().err
    assert jsonout.main(["--write-schema"]) == 0
    assert target.read_text(encoding="utf-8") == render_schema()
    assert jsonout.main(["--check"]) == 0
    target.write_text("{}", encoding="utf-8")
    assert jsonout.main(["--check"]) == 1
    assert jsonout.main([]) == 0
    assert jsonout.main(["--check"]) == 0


def _error(path: Path) -> str:
    with pytest.raises(ReportError) as info:
        load_report(path)
    message = str(info.value)
    assert "\n" not in message
    return message


def test_bad_files_are_one_clear_line(flawed_report: DrillReport, tmp_path: Path) -> None:
    missing = tmp_path / "nope.json"
    assert _error(missing) == f"{missing}: no such file"
    assert _error(tmp_path) == f"{tmp_path}: is a folder, not a report file"

    broken = tmp_path / "broken.json"
    broken.write_text('{\n  "drill_id": \n}', encoding="utf-8")
    assert _error(broken).startswith(f"{broken}:3:1: not JSON (Expecting value)")

    listing = tmp_path / "list.json"
    listing.write_text("[]", encoding="utf-8")
    assert _error(listing) == f"{listing}: a drill report is a JSON object, this file holds a list"

    binary = tmp_path / "binary.json"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    assert "not" in _error(binary)

    data = json.loads(render_json(flawed_report))
    old = tmp_path / "old.json"
    old.write_text(json.dumps({**data, "schema_version": "0"}), encoding="utf-8")
    assert _error(old) == (
        f"{old}: report has schema version '0' (written by drills 0.1.0), this drills reads "
        "version '1'; render it with the drills version that wrote it, or run the drill again"
    )
    unversioned = tmp_path / "unversioned.json"
    unversioned.write_text("{}", encoding="utf-8")
    assert "report has no schema_version" in _error(unversioned)

    data["systems"][1]["damaged"] = "lots"
    del data["outcome"]["contained"]
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps(data), encoding="utf-8")
    assert _error(wrong) == (
        f"{wrong}: not a valid drill report: systems[1].damaged: Input should be a valid "
        "integer, unable to parse string as an integer (and 1 more problem)"
    )


def test_parse_report_names_its_source(flawed_report: DrillReport) -> None:
    assert parse_report(render_json(flawed_report)) == flawed_report
    with pytest.raises(ReportError, match=r"^upload:1:1: not JSON"):
        parse_report("", source="upload")
