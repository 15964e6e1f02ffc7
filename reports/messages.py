"""The Messages section as every renderer says it: the notes really sent, then the drafts.

Rule 6 is judged by what went out, so the section leads with the notes the team sent -
each with its time, who sent it, its words and the drill's numbers at that moment
(records damaged so far, repaired so far, whether the job was paused or contained) -
and says plainly when none was. The drafts drills writes from the drill's facts come
after, labelled as drafts, so a draft can never read as a note somebody sent.
Markdown and HTML read these rows; both are derived from :class:`Comms` alone.
"""

from __future__ import annotations

from drills.reports.model import Comms, SentNote

__all__ = ["DRAFT_LABEL", "NOTHING_SENT", "SENT_HEADERS", "note_state", "sent_rows", "sent_title"]

NOTHING_SENT = "No note was sent during the drill: nobody was told what was wrong or paused."
"""What the section says when the team sent nothing (rule 6 not met, nothing to credit)."""

DRAFT_LABEL = "Draft first note (written by drills from the drill's facts; not sent)"
"""The heading over the drafted note, so it never passes for one the team sent."""

SENT_HEADERS = ("clock", "minute", "who", "note", "damaged so far", "repaired so far",
                "job then", "words")


def note_state(note: SentNote) -> str:
    """The job's state when the note went out: contained, paused, or still running."""
    if note.contained:
        return "contained"
    if note.job_paused:
        return "paused, feeders on"
    return "running"


def sent_title(comms: Comms) -> str:
    """'Notes sent (3)', or the plain sentence that none was."""
    if not comms.sent:
        return NOTHING_SENT
    return f"Notes sent ({len(comms.sent)})"


def sent_rows(comms: Comms, *, live: bool = False) -> list[list[str]]:
    """One row per note sent, oldest first, in :data:`SENT_HEADERS` order (plain text).

    A live team's words are their own; a scripted drill sent the runbook's note, whose
    words are the draft below the table.
    """
    silent = "(sent without words)" if live else "the runbook's note (see the draft below)"
    rows: list[list[str]] = []
    for note in comms.sent:
        systems = ", ".join(f"{s} {n:,}" for s, n in note.by_system.items() if n)
        rows.append([
            f"{note.at:%H:%M:%S}",
            f"{note.minute:.0f} min",
            note.who,
            note.kind,
            f"{note.records_damaged:,}" + (f" ({systems})" if systems else ""),
            f"{note.records_repaired:,}",
            note_state(note),
            note.text or silent,
        ])
    return rows
