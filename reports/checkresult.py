"""The result of a whole ``drills check``: what every CI output renders, and its JSON.

``drills check`` lints and drills many runbooks; CI systems each read a different
file (GitHub annotations, SARIF, JUnit, JSON). They all render this one model, built
by the command from its runbooks, drills and gates, so a finding has the same file,
line, severity and message in every format. Like the rest of :mod:`drills.reports`
it knows no engine: the command resolves each finding to its runbook line first.

The JSON (``--format json``) is this model as data, with ``schema_version`` so a
reader can tell when its shape changes.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from drills.reports.findings import Finding, cost_text

__all__ = ["CHECK_SCHEMA_VERSION", "CheckResult", "LocatedFinding", "RunbookResult",
           "render_check_json"]

CHECK_SCHEMA_VERSION = "1"
"""Shape of ``drills check --format json``; bumped when a field changes meaning or goes."""


@dataclass(frozen=True)
class LocatedFinding:
    """A finding with the runbook line a reader goes to fix it."""

    finding: Finding
    file: str
    line: int
    key: str
    """The runbook key path it points at (``restart.approver``), '' for the whole file:
    with the code and file, what identifies the finding when its line moves."""
    scenario: str | None = None
    """The drill that found it; None for the lint."""

    @property
    def fingerprint(self) -> str:
        """A stable hash of code, runbook path and key path (never the line)."""
        text = "\0".join((self.finding.code, self.file.replace("\\", "/"), self.key))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True)
class RunbookResult:
    """One runbook's check: its drills' scores, its findings and its verdict."""

    file: str
    automation: str
    scores: tuple[tuple[str, int], ...]
    """(scenario, score out of 100) per drill; empty when no scenario fits (lint only)."""
    passed: bool
    verdict: str
    findings: tuple[LocatedFinding, ...]
    gates: tuple[tuple[str, str | None], ...] = ()
    """(gate, why it failed or None) for each gate the runbook is held to."""


@dataclass(frozen=True)
class CheckResult:
    """Every runbook of one ``drills check``, with when it ran and how long it took."""

    runbooks: tuple[RunbookResult, ...]
    started: datetime
    """Real UTC wall-clock time the check started."""
    seconds: float
    """Real seconds the check took, gap-cost reruns included."""
    backend: str
    tool_version: str
    fail_under: int | None = None

    @property
    def passed(self) -> bool:
        return all(r.passed for r in self.runbooks)

    @property
    def findings(self) -> list[LocatedFinding]:
        return [f for r in self.runbooks for f in r.findings]


def _finding_data(item: LocatedFinding) -> dict[str, Any]:
    f = item.finding
    return {
        "code": f.code, "severity": f.severity.value, "check": f.check.value,
        "file": item.file, "line": item.line, "key": item.key or None,
        "scenario": item.scenario, "message": f.message, "fix": f.fix,
        "cost": None if f.cost is None else {**f.cost.model_dump(mode="json"),
                                             "text": cost_text(f.cost)},
        "fingerprint": item.fingerprint,
    }


def render_check_json(result: CheckResult) -> str:
    """The whole check as JSON: runbooks, scores, verdicts and located findings."""
    data = {
        "schema_version": CHECK_SCHEMA_VERSION,
        "tool": {"name": "drills", "version": result.tool_version},
        "started": result.started.isoformat(),
        "seconds": round(result.seconds, 3),
        "backend": result.backend,
        "fail_under": result.fail_under,
        "verdict": "passed" if result.passed else "failed",
        "runbooks": [{
            "file": r.file, "automation": r.automation,
            "drills": [{"scenario": name, "score": score} for name, score in r.scores],
            "verdict": "passed" if r.passed else "failed",
            "summary": r.verdict,
            "gates": [{"gate": gate, "passed": why is None, "why": why}
                      for gate, why in r.gates],
            "findings": [_finding_data(f) for f in r.findings],
        } for r in result.runbooks],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
