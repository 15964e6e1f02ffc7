"""The drill report model: the one contract between the engine and every renderer.

The engine fills a :class:`DrillReport`; console, Markdown, HTML, JSON and JUnit
renderers read only this model, and a saved JSON report can be rendered again
years later. It is versioned (``schema_version``) and its JSON Schema is generated
from these classes and shipped, so other tools can read reports without drills.
Times are drill-clock times; ``minute`` fields count minutes from the bad run's start.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from drills.reports.findings import Check, Finding, Severity
from drills.reports.incident import IncidentComparison, IncidentCurve

__all__ = [
    "SCHEMA_VERSION",
    "ChecklistItem",
    "Comms",
    "Comparison",
    "ContainmentEvent",
    "DamagePoint",
    "Deduction",
    "DrillReport",
    "Gate",
    "GateCode",
    "HarmLine",
    "HarmUnit",
    "IncidentComparison",
    "IncidentCurve",
    "LogEntry",
    "Outcome",
    "Phase",
    "PhaseComparison",
    "PhaseName",
    "Reconcile",
    "RunbookRef",
    "ScenarioRef",
    "ScopeAccuracy",
    "Score",
    "ScoreItem",
    "SentNote",
    "StepRecord",
    "SystemDamage",
    "ThreeTimes",
    "Verdict",
]

SCHEMA_VERSION = "1"


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PhaseName(StrEnum):
    RUN_STARTED = "run_started"
    DETECTED = "detected"
    PAUSED = "paused"
    CONTAINED = "contained"
    SNAPSHOT = "snapshot"
    SCOPED = "scoped"
    REPAIRED = "repaired"
    VERIFIED = "verified"
    FIRST_NOTE = "first_note"
    RESTARTED = "restarted"


class Phase(_Model):
    """When a phase was reached (``None``: never) and how."""

    name: PhaseName
    at: datetime | None
    minute: float | None = Field(description="minutes after the bad run started")
    how: str = Field(default="", description="what reached it, e.g. the stop rule that fired")


class ThreeTimes(_Model):
    """The three times the runbook asks people to write down (rule 3)."""

    run_started: datetime
    paused: datetime | None
    last_changed_data: datetime | None


class DamagePoint(_Model):
    """Damaged records so far, at one moment; the timeline chart's points."""

    minute: float
    at: datetime
    damaged: int = Field(description="records damaged so far (all systems)")
    by_system: dict[str, int] = Field(default_factory=dict)


class SystemDamage(_Model):
    """One system's damage and how well the team scoped and repaired it."""

    system: str
    damaged: int = Field(description="records the bad run made wrong (ground truth)")
    after_detection: int = Field(description="of those, damaged after detection")
    scoped: bool = Field(description="the runbook's scope covered this system")
    changed: int = Field(description="records the team's scope found changed")
    wrong: int
    safe: int
    unclear: int
    precision: float | None = Field(description="share of scoped records really damaged")
    recall: float | None = Field(description="share of damaged records the scope found")
    repaired: int
    left_wrong: int


class Reconcile(_Model):
    """Two systems that should agree, counted after repair (500 orders, 500 invoices)."""

    left: str
    right: str
    left_count: int
    right_count: int
    mismatched: int = Field(description="records that differ between the two")
    examples: list[int] = Field(
        default_factory=list,
        description="a few of the mismatched records' ids (at most 3), lowest first")
    fields: list[str] = Field(
        default_factory=list, description="the fields that differ on the mismatched records")

    def disagreement(self) -> str:
        """What disagrees, in words: the counts when they differ, else which records and
        fields (``billing.invoices vs warehouse.billing_invoices: 12 records differ in
        customer_email, e.g. #4, #19, #33``); never two equal totals as if they disagreed."""
        parts: list[str] = []
        if self.left_count != self.right_count:
            parts.append(f"{self.left_count:,} vs {self.right_count:,} records")
        if self.mismatched and (self.fields or self.examples
                                or self.left_count == self.right_count):
            n = self.mismatched
            text = f"{n:,} record{'s' if n != 1 else ''} differ{'s' if n == 1 else ''}"
            if self.fields:
                text += f" in {', '.join(self.fields)}"
            if self.examples:
                text += ", e.g. " + ", ".join(f"#{k}" for k in self.examples)
            parts.append(text)
        return f"{self.left} vs {self.right}: " + ("; ".join(parts) or "they agree")

    @property
    def ok(self) -> bool:
        return self.left_count == self.right_count and self.mismatched == 0


class StepRecord(_Model):
    """One runbook step as it was performed, with its real (or virtual) timing."""

    section: str = Field(description="runbook section: pause, snapshot, scope, repair, ...")
    action: str
    target: str = ""
    who: str
    started: datetime
    finished: datetime
    minutes: float
    outcome: str = ""


class LogEntry(_Model):
    """One line of the shared action log: every action, owner and finding (rule 3)."""

    at: datetime
    who: str
    what: str


class Outcome(_Model):
    """The numbers a drill is judged by."""

    records_damaged: int
    records_damaged_after_detection: int
    records_left_wrong: int
    human_edits_overwritten: int
    duplicates_left: int
    unreconciled: int
    minutes_to_detect: float | None
    minutes_to_contain: float | None
    contained: bool
    restarted: bool
    messages_sent_wrongly: int = Field(
        default=0, description="damaged messages that had already gone out to customers: "
        "never unsent, at best followed by a correction")
    no_source: dict[str, int] = Field(
        default_factory=dict, description="per table, records the repair could not put back "
        "because no source the team had (field history, clean export, rerun of the fixed "
        "job) held their right values")


class ScoreItem(_Model):
    """Points of one rubric check, and the findings that cost points (reports written
    before the score followed harm; a harm-based score has none)."""

    check: Check
    points: float
    max_points: float
    lost_to: list[str] = Field(default_factory=list, description="finding codes")


class HarmUnit(StrEnum):
    """A named unit of harm a drill measures (docs/scoring.md)."""

    LEFT_WRONG = "left_wrong"
    """Records still wrong at the end, counted per system."""
    DAMAGED = "damaged"
    SENT_WRONGLY = "sent_wrongly"
    """Customer-facing messages or charges that went out wrongly."""
    LIVE_MINUTES = "live_minutes"
    """Minutes the bad run was live after detection (to containment or the window's end)."""
    HUMAN_EDITS_OVERWRITTEN = "human_edits_overwritten"
    SHADOW_FIXES = "shadow_fixes"
    HEALTHY_MINUTES_PAUSED = "healthy_minutes_paused"
    """Minutes a healthy run of the job stays paused by a stop rule's false alarm."""


class HarmLine(_Model):
    """One harm unit side by side: this drill, doing nothing, the perfect response."""

    unit: HarmUnit
    system: str | None = Field(default=None, description="records left wrong: the system")
    label: str = Field(description="how the unit reads: 'records left wrong in billing'")
    weight: float = Field(description="harm points one unit weighs for this risk class")
    run: float = Field(description="this drill's count")
    nothing: float | None = Field(description="the count when nobody acts in the drill window")
    perfect: float | None = Field(description="the count with the complete runbook followed")
    run_damaged: float | None = Field(
        default=None, description="records left wrong: the records this drill damaged in "
        "the system, what its repair had to put right")


class Deduction(_Model):
    """Points a finding costs although its measured harm is nothing (a form gap)."""

    code: str
    severity: Severity
    where: str | None = None
    points: float = Field(description="score points deducted")
    reason: str = Field(description="plain words: 'cost nothing in this drill: -2 points'")


class GateCode(StrEnum):
    """An outcome that makes a drill not ready whatever its score."""

    NEVER_CONTAINED = "never-contained"
    LEFT_WRONG_MONEY_OR_MESSAGES = "left-wrong-money-or-messages"
    RESTARTED_WITH_FAULT = "restarted-with-fault"


class Gate(_Model):
    code: GateCode
    message: str = Field(description="what happened, one line, with the measured numbers")


class Verdict(_Model):
    """Ready or not, and why: no gate, and a score at or over the risk class's threshold."""

    ready: bool
    risk: str = Field(description="the risk class the threshold comes from")
    threshold: int = Field(description="the score a drill of this risk class must reach")
    reasons: list[str] = Field(
        default_factory=list, description="why not ready (empty when ready)")


class Score(_Model):
    """The drill's score: the share of avoidable harm the response avoided.

    ``total`` = 100 x (harm_nothing - harm_run) / (harm_nothing - harm_perfect), in harm
    points, clamped to 0..100 (``avoided``), less the ``deductions`` for gaps whose
    measured cost was nothing. ``harm`` lists every unit for the three responses.
    ``gates`` make a drill not ready whatever the total; ``verdict`` says ready or not.
    An interrupted drill has no total (``status`` 'interrupted'). Reports written
    before the score followed harm carry ``items`` (per-check points) instead.
    """

    total: int | None = Field(ge=0, le=100, description="null when not scored (interrupted)")
    status: Literal["scored", "interrupted"] = "scored"
    items: list[ScoreItem] = Field(
        default_factory=list, description="per-check points of reports from before the "
        "harm-based score; empty in new reports")
    harm: list[HarmLine] = Field(default_factory=list)
    risk: list[str] = Field(
        default_factory=list, description="risk classes the harm weights come from")
    run_points: float | None = Field(default=None, description="this drill's harm points")
    nothing_points: float | None = Field(
        default=None, description="harm points when nobody acts in the drill window")
    perfect_points: float | None = Field(
        default=None, description="harm points with the complete runbook followed")
    avoided: float | None = Field(
        default=None, description="share of avoidable harm avoided, 0-100, before deductions")
    basis: str = Field(
        default="", description="how the share was worked out, in words (and the edge case "
        "when nothing was avoidable)")
    deductions: list[Deduction] = Field(default_factory=list)
    gates: list[Gate] = Field(default_factory=list)
    verdict: Verdict | None = None
    interrupted_minute: float | None = Field(
        default=None, description="an interrupted drill: the minute it was stopped at")

    @property
    def value(self) -> int:
        """The total, 0 when not scored: what a threshold (``--fail-under``) compares; an
        interrupted drill passes none."""
        return self.total if self.total is not None else 0

    @property
    def scored(self) -> bool:
        return self.total is not None

    @property
    def ready(self) -> bool:
        return self.verdict is not None and self.verdict.ready

    def text(self) -> str:
        """``87/100``, or ``no score (interrupted)``."""
        return f"{self.total}/100" if self.total is not None else "no score (interrupted)"


class SentNote(_Model):
    """One note that really went out during the drill, with what was known when it did.

    Only notes sent are listed: a drill where nobody wrote to anyone has none, whatever
    the drafts below say. The numbers are the drill's own at that moment (the judge's
    measure, not a guess the team made), so the room can see what the note could have
    told people.
    """

    at: datetime
    minute: float = Field(description="minutes after the bad run started")
    who: str
    kind: Literal["first note", "update"]
    text: str = Field(
        default="", description="the words the team sent (live drills); empty when a "
        "runbook's note was sent (scripted drills: its draft is the first note below) or "
        "the team sent one without words")
    records_damaged: int = Field(description="records damaged so far, when it was sent")
    by_system: dict[str, int] = Field(default_factory=dict,
                                      description="of those, per system")
    records_repaired: int = Field(default=0, description="records repaired so far")
    job_paused: bool = Field(description="the job was paused when it was sent")
    contained: bool = Field(description="the job was paused and every feeder off")


class Comms(_Model):
    """The team's words: the notes really sent, and drafts written from the drill's facts
    (rule 6)."""

    first_note: str = Field(description="a draft of the first note, from the drill's facts; "
                            "not what was sent (see ``sent``)")
    first_note_at: datetime | None = Field(description="when the first note was sent; "
                                           "None: never")
    updates_sent: int
    customer_message: str | None
    sent: list[SentNote] = Field(
        default_factory=list, description="every note sent during the drill, oldest first; "
        "empty when none was (reports written before drills recorded them have none)")


class ContainmentEvent(_Model):
    """One turn of the job's containment: contained (job paused and every feeder off), or
    restarted. A drill that contains, restarts and contains again has three."""

    kind: Literal["contained", "restarted"]
    at: datetime
    minute: float = Field(description="minutes after the bad run started")
    fixed: bool | None = Field(
        default=None, description="restarted: with the cause fixed (True) or the fault "
        "still in place (False); None for a containment")


class ChecklistItem(_Model):
    """One restart condition (rule 7) and whether the drill met it."""

    item: str
    done: bool
    detail: str = ""


class PhaseComparison(_Model):
    """When the team reached a phase, next to when the runbook followed perfectly did."""

    name: PhaseName
    team: float | None = Field(description="minutes after the bad run started; None: never")
    runbook: float | None


class ScopeAccuracy(_Model):
    """One table of the scope a live team submitted, against ground truth."""

    table: str
    damaged: int = Field(description="records the bad run made wrong here")
    tagged: int = Field(description="records the team put in its scope")
    found: int = Field(description="tagged records that really were damaged")
    precision: float | None
    recall: float | None


class Comparison(_Model):
    """A live drill beside the same seeded drill with its runbook followed perfectly."""

    runbook_drill_id: str
    phases: list[PhaseComparison]
    team: Outcome
    runbook: Outcome
    team_score: int | None = Field(description="null: the team's drill was interrupted")
    runbook_score: int | None
    scope: list[ScopeAccuracy] = Field(
        default_factory=list, description="the team's submitted scope, table by table"
    )


class ScenarioRef(_Model):
    name: str
    title: str
    summary: str
    fault: str
    systems: list[str]
    touches: list[Literal["money", "customer_messages", "legal_records", "access"]] | None = (
        Field(
            default=None,
            description="what a bad run of the automation can hurt (its risk class); "
            "null in reports written before drills recorded it",
        )
    )


class RunbookRef(_Model):
    automation: str
    path: str | None
    owner: str | None


class DrillReport(_Model):
    """Everything one drill found; renderers need nothing else."""

    schema_version: Literal["1"] = "1"
    drill_id: str
    ran_at: datetime | None = Field(
        default=None,
        description="UTC wall-clock time the drill was run (started, finished and every "
        "other time are drill-clock times); null in reports written before drills recorded "
        "it, which a readiness review counts as old",
    )
    tool_version: str
    responder: Literal["scripted", "live", "hooks"]
    seed: int
    backend: str = Field(description="where the world lived, credentials removed")
    scenario: ScenarioRef
    runbook: RunbookRef | None
    automation: str
    started: datetime
    finished: datetime
    wall_seconds: float
    phases: list[Phase]
    times: ThreeTimes
    timeline: list[DamagePoint]
    systems: list[SystemDamage]
    outcome: Outcome
    reconcile: list[Reconcile]
    steps: list[StepRecord]
    log: list[LogEntry]
    findings: list[Finding]
    score: Score
    comparison: Comparison | None = Field(
        default=None, description="live drills: the team beside the runbook followed perfectly"
    )
    comms: Comms
    restart_checklist: list[ChecklistItem]
    status: Literal["finished", "interrupted"] = Field(
        default="finished",
        description="'interrupted': the drill was stopped before its end and this report "
        "was rebuilt from its journal; it covers the drill up to interrupted_at, and "
        "checks judged at a drill's end were not reached",
    )
    interrupted_at: datetime | None = Field(
        default=None, description="drill time of the last moment an interrupted drill reached"
    )
    containment: list[ContainmentEvent] = Field(
        default_factory=list,
        description="every containment and restart in order; the headline tells them all "
        "when the job was contained more than once or restarted with the fault in place "
        "(empty in reports written before drills recorded them)",
    )
    incident: IncidentComparison | None = Field(
        default=None, exclude_if=lambda value: value is None,
        description="an imported scenario's drill: the real incident beside this drill "
        "(drills import); left out of the file when the scenario has no incident",
    )

    def phase(self, name: PhaseName) -> Phase | None:
        return next((p for p in self.phases if p.name is name), None)

    @property
    def critical(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.CRITICAL]

    @property
    def interrupted(self) -> bool:
        return self.status == "interrupted"

    def containment_text(self) -> str:
        """'contained in 7 min'; or, when the job was contained more than once or restarted
        with the fault in place, every turn: 'contained at 7 min, restarted at 12,
        contained again at 15' - one number alone would contradict the rest of the report.
        """
        o = self.outcome
        turns = self.containment
        contained = [t for t in turns if t.kind == "contained"]
        unfixed = any(t.kind == "restarted" and t.fixed is False for t in turns[1:])
        if len(contained) > 1 or (contained and unfixed):
            words: list[str] = []
            seen = False
            for t in turns:
                if t.kind == "contained":
                    words.append(f"contained {'again ' if seen else ''}at {t.minute:.0f} min"
                                 if not words else
                                 f"contained {'again ' if seen else ''}at {t.minute:.0f}")
                    seen = True
                elif seen:
                    words.append(f"restarted at {t.minute:.0f}"
                                 + (" with the fault in place" if t.fixed is False else ""))
            if turns[-1].kind == "restarted" and turns[-1].fixed is False:
                words.append("not contained again")
            return ", ".join(words)
        if o.contained and o.minutes_to_contain is not None:
            return f"contained in {o.minutes_to_contain:.0f} min"
        return "not contained yet" if self.interrupted else "never contained"

    def headline(self) -> str:
        """'invoice-reminder drill: contained in 14 min, 126 records damaged, 0 left wrong,
        score 82/100' - the line every renderer leads with.

        An interrupted drill says so first and counts "so far", so a rebuilt report can
        never pass for a finished one.
        """
        o = self.outcome
        contained = self.containment_text()
        if self.interrupted:
            at = self.interrupted_at or self.finished
            minute = self.score.interrupted_minute
            when = f"minute {minute:.0f} ({at:%H:%M} drill time)" if minute is not None \
                else f"{at:%H:%M} drill time"
            return (
                f"{self.automation} drill INTERRUPTED at {when}: {contained}, "
                f"{o.records_damaged:,} records damaged so far, {o.records_left_wrong:,} "
                f"wrong at that point; no score: this is what was done so far"
            )
        return (
            f"{self.automation} drill: {contained}, {o.records_damaged:,} records damaged, "
            f"{o.records_left_wrong:,} left wrong, score {self.score.text()}"
        )
