"""Reading runbook files: the shared examples load, broken files give one line per
problem, and the positions the lint points at are the lines people wrote.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from drills.errors import DrillsError
from drills.files import FileError, read_yaml
from drills.runbook.loader import (
    Positions,
    load_runbook,
    positions_of,
    read_runbook,
    validate_runbook_file,
)
from drills.runbook.schema import Runbook

REPO = Path(__file__).resolve().parents[2]
# The shared examples, copied into the checkout so no test depends on ../shared.
SHARED_EXAMPLES = REPO / "tests" / "data" / "examples"
DATA = REPO / "tests" / "data" / "runbooks"
GOOD = DATA / "invoice-reminder.runbook.yaml"
FLAWED = DATA / "invoice-reminder.flawed.runbook.yaml"
MINIMAL = DATA / "minimal.runbook.yaml"
BAD = DATA / "bad"
EXAMPLES = ["invoice-reminder.runbook.yaml", "invoice-reminder.flawed.runbook.yaml"]

def write(tmp_path: Path, text: str, name: str = "r.runbook.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("name", EXAMPLES)
def test_the_shared_examples_load_and_the_copies_here_match_them(name: str) -> None:
    shared = SHARED_EXAMPLES / name
    assert validate_runbook_file(shared) == []
    assert load_runbook(shared) == load_runbook(DATA / name)
    assert (DATA / name).read_text(encoding="utf-8") == shared.read_text(encoding="utf-8")


@pytest.mark.parametrize("path", [GOOD, FLAWED, MINIMAL], ids=lambda p: p.name)
def test_the_copies_load_with_no_errors(path: Path) -> None:
    assert validate_runbook_file(path) == []
    assert isinstance(load_runbook(path), Runbook)
    assert isinstance(load_runbook(str(path)), Runbook)


def test_every_bad_file_gives_only_clean_one_line_messages() -> None:
    files = sorted(BAD.glob("*.runbook.yaml"))
    assert len(files) >= 10
    for path in files:
        errors = validate_runbook_file(path)
        assert errors, path
        for err in errors:
            text = str(err)
            assert "\n" not in text
            assert text.startswith(f"{path}:{err.line}:{err.column}: ")
            for leak in ("Value error", "Input should", "pydantic", "Traceback", "tag:yaml.org",
                         "Field required", "StopRule"):
                assert leak not in text, text


def test_load_raises_the_first_error_a_drills_error_counting_the_rest(tmp_path: Path) -> None:
    text = MINIMAL.read_text(encoding="utf-8")
    path = write(tmp_path, text.replace("sample: 20", "sample: -5").replace(
        "[10%, 50%, 100%]", "[10, 50, 100]"))
    with pytest.raises(FileError) as info:
        load_runbook(path)
    assert isinstance(info.value, DrillsError)
    assert str(info.value) == (
        f"{path}:13:11: must be 1 or more, got -5 (repair.sample); raise it "
        f"(and 3 more errors; run 'drills validate {path}')"
    )


def test_cross_checks_point_at_the_line_of_the_key(tmp_path: Path) -> None:
    text = MINIMAL.read_text(encoding="utf-8").replace(
        "[1, 10, normal]", "[1, 10]").replace("[10%, 50%, 100%]", "[50%, 10%, 100%]")
    path = write(tmp_path, text)
    assert [str(e) for e in validate_runbook_file(path)] == [
        f"{path}:14:17: stage 10% does not grow from 50% before it (repair.stages.1); each "
        "stage repairs more, like [10%, 50%, 100%]",
        f"{path}:18:13: the ramp stops at 10 and never reaches normal volume "
        "(restart.ramp.1); end it with 'normal', like [1, 10, normal]",
    ]


def test_a_missing_file_and_an_empty_file_say_runbook(tmp_path: Path) -> None:
    missing = tmp_path / "nope.runbook.yaml"
    assert [str(e) for e in validate_runbook_file(missing)] == [
        f"{missing}:1:1: no such file; check the path"]
    empty = write(tmp_path, "\n")
    assert [str(e) for e in validate_runbook_file(empty)] == [
        f"{empty}:1:1: the file is empty; write a runbook in it"]
    listed = write(tmp_path, "- automation: x\n", "list.runbook.yaml")
    assert [str(e) for e in validate_runbook_file(listed)] == [
        f"{listed}:1:1: the top level is a list; a runbook is a mapping of 'key: value' lines"]


def test_yaml_1_1_words_stay_text_so_yes_is_not_true(tmp_path: Path) -> None:
    path = write(tmp_path, "automation: x\nowner: {name: Dana, can_pause: yes}\n")
    assert [str(e) for e in validate_runbook_file(path)] == [
        f"{path}:2:32: expected true or false, got 'yes' (owner.can_pause); write true or false"
    ]


# -- positions --------------------------------------------------------------------------------


def test_positions_are_the_lines_people_wrote() -> None:
    loaded = read_runbook(FLAWED)
    assert loaded.file == str(FLAWED)
    pos = loaded.positions
    assert pos.position(("automation",)) == (2, 1)
    assert pos.position(("owner", "name")) == (3, 9)
    assert pos.line_of(("stop_rules", 0)) == 5
    assert pos.line_of(("pause", 0, "pause_job")) == 7
    assert pos.line_of(("restart",)) == 11
    # a key the file does not write falls back to the nearest section it does write
    assert pos.line_of(("restart", "approver")) == 11
    assert pos.line_of(("repair", "sample")) == 10
    # a section the file does not have has no line at all
    assert pos.position(("snapshot",)) is None
    assert pos.line_of(("comms", "customer_message")) is None
    assert pos.line_of(()) is None


def test_positions_skip_merge_keys_and_survive_aliases(tmp_path: Path) -> None:
    path = write(tmp_path, (
        "automation: x\n"
        "owner: &dana {name: Dana, can_pause: true}\n"
        "backup_owner:\n"
        "  <<: *dana\n"
        "  role: Backup\n"
        "restart: {approver: *dana}\n"
    ))
    loaded = read_runbook(path)
    assert loaded.runbook.backup_owner is not None
    assert loaded.runbook.backup_owner.can_pause
    pos = loaded.positions
    assert pos.line_of(("backup_owner", "role")) == 5
    assert ("backup_owner", "<<") not in pos.spots
    assert pos.line_of(("backup_owner", "name")) == 2  # merged: where the anchor wrote it
    assert pos.line_of(("restart", "approver", "name")) == 2


def test_positions_can_be_built_from_any_parsed_document() -> None:
    pos = positions_of(read_yaml(GOOD, what="runbook"))
    assert isinstance(pos, Positions)
    assert pos.line_of(("repair", "stages", 2)) == 20
    assert pos.line_of(("comms", "customer_message")) == 26


def test_read_runbook_raises_like_load_runbook(tmp_path: Path) -> None:
    path = write(tmp_path, "automation: x\n")
    with pytest.raises(FileError, match=r"1:1: missing key 'owner'; add it$"):
        read_runbook(path)
