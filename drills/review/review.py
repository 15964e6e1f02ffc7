"""Build a readiness review: read what a team has, drill what was never drilled, score it all.

``build_review`` reads runbooks, drill reports and journals (:mod:`drills.review.inputs`),
runs the scripted drill of each built-in scenario a runbook has no result for yet (the
same pairing of runbook and scenarios as ``drills check``:
:func:`drills.scenarios.loader.builtin_by_automation`), and turns every automation's results
into one :class:`~drills.reports.review.model.AutomationReview`:

- its **risk class** from what its scenarios say it touches (:mod:`drills.review.risk`);
- per scenario, its **latest** result's own harm score (the share of avoidable harm it
  avoided, less deductions) aged to the review date (:mod:`drills.review.rubric`); the
  automation's score is the lowest of them (the weakest drill decides, as in ``drills
  check`` where any drill can fail a runbook), every point lost traced to harm not
  avoided, a deduction or age;
- the **gates** of every scenario's latest drill: any one makes the automation not
  ready whatever its score (a critical finding that cost nothing does not on its own);
- a report from **before harm scores** counts its own total, with a note to drill it
  again;
- a **regression** flag per scenario whose latest result scored lower than the one
  before, or found something new;
- every **gap** of its latest drills with its measured cost and the points it took,
  costliest first; owners and exports missing are also listed review-wide;
- the **trend** of its drills (:class:`drills.reports.multi.MultiReport`).

Automations are ranked least ready first: by score, then by how strict their class is.
A runbook that no built-in scenario drills and no result covers is scored on paper (its
lint findings per check) at the age floor, with a note saying plainly that no drill
scored it and how to drill it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import Literal

from drills.engine.hooks import CodeTrust, named_code, untrusted_message
from drills.findings import finding
from drills.reports.findings import Check, Finding
from drills.reports.model import DrillReport
from drills.reports.multi import MultiReport, run_order
from drills.reports.review.model import (
    DRILLED_NOW,
    AutomationReview,
    DrillAge,
    DrillEntry,
    Gap,
    InputRef,
    LostPoints,
    Missing,
    People,
    ReadinessReview,
    Regression,
    RiskProfile,
    ScenarioGate,
    ScoreBasis,
)
from drills.review.inputs import InputError, Inputs, LoadedResult, collect_inputs
from drills.review.risk import PROFILES, risk_class
from drills.review.rubric import (
    check_points,
    drill_age,
    drill_points,
    never_drilled,
    regression,
    rubric,
    total,
)
from drills.runbook import LoadedRunbook, Runbook, lint_runbook
from drills.scenarios.loader import builtin_by_automation
from drills.scenarios.schema import Scenario
from drills.version import __version__

__all__ = [
    "EXPORT_CODES",
    "OWNER_CODES",
    "RUN_SOURCE",
    "DrillRunner",
    "build_review",
    "drill_runner",
    "review_inputs",
]

OWNER_CODES = frozenset({
    "owner-is-team", "owner-cannot-pause", "missing-backup-owner", "backup-owner-is-team",
    "backup-cannot-pause", "restart-without-approver", "restart-approver-is-team",
    "waited-for-escalation",
})
"""Finding codes that mean a person is missing: nobody named, or nobody who may act."""

EXPORT_CODES = frozenset({"no-snapshot", "no-clean-export", "clean-export-too-old"})
"""Finding codes that mean the data to restore from is missing or too old."""

RUN_SOURCE = DRILLED_NOW
"""The source of a drill the review ran itself: labelled as drilled now by this review,
not as a team drill of the review's day."""

DrillRunner = Callable[[Scenario, Runbook, str], DrillReport]
"""Runs one scripted drill of a runbook (scenario, runbook, runbook file) -> its report."""


def drill_runner(costs: bool) -> DrillRunner:
    """The runner `drills score` uses: :func:`drills.api.run_drill`, with or without costs."""
    def run(scenario: Scenario, runbook: Runbook, path: str) -> DrillReport:
        from drills.api import run_drill  # the engine stack only once there is a drill to run

        return run_drill(scenario, runbook, costs=costs, runbook_path=path)
    return run


def build_review(
    paths: Sequence[Path],
    *,
    as_of: date | None = None,
    costs: bool = True,
    title: str = "Readiness review",
    progress: Callable[[str], None] | None = None,
    trust: CodeTrust | None = None,
) -> ReadinessReview:
    """Read ``paths``, run the drills missing, and build the review (see the module doc).

    ``as_of`` is the review date drills are aged to (default: today in UTC). With
    ``costs`` each gap of a drill run here gets its measured cost (reruns with the gap
    closed; seconds per runbook). ``progress`` hears one line per drill before it runs.
    Code the files name (a runbook's ``call:``, a journal's automation) is imported only
    when ``trust`` allows it (default: the modules ``DRILLS_TRUSTED`` lists).
    """
    inputs = collect_inputs(paths, trust)
    return review_inputs(inputs, as_of=as_of, runner=drill_runner(costs), title=title,
                         progress=progress, trust=trust)


def review_inputs(
    inputs: Inputs,
    *,
    as_of: date | None = None,
    runner: DrillRunner,
    title: str = "Readiness review",
    progress: Callable[[str], None] | None = None,
    trust: CodeTrust | None = None,
) -> ReadinessReview:
    """The review of inputs already read; ``runner`` runs each drill that is missing.

    A runbook whose drill would import code ``trust`` does not allow (default: the
    modules ``DRILLS_TRUSTED`` lists) is not drilled: a note says what it names and how
    to allow it, and it is scored on what else there is.
    """
    trust = trust if trust is not None else CodeTrust.from_env()
    notes = list(inputs.notes)
    untrusted: set[str] = set()
    generated = datetime.now(UTC)
    as_of = as_of or generated.date()
    builtin = builtin_by_automation() if inputs.runbooks else {}
    results = list(inputs.results)
    refs = [InputRef(path=lr.file, kind="runbook", automation=lr.runbook.automation)
            for lr in inputs.runbooks]
    refs += [InputRef(path=r.source, kind=r.kind, automation=r.report.automation,
                      drill_id=r.report.drill_id) for r in inputs.results]
    for loaded in inputs.runbooks:
        auto = loaded.runbook.automation
        drilled = {r.report.scenario.name for r in results if r.report.automation == auto}
        missing = [s for s in builtin.get(auto, []) if s.name not in drilled]
        refused = trust.refused(named_code(None, loaded.runbook)) if missing else []
        if refused:
            notes.append(untrusted_message(loaded.file, refused, "its runbook was not drilled"))
            untrusted.add(auto)
            continue
        for scenario in missing:
            if progress is not None:
                progress(f"drilling {auto} on {scenario.name} ({loaded.file})")
            report = runner(scenario, loaded.runbook, loaded.file)
            results.append(LoadedResult(report, RUN_SOURCE, "run"))
            refs.append(InputRef(path=RUN_SOURCE, kind="run", automation=auto,
                                 drill_id=report.drill_id))

    by_auto: dict[str, list[LoadedResult]] = defaultdict(list)
    for r in results:
        by_auto[r.report.automation].append(r)
    automations = sorted({*by_auto, *(lr.runbook.automation for lr in inputs.runbooks)})
    if not automations:  # every input was set aside, e.g. a journal naming untrusted code
        raise InputError("nothing to score: " + ("; and ".join(notes) or "no automation"))
    rows = [
        _automation(name, inputs.runbook_for(name), by_auto.get(name, []), builtin, as_of,
                    trusted=name not in untrusted)
        for name in automations
    ]
    rows.sort(key=lambda a: (a.score, -a.threshold, a.automation))
    ranked = [a.model_copy(update={"rank": i}) for i, a in enumerate(rows, start=1)]
    return ReadinessReview(
        title=title,
        tool_version=__version__,
        as_of=as_of,
        generated_at=generated,
        rubric=rubric(PROFILES.values()),
        automations=ranked,
        missing=[m for a in ranked for m in _missing(a)],
        inputs=refs,
        notes=notes,
    )


# -- one automation --------------------------------------------------------------------


@cache
def _library() -> dict[str, Scenario]:
    return {s.name: s for group in builtin_by_automation().values() for s in group}


@dataclass(frozen=True)
class _Scored:
    result: LoadedResult
    age: DrillAge
    lost: list[LostPoints]
    score: int
    points: float
    fresh_score: int
    """The drill's own score before age: what regressions compare."""

    @property
    def before_harm(self) -> bool:
        """A report from before harm scores: per-check ``items``, no harm lines."""
        score = self.result.report.score
        return not score.harm and bool(score.items)


def _touches(
    name: str, results: Sequence[LoadedResult], builtin: dict[str, list[Scenario]]
) -> list[str] | None:
    """What the automation touches, from its reports, else from the built-in scenarios."""
    known: list[str] = []
    found = False
    for r in results:
        if r.report.scenario.touches is not None:
            found = True
            known += r.report.scenario.touches
    for scenario in builtin.get(name, []):
        found = True
        known += scenario.automation.touches
    if not found:
        for r in results:
            match = _library().get(r.report.scenario.name)
            if match is not None and match.automation.name == name:
                found = True
                known += match.automation.touches
    return sorted(set(known)) if found else None


def _score(result: LoadedResult, as_of: date) -> _Scored:
    report = result.report
    age = drill_age(report.ran_at, as_of)
    lost, points = drill_points(report.score, age)
    return _Scored(result, age, lost, round(points), points, report.score.value)


def _people(loaded: LoadedRunbook | None, results: Sequence[LoadedResult]) -> People:
    if loaded is None:
        latest = max((r.report for r in results), key=run_order, default=None)
        owner = latest.runbook.owner if latest is not None and latest.runbook else None
        return People(runbook=None, owner=owner, backup_owner=None, restart_approver=None,
                      clean_export=None, snapshot=None, known=False)
    rb = loaded.runbook
    snap = rb.snapshot
    approver = rb.restart.approver if rb.restart is not None else None
    return People(
        runbook=loaded.file,
        owner=rb.owner.name + ("" if rb.owner.can_pause else " (may not pause)"),
        backup_owner=rb.backup_owner.name if rb.backup_owner else None,
        restart_approver=approver.name if approver else None,
        clean_export=rb.last_clean_export.where if rb.last_clean_export else None,
        snapshot=f"{', '.join(snap.export)} to {snap.to}" if snap else None,
        known=True,
    )


def _gaps(latest: Sequence[_Scored], deciding: _Scored | None,
          paper: Sequence[Finding]) -> list[Gap]:
    """Every gap of the latest drills, once each, with the largest measured cost and the
    points it took from the deciding drill; costliest first."""
    lost: dict[tuple[str, str | None], float] = defaultdict(float)
    if deciding is not None:
        for item in deciding.lost:
            if item.kind == "deduction":
                lost[(item.code, item.where)] += item.points
    merged: dict[tuple[str, str | None, str], tuple[Finding, list[str]]] = {}
    sources = [(s.result.report.scenario.name, s.result.report.findings) for s in latest]
    if not latest:
        sources = [("lint", list(paper))]
    for scenario, findings in sources:
        for f in findings:
            key = (f.code, f.where, f.message)
            if key not in merged:
                merged[key] = (f, [scenario])
                continue
            kept, names = merged[key]
            names.append(scenario)
            if _records(f) > _records(kept):
                merged[key] = (f, names)
    gaps = [Gap(finding=f, scenarios=names, points_lost=round(lost.get((f.code, f.where), 0.0), 2))
            for f, names in merged.values()]
    return sorted(gaps, key=_gap_key)


def _records(f: Finding) -> tuple[int, int, float]:
    """(records left wrong, records damaged, minutes to contain) a gap measurably cost.

    Kept apart, never added: a record the gap damaged and left wrong is one record,
    counted in both."""
    c = f.cost
    return (0, 0, 0.0) if c is None else (c.records_left_wrong, c.records_damaged,
                                          c.minutes_to_contain)


def _gap_key(g: Gap) -> tuple[int, int, float, float, int, str, str]:
    """Records left wrong first, then records damaged, then minutes, then points lost,
    then severity: a gap with a measured cost outranks one that only costs points."""
    wrong, damaged, minutes = _records(g.finding)
    return (-wrong, -damaged, -minutes, -g.points_lost, g.finding.severity.rank,
            g.finding.code, g.finding.where or "")


def _automation(
    name: str,
    loaded: LoadedRunbook | None,
    results: list[LoadedResult],
    builtin: dict[str, list[Scenario]],
    as_of: date,
    *,
    trusted: bool = True,
) -> AutomationReview:
    touches = _touches(name, results, builtin)
    risk = risk_class(touches or [])
    profile: RiskProfile = PROFILES[risk]
    notes: list[str] = []
    if touches is None:
        notes.append("what it touches is unknown (its reports predate drills recording it and "
                     "no built-in scenario drills it), so it is scored as standard")

    by_scenario: dict[str, list[LoadedResult]] = defaultdict(list)
    for r in results:
        by_scenario[r.report.scenario.name].append(r)
    scored: dict[str, list[_Scored]] = {
        scenario: [_score(r, as_of) for r in sorted(rs, key=lambda r: run_order(r.report))]
        for scenario, rs in sorted(by_scenario.items())
    }
    latest = [runs[-1] for runs in scored.values()]
    regressions: list[Regression] = []
    for runs in scored.values():
        if len(runs) < 2:
            continue
        last, before = runs[-1], runs[-2]
        found = regression(last.result.report, last.fresh_score,
                           before.result.report, before.fresh_score)
        if found is not None:
            regressions.append(found)

    paper: list[Finding] = []
    checks = []
    basis: ScoreBasis = "harm"
    deciding = min(latest, key=lambda s: (s.points, s.result.report.scenario.name), default=None)
    if deciding is not None:
        lost, score, points, age = deciding.lost, deciding.score, deciding.points, deciding.age
        if deciding.before_harm:
            basis = "before-harm"
    else:
        assert loaded is not None  # an automation comes from a runbook or a result
        paper = lint_runbook(loaded.runbook, source=loaded.file, positions=loaded.positions)
        age = never_drilled()
        checks = check_points(paper, profile, age)
        score, points = total(checks)
        lost = sorted((x for c in checks for x in c.lost), key=lambda x: (-x.points, x.code))
        basis = "paper"
        why = ("its runbook names code that is not trusted, so it was not drilled"
               if not trusted else f"no built-in scenario drills '{name}'")
        notes.append(f"not drilled: {why}. No drill scored it, so it is scored on paper "
                     "(its runbook's lint, per check) at the age floor, which no runbook "
                     "clears; drill it with 'drills run SCENARIO --runbook "
                     f"{loaded.file} --out DIR' and add the report")
    for s in latest:
        report = s.result.report
        if s.before_harm:
            notes.append(f"{s.result.source}: drill {report.drill_id} predates harm scores "
                         f"(scored per rubric check), so its own total {report.score.value} "
                         "counts as it was; drill it again to score its harm")
        if s.age.status == "undated":
            notes.append(f"{s.result.source}: drill {report.drill_id} does not say when it ran "
                         "(written before drills recorded ran_at), so it counts as old")
        elif report.ran_at is not None and report.ran_at.astimezone(UTC).date() > as_of:
            notes.append(f"drill {report.drill_id} ran after the review date "
                         f"({as_of:%Y-%m-%d}); it counts as current")

    gaps = _gaps(latest, deciding, paper)
    gates = [ScenarioGate(scenario=s.result.report.scenario.name,
                          drill_id=s.result.report.drill_id, code=g.code, message=g.message)
             for s in latest for g in s.result.report.score.gates]
    reasons = []
    if score < profile.threshold:
        reasons.append(f"score {score} is under the {profile.threshold} a {profile.label} "
                       "automation needs")
    reasons += [f"gate {g.code.value} in {g.scenario}: {g.message}" for g in gates]
    interrupted = [s.result.report for s in latest if not s.result.report.score.scored]
    reasons += [f"drill {r.drill_id} ({r.scenario.name}) was interrupted: no score, it counts 0"
                for r in interrupted]
    if age.status == "overdue":
        reasons.append(f"last drill {age.age_days} days ago (due every quarter)")
    elif age.status in ("undated", "never"):
        reasons.append("never drilled" if age.status == "never" else "drill date unknown")
    reasons += [f"regressed in {r.scenario}: {r.summary}" for r in regressions]
    ready = score >= profile.threshold and not gates

    deciding_id = deciding.result.report.drill_id if deciding is not None else None
    entries = [
        DrillEntry(
            drill_id=s.result.report.drill_id, scenario=s.result.report.scenario.name,
            ran_at=s.result.report.ran_at, drill_score=s.result.report.score.value,
            score=s.fresh_score, age=s.age, source=s.result.source, latest=s is runs[-1],
            decides=s is deciding)
        for runs in scored.values() for s in runs
    ]
    entries.sort(key=lambda e: (e.ran_at is not None,
                                e.ran_at.timestamp() if e.ran_at else 0.0, e.drill_id))
    dated = [r.report.ran_at for r in results if r.report.ran_at is not None]
    # The newest drill is the review's own when no team drill given is as new.
    newest = max(((r.report.ran_at, r.kind == "run") for r in results
                  if r.report.ran_at is not None), default=None)
    trend = MultiReport(title=name, reports=[r.report for r in results]).trends()[0] \
        if results else None
    return AutomationReview(
        rank=1,
        automation=name,
        risk=risk,
        risk_label=profile.label,
        touches=touches,
        threshold=profile.threshold,
        score=score,
        points=points,
        basis=basis,
        ready=ready,
        reasons=reasons,
        lost=lost,
        deciding_score=deciding.result.report.score if deciding is not None else None,
        gates=gates,
        last_drill=max(dated, default=None),
        last_drill_now=newest is not None and newest[1],
        age=age,
        deciding_drill=deciding_id,
        checks=checks,
        gaps=gaps,
        regressions=regressions,
        drills=entries,
        people=_people(loaded, results),
        trend=trend,
        notes=notes,
    )


def _missing(a: AutomationReview) -> list[Missing]:
    out = []
    if not a.people.known and a.people.owner is None:
        gap = finding("no-runbook", check=Check.COMPLETENESS, variant="review")
        out.append(Missing(automation=a.automation, kind="owner", code=gap.code,
                           severity=gap.severity, message=gap.message, fix=gap.fix))
    for g in a.gaps:
        f = g.finding
        kind: Literal["owner", "export"]
        if f.code in OWNER_CODES:
            kind = "owner"
        elif f.code in EXPORT_CODES:
            kind = "export"
        else:
            continue
        out.append(Missing(automation=a.automation, kind=kind, code=f.code, severity=f.severity,
                           message=f.message, fix=f.fix, where=f.where))
    return sorted(out, key=lambda m: (m.kind != "owner", m.severity.rank, m.code))
