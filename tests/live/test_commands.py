"""The live command language: every line parsed, checked, explained and completed.

A typo mid-drill must cost nothing, so each kind of mistake has one clear message;
help and completion come from the same table as the parser.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from drills.responders.live.commands import (
    ACTIONS,
    CommandContext,
    CommandError,
    help_text,
    parse_command,
    parse_keys,
    query_filters,
)
from drills.responders.live.completion import complete

CTX = CommandContext(
    job="invoice-reminder",
    feeders={"email.outbox": "queue", "billing.invoice-updated": "webhook",
             "activity-logger": "chained"},
    systems=("billing", "email", "warehouse"),
    tables=("billing.activity", "billing.invoices", "email.outbox",
            "warehouse.billing_activity"),
    day=date(2026, 3, 2),
    team=("alice", "bob"),
    snapshots=("snap1",),
    run_ids=("invoice-reminder-run-1729",),
    batch_ids=("invoice-reminder-run-1729/b00001", "invoice-reminder-run-1729/b00002",
               "invoice-reminder-run-1729/b00010"),
    times=("09:10", "09:11", "09:14", "09:40"),
)


def test_pause_defaults_to_the_job_and_a_prefix_says_who() -> None:
    cmd = parse_command("pause", CTX)
    assert (cmd.action, cmd.args["target"], cmd.who) == ("pause", "invoice-reminder", None)
    cmd = parse_command("bob: stop email.outbox", CTX)
    assert (cmd.action, cmd.args["target"], cmd.who, cmd.text) == (
        "stop", "email.outbox", "bob", "stop email.outbox")


@pytest.mark.parametrize(("line", "message"), [
    ("pasue", "unknown action 'pasue'; did you mean 'pause'?"),
    ("frobnicate", "unknown action 'frobnicate'; type 'help' to list the actions"),
    ("pause email.outbox", "'email.outbox' is a queue feeding the job, not the job; "
                           "write 'stop email.outbox'"),
    ("pause other-job", "there is no job named 'other-job'; the job is 'invoice-reminder'"),
    ("disable billing.invoice-updatd", "the job has no feeder named 'billing.invoice-updatd'; "
                                       "did you mean 'billing.invoice-updated'?"),
    ("carol: pause", "'carol' is not in the team; choose one of: alice, bob; the team is "
                     "alice, bob (set with --team)"),
    ("snapshot billng", "there is no system 'billng' in this drill; did you mean 'billing'?"),
    ("snapshot", "name the systems to copy; e.g. 'snapshot billing email warehouse'"),
    ("snapshot billing as snap1", "a snapshot named 'snap1' exists already; choose another name"),
    ("query window=09:40-09:10", "the window ends at 09:10:00, not after it starts at 09:40:00; "
                                 "write the earlier time first"),
    ("query window=09:10", "window '09:10' needs a start and an end; write it as HH:MM-HH:MM, "
                           "e.g. window=09:10-09:40"),
    ("query since=9h", "'9h' is not a drill-clock time; write it as HH:MM, e.g. 09:40"),
    ("query since=25:00", "'25:00' is not a drill-clock time; write it as HH:MM, e.g. 09:40"),
    ("query runn=x", "unknown query filter 'runn'; did you mean 'run'?"),
    ("query run", "'run' is not a filter; write key=value"),
    ("query table=billing.invoice", "there is no table 'billing.invoice' in this drill; "
                                    "did you mean 'billing.invoices'?"),
    ("diff snap2", "no snapshot named 'snap2'; did you mean 'snap1'?"),
    ("tag billing.invoices 4,x", "bad key list '4,x': 'x' is not a key or a range; "
                                 "write keys like 4,9,12-20"),
    ("tag billing.invoices 9-4", "bad key list '9-4': range 9-4 runs backwards; write 4-9"),
    ("tag billing.invoices 1-200000", "more than 100,000 keys"),
    ("tag billing.invoices", "write 'tag last' or 'tag TABLE KEYS'"),
    ("scope sumbit", "'scope sumbit' is not an action; did you mean 'submit'?"),
    ("repair magic", "unknown repair strategy 'magic'"),
    ("repair script sample x", "write the sample as a number of records"),
    ("repair script 150%", "'150%' is not an amount to repair"),
    ("restart ramp 0", "a ramp step is a batch size"),
    ("restart now", "unknown restart step 'now'"),
    ("cause", "'cause' needs some words after it"),
    ("reconcile now", "'reconcile' takes nothing after it"),
    ("snapshot 'billing", "cannot read"),
    ("", "type an action, or 'help' to list them"),
])
def test_every_mistake_is_one_clear_message(line: str, message: str) -> None:
    with pytest.raises(CommandError) as err:
        parse_command(line, CTX)
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_query_filters_become_change_log_filters() -> None:
    cmd = parse_command("query run=r1 window=09:10-09:40 actor=automation system=billing", CTX)
    assert query_filters(cmd.args) == {
        "run_id": "r1", "since": datetime(2026, 3, 2, 9, 10),
        "until": datetime(2026, 3, 2, 9, 40), "actor_kind": "automation",
    }
    assert cmd.args["system"] == "billing"
    named = parse_command("query actor=Ben batch=r1/b00001", CTX)
    assert query_filters(named.args) == {"batch_id": "r1/b00001", "actor_name": "Ben"}


def test_keys_tags_repairs_and_restarts_parse_to_plain_values() -> None:
    assert parse_keys("4, 9,12-14") == [4, 9, 12, 13, 14]
    assert parse_command("tag billing.invoices 3,1", CTX).args == {
        "table": "billing.invoices", "keys": [1, 3]}
    assert parse_command("tag last", CTX).args == {"last": True}
    assert parse_command("repair bulk_revert", CTX).args == {
        "strategy": "bulk_revert", "upto": 1.0, "sample": None}
    assert parse_command("repair script 50%", CTX).args["upto"] == 0.5
    assert parse_command("repair script sample 20", CTX).args["sample"] == 20
    assert parse_command("restart ramp 10", CTX).args == {"step": "ramp", "limit": 10}
    assert parse_command("export billing as before", CTX).args == {
        "systems": ["billing"], "name": "before"}
    assert parse_command("diff snap1 billing", CTX).args == {
        "snapshot": "snap1", "tables": ["billing.activity", "billing.invoices"]}
    assert parse_command("end", CTX).args == {"confirmed": False}
    assert parse_command("end yes", CTX).args == {"confirmed": True}
    assert parse_command("note support answers the complaints", CTX).args == {
        "text": "support answers the complaints"}


def test_help_lists_every_action_and_explains_one() -> None:
    text = help_text()
    for name in ACTIONS:
        assert any(line.startswith(name) for line in text.splitlines()), name
    one = help_text("repair")
    assert one.splitlines()[0] == "repair STRATEGY [sample N | N% | all]"
    assert "e.g. repair script sample 20" in one
    assert parse_command("help export", CTX).args == {"action": "snapshot"}
    with pytest.raises(CommandError, match="no action 'repiar'; did you mean 'repair'"):
        parse_command("help repiar", CTX)


@pytest.mark.parametrize(("typed", "offered"), [
    ("", [*ACTIONS, "alice:", "bob:"]),
    ("re", ["retry", "repair", "reconcile", "restart"]),
    ("hold ", ["email.outbox", "billing.invoice-updated", "activity-logger"]),
    ("retry ", ["billing.invoice-updated"]),
    ("retry billing.invoice-updated every=10m ", ["for="]),
    ("sto", ["stop"]),
    ("stop ", ["email.outbox"]),
    ("disable ", ["billing.invoice-updated", "activity-logger"]),
    ("pause ", ["invoice-reminder"]),
    ("bob: dis", ["disable"]),
    ("query ", ["run=", "batch=", "window=", "since=", "until=", "actor=", "system=",
                "table="]),
    ("query run=", ["run=invoice-reminder-run-1729"]),
    ("query actor=a", ["actor=automation", "actor=alice"]),
    ("query system=w", ["system=warehouse"]),
    # Filter values as well as names: batches shown, times on the screen, a window's ends.
    ("query batch=", [f"batch={b}" for b in CTX.batch_ids]),
    ("query batch=invoice-reminder-run-1729/b0000",
     ["batch=invoice-reminder-run-1729/b00001", "batch=invoice-reminder-run-1729/b00002"]),
    ("query since=09:1", ["since=09:10", "since=09:11", "since=09:14"]),
    ("query until=", ["until=09:10", "until=09:11", "until=09:14", "until=09:40"]),
    ("query window=09:1", ["window=09:10-", "window=09:11-", "window=09:14-"]),
    ("query window=09:11-", ["window=09:11-09:14", "window=09:11-09:40"]),
    ("query run=invoice-reminder-run-1729 ", ["batch=", "window=", "since=", "until=",
                                              "actor=", "system=", "table="]),
    ("query since=09:10 ", ["run=", "batch=", "until=", "actor=", "system=", "table="]),
    ("diff ", ["snap1"]),
    ("diff snap1 b", ["billing", "billing.activity", "billing.invoices"]),
    ("tag ", ["last", *CTX.tables]),
    ("scope ", ["submit"]),
    ("repair ", ["bulk_revert", "script", "manual"]),
    ("repair script ", ["sample", "10%", "50%", "100%", "all"]),
    ("restart ", ["test", "ramp", "normal"]),
    ("as ", ["alice", "bob"]),
    ("help rec", ["reconcile"]),
    ("snapshot billing ", ["email", "warehouse", "as"]),
])
def test_completion_offers_what_fits_here(typed: str, offered: list[str]) -> None:
    assert complete(typed, CTX) == offered


@pytest.mark.parametrize("key", ["run", "batch", "actor", "system", "table", "since",
                                 "until", "window"])
def test_every_completed_filter_value_is_a_query_the_grammar_takes(key: str) -> None:
    options = complete(f"query {key}=", CTX)
    assert options
    for option in options:
        if key == "window":  # a start first, then an end after it
            ends = complete(f"query {option}", CTX)
            assert ends
            for end in ends:
                assert parse_command(f"query {end}", CTX).args["window"] == end.split("=")[1]
            continue
        parse_command(f"query {option}", CTX)


def test_the_delivery_commands_parse_what_the_runbooks_deliveries_section_says() -> None:
    assert parse_command("hold billing.invoice-updated", CTX).args == {
        "target": "billing.invoice-updated", "kind": "webhook"}
    assert parse_command("dedupe", CTX).args == {}
    assert parse_command("latest", CTX).args == {}
    retry = parse_command("retry billing.invoice-updated every=10m for=24h", CTX).args
    assert retry == {"target": "billing.invoice-updated", "kind": "webhook",
                     "every": timedelta(minutes=10), "for": timedelta(hours=24)}


@pytest.mark.parametrize(("line", "message"), [
    ("hold billing.invoice-updatd", "the job has no feeder named 'billing.invoice-updatd'; "
                                    "did you mean 'billing.invoice-updated'?"),
    ("dedupe event_id", "'dedupe' takes nothing after it; write just 'dedupe'"),
    ("retry", "'retry' needs a webhook and its policy; write: retry WEBHOOK "
              "every=DURATION for=DURATION"),
    ("retry email.outbox every=10m for=1h", "'email.outbox' is a queue; only a webhook's "
                                            "sender retries: name billing.invoice-updated"),
    ("retry billing.invoice-updated every=10m", "write both every= and for=, like 'retry "
                                                "payments.order-paid every=10m for=24h'"),
    ("retry billing.invoice-updated every=soon for=1h", "every=soon is not a duration; write "
                                                        "it like 'retry payments.order-paid "
                                                        "every=10m for=24h'"),
    ("retry billing.invoice-updated every=0m for=1h", "every=0m must be longer than nothing"),
])
def test_a_delivery_command_with_a_mistake_is_one_clear_line(line: str, message: str) -> None:
    with pytest.raises(CommandError) as err:
        parse_command(line, CTX)
    assert str(err.value).startswith(message)
