"""Rebuild an interrupted scripted drill's report by running it again, up to where it stopped.

A scripted drill is a pure function of its scenario text, runbook text, seed and scale,
all of which the journal header keeps. So the report of "what happened so far" is not
pieced together from event lines: the drill is run again with the engine stopped after
the last moment the journal reached (``Drill.run(until=...)``), and judged like any
drill, except that findings about how a drill *ends* are not reached yet
(:data:`drills.judging.observed.JUDGED_AT_END`). The replay's own events are then compared with
the journaled ones; any difference is a warning, because then the report shows what
this drills version does, which may not be what happened.

A moment is replayed whole: if the drill was killed halfway through the events of one
moment, the report holds that moment's remaining events too.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from drills.errors import DrillsError
from drills.fakes.backends import redact_url
from drills.journal.format import JournalError
from drills.journal.reader import Journal
from drills.journal.writer import EventList, JournalHandler
from drills.judging import build_report, drill_findings, evaluate
from drills.judging.trials import rule_findings
from drills.reports.model import DrillReport
from drills.responders.scripted import Drill
from drills.runbook import lint_runbook
from drills.version import __version__

__all__ = ["compare_events", "report_from_scripted_journal"]

_BEFORE_START = timedelta(microseconds=1)
"""A journal with no event stops the replay just before the drill's first moment."""

_SHOWN = 160


def report_from_scripted_journal(journal: Journal) -> DrillReport:
    """Replay the journal's drill up to its last journaled moment and report it.

    Warnings (a replay that differs from the journal, a report missing its gap costs)
    are appended to ``journal.warnings``.
    """
    header = journal.header
    where = str(journal.path)
    scenario = header.load_scenario(where)
    runbook = header.load_runbook(where)
    last = journal.last_at
    until = None if journal.ended else (last if last is not None
                                        else scenario.starts - _BEFORE_START)
    replayed = EventList()
    drill = Drill(scenario, runbook, handlers=[JournalHandler(replayed)], ran_at=header.ran_at,
                  drill_id=header.drill_id)
    try:
        result = drill.run(until=until)
    except DrillsError as err:
        raise JournalError(f"{where}: replaying the drill failed: {err}") from None
    ev = evaluate(result)
    findings = drill_findings(result, ev)
    runbook_path = header.runbook.path if header.runbook is not None else None
    if runbook is not None:
        findings += lint_runbook(runbook, source=runbook_path)
        findings += rule_findings(scenario, runbook)
    report = build_report(result, findings, ev, runbook_path=runbook_path)
    report = report.model_copy(update=_as_journaled(journal))
    journal.warnings.extend(compare_events(journal, replayed.events))
    if not result.interrupted:
        costs = " without gap costs (run it again to measure them)" if header.costs else ""
        journal.warnings.append(
            f"{where}: the drill reached its end but was stopped before it wrote its report; "
            f"the report was rebuilt by replaying the whole drill{costs}"
        )
    return report


def _as_journaled(journal: Journal) -> dict[str, Any]:
    """What the replay cannot know: where the world lived and how long the drill took."""
    update: dict[str, Any] = {}
    backend = journal.header.extra.get("backend")
    if isinstance(backend, str):
        # drills writes it redacted, but a journal may come from anywhere
        update["backend"] = redact_url(backend)
    walls = [e["wall"] for e in journal.events if isinstance(e.get("wall"), str)]
    if walls:
        try:
            last = datetime.fromisoformat(walls[-1])
            update["wall_seconds"] = round(
                max(0.0, (last - journal.header.ran_at).total_seconds()), 3
            )
        except (ValueError, TypeError):
            pass
    return update


def _brief(event: dict[str, Any]) -> str:
    text = json.dumps(event, ensure_ascii=False, separators=(",", ":"))
    return text if len(text) <= _SHOWN else text[: _SHOWN - 3] + "..."


def compare_events(journal: Journal, replayed: list[dict[str, Any]]) -> list[str]:
    """Warnings where the replay's events are not the journal's (the replay may go on:
    a moment is replayed whole)."""
    written = [{k: v for k, v in e.items() if k != "wall"} for e in journal.events]
    advice = (f"the report follows the replay, which may not be what happened; rebuild it "
              f"with drills {journal.header.tool_version}, which ran the drill"
              if journal.header.tool_version != __version__ else
              "the report follows the replay, which may not be what happened (a hook or "
              "automation that is not deterministic?)")
    for index, (mine, theirs) in enumerate(zip(written, replayed, strict=False)):
        if mine != theirs:
            return [f"{journal.path}:{index + 2}: the replay differs from the journal here "
                    f"(journal {_brief(mine)}, replay {_brief(theirs)}); {advice}"]
    if len(replayed) < len(written):
        missing = len(written) - len(replayed)
        return [f"{journal.path}:{len(replayed) + 2}: the replay ended {missing} events before "
                f"the journal did; {advice}"]
    return []
