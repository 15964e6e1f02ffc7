"""The score in words and rows, the same in every renderer.

A report's :class:`~drills.reports.model.Score` sets the drill's harm beside doing nothing
and the perfect response (docs/scoring.md). Console, Markdown, HTML and JUnit all show
that side by side, the deductions for gaps that cost nothing, the gates and the verdict;
this module words them once so the formats never disagree.
"""

from __future__ import annotations

from drills.reports.model import DrillReport, HarmLine, HarmUnit, Score

__all__ = [
    "deduction_text",
    "harm_cell",
    "harm_rows",
    "points_text",
    "score_title",
    "summary_lines",
    "verdict_text",
]


def harm_cell(value: float | None, unit: HarmUnit) -> str:
    """A count as a report shows it: ``1,204``, ``6.5`` minutes, ``-`` when not measured."""
    if value is None:
        return "-"
    if unit in (HarmUnit.LIVE_MINUTES, HarmUnit.HEALTHY_MINUTES_PAUSED):
        return f"{value:,.1f}".removesuffix(".0")
    return f"{value:,.0f}"


def points_text(value: float | None) -> str:
    return "-" if value is None else f"{value:,.1f}".removesuffix(".0")


def harm_rows(score: Score) -> list[tuple[str, str, str, str, str]]:
    """(unit, weight, this drill, doing nothing, perfect) per harm unit, then the harm
    points of each; units all three responses leave at zero are left out."""
    rows: list[tuple[str, str, str, str, str]] = []
    for line in score.harm:
        if not _any(line):
            continue
        rows.append((line.label, f"{line.weight:g}", harm_cell(line.run, line.unit),
                     harm_cell(line.nothing, line.unit), harm_cell(line.perfect, line.unit)))
    rows.append(("harm points", "", points_text(score.run_points),
                 points_text(score.nothing_points), points_text(score.perfect_points)))
    return rows


def _any(line: HarmLine) -> bool:
    return bool(line.run or line.nothing or line.perfect)


def score_title(report: DrillReport) -> str:
    """``Score 87/100 · ready`` or ``No score: the drill was interrupted at minute 12``."""
    score = report.score
    if score.total is None:
        minute = score.interrupted_minute
        at = f" at minute {minute:.0f}" if minute is not None else ""
        return f"No score: the drill was interrupted{at}"
    if score.verdict is None:
        return f"Score {score.total}/100"
    return f"Score {score.total}/100 · {verdict_text(score)}"


def verdict_text(score: Score) -> str:
    v = score.verdict
    if v is None:
        return ""
    risk = v.risk.replace("_", " ")
    if v.ready:
        return f"ready (needs {v.threshold} for {risk}, no gate)"
    return f"NOT READY (needs {v.threshold} for {risk}, and no gate)"


def deduction_text(points: float) -> str:
    return f"-{points:g} point" + ("" if points == 1 else "s")


def summary_lines(score: Score) -> list[str]:
    """The score's story in plain lines: how it was worked out, deductions, gates, why."""
    if score.total is None:
        return [score.basis or "no score: the drill was interrupted; this is what was done "
                "so far"]
    if not score.harm and score.items:
        return ["scored per rubric check (a report from before the harm-based score)"]
    out = [f"Share of avoidable harm avoided: {score.basis}."] if score.basis else []
    for d in score.deductions:
        reason = d.reason.rsplit(":", 1)[0]
        out.append(f"{d.code} ({d.severity.value}): {reason}: {deduction_text(d.points)}")
    for g in score.gates:
        out.append(f"GATE {g.code.value}: {g.message}")
    if score.verdict is not None and not score.verdict.ready:
        gated = {g.message for g in score.gates}
        out += [f"not ready: {why}" for why in score.verdict.reasons if why not in gated]
    return out
