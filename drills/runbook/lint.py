"""Runbook lint: the gaps a runbook shows on paper, before any drill is run.

A runbook that loads can still leave a bad run unstoppable (nobody who may pause, no
checkable stop rule) or unrecoverable (no snapshot and no clean export). The rules in
docs/rules.md say what a runbook must hold; :func:`lint_runbook` checks each one that needs no
scenario and returns :class:`~drills.reports.findings.Finding` objects, the same type a drill
report carries, so CI gates and readiness scores treat paper gaps and drill gaps
alike. Gaps that need a scenario to see (the warehouse copy the scope forgot) are the
drill's to find.

Codes are stable: CI rules and trend reports key on them, so a code never changes
meaning. Severity says what the gap risks:

- **critical**: a bad run could not be stopped or undone (blocks a launch);
- **high**: the team can act, but slowly or with a second mess likely;
- **medium**: the drill will cost more records or minutes than it needs to;
- **low**: worth writing down.

==============================  =============================================  ============  ====
code                            severity                                       check         rule
==============================  =============================================  ============  ====
owner-is-team                   critical if nobody named may pause, else high  completeness  1, 8
owner-cannot-pause              critical if nobody named may pause, else       containment   1
                                medium
missing-backup-owner            high                                           completeness  8
backup-owner-is-team            medium                                         completeness  8
backup-cannot-pause             low                                            containment   1
no-stop-rule                    critical                                       detection     1
uncheckable-stop-rule           critical if no rule is checkable, else high    detection     1
stop-rule-read                  info                                           detection     1
stop-rule-fires-at-zero         medium                                         detection     1
stop-rule-exact-count           low                                            detection     1
no-fast-stop                    medium                                         detection     1
no-first-safe-action            high                                           completeness  1, 8
no-pause-steps                  high                                           containment   2, 8
pause-job-only                  high                                           containment   2
pause-not-at-source             medium                                         containment   2
no-snapshot                     critical if no clean export either, else high  containment   3
no-clean-export                 critical if no snapshot either, else high      repair        8
clean-export-too-old            medium                                         repair        8
no-scope                        high                                           scoping       4
scope-from-noticed              high                                           scoping       4
scope-by-window-only            medium                                         scoping       4
scope-misses-system             medium                                         scoping       4
no-repair-plan                  high                                           repair        5
repair-without-sample           medium                                         repair        5
repair-without-stages           medium                                         repair        5
repair-without-saved-values     high                                           repair        5
repair-overwrites-human-edits   high                                           repair        5
no-verification                 high                                           verification  5
no-comms                        high                                           comms         6
no-customer-message             medium                                         comms         6
late-first-note                 medium                                         comms         6
no-update-interval              low                                            comms         6
no-restart-plan                 critical                                       restart       7, 8
restart-without-approver        critical (high if the owner approves their     restart       7, 8
                                own restart)
restart-approver-is-team        high                                           restart       7
restart-without-cause           high                                           restart       7
restart-without-test            high                                           restart       7
restart-without-ramp            medium                                         restart       7
restart-without-watch           medium                                         restart       7
==============================  =============================================  ============  ====

:data:`LINT_CODES` holds the same table for code. Each finding's ``where`` is the
runbook key path (``restart.approver``); given the loader's :class:`Positions` it is
``file:line (key.path)``, the line of the key or of the nearest section the file has.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from types import MappingProxyType
from typing import Any

from drills.files import KeyPath, format_duration, format_path
from drills.findings import FINDINGS, FindingSpec, finding
from drills.reports.findings import Check, Finding, Severity
from drills.runbook.defaults import first_note_within
from drills.runbook.loader import Positions, read_runbook
from drills.runbook.proof import cause_problem, same_person
from drills.runbook.rules import EXAMPLE_RULE, RATE_METRICS, StopRule
from drills.runbook.schema import Person, Runbook

__all__ = [
    "CLEAN_EXPORT_MAX_AGE",
    "FAST_STOP_COUNT",
    "LATE_FIRST_NOTE",
    "LINT_CODES",
    "LintCode",
    "can_pause",
    "lint_runbook",
    "lint_runbook_file",
    "not_a_person",
]

FAST_STOP_COUNT = 5
"""A stop rule is fast when it trips by the 5th bad event ("5 duplicate records")."""

CLEAN_EXPORT_MAX_AGE = timedelta(hours=24)
"""A clean export older than a day leaves a day of legitimate changes to rebuild by hand."""

LATE_FIRST_NOTE = timedelta(minutes=30)
"""Past half an hour of silence, people start untracked fixes of their own (rule 6)."""

_SLOW_METRICS = RATE_METRICS | {"complaints"}
"""Metrics that only move once damage is widespread or visible to customers."""


@dataclass(frozen=True)
class LintCode:
    """One row of the lint table: what a code means and how bad it usually is."""

    code: str
    severity: Severity
    check: Check
    rules: str
    summary: str
    critical_when: str | None = None


_SUMMARY_FIELDS = {
    "count": FAST_STOP_COUNT,
    "max_age": format_duration(CLEAN_EXPORT_MAX_AGE),
    "late": format_duration(LATE_FIRST_NOTE),
}
"""The lint's thresholds, as the registry's summaries name them."""


def _lint_code(spec: FindingSpec) -> LintCode:
    assert spec.check is not None, spec.code
    return LintCode(spec.code, spec.severity, spec.check, ", ".join(map(str, spec.rules)),
                    spec.summary.format(**_SUMMARY_FIELDS), spec.critical_when)


LINT_CODES: Mapping[str, LintCode] = MappingProxyType({
    code: _lint_code(spec) for code, spec in FINDINGS.items() if spec.kind == "lint"
})
"""Code -> its meaning, usual severity and rubric check: the lint rows of
:data:`drills.findings.FINDINGS`, the table above, for code."""


# -- who is a person -------------------------------------------------------------------

_GROUP_WORDS = frozenset({
    "team", "teams", "department", "dept", "group", "everyone", "everybody", "all", "staff",
    "crew", "squad", "committee", "board", "office", "desk", "unit", "division", "ops",
    "oncall", "on-call", "rota", "rotation", "roster", "list", "channel", "mailbox",
    "inbox", "distribution", "admins", "managers", "owners", "people",
})
_NOBODY_WORDS = frozenset({
    "tbd", "tba", "tbc", "n/a", "na", "none", "nobody", "unknown", "someone", "anyone",
    "whoever", "somebody", "anybody",
})
_DEPARTMENTS = frozenset({
    "finance", "billing", "accounting", "accounts", "sales", "marketing", "support", "it",
    "hr", "legal", "engineering", "devops", "management", "customer success", "product",
    "security", "compliance", "payroll", "procurement", "helpdesk", "service desk",
    "back office", "backoffice", "admin", "operations", "ops",
})


def not_a_person(name: str) -> str | None:
    """Why ``name`` does not look like one person who can be reached, or None if it does.

    Heuristics on the name alone: group words ("Finance team", "everyone", "Billing
    ops"), a bare department ("Finance"), a mailbox or channel ("ap@acme.com",
    "#billing"), a placeholder ("TBD"). A person's address goes in ``contact``. A team
    in brackets after a person's name ("Dana Whitfield (Finance Ops)") says where the
    person sits: the name before it decides.
    """
    text = " ".join(name.split())
    named = re.sub(r"\s*\([^()]*\)$", "", text)
    if named and named != text:
        return not_a_person(named)
    lowered = text.lower()
    if "@" in text or text.startswith("#"):
        return f"'{text}' is a mailbox, list or channel, not a person"
    words = re.findall(r"[a-z]+(?:[-/][a-z]+)*", lowered)
    if not words or any(w in _NOBODY_WORDS for w in words):
        return f"'{text}' names nobody in particular"
    if any(w in _GROUP_WORDS for w in words):
        return f"'{text}' is a team, not a person"
    if lowered in _DEPARTMENTS:
        return f"'{text}' is a department, not a person"
    return None


def can_pause(person: Person | None) -> bool:
    """Whether ``person`` is one named person who may pause without asking (rule 1).

    ``can_pause: true`` on a team does not count: a team cannot be paged at 3 a.m.
    The engine uses this to decide whether the pause waits for an escalation.
    """
    return person is not None and person.can_pause and not_a_person(person.name) is None


# -- the checks ------------------------------------------------------------------------


class _Linter:
    def __init__(self, runbook: Runbook, source: str | None, positions: Positions | None) -> None:
        self.rb = runbook
        self.source = source if source is not None else (
            positions.file if positions is not None else None)
        self.positions = positions
        self.findings: list[Finding] = []

    def where(self, path: KeyPath) -> str:
        dotted = format_path(path)
        line = self.positions.line_of(path) if self.positions is not None else None
        if self.source is None:
            return dotted
        if line is None:
            return f"{self.source} ({dotted})"
        return f"{self.source}:{line} ({dotted})"

    def add(self, code: str, path: KeyPath, severity: Severity | None = None,
            variant: str | None = None, **fields: Any) -> None:
        """The finding ``code`` (worded by the registry) at ``path``."""
        self.findings.append(finding(code, where=self.where(path), severity=severity,
                                     variant=variant, **fields))

    def run(self) -> list[Finding]:
        self.people()
        self.stop_rules()
        self.pause()
        self.restore_points()
        self.scope()
        self.repair()
        self.verify()
        self.comms()
        self.restart()
        return self.findings

    # rule 1 and 8: a person who may pause, and a backup
    def people(self) -> None:
        rb = self.rb
        owner, backup = rb.owner, rb.backup_owner
        nobody = not (can_pause(owner) or can_pause(backup))
        worst = Severity.CRITICAL if nobody else None
        why = not_a_person(owner.name)
        if why is not None:
            self.add("owner-is-team", ("owner", "name"), worst or Severity.HIGH, why=why)
        elif not owner.can_pause:
            self.add("owner-cannot-pause", ("owner", "can_pause"), worst or Severity.MEDIUM,
                     owner=owner.name, automation=rb.automation)
        if backup is None:
            self.add("missing-backup-owner", ("backup_owner",), automation=rb.automation)
        elif backup.name.strip().lower() == owner.name.strip().lower():
            self.add("missing-backup-owner", ("backup_owner", "name"), variant="backup_is_owner",
                     owner=owner.name)
        elif (why := not_a_person(backup.name)) is not None:
            self.add("backup-owner-is-team", ("backup_owner", "name"), why=why)
        elif not backup.can_pause:
            self.add("backup-cannot-pause", ("backup_owner", "can_pause"), backup=backup.name,
                     owner=owner.name)

    # rule 1: concrete, checkable, fast stop rules
    def stop_rules(self) -> None:
        rules = self.rb.stop_rules
        if not rules:
            self.add("no-stop-rule", ("stop_rules",), example=EXAMPLE_RULE)
            return
        checkable = [r for r in rules if r.parsed]
        for i, rule in enumerate(rules):
            path: KeyPath = ("stop_rules", i)
            if not rule.parsed:
                self.add("uncheckable-stop-rule", path,
                         Severity.HIGH if checkable else Severity.CRITICAL,
                         problem=str(rule.problem), fix=str(rule.fix))
            elif rule.reading is not None:
                self.add("stop-rule-read", path, text=rule.text, reading=rule.reading)
            if rule.parsed and rule.fires(0):
                self.add("stop-rule-fires-at-zero", path, rule=rule.text, metric=rule.metric)
            elif rule.op == "==" and rule.threshold is not None:
                exactly = int(rule.threshold) if rule.threshold.is_integer() else rule.threshold
                self.add("stop-rule-exact-count", path, rule=rule.text, exactly=exactly,
                         rewritten=rule.canonical.replace("==", ">=", 1))
        if checkable and not any(_is_fast(r) for r in checkable):
            shown = ", ".join(r.shown for r in checkable)
            self.add("no-fast-stop", ("stop_rules",), count=FAST_STOP_COUNT, shown=shown)

    # rule 1, 2 and 8: how to pause, at the source and everything feeding it
    def pause(self) -> None:
        rb = self.rb
        if rb.first_safe_action is None:
            self.add("no-first-safe-action", ("first_safe_action",))
        if not rb.pause:
            self.add("no-pause-steps", ("pause",), automation=rb.automation)
            return
        kinds = {step.kind for step in rb.pause}
        held = rb.deliveries is not None and bool(rb.deliveries.hold)  # held feeders are off
        if kinds == {"pause_job"} and not held:
            self.add("pause-job-only", ("pause",))
        elif not kinds & {"pause_job", "call"}:
            self.add("pause-not-at-source", ("pause",), automation=rb.automation)

    # rule 3 and 8: a snapshot before hand edits, and a clean export to restore from
    def restore_points(self) -> None:
        rb = self.rb
        neither = rb.snapshot is None and rb.last_clean_export is None
        worst = Severity.CRITICAL if neither else None
        variant = "neither" if neither else None
        if rb.snapshot is None:
            self.add("no-snapshot", ("snapshot",), worst, variant)
        clean = rb.last_clean_export
        if clean is None:
            self.add("no-clean-export", ("last_clean_export",), worst, variant)
        else:
            age = max(clean.every, clean.max_age or clean.every)
            if age > CLEAN_EXPORT_MAX_AGE:
                key = "max_age" if clean.max_age is not None and clean.max_age >= clean.every \
                    else "every"
                self.add("clean-export-too-old", ("last_clean_export", key),
                         age=format_duration(age))

    # rule 4: scope from the run, in every system
    def scope(self) -> None:
        rb = self.rb
        scope = rb.scope
        if scope is None:
            self.add("no-scope", ("scope",))
            return
        methods = set(scope.by) - {"noticed"}
        if not methods:
            self.add("scope-from-noticed", ("scope", "by"))
        elif methods == {"window"}:
            self.add("scope-by-window-only", ("scope", "by"))
        named: list[str] = []
        if rb.snapshot is not None:
            named += rb.snapshot.export
        if rb.verify is not None:
            named += rb.verify.reconcile
        missing = [s for s in dict.fromkeys(named) if s not in scope.systems]
        if missing:
            self.add("scope-misses-system", ("scope", "systems"), systems=", ".join(missing))

    # rule 5: sample, stages, saved values, people's edits
    def repair(self) -> None:
        rb = self.rb
        repair = rb.repair
        if repair is None:
            self.add("no-repair-plan", ("repair",))
            return
        if repair.sample is None:
            self.add("repair-without-sample", ("repair", "sample"),
                     strategy=repair.strategy.replace("_", " "))
        if repair.stages is None or len(repair.stages) < 2:
            self.add("repair-without-stages", ("repair", "stages"))
        if rb.snapshot is None and repair.save_values is not True:
            self.add("repair-without-saved-values", ("repair", "save_values"))
        if repair.overwrite_human_edits:
            self.add("repair-overwrites-human-edits", ("repair", "overwrite_human_edits"))

    # rule 5: reconcile counts
    def verify(self) -> None:
        if self.rb.verify is None:
            self.add("no-verification", ("verify",))

    # rule 6: communicate early
    def comms(self) -> None:
        comms = self.rb.comms
        if comms is None:
            self.add("no-comms", ("comms",))
            return
        if comms.customer_message is None:
            self.add("no-customer-message", ("comms", "customer_message"))
        first = first_note_within(comms)
        if first > LATE_FIRST_NOTE:
            self.add("late-first-note", ("comms", "first_note_within"),
                     first=format_duration(first), late=format_duration(LATE_FIRST_NOTE))
        if comms.next_update_every is None:
            self.add("no-update-interval", ("comms", "next_update_every"))

    # rule 7: restart only with proof
    def restart(self) -> None:
        restart = self.rb.restart
        if restart is None:
            self.add("no-restart-plan", ("restart",))
            return
        if restart.approver is None:
            self.add("restart-without-approver", ("restart", "approver"))
        elif (why := not_a_person(restart.approver.name)) is not None:
            self.add("restart-approver-is-team", ("restart", "approver", "name"), why=why)
        elif same_person(restart.approver.name, self.rb.owner.name):
            # The owner is who restarts the job: approving their own restart is no check.
            self.add("restart-without-approver", ("restart", "approver", "name"),
                     Severity.HIGH, variant="restarter_approves",
                     approver=restart.approver.name)
        if restart.cause is None:
            self.add("restart-without-cause", ("restart", "cause"))
        elif (why := cause_problem(restart.cause)) is not None:
            self.add("restart-without-cause", ("restart", "cause"), variant="not_a_cause",
                     why=why)
        if not restart.test:
            self.add("restart-without-test", ("restart", "test"))
        if not [step for step in restart.ramp if step != "normal"]:
            self.add("restart-without-ramp", ("restart", "ramp"))
        if restart.watch is None:
            self.add("restart-without-watch", ("restart", "watch"))


def _is_fast(rule: StopRule) -> bool:
    """Trips by the :data:`FAST_STOP_COUNT`-th bad event of a metric that moves at once."""
    if rule.metric is None or rule.metric in _SLOW_METRICS or rule.threshold is None:
        return False
    if rule.op in (">=", "=="):
        return rule.threshold <= FAST_STOP_COUNT
    if rule.op == ">":
        return rule.threshold < FAST_STOP_COUNT
    return False


def lint_runbook(
    runbook: Runbook, *, source: str | None = None, positions: Positions | None = None
) -> list[Finding]:
    """Every gap a runbook shows without a scenario, in the order of the runbook's sections.

    ``source`` names the file in each finding's ``where``; ``positions`` (from
    :func:`~drills.runbook.loader.read_runbook`) adds the line.
    """
    return _Linter(runbook, source, positions).run()


def lint_runbook_file(path: str | Path) -> list[Finding]:
    """Load a runbook and lint it, findings pointing at lines; a bad file raises FileError."""
    loaded = read_runbook(path)
    return lint_runbook(loaded.runbook, source=loaded.file, positions=loaded.positions)
