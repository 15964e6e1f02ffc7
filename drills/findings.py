"""The finding registry: every code the lint, the drill and the review can report, in one table.

A finding code is a promise: CI rules, trend reports and readiness reviews key on it,
so its meaning, severity, rubric check and wording live in one row here, not as string
literals in the module that happens to raise it. The runbook lint, the drill's judge,
the gap-cost reruns, ``drills check``, the review and ``docs/scoring.md`` all read this
table; a test fails when a code is used but not registered, or registered but not
documented.

Each :class:`FindingSpec` row holds the code, its usual severity, the check it counts
against, the runbook path that closes it (``closes``: ``backup_owner``,
``pause[feeder]``, ``scope.systems``), message and fix templates (``str.format`` with
named fields; doubled braces are literal) and the rules of docs/rules.md it checks.
A code whose wording differs by case (the backup owner is missing, or is the owner)
has named ``variants``. :func:`finding` builds a :class:`~drills.reports.findings.Finding`
from a row; the wording comes out byte for byte as reports have always carried it.

This module is a leaf: it imports the stdlib and the report's finding types only, so
both the runbook lint and the judging read it without importing each other.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

from drills.reports.findings import Check, Finding, Severity

__all__ = [
    "DOC_END",
    "DOC_START",
    "FINDINGS",
    "FindingSpec",
    "Kind",
    "closes",
    "finding",
    "markdown_table",
    "message",
    "registered",
    "section",
]

Kind = Literal["lint", "drill", "review"]
"""Who reports a code: the runbook lint (on paper), the drill (in the drill world), or
the readiness review (a drill's age, an automation with no runbook)."""


@dataclass(frozen=True)
class FindingSpec:
    """One registered finding code: what it means, how bad it is, how to close it."""

    code: str
    kind: Kind
    severity: Severity
    """The usual severity; the lint raises some to critical (see ``critical_when``)."""
    check: Check | None
    """The rubric check it counts against; None for a review's age codes, which cost
    every check a share."""
    rules: tuple[int, ...]
    """The numbered rules of docs/rules.md the code checks."""
    summary: str
    """One line on what the gap is, for tables (``{count}`` style fields allowed)."""
    message: str
    fix: str
    closes: str | None = None
    """The runbook path whose piece of a complete runbook closes the gap."""
    critical_when: str | None = None
    """When the lint reports it as critical instead of its usual severity."""
    variants: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    """Other (message, fix) templates by name, for cases worded differently."""

    def texts(self, variant: str | None = None) -> tuple[str, str]:
        """The (message, fix) templates of the row or of one of its variants."""
        if variant is None:
            return self.message, self.fix
        return self.variants[variant]


_C, _H, _M, _L, _I = (Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW,
                      Severity.INFO)
_COMP, _DET, _CONT, _SCOPE = Check.COMPLETENESS, Check.DETECTION, Check.CONTAINMENT, Check.SCOPING
_REP, _VER, _COMMS, _RST = Check.REPAIR, Check.VERIFICATION, Check.COMMS, Check.RESTART

_NOBODY_PAUSES = "nobody named may pause"

_LINT: tuple[FindingSpec, ...] = (
    FindingSpec(
        "owner-is-team", "lint", _H, _COMP, (1, 8),
        "the owner is a team or list, not one person who can pause",
        "the owner {why}: nobody is named who can pause without a meeting",
        "name one person as owner and give them 'can_pause: true'",
        closes="owner", critical_when=_NOBODY_PAUSES),
    FindingSpec(
        "owner-cannot-pause", "lint", _M, _CONT, (1,),
        "the owner may not pause without asking",
        "the owner {owner} may not pause {automation} without asking someone first",
        "let the owner pause alone: 'can_pause: true'",
        closes="owner", critical_when=_NOBODY_PAUSES),
    FindingSpec(
        "missing-backup-owner", "lint", _H, _COMP, (8,), "no backup owner",
        "no backup owner: when the owner is away, nobody owns {automation}",
        "add 'backup_owner: {{name: ..., can_pause: true}}'",
        closes="backup_owner",
        variants={"backup_is_owner": ("the backup owner is the owner, {owner}",
                               "name a second person as backup owner")}),
    FindingSpec(
        "backup-owner-is-team", "lint", _M, _COMP, (8,),
        "the backup owner is a team or list, not a person",
        "the backup owner {why}", "name one person as backup owner",
        closes="backup_owner"),
    FindingSpec(
        "backup-cannot-pause", "lint", _L, _CONT, (1,),
        "the backup owner may not pause without asking",
        "the backup owner {backup} may not pause alone: when {owner} is away, pausing waits "
        "for someone who may",
        "give the backup owner 'can_pause: true'",
        closes="backup_owner.can_pause"),
    FindingSpec(
        "no-stop-rule", "lint", _C, _DET, (1,), "no stop rule",
        "no stop rule: nothing says when to pause, so a bad run goes on until someone feels "
        "uneasy",
        "add a checkable rule under stop_rules, e.g. '{example}'",
        closes="stop_rules"),
    FindingSpec(
        "uncheckable-stop-rule", "lint", _H, _DET, (1,),
        "a stop rule that cannot be checked",
        "{problem}", "{fix}",
        closes="stop_rules", critical_when="no rule is checkable"),
    FindingSpec(
        "stop-rule-read", "lint", _I, _DET, (1,),
        "a stop rule in plain language, and how the drill reads it",
        "stop rule '{text}' is read as {reading}",
        "check the reading says what you mean; write '{reading}' to make it exact"),
    FindingSpec(
        "stop-rule-fires-at-zero", "lint", _M, _DET, (1,),
        "a stop rule that holds before anything goes wrong",
        "stop rule '{rule}' already holds before anything goes wrong, so it would pause every "
        "run",
        "trip on a count of damage instead, e.g. '{metric} >= 5'"),
    FindingSpec(
        "stop-rule-exact-count", "lint", _L, _DET, (1,),
        "a stop rule with '==' that counts can jump past",
        "stop rule '{rule}' trips only at exactly {exactly}; a count read between checks can "
        "jump past it",
        "write '>=': '{rewritten}'"),
    FindingSpec(
        "no-fast-stop", "lint", _M, _DET, (1,),
        "no stop rule trips within the first {count} bad events",
        "no stop rule trips within the first {count} bad events ({shown})",
        "add a rule on the first few, e.g. 'duplicate_messages >= 5' or "
        "'messages_without_review >= 1'; jobs that touch money or messages get the fastest "
        "stop"),
    FindingSpec(
        "no-first-safe-action", "lint", _H, _COMP, (1, 8), "no first safe action",
        "no first safe action: the person on duty must work out what to do first while the "
        "damage spreads",
        "add 'first_safe_action:' with the one thing to do first, e.g. pause the job and stop "
        "its outgoing queue"),
    FindingSpec(
        "no-pause-steps", "lint", _H, _CONT, (2, 8), "no steps to pause",
        "no pause steps: nobody wrote down how to pause {automation}",
        "list the steps under 'pause:', e.g. '- {{pause_job: {automation}}}' and "
        "'- {{stop_queue: ...}}'",
        closes="pause"),
    FindingSpec(
        "pause-job-only", "lint", _H, _CONT, (2,), "pauses the job but nothing that feeds it",
        "the pause stops the job only; its schedules, webhooks, chained jobs and outgoing "
        "queues keep feeding it",
        "add 'disable_feeder:' and 'stop_queue:' steps for everything that feeds the job",
        closes="pause"),
    FindingSpec(
        "pause-not-at-source", "lint", _M, _CONT, (2,),
        "stops feeders or queues but never the job itself",
        "the pause shuts off feeders and queues but never {automation} itself, so it keeps "
        "working through what it already has",
        "start with '- {{pause_job: {automation}}}'"),
    FindingSpec(
        "no-snapshot", "lint", _H, _CONT, (3,), "no snapshot before hand edits",
        "no snapshot of the affected records before people start fixing by hand",
        "add 'snapshot: {{export: [systems], to: path}}'",
        closes="snapshot", critical_when="no clean export either",
        variants={"neither": (
            "no snapshot of the affected records before people start fixing by hand; with no "
            "clean export either, nothing can be restored",
            "add 'snapshot: {{export: [systems], to: path}}'")}),
    FindingSpec(
        "no-clean-export", "lint", _H, _REP, (8,),
        "nobody wrote down where the last clean export lives",
        "nobody wrote down where the last clean export lives",
        "add 'last_clean_export: {{where: ..., every: 24h}}'",
        closes="last_clean_export", critical_when="no snapshot either",
        variants={"neither": (
            "nobody wrote down where the last clean export lives; with no snapshot either, "
            "nothing can be restored",
            "add 'last_clean_export: {{where: ..., every: 24h}}'")}),
    FindingSpec(
        "clean-export-too-old", "lint", _M, _REP, (8,),
        "the last clean export can be older than {max_age}",
        "the last clean export can be {age} old; every legitimate change since then must be "
        "rebuilt by hand",
        "export at least daily ('every: 24h')"),
    FindingSpec(
        "no-scope", "lint", _H, _SCOPE, (4,), "no way to find the damaged records",
        "no scope method: the team will fix the records people noticed and miss the rest",
        "add 'scope: {{by: [run_id], systems: [...]}}'",
        closes="scope"),
    FindingSpec(
        "scope-from-noticed", "lint", _H, _SCOPE, (4,), "scopes from the records people noticed",
        "the scope is the records people happened to notice; the rest of the run's damage "
        "stays wrong",
        "scope from the run: 'by: [run_id]' (or batch, filter)",
        closes="scope.by"),
    FindingSpec(
        "scope-by-window-only", "lint", _M, _SCOPE, (4,),
        "scopes by time window only, not by the run",
        "the scope is a time window only: it takes in what people and other jobs changed in "
        "that window, and misses what the run changed outside it",
        "scope by the run itself: add run_id (or batch, filter) to 'by'",
        closes="scope.by"),
    FindingSpec(
        "scope-misses-system", "lint", _M, _SCOPE, (4,),
        "a system the runbook exports or reconciles is not scoped",
        "the runbook exports or reconciles {systems} but never scopes the damage there",
        "add {systems} to scope.systems"),
    FindingSpec(
        "no-repair-plan", "lint", _H, _REP, (5,), "no repair plan",
        "no repair plan: the fix will be improvised under pressure",
        "add 'repair: {{strategy: bulk_revert, sample: 20, stages: [10%, 50%, 100%]}}'",
        closes="repair"),
    FindingSpec(
        "repair-without-sample", "lint", _M, _REP, (5,), "no test sample before the repair",
        "the {strategy} repair is not tried on a sample first",
        "add 'sample: 20' (10-20 records)",
        closes="repair.sample"),
    FindingSpec(
        "repair-without-stages", "lint", _M, _REP, (5,), "repairs everything at once",
        "the repair runs on every record at once; a mistake in it becomes a second mess",
        "add 'stages: [10%, 50%, 100%]'",
        closes="repair.stages"),
    FindingSpec(
        "repair-without-saved-values", "lint", _H, _REP, (5,),
        "the damaged values are not saved first",
        "the damaged values are not saved before the repair overwrites them, and there is no "
        "snapshot",
        "add 'save_values: true', or a snapshot section",
        closes="snapshot"),
    FindingSpec(
        "repair-overwrites-human-edits", "lint", _H, _REP, (5,),
        "overwrites people's edits without review",
        "the repair overwrites what people changed during the window without review",
        "set 'overwrite_human_edits: false' and review those records",
        closes="repair.overwrite_human_edits"),
    FindingSpec(
        "no-verification", "lint", _H, _VER, (5,), "no reconciliation across systems",
        "nothing checks that counts match across systems after the repair",
        "add 'verify: {{reconcile: [systems]}}'",
        closes="verify"),
    FindingSpec(
        "no-comms", "lint", _H, _COMMS, (6,), "no communication plan",
        "no communication plan: silence breeds untracked manual fixes",
        "add 'comms: {{first_note_within: 15m, next_update_every: 1h, customer_message: ...}}'",
        closes="comms"),
    FindingSpec(
        "no-customer-message", "lint", _M, _COMMS, (6,), "no customer message prepared",
        "no customer message is prepared; it will be written under pressure",
        "add 'customer_message:' saying what happened and what to do"),
    FindingSpec(
        "late-first-note", "lint", _M, _COMMS, (6,), "the first note comes after {late}",
        "the first note comes {first} after the pause; long before that people start fixing "
        "things on their own",
        "send it within {late}",
        closes="comms"),
    FindingSpec(
        "no-update-interval", "lint", _L, _COMMS, (6,),
        "no promise of when the next update comes",
        "the runbook does not say when the next update comes",
        "add 'next_update_every: 1h'"),
    FindingSpec(
        "no-restart-plan", "lint", _C, _RST, (7, 8), "no restart plan",
        "no restart plan: nobody approves a restart and nothing proves it safe",
        "add 'restart: {{approver: {{name: ...}}, cause: ..., test: [...], ramp: [1, 10, "
        "normal], watch: 30m}}'",
        closes="restart"),
    FindingSpec(
        "restart-without-approver", "lint", _C, _RST, (7, 8), "nobody approves a restart",
        "nobody approves a restart, so the job may come back before the cause is fixed",
        "add 'approver: {{name: ...}}' under restart",
        closes="restart.approver",
        variants={"restarter_approves": (
            "the restart approver, {approver}, is the one who restarts the job: nobody else "
            "checks the proof before it comes back",
            "name a second person as approver, not {approver} who restarts it")}),
    FindingSpec(
        "restart-approver-is-team", "lint", _H, _RST, (7,),
        "the restart approver is a team, not a person",
        "the restart approver {why}", "name one person as approver"),
    FindingSpec(
        "restart-without-cause", "lint", _H, _RST, (7,), "no cause required before restart",
        "a restart does not need the cause written down first",
        "add 'cause:', the exact cause in one sentence",
        closes="restart.cause",
        variants={"not_a_cause": (
            "the restart cause {why}: it counts as no cause, so a restart runs the faulty job "
            "again",
            "write the exact cause in one sentence: which part of the job did what, e.g. "
            "'the reminder rule fired once per changed field instead of once per edit'")}),
    FindingSpec(
        "restart-without-test", "lint", _H, _RST, (7,), "no test record before restart",
        "no low-risk test record before the restart",
        "add 'test: [one low-risk real record]'",
        closes="restart.test"),
    FindingSpec(
        "restart-without-ramp", "lint", _M, _RST, (7,), "restarts straight at full volume",
        "the restart goes straight to normal volume",
        "add 'ramp: [1, 10, normal]'",
        closes="restart.ramp"),
    FindingSpec(
        "restart-without-watch", "lint", _M, _RST, (7,),
        "nobody watches the restart, ready to pause",
        "nobody who can pause is on watch after the restart",
        "add 'watch: 30m'",
        closes="restart.watch"),
)

_DRILL: tuple[FindingSpec, ...] = (
    FindingSpec(
        "no-runbook", "drill", _C, None, (8,), "no runbook at all",
        "there is no runbook, so nothing covers {covers}",
        "write a one-page runbook: 'drills init' scaffolds one",
        variants={"review": (
            "no runbook was given and its drills name no owner",
            "add the automation's runbook to the review, or write one with 'drills init'")}),
    FindingSpec(
        "never-detected", "drill", _C, _DET, (1,), "nothing detected the bad run",
        "nothing detected the bad run: no stop rule fired and no complaint came in",
        "add a stop rule on a metric this fault moves, e.g. changed_records >= 50 within 10m",
        closes="stop_rules"),
    FindingSpec(
        "detected-by-complaint", "drill", _H, _DET, (1,),
        "a customer noticed the bad run before a stop rule did",
        "the bad run was noticed by a customer, not by a stop rule ({how})",
        "add a stop rule that fires before customers see the damage",
        closes="stop_rules"),
    FindingSpec(
        "stop-rule-false-alarm", "drill", _M, _DET, (1,),
        "a stop rule fires on a healthy run of the job",
        "stop rule {rule} fires on a healthy run of the same seed at minute {minute:.0f} "
        "({value}): a false alarm that pauses the healthy job for {paused:g} min",
        "raise its threshold above what a normal day reaches, or count damage instead of "
        "volume (duplicates, blank writes, messages without review)",
        closes="stop_rules"),
    FindingSpec(
        "stop-rule-never-fires", "drill", _M, _DET, (1,),
        "a stop rule never fires on the bad run (info when another rule does)",
        "stop rule {rule} never fires on the bad run left unstopped over the drill's {window} "
        "({metric} reaches {peak} at most)",
        "use a metric this fault moves, with a threshold it reaches early, e.g. '{example}'",
        closes="stop_rules"),
    FindingSpec(
        "waited-for-escalation", "drill", _H, _CONT, (1, 8),
        "nobody who could pause was reachable",
        "nobody who could pause was reachable: {minutes:.0f} minutes lost to escalation",
        "name an owner (a person, not a team) who may pause without a meeting",
        closes="owner",
        variants={"owner_away": (
            "the owner was away and no backup who may pause was named: {minutes:.0f} "
            "minutes lost to escalation",
            "name a backup owner who may pause: 'backup_owner: {{name: ..., can_pause: true}}'",
        )}),
    FindingSpec(
        "feeder-left-running", "drill", _H, _CONT, (2,),
        "a feeder kept running after the job was paused",
        "{kind} '{name}' kept running after the job was paused",
        "add 'disable_feeder: {name}' to the runbook's pause steps",
        closes="pause[feeder]"),
    FindingSpec(
        "queue-left-running", "drill", _H, _CONT, (2,),
        "a queue kept sending after the job was paused",
        "{kind} '{name}' kept running after the job was paused",
        "add 'stop_queue: {name}' to the runbook's pause steps",
        closes="pause[queue]"),
    FindingSpec(
        "never-contained", "drill", _C, _CONT, (2,), "the bad run was never contained",
        "the bad run was never contained: something kept feeding it to the end of the drill",
        "pause the job and shut off every schedule, webhook, chained job and queue",
        closes="pause"),
    FindingSpec(
        "unknown-pause-target", "drill", _H, _CONT, (2,), "a pause step failed",
        "pause step '{action}: {target}' failed: {detail}",
        "name the job and feeders exactly as the automation has them",
        closes="pause"),
    FindingSpec(
        "system-never-scoped", "drill", _H, _SCOPE, (4,),
        "a system holding damaged records was never scoped",
        "{system} holds {n:,} damaged records but the scope never looked there",
        "add {system} to scope.systems",
        closes="scope.systems"),
    FindingSpec(
        "edits-before-snapshot", "drill", _M, _REP, (3,),
        "records were fixed by hand before any snapshot",
        "{n} records were fixed by hand after detection before any snapshot",
        # Hand fixes of damage, not people's ordinary work: their everyday edits go on in
        # any incident and no runbook stops them, so counting them made the finding one
        # the complete runbook could never close.
        "take the snapshot first, before anyone edits by hand, and tell people early so "
        "nobody starts fixing records on their own (rules 3 and 6)",
        closes="snapshot"),
    FindingSpec(
        "shadow-fixes", "drill", _M, _COMMS, (6,),
        "untracked hand fixes started because nobody said anything",
        "{n} untracked hand fixes started because nobody said anything in time",
        "send the first note within 15 minutes of detection and update on a schedule",
        closes="comms"),
    FindingSpec(
        "human-edits-overwritten", "drill", _H, _REP, (5,),
        "the repair overwrote values people had changed",
        "the repair overwrote {n} values people had changed",
        "repair a sample first and review records people touched during the window",
        closes="repair"),
    FindingSpec(
        "records-left-wrong", "drill", _H, _REP, (4, 5),
        "records were still wrong when the drill ended",
        "{n:,} records were still wrong when the drill ended",
        "scope every system the run reached and repair with a script or bulk revert",
        closes="repair"),
    FindingSpec(
        "counts-do-not-reconcile", "drill", _M, _VER, (5,),
        "systems disagree on counts after repair",
        "{pairs} after repair: {detail}{more}",
        "reconcile counts across every system the data was copied to",
        closes="verify"),
    FindingSpec(
        "restarted-with-fault", "drill", _H, _RST, (7,),
        "the job was restarted while its fault was still live",
        "the job was restarted at {at:%H:%M} while its fault was still live (the cause "
        "{why}); {again}",
        "write down the exact cause (which part of the job did what), fix it, and run one "
        "test record through the fixed job before restarting",
        closes="restart"),
    FindingSpec(
        "takes-below-minimum", "drill", _L, _COMP, (8,),
        "a step's time in the runbook is below what the work takes",
        "{n} step time(s) in the runbook are below what the work takes, so the drill used "
        "the modelled minimum: {steps}",
        "write times the work can be done in (docs/durations.md), at least: {writes}"),
    FindingSpec(
        "drill-interrupted", "drill", _I, _COMP, (), "the drill stopped before its end",
        "the drill was interrupted at {at:%H:%M} drill time, {what}",
        "run the drill to its end again: the same scenario, runbook and seed replay it exactly"),
)

_REVIEW: tuple[FindingSpec, ...] = (
    FindingSpec(
        "drill-overdue", "review", _I, None, (), "the drill is past its quarterly cadence",
        "the drill is {days} days old, past the {cadence}-day cadence; it counts {share}",
        "drill the automation again: 'drills run' or 'drills score' runs a fresh drill"),
    FindingSpec(
        "drill-undated", "review", _I, None, (), "the report does not say when it ran",
        "the report does not say when the drill was run, so it counts as old ({share})",
        "drill the automation again: reports record when they ran"),
    FindingSpec(
        "never-drilled", "review", _I, None, (), "no drill of this automation",
        "no drill of this automation: the runbook is scored on paper at {share}",
        "add a scenario for the automation and drill it ('drills check --scenario')"),
)

FINDINGS: Mapping[str, FindingSpec] = MappingProxyType(
    {spec.code: spec for spec in (*_LINT, *_DRILL, *_REVIEW)})
"""Every registered finding code -> its row; lint codes first, in the runbook's order."""


def registered(code: str) -> bool:
    """Whether ``code`` is a registered finding code."""
    return code in FINDINGS


def message(code: str, variant: str | None = None, **fields: Any) -> str:
    """The message of ``code`` (or of one of its variants) with ``fields`` filled in."""
    return FINDINGS[code].texts(variant)[0].format(**fields)


def finding(
    code: str,
    *,
    where: str | None = None,
    severity: Severity | None = None,
    check: Check | None = None,
    variant: str | None = None,
    **fields: Any,
) -> Finding:
    """The :class:`Finding` for ``code``: its row's severity, check and wording, filled in.

    ``severity`` overrides the usual one (the lint's escalation to critical); ``check``
    gives the check of a code that has none of its own (``no-runbook`` costs every
    check); ``variant`` picks other wording the row names. An unknown code is a bug in
    drills, so it raises KeyError.
    """
    spec = FINDINGS[code]
    text, fix = spec.texts(variant)
    chosen = check or spec.check
    if chosen is None:
        raise ValueError(f"finding code {code!r} counts against no check; pass check=")
    return Finding(code=code, severity=severity or spec.severity, check=chosen,
                   message=text.format(**fields), fix=fix.format(**fields), where=where)


def closes(code: str) -> str | None:
    """The runbook path that closes ``code``'s gap, or None when no runbook change does."""
    spec = FINDINGS.get(code)
    return spec.closes if spec is not None else None


def section(code: str) -> tuple[str, ...] | None:
    """The key path a reader goes to fix ``code``: its ``closes`` path without the
    bracketed part (``pause[feeder]`` -> ``("pause",)``), or None."""
    path = closes(code)
    if path is None:
        return None
    return tuple(path.split("[", 1)[0].split("."))


DOC_START = "<!-- finding codes: generated from drills.findings.FINDINGS -->"
DOC_END = "<!-- end of finding codes -->"


_DOC_FIELDS = {"count": "N", "max_age": "the limit", "late": "the limit"}
"""How the page words a summary's threshold (the lint module holds the numbers)."""


def markdown_table() -> str:
    """The table of every registered code for ``docs/scoring.md``, between its markers.

    ``python -m drills.findings`` prints it; a test fails when the page's copy is stale.
    """
    lines = [
        DOC_START,
        "",
        "| code | from | severity | check | rules ([rules.md](rules.md)) | closed by | what |",
        "|---|---|---|---|---|---|---|",
    ]
    for spec in FINDINGS.values():
        severity = spec.severity.value + (
            f" (critical if {spec.critical_when})" if spec.critical_when else "")
        lines.append(
            f"| `{spec.code}` | {spec.kind} | {severity} | "
            f"{spec.check.value if spec.check else 'every check'} | "
            f"{', '.join(map(str, spec.rules)) or '-'} | "
            f"{f'`{spec.closes}`' if spec.closes else '-'} | "
            f"{spec.summary.format(**_DOC_FIELDS)} |"
        )
    return "\n".join([*lines, "", DOC_END])


if __name__ == "__main__":
    print(markdown_table())
