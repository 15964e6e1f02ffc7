"""What counts as proof before a restart (rule 7): a cause that names the mechanism.

A restart with the cause still present does the damage again, so the cause a runbook
(or a team in a live drill) writes down must say *what went wrong*: the part of the job
and what it did ("the reminder rule fired once per changed field instead of once per
edit"). A cause that says the cause is not known ("Unknown - we did not find it",
"TBD", "still investigating", "n/a") or that names nothing ("a bug", "human error") is
no cause: the drill restarts with the fault live, and the lint reports
``restart-without-cause`` saying why.

The rule, as docs/rules.md states it: a cause counts when it (1) does not say that the
cause is unknown, unsure or still being looked for, and (2) names the mechanism in at
least :data:`MIN_CAUSE_WORDS` words that are not filler ("the", "a") or vague ("bug",
"issue", "error", "something"). It is a reading of the words alone: it cannot tell a
true cause from a wrong one, which is what the restart's test record is for.
"""

from __future__ import annotations

import re

__all__ = ["MIN_CAUSE_WORDS", "cause_problem", "same_person"]

MIN_CAUSE_WORDS = 3
"""A mechanism takes a thing and what it did: "the mapping wrote phone into email" has
four telling words; "a bug" has none. Three telling words is the least that names one."""

_NOT_KNOWN = re.compile(
    r"""
    \b(?:unknown|unsure|unclear|undetermined|unidentified|unconfirmed|tbd|tba|tbc|n/?a|
         idk|dunno|investigating|inconclusive|maybe|perhaps|possibly|probably)\b
    | \bto\s+be\s+(?:determined|confirmed|found|decided|investigated|identified|checked)\b
    | \bunder\s+investigation\b
    | (?:\bnot|\bnever|n't)\s+(?:yet\s+)?(?:been\s+)?(?:known|sure|clear|certain|found|
         determined|identified|confirmed|understood|established|diagnosed)\b
    | \b(?:did|do|does|could|can|have|has|had|were|was|are|is)(?:n't|\s*not)\s+(?:yet\s+)?
         (?:find|know|tell|see|identify|determine|pin|figure|work\s+out|understand|
         reproduce)\b
    | \bno\s+(?:idea|clue|cause|root\s+cause|explanation|answer)\b
    | \b(?:still|currently|now)\s+(?:looking|checking|investigating|digging|working\s+on)\b
    | \blooking\s+into\b
    | \bwe\s+(?:think|guess|suspect|believe)\b | \bmight\s+be\b
    | \?
    """,
    re.IGNORECASE | re.VERBOSE,
)
"""Words that say the cause is not known, or only guessed: a guess is not yet the cause."""

_FILLER = frozenset({
    "the", "a", "an", "in", "on", "of", "to", "for", "and", "or", "it", "its", "this", "that",
    "was", "were", "is", "are", "be", "been", "by", "at", "with", "from", "our", "we", "job",
    "cause", "root", "caused", "because", "due", "there", "had", "has", "have",
})
_VAGUE = frozenset({
    "bug", "bugs", "error", "errors", "issue", "issues", "problem", "problems", "glitch",
    "fault", "failure", "failed", "fail", "broke", "broken", "wrong", "something", "stuff",
    "thing", "things", "human", "mistake", "unexpected", "behaviour", "behavior", "bad",
    "code", "system", "systems", "automation", "incident", "outage", "misconfiguration",
    "config", "configuration", "change", "changes", "somehow", "random", "intermittent",
    "technical", "data", "happened", "went", "fixed", "fix",
})


def cause_problem(cause: str | None) -> str | None:
    """Why ``cause`` does not count as the cause of the fault, or None when it does.

    The reason is worded to follow "the cause ..." in a finding: "is empty", "'TBD' says
    it is not known ('TBD'), ...", "'a bug' does not name what went wrong: ...".
    """
    text = " ".join((cause or "").split())
    if not text:
        return "is empty"
    said = _NOT_KNOWN.search(text)
    if said is not None:
        word = said.group(0).strip() or text
        return f"'{text}' says it is not known ('{word}'), so it names no mechanism"
    words = re.findall(r"[a-z0-9]+(?:[-_'][a-z0-9]+)*", text.lower())
    telling = [w for w in words if w not in _FILLER and w not in _VAGUE]
    if len(telling) < MIN_CAUSE_WORDS:
        return (f"'{text}' does not name what went wrong: say which part of the job did "
                f"what (at least {MIN_CAUSE_WORDS} telling words)")
    return None


def same_person(a: str | None, b: str | None) -> bool:
    """Whether two names are the same person, ignoring case, spacing and a role in
    brackets ("Dana Whitfield (Finance Ops)" is Dana Whitfield)."""
    if not a or not b:
        return False
    return _bare(a) == _bare(b)


def _bare(name: str) -> str:
    return " ".join(re.sub(r"\(.*?\)", " ", name).lower().split())
