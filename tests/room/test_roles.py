"""Roles, tokens and the refusals a room gives: pure functions, no drill."""

from __future__ import annotations

import pytest

from drills.errors import DrillsError
from drills.room import FACILITATOR, ROLES, Person, Roster, may_do, parse_roster, refusal


def test_plain_names_get_the_roles_in_order_and_named_roles_are_kept() -> None:
    assert parse_roster("ana,ben,cy") == [("ana", "owner"), ("ben", "repair"), ("cy", "comms")]
    assert parse_roster("ana=comms, ben, cy=owner, dee, eve, fay") == [
        ("ana", "comms"), ("ben", "repair"), ("cy", "owner"), ("dee", "backup"),
        ("eve", "observer"), ("fay", "observer")]


@pytest.mark.parametrize(("text", "says"), [
    ("", "--team names nobody"),
    ("ana=boss", "no role 'boss'; the roles are owner, backup, comms, repair, observer"),
    ("ana,Ana", "names someone twice"),
    ("ana=owner,ben=owner", "two owners (ana, ben)"),
    ("repair", "is also an action"),
    ("9lives", "cannot be typed as a prefix"),
    ("facilitator", "the facilitator's seat"),
])
def test_a_bad_team_is_one_line_saying_how_to_fix_it(text: str, says: str) -> None:
    with pytest.raises(DrillsError, match="--team") as err:
        parse_roster(text)
    assert says in str(err.value)
    assert "\n" not in str(err.value)


def test_roles_decide_who_may_do_what() -> None:
    assert may_do("owner", "pause")
    assert may_do("backup", "pause")
    assert not may_do("repair", "pause")
    assert not may_do("comms", "pause")
    assert may_do("repair", "repair")
    assert not may_do("owner", "repair")
    assert may_do("comms", "notify")
    assert not may_do("repair", "notify")
    assert not may_do("observer", "query")
    assert may_do("observer", "help")
    assert may_do(FACILITATOR, "twist")
    assert may_do(FACILITATOR, "end")
    assert not any(may_do(role, "twist") or may_do(role, "end") for role in ROLES)
    assert not may_do(FACILITATOR, "pause")


def test_a_refusal_names_who_can() -> None:
    roster = Roster([("ana", "owner"), ("ben", "repair"), ("cy", "comms")])
    ben = roster.team[1]
    assert refusal(ben, "pause", roster.team) == "'pause' is not for repair; ana (owner) may"
    assert refusal(roster.team[0], "repair", roster.team) == \
        "'repair' is not for owner; ben (repair) may"
    alone = Roster([("ana", "owner")])
    assert refusal(alone.team[0], "repair", alone.team) == \
        "'repair' is not for owner; nobody here (it is for repair) may"
    assert refusal(ben, "twist", roster.team) == "'twist' is the facilitator's; ask them"
    assert "the facilitator runs the clock" in refusal(roster.facilitator, "pause", roster.team)


def test_tokens_are_random_long_and_matched_only_whole() -> None:
    a, b = Roster([("ana", "owner")]), Roster([("ana", "owner")])
    assert a.team[0].token != b.team[0].token  # fresh every room
    tokens = {p.token for p in a.everyone}
    assert len(tokens) == 2
    assert all(len(t) >= 22 for t in tokens)  # 16 random bytes, url-safe
    ana = a.team[0]
    assert a.find(ana.token) == ana
    assert a.find(a.facilitator.token) == a.facilitator
    for wrong in (ana.token[:-1], ana.token + "x", "", None, 42, b.team[0].token, ana.name):
        assert a.find(wrong) is None
    assert isinstance(ana, Person)
    assert not ana.facilitator
    assert a.facilitator.facilitator
