"""``drills check --format gitlab``: GitLab Code Quality JSON, for the merge request widget.

GitLab reads a ``codequality`` report artifact: a JSON array of issues, each with a
``description``, a ``check_name``, a ``fingerprint`` (what GitLab compares between the
base and the merge request to say which issues are new or fixed), a ``severity``
(``info``, ``minor``, ``major``, ``critical`` or ``blocker``) and a ``location`` with
the file ``path`` and ``lines.begin``. The fingerprint is the finding's stable hash of
code, runbook path and key path, never its line. A finding the team accepted stays
listed, as ``info`` and saying why, so the widget never hides what the check saw.
"""

from __future__ import annotations

import json
from typing import Any

from drills.reports.checkresult import CheckResult, LocatedFinding
from drills.reports.findings import Severity
from drills.reports.sarif import uri_of

__all__ = ["SEVERITIES", "render_gitlab"]

SEVERITIES: dict[Severity, str] = {
    Severity.CRITICAL: "blocker", Severity.HIGH: "critical", Severity.MEDIUM: "major",
    Severity.LOW: "minor", Severity.INFO: "info",
}
"""GitLab's severity for each of ours: a critical finding blocks a launch."""


def _issue(item: LocatedFinding) -> dict[str, Any]:
    f = item.finding
    text = f"{f.code}: {f.message} (fix: {f.fix})"
    if item.scenario:
        text += f" [drill {item.scenario}]"
    if item.accepted:
        text += f" [accepted: {item.accepted}]"
    return {
        "type": "issue",
        "description": text,
        "check_name": f.code,
        "fingerprint": item.fingerprint,
        "severity": "info" if item.accepted else SEVERITIES[f.severity],
        "categories": ["Bug Risk"],
        "location": {"path": uri_of(item.file), "lines": {"begin": item.line}},
    }


def render_gitlab(result: CheckResult) -> str:
    """Every finding as a Code Quality issue (an empty array when there is none)."""
    return json.dumps([_issue(item) for item in result.findings], indent=2,
                      ensure_ascii=False) + "\n"
