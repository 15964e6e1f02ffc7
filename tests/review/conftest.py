"""A readiness review over tests/data/review/runbooks: seven runbooks of falling quality.

The folder holds one runbook per automation, from complete (the example runbook for
invoice-reminder) down to a runbook that is half a plan (fulfilment-status-sync); each
file's first comment says what it lacks and where it ranks. The review runs their real
scripted drills once per test session, on a frozen wall clock, so every drill's
``ran_at`` and the review date are known.

``drills score`` imports the drill engine only when it has a drill to run; under a
frozen clock that import would build pydantic schemas against freezegun's fake
``datetime`` and fail, so the engine is imported here first (a test file run on its
own failed before this; the whole suite hid it by importing the engine earlier).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from freezegun import freeze_time

import drills.api  # noqa: F401  (imported before any freeze: see below)
from drills.reports.review import ReadinessReview
from drills.review import build_review

REVIEW_DATA = Path(__file__).parents[1] / "data" / "review"
RUNBOOKS = REVIEW_DATA / "runbooks"

REVIEWED_AT = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)

QUALITY_ORDER = [
    "fulfilment-status-sync",    # 7 of 7: half a plan, restarts blind
    "renewal-notice",            # 6 of 7: an owner's name and nothing else
    "product-newsletter",        # 5 of 7: no stop rule, job-only pause, no exports
    "deal-auto-close",           # 4 of 7: a team as owner, no approver, a feeder missed
    "crm-billing-contact-sync",  # 3 of 7: no snapshot, no clean export
    "welcome-email",             # 2 of 7: no backup owner, no customer message
    "invoice-reminder",          # 1 of 7: complete
]
"""Least ready first: the order the runbooks' gaps imply (see each file's first line)."""


@pytest.fixture(scope="session")
def folder_review() -> ReadinessReview:
    """The folder reviewed without costs (the ranking needs none), on 2 March 2026."""
    with freeze_time(REVIEWED_AT):
        return build_review([RUNBOOKS], costs=False)
