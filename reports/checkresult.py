"""The result of a whole ``drills check``: what every CI output renders, and its JSON.

``drills check`` lints and drills many runbooks; CI systems each read a different
file (GitHub annotations, GitLab Code Quality, SARIF, JUnit, JSON). They all render
this one model, built by the command from its runbooks, drills and gates, so a finding
has the same file, line, severity and message in every format. Like the rest of
:mod:`drills.reports` it knows no engine: the command resolves each finding to its
runbook line first.

The JSON (``--format json``) is this model as data, with ``schema_version`` so a
reader can tell when its shape changes; :func:`parse_check_json` reads it back, which
is how ``drills check --merge`` joins the results of a CI matrix's shards, and how a
cached drill is reused (:class:`DrillResult` alone).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from drills.errors import DrillsError
from drills.reports.findings import Finding, cost_text

__all__ = [
    "CHECK_SCHEMA_VERSION",
    "Acceptance",
    "CheckPoints",
    "CheckResult",
    "DrillResult",
    "Gate",
    "LocatedFinding",
    "Policy",
    "RunbookResult",
    "drill_data",
    "parse_check_json",
    "parse_drill",
    "render_check_json",
]

CHECK_SCHEMA_VERSION = "2"
"""Shape of ``drills check --format json``; bumped when a field changes meaning or goes.
2: each drill's points, time and seed; the lint apart; gates as objects; the policy."""


class CheckJsonError(DrillsError):
    """A file given to ``drills check --merge`` that is not a ``--format json`` result."""


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
    accepted: str | None = None
    """Why the team accepts it (``[[tool.drills.accept]]``); None when it counts."""

    @property
    def fingerprint(self) -> str:
        """A stable hash of code, runbook path and key path (never the line)."""
        text = "\0".join((self.finding.code, self.file.replace("\\", "/"), self.key))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True)
class CheckPoints:
    """One rubric check's points in one drill."""

    check: str
    points: float
    max_points: float
    lost_to: tuple[str, ...] = ()


@dataclass(frozen=True)
class DrillResult:
    """One drill of one runbook: its score, real time and every finding at its line."""

    scenario: str
    score: int
    seconds: float
    """Real seconds the drill took, its gap-cost reruns included."""
    started: datetime | None
    """Real UTC time the drill started."""
    seed: int
    backend: str
    drill_id: str
    headline: str
    checks: tuple[CheckPoints, ...]
    findings: tuple[LocatedFinding, ...]
    """Everything the drill's report lists, the lint's findings included (with the
    cost this drill measured for them)."""
    gate_reasons: tuple[str, ...] = ()
    """Why the drill fails the job whatever its score (the report's own gates)."""
    cached: bool = False
    """Read from the cache: the inputs were unchanged since a run that drilled it."""


@dataclass(frozen=True)
class Gate:
    """One gate a runbook (or the job) is held to, and why it failed (None: passed)."""

    name: str
    why: str | None = None

    @property
    def passed(self) -> bool:
        return self.why is None


@dataclass(frozen=True)
class Acceptance:
    """A finding code the team accepts (in one runbook, or all), why, and until when."""

    code: str
    reason: str
    expires: date
    runbook: str | None = None
    where: str = ""
    """``FILE:LINE`` of the acceptance in the configuration, for the line an expiry prints."""


@dataclass(frozen=True)
class Policy:
    """What decides the verdict: the settings every shard of a matrix must share."""

    fail_on: str = "critical"
    fail_under: int | None = None
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    accepts: tuple[Acceptance, ...] = ()


@dataclass(frozen=True)
class RunbookResult:
    """One runbook's check: its lint, its drills, the findings shown and its verdict."""

    file: str
    automation: str
    lint: tuple[LocatedFinding, ...]
    drills: tuple[DrillResult, ...]
    findings: tuple[LocatedFinding, ...]
    """What a reader is shown: lint and drill findings once each, after select and ignore,
    accepted ones marked, in file order."""
    gates: tuple[Gate, ...]
    verdict: str
    linted_at: datetime | None = None

    @property
    def passed(self) -> bool:
        return all(g.passed for g in self.gates)

    @property
    def scores(self) -> tuple[tuple[str, int], ...]:
        """(scenario, score out of 100) per drill; empty when not drilled (lint only)."""
        return tuple((d.scenario, d.score) for d in self.drills)


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
    policy: Policy = field(default_factory=Policy)
    job_gates: tuple[Gate, ...] = ()
    """Gates of the whole job, not of one runbook: an expired acceptance."""
    shard: str | None = None
    """``K/N`` when this is one shard of a CI matrix's check."""

    @property
    def fail_under(self) -> int | None:
        return self.policy.fail_under

    @property
    def gates(self) -> list[Gate]:
        return [g for r in self.runbooks for g in r.gates] + list(self.job_gates)

    @property
    def passed(self) -> bool:
        return all(g.passed for g in self.gates)

    @property
    def findings(self) -> list[LocatedFinding]:
        return [f for r in self.runbooks for f in r.findings]


# -- JSON ------------------------------------------------------------------------------------


def _finding_data(item: LocatedFinding) -> dict[str, Any]:
    f = item.finding
    return {
        "code": f.code, "severity": f.severity.value, "check": f.check.value,
        "file": item.file, "line": item.line, "key": item.key or None,
        "scenario": item.scenario, "message": f.message, "fix": f.fix, "where": f.where,
        "cost": None if f.cost is None else {**f.cost.model_dump(mode="json"),
                                             "text": cost_text(f.cost)},
        "accepted": item.accepted,
        "fingerprint": item.fingerprint,
    }


def _finding(data: dict[str, Any]) -> LocatedFinding:
    cost = data.get("cost")
    finding = Finding.model_validate({
        "code": data["code"], "severity": data["severity"], "check": data["check"],
        "message": data["message"], "fix": data["fix"], "where": data.get("where"),
        "cost": None if cost is None else {k: v for k, v in cost.items() if k != "text"},
    })
    return LocatedFinding(finding, data["file"], int(data["line"]), data.get("key") or "",
                          data.get("scenario"), data.get("accepted"))


def _time(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def drill_data(drill: DrillResult) -> dict[str, Any]:
    """One drill as data (the cache keeps this, and the check's JSON lists it)."""
    return {
        "scenario": drill.scenario, "score": drill.score, "seconds": round(drill.seconds, 3),
        "started": None if drill.started is None else drill.started.isoformat(),
        "seed": drill.seed, "backend": drill.backend, "drill_id": drill.drill_id,
        "headline": drill.headline,
        "checks": [{"check": c.check, "points": c.points, "max_points": c.max_points,
                    "lost_to": list(c.lost_to)} for c in drill.checks],
        "findings": [_finding_data(f) for f in drill.findings],
        "gate_reasons": list(drill.gate_reasons),
        "cached": drill.cached,
    }


def parse_drill(data: dict[str, Any]) -> DrillResult:
    """:func:`drill_data` read back."""
    return DrillResult(
        scenario=data["scenario"], score=int(data["score"]), seconds=float(data["seconds"]),
        started=_time(data.get("started")), seed=int(data["seed"]), backend=data["backend"],
        drill_id=data["drill_id"], headline=data["headline"],
        checks=tuple(CheckPoints(c["check"], float(c["points"]), float(c["max_points"]),
                                 tuple(c["lost_to"])) for c in data["checks"]),
        findings=tuple(_finding(f) for f in data["findings"]),
        gate_reasons=tuple(data.get("gate_reasons", ())), cached=bool(data.get("cached")),
    )


def _gate_data(gate: Gate) -> dict[str, Any]:
    return {"gate": gate.name, "passed": gate.passed, "why": gate.why}


def render_check_json(result: CheckResult) -> str:
    """The whole check as JSON: runbooks, drills, findings, gates and the verdict."""
    p = result.policy
    data = {
        "schema_version": CHECK_SCHEMA_VERSION,
        "tool": {"name": "drills", "version": result.tool_version},
        "started": result.started.isoformat(),
        "seconds": round(result.seconds, 3),
        "backend": result.backend,
        "shard": result.shard,
        "policy": {"fail_on": p.fail_on, "fail_under": p.fail_under,
                   "select": list(p.select), "ignore": list(p.ignore),
                   "accept": [{"code": a.code, "runbook": a.runbook, "reason": a.reason,
                               "expires": a.expires.isoformat(), "where": a.where}
                              for a in p.accepts]},
        "fail_under": p.fail_under,
        "verdict": "passed" if result.passed else "failed",
        "job_gates": [_gate_data(g) for g in result.job_gates],
        "runbooks": [{
            "file": r.file, "automation": r.automation,
            "linted_at": None if r.linted_at is None else r.linted_at.isoformat(),
            "drills": [drill_data(d) for d in r.drills],
            "lint": [_finding_data(f) for f in r.lint],
            "verdict": "passed" if r.passed else "failed",
            "summary": r.verdict,
            "gates": [_gate_data(g) for g in r.gates],
            "findings": [_finding_data(f) for f in r.findings],
        } for r in result.runbooks],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def parse_check_json(text: str, source: str) -> CheckResult:
    """A ``--format json`` result read back; anything else is one :class:`CheckJsonError`
    naming ``source``."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise CheckJsonError(f"{source}:{err.lineno}: not JSON ({err.msg}); give the files "
                             "'drills check --format json' wrote") from None
    if not isinstance(data, dict) or data.get("tool", {}).get("name") != "drills" \
            or "runbooks" not in data:
        raise CheckJsonError(f"{source}: not a 'drills check --format json' result; give "
                             "the files each shard wrote with --format json --output")
    if data.get("schema_version") != CHECK_SCHEMA_VERSION:
        raise CheckJsonError(
            f"{source}: a check result of schema {data.get('schema_version')!r}, this drills "
            f"reads {CHECK_SCHEMA_VERSION!r}; run every shard with the same drills version")
    try:
        p = data["policy"]
        return CheckResult(
            runbooks=tuple(RunbookResult(
                file=r["file"], automation=r["automation"],
                lint=tuple(_finding(f) for f in r["lint"]),
                drills=tuple(parse_drill(d) for d in r["drills"]),
                findings=tuple(_finding(f) for f in r["findings"]),
                gates=tuple(Gate(g["gate"], g["why"]) for g in r["gates"]),
                verdict=r["summary"], linted_at=_time(r.get("linted_at")),
            ) for r in data["runbooks"]),
            started=datetime.fromisoformat(data["started"]), seconds=float(data["seconds"]),
            backend=data["backend"], tool_version=data["tool"]["version"],
            policy=Policy(p["fail_on"], p["fail_under"], tuple(p["select"]),
                          tuple(p["ignore"]), tuple(
                              Acceptance(a["code"], a["reason"],
                                         date.fromisoformat(a["expires"]), a["runbook"],
                                         a["where"]) for a in p["accept"])),
            job_gates=tuple(Gate(g["gate"], g["why"]) for g in data["job_gates"]),
            shard=data.get("shard"),
        )
    except (KeyError, TypeError, ValueError) as err:
        raise CheckJsonError(f"{source}: a check result with a missing or wrong field "
                             f"({err}); give the files each shard wrote unchanged") from None
