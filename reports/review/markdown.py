"""The readiness review as Markdown: the hand-over document, in a wiki or a pull request.

It reads top to bottom as an advisor presents it: the ranking (least ready first), the
owners and exports missing across every automation, then one section per automation
with the harm of the drill its score comes from beside doing nothing and the perfect
response, its deductions and gates, every point lost named (harm not avoided, a
deduction, age), every gap with its measured cost and the points its deduction took,
its drills and their ages, its regressions and its trend. The rubric used closes the
document, so the numbers can be checked by hand.
"""

from __future__ import annotations

from drills.reports._present import cost_text, fmt_minute
from drills.reports.findings import Severity
from drills.reports.markdown import md_escape, md_table
from drills.reports.review.model import AutomationReview, ReadinessReview
from drills.reports.review.present import (
    LOST_KINDS,
    basis_text,
    drill_age,
    drill_run,
    last_drill,
    lost_text,
    lost_total,
    points,
    verdict,
)
from drills.reports.scoretext import harm_rows, summary_lines

__all__ = ["render_review_markdown"]


def _code(text: str) -> str:
    return f"`{text}`"


def _ranking(review: ReadinessReview) -> str:
    rows = []
    for a in review.automations:
        top = "; ".join(f"{_code(g.finding.code)} ({md_escape(cost_text(g.finding.cost))}, "
                        f"{points(g.points_lost)} pts)" for g in a.top_gaps()) or "none"
        rows.append([
            str(a.rank), f"[{md_escape(a.automation)}](#{_anchor(a)})", md_escape(a.risk_label),
            f"{a.score}/100", str(a.threshold),
            f"**{verdict(a)}**" + (" · regressed" if a.regressed else ""),
            md_escape(last_drill(a)), top,
        ])
    return md_table(["#", "automation", "risk", "score", "needs", "verdict", "last drill",
                     "top gaps (cost)"], rows, "rllrrlll")


def _anchor(a: AutomationReview) -> str:
    return a.automation.lower()


def _people(review: ReadinessReview) -> list[str]:
    rows = []
    for a in review.automations:
        p = a.people

        def cell(value: str | None, known: bool = p.known) -> str:
            if value is not None:
                return md_escape(value)
            return "**missing**" if known else "unknown (no runbook given)"

        rows.append([md_escape(a.automation), cell(p.owner, True), cell(p.backup_owner),
                     cell(p.restart_approver), cell(p.clean_export), cell(p.snapshot)])
    out = ["## Owners and exports missing", "",
           md_table(["automation", "owner", "backup owner", "restart approver",
                     "last clean export", "snapshot"], rows), ""]
    if review.missing:
        out += [md_table(
            ["automation", "missing", "gap", "severity", "what is wrong", "fix"],
            [[md_escape(m.automation), m.kind, _code(m.code), m.severity.value,
              md_escape(m.message), md_escape(m.fix)] for m in review.missing]), ""]
    else:
        out += ["Every automation names its owners and its exports.", ""]
    return out


def _automation(a: AutomationReview) -> list[str]:
    out = [f'<a id="{_anchor(a)}"></a>', "",
           f"## {a.rank}. {md_escape(a.automation)}: {a.score}/100, {verdict(a)}", ""]
    touches = ", ".join(a.touches) if a.touches is not None else "unknown"
    out.append(f"Risk class **{md_escape(a.risk_label)}** (touches: {md_escape(touches)}), "
               f"needs {a.threshold}. Last drill {md_escape(last_drill(a))}; the score "
               "comes from "
               + (f"drill `{a.deciding_drill}`." if a.deciding_drill else "the runbook on paper."))
    out.append("")
    if a.reasons:
        out += [f"- {md_escape(r)}" for r in a.reasons] + [""]
    out += _points(a)
    out += ["### Gaps, costliest first", ""]
    if a.gaps:
        out += [md_table(
            ["gap", "severity", "check", "measured cost", "points", "what is wrong", "fix"],
            [[_code(g.finding.code), g.finding.severity.value, g.finding.check.value,
              md_escape(cost_text(g.finding.cost)), points(g.points_lost),
              md_escape(g.finding.message), md_escape(g.finding.fix)] for g in a.gaps],
            "lllrrll"), ""]
    else:
        out += ["No gaps.", ""]
    if a.regressions:
        out += ["### Regressed", ""]
        out += [f"- {md_escape(r.scenario)}: {md_escape(r.summary)}" for r in a.regressions]
        out.append("")
    if a.drills:
        out += ["### Drills", "", md_table(
            ["drill", "scenario", "run", "age", "drill score", "score here", "from"],
            [[_code(d.drill_id) + (" (decides)" if d.decides else ""), md_escape(d.scenario),
              md_escape(drill_run(d)), md_escape(drill_age(d)), str(d.drill_score),
              str(d.score),
              md_escape(d.source)] for d in a.drills],
            "llllrrl"), ""]
    if a.trend is not None and len(a.trend.points) > 1:
        t = a.trend
        out += ["Trend: " + " → ".join(f"{p.score}" for p in t.points)
                + f" (to contain: {' → '.join(fmt_minute(p.minutes_to_contain) for p in t.points)})"
                + f"; fixed since the drill before: {', '.join(t.fixed) or 'none'}; "
                f"new: {', '.join(t.new) or 'none'}.", ""]
    if a.notes:
        out += [f"> {md_escape(n)}" for n in a.notes] + [""]
    return out


def _points(a: AutomationReview) -> list[str]:
    """Where the points went: the deciding drill's harm beside doing nothing and the
    perfect response, its deductions and gates, and every point lost (they add up)."""
    out = ["### Where the points went", "", md_escape(basis_text(a)), ""]
    s = a.deciding_score
    if s is not None and s.harm:
        out += [md_table(["harm", "weight", "this drill", "do nothing", "perfect"],
                         [[md_escape(c) for c in row] for row in harm_rows(s)], "lrrrr"), ""]
        out += [f"- {md_escape(line)}" for line in summary_lines(s)] + [""]
    others = [g for g in a.gates if g.drill_id != a.deciding_drill]
    if others:
        out += ["Gates in its other scenarios (not ready whatever the score):", ""]
        out += [f"- `{g.code.value}` in {md_escape(g.scenario)} (drill `{g.drill_id}`): "
                f"{md_escape(g.message)}" for g in others] + [""]
    if a.checks:
        out += [md_table(
            ["check", "points", "of", "lost to"],
            [[c.check.value, points(c.points), points(c.max_points),
              md_escape(lost_text(c.lost))] for c in a.checks]
            + [["**total**", f"**{points(a.points)}**", "100", f"score {a.score}"]],
            "lrrl"), ""]
    out += [md_table(
        ["points lost to", "kind", "points", "why"],
        [[_code(x.code) + (f" ({md_escape(x.where)})" if x.where else ""), LOST_KINDS[x.kind],
          points(x.points), md_escape(x.reason)] for x in a.lost]
        + [["**total**", "", f"**{points(round(100 - a.points, 2))}**",
            f"{lost_total(a)}: score {a.score}"]], "llrl"), ""]
    return out


def render_review_markdown(review: ReadinessReview) -> str:
    out = [f"# {md_escape(review.title)}", "", f"{md_escape(review.headline())}. Ranked least "
           "ready first; a score is out of 100 and *needs* is the bar its risk class sets.", "",
           "## Ranking", "", _ranking(review), ""]
    out += _people(review)
    for a in review.automations:
        out += _automation(a)
    r = review.rubric
    shares = ", ".join(f"{s.value} {r.severity_share[s]:g}" for s in Severity
                       if r.severity_share.get(s))
    out += ["## The rubric", "",
            "An automation's score is its weakest scenario's latest drill score: the share "
            "of avoidable harm the drill avoided, between doing nothing and the perfect "
            "response on the same seed, less small deductions for gaps that cost nothing. "
            "A gate in any scenario (never contained, records left wrong in a money or "
            "customer-message system, a restart with the fault live) makes it not ready "
            "whatever the score. A report from before harm scores counts its own total. "
            "A runbook never drilled is scored on paper: each lint finding costs a share of "
            f"its check's points ({shares}), by the weights below. "
            f"A drill counts fully for {r.cadence_days} days, then loses "
            f"{r.decay_per_cadence * 100:g}% of its credit per further {r.cadence_days} days, "
            f"down to {r.floor * 100:g}%; an undated or missing drill counts "
            f"{r.floor * 100:g}%. See docs/scoring.md.", "",
            md_table(["risk class", "needs", *[c.value for c in r.profiles[0].weights]],
                     [[md_escape(p.label), str(p.threshold), *[str(w) for w in p.weights.values()]]
                      for p in r.profiles], "lr" + "r" * len(r.profiles[0].weights)), ""]
    if review.notes:
        out += ["## Notes", ""] + [f"- {md_escape(n)}" for n in review.notes] + [""]
    out.append(f"Review as of {review.as_of:%Y-%m-%d}, written "
               f"{review.generated_at:%Y-%m-%d %H:%M} UTC by drills {review.tool_version}.")
    out.append("")
    return "\n".join(out)
