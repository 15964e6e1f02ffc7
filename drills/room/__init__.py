"""The drill room: a live drill in the browser, each person on a screen of their own.

``drills room`` runs the very live drill ``drills live`` runs - its engine, pacer,
journal and grading (:mod:`drills.responders.live`) - behind a small web server, so a
quarterly game day gives the owner, the backup, comms, the one repairing and any
observers each their own screen and role (:mod:`drills.room.roles`), and the
facilitator the clock, the twists and ground truth (:mod:`drills.room.room`). The
pages are server-rendered with a little script and CSS shipped in the package
(:mod:`drills.room.app`); nothing is fetched from the internet.

May import: the live drill's layer and everything below it; never the CLI.
"""

from __future__ import annotations

from drills.room.app import create_app
from drills.room.roles import FACILITATOR, ROLES, Person, Roster, may_do, parse_roster, refusal
from drills.room.room import Answer, Room

__all__ = [
    "FACILITATOR",
    "ROLES",
    "Answer",
    "Person",
    "Room",
    "Roster",
    "create_app",
    "may_do",
    "parse_roster",
    "refusal",
]
