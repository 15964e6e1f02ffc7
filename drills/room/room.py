"""The drill room: one live drill, many screens, one order of actions.

:class:`Room` sits between the web pages and a :class:`~drills.responders.live.LiveDrill`
- the very engine, journal, pacer and grading ``drills live`` runs - and adds only
what a room needs: who is asking (a token, :mod:`drills.room.roles`), whether their
role may (one line naming who can, if not), the facilitator's hand on the clock, and
one order for everything. Lines are checked by the terminal's own parser
(:func:`~drills.responders.live.parse_command`) and handed to the drill under one lock,
so actions that arrive at the same instant reach the drill's inbox in one order; the
pacer stamps them with the same drill second and the responder applies them in that
order (its queue sorts by time, stably), which is the order of the journal's
``action`` lines. A room's journal is a live drill's journal, written by the drill's
thread alone: ``drills live --resume`` carries it on, ``drills report`` renders it.

The facilitator's twists are ``twist`` commands (:mod:`drills.responders.live.twists`),
journaled and replayed like any action. Clock holds and speed changes are not
journaled: every action carries its drill time, so a replay needs none of them.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from drills.engine.people import owner_away
from drills.errors import DrillsError
from drills.journal import JournalWriter
from drills.reports.html import render_html
from drills.reports.jsonout import ReportError
from drills.reports.writer import write_reports
from drills.responders.live import (
    CommandError,
    LiveDrill,
    LiveView,
    complete,
    help_text,
    parse_command,
)
from drills.responders.live.drill import speed_problem
from drills.responders.live.responder import ActionResult
from drills.room.roles import Person, Roster, may_do, refusal

__all__ = ["Answer", "Room"]

_KEEP = 60
_CHART_POINTS = 400


@dataclass(frozen=True)
class Answer:
    """What one line or control came to: accepted (``ok``) or refused, in one message."""

    ok: bool
    message: str
    seq: int | None = None
    """The line's place in the room's one order (accepted lines only)."""


@dataclass
class _Screen:
    answers: deque[str] = field(default_factory=lambda: deque(maxlen=_KEEP))


class Room:
    """One drill shared by a roster of people, each on a screen of their own."""

    def __init__(
        self,
        drill: LiveDrill,
        roster: Roster,
        *,
        journal: JournalWriter | None = None,
        out: Path | None = None,
        formats: tuple[str, ...] = ("md", "html", "json", "junit"),
        start_paused: bool = True,
    ) -> None:
        self.drill = drill
        self.roster = roster
        self.journal = journal
        self.out = out
        self.formats = formats
        self._lock = threading.Lock()
        self._order = threading.Lock()
        self._seq = 0
        self._screens = {p.name: _Screen() for p in roster.everyone}
        self._chart: list[tuple[str, dict[str, int]]] = [
            (f"{drill.plan.scenario.starts:%H:%M:%S}", {})]
        self._twists: list[str] = []
        self._report_html: str | None = None
        self.written: dict[str, Path] = {}
        self.report_error: str | None = None
        self._ended = False
        self._finishing = threading.Lock()
        drill.on_result = self._result
        if start_paused:
            drill.pacer.pause()
        threading.Thread(target=self._sampling, name="room-chart", daemon=True).start()

    # -- the team's and the facilitator's lines --------------------------------------------

    def act(self, person: Person, line: str) -> Answer:
        """Check one typed line from ``person`` and hand it to the drill, or refuse it."""
        answer = self._act(person, line)
        self._say(person, f"> {line.strip()}")
        self._say(person, answer.message if answer.ok or answer.message.startswith("  ")
                  else f"refused: {answer.message}")
        return answer

    def _act(self, person: Person, line: str) -> Answer:
        if not line.strip():
            return Answer(False, "type an action, or 'help' to list them")
        ctx = self.drill.context()
        if ctx is None:
            return Answer(False, "the world is still being built; try again in a moment")
        if self.drill.wait(0) or self._ended or self.drill.responder.ended_at is not None:
            return Answer(False, "the drill is over: the debrief follows")
        try:
            cmd = parse_command(line, ctx)
        except CommandError as err:
            return Answer(False, str(err))
        if cmd.who is not None and cmd.who != person.name:
            return Answer(False, f"you act as yourself here ({person.name}); drop '{cmd.who}:'")
        if cmd.action == "help":
            return Answer(True, help_text(cmd.args["action"]))
        if cmd.action == "as":
            return Answer(False, "in the room each person acts on their own screen; 'as' is "
                                 "for a shared terminal")
        if not may_do(person.role, cmd.action):
            return Answer(False, refusal(person, cmd.action, self.roster.team))
        backups = [f"{p.name} (backup)" for p in self.roster.with_role("backup")]
        if person.role == "owner" and backups and self.owner_away:
            # The backup acts for an absent owner; with no backup the engine holds every
            # pause until escalation reaches someone, as at the terminal.
            return Answer(False, f"the owner is away in this drill, so {person.name} cannot "
                                 f"act; {', '.join(backups)} may")
        if self.drill.pacer.paused and not person.facilitator:
            return Answer(False, "the facilitator is holding the clock; act when it runs again")
        if cmd.action == "end" and not cmd.args["confirmed"]:
            cmd = parse_command("end yes", ctx)
        with self._order:  # one order for every line arriving at once
            self._seq += 1
            seq = self._seq
            if cmd.action == "end":
                self._ended = True
            if cmd.action == "twist":
                with self._lock:
                    self._twists.append(cmd.text)
            self.drill.enter(person.name, cmd)
        return Answer(True, f"#{seq} sent: {cmd.text}", seq)

    @property
    def owner_away(self) -> bool:
        """The owner's seat is empty: away from the start, or made unreachable by a twist."""
        responder = self.drill.responder
        return owner_away(self.drill.plan.scenario) or responder.owner_gone_at is not None

    def complete(self, text: str) -> list[str]:
        """Tab completion for a line typed so far (the terminal's own)."""
        ctx = self.drill.context()
        return [] if ctx is None else complete(text, ctx)[:40]

    def _result(self, result: ActionResult) -> None:
        """An action applied or refused by the drill (its thread): to the one who sent it."""
        a = result.action
        if a.replayed:
            return
        text = (f"{a.at:%H:%M:%S} {a.command.text} -> {result.message}" if result.ok else
                f"{a.at:%H:%M:%S} {a.command.text} -> refused, nothing changed: "
                f"{result.message}")
        for person in self.roster.everyone:
            if person.name == a.who:
                self._say(person, text)

    def _say(self, person: Person, text: str) -> None:
        with self._lock:
            self._screens[person.name].answers.extend(text.splitlines() or [""])

    # -- the facilitator's controls --------------------------------------------------------

    def control(self, person: Person, what: str, value: object = None) -> Answer:
        """Start or hold the clock, change its speed, or end the drill (facilitator only)."""
        if not person.facilitator:
            return Answer(False, "the clock, the speed and the end are the facilitator's")
        pacer = self.drill.pacer
        if what == "start":
            pacer.resume()
            return Answer(True, "the clock runs")
        if what == "pause":
            pacer.pause()
            return Answer(True, "the clock is held")
        if what == "speed":
            try:
                speed = float(value)  # type: ignore[arg-type]
            except (TypeError, ValueError):
                speed = value  # type: ignore[assignment]
            problem = speed_problem(speed)
            if problem is not None:
                return Answer(False, f"speed {problem}")
            assert isinstance(speed, float)
            pacer.set_speed(speed)
            return Answer(True, f"speed {speed:g}x")
        if what == "end":
            pacer.resume()  # the rest of the window plays out at once
            return self.act(person, "end yes")
        return Answer(False, f"no control '{what}'; the controls are start, pause, speed, end")

    # -- the end ----------------------------------------------------------------------------

    def finish(self) -> None:
        """Once the drill is judged: write its reports to ``out`` and keep the HTML."""
        with self._finishing:  # every screen's stream asks; the files are written once
            report = self.drill.report
            if report is None or self.report_html is not None:
                return
            html = render_html(report)
            if self.out is not None:
                try:
                    self.written = write_reports(report, self.out, list(self.formats))
                except (ReportError, DrillsError, OSError) as err:
                    self.report_error = str(err)
            with self._lock:
                self._report_html = html

    @property
    def report_html(self) -> str | None:
        with self._lock:
            return self._report_html

    # -- what each screen shows ---------------------------------------------------------------

    def state(self, person: Person) -> dict[str, Any]:
        """Everything ``person``'s screen shows now, as JSON-ready values."""
        view = self.drill.view()
        if self.drill.wait(0):
            self.finish()
        clock = view.clock or view.started
        self._sample(view)
        with self._lock:
            chart = list(self._chart)
            answers = list(self._screens[person.name].answers)
            twists = list(self._twists)
        over = self.report_html is not None or view.error is not None
        pacer = self.drill.pacer
        state: dict[str, Any] = {
            "me": {"name": person.name, "role": person.role},
            "team": [{"name": p.name, "role": p.role} for p in self.roster.team],
            "job": view.job,
            "clock": f"{clock:%H:%M:%S}",
            "speed": pacer.speed,
            "held": pacer.paused,
            "ready": view.ready,
            "over": over,
            "ending": view.playing_out or self._ended,
            "error": view.error,
            "damaged": view.damaged,
            "by_system": view.by_system,
            "chart": chart,
            "detected": view.detected,
            "job_paused": view.job_paused,
            "contained": view.contained,
            "restarted": view.restarted,
            "feeders": [{"name": n, "kind": k, "on": on} for n, k, on in view.feeders],
            "alerts": [f"{at:%H:%M:%S} {text}" for at, text in view.alerts][-20:],
            "log": [f"{e.at:%H:%M:%S} {e.who}: {e.what}" for e in view.log][-40:],
            "answers": answers[-30:],
            "actions": sorted(a for a in ("pause", "disable", "stop", "snapshot", "query",
                                          "diff", "tag", "untag", "scope", "repair",
                                          "reconcile", "notify", "cause", "restart", "note")
                              if may_do(person.role, a)),
        }
        if person.facilitator:
            state["truth"] = self._truth(view.left_wrong, twists)
        return state

    def _sample(self, view: LiveView | None = None) -> None:
        """One point of the damage chart (kept whether or not a screen is open)."""
        view = view or self.drill.view()
        if not view.ready:
            return
        clock = view.clock or view.started
        point = (f"{clock:%H:%M:%S}", dict(view.by_system))
        with self._lock:
            if self._chart and self._chart[-1][0] == point[0]:
                self._chart[-1] = point
            elif not self._chart or self._chart[-1][1] != point[1] or (
                    len(self._chart) < 2 or self._chart[-2][1] != point[1]):
                self._chart.append(point)
            else:  # the same damage as the last two points: move the last one along
                self._chart[-1] = point
            del self._chart[:-_CHART_POINTS]

    def _sampling(self) -> None:
        while not self.drill.wait(0.5):
            self._sample()

    def _truth(self, left_wrong: int | None, twists: list[str]) -> dict[str, Any]:
        """Ground truth, for the facilitator only: what the team cannot see."""
        scenario = self.drill.plan.scenario
        fault = scenario.fault
        responder = self.drill.responder
        return {
            "fault": fault.kind,
            "fault_starts": f"{scenario.starts + fault.starts:%H:%M:%S}",
            "left_wrong": left_wrong,
            "owner_away": self.owner_away,
            "scope_submitted": responder.scope is not None,
            "cause": responder.cause,
            "twists": twists,
            "feeders": sorted(f.name for f in scenario.automation.feeders),
            "journal": str(self.journal.path) if self.journal is not None else None,
        }
