"""A stop rule on what only the drill's ground truth knows is refused when the runbook loads."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from drills.runbook.rules import METRICS, parse_stop_rule

REPO = Path(__file__).resolve().parents[2]

RUNBOOK = """\
automation: invoice-reminder
owner: {name: Dana Whitfield, role: Finance manager, can_pause: true}
stop_rules:
  - duplicate_messages >= 5
  - wrong_values >= 3
"""


@pytest.mark.slow
@pytest.mark.parametrize("command", ["validate", "check"])
def test_the_cli_refuses_a_ground_truth_rule_in_one_line(tmp_path: Path, command: str) -> None:
    path = tmp_path / "gt.runbook.yaml"
    path.write_text(RUNBOOK, encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "drills", command, str(path)], cwd=REPO,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 2, done.stderr
    lines = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    assert len(lines) == 1, lines
    line = lines[0]
    assert f"{path}:5:5: stop rule 'wrong_values >= 3' counts field values the run made wrong" \
        in line
    assert "(stop_rules.1); count what a team can see instead: " in line
    assert all(metric in line for metric in METRICS)
    assert "Traceback" not in done.stderr


def test_parsing_marks_a_ground_truth_rule_and_names_the_alternatives() -> None:
    rule = parse_stop_rule("wrong_values >= 3")
    assert rule.truth
    assert not rule.parsed
    assert rule.fix is not None
    assert "blank_writes" in rule.fix
    assert "misshapen_writes" in rule.fix
