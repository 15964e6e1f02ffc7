"""The drill journal: every event of a drill on disk the moment it happens.

A drill that is killed (a CI runner timing out, a laptop lid, ``kill -9``) must not
take what it found with it. So every drill appends its events to a journal as it goes,
one JSON object per line, each line flushed and ``fsync``-ed before the drill moves on.
Line 1 is the header: everything needed to run the very same drill again (the scenario
and runbook *as written*, the seed, the scale), never a credential. Then one line per
event, ``{"kind", "at" (drill time), "wall" (UTC), ...data}``. A drill that ends
normally writes a last ``finished`` line holding its report.

:func:`report_from_journal` (``drills report JOURNAL``) gives the report back: the
embedded one when the drill finished, otherwise a rebuild of what happened so far. A
scripted drill is deterministic in its scenario text, runbook text, seed and scale, so
it is replayed up to the last journaled drill time and checked against the journal
(:mod:`drills.journal.replay`). A live drill is rebuilt by the live package, which sits
above the journal: :func:`drills.api.report_from_journal` (``drills.report_from_journal``)
hands its rebuild in, so the journal never imports it.

A crash can only ever cut the *last* line, so a journal that ends mid-line is read up
to its last whole event, with a warning. Damage anywhere else, a missing header, an
unknown version, an empty file or a file that is not a journal at all is one
:class:`JournalError` line (``file:line: what; how to fix``).

May import: ``drills.judging``, ``drills.engine``, ``drills.runbook``,
``drills.reports``, ``drills.scenarios``, ``drills.fakes`` and the bottom layer
(``drills.errors``, ``drills.files``). The live rebuild of a journal is handed in by
:mod:`drills.api`, never imported from here.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from drills.engine.hooks import CodeTrust, UntrustedCodeError, named_code, untrusted_message
from drills.fakes.backends import redact_url
from drills.journal.format import (
    DEFAULT_NAME,
    ENDED,
    JOURNAL_VERSION,
    JournalError,
    event_line,
    wall_now,
)
from drills.journal.header import JournalHeader, JournalRunbook, JournalScenario
from drills.journal.reader import Journal, read_journal
from drills.journal.writer import (
    EventList,
    EventSink,
    JournalHandler,
    JournalRecorder,
    JournalSpec,
    JournalWriter,
    record_journal,
)
from drills.reports.model import DrillReport

__all__ = [
    "DEFAULT_NAME",
    "ENDED",
    "JOURNAL_VERSION",
    "EventList",
    "EventSink",
    "Journal",
    "JournalError",
    "JournalHandler",
    "JournalHeader",
    "JournalRecorder",
    "JournalRunbook",
    "JournalScenario",
    "JournalSpec",
    "JournalWriter",
    "LiveRebuild",
    "event_line",
    "read_journal",
    "record_journal",
    "refuse_untrusted",
    "report_from_journal",
    "wall_now",
]



LiveRebuild = Callable[[Journal], DrillReport]
"""Rebuilds a live drill's report from its journal (``drills.responders.live.replay``)."""


def refuse_untrusted(journal: Journal, trust: CodeTrust, what: str) -> None:
    """Raise :class:`~drills.engine.hooks.UntrustedCodeError` when replaying the journal's
    drill would import code ``trust`` does not allow (a scenario's ``automation.callable``;
    for a scripted drill also a runbook step's ``call:``)."""
    header = journal.header
    where = str(journal.path)
    runbook = header.load_runbook(where) if header.mode != "live" else None
    refused = trust.refused(named_code(header.load_scenario(where), runbook))
    if refused:
        raise UntrustedCodeError(untrusted_message(where, refused, what))


def report_from_journal(
    journal: str | Path | Journal, *, live: LiveRebuild | None = None,
    trust: CodeTrust | None = None,
) -> DrillReport:
    """The drill's report: the one it wrote if it finished, else rebuilt from the journal.

    Pass a :class:`Journal` from :func:`read_journal` to see the warnings: the replay adds
    to ``journal.warnings`` when it differs from what the journal says happened. A live
    drill's journal that did not finish needs ``live``, the live drills' rebuild
    (:func:`drills.api.report_from_journal` passes it).

    A rebuild imports no code the journal names (the team's automation or pause code)
    unless ``trust`` allows it (default: the modules ``DRILLS_TRUSTED`` lists);
    otherwise it raises :class:`~drills.engine.hooks.UntrustedCodeError`.
    """
    if not isinstance(journal, Journal):
        journal = read_journal(journal)
    if journal.report is not None:
        return _redacted(journal.report)
    refuse_untrusted(journal, trust if trust is not None else CodeTrust.from_env(),
                     "the drill was not rebuilt")
    if journal.header.mode == "live":
        if live is None:
            raise JournalError(
                f"{journal.path}: a live drill's journal, and no live rebuild was given; "
                "read it with drills.report_from_journal or 'drills report'"
            )
        return _redacted(live(journal))
    from drills.journal.replay import report_from_scripted_journal

    return _redacted(report_from_scripted_journal(journal))


def _redacted(report: DrillReport) -> DrillReport:
    """``report`` with its backend URL stripped of credentials: drills writes it so, but a
    journal may come from anywhere (the report as it was when nothing needed removing)."""
    backend = redact_url(report.backend)
    if backend == report.backend:
        return report
    return report.model_copy(update={"backend": backend})
