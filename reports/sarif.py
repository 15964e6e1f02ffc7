"""``drills check --format sarif``: SARIF 2.1.0, for code scanning dashboards.

GitHub code scanning, GitLab and Azure DevOps read SARIF. The rules come from the
finding registry (passed in as :class:`Rule`, since the reports know no registry): the
rule ``id`` is the stable finding code, its ``helpUri`` points at the shipped docs, and
its default level follows the code's usual severity. Each finding is one result at its
runbook line, with a ``partialFingerprints`` hash of code, runbook path and key path
(not the line), so a finding keeps its identity when lines above it move. A finding
the team accepted (``[[tool.drills.accept]]``) carries an ``external`` suppression
with its reason, which code scanning shows as dismissed. The output is checked in the
tests against the OASIS SARIF 2.1.0 JSON schema (``tests/data/sarif``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from drills.reports.checkresult import CheckResult, LocatedFinding
from drills.reports.findings import Severity

__all__ = ["INFORMATION_URI", "LEVELS", "SARIF_SCHEMA", "Rule", "render_sarif", "uri_of"]

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://pypi.org/project/drills/"
LEVELS: dict[Severity, str] = {
    Severity.CRITICAL: "error", Severity.HIGH: "error", Severity.MEDIUM: "warning",
    Severity.LOW: "note", Severity.INFO: "note",
}
"""SARIF ``level`` for each severity."""


@dataclass(frozen=True)
class Rule:
    """One registered finding code as a SARIF rule."""

    code: str
    summary: str
    severity: Severity
    help_uri: str


def uri_of(file: str) -> str:
    """The runbook path relative to the current folder when it is under it, '/'-separated."""
    path = Path(file)
    if path.is_absolute():
        try:
            path = path.relative_to(Path.cwd())
        except ValueError:
            return path.as_uri()
    return os.fspath(path).replace(os.sep, "/")


def _result(item: LocatedFinding, index: dict[str, int]) -> dict[str, Any]:
    f = item.finding
    text = f"{f.message} (fix: {f.fix})"
    if item.scenario:
        text += f" [drill {item.scenario}]"
    out: dict[str, Any] = {
        "ruleId": f.code,
        "level": LEVELS[f.severity],
        "message": {"text": text},
        "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": uri_of(item.file)},
            "region": {"startLine": item.line},
        }}],
        "partialFingerprints": {"drillsFinding/v1": item.fingerprint},
        "properties": {"severity": f.severity.value, "check": f.check.value},
    }
    if f.code in index:
        out["ruleIndex"] = index[f.code]
    if item.accepted is not None:  # shown, not counted: SARIF's own word for it
        out["suppressions"] = [{"kind": "external", "status": "accepted",
                                "justification": item.accepted}]
    return out


def _end(result: CheckResult) -> str:
    from datetime import timedelta

    end = result.started + timedelta(seconds=result.seconds)
    return end.isoformat().replace("+00:00", "Z")


def render_sarif(result: CheckResult, rules: Sequence[Rule], *,
                 information_uri: str = INFORMATION_URI) -> str:
    """The SARIF log of one check: one run, the registry's rules, one result per finding."""
    index = {rule.code: i for i, rule in enumerate(rules)}
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "drills",
                "version": result.tool_version,
                "informationUri": information_uri,
                "rules": [{
                    "id": rule.code,
                    "shortDescription": {"text": rule.summary},
                    "helpUri": rule.help_uri,
                    "defaultConfiguration": {"level": LEVELS[rule.severity]},
                    "properties": {"severity": rule.severity.value},
                } for rule in rules],
            }},
            "invocations": [{"executionSuccessful": True,
                             "endTimeUtc": _end(result),
                             "startTimeUtc": result.started.isoformat().replace("+00:00", "Z")}],
            "results": [_result(item, index) for item in result.findings],
        }],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"
