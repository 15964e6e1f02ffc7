"""Sample drill reports as the engine will fill them: the invoice-reminder drill run
against the good runbook and against the flawed one (shared/examples/).

The numbers hold together the way a real report's do: the timeline is cumulative
damage from per-system rates, every system's ``damaged`` is the timeline's last
point, ``after_detection`` is the last point minus the point at detection, and the
outcome's totals are the systems' sums. Renderer tests can then check a chart or a
table against the report and trust that a mismatch is the renderer's fault.

Golden files live in ``tests/data/reports/``; regenerate them after a deliberate
change of output with ``DRILLS_REGEN_GOLDEN=1 pytest tests/reports``.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, TypeVar

import pytest
from pydantic import BaseModel

from drills.judging.harm import Harm
from drills.judging.points import score as judge_score
from drills.reports.drafts import customer_message, first_note, restart_checklist
from drills.reports.findings import Check, Finding, GapCost, Severity
from drills.reports.model import (
    Comms,
    DamagePoint,
    DrillReport,
    LogEntry,
    Outcome,
    Phase,
    PhaseName,
    Reconcile,
    RunbookRef,
    ScenarioRef,
    Score,
    SentNote,
    StepRecord,
    SystemDamage,
    ThreeTimes,
)

GOLDEN = Path(__file__).parent.parent / "data" / "reports"
REGEN = os.environ.get("DRILLS_REGEN_GOLDEN") == "1"

RUN_STARTED = datetime(2026, 3, 2, 9, 10, 0)
SYSTEMS = ["billing", "email", "warehouse", "crm", "support"]


def check_golden(name: str, text: str) -> None:
    """Compare ``text`` with ``tests/data/reports/<name>``; DRILLS_REGEN_GOLDEN=1 rewrites it."""
    path = GOLDEN / name
    if REGEN:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no golden file {path}; create it with DRILLS_REGEN_GOLDEN=1"
    expected = path.read_text(encoding="utf-8")
    assert text == expected, (
        f"output differs from {path}; if the change is deliberate, regenerate with "
        "DRILLS_REGEN_GOLDEN=1 pytest tests/reports and review the diff"
    )


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


class Page(HTMLParser):
    """Every element with its attributes, and a check that tags nest properly."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.text: list[str] = []
        self.styles: list[str] = []
        self._in_style = False
        self.feed(text)
        self.close()
        if self.stack:
            self.errors.append(f"unclosed: {self.stack}")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {k: v or "" for k, v in attrs}))
        self._in_style = tag == "style"
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        (self.styles if self._in_style else self.text).append(data)

    def find(self, tag: str | None = None, **attrs: str) -> list[dict[str, str]]:
        want = {k.replace("_", "-"): v for k, v in attrs.items()}
        return [a for t, a in self.elements if (tag is None or t == tag)
                and all(a.get(k) == v for k, v in want.items())]

    def with_attr(self, name: str) -> list[tuple[str, dict[str, str]]]:
        return [(t, a) for t, a in self.elements if name in a]


@dataclass(frozen=True)
class _Plan:
    """How one drill went, in minutes after the bad run started."""

    phases: dict[PhaseName, float | None]
    end: float
    minutes: list[float]
    rates: dict[str, Callable[[float], float]]


def _ramp(rate: float, until: float) -> Callable[[float], float]:
    return lambda t: rate * min(t, until)


def _good_plan() -> _Plan:
    def billing(t: float) -> float:  # job paused at 3.5; the chained logger drains until 7
        return 8 * min(t, 3.5) + 2 * min(max(t - 3.5, 0), 3.5)

    def warehouse(t: float) -> float:  # copies billing.activity every five minutes
        return billing(math.floor(t / 5) * 5)

    return _Plan(
        phases={
            PhaseName.RUN_STARTED: 0.0,
            PhaseName.DETECTED: 1.5,
            PhaseName.PAUSED: 3.5,
            PhaseName.CONTAINED: 7.0,
            PhaseName.FIRST_NOTE: 10.0,
            PhaseName.SNAPSHOT: 12.0,
            PhaseName.SCOPED: 27.0,
            PhaseName.REPAIRED: 57.0,
            PhaseName.VERIFIED: 67.0,
            PhaseName.RESTARTED: 80.0,
        },
        end=80.0,
        minutes=[i / 2 for i in range(21)] + [20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0],
        rates={"billing": billing, "email": _ramp(8, 4.5), "warehouse": warehouse,
               "crm": lambda t: 0.0, "support": lambda t: 0.0},
    )


def _flawed_plan() -> _Plan:
    def email(t: float) -> float:  # the outbox keeps draining its backlog until 47
        return 8 * min(t, 20) + 4 * min(max(t - 20, 0), 27)

    def billing(t: float) -> float:  # the chained activity-logger keeps logging until 47
        return 8 * min(t, 20) + 2 * min(max(t - 20, 0), 27)

    def warehouse(t: float) -> float:
        return billing(math.floor(t / 5) * 5)

    return _Plan(
        phases={
            PhaseName.RUN_STARTED: 0.0,
            PhaseName.DETECTED: 18.0,
            PhaseName.PAUSED: 20.0,
            PhaseName.CONTAINED: 47.0,
            PhaseName.FIRST_NOTE: 61.0,
            PhaseName.SNAPSHOT: None,
            PhaseName.SCOPED: 80.0,
            PhaseName.REPAIRED: 170.0,
            PhaseName.VERIFIED: None,
            PhaseName.RESTARTED: None,
        },
        end=180.0,
        minutes=[float(m) for m in range(0, 52, 2)] + [60.0, 90.0, 120.0, 150.0, 180.0],
        rates={"billing": billing, "email": email, "warehouse": warehouse,
               "crm": lambda t: 0.0, "support": lambda t: 0.0},
    )


_HOW: dict[PhaseName, tuple[str, str]] = {
    # phase: (good drill, flawed drill)
    PhaseName.RUN_STARTED: ("due-date edit batch b-0412 hit the reminder rule",
                            "due-date edit batch b-0412 hit the reminder rule"),
    PhaseName.DETECTED: ("stop rule duplicate_messages >= 5 fired",
                         "customer complaint: 'I got the same reminder three times'"),
    PhaseName.PAUSED: ("Dana Whitfield paused the invoice-reminder job",
                       "Finance team paused the invoice-reminder job"),
    PhaseName.CONTAINED: ("queue, webhook and chained job shut off",
                          "support lead stopped email.outbox by hand (not in runbook)"),
    PhaseName.FIRST_NOTE: ("first note in #finance-ops", "first note after shadow fixes began"),
    PhaseName.SNAPSHOT: ("export of billing, email, warehouse to exports/", ""),
    PhaseName.SCOPED: ("scope by run_id and window over billing, email, warehouse",
                       "scope by window over billing only"),
    PhaseName.REPAIRED: ("script: sample of 20, then 10%, 50%, 100%", "manual edits, one by one"),
    PhaseName.VERIFIED: ("reconciled billing, email and warehouse counts", ""),
    PhaseName.RESTARTED: ("approved by Dana Whitfield; test invoice, then 1, 10, normal", ""),
}


def _timeline(plan: _Plan, start: datetime) -> list[DamagePoint]:
    points = []
    for minute in plan.minutes:
        by_system = {name: int(rate(minute)) for name, rate in plan.rates.items()}
        points.append(DamagePoint(minute=minute, at=start + timedelta(minutes=minute),
                                  damaged=sum(by_system.values()), by_system=by_system))
    return points


def _at(start: datetime, minute: float | None) -> datetime | None:
    return None if minute is None else start + timedelta(minutes=minute)


def _findings_flawed() -> list[Finding]:
    def f(code: str, severity: Severity, check: Check, message: str, fix: str,
          cost: tuple[int, int, float] | None, where: str | None = None) -> Finding:
        gap = None if cost is None else GapCost(
            records_damaged=cost[0], records_left_wrong=cost[1], minutes_to_contain=cost[2])
        return Finding(code=code, severity=severity, check=check, message=message,
                       fix=fix, cost=gap, where=where)

    rb = "invoice-reminder.flawed.runbook.yaml"
    c, h, m = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM
    return [
        f("owner-not-a-person", c, Check.COMPLETENESS,
          "The owner is a team ('Finance team'); nobody named may pause without a meeting.",
          "Name one person as owner, with can_pause: true.", (64, 0, 11.0), f"{rb}:2"),
        f("no-backup-owner", m, Check.COMPLETENESS,
          "No backup owner: when the owner is away, nobody may pause.",
          "Add backup_owner with a name and a role.", None, f"{rb}:2"),
        f("no-last-clean-export", h, Check.COMPLETENESS,
          "The runbook does not say where the last clean export lives.",
          "Add last_clean_export: where it lives and how often it is made.", (0, 7, 0.0)),
        f("stop-rule-not-checkable", h, Check.DETECTION,
          "Stop rule 'pause if something looks wrong' cannot be checked by anyone.",
          "Write a countable rule, e.g. duplicate_messages >= 5.", (88, 0, 14.0), f"{rb}:4"),
        f("queue-not-paused", c, Check.CONTAINMENT,
          "email.outbox kept sending for 27 min after the job was paused.",
          "Add {stop_queue: email.outbox} to the pause steps.", (108, 108, 27.0), f"{rb}:5"),
        f("chained-job-not-paused", h, Check.CONTAINMENT,
          "The chained activity-logger kept writing activity entries until minute 47.",
          "Add {disable_feeder: activity-logger} to the pause steps.", (54, 54, 0.0),
          f"{rb}:5"),
        f("no-snapshot", c, Check.REPAIR,
          "Nobody exported the affected records before the first hand edit.",
          "Add a snapshot step (export billing, email, warehouse) before any repair.",
          (0, 7, 0.0)),
        f("scope-by-window-only", h, Check.SCOPING,
          "Scope by time window alone tagged 41 legitimate edits as wrong.",
          "Scope by run_id and window: scope: {by: [run_id, window]}.", (0, 24, 0.0),
          f"{rb}:7"),
        f("downstream-not-scoped", h, Check.SCOPING,
          "email and warehouse were never checked: 482 damaged records there were missed.",
          "List every system the data is copied to under scope.systems.", (0, 482, 0.0),
          f"{rb}:7"),
        f("manual-repair-at-scale", m, Check.REPAIR,
          "214 records were repaired by hand over 90 min with no sample and no stages.",
          "Repair with a script: a sample of 20, then stages of 10%, 50%, 100%.",
          (0, 0, 0.0), f"{rb}:8"),
        f("no-reconcile", h, Check.VERIFICATION,
          "Counts were never reconciled: billing.activity 1,308 vs warehouse 1,498.",
          "Add verify: {reconcile: [billing, email, warehouse]}.", (0, 24, 0.0)),
        f("first-note-late", h, Check.COMMS,
          "The first note went out at minute 61; shadow fixes began at minute 50.",
          "Send a first note within 15 min: comms: {first_note_within: 15m}.", (0, 7, 0.0)),
        f("no-customer-message", Severity.LOW, Check.COMMS,
          "The runbook has no customer message; the drill used a drafted one.",
          "Add comms.customer_message in the team's own words.", None),
        f("no-restart-approver", m, Check.RESTART,
          "Nobody is named to approve a restart.",
          "Add restart.approver with a name and a role.", None, f"{rb}:9"),
        f("restart-not-reached", Severity.INFO, Check.RESTART,
          "The drill ended before a restart; the restart steps were not exercised.",
          "Run the drill again with a longer window once repair is scripted.", None),
    ]


def _findings_good() -> list[Finding]:
    return [
        Finding(code="pause-steps-serial", severity=Severity.LOW, check=Check.CONTAINMENT,
                message="Four pause steps ran one after another: containment took 5.5 min.",
                fix="Let the backup owner stop the queue while the owner pauses the job.",
                cost=GapCost(records_damaged=9, records_left_wrong=0, minutes_to_contain=2.0),
                where="invoice-reminder.runbook.yaml:9"),
        Finding(code="restart-watch-short", severity=Severity.INFO, check=Check.RESTART,
                message="The restart watch of 10 min ended before the next reminder batch.",
                fix="Watch until the first scheduled batch has run: restart.watch: 30m.",
                where="invoice-reminder.runbook.yaml:33"),
    ]


def _harm_score(
    systems: list[SystemDamage], outcome: Outcome, findings: list[Finding], flawed: bool
) -> Score:
    """The score the real judge gives this drill's harm, set between two fixed baselines."""
    run = Harm(
        left_wrong={s.system: s.left_wrong for s in systems if s.left_wrong},
        damaged=outcome.records_damaged,
        sent_wrongly=292 if flawed else 12,
        live_minutes=52.0 if flawed else 4.5,
        human_edits_overwritten=outcome.human_edits_overwritten,
        damaged_by_system={s.system: s.damaged for s in systems},
    )
    nothing = Harm(left_wrong={"billing": 1600, "email": 1600, "warehouse": 1600},
                   damaged=4800, sent_wrongly=1600, live_minutes=119.0, shadow_fixes=40,
                   damaged_by_system={"billing": 1600, "email": 1600, "warehouse": 1600})
    perfect = Harm(damaged=run.damaged if not flawed else 150, sent_wrongly=12,
                   live_minutes=4.5, damaged_by_system=dict(run.damaged_by_system))
    return judge_score(findings, run, nothing, perfect, ["customer_messages", "money"],
                 contained=outcome.contained)


def _steps_and_log(flawed: bool, start: datetime) -> tuple[list[StepRecord], list[LogEntry]]:
    def at(minute: float) -> datetime:
        return start + timedelta(minutes=minute)

    if flawed:
        raw = [
            ("pause", "pause_job", "invoice-reminder", "Priya Nair", 18.0, 20.0, "paused"),
            ("pause", "stop_queue", "email.outbox", "Sam Okafor", 45.0, 47.0,
             "improvised: not in the runbook"),
            ("scope", "scope by window", "billing", "Priya Nair", 61.0, 80.0, "262 changed"),
            ("repair", "manual repair", "billing.activity", "Finance team", 80.0, 170.0,
             "190 repaired, 24 left"),
        ]
        notes = [
            (6.0, "Sam Okafor", "ticket T-2211: customer asks why they got three reminders"),
            (12.0, "Sam Okafor", "ticket T-2214: second customer with duplicate reminders"),
            (18.0, "Priya Nair", "detected: complaints point at the invoice-reminder rule"),
            (19.0, "Priya Nair", "looking for who may pause the rule; owner is 'Finance team'"),
            (24.0, "Sam Okafor", "duplicate reminders still going out after the pause"),
            (33.0, "Lena Brandt", "ticket T-2230: customer says reminder says amount is due twice"),
            (50.0, "Marco Ruiz", "deleted 3 duplicate activity entries by hand (shadow fix)"),
            (54.0, "Marco Ruiz", "deleted 4 more duplicate activity entries by hand"),
            (61.0, "Priya Nair", "first note sent to #finance"),
            (95.0, "Priya Nair", "warehouse dashboard still shows doubled reminder counts"),
            (172.0, "Priya Nair",
             "repair done as far as billing goes; email and warehouse not checked"),
        ]
    else:
        raw = [
            ("pause", "pause_job", "invoice-reminder", "Dana Whitfield", 1.5, 3.5, "paused"),
            ("pause", "stop_queue", "email.outbox", "Dana Whitfield", 3.5, 4.5, "stopped"),
            ("pause", "disable_feeder", "billing.invoice-updated", "Luis Ortega", 4.5, 5.5,
             "disabled"),
            ("pause", "disable_feeder", "activity-logger", "Luis Ortega", 5.5, 7.0, "disabled"),
            ("snapshot", "export", "billing, email, warehouse", "Luis Ortega", 7.0, 12.0,
             "3 exports with manifest"),
            ("scope", "scope by run_id and window", "billing, email, warehouse", "Luis Ortega",
             12.0, 27.0, "109 changed: 106 wrong, 2 safe, 1 unclear"),
            ("repair", "script, sample of 20", "billing.activity", "Luis Ortega", 27.0, 37.0,
             "20 repaired, checked"),
            ("repair", "script, stages 10%, 50%, 100%", "billing, email, warehouse",
             "Luis Ortega", 37.0, 57.0, "106 repaired"),
            ("verify", "reconcile", "billing, email, warehouse", "Dana Whitfield", 57.0, 67.0,
             "all counts match"),
            ("restart", "test invoice, then 1, 10, normal", "invoice-reminder",
             "Dana Whitfield", 70.0, 80.0, "restarted; watching 10 min"),
        ]
        notes = [
            (1.5, "drills", "stop rule fired: duplicate_messages >= 5"),
            (10.0, "Dana Whitfield", "first note sent to #finance-ops"),
            (30.0, "Dana Whitfield", "update 1: scope done, repair by script under way"),
            (60.0, "Dana Whitfield", "update 2: repaired and reconciled; restart at 10:20"),
        ]
    steps = [
        StepRecord(section=sec, action=act, target=tgt, who=who, started=at(a), finished=at(b),
                   minutes=b - a, outcome=out)
        for sec, act, tgt, who, a, b, out in raw
    ]
    entries = [LogEntry(at=at(b), who=who, what=f"{act} {tgt}: {out}")
               for _, act, tgt, who, _a, b, out in raw]
    entries += [LogEntry(at=at(m), who=who, what=what) for m, who, what in notes]
    entries.sort(key=lambda e: e.at)
    return steps, entries


def build_report(
    *, flawed: bool, started: datetime = RUN_STARTED, drill_id: str | None = None,
    seed: int = 1729,
) -> DrillReport:
    """The invoice-reminder drill against the flawed or the good runbook, from ``started``."""
    plan = _flawed_plan() if flawed else _good_plan()
    timeline = _timeline(plan, started)
    last = timeline[-1].by_system
    detected = plan.phases[PhaseName.DETECTED]
    at_detection = next(p for p in timeline if p.minute == detected).by_system

    if flawed:
        tags = {  # changed, wrong, safe, unclear, repaired (billing only was scoped)
            "billing": (262, 198, 41, 23, 190),
        }
        true_hits = {"billing": 214}
    else:
        tags = {"billing": (38, 35, 2, 1, 35), "email": (36, 36, 0, 0, 36),
                "warehouse": (35, 35, 0, 0, 35)}
        true_hits = {"billing": 35, "email": 36, "warehouse": 35}
    systems = []
    for name in SYSTEMS:
        damaged = last[name]
        changed, wrong, safe, unclear, repaired = tags.get(name, (0, 0, 0, 0, 0))
        hits = true_hits.get(name, 0)
        systems.append(SystemDamage(
            system=name, damaged=damaged, after_detection=damaged - at_detection[name],
            scoped=name in tags, changed=changed, wrong=wrong, safe=safe, unclear=unclear,
            precision=hits / changed if changed else None,
            recall=hits / damaged if damaged else None,
            repaired=repaired, left_wrong=damaged - repaired,
        ))

    phases = [
        Phase(name=name, at=_at(started, minute), minute=minute,
              how=_HOW[name][1 if flawed else 0] if minute is not None else "")
        for name, minute in plan.phases.items()
    ]
    contained = plan.phases[PhaseName.CONTAINED]
    outcome = Outcome(
        records_damaged=sum(s.damaged for s in systems),
        records_damaged_after_detection=sum(s.after_detection for s in systems),
        records_left_wrong=sum(s.left_wrong for s in systems),
        human_edits_overwritten=7 if flawed else 0,
        duplicates_left=292 if flawed else 0,
        unreconciled=2 if flawed else 0,
        minutes_to_detect=detected,
        minutes_to_contain=contained,
        contained=contained is not None,
        restarted=plan.phases[PhaseName.RESTARTED] is not None,
    )
    if flawed:
        reconcile = [
            Reconcile(left="billing.activity", right="warehouse.billing_activity",
                      left_count=1308, right_count=1498, mismatched=214),
            Reconcile(left="email.outbox reminders", right="billing.activity reminders",
                      left_count=1576, right_count=1308, mismatched=268),
        ]
        findings = _findings_flawed()
    else:
        reconcile = [
            Reconcile(left="billing.activity", right="warehouse.billing_activity",
                      left_count=1284, right_count=1284, mismatched=0),
            Reconcile(left="email.outbox reminders", right="billing.activity reminders",
                      left_count=1284, right_count=1284, mismatched=0),
        ]
        findings = _findings_good()
    score = _harm_score(systems, outcome, findings, flawed)
    paused_at = _at(started, plan.phases[PhaseName.PAUSED])
    note_minute = plan.phases[PhaseName.FIRST_NOTE]
    note_at = _at(started, note_minute)
    assert note_at is not None
    email_damaged = last["email"] if not flawed else at_detection["email"]
    note = first_note(
        "invoice-reminder", started,
        paused=["the invoice-reminder job"] if flawed else
        ["the invoice-reminder job", "the email.outbox queue",
         "the billing.invoice-updated webhook", "the activity-logger chained job"],
        wrong=[f"about {email_damaged} duplicate reminder emails went to customers",
               "the billing activity log has duplicate reminder entries"],
        normal=["invoice amounts", "due dates", "payments"],
        next_update=None if flawed else note_at + timedelta(hours=1),
        owner=None if flawed else "Dana Whitfield",
    )
    assert note_minute is not None
    sent: list[SentNote] = []
    minutes: list[float] = [note_minute] if flawed else [note_minute, note_minute + 20,
                                                         note_minute + 40]
    for i, minute in enumerate(minutes):
        point = [p for p in timeline if p.minute <= minute][-1]
        sent.append(SentNote(
            at=started + timedelta(minutes=minute), minute=minute,
            who="Priya Nair" if flawed else "Dana Whitfield",
            kind="first note" if i == 0 else "update",
            text="" if flawed else ["reminders paused; duplicates being marked",
                                    "scope done: repair by script under way",
                                    "repair done; counts reconcile"][i],
            records_damaged=point.damaged, by_system=dict(point.by_system),
            records_repaired=0 if i == 0 else 106 * i // 2,
            job_paused=paused_at is not None and started + timedelta(minutes=minute) >= paused_at,
            contained=contained is not None and minute >= contained,
        ))
    comms = Comms(
        first_note=note, first_note_at=note_at, updates_sent=0 if flawed else 2, sent=sent,
        customer_message=customer_message(
            "our billing system sent some invoice reminders more than once",
            started, unaffected=["your invoice", "the amount due"],
            contact="billing@example.com", signed="The billing team",
        ) if flawed else (
            "Earlier today our billing system sent some invoice reminders more than once. "
            "Nothing about your invoice changed and you need not do anything. Just reply "
            "if something looks wrong to you."
        ),
    )
    checklist = restart_checklist(
        cause=None if flawed else
        "The reminder rule fired once per changed field instead of once per edit.",
        unreconciled=outcome.unreconciled,
        test_record_ok=None if flawed else True,
        tiny_batch_ok=None if flawed else True,
        normal_volume=not flawed,
        on_duty=None if flawed else "Luis Ortega",
        approver=None if flawed else "Dana Whitfield",
    )
    steps, log = _steps_and_log(flawed, started)
    last_change = 50.0 if flawed else 10.0
    return DrillReport(
        drill_id=drill_id or f"d-{started:%Y%m%d-%H%M}-{'flawed' if flawed else 'good'}",
        tool_version="0.1.0",
        responder="scripted",
        seed=seed,
        backend="sqlite:///drills/d-1729.sqlite",
        scenario=ScenarioRef(
            name="invoice-triple-trigger",
            title="Invoice reminder rule fires three times on one due-date edit",
            summary="A finance clerk edits invoice due dates. The reminder rule treats each "
                    "edit as three triggers: the customer gets three reminder emails in ten "
                    "minutes and the activity log gets three entries.",
            fault="triple_trigger", systems=list(SYSTEMS),
        ),
        runbook=RunbookRef(
            automation="invoice-reminder",
            path=f"invoice-reminder{'.flawed' if flawed else ''}.runbook.yaml",
            owner="Finance team" if flawed else "Dana Whitfield",
        ),
        automation="invoice-reminder",
        started=started,
        finished=started + timedelta(minutes=plan.end),
        wall_seconds=5.2 if flawed else 3.8,
        phases=phases,
        times=ThreeTimes(run_started=started, paused=paused_at,
                         last_changed_data=started + timedelta(minutes=last_change)),
        timeline=timeline,
        systems=systems,
        outcome=outcome,
        reconcile=reconcile,
        steps=steps,
        log=log,
        findings=findings,
        score=score,
        comms=comms,
        restart_checklist=checklist,
    )


def quarterly_series() -> list[DrillReport]:
    """The same automation drilled each quarter (getting better), and a second automation,
    deliberately out of order so trend code must sort by drill start."""
    q3 = build_report(flawed=True, started=datetime(2025, 9, 1, 9, 10), drill_id="d-2025q3")
    q4_base = build_report(flawed=True, started=datetime(2025, 12, 1, 9, 10),
                           drill_id="d-2025q4")
    q4 = q4_base.model_copy(update={
        "score": q4_base.score.model_copy(update={"total": 58}),
        "outcome": q4_base.outcome.model_copy(update={"minutes_to_contain": 21.0}),
    })
    q1 = build_report(flawed=False, started=datetime(2026, 3, 2, 9, 10), drill_id="d-2026q1")
    other_base = build_report(flawed=False, started=datetime(2026, 1, 12, 14, 0),
                              drill_id="d-sync-2026q1")
    other = other_base.model_copy(update={
        "automation": "crm-billing-contact-sync",
        "scenario": other_base.scenario.model_copy(
            update={"name": "contact-status-into-billing-terms"}),
        "score": other_base.score.model_copy(update={"total": 71}),
        "outcome": other_base.outcome.model_copy(
            update={"minutes_to_contain": None, "contained": False}),
    })
    return [q1, other, q3, q4]


@pytest.fixture(scope="session")
def good_report() -> DrillReport:
    return build_report(flawed=False)


@pytest.fixture(scope="session")
def flawed_report() -> DrillReport:
    return build_report(flawed=True)


@pytest.fixture(params=["good", "flawed"], scope="session")
def report(request: pytest.FixtureRequest) -> DrillReport:
    return build_report(flawed=request.param == "flawed")


NASTY = "\x1b[2J\x1b]0;owned\x07\u202e\u200b\x9b"
"""Clear the screen, retitle the terminal, turn right to left, hide a space, a C1 CSI."""

_M = TypeVar("_M", bound=BaseModel)


def poisoned(model: _M) -> _M:
    """``model`` with ``NASTY`` appended to every text in it, however deep (unvalidated:
    the point is what the renderer does with any text, not what a file may hold)."""

    def walk(value: Any) -> Any:
        if type(value) is str:
            return value + NASTY
        if isinstance(value, BaseModel):
            return value.model_copy(
                update={name: walk(getattr(value, name)) for name in type(value).model_fields})
        if type(value) in (list, tuple):
            return type(value)(walk(item) for item in value)
        if type(value) is dict:
            return {k: walk(v) for k, v in value.items()}
        return value

    done: _M = walk(model)
    return done


def assert_no_raw_controls(text: str) -> None:
    raw = sorted({c for c in text if c != "\n" and not c.isprintable()})
    assert not raw, f"raw characters a terminal acts on: {raw}"
    assert "\\x1b]0;owned\\x07" in text

