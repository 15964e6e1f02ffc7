"""Who is in the room, what each role may do, and the tokens in their join links.

A game day gives each person a role, as the incident would: the owner (and the backup)
pause and restart, the one doing the repair looks, scopes and repairs, comms sends the
notes, an observer watches. An action outside one's role is refused with one line
naming who can, so nobody quietly does another's job - the report's who-did-what
timeline then says what each role really did. The facilitator runs the drill (clock,
speed, twists, the end) and acts in no role of the team.

Each person's join link carries a random token (:func:`secrets.token_urlsafe`, 128
bits); a request is matched to a person by comparing its token with every one in
constant time (:func:`hmac.compare_digest`), so response times say nothing about a
token's prefix.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from drills.errors import DrillsError
from drills.responders.live.replay import name_problem

__all__ = [
    "FACILITATOR",
    "ROLES",
    "Person",
    "Roster",
    "may_do",
    "parse_roster",
    "refusal",
]

FACILITATOR = "facilitator"
"""The facilitator's name in the journal and the shared log (not a team member's)."""

ROLES: dict[str, frozenset[str]] = {
    "owner": frozenset({"pause", "disable", "stop", "restart", "notify", "cause", "note",
                        "snapshot", "query", "diff", "scope"}),
    "backup": frozenset({"pause", "disable", "stop", "restart", "note", "snapshot", "query",
                         "diff", "scope"}),
    "comms": frozenset({"notify", "note", "query", "scope"}),
    "repair": frozenset({"snapshot", "query", "diff", "tag", "untag", "scope", "repair",
                         "reconcile", "cause", "note"}),
    "observer": frozenset({"note"}),
}
"""Role -> the actions it may take. Pausing and restarting belong to the owner and the
backup (rule 1: one named owner may pause without a meeting); the notes to comms and the
owner (rule 6); the scope and repair to the one repairing. ``help`` is everyone's;
``twist`` and ``end`` are the facilitator's."""

DEFAULT_ORDER = ("owner", "repair", "comms", "backup")
"""Roles handed out in this order to names given without one; the rest observe."""

FACILITATOR_ONLY = frozenset({"twist", "end"})


@dataclass(frozen=True)
class Person:
    """One seat in the room: a name, a role and the token in their join link."""

    name: str
    role: str
    token: str

    @property
    def facilitator(self) -> bool:
        return self.role == FACILITATOR


def may_do(role: str, action: str) -> bool:
    """Whether ``role`` may take ``action`` (``help`` is everyone's)."""
    if action == "help":
        return True
    if role == FACILITATOR:
        return action in FACILITATOR_ONLY
    return action in ROLES.get(role, frozenset())


def refusal(person: Person, action: str, team: Sequence[Person]) -> str:
    """The one line refusing ``action`` to ``person``: who may take it instead."""
    if action in FACILITATOR_ONLY:
        return f"'{action}' is the facilitator's; ask them"
    if person.facilitator:
        return f"'{action}' is the team's, not the facilitator's: the facilitator runs the " \
               "clock, the twists and the end"
    can = [f"{p.name} ({p.role})" for p in team if may_do(p.role, action)]
    roles = sorted(r for r, allowed in ROLES.items() if action in allowed)
    who = ", ".join(can) if can else f"nobody here (it is for {' or '.join(roles)})"
    return f"'{action}' is not for {person.role}; {who} may"


class Roster:
    """The team and the facilitator, each with a fresh token."""

    def __init__(self, team: Iterable[tuple[str, str]]) -> None:
        self.team = tuple(Person(n, r, secrets.token_urlsafe(16)) for n, r in team)
        self.facilitator = Person(FACILITATOR, FACILITATOR, secrets.token_urlsafe(16))

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.team)

    @property
    def everyone(self) -> tuple[Person, ...]:
        return (*self.team, self.facilitator)

    def find(self, token: object) -> Person | None:
        """The person whose token this is, else None; every token is compared, in
        constant time, whatever matches first."""
        if not isinstance(token, str) or not token:
            return None
        given = token.encode()
        found: Person | None = None
        for person in self.everyone:
            if hmac.compare_digest(given, person.token.encode()):
                found = person
        return found

    def with_role(self, role: str) -> list[Person]:
        return [p for p in self.team if p.role == role]


def parse_roster(text: str) -> list[tuple[str, str]]:
    """``--team``: 'ana=owner,ben=repair' or plain names (roles in :data:`DEFAULT_ORDER`).

    Raises :class:`~drills.errors.DrillsError` with one line for a name that cannot be
    one, an unknown role, a name twice or two owners.
    """
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if not parts:
        raise DrillsError("--team names nobody; write names and roles like "
                          "--team ana=owner,ben=repair,cy=comms")
    out: list[tuple[str, str]] = []
    free = list(DEFAULT_ORDER)
    for part in parts:
        name, sep, role = (s.strip() for s in part.partition("="))
        problem = name_problem(name)
        if problem is not None:
            raise DrillsError(f"--team name '{name}' {problem}, e.g. --team ana=owner,ben=repair")
        if name.lower() == FACILITATOR:
            raise DrillsError(f"--team name '{name}' is the facilitator's seat; the facilitator "
                              "has a link of their own, so choose another name")
        if sep and role not in ROLES:
            raise DrillsError(f"--team '{part}': no role '{role}'; the roles are "
                              f"{', '.join(ROLES)}, e.g. --team ana=owner,ben=repair")
        out.append((name, role if sep else ""))
        if sep and role in free:
            free.remove(role)
    filled = []
    for name, role in out:
        if not role:
            role = free.pop(0) if free else "observer"
        filled.append((name, role))
    if len({n.lower() for n, _ in filled}) != len(filled):
        raise DrillsError(f"--team '{text}' names someone twice; name each person once")
    owners = [n for n, r in filled if r == "owner"]
    if len(owners) > 1:
        raise DrillsError(f"--team names two owners ({owners[0]}, {owners[1]}); one named "
                          "owner pauses without a meeting (rule 1): make the other backup")
    return filled
