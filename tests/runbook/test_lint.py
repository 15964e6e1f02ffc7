"""Runbook lint: exact findings for the good and flawed examples, every code from a
minimal change, severities that escalate when nobody could stop or undo a bad run,
and ``where`` pointing at the line.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from drills.reports.findings import Check, Finding, Severity
from drills.runbook import lint as lint_module
from drills.runbook.lint import (
    LINT_CODES,
    can_pause,
    lint_runbook,
    lint_runbook_file,
    not_a_person,
)
from drills.runbook.loader import load_runbook, read_runbook
from drills.runbook.schema import Person, Runbook

REPO = Path(__file__).resolve().parents[2]
# The shared examples, copied into the checkout so no test depends on ../shared.
SHARED_EXAMPLES = REPO / "tests" / "data" / "examples"
DATA = REPO / "tests" / "data" / "runbooks"
GOOD = DATA / "invoice-reminder.runbook.yaml"
FLAWED = DATA / "invoice-reminder.flawed.runbook.yaml"

GOOD_CODES = ["backup-cannot-pause"]
FLAWED_CODES = [
    "owner-is-team",
    "missing-backup-owner",
    "uncheckable-stop-rule",
    "no-first-safe-action",
    "pause-job-only",
    "no-snapshot",
    "no-clean-export",
    "scope-by-window-only",
    "repair-without-sample",
    "repair-without-stages",
    "repair-without-saved-values",
    "no-verification",
    "no-comms",
    "restart-without-approver",
    "restart-without-cause",
    "restart-without-test",
    "restart-without-ramp",
    "restart-without-watch",
]


def codes(findings: list[Finding]) -> list[str]:
    return [f.code for f in findings]


def clean() -> dict[str, Any]:
    """The good example with a backup owner who may pause too: a runbook with no gaps."""
    data: dict[str, Any] = yaml.safe_load(GOOD.read_text(encoding="utf-8"))
    data["backup_owner"]["can_pause"] = True
    return data


def with_(changes: dict[str, Any]) -> dict[str, Any]:
    """``clean()`` with dotted keys set; None deletes the key."""
    data = clean()
    for dotted, value in changes.items():
        *parents, last = dotted.split(".")
        node: Any = data
        for part in parents:
            node = node[part]
        if value is None:
            node.pop(last, None)
        else:
            node[last] = value
    return data


def lint(data: dict[str, Any]) -> list[Finding]:
    return lint_runbook(Runbook.model_validate(data))


# -- the examples ------------------------------------------------------------------------------


def test_a_runbook_with_no_gaps_has_no_findings() -> None:
    assert lint(clean()) == []


def test_the_good_example_has_no_critical_or_high_finding() -> None:
    findings = lint_runbook_file(GOOD)
    assert codes(findings) == GOOD_CODES
    assert all(f.severity.rank > Severity.HIGH.rank for f in findings)


def test_the_flawed_example_shows_every_gap_visible_in_it() -> None:
    findings = lint_runbook_file(FLAWED)
    assert codes(findings) == FLAWED_CODES
    severity = {f.code: f.severity for f in findings}
    assert {c for c, s in severity.items() if s is Severity.CRITICAL} == {
        "owner-is-team", "uncheckable-stop-rule", "no-snapshot", "no-clean-export",
        "restart-without-approver",
    }


@pytest.mark.parametrize(("name", "expected"), [
    ("invoice-reminder.runbook.yaml", GOOD_CODES),
    ("invoice-reminder.flawed.runbook.yaml", FLAWED_CODES),
])
def test_the_shared_examples_lint_the_same(name: str, expected: list[str]) -> None:
    assert codes(lint_runbook(load_runbook(SHARED_EXAMPLES / name))) == expected


def test_the_flawed_findings_read_as_one_line_each_and_point_at_lines() -> None:
    findings = {f.code: f for f in lint_runbook_file(FLAWED)}
    name = str(FLAWED)
    owner = findings["owner-is-team"]
    assert (owner.check, owner.where) == (Check.COMPLETENESS, f"{name}:3 (owner.name)")
    assert owner.message == (
        "the owner 'Finance team' is a team, not a person: nobody is named who can pause "
        "without a meeting"
    )
    assert owner.fix == "name one person as owner and give them 'can_pause: true'"
    rule = findings["uncheckable-stop-rule"]
    assert (rule.message, rule.fix, rule.where) == (
        "stop rule 'pause if something looks wrong' is not checkable",
        "write METRIC OP NUMBER [within DURATION], e.g. 'duplicate_messages >= 5'",
        f"{name}:5 (stop_rules.0)",
    )
    assert findings["pause-job-only"].where == f"{name}:6 (pause)"
    assert findings["scope-by-window-only"].where == f"{name}:9 (scope.by)"
    assert findings["repair-without-sample"].where == f"{name}:10 (repair.sample)"
    assert findings["restart-without-approver"].where == f"{name}:11 (restart.approver)"
    assert findings["no-snapshot"].where == f"{name} (snapshot)"
    for finding in findings.values():
        assert "\n" not in finding.message + finding.fix
        assert finding.check is LINT_CODES[finding.code].check


def test_where_is_the_key_path_and_adds_what_it_is_given() -> None:
    loaded = read_runbook(FLAWED)
    bare = lint_runbook(loaded.runbook)
    assert bare[0].where == "owner.name"
    named = lint_runbook(loaded.runbook, source="plan.yaml")
    assert named[0].where == "plan.yaml (owner.name)"
    placed = lint_runbook(loaded.runbook, positions=loaded.positions)
    assert placed[0].where == f"{FLAWED}:3 (owner.name)"
    renamed = lint_runbook(loaded.runbook, source="plan.yaml", positions=loaded.positions)
    assert renamed[0].where == "plan.yaml:3 (owner.name)"


def test_the_smallest_runbook_lints_to_every_missing_section() -> None:
    assert codes(lint({"automation": "x", "owner": {"name": "Dana Whitfield"}})) == [
        "owner-cannot-pause",
        "missing-backup-owner",
        "no-stop-rule",
        "no-first-safe-action",
        "no-pause-steps",
        "no-snapshot",
        "no-clean-export",
        "no-scope",
        "no-repair-plan",
        "no-verification",
        "no-comms",
        "no-restart-plan",
    ]


# -- every code, from one change to a runbook with no gaps ---------------------------------------

CASES: list[tuple[str, dict[str, Any], list[str], Severity]] = [
    ("owner-is-team", {"owner.name": "Finance team"}, ["owner-is-team"], Severity.HIGH),
    ("owner-cannot-pause", {"owner.can_pause": False}, ["owner-cannot-pause"], Severity.MEDIUM),
    ("missing-backup-owner", {"backup_owner": None}, ["missing-backup-owner"], Severity.HIGH),
    ("backup-owner-is-team", {"backup_owner.name": "Billing ops"}, ["backup-owner-is-team"],
     Severity.MEDIUM),
    ("backup-cannot-pause", {"backup_owner.can_pause": False}, ["backup-cannot-pause"],
     Severity.LOW),
    ("no-stop-rule", {"stop_rules": []}, ["no-stop-rule"], Severity.CRITICAL),
    ("uncheckable-stop-rule",
     {"stop_rules": ["duplicate_messages >= 5", "pause if something looks wrong"]},
     ["uncheckable-stop-rule"], Severity.HIGH),
    ("stop-rule-read", {"stop_rules": ["5 duplicate emails in a row"]},
     ["stop-rule-read"], Severity.INFO),
    ("stop-rule-fires-at-zero", {"stop_rules": ["duplicate_messages >= 5", "blank_writes < 5"]},
     ["stop-rule-fires-at-zero"], Severity.MEDIUM),
    ("stop-rule-exact-count", {"stop_rules": ["duplicate_messages == 5"]},
     ["stop-rule-exact-count"], Severity.LOW),
    ("no-fast-stop", {"stop_rules": ["changed_records >= 100 within 5m", "complaints >= 1"]},
     ["no-fast-stop"], Severity.MEDIUM),
    ("no-first-safe-action", {"first_safe_action": None}, ["no-first-safe-action"],
     Severity.HIGH),
    ("no-pause-steps", {"pause": []}, ["no-pause-steps"], Severity.HIGH),
    ("pause-job-only", {"pause": [{"pause_job": "invoice-reminder"}]}, ["pause-job-only"],
     Severity.HIGH),
    ("pause-not-at-source", {"pause": [{"stop_queue": "email.outbox"}]},
     ["pause-not-at-source"], Severity.MEDIUM),
    ("no-snapshot", {"snapshot": None, "repair.save_values": True}, ["no-snapshot"],
     Severity.HIGH),
    ("no-clean-export", {"last_clean_export": None}, ["no-clean-export"], Severity.HIGH),
    ("clean-export-too-old", {"last_clean_export": {"where": "x", "every": "7d"}},
     ["clean-export-too-old"], Severity.MEDIUM),
    ("no-scope", {"scope": None}, ["no-scope"], Severity.HIGH),
    ("scope-from-noticed", {"scope.by": ["noticed"]}, ["scope-from-noticed"], Severity.HIGH),
    ("scope-by-window-only", {"scope.by": ["window", "noticed"]}, ["scope-by-window-only"],
     Severity.MEDIUM),
    ("scope-misses-system", {"scope.systems": ["billing", "email"]}, ["scope-misses-system"],
     Severity.MEDIUM),
    ("no-repair-plan", {"repair": None}, ["no-repair-plan"], Severity.HIGH),
    ("repair-without-sample", {"repair.sample": None}, ["repair-without-sample"],
     Severity.MEDIUM),
    ("repair-without-stages", {"repair.stages": None}, ["repair-without-stages"],
     Severity.MEDIUM),
    ("repair-without-saved-values", {"snapshot": None, "repair.save_values": False},
     ["no-snapshot", "repair-without-saved-values"], Severity.HIGH),
    ("repair-overwrites-human-edits", {"repair.overwrite_human_edits": True},
     ["repair-overwrites-human-edits"], Severity.HIGH),
    ("no-verification", {"verify": None}, ["no-verification"], Severity.HIGH),
    ("no-comms", {"comms": None}, ["no-comms"], Severity.HIGH),
    ("no-customer-message", {"comms.customer_message": None}, ["no-customer-message"],
     Severity.MEDIUM),
    ("late-first-note", {"comms.first_note_within": "45m"}, ["late-first-note"],
     Severity.MEDIUM),
    ("no-update-interval", {"comms.next_update_every": None}, ["no-update-interval"],
     Severity.LOW),
    ("no-restart-plan", {"restart": None}, ["no-restart-plan"], Severity.CRITICAL),
    ("restart-without-approver", {"restart.approver": None}, ["restart-without-approver"],
     Severity.CRITICAL),
    ("restart-approver-is-team", {"restart.approver": {"name": "Finance team"}},
     ["restart-approver-is-team"], Severity.HIGH),
    ("restart-without-cause", {"restart.cause": None}, ["restart-without-cause"],
     Severity.HIGH),
    ("restart-without-test", {"restart.test": []}, ["restart-without-test"], Severity.HIGH),
    ("restart-without-ramp", {"restart.ramp": None}, ["restart-without-ramp"], Severity.MEDIUM),
    ("restart-without-watch", {"restart.watch": None}, ["restart-without-watch"],
     Severity.MEDIUM),
]


@pytest.mark.parametrize(("code", "changes", "expected", "severity"), CASES,
                         ids=[c[0] for c in CASES])
def test_each_code_comes_from_one_change(
    code: str, changes: dict[str, Any], expected: list[str], severity: Severity
) -> None:
    findings = lint(with_(changes))
    assert codes(findings) == expected
    finding = next(f for f in findings if f.code == code)
    assert finding.severity is severity
    assert finding.check is LINT_CODES[code].check
    assert finding.message
    assert finding.fix
    assert finding.where


def test_every_code_has_a_case_and_a_row_in_the_documented_table() -> None:
    assert {c[0] for c in CASES} == set(LINT_CODES)
    doc = lint_module.__doc__ or ""
    for code, entry in LINT_CODES.items():
        row = next((line for line in doc.splitlines() if line.startswith(code + " ")), None)
        assert row is not None, code
        assert entry.check.value in row, row
        assert row.rstrip().endswith(entry.rules), row
        assert row.split()[1] in (entry.severity.value, "critical"), row
        if entry.critical_when is not None:
            assert "critical if" in row, row
        assert re.fullmatch(r"[a-z][a-z0-9-]*", code)


# -- severities that escalate -------------------------------------------------------------------


@pytest.mark.parametrize(("changes", "code", "severity"), [
    # nobody named may pause: the owner's gap becomes critical
    ({"owner.name": "Finance team", "backup_owner.can_pause": False}, "owner-is-team",
     Severity.CRITICAL),
    ({"owner.name": "Finance team", "backup_owner": None}, "owner-is-team", Severity.CRITICAL),
    ({"owner.can_pause": False, "backup_owner.can_pause": False}, "owner-cannot-pause",
     Severity.CRITICAL),
    ({"owner.can_pause": False, "backup_owner.name": "Support team"}, "owner-cannot-pause",
     Severity.CRITICAL),
    # no rule at all is checkable
    ({"stop_rules": ["when it looks wrong", "if customers complain"]}, "uncheckable-stop-rule",
     Severity.CRITICAL),
    # nothing to restore from
    ({"snapshot": None, "last_clean_export": None}, "no-snapshot", Severity.CRITICAL),
    ({"snapshot": None, "last_clean_export": None}, "no-clean-export", Severity.CRITICAL),
])
def test_a_gap_is_critical_when_a_bad_run_could_not_be_stopped_or_undone(
    changes: dict[str, Any], code: str, severity: Severity
) -> None:
    found = [f for f in lint(with_(changes)) if f.code == code]
    assert found
    assert all(f.severity is severity for f in found)


def test_each_uncheckable_rule_is_its_own_finding() -> None:
    findings = lint(with_({"stop_rules": ["when it looks wrong", "duplicate_mesages >= 5"]}))
    assert [(f.code, f.where) for f in findings] == [
        ("uncheckable-stop-rule", "stop_rules.0"), ("uncheckable-stop-rule", "stop_rules.1")]
    assert findings[1].message == (
        "stop rule 'duplicate_mesages >= 5' names the unknown metric 'duplicate_mesages'")
    assert findings[1].fix == "did you mean 'duplicate_messages'?"


def test_the_backup_owner_being_the_owner_is_no_backup() -> None:
    findings = lint(with_({"backup_owner.name": " dana whitfield"}))
    assert [(f.code, f.message) for f in findings] == [
        ("missing-backup-owner", "the backup owner is the owner, Dana Whitfield")]


def test_a_clean_export_may_run_daily_but_not_be_allowed_to_age_past_a_day() -> None:
    daily = {"where": "x", "every": "24h"}
    assert lint(with_({"last_clean_export": daily})) == []
    late = lint(with_({"last_clean_export": {**daily, "max_age": "3d"}}))
    assert [(f.code, f.where, f.message) for f in late] == [(
        "clean-export-too-old", "last_clean_export.max_age",
        "the last clean export can be 3d old; every legitimate change since then must be "
        "rebuilt by hand",
    )]


def test_fast_stops_are_small_counts_of_metrics_that_move_at_once() -> None:
    def fast(*rules: str) -> bool:
        return "no-fast-stop" not in codes(lint(with_({"stop_rules": list(rules)})))

    assert fast("duplicate_messages >= 5")
    assert fast("blank_writes > 0")
    assert fast("misshapen_writes > 4")
    assert not fast("misshapen_writes > 5")
    assert not fast("duplicate_messages >= 6")
    assert not fast("complaints >= 1")
    assert not fast("records_per_minute > 1")
    assert fast("changed_records >= 500", "messages_without_review >= 1")


@pytest.mark.parametrize(("name", "reason"), [
    ("Finance team", "'Finance team' is a team, not a person"),
    ("Billing Ops", "'Billing Ops' is a team, not a person"),
    ("everyone", "'everyone' is a team, not a person"),
    ("The on-call rota", "'The on-call rota' is a team, not a person"),
    ("Finance", "'Finance' is a department, not a person"),
    ("IT", "'IT' is a department, not a person"),
    ("ap@acme.example", "'ap@acme.example' is a mailbox, list or channel, not a person"),
    ("#billing-alerts", "'#billing-alerts' is a mailbox, list or channel, not a person"),
    ("TBD", "'TBD' names nobody in particular"),
    ("???", "'???' names nobody in particular"),
    ("  Finance   team ", "'Finance team' is a team, not a person"),
    ("Dana Whitfield", None),
    ("Luis Ortega", None),
    ("Dev Patel", None),
    ("Al", None),
    ("Zoë Ng", None),
    ("Dana Whitfield (Finance Ops)", None),
    ("Finance team (Dana)", "'Finance team' is a team, not a person"),
    ("TBD (Finance Ops)", "'TBD' names nobody in particular"),
])
def test_a_person_is_told_from_a_team_by_the_name(name: str, reason: str | None) -> None:
    assert not_a_person(name) == reason


@pytest.mark.parametrize(("person", "expected"), [
    (None, False),
    (Person(name="Dana Whitfield", can_pause=True), True),
    (Person(name="Dana Whitfield"), False),
    (Person(name="Finance team", can_pause=True), False),
])
def test_can_pause_needs_one_named_person_allowed_to(
    person: Person | None, expected: bool
) -> None:
    assert can_pause(person) is expected


def test_the_lint_table_is_the_registry_s_lint_rows() -> None:
    from drills.findings import FINDINGS

    lint_rows = [code for code, spec in FINDINGS.items() if spec.kind == "lint"]
    assert list(LINT_CODES) == lint_rows
    for code, entry in LINT_CODES.items():
        spec = FINDINGS[code]
        assert (entry.severity, entry.check, entry.critical_when) == (
            spec.severity, spec.check, spec.critical_when)
        assert entry.rules == ", ".join(str(rule) for rule in spec.rules)
