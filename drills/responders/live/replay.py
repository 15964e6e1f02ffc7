"""Live drills from their journals: the actions read back, a report rebuilt, a drill resumed.

A live drill's world is seeded, and everything the team did is journaled as an
``action`` event with its drill time, who and the command as typed. Replaying those
actions at those times on the same scenario, runbook and seed rebuilds the very world
the team left - which is how ``drills report JOURNAL`` judges a live drill that was
killed (up to its last journaled moment, marked interrupted) and how
``drills live --resume JOURNAL`` carries one on.
"""

from __future__ import annotations

import re
from datetime import datetime

from drills.engine.loop import Drill
from drills.journal import Journal, JournalError
from drills.reports.model import DrillReport
from drills.reports.writer import FORMATS
from drills.responders.live.commands import ACTIONS
from drills.responders.live.drill import DEFAULT_SPEED, LivePlan, speed_problem
from drills.responders.live.grade import grade_live
from drills.responders.live.pacer import ReplayPacer
from drills.responders.live.responder import JournaledAction, LiveResponder

__all__ = ["journaled_actions", "name_problem", "plan_from_journal", "report_from_live_journal"]


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a team member's (typed as a prompt prefix), else None."""
    if not re.fullmatch(r"[A-Za-z][\w.-]{0,31}", name, flags=re.ASCII):
        return ("cannot be typed as a prefix; use letters, digits, '.', '-' or '_', "
                "starting with a letter")
    if name.lower() in ACTIONS or name.lower() == "export":
        return "is also an action; choose another name"
    return None


def _team(journal: Journal) -> tuple[str, ...]:
    team = journal.header.extra.get("team", ["team"])
    where = f"{journal.path}:1: the journal header's team"
    edited = "drills writes it, so the file was edited: restore it from a copy"
    if not isinstance(team, list) or not team or not all(isinstance(n, str) for n in team):
        shown = repr(team) if len(repr(team)) <= 40 else repr(team)[:37] + "..."
        raise JournalError(f"{where} is {shown}, not a list of names; {edited}")
    for name in team:
        problem = name_problem(name)
        if problem is not None:
            raise JournalError(f"{where} name {name[:40]!r} {problem}; {edited}")
    if len({n.lower() for n in team}) != len(team):
        raise JournalError(f"{where} names someone twice; {edited}")
    return tuple(team)


def _speed(journal: Journal) -> float:
    speed = journal.header.extra.get("speed", DEFAULT_SPEED)
    problem = speed_problem(speed)
    if problem is not None:
        raise JournalError(
            f"{journal.path}:1: the journal header's speed {problem}; drills writes it, so "
            "the file was edited: restore it from a copy"
        )
    return float(speed)


def _out(journal: Journal) -> tuple[str | None, tuple[str, ...]]:
    """Where the drill's reports go: the header's ``out`` and ``formats`` (``drills live
    --out``), unless a resume named another folder (its ``resumed`` line says so)."""
    extra = journal.header.extra
    out, formats = extra.get("out"), extra.get("formats", [])
    for event in journal.events:
        if event["kind"] == "resumed" and isinstance(event.get("out"), str):
            out, formats = event["out"], event.get("formats", formats)
    edited = "drills writes it, so the file was edited: restore it from a copy"
    if out is not None and (not isinstance(out, str) or not out or "\x00" in out):
        raise JournalError(f"{journal.path}:1: the journal header's out is {str(out)[:40]!r}, "
                           f"not a folder; {edited}")
    if not isinstance(formats, list) or not all(f in FORMATS for f in formats):
        raise JournalError(f"{journal.path}:1: the journal header's formats are "
                           f"{str(formats)[:40]!r}, not report formats ({', '.join(FORMATS)}); "
                           f"{edited}")
    return out, tuple(formats)


def journaled_actions(journal: Journal) -> list[JournaledAction]:
    """The team's actions in the journal, in order."""
    out: list[JournaledAction] = []
    for number, event in enumerate(journal.events, start=2):
        if event["kind"] != "action":
            continue
        who, command, at = event.get("who"), event.get("command"), event.get("at")
        if not isinstance(who, str) or not isinstance(command, str) or not isinstance(at, str):
            raise JournalError(
                f"{journal.path}:{number}: an action without its time, who or command; "
                "drills writes these, so the file was edited"
            )
        out.append(JournaledAction(datetime.fromisoformat(at), who, command))
    return out


def plan_from_journal(journal: Journal) -> LivePlan:
    """The live drill the journal's header describes."""
    header = journal.header
    if header.mode != "live":
        raise JournalError(
            f"{journal.path}: a {header.mode} drill's journal, not a live drill's; "
            "'drills report' renders it"
        )
    where = str(journal.path)
    team, speed = _team(journal), _speed(journal)
    out, formats = _out(journal)
    return LivePlan(
        scenario=header.load_scenario(where),
        runbook=header.load_runbook(where),
        runbook_path=header.runbook.path if header.runbook is not None else None,
        team=team,
        speed=speed,
        drill_id=header.drill_id,
        ran_at=header.ran_at,
        out=out,
        formats=formats,
    )


def report_from_live_journal(journal: Journal) -> DrillReport:
    """A killed live drill's report: its actions replayed up to the last journaled moment.

    The drill did not end, so the report is marked interrupted and leaves out the
    checks judged at a drill's end, as for a scripted drill rebuilt from its journal.
    A drill whose loop reached its end (the journal says ``ended``) but that was killed
    before its report is replayed whole: the actions, the team's ``end`` and the rest
    of the window played out, as it was.
    """
    plan = plan_from_journal(journal)
    end = plan.scenario.starts + plan.scenario.runs_for
    until = None if journal.ended else (journal.last_at or plan.scenario.starts)
    responder = LiveResponder(plan.scenario, plan.runbook, team=plan.team,
                              replay=journaled_actions(journal))
    drill = Drill(plan.scenario, plan.runbook, responder=responder, drill_id=plan.drill_id,
                  pacer=ReplayPacer(end if until is None else until), ran_at=plan.ran_at)
    result = drill.run(until=until)
    return grade_live(result, responder, runbook_path=plan.runbook_path)
