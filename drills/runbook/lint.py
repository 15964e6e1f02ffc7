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
restart-without-approver        critical                                       restart       7, 8
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

from drills.files import KeyPath, format_duration, format_path
from drills.reports.findings import Check, Finding, Severity
from drills.runbook.defaults import first_note_within
from drills.runbook.loader import Positions, read_runbook
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


_C, _H, _M, _L = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW

LINT_CODES: Mapping[str, LintCode] = MappingProxyType({c.code: c for c in (
    LintCode("owner-is-team", _H, Check.COMPLETENESS, "1, 8",
             "the owner is a team or list, not one person who can pause",
             "nobody named may pause"),
    LintCode("owner-cannot-pause", _M, Check.CONTAINMENT, "1",
             "the owner may not pause without asking", "nobody named may pause"),
    LintCode("missing-backup-owner", _H, Check.COMPLETENESS, "8", "no backup owner"),
    LintCode("backup-owner-is-team", _M, Check.COMPLETENESS, "8",
             "the backup owner is a team or list, not a person"),
    LintCode("backup-cannot-pause", _L, Check.CONTAINMENT, "1",
             "the backup owner may not pause without asking"),
    LintCode("no-stop-rule", _C, Check.DETECTION, "1", "no stop rule"),
    LintCode("uncheckable-stop-rule", _H, Check.DETECTION, "1",
             "a stop rule that cannot be checked", "no rule is checkable"),
    LintCode("stop-rule-fires-at-zero", _M, Check.DETECTION, "1",
             "a stop rule that holds before anything goes wrong"),
    LintCode("stop-rule-exact-count", _L, Check.DETECTION, "1",
             "a stop rule with '==' that counts can jump past"),
    LintCode("no-fast-stop", _M, Check.DETECTION, "1",
             f"no stop rule trips within the first {FAST_STOP_COUNT} bad events"),
    LintCode("no-first-safe-action", _H, Check.COMPLETENESS, "1, 8", "no first safe action"),
    LintCode("no-pause-steps", _H, Check.CONTAINMENT, "2, 8", "no steps to pause"),
    LintCode("pause-job-only", _H, Check.CONTAINMENT, "2",
             "pauses the job but nothing that feeds it"),
    LintCode("pause-not-at-source", _M, Check.CONTAINMENT, "2",
             "stops feeders or queues but never the job itself"),
    LintCode("no-snapshot", _H, Check.CONTAINMENT, "3", "no snapshot before hand edits",
             "no clean export either"),
    LintCode("no-clean-export", _H, Check.REPAIR, "8",
             "nobody wrote down where the last clean export lives", "no snapshot either"),
    LintCode("clean-export-too-old", _M, Check.REPAIR, "8",
             f"the last clean export can be older than {format_duration(CLEAN_EXPORT_MAX_AGE)}"),
    LintCode("no-scope", _H, Check.SCOPING, "4", "no way to find the damaged records"),
    LintCode("scope-from-noticed", _H, Check.SCOPING, "4",
             "scopes from the records people noticed"),
    LintCode("scope-by-window-only", _M, Check.SCOPING, "4",
             "scopes by time window only, not by the run"),
    LintCode("scope-misses-system", _M, Check.SCOPING, "4",
             "a system the runbook exports or reconciles is not scoped"),
    LintCode("no-repair-plan", _H, Check.REPAIR, "5", "no repair plan"),
    LintCode("repair-without-sample", _M, Check.REPAIR, "5", "no test sample before the repair"),
    LintCode("repair-without-stages", _M, Check.REPAIR, "5", "repairs everything at once"),
    LintCode("repair-without-saved-values", _H, Check.REPAIR, "5",
             "the damaged values are not saved first"),
    LintCode("repair-overwrites-human-edits", _H, Check.REPAIR, "5",
             "overwrites people's edits without review"),
    LintCode("no-verification", _H, Check.VERIFICATION, "5", "no reconciliation across systems"),
    LintCode("no-comms", _H, Check.COMMS, "6", "no communication plan"),
    LintCode("no-customer-message", _M, Check.COMMS, "6", "no customer message prepared"),
    LintCode("late-first-note", _M, Check.COMMS, "6",
             f"the first note comes after {format_duration(LATE_FIRST_NOTE)}"),
    LintCode("no-update-interval", _L, Check.COMMS, "6",
             "no promise of when the next update comes"),
    LintCode("no-restart-plan", _C, Check.RESTART, "7, 8", "no restart plan"),
    LintCode("restart-without-approver", _C, Check.RESTART, "7, 8", "nobody approves a restart"),
    LintCode("restart-approver-is-team", _H, Check.RESTART, "7",
             "the restart approver is a team, not a person"),
    LintCode("restart-without-cause", _H, Check.RESTART, "7", "no cause required before restart"),
    LintCode("restart-without-test", _H, Check.RESTART, "7", "no test record before restart"),
    LintCode("restart-without-ramp", _M, Check.RESTART, "7", "restarts straight at full volume"),
    LintCode("restart-without-watch", _M, Check.RESTART, "7",
             "nobody watches the restart, ready to pause"),
)})
"""Code -> its meaning, usual severity and rubric check; the table above, for code."""


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
    "#billing"), a placeholder ("TBD"). A person's address goes in ``contact``.
    """
    text = " ".join(name.split())
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

    def add(self, code: str, path: KeyPath, message: str, fix: str,
            severity: Severity | None = None) -> None:
        entry = LINT_CODES[code]
        self.findings.append(Finding(
            code=code,
            severity=severity or entry.severity,
            check=entry.check,
            message=message,
            fix=fix,
            where=self.where(path),
        ))

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
            self.add("owner-is-team", ("owner", "name"),
                     f"the owner {why}: nobody is named who can pause without a meeting",
                     "name one person as owner and give them 'can_pause: true'",
                     worst or Severity.HIGH)
        elif not owner.can_pause:
            self.add("owner-cannot-pause", ("owner", "can_pause"),
                     f"the owner {owner.name} may not pause {rb.automation} without asking "
                     "someone first",
                     "let the owner pause alone: 'can_pause: true'",
                     worst or Severity.MEDIUM)
        if backup is None:
            self.add("missing-backup-owner", ("backup_owner",),
                     f"no backup owner: when the owner is away, nobody owns {rb.automation}",
                     "add 'backup_owner: {name: ..., can_pause: true}'")
        elif backup.name.strip().lower() == owner.name.strip().lower():
            self.add("missing-backup-owner", ("backup_owner", "name"),
                     f"the backup owner is the owner, {owner.name}",
                     "name a second person as backup owner")
        elif (why := not_a_person(backup.name)) is not None:
            self.add("backup-owner-is-team", ("backup_owner", "name"),
                     f"the backup owner {why}", "name one person as backup owner")
        elif not backup.can_pause:
            self.add("backup-cannot-pause", ("backup_owner", "can_pause"),
                     f"the backup owner {backup.name} may not pause alone: when "
                     f"{owner.name} is away, pausing waits for someone who may",
                     "give the backup owner 'can_pause: true'")

    # rule 1: concrete, checkable, fast stop rules
    def stop_rules(self) -> None:
        rules = self.rb.stop_rules
        if not rules:
            self.add("no-stop-rule", ("stop_rules",),
                     "no stop rule: nothing says when to pause, so a bad run goes on until "
                     "someone feels uneasy",
                     f"add a checkable rule under stop_rules, e.g. '{EXAMPLE_RULE}'")
            return
        checkable = [r for r in rules if r.parsed]
        for i, rule in enumerate(rules):
            path: KeyPath = ("stop_rules", i)
            if not rule.parsed:
                self.add("uncheckable-stop-rule", path, str(rule.problem), str(rule.fix),
                         Severity.HIGH if checkable else Severity.CRITICAL)
            elif rule.fires(0):
                self.add("stop-rule-fires-at-zero", path,
                         f"stop rule '{rule.text}' already holds before anything goes wrong, "
                         "so it would pause every run",
                         f"trip on a count of damage instead, e.g. '{rule.metric} >= 5'")
            elif rule.op == "==" and rule.threshold is not None:
                exactly = int(rule.threshold) if rule.threshold.is_integer() else rule.threshold
                self.add("stop-rule-exact-count", path,
                         f"stop rule '{rule.text}' trips only at exactly {exactly}; a count "
                         "read between checks can jump past it",
                         f"write '>=': '{rule.canonical.replace('==', '>=', 1)}'")
        if checkable and not any(_is_fast(r) for r in checkable):
            shown = ", ".join(f"'{r.text}'" for r in checkable)
            self.add("no-fast-stop", ("stop_rules",),
                     f"no stop rule trips within the first {FAST_STOP_COUNT} bad events "
                     f"({shown})",
                     "add a rule on the first few, e.g. 'duplicate_messages >= 5' or "
                     "'messages_without_review >= 1'; jobs that touch money or messages "
                     "get the fastest stop")

    # rule 1, 2 and 8: how to pause, at the source and everything feeding it
    def pause(self) -> None:
        rb = self.rb
        if rb.first_safe_action is None:
            self.add("no-first-safe-action", ("first_safe_action",),
                     "no first safe action: the person on duty must work out what to do "
                     "first while the damage spreads",
                     "add 'first_safe_action:' with the one thing to do first, e.g. pause "
                     "the job and stop its outgoing queue")
        if not rb.pause:
            self.add("no-pause-steps", ("pause",),
                     f"no pause steps: nobody wrote down how to pause {rb.automation}",
                     "list the steps under 'pause:', e.g. '- {pause_job: "
                     f"{rb.automation}}}' and '- {{stop_queue: ...}}'")
            return
        kinds = {step.kind for step in rb.pause}
        if kinds == {"pause_job"}:
            self.add("pause-job-only", ("pause",),
                     "the pause stops the job only; its schedules, webhooks, chained jobs and "
                     "outgoing queues keep feeding it",
                     "add 'disable_feeder:' and 'stop_queue:' steps for everything that "
                     "feeds the job")
        elif not kinds & {"pause_job", "call"}:
            self.add("pause-not-at-source", ("pause",),
                     f"the pause shuts off feeders and queues but never {rb.automation} "
                     "itself, so it keeps working through what it already has",
                     f"start with '- {{pause_job: {rb.automation}}}'")

    # rule 3 and 8: a snapshot before hand edits, and a clean export to restore from
    def restore_points(self) -> None:
        rb = self.rb
        neither = rb.snapshot is None and rb.last_clean_export is None
        if rb.snapshot is None:
            self.add("no-snapshot", ("snapshot",),
                     "no snapshot of the affected records before people start fixing by hand"
                     + ("; with no clean export either, nothing can be restored" if neither
                        else ""),
                     "add 'snapshot: {export: [systems], to: path}'",
                     Severity.CRITICAL if neither else None)
        clean = rb.last_clean_export
        if clean is None:
            self.add("no-clean-export", ("last_clean_export",),
                     "nobody wrote down where the last clean export lives"
                     + ("; with no snapshot either, nothing can be restored" if neither
                        else ""),
                     "add 'last_clean_export: {where: ..., every: 24h}'",
                     Severity.CRITICAL if neither else None)
        else:
            age = max(clean.every, clean.max_age or clean.every)
            if age > CLEAN_EXPORT_MAX_AGE:
                key = "max_age" if clean.max_age is not None and clean.max_age >= clean.every \
                    else "every"
                self.add("clean-export-too-old", ("last_clean_export", key),
                         f"the last clean export can be {format_duration(age)} old; every "
                         "legitimate change since then must be rebuilt by hand",
                         "export at least daily ('every: 24h')")

    # rule 4: scope from the run, in every system
    def scope(self) -> None:
        rb = self.rb
        scope = rb.scope
        if scope is None:
            self.add("no-scope", ("scope",),
                     "no scope method: the team will fix the records people noticed and "
                     "miss the rest",
                     "add 'scope: {by: [run_id], systems: [...]}'")
            return
        methods = set(scope.by) - {"noticed"}
        if not methods:
            self.add("scope-from-noticed", ("scope", "by"),
                     "the scope is the records people happened to notice; the rest of the "
                     "run's damage stays wrong",
                     "scope from the run: 'by: [run_id]' (or batch, filter)")
        elif methods == {"window"}:
            self.add("scope-by-window-only", ("scope", "by"),
                     "the scope is a time window only: it takes in what people and other "
                     "jobs changed in that window, and misses what the run changed outside it",
                     "scope by the run itself: add run_id (or batch, filter) to 'by'")
        named: list[str] = []
        if rb.snapshot is not None:
            named += rb.snapshot.export
        if rb.verify is not None:
            named += rb.verify.reconcile
        missing = [s for s in dict.fromkeys(named) if s not in scope.systems]
        if missing:
            self.add("scope-misses-system", ("scope", "systems"),
                     f"the runbook exports or reconciles {', '.join(missing)} but never "
                     "scopes the damage there",
                     f"add {', '.join(missing)} to scope.systems")

    # rule 5: sample, stages, saved values, people's edits
    def repair(self) -> None:
        rb = self.rb
        repair = rb.repair
        if repair is None:
            self.add("no-repair-plan", ("repair",),
                     "no repair plan: the fix will be improvised under pressure",
                     "add 'repair: {strategy: bulk_revert, sample: 20, stages: [10%, 50%, "
                     "100%]}'")
            return
        if repair.sample is None:
            self.add("repair-without-sample", ("repair", "sample"),
                     f"the {repair.strategy.replace('_', ' ')} repair is not tried on a sample "
                     "first",
                     "add 'sample: 20' (10-20 records)")
        if repair.stages is None or len(repair.stages) < 2:
            self.add("repair-without-stages", ("repair", "stages"),
                     "the repair runs on every record at once; a mistake in it becomes a "
                     "second mess",
                     "add 'stages: [10%, 50%, 100%]'")
        if rb.snapshot is None and repair.save_values is not True:
            self.add("repair-without-saved-values", ("repair", "save_values"),
                     "the damaged values are not saved before the repair overwrites them, "
                     "and there is no snapshot",
                     "add 'save_values: true', or a snapshot section")
        if repair.overwrite_human_edits:
            self.add("repair-overwrites-human-edits", ("repair", "overwrite_human_edits"),
                     "the repair overwrites what people changed during the window without "
                     "review",
                     "set 'overwrite_human_edits: false' and review those records")

    # rule 5: reconcile counts
    def verify(self) -> None:
        if self.rb.verify is None:
            self.add("no-verification", ("verify",),
                     "nothing checks that counts match across systems after the repair",
                     "add 'verify: {reconcile: [systems]}'")

    # rule 6: communicate early
    def comms(self) -> None:
        comms = self.rb.comms
        if comms is None:
            self.add("no-comms", ("comms",),
                     "no communication plan: silence breeds untracked manual fixes",
                     "add 'comms: {first_note_within: 15m, next_update_every: 1h, "
                     "customer_message: ...}'")
            return
        if comms.customer_message is None:
            self.add("no-customer-message", ("comms", "customer_message"),
                     "no customer message is prepared; it will be written under pressure",
                     "add 'customer_message:' saying what happened and what to do")
        first = first_note_within(comms)
        if first > LATE_FIRST_NOTE:
            self.add("late-first-note", ("comms", "first_note_within"),
                     f"the first note comes {format_duration(first)} after the pause; long "
                     "before that people start fixing things on their own",
                     f"send it within {format_duration(LATE_FIRST_NOTE)}")
        if comms.next_update_every is None:
            self.add("no-update-interval", ("comms", "next_update_every"),
                     "the runbook does not say when the next update comes",
                     "add 'next_update_every: 1h'")

    # rule 7: restart only with proof
    def restart(self) -> None:
        restart = self.rb.restart
        if restart is None:
            self.add("no-restart-plan", ("restart",),
                     "no restart plan: nobody approves a restart and nothing proves it safe",
                     "add 'restart: {approver: {name: ...}, cause: ..., test: [...], "
                     "ramp: [1, 10, normal], watch: 30m}'")
            return
        if restart.approver is None:
            self.add("restart-without-approver", ("restart", "approver"),
                     "nobody approves a restart, so the job may come back before the cause "
                     "is fixed",
                     "add 'approver: {name: ...}' under restart")
        elif (why := not_a_person(restart.approver.name)) is not None:
            self.add("restart-approver-is-team", ("restart", "approver", "name"),
                     f"the restart approver {why}", "name one person as approver")
        if restart.cause is None:
            self.add("restart-without-cause", ("restart", "cause"),
                     "a restart does not need the cause written down first",
                     "add 'cause:', the exact cause in one sentence")
        if not restart.test:
            self.add("restart-without-test", ("restart", "test"),
                     "no low-risk test record before the restart",
                     "add 'test: [one low-risk real record]'")
        if not [step for step in restart.ramp if step != "normal"]:
            self.add("restart-without-ramp", ("restart", "ramp"),
                     "the restart goes straight to normal volume",
                     "add 'ramp: [1, 10, normal]'")
        if restart.watch is None:
            self.add("restart-without-watch", ("restart", "watch"),
                     "nobody who can pause is on watch after the restart",
                     "add 'watch: 30m'")


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
