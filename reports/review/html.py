"""The readiness review as one self-contained HTML page: the document an advisor hands over.

Like the drill report (:mod:`drills.reports.html`): one file, inline CSS and SVG, no script,
no font, nothing fetched, so it opens offline years later and prints cleanly (each
automation's page starts on a new sheet). The page is a summary (cards and the
ranking), the owners and exports of every automation together, then one page per
automation: the harm of the drill its score comes from beside doing nothing and the
perfect response, its deductions and gates, every lost point named, its trend across drills
(the score and minutes-to-contain charts of :func:`drills.reports.multi.trend_svg`),
regressions, every gap with its cost, and its drills. Every number a test may want to
check is in a ``data-*`` attribute (``data-score``, ``data-points``, ``data-lost``,
``data-code``). Jinja2 autoescaping keeps a ``<`` in a runbook's owner name text.
"""

from __future__ import annotations

from drills.reports.findings import Check, Severity
from drills.reports.html import template_environment
from drills.reports.multi import trend_svg
from drills.reports.review.model import ReadinessReview
from drills.reports.review.present import (
    LOST_KINDS,
    age_text,
    basis_text,
    drill_age,
    drill_run,
    last_drill,
    lost_total,
    short_age,
    short_cost,
    verdict,
    when,
)
from drills.reports.scoretext import harm_rows, summary_lines

__all__ = ["render_review_html"]


def render_review_html(review: ReadinessReview) -> str:
    """The whole page as one string: HTML5, inline CSS and SVG, nothing external."""
    template = template_environment().get_template("review.html.j2")
    shares = [(s.value, f"{review.rubric.severity_share[s]:g}") for s in Severity
              if review.rubric.severity_share.get(s)]
    return template.render(
        v=review,
        charts={a.automation: (trend_svg(a.trend, "score"), trend_svg(a.trend, "minutes"))
                for a in review.automations if a.trend is not None},
        owners_missing=sum(1 for m in review.missing if m.kind == "owner"),
        exports_missing=sum(1 for m in review.missing if m.kind == "export"),
        checks=list(Check),
        shares=shares,
        verdict=verdict, when=when, age_text=age_text, short_age=short_age,
        last_drill=last_drill, drill_run=drill_run, drill_age=drill_age,
        short_cost=short_cost, basis_text=basis_text, lost_total=lost_total,
        lost_kinds=LOST_KINDS, harm_rows=harm_rows, summary_lines=summary_lines,
    )
