"""Rule 7 as the drill saw it: whether the restart had its proof, and what it cost.

A restart needs the exact cause (one that names the mechanism, :func:`cause_problem`), a
test record run through the job and checked (:mod:`drills.engine.proof`), a tiny batch,
then normal volume, someone on watch, and an approver who is a named person other than
the one who restarts. The checklist says each of those from what happened in the drill,
never from what the runbook promised: a test record that came out wrong is "failed",
with what was wrong; one never run is "not run".

A restart while the fault is live does the damage again: the runtime counts those
records (``runtime.redamaged``) and the fact is :attr:`DrillResult.restarted_with_fault`,
the gate a score cannot buy.
"""

from __future__ import annotations

from typing import Any

from drills.engine.loop import DrillResult
from drills.findings import finding
from drills.reports.drafts import restart_checklist
from drills.reports.findings import Finding, Severity
from drills.reports.model import ChecklistItem
from drills.runbook import not_a_person
from drills.runbook.proof import cause_problem, same_person

__all__ = ["restart_checklist_for", "restart_findings", "restarter"]


def restarter(result: DrillResult) -> str | None:
    """Who restarted the job (the first restart step's person), or None."""
    return next((s.who for s in result.steps
                 if s.section == "restart" and s.action == "restart"), None)


def restart_findings(result: DrillResult) -> list[Finding]:
    """A restart while the fault was live (and the damage it did again), and an approver
    who is the person who restarted the job."""
    out: list[Finding] = []
    runtime = result.runtime
    restart: Any = getattr(result.runbook, "restart", None)
    cause = getattr(restart, "cause", None)
    if result.restarted_with_fault:
        n = len(runtime.redamaged)
        again = (f"{n:,} record{'s were' if n != 1 else ' was'} damaged again after the "
                 "restart" if n else "nothing was left for it to damage this time; the next "
                 "run would be")
        at = next((o.at for o in result.outcomes
                   if o.section == "restart" and o.action != "pause_job" and o.ok),
                  runtime.restarted_at)
        out.append(finding("restarted-with-fault", where="restart.cause", at=at,
                           why=cause_problem(cause) if cause else "was never written down",
                           again=again))
    approver = getattr(getattr(restart, "approver", None), "name", None)
    owner = getattr(getattr(result.runbook, "owner", None), "name", None)
    who = restarter(result)
    # The owner approving is the lint's to say (on paper); the drill adds the case only a
    # drill shows: the owner was away and the approver restarted the job themselves.
    if approver and not same_person(approver, owner) and same_person(approver, who):
        out.append(finding("restart-without-approver", where="restart.approver",
                           severity=Severity.HIGH, variant="restarter_approves",
                           approver=approver))
    return out


def restart_checklist_for(result: DrillResult, unreconciled: int) -> list[ChecklistItem]:
    """The restart checklist of a drill's report, from what the drill did."""
    rb: Any = result.runbook
    runtime = result.runtime
    restart: Any = getattr(rb, "restart", None)
    cause = getattr(restart, "cause", None)
    ramp = list(getattr(restart, "ramp", []) or [])
    # An interrupted drill may not have got to the restart step: its tests were not run.
    tried = not result.interrupted or any(o.section == "restart" for o in result.outcomes)
    test_ok: bool | None = None
    test_detail: str | None = None
    records = list(runtime.test_records)
    if records:
        failed = [t for t in records if not t.ok]
        test_ok = not failed
        test_detail = (failed or records)[0].detail
    else:
        tests = [o for o in result.outcomes if o.section == "restart" and o.action == "test"]
        if tests:  # a live team's tests: the last one is the proof (a retry after the fix)
            test_ok = tests[-1].ok
            test_detail = tests[-1].detail
    ran = bool(records) or any(
        o.section == "restart" and o.action == "test" for o in result.outcomes)
    if not ran and not (getattr(restart, "test", None) and tried):
        test_ok, test_detail = None, None
    restarted = runtime.restarted_at is not None
    batch_ok: bool | None = None
    batch_detail: str | None = None
    if ramp and restarted and tried:
        batch_ok = not result.restarted_with_fault
        n = len(runtime.redamaged)
        batch_detail = (f"the first batch of {ramp[0]} came out right" if batch_ok else
                        "the fault came back: " + (f"{n:,} record{'s' if n != 1 else ''} "
                                                   "damaged again" if n else
                                                   "the job ran with it still in place"))
    approver = getattr(getattr(restart, "approver", None), "name", None)
    who = restarter(result) or getattr(getattr(rb, "owner", None), "name", None)
    approver_why = None
    if approver is not None:
        approver_why = not_a_person(approver) or (
            "the one who restarts the job approves it: nobody else checks the proof"
            if same_person(approver, who) else None)
    return restart_checklist(
        cause=cause,
        cause_why=cause_problem(cause) if cause else None,
        unreconciled=unreconciled,
        test_record_ok=test_ok,
        test_record_detail=test_detail,
        tiny_batch_ok=batch_ok,
        tiny_batch_detail=batch_detail,
        normal_volume=restarted and not result.restarted_with_fault,
        on_duty=getattr(getattr(rb, "owner", None), "name", None)
        if getattr(restart, "watch", None) else None,
        approver=approver,
        approver_why=approver_why,
    )
