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

__all__ = [
    "SCHEMA_VERSION",
    "ChecklistItem",
    "Comms",
    "Comparison",
    "DamagePoint",
    "DrillReport",
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
    "StepRecord",
    "SystemDamage",
    "ThreeTimes",
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
    """Points of one rubric check, and the findings that cost points."""

    check: Check
    points: float
    max_points: float
    lost_to: list[str] = Field(default_factory=list, description="finding codes")


class Score(_Model):
    total: int = Field(ge=0, le=100)
    items: list[ScoreItem]


class Comms(_Model):
    """The team's words, drafted from the drill's facts (rule 6)."""

    first_note: str
    first_note_at: datetime | None
    updates_sent: int
    customer_message: str | None


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
    team_score: int
    runbook_score: int
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

    def phase(self, name: PhaseName) -> Phase | None:
        return next((p for p in self.phases if p.name is name), None)

    @property
    def critical(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.CRITICAL]

    @property
    def interrupted(self) -> bool:
        return self.status == "interrupted"

    def headline(self) -> str:
        """'invoice-reminder drill: contained in 14 min, 126 records damaged, 0 left wrong,
        score 82/100' - the line every renderer leads with.

        An interrupted drill says so first and counts "so far", so a rebuilt report can
        never pass for a finished one.
        """
        o = self.outcome
        contained = (
            f"contained in {o.minutes_to_contain:.0f} min"
            if o.contained and o.minutes_to_contain is not None
            else "not contained yet" if self.interrupted else "never contained"
        )
        if self.interrupted:
            at = self.interrupted_at or self.finished
            return (
                f"{self.automation} drill INTERRUPTED at {at:%H:%M} drill time: {contained}, "
                f"{o.records_damaged:,} records damaged so far, {o.records_left_wrong:,} "
                f"wrong at that point, score so far {self.score.total}/100"
            )
        return (
            f"{self.automation} drill: {contained}, {o.records_damaged:,} records damaged, "
            f"{o.records_left_wrong:,} left wrong, score {self.score.total}/100"
        )
