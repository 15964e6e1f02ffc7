"""The CLI starts light: ``--version`` and validation import no engine libraries.

``drills validate`` runs in pre-commit hooks and editors; it needs the file schemas
(pydantic, YAML), not the store (SQLAlchemy) or the world's factories (Faker,
factory_boy), which cost most of half a second to import. Each package's ``__init__``
loads its public names on first use so that importing one light module of it does not
pull in the rest.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("sqlalchemy", "faker", "factory", "rich", "jinja2", "prompt_toolkit")

PROBE = """
import json, sys
from drills.cli import main
code = main({args!r})
heavy = sorted(m for m in {heavy!r} if m in sys.modules)
print(json.dumps({{"code": code, "heavy": heavy}}), file=sys.stderr)
"""


def _imported(*args: str) -> dict[str, object]:
    run = subprocess.run(
        [sys.executable, "-c", PROBE.format(args=list(args), heavy=HEAVY)],
        capture_output=True, text=True, check=False, cwd=ROOT,
    )
    result: dict[str, object] = json.loads(run.stderr.strip().splitlines()[-1])
    return result


@pytest.mark.slow
@pytest.mark.parametrize(
    "args",
    [
        ["--version"],
        ["validate", "examples/invoice-reminder.runbook.yaml"],
        ["validate", "scenarios/library/invoice-triple-trigger.yaml"],
    ],
    ids=["version", "validate a runbook", "validate a scenario"],
)
def test_light_commands_import_no_engine_library(args: list[str]) -> None:
    result = _imported(*args)
    assert result == {"code": 0, "heavy": []}


def test_a_drill_still_finds_every_public_name() -> None:
    """The lazy ``__init__`` of each package resolves every name it lists in ``__all__``."""
    import drills
    import drills.fakes
    import drills.reports
    import drills.scenarios

    for package in (drills, drills.fakes, drills.reports, drills.scenarios):
        missing = [n for n in package.__all__ if getattr(package, n, None) is None]
        assert not missing, (package.__name__, missing)
