"""The "Team vs runbook" table of a live drill, as rows every renderer shares.

A live drill's report carries a :class:`~drills.reports.model.Comparison`: the team's real
times and results beside the same seeded drill run by the runbook followed
perfectly. Console, Markdown and HTML all show it as the same three-column table
(what, team, runbook), built here once so the three cannot disagree.
"""

from __future__ import annotations

from drills.reports._present import PHASE_LABELS, fmt_minute, fmt_pct
from drills.reports.model import Comparison, Outcome, ScopeAccuracy

__all__ = ["comparison_rows", "scope_rows"]

_OUTCOME: list[tuple[str, str]] = [
    ("records damaged", "records_damaged"),
    ("damaged after detection", "records_damaged_after_detection"),
    ("records left wrong", "records_left_wrong"),
    ("human edits overwritten", "human_edits_overwritten"),
    ("duplicates left", "duplicates_left"),
    ("messages sent wrongly", "messages_sent_wrongly"),
    ("counts that do not reconcile", "unreconciled"),
]


def comparison_rows(c: Comparison) -> list[tuple[str, str, str]]:
    """(what, team, runbook) rows: each phase's minute, the outcome counts, the score."""
    rows = [(PHASE_LABELS[p.name], fmt_minute(p.team), fmt_minute(p.runbook))
            for p in c.phases]
    for label, name in _OUTCOME:
        rows.append((label, _count(c.team, name), _count(c.runbook, name)))
    rows.append(("score", f"{c.team_score}/100", f"{c.runbook_score}/100"))
    return rows


def _count(outcome: Outcome, name: str) -> str:
    value = getattr(outcome, name)
    return f"{value:,}"


def scope_rows(scope: list[ScopeAccuracy]) -> list[tuple[str, str, str, str, str, str]]:
    """(table, damaged, tagged, found, precision, recall) rows of the submitted scope."""
    return [(s.table, f"{s.damaged:,}", f"{s.tagged:,}", f"{s.found:,}", fmt_pct(s.precision),
             fmt_pct(s.recall)) for s in scope]
