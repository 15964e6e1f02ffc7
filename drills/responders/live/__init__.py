"""Live drills: a team at a terminal acting on a bad run as it spreads, in real time.

``drills live`` runs the same engine as a scripted drill, with two things swapped:
the :class:`~drills.responders.live.responder.LiveResponder` does what people type
(checked by :mod:`drills.responders.live.commands`, explained by
:mod:`drills.responders.live.help`), and the
:class:`~drills.responders.live.pacer.LivePacer` holds the drill clock to the wall
clock (``--speed`` times faster). The drill is journaled as it goes
(:mod:`drills.journal`), so a crashed or closed drill resumes, and it is graded by the
scripted drill's own judge beside the runbook followed perfectly
(:mod:`drills.responders.live.grade`).

The pacer and the screen read the wall clock while the drill clock is frozen for the
team's own code (freezegun), so this package is on freezegun's ignore list: calls made
from it see real time.

May import: every layer below it (the journal, the judging, the engine, the levers,
runbooks, reports, scenarios, fakes); never :mod:`drills.api`, the review or the CLI.
"""

from __future__ import annotations

import freezegun

freezegun.configure(extend_ignore_list=["drills.responders.live"])

from drills.responders.live.commands import (  # noqa: E402 - after the freezegun setting above
    Command,
    CommandContext,
    CommandError,
    help_text,
    parse_command,
)
from drills.responders.live.completion import complete  # noqa: E402
from drills.responders.live.drill import (  # noqa: E402
    DEFAULT_SPEED,
    MAX_SPEED,
    MIN_SPEED,
    LiveDrill,
    LivePlan,
    LiveView,
)
from drills.responders.live.grade import grade_live  # noqa: E402
from drills.responders.live.replay import report_from_live_journal  # noqa: E402
from drills.responders.live.responder import JournaledAction, LiveResponder, TeamAction  # noqa: E402

__all__ = [
    "DEFAULT_SPEED",
    "MAX_SPEED",
    "MIN_SPEED",
    "Command",
    "CommandContext",
    "CommandError",
    "JournaledAction",
    "LiveDrill",
    "LivePlan",
    "LiveResponder",
    "LiveView",
    "TeamAction",
    "complete",
    "grade_live",
    "help_text",
    "parse_command",
    "report_from_live_journal",
]
