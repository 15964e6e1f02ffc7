"""Reading scenario files: every way a file can be wrong ends as one line with a position.

The loader is generic (runbooks will use it too), so part of this module drives it
with a small model of its own; the rest goes through :mod:`drills.scenarios.loader`.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Literal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ConfigDict, Field

from drills.errors import DrillsError
from drills.files import (
    MAX_ALIASES,
    MAX_DEPTH,
    MAX_FILE_BYTES,
    FileError,
    check_file,
    load_model,
    read_yaml,
    validate_file,
)
from drills.scenarios.loader import (
    UnknownScenarioError,
    builtin_names,
    builtin_scenarios,
    load_scenario,
    validate_scenario_file,
)
from drills.scenarios.schema import Scenario

DATA = Path(__file__).parents[1] / "data" / "scenarios"
MINIMAL = DATA / "good" / "minimal.yaml"
BAD = DATA / "bad"


def write(tmp_path: Path, text: str, name: str = "s.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def lines(errors: list[FileError]) -> list[str]:
    return [str(e) for e in errors]


def minimal_with(old: str, new: str) -> str:
    text = MINIMAL.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    return text.replace(old, new)


# -- FileError ------------------------------------------------------------------------------


def test_a_file_error_is_one_line_from_the_root_exception() -> None:
    err = FileError("x.yaml", 17, 9, "unknown fault kind 'tripple_trigger'",
                    path=("fault", "kind"), fix="did you mean 'triple_trigger'?")
    assert isinstance(err, DrillsError)
    assert str(err) == (
        "x.yaml:17:9: unknown fault kind 'tripple_trigger' (fault.kind); "
        "did you mean 'triple_trigger'?"
    )
    assert (err.file, err.line, err.column, err.path) == ("x.yaml", 17, 9, ("fault", "kind"))
    assert str(FileError("x.yaml", 1, 1, "no such file")) == "x.yaml:1:1: no such file"
    folded = FileError("x.yaml", 2, 3, "bad\nthing", fix="fix\nit")
    assert str(folded) == "x.yaml:2:3: bad thing; fix it"


def test_load_model_raises_the_first_error_and_counts_the_rest(tmp_path: Path) -> None:
    path = write(tmp_path, minimal_with("contacts: 80", "contacts: -1").replace(
        "reach: 12", "reach: 0"))
    with pytest.raises(FileError) as info:
        load_model(path, Scenario)
    assert str(info.value) == (
        f"{path}:7:19: must be 0 or more, got -1 (world.crm.contacts); raise it "
        f"(and 1 more error; run 'drills validate {path}')"
    )
    assert len(validate_file(path, Scenario)) == 2


# -- reading YAML -----------------------------------------------------------------------------


def test_scalars_read_the_yaml_1_2_way(tmp_path: Path) -> None:
    doc = read_yaml(write(tmp_path, (
        "on: crm.contacts\nyes: no\noff: On\nbools: [true, False]\ntime: 1:30\n"
        "octal: 012\nhex: 0x1f\nbig: 1_000\nratio: 2.5\nnothing: ~\n"
    )))
    assert doc.data == {
        "on": "crm.contacts", "yes": "no", "off": "On", "bools": [True, False],
        "time": "1:30", "octal": "012", "hex": 31, "big": 1000, "ratio": 2.5, "nothing": None,
    }


def test_merge_keys_work_and_errors_inside_them_find_their_line(tmp_path: Path) -> None:
    text = minimal_with("fault:\n  kind: triple_trigger\n",
                        "fault:\n  <<: &fault {kind: triple_trigger, times: 1}\n")
    [err] = validate_scenario_file(write(tmp_path, text))
    assert (err.line, err.column) == (23, 44)
    assert str(err).endswith("must be 2 or more, got 1 (fault.times); raise it")


def test_a_key_may_override_what_a_merge_brought_in(tmp_path: Path) -> None:
    path = tmp_path / "merge.yaml"
    path.write_text(
        "base: &base\n  a: 1\n  b: 2\nx:\n  <<: *base\n  b: 3\ny:\n  c: 1\n  c: 2\n",
        encoding="utf-8",
    )
    doc = read_yaml(path)
    assert doc.data["x"] == {"a": 1, "b": 3}
    assert [str(e) for e in doc.duplicates] == [
        f"{path}:9:3: duplicate key 'c' (y); it is also set on line 8, keep one"
    ]


def test_a_utf8_byte_order_mark_is_fine(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + MINIMAL.read_bytes())
    assert validate_scenario_file(path) == []


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("\ufeffname: x\n".encode("utf-16"), "1:1: the file is UTF-16 text; save it as UTF-8"),
        (b"name: x\ntitle: a\x07b\n", "2:9: the file holds the control character U+0007; "
                                      "remove it, a YAML file is plain text"),
        (b"name: caf\xe9\n", "1:10: the file is not UTF-8 text (byte 0xe9); save it as UTF-8"),
    ],
)
def test_text_that_is_not_plain_utf8(tmp_path: Path, raw: bytes, expected: str) -> None:
    path = tmp_path / "s.yaml"
    path.write_bytes(raw)
    assert lines(validate_scenario_file(path)) == [f"{path}:{expected}"]


def test_files_over_the_size_limit_are_refused_unread(tmp_path: Path) -> None:
    path = write(tmp_path, "name: x\nnotes: '" + "a" * MAX_FILE_BYTES + "'\n")
    assert lines(validate_scenario_file(path)) == [
        f"{path}:1:1: the file is over the limit of 1 MiB; trim it, a scenario names things "
        "and counts, it never lists records"
    ]


def test_too_many_aliases_are_refused(tmp_path: Path) -> None:
    body = "".join("- *a\n" for _ in range(MAX_ALIASES + 1))
    path = write(tmp_path, f"a: &a x\nlist:\n{body}")
    [err] = validate_scenario_file(path)
    assert (err.line, err.column) == (MAX_ALIASES + 3, 3)
    assert err.message == f"more than {MAX_ALIASES} YAML aliases ('*name'); write the values out"


def test_an_alias_that_contains_itself_is_refused(tmp_path: Path) -> None:
    assert lines(validate_scenario_file(write(tmp_path, "a: &a [1, *a]\n"))) == [
        f"{tmp_path / 's.yaml'}:1:4: a YAML alias refers to itself; write the value out"
    ]


def test_deep_nesting_is_refused_before_python_recursion_breaks(tmp_path: Path) -> None:
    path = write(tmp_path, "a: " + "[" * 5000 + "]" * 5000 + "\n")
    [err] = validate_scenario_file(path)
    assert err.message == f"nested more than {MAX_DEPTH} levels deep; flatten the file"


def test_unknown_tags_and_anchors(tmp_path: Path) -> None:
    assert lines(validate_scenario_file(write(tmp_path, "name: !secret x\n"))) == [
        f"{tmp_path / 's.yaml'}:1:7: the YAML tag '!secret' is not allowed; "
        "remove it, these files hold plain values only"
    ]
    assert lines(validate_scenario_file(write(tmp_path, "a: *nowhere\n"))) == [
        f"{tmp_path / 's.yaml'}:1:4: the alias '*nowhere' names no anchor; "
        "define '&name' before using '*name'"
    ]
    assert lines(validate_scenario_file(write(tmp_path, "a: &x 1\nb: &x 2\n"))) == [
        f"{tmp_path / 's.yaml'}:2:4: a YAML anchor ('&name') is defined twice; "
        "give each anchor its own name"
    ]


def test_unreadable_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, "name: x\n")

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("drills.files.reader.read_regular", refuse)
    assert lines(validate_scenario_file(path)) == [
        f"{path}:1:1: permission denied; make the file readable for this user"
    ]


def test_duplicate_keys_anywhere_are_reported_at_the_second(tmp_path: Path) -> None:
    text = minimal_with("    - {kind: queue, name: email.outbox}\n",
                        "    - {kind: queue, name: email.outbox, kind: webhook}\n")
    [err] = validate_scenario_file(write(tmp_path, text))
    assert str(err).endswith(
        ":18:41: duplicate key 'kind' (automation.feeders.0); it is also set on line 18, keep one"
    )


# -- pydantic errors to lines ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("automation:", "automaton:",
         "13:1: unknown key 'automaton'; did you mean 'automation'?"),
        ("  crm: {contacts: 80}", "  crm: {contacts: 80, invoices: 3}",
         "7:23: unknown key 'invoices' (world.crm); choose one of: contacts, deals"),
        ("  crm: {contacts: 80}", "  crm: {contacts: 80, contcts: 3}",
         "7:23: unknown key 'contcts' (world.crm); did you mean 'contacts'?"),
        ("  crm: {contacts: 80}", "  crm: {contacts: 80, zzz: 3}",
         "7:23: unknown key 'zzz' (world.crm); choose one of: contacts, deals"),
        ("  kind: triple_trigger", "  kind: [triple_trigger]",
         "23:3: expected one word for the fault kind, got a list (fault.kind); choose one of: "
         "blank_writes, delayed_deliveries, dropped_deliveries, duplicate_records, "
         "over_broad_filter, partial_failure, redelivery_storm, reordered_deliveries, "
         "skipped_approval, status_flapping, triple_trigger, wrong_field_mapping"),
        ("  kind: triple_trigger\n", "",
         "22:1: missing key 'kind' (fault); add it"),
        ("  kind: triple_trigger", "  kind: sideways",
         "23:9: unknown fault kind 'sideways' (fault.kind); choose one of: blank_writes, "
         "delayed_deliveries, dropped_deliveries, duplicate_records, over_broad_filter, "
         "partial_failure, redelivery_storm, reordered_deliveries, skipped_approval, "
         "status_flapping, triple_trigger, wrong_field_mapping"),
        ("  reach: 12", "  reach: -3", "25:10: must be 1 or more, got -3 (fault.reach); raise it"),
        ("  reach: 12", "  reach: {where: {status: 1}}",
         "25:27: expected text, got 1 (fault.reach.where.status); put it in quotes if it is "
         "meant as text"),
        ("fault:\n  kind: triple_trigger\n  rate: 4/min\n  reach: 12\n", "fault: triple_trigger\n",
         "22:8: expected a mapping of 'key: value' pairs, got 'triple_trigger' (fault); indent "
         "'key: value' lines under it"),
        ("    - {send_email: {template: invoice-reminder, to: billing.invoices.customer_email}}",
         "    - {create_record: {table: billing.activity, values: {kind: [1]}}}",
         "21:58: expected text, got a list (automation.does.0.create_record.values.kind); put "
         "it in quotes if it is meant as text"),
        ("name: reminder-drill", "name: reminder-drill\nseed: true",
         "3:7: expected a whole number, got true (seed); write it as digits, like 120"),
        ("title: Reminder rule fires three times", "title: ''",
         "3:8: must not be empty (title); write some text"),
        ("  does:\n", "  touches: [mony]\n  does:\n",
         "20:13: unknown value 'mony' (automation.touches.0); did you mean 'money'?"),
        ("  does:\n    - {send_email: {template: invoice-reminder, "
         "to: billing.invoices.customer_email}}\n", "  does: []\n",
         "20:3: an automation needs at least one step in 'does', or the team's own function "
         "in 'callable' (automation.does)"),
    ],
)
def test_pydantic_errors_become_lines_people_can_act_on(
    tmp_path: Path, old: str, new: str, expected: str
) -> None:
    path = write(tmp_path, minimal_with(old, new))
    assert lines(validate_scenario_file(path)) == [f"{path}:{expected}"]


def test_a_missing_top_level_key_points_at_the_top(tmp_path: Path) -> None:
    path = write(tmp_path, minimal_with("title: Reminder rule fires three times\n", ""))
    assert lines(validate_scenario_file(path)) == [f"{path}:2:1: missing key 'title'; add it"]


def test_errors_come_in_line_order_with_cross_checks(tmp_path: Path) -> None:
    text = minimal_with("contacts: 80", "contacts: eighty").replace("every: 5m", "every: soon")
    path = write(tmp_path, text)
    assert [(e.line, e.path) for e in validate_scenario_file(path)] == [
        (7, ("world", "crm", "contacts")), (12, ("world", "warehouse", "every")),
    ]
    text = minimal_with("  reach: 12\n", "  reach: 12\n  via: nope\n  starts: 3h\n")
    path = write(tmp_path, text)
    assert lines(validate_scenario_file(path)) == [
        f"{path}:26:8: the automation has no feeder 'nope' (fault.via); "
        "choose one of: billing.invoice-updated, email.outbox",
        f"{path}:27:11: the fault starts after the drill ends (fault.starts); "
        "make it start before runs_for",
    ]


class _Step(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["pause_job"]
    target: str = Field(alias="job")
    takes: int = 0


class _Other(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["notify"]
    who: str


class _Plan(BaseModel):
    """A runbook-like model: the loader knows nothing of scenarios."""

    model_config = ConfigDict(extra="forbid")
    owner: str
    steps: list[Annotated[_Step | _Other, Field(discriminator="kind")]]


def test_the_loader_is_generic(tmp_path: Path) -> None:
    path = write(tmp_path, "owner: dana\nsteps:\n  - {kind: pause_job, jbo: x}\n"
                           "  - {kind: notifi}\n  - {kind: notify, who: [a]}\n")
    assert lines(validate_file(path, _Plan, what="runbook")) == [
        f"{path}:3:23: unknown key 'jbo' (steps.0); did you mean 'job'?",
        f"{path}:4:12: unknown step kind 'notifi' (steps.1.kind); did you mean 'notify'?",
        f"{path}:5:20: expected text, got a list (steps.2.who); put it in quotes if it is "
        "meant as text",
    ]
    assert lines(validate_file(write(tmp_path, "[]\n"), _Plan, what="runbook")) == [
        f"{path}:1:1: the top level is a list; a runbook is a mapping of 'key: value' lines"
    ]
    good = write(tmp_path, "owner: dana\nsteps: [{kind: pause_job, job: x}]\n")
    checked = check_file(good, _Plan, what="runbook",
                         cross_check=lambda plan: [(("steps", 0, "job"), "x is not a job; "
                                                    "name one")])
    assert checked.model is None
    assert lines(checked.errors) == [f"{good}:2:32: x is not a job (steps.0.job); name one"]
    assert load_model(good, _Plan).steps[0].kind == "pause_job"


def test_every_bad_file_gives_only_clean_one_line_messages() -> None:
    for path in sorted(BAD.glob("*.yaml")):
        errors = validate_scenario_file(path)
        assert errors, path
        for err in errors:
            text = str(err)
            assert "\n" not in text
            assert text.startswith(f"{path}:{err.line}:{err.column}: ")
            for leak in ("Value error", "Input should", "pydantic", "Traceback", "tag:yaml.org"):
                assert leak not in text, text


_VALID = MINIMAL.read_text(encoding="utf-8")


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.text(max_size=300),
        st.builds(
            lambda cut, junk, where: _VALID[:where] + junk + _VALID[where + cut:],
            st.integers(0, 30), st.text(max_size=8), st.integers(0, len(_VALID)),
        ),
    )
)
def test_no_text_makes_the_loader_raise_anything_but_file_errors(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzz.yaml"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        checked = check_file(path, Scenario, cross_check=Scenario.cross_check)
        assert (checked.model is None) == bool(checked.errors)
        for err in checked.errors:
            assert "\n" not in str(err)
            assert err.line >= 1
            assert err.column >= 1


# -- scenarios.loader -----------------------------------------------------------------------


def test_load_scenario_takes_a_path_or_a_library_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert load_scenario(MINIMAL).name == "reminder-drill"
    assert load_scenario(str(MINIMAL)).name == "reminder-drill"
    assert load_scenario("invoice-triple-trigger").name == "invoice-triple-trigger"
    monkeypatch.chdir(tmp_path)
    write(tmp_path, _VALID, name="local-drill")
    assert load_scenario("local-drill").name == "reminder-drill"


def test_an_unknown_name_suggests_a_library_scenario() -> None:
    with pytest.raises(UnknownScenarioError) as info:
        load_scenario("invoice-tripple-trigger")
    assert str(info.value) == (
        "unknown scenario 'invoice-tripple-trigger'; did you mean 'invoice-triple-trigger'?"
    )
    with pytest.raises(UnknownScenarioError) as info:
        load_scenario("zzz")
    assert str(info.value).startswith("unknown scenario 'zzz'; choose one of: ")
    assert str(info.value).endswith("; or give the path of a scenario file, e.g. my-drill.yaml")
    assert isinstance(info.value, DrillsError)


def test_a_path_that_does_not_exist_is_a_file_error_not_a_name() -> None:
    with pytest.raises(FileError, match=r"nowhere\.yaml:1:1: no such file; check the path"):
        load_scenario("nowhere.yaml")


def test_load_scenario_runs_the_cross_checks(tmp_path: Path) -> None:
    path = write(tmp_path, minimal_with("  reach: 12\n", "  reach: 12\n  via: email.outbx\n"))
    with pytest.raises(FileError) as info:
        load_scenario(path)
    assert (info.value.line, info.value.path) == (26, ("fault", "via"))


def test_builtin_names_are_the_library_files() -> None:
    library = Path(__file__).parents[2] / "scenarios" / "library"
    assert builtin_names() == sorted(p.stem for p in library.glob("*.yaml"))
    assert [info.name for info in builtin_scenarios()] == builtin_names()


# -- found by the fuzz tests (tests/fuzz) ---------------------------------------------------


def test_a_number_too_long_for_python_is_refused_at_its_line(tmp_path: Path) -> None:
    # Python refuses int() of more than 4,300 digits with a ValueError; it was a traceback.
    path = write(tmp_path, minimal_with("reach: 12", "reach: " + "9" * 5_000))
    assert lines(validate_scenario_file(path)) == [
        f"{path}:25:10: a number 5,000 characters long, over the limit of 1,000; "
        "write a smaller number"
    ]
    hex_path = write(tmp_path, minimal_with("reach: 12", "reach: 0x" + "f" * 2_000), "h.yaml")
    assert "a number 2,002 characters long" in str(validate_scenario_file(hex_path)[0])


def test_a_long_number_is_shown_by_its_length(tmp_path: Path) -> None:
    path = write(tmp_path, minimal_with("reach: 12", f"reach: {10**100}"))
    assert lines(validate_scenario_file(path)) == [
        f"{path}:25:10: must be at most 5,000,000, got a 101-digit number (fault.reach); "
        "lower it"
    ]


def test_an_escaped_surrogate_is_refused_at_its_line(tmp_path: Path) -> None:
    # "\udcff" in a double-quoted string made pydantic raise UnicodeEncodeError.
    path = write(tmp_path, minimal_with("title: Reminder rule fires three times",
                                        'title: "x\\udcff"'))
    assert lines(validate_scenario_file(path)) == [
        f"{path}:3:8: the text holds an escaped surrogate ('\\ud800' to '\\udfff'), half of "
        "a UTF-16 pair that is no character; write the character itself"
    ]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2026-02-30", "'2026-02-30' is not a real date and time (day is out of range for "
                       "month); write it like '2026-03-02T09:10:00'"),
        ("2026-03-02T09:10:00+99:00", "'2026-03-02T09:10:00+99:00' is not a real date and "
                                      "time; write it like '2026-03-02T09:10:00'"),
    ],
)
def test_an_unquoted_date_that_is_no_date_is_refused_at_its_line(
    tmp_path: Path, value: str, message: str
) -> None:
    # PyYAML raised ValueError from datetime() for these; it was a traceback.
    path = write(tmp_path, minimal_with('starts: "2026-03-02T09:10:00"', f"starts: {value}"))
    assert lines(validate_scenario_file(path)) == [f"{path}:5:9: {message}"]


def test_tagged_numbers_that_are_no_numbers_are_refused(tmp_path: Path) -> None:
    path = write(tmp_path, minimal_with("reach: 12", "reach: !!int 0x"))
    assert lines(validate_scenario_file(path)) == [
        f"{path}:25:10: '0x' is not a whole number; write digits, like 120"
    ]
    path = write(tmp_path, minimal_with("reach: 12", "reach: !!float abc"), "f.yaml")
    assert lines(validate_scenario_file(path)) == [
        f"{path}:25:10: 'abc' is not a number; write digits, like 2.5"
    ]
    # '0x_' has no digit: it is text, not int('', 16)
    assert read_yaml(write(tmp_path, "a: 0x_\nb: 0b_\n", "t.yaml")).data == {
        "a": "0x_", "b": "0b_",
    }


def test_characters_a_terminal_acts_on_are_shown_escaped(tmp_path: Path) -> None:
    # An escape sequence in a misspelt key must not reach the terminal raw; a
    # zero-width space or a right-to-left override must be visible.
    path = write(tmp_path, minimal_with("reach: 12", 'reach: 12\n  "\\e[2J\\u200b\\u202e": 1'))
    assert lines(validate_scenario_file(path)) == [
        f"{path}:26:3: unknown key '\\x1b[2J\\u200b\\u202e' (fault); choose one of: kind, "
        "rate, reach, starts, times, via"
    ]
    shown = str(FileError("x.yaml", 1, 1, "bad \x00 \x85 \ud800 🔥"))
    assert shown == "x.yaml:1:1: bad \\x00 \\ud800 🔥"
