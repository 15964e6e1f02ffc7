"""The runbook models: what a file may say, the checks across values, the default step
times, and the JSON Schema editors and outside tools validate against.
"""

from __future__ import annotations

import copy
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from pydantic import ValidationError

from drills.fakes.active import CATALOG
from drills.runbook import jsonschema as jsonschema_module
from drills.runbook.defaults import (
    DEFAULT_TAKES,
    FIRST_NOTE_WITHIN,
    NEXT_UPDATE_EVERY,
    first_note_within,
    next_update_every,
    takes,
)
from drills.runbook.jsonschema import SCHEMA_FILE, render, runbook_json_schema
from drills.runbook.schema import (
    PAUSE_STEP_KINDS,
    CleanExport,
    Comms,
    PauseStep,
    Repair,
    Restart,
    Runbook,
    Scope,
    Snapshot,
    Verify,
)

DATA = Path(__file__).parents[1] / "data" / "runbooks"
GOOD = DATA / "invoice-reminder.runbook.yaml"
FLAWED = DATA / "invoice-reminder.flawed.runbook.yaml"
MINIMAL = DATA / "minimal.runbook.yaml"


def data_of(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return loaded


def base() -> dict[str, Any]:
    """The good example's data, as the YAML loader hands it over."""
    return data_of(GOOD)


def with_(changes: dict[str, Any]) -> dict[str, Any]:
    """``base()`` with dotted keys set, e.g. {'repair.sample': 5}; None deletes the key."""
    data = base()
    for dotted, value in changes.items():
        *parents, last = dotted.split(".")
        node: Any = data
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node.setdefault(part, {})
        if value is None:
            del node[last]
        elif isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value
    return data


def messages(data: dict[str, Any]) -> list[tuple[tuple[str | int, ...], str]]:
    with pytest.raises(ValidationError) as info:
        Runbook.model_validate(data)
    return [(e["loc"], e["msg"].removeprefix("Value error, ")) for e in info.value.errors()]


def issues(data: dict[str, Any]) -> list[tuple[tuple[str | int, ...], str]]:
    return Runbook.model_validate(data).cross_check()


# -- what a runbook can say --------------------------------------------------------------


def test_the_good_example_says_everything_in_typed_values() -> None:
    rb = Runbook.model_validate(base())
    assert rb.automation == "invoice-reminder"
    assert (rb.owner.name, rb.owner.role, rb.owner.can_pause) == (
        "Dana Whitfield", "Finance manager", True)
    assert rb.backup_owner is not None
    assert rb.backup_owner.can_pause is False
    assert [r.canonical for r in rb.checkable_rules] == [
        "duplicate_messages >= 5", "messages_without_review >= 1"]
    assert [(s.kind, s.target, s.takes) for s in rb.pause] == [
        ("pause_job", "invoice-reminder", timedelta(minutes=2)),
        ("stop_queue", "email.outbox", timedelta(minutes=1)),
        ("disable_feeder", "billing.invoice-updated", timedelta(minutes=1)),
        ("disable_feeder", "activity-logger", timedelta(minutes=1)),
    ]
    assert rb.snapshot == Snapshot(export=["billing", "email", "warehouse"], to="exports/",
                                   takes=timedelta(minutes=5))
    assert rb.last_clean_export is not None
    assert rb.last_clean_export.worst_age == timedelta(hours=24)
    assert rb.scope == Scope(by=["run_id", "window"], systems=["billing", "email", "warehouse"],
                             takes=timedelta(minutes=15))
    assert rb.repair is not None
    assert (rb.repair.strategy, rb.repair.sample, rb.repair.stages) == ("script", 20,
                                                                        [0.1, 0.5, 1.0])
    assert (rb.repair.save_values, rb.repair.overwrite_human_edits) == (None, False)
    assert rb.verify == Verify(reconcile=["billing", "email", "warehouse"],
                               takes=timedelta(minutes=10))
    assert rb.comms is not None
    assert rb.comms.customer_message is not None
    assert rb.comms.customer_message.startswith("Earlier today")
    assert rb.restart is not None
    assert rb.restart.approver is not None
    assert rb.restart.ramp == [1, 10, "normal"]
    assert rb.restart.watch == timedelta(minutes=10)
    assert rb.cross_check() == []


def test_the_flawed_example_loads_its_gaps_are_for_the_lint() -> None:
    rb = Runbook.model_validate(data_of(FLAWED))
    assert rb.owner.name == "Finance team"
    assert not rb.owner.can_pause
    assert rb.backup_owner is None
    assert [(r.text, r.parsed) for r in rb.stop_rules] == [
        ("pause if something looks wrong", False)]
    assert rb.restart == Restart()
    assert (rb.snapshot, rb.last_clean_export, rb.verify, rb.comms) == (None, None, None, None)
    assert rb.cross_check() == []


def test_every_section_but_automation_and_owner_may_be_absent() -> None:
    rb = Runbook.model_validate({"automation": "x", "owner": {"name": "Dana"}})
    assert (rb.stop_rules, rb.pause, rb.first_safe_action, rb.restart) == ([], [], None, None)
    assert messages({"owner": {"name": "Dana"}}) == [(("automation",), "Field required")]
    assert messages({"automation": "x"}) == [(("owner",), "Field required")]


def test_unknown_keys_are_errors_at_every_level() -> None:
    assert messages(with_({"ownr": 1})) == [(("ownr",), "Extra inputs are not permitted")]
    assert messages(with_({"repair.samples": 5}))[0][0] == ("repair", "samples")
    assert messages(with_({"pause.0": {"pause_jobb": "x"}}))[0][0] == ("pause", 0, "pause_jobb")


def test_the_model_is_frozen() -> None:
    rb = Runbook.model_validate(base())
    with pytest.raises(ValidationError):
        rb.automation = "other"


@pytest.mark.parametrize("kind", PAUSE_STEP_KINDS)
def test_a_pause_step_is_a_one_key_mapping_of_any_kind(kind: str) -> None:
    target = "ops.reminders:pause_all" if kind == "call" else "email.outbox"
    step = PauseStep.model_validate({kind: target})
    assert (step.kind, step.target, step.takes, str(step)) == (kind, target, None,
                                                              f"{kind}: {target}")


def test_a_pause_step_does_exactly_one_thing() -> None:
    assert messages(with_({"pause.0": {"takes": "2m"}})) == [(
        ("pause", 0),
        "a pause step names nothing to pause; write one of pause_job, disable_feeder, "
        "stop_queue or call",
    )]
    assert messages(with_({"pause.0": {"pause_job": "a", "stop_queue": "b"}})) == [(
        ("pause", 0),
        "a pause step does one thing, not pause_job and stop_queue at once; split it into one "
        "step each",
    )]


@pytest.mark.parametrize(("value", "ok"), [
    ("ops.reminders:pause_all", True),
    ("ops:pause", True),
    ("ops.reminders:Pauser.run", True),
    ("_private.mod:_fn", True),
    ("ops.reminders.pause_all", False),
    ("ops/reminders:pause", False),
    ("ops.reminders:", False),
    (":pause", False),
    ("ops..reminders:pause", False),
    ("ops.reminders:pause()", False),
    ("1ops:pause", False),
    ("ops.class:pause", False),
    ("ops:pause all", False),
])
def test_a_callable_is_checked_for_its_dotted_syntax_only(value: str, ok: bool) -> None:
    data = with_({"repair.call": value})
    if ok:
        assert Runbook.model_validate(data).repair is not None
    else:
        assert messages(data) == [(("repair", "call"), (
            f"{value!r} is not a callable; write it as 'package.module:function', "
            "like 'ops.reminders:pause_all'"))]


def test_systems_are_checked_against_the_catalog_with_a_suggestion() -> None:
    assert messages(with_({"scope.systems": ["billing", "emial"]})) == [
        (("scope", "systems", 1), "unknown system 'emial'; did you mean 'email'?")]
    assert messages(with_({"snapshot.export": ["ledger"]})) == [
        (("snapshot", "export", 0),
         f"unknown system 'ledger'; choose one of: {', '.join(sorted(CATALOG.systems))}")]
    assert messages(with_({"verify.reconcile": []}))[0][0] == ("verify", "reconcile")


@pytest.mark.parametrize(("stages", "expected"), [
    (["10%", "50%", "100%"], [0.1, 0.5, 1.0]),
    (["2.5%", " 100 % "], [0.025, 1.0]),
    (["100%"], [1.0]),
])
def test_stages_are_percentages_held_as_fractions(
    stages: list[str], expected: list[float]
) -> None:
    rb = Runbook.model_validate(with_({"repair.stages": stages}))
    assert rb.repair is not None
    assert rb.repair.stages == expected


@pytest.mark.parametrize(("stage", "message"), [
    (10, "10 is not a percentage; write it like '10%'"),
    (0.1, "0.1 is not a percentage; write it like '10%'"),
    ("ten%", "'ten%' is not a percentage; write it like '10%'"),
    (True, "true is not a percentage; write it like '10%'"),
    ({"at": "10%"}, "a mapping is not a percentage; write it like '10%'"),
    ("0%", "stage '0%' is not a share of the records; write 1% to 100%"),
    ("150%", "stage '150%' is not a share of the records; write 1% to 100%"),
])
def test_a_stage_that_is_not_a_percentage_is_an_error(stage: object, message: str) -> None:
    assert messages(with_({"repair.stages": [stage, "100%"]})) == [
        (("repair", "stages", 0), message)]


@pytest.mark.parametrize(("changes", "loc", "message"), [
    ({"repair.sample": 0}, ("repair", "sample"), "Input should be greater than or equal to 1"),
    ({"repair.sample": 100_001}, ("repair", "sample"),
     "Input should be less than or equal to 100000"),
    ({"repair.sample": "20"}, ("repair", "sample"), "Input should be a valid integer"),
    ({"owner.can_pause": "yes"}, ("owner", "can_pause"), "Input should be a valid boolean"),
    ({"owner.name": "  "}, ("owner", "name"), "String should have at least 1 character"),
    ({"automation": "Invoice Reminder"}, ("automation",),
     "'Invoice Reminder' is not a valid name; use lower-case letters, digits, '.', '-' or "
     "'_', like 'invoice-reminder'"),
    ({"automation": "invoice-reminder\n"}, ("automation",),
     "'invoice-reminder\\n' is not a valid name; use lower-case letters, digits, '.', '-' "
     "or '_', like 'invoice-reminder'"),
    ({"pause": [{"call": "ops.reminders:pause_all\n"}]}, ("pause", 0, "call"),
     "'ops.reminders:pause_all\\n' is not a callable; write it as 'package.module:function', "
     "like 'ops.reminders:pause_all'"),
    ({"repair.strategy": "revert"}, ("repair", "strategy"),
     "Input should be 'bulk_revert', 'script' or 'manual'"),
    ({"scope.by": []}, ("scope", "by"), "List should have at least 1 item after validation, "
     "not 0"),
    ({"pause.0.takes": "2 minutes"}, ("pause", 0, "takes"),
     "'2 minutes' is not a duration; write it like '90s', '5m', '2h' or '1h30m'"),
    ({"comms.first_note_within": "400d"}, ("comms", "first_note_within"),
     "'400d' is over the limit of 366 days; a runbook time is minutes to days, like '15m'"),
    ({"verify.takes": "99999999999999d"}, ("verify", "takes"),
     "'99999999999999d' is far too long; a runbook time is minutes to days, like '15m'"),
    ({"stop_rules": [True]}, ("stop_rules", 0),
     "a stop rule is text, got true; write it like 'duplicate_messages >= 5' (in quotes if "
     "it holds ': ')"),
    ({"stop_rules": [5]}, ("stop_rules", 0),
     "a stop rule is text, got 5; write it like 'duplicate_messages >= 5' (in quotes if it "
     "holds ': ')"),
    ({"stop_rules": "duplicate_messages >= 5"}, ("stop_rules",), "Input should be a valid list"),
    ({"restart.ramp": [0, "normal"]}, ("restart", "ramp", 0),
     "Input should be greater than or equal to 1"),
    ({"restart.ramp": [True, "normal"]}, ("restart", "ramp", 0),
     "true is not a ramp step; write a batch size like 10, or 'normal'"),
    ({"restart.ramp": ["10", "normal"]}, ("restart", "ramp", 0),
     "'10' is not a ramp step; write a batch size like 10, or 'normal'"),
    ({"restart.ramp": [1, "Normal"]}, ("restart", "ramp", 1),
     "'Normal' is not a ramp step; did you mean 'normal'?"),
])
def test_values_that_cannot_be_meant_are_errors(
    changes: dict[str, Any], loc: tuple[str | int, ...], message: str
) -> None:
    got_loc, got = messages(with_(changes))[0]
    assert (got_loc[:len(loc)], got) == (loc, message)  # unions add a member name to loc


def test_restart_and_comms_may_be_empty_and_text_is_trimmed() -> None:
    rb = Runbook.model_validate(with_({"restart": {}, "comms": {},
                                       "first_safe_action": "  Pause it.  "}))
    assert rb.restart == Restart()
    assert rb.comms == Comms()
    assert rb.first_safe_action == "Pause it."


def test_a_runbook_dumps_to_what_it_was_read_from() -> None:
    rb = Runbook.model_validate(base())
    dumped = rb.model_dump(mode="json", exclude_none=True)
    assert dumped["stop_rules"] == ["duplicate_messages >= 5", "messages_without_review >= 1"]
    assert dumped["repair"]["stages"] == ["10%", "50%", "100%"]
    assert dumped["pause"][0] == {"pause_job": "invoice-reminder", "takes": "2m"}
    assert dumped["last_clean_export"]["every"] == "1d"
    assert Runbook.model_validate(dumped) == rb


# -- cross-checks -------------------------------------------------------------------------


@pytest.mark.parametrize(("changes", "expected"), [
    ({"pause": [{"pause_job": "a"}, {"stop_queue": "q"}, {"pause_job": "a", "takes": "1m"}]},
     [(("pause", 2, "pause_job"), "step 3 'pause_job: a' repeats step 1; keep one")]),
    ({"pause": [{"pause_job": "a"}, {"stop_queue": "a"}]}, []),
    ({"repair.stages": ["50%", "10%", "100%"]},
     [(("repair", "stages", 1), "stage 10% does not grow from 50% before it; each stage "
       "repairs more, like [10%, 50%, 100%]")]),
    ({"repair.stages": ["10%", "10%", "100%"]},
     [(("repair", "stages", 1), "stage 10% does not grow from 10% before it; each stage "
       "repairs more, like [10%, 50%, 100%]")]),
    ({"repair.stages": ["10%", "50%"]},
     [(("repair", "stages", 1), "the last stage is 50%, so the repair never finishes; end the "
       "stages at 100%, like [10%, 50%, 100%]")]),
    ({"repair.stages": ["2.5%", "100%"]}, []),
    ({"repair.stages": ["33.3%", "66.7%", "100%"]}, []),
    ({"restart.ramp": [10, 1, "normal"]},
     [(("restart", "ramp", 1), "batch 1 is not bigger than 10 before it; a ramp grows to "
       "normal volume, like [1, 10, normal]")]),
    ({"restart.ramp": [1, "normal", 10]},
     [(("restart", "ramp", 1), "'normal' volume comes last in a ramp; move it to the end, "
       "like [1, 10, normal]")]),
    ({"restart.ramp": [1, 10]},
     [(("restart", "ramp", 1), "the ramp stops at 10 and never reaches normal volume; end it "
       "with 'normal', like [1, 10, normal]")]),
    ({"restart.ramp": ["normal"]}, []),
    ({"restart.ramp": []}, []),
    ({"scope.systems": ["billing", "email", "billing"]},
     [(("scope", "systems", 2), "'billing' is listed twice; keep one")]),
    ({"scope.by": ["run_id", "run_id"]},
     [(("scope", "by", 1), "'run_id' is listed twice; keep one")]),
    ({"snapshot.export": ["email", "email"], "verify.reconcile": ["crm", "crm"]},
     [(("snapshot", "export", 1), "'email' is listed twice; keep one"),
      (("verify", "reconcile", 1), "'crm' is listed twice; keep one")]),
])
def test_cross_checks_blame_one_key_path(
    changes: dict[str, Any], expected: list[tuple[tuple[str | int, ...], str]]
) -> None:
    assert issues(with_(changes)) == expected


# -- default step times -------------------------------------------------------------------


def test_a_step_that_says_how_long_it_takes_is_taken_at_its_word() -> None:
    rb = Runbook.model_validate(base())
    assert rb.snapshot is not None
    assert rb.repair is not None
    assert rb.comms is not None
    assert [takes(s) for s in rb.pause] == [timedelta(minutes=m) for m in (2, 1, 1, 1)]
    assert takes(rb.snapshot) == timedelta(minutes=5)
    assert takes(rb.repair) == timedelta(minutes=30)
    assert takes(rb.comms) == timedelta(minutes=15)


M = timedelta(minutes=1)


@pytest.mark.parametrize(("step", "expected"), [
    (PauseStep(pause_job="x"), 2 * M),
    (PauseStep(disable_feeder="x"), 2 * M),
    (PauseStep(stop_queue="x"), 1 * M),
    (PauseStep(call="ops:pause"), 2 * M),
    (Snapshot(export=["crm"], to="x/"), 10 * M),
    (Scope(by=["run_id"], systems=["crm"]), 20 * M),
    (Repair(strategy="bulk_revert"), 15 * M),
    (Repair(strategy="script"), 30 * M),
    (Repair(strategy="manual"), 90 * M),
    (Verify(reconcile=["crm"]), 15 * M),
    (Comms(), 10 * M),
    (Restart(), 15 * M),
], ids=lambda v: type(v).__name__ if not isinstance(v, timedelta) else "")
def test_a_silent_step_takes_its_documented_default(step: Any, expected: timedelta) -> None:
    assert takes(step) == expected


def test_the_default_table_is_documented_and_complete() -> None:
    from drills.runbook import defaults

    assert defaults.__doc__ is not None
    for key, value in DEFAULT_TAKES.items():
        minutes = int(value.total_seconds() // 60)
        assert f"{key.replace('.', ' '):<18} {minutes}m" in defaults.__doc__, key
    assert first_note_within(Comms()) == FIRST_NOTE_WITHIN == 10 * M
    assert next_update_every(Comms()) == NEXT_UPDATE_EVERY == 30 * M
    assert next_update_every(Comms(next_update_every=timedelta(hours=1))) == 60 * M
    assert CleanExport(where="x", every=timedelta(hours=24),
                       max_age=timedelta(hours=48)).worst_age == 48 * 60 * M


# -- JSON Schema ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_the_shipped_schema_is_the_generated_one() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == render(), (
        "the runbook models changed; run: python -m drills.runbook.jsonschema"
    )
    assert runbook_json_schema()["$id"] == "urn:drills:schema:runbook"


def test_the_schema_main_checks_and_rewrites(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "schema" / "runbook.schema.json"
    monkeypatch.setattr(jsonschema_module, "SCHEMA_FILE", target)
    assert jsonschema_module.main(["--check"]) == 1
    assert jsonschema_module.main([]) == 0
    assert jsonschema_module.main(["--check"]) == 0
    assert target.read_text(encoding="utf-8") == render()
    assert "out of date" in capsys.readouterr().err


@pytest.mark.parametrize("path", [GOOD, FLAWED, MINIMAL], ids=lambda p: p.name)
def test_the_example_runbooks_validate_against_the_schema(
    validator: jsonschema.Draft202012Validator, path: Path
) -> None:
    assert [e.message for e in validator.iter_errors(data_of(path))] == []


@pytest.mark.parametrize(("changes", "why"), [
    ({"ownr": {"name": "x"}}, "unknown key"),
    ({"owner": None}, "owner missing"),
    ({"pause.0": {"pause_job": "a", "stop_queue": "b"}}, "two kinds in one step"),
    ({"pause.0": {"takes": "2m"}}, "no kind"),
    # which systems exist depends on the world the runbook's scenarios happen in, which a
    # schema cannot know; it still refuses what can never be a system's name
    ({"scope.systems": ["E-mail!"]}, "not a system name"),
    ({"repair.stages": ["10", "100%"]}, "not a percentage"),
    ({"repair.call": "ops/revert"}, "bad callable"),
    ({"restart.ramp": [0, "normal"]}, "ramp step below 1"),
    ({"pause.0.takes": "2 minutes"}, "bad duration"),
    ({"automation": "Invoice Reminder"}, "bad name"),
    ({"stop_rules": [5]}, "rule not text"),
])
def test_the_schema_refuses_what_the_loader_refuses(
    validator: jsonschema.Draft202012Validator, changes: dict[str, Any], why: str
) -> None:
    data = with_(changes)
    assert list(validator.iter_errors(data)), why
    with pytest.raises(ValidationError):
        Runbook.model_validate(copy.deepcopy(data))
