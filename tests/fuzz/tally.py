"""Counts of the fuzz cases tried, per test and outcome, for the end-of-run summary.

Hypothesis runs each test body once per case; the bodies count what they saw here,
and ``conftest.py`` prints the totals after the run (so CI logs show how much fuzzing
a green run stands for).
"""

from __future__ import annotations

from collections import Counter, defaultdict

__all__ = ["CASES", "count"]

CASES: defaultdict[str, Counter[str]] = defaultdict(Counter)
"""Test name -> outcome -> cases."""


def count(test: str, outcome: str) -> None:
    """One more case of ``test`` that ended as ``outcome`` ("valid", "refused", ...)."""
    CASES[test][outcome] += 1
