"""The readiness review model: one advisor's verdict over many automations, point by point.

An advisor hands over a review, not a pile of drill reports: per automation a score
out of 100, the risk class that sets how high it must be, when it was last drilled,
whether it got worse since the drill before, and what each gap costs. Like
:class:`~drills.reports.model.DrillReport` for one drill, :class:`ReadinessReview` is the one
contract between the library that builds a review (``drills.review``) and every
renderer (console, Markdown, HTML, JSON); it is versioned (``review_version``) and its
JSON Schema is shipped (``reports/schema/review.schema.json``).

Nothing in a review is a bare number: each automation's score is the sum of its
:class:`CheckPoints`, and every point a check lost is a :class:`LostPoints` naming the
finding (or the drill's age) that cost it, so ``max_points - points`` always equals the
sum of ``lost``. The rubric that produced the numbers travels with them
(:class:`Rubric`), so a review read years later still says how it was scored.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from drills.reports.findings import Check, Finding, Severity
from drills.reports.model import GateCode, Score
from drills.reports.multi import AutomationTrend

__all__ = [
    "AGE_CODES",
    "BEFORE_HARM_CODE",
    "DRILLED_NOW",
    "HARM_CODE",
    "REVIEW_VERSION",
    "AgeStatus",
    "AutomationReview",
    "CheckPoints",
    "DrillAge",
    "DrillEntry",
    "Gap",
    "InputRef",
    "LostPoints",
    "Missing",
    "People",
    "ReadinessReview",
    "Regression",
    "RiskClass",
    "RiskProfile",
    "Rubric",
    "ScenarioGate",
    "ScoreBasis",
]

REVIEW_VERSION = "1"

DRILLED_NOW = "drilled now by this review"
"""How a drill the review ran itself is labelled: not a team drill of the review's day."""

AGE_CODES = ("drill-overdue", "drill-undated", "never-drilled")
"""The codes :class:`LostPoints` uses for points lost to a drill's age, not to a finding."""

HARM_CODE = "harm-not-avoided"
"""The code :class:`LostPoints` uses for the avoidable harm the deciding drill did not avoid."""

BEFORE_HARM_CODE = "scored-before-harm"
"""The code for what a report from before the harm-based score lost by its own rubric."""

ScoreBasis = Literal["harm", "before-harm", "paper"]
"""Where an automation's score comes from: a drill's harm score; a report from before harm
scores (its own total, to be drilled again); or the runbook on paper (never drilled)."""


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RiskClass(StrEnum):
    """What a bad run of the automation can hurt; the strictest one it touches decides.

    The values are the words a scenario's ``automation.touches`` uses (and ``drills
    init --touches``), plus ``standard`` for a job that touches none of them.
    """

    STANDARD = "standard"
    MONEY = "money"
    CUSTOMER_MESSAGES = "customer_messages"
    LEGAL_RECORDS = "legal_records"
    ACCESS = "access"


class RiskProfile(_Model):
    """How one risk class is scored: the bar it must clear and each check's weight."""

    risk: RiskClass
    label: str = Field(description="how people say it, e.g. 'money movement'")
    threshold: int = Field(ge=0, le=100, description="the score it needs to be ready")
    weights: dict[Check, int] = Field(description="points per check; they add up to 100")


class Rubric(_Model):
    """The rules a review was scored by (docs/scoring.md explains each)."""

    cadence_days: int = Field(description="a drill younger than this counts fully")
    decay_per_cadence: float = Field(
        description="share of the credit an overdue drill loses per further cadence")
    floor: float = Field(description="the least share an old or undated drill keeps")
    severity_share: dict[Severity, float] = Field(
        description="share of its check's points one finding costs")
    profiles: list[RiskProfile]


AgeStatus = Literal["current", "overdue", "undated", "never"]


class DrillAge(_Model):
    """How old a result is on the review date, and the share of its points it keeps."""

    status: AgeStatus = Field(
        description="current: within the cadence; overdue: older; undated: the report "
        "has no ran_at; never: the automation was not drilled (paper only)")
    age_days: int | None = Field(description="whole days from the drill to the review date")
    factor: float = Field(ge=0, le=1, description="share of the drill's points that count")


class LostPoints(_Model):
    """Points lost, and why: avoidable harm not avoided, a deduction for a gap that cost
    nothing, the drill's age, a report's own total from before harm scores, or (on paper
    only) a lint finding."""

    code: str = Field(description="harm-not-avoided; a finding code (a deduction, or a lint "
                      "finding on paper); scored-before-harm; or one of drill-overdue, "
                      "drill-undated, never-drilled for points lost to age")
    kind: Literal["harm", "deduction", "before-harm", "finding", "age"]
    points: float = Field(ge=0)
    where: str | None = None
    severity: Severity | None = Field(default=None, description="the finding's; none for age")
    reason: str = Field(description="one line: the finding's message, or the drill's age")


class CheckPoints(_Model):
    """One rubric check's points for one automation."""

    check: Check
    points: float = Field(ge=0)
    max_points: float = Field(ge=0, description="the check's weight in this risk class")
    lost: list[LostPoints] = Field(default_factory=list)


class ScenarioGate(_Model):
    """A gate one scenario's latest drill hit: it makes the automation not ready whatever
    the score (never contained, records left wrong in a money or customer-message system,
    a restart with the fault live)."""

    scenario: str
    drill_id: str
    code: GateCode
    message: str


class Gap(_Model):
    """One gap in an automation's latest drills, with what it costs.

    ``finding.cost`` is the measured cost (records and minutes, by a rerun with the gap
    closed; none with ``--no-costs`` or when no runbook change closes it);
    ``points_lost`` is the deduction it took from the deciding drill's score (a gap
    whose harm was measured costs its points through the harm, not here).
    """

    finding: Finding
    scenarios: list[str] = Field(description="the drills that found it ('lint' on paper only)")
    points_lost: float = Field(ge=0, description="points its deduction took from the "
                               "automation's score (before age)")


class Regression(_Model):
    """A drill that went worse than the drill before it, on the same scenario."""

    scenario: str
    drill_id: str
    ran_at: datetime | None
    previous_drill_id: str
    previous_ran_at: datetime | None
    score: int = Field(description="the latest drill's score, before age")
    previous_score: int
    new_codes: list[str] = Field(description="finding codes the drill before did not have")

    @property
    def since(self) -> str:
        """'the drill of 2026-08-03' (drill ids repeat: they name a scenario and a seed)."""
        at = self.previous_ran_at
        return f"the drill of {at:%Y-%m-%d}" if at is not None else "the undated drill before"

    @property
    def summary(self) -> str:
        """'score 82 -> 64 (-18) since the drill of 2026-08-03; new: feeder-left-running'."""
        parts = []
        if self.score < self.previous_score:
            parts.append(f"score {self.previous_score} -> {self.score} "
                         f"({self.score - self.previous_score:+d}) since {self.since}")
        if self.new_codes:
            parts.append(("new since " + self.since if not parts else "new")
                         + ": " + ", ".join(self.new_codes))
        return "; ".join(parts)


class DrillEntry(_Model):
    """One drill result the review read or ran for an automation."""

    drill_id: str
    scenario: str
    ran_at: datetime | None
    drill_score: int = Field(description="the score in the drill report (0 when interrupted)")
    score: int = Field(description="the score the review counts, before age: the drill's")
    age: DrillAge
    source: str = Field(description="the file it was read from, or 'drilled now by this "
                        "review' (DRILLED_NOW) for a drill the review ran itself")
    latest: bool = Field(description="the newest result for its scenario")
    decides: bool = Field(description="the result the automation's score comes from")


class People(_Model):
    """The names and places rule 8 asks a runbook for; ``None`` where it names none."""

    runbook: str | None = Field(description="the runbook file, when one was given")
    owner: str | None
    backup_owner: str | None
    restart_approver: str | None
    clean_export: str | None = Field(description="where the last clean export lives")
    snapshot: str | None = Field(description="what is copied aside, and where to")
    known: bool = Field(description="False: no runbook was given, only drill reports, so "
                        "just the owner is known")


class Missing(_Model):
    """A missing owner or export, listed with every other automation's for the hand-over."""

    automation: str
    kind: Literal["owner", "export"]
    code: str
    severity: Severity
    message: str
    fix: str
    where: str | None = None


class AutomationReview(_Model):
    """One row of the review and its page: score, risk, last drill, regressions, gaps."""

    rank: int = Field(ge=1, description="1 is the least ready")
    automation: str
    risk: RiskClass
    risk_label: str
    touches: list[str] | None = Field(
        description="what the drills say the automation touches; null: unknown")
    threshold: int
    score: int = Field(ge=0, le=100, description="round(points)")
    points: float = Field(ge=0, le=100, description="the deciding drill's score times the share "
                          "its age keeps; 100 - points is the sum of ``lost``")
    basis: ScoreBasis = Field(
        default="harm", description="harm: the deciding drill's harm score; before-harm: a "
        "report from before harm scores, its own total; paper: never drilled, the runbook's lint")
    ready: bool = Field(description="score at or above the threshold and no gate in any "
                        "scenario's latest drill")
    reasons: list[str] = Field(
        default_factory=list,
        description="what holds it back: a score under the bar and gates (which make it not "
        "ready), an overdue, undated or missing drill, a regression")
    lost: list[LostPoints] = Field(
        default_factory=list, description="every point lost: harm not avoided, deductions, "
        "age (or the report's own total, or lint findings on paper); adds up to 100 - points")
    deciding_score: Score | None = Field(
        default=None, description="the deciding drill's score: its harm beside doing nothing "
        "and the perfect response, deductions, gates and verdict")
    gates: list[ScenarioGate] = Field(
        default_factory=list, description="gates of every scenario's latest drill")
    last_drill: datetime | None = Field(description="when its newest drill was run")
    last_drill_now: bool = Field(
        default=False,
        description="its newest drill was run by this review itself (no team drill is as "
        "new): the date is the review's, not a team's drill of that day")
    age: DrillAge = Field(description="the age of the drill the score comes from")
    deciding_drill: str | None = Field(description="the drill the score comes from "
                                       "(the lowest of its scenarios' latest)")
    checks: list[CheckPoints] = Field(
        default_factory=list, description="on paper only (basis 'paper'): the runbook's lint "
        "findings per check; empty when a drill decides")
    gaps: list[Gap] = Field(description="every gap, costliest first")
    regressions: list[Regression] = Field(default_factory=list)
    drills: list[DrillEntry] = Field(default_factory=list, description="oldest first")
    people: People
    trend: AutomationTrend | None = Field(
        description="score and containment across its drills; none without a drill")
    notes: list[str] = Field(default_factory=list)

    @property
    def regressed(self) -> bool:
        return bool(self.regressions)

    @property
    def critical(self) -> list[Gap]:
        return [g for g in self.gaps if g.finding.severity is Severity.CRITICAL]

    def top_gaps(self, limit: int = 3) -> list[Gap]:
        """The costliest gaps that cost anything (records, minutes or points), then the
        most severe of the rest (medium or above): a drill whose score is already 0 takes
        no deduction, and its serious gaps must still show."""
        costly = [g for g in self.gaps if g.points_lost > 0 or (
            g.finding.cost is not None and not g.finding.cost.is_zero)]
        serious = sorted((g for g in self.gaps if g not in costly
                          and g.finding.severity.rank <= Severity.MEDIUM.rank),
                         key=lambda g: g.finding.severity.rank)
        return [*costly, *serious][:limit]


class InputRef(_Model):
    """One file the review read, or a drill it ran."""

    path: str
    kind: Literal["runbook", "report", "journal", "run"]
    automation: str
    drill_id: str | None = None


class ReadinessReview(_Model):
    """Every automation an advisor reviewed, least ready first; renderers need nothing else."""

    review_version: Literal["1"] = "1"
    title: str
    tool_version: str
    as_of: date = Field(description="the review date drills are aged to")
    generated_at: datetime = Field(description="UTC wall-clock time the review was built")
    rubric: Rubric
    automations: list[AutomationReview] = Field(min_length=1)
    missing: list[Missing] = Field(description="owners and exports missing, all automations")
    inputs: list[InputRef]
    notes: list[str] = Field(default_factory=list)

    def below(self, score: int) -> list[AutomationReview]:
        return [a for a in self.automations if a.score < score]

    @property
    def regressed(self) -> list[AutomationReview]:
        return [a for a in self.automations if a.regressed]

    @property
    def not_ready(self) -> list[AutomationReview]:
        return [a for a in self.automations if not a.ready]

    def headline(self) -> str:
        """'7 automations reviewed as of 2026-04-01: 2 ready, 5 not ready, 1 regressed'."""
        n = len(self.automations)
        ready = n - len(self.not_ready)
        regressed = len(self.regressed)
        return (
            f"{n} automation{'s' if n != 1 else ''} reviewed as of {self.as_of:%Y-%m-%d}: "
            f"{ready} ready, {n - ready} not ready"
            + (f", {regressed} regressed" if regressed else "")
        )
