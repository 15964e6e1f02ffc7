"""Code named in files from elsewhere is imported only when the user trusts it.

``drills score``, ``drills report`` and ``drills live --resume`` read files a team may
have been handed. A runbook's ``call:`` and a scenario's ``automation.callable`` name
code; without ``--trust-code`` (or a ``DRILLS_TRUSTED`` prefix) it is never imported:
the runbook is not drilled, the journal not rebuilt, and one line says what it names
and how to allow it. These tests run in-process; ``tests/cli/test_trust_cli.py``
drives the real commands.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from drills.engine.hooks import CodeTrust, UntrustedCodeError, named_code
from drills.journal import JournalHeader, JournalWriter, read_journal
from drills.reports.model import DrillReport
from drills.review import collect_inputs, review_inputs
from drills.runbook import Runbook, read_runbook
from drills.scenarios.loader import load_scenario
from drills.scenarios.schema import Scenario

REPO = Path(__file__).parents[2]
RUNBOOK = REPO / "examples" / "invoice-reminder.runbook.yaml"
EVIL = '''\
from pathlib import Path
Path(__file__).with_name("MARKER").write_text("imported")
def run(*args):
    return "ran"
'''


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A folder with ``evil.py`` on the import path, and no ``DRILLS_TRUSTED``."""
    (tmp_path / "evil.py").write_text(EVIL, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delenv("DRILLS_TRUSTED", raising=False)
    yield tmp_path
    sys.modules.pop("evil", None)


def calling_runbook(path: Path, target: str = "evil:run") -> Path:
    data = yaml.safe_load(RUNBOOK.read_text(encoding="utf-8"))
    data["pause"].insert(0, {"call": target, "takes": "1m"})
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def calling_scenario(target: str = "evil:run") -> Scenario:
    data = load_scenario("invoice-triple-trigger").model_dump(
        mode="json", by_alias=True, exclude_none=True)
    data["automation"].pop("does")
    data["automation"]["callable"] = target
    return Scenario.model_validate(data)


def unfinished_journal(path: Path, mode: str, scenario: Scenario,
                       runbook: Runbook | None) -> Path:
    extra = {"speed": 60.0, "team": ["alice"]} if mode == "live" else {}
    header = JournalHeader.build(mode, scenario, runbook, extra=extra,  # type: ignore[arg-type]
                                 drill_id=f"{scenario.name}-{mode}")
    JournalWriter.create(path, header).close()
    return path


def test_trust_is_every_module_or_the_listed_prefixes() -> None:
    assert CodeTrust(everything=True).allows("anything.at:all")
    trust = CodeTrust.from_env(environ={"DRILLS_TRUSTED": " ops , acme.billing,"})
    assert trust.prefixes == ("ops", "acme.billing")
    assert trust.allows("ops:pause")
    assert trust.allows("ops.pause:everything")
    assert trust.allows("acme.billing.jobs:run")
    assert not trust.allows("opsx:pause")
    assert not trust.allows("acme:run")
    assert not CodeTrust.from_env(environ={}).allows("ops:pause")
    assert trust.refused(["ops:a", "evil:run"]) == ["evil:run"]


def test_named_code_lists_the_automation_and_each_pause_call_once(tmp_path: Path) -> None:
    runbook = read_runbook(calling_runbook(tmp_path / "a.runbook.yaml")).runbook
    assert named_code(calling_scenario("team.auto:send"), runbook) == [
        "team.auto:send", "evil:run"]
    assert named_code(load_scenario("invoice-triple-trigger"), None) == []


def test_score_does_not_drill_a_runbook_naming_untrusted_code(folder: Path) -> None:
    calling_runbook(folder / "evil.runbook.yaml")
    drilled: list[str] = []

    def runner(scenario: Scenario, runbook: Runbook, path: str) -> DrillReport:
        drilled.append(path)
        raise AssertionError("no drill of an untrusted runbook")

    review = review_inputs(collect_inputs([folder]), runner=runner)
    assert drilled == []
    assert not (folder / "MARKER").exists()
    (note,) = [n for n in review.notes if "evil:run" in n]
    assert note.startswith(f"{folder / 'evil.runbook.yaml'} names code to run (evil:run); "
                           "its runbook was not drilled")
    assert "--trust-code" in note
    assert "DRILLS_TRUSTED=evil" in note
    (row,) = review.automations
    assert row.automation == "invoice-reminder"


def test_a_trusted_prefix_lets_score_drill_it(folder: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    calling_runbook(folder / "evil.runbook.yaml")
    monkeypatch.setenv("DRILLS_TRUSTED", "evil")
    drilled: list[str] = []

    def runner(scenario: Scenario, runbook: Runbook, path: str) -> DrillReport:
        drilled.append(path)
        raise _Ran

    with pytest.raises(_Ran):
        review_inputs(collect_inputs([folder]), runner=runner)
    assert drilled == [str(folder / "evil.runbook.yaml")]


class _Ran(Exception):
    pass


@pytest.mark.parametrize("mode", ["scripted", "live"])
def test_an_unfinished_journal_naming_code_is_not_rebuilt(folder: Path, mode: str) -> None:
    from drills.api import report_from_journal

    runbook = read_runbook(calling_runbook(folder / "rb.yaml")).runbook
    journal = unfinished_journal(folder / "d.journal.jsonl", mode, calling_scenario(), runbook)
    with pytest.raises(UntrustedCodeError) as caught:
        report_from_journal(journal)
    assert not (folder / "MARKER").exists()
    assert "evil" not in sys.modules
    message = str(caught.value)
    assert message.startswith(f"{journal} names code to run (evil:run); the drill was not "
                              "rebuilt")
    assert "--trust-code" in message
    assert "DRILLS_TRUSTED=evil" in message
    # score notes it and goes on with the rest
    good = REPO / "tests/data/reports/invoice-reminder.good.report.json"
    inputs = collect_inputs([journal, good])
    assert [n for n in inputs.notes if n == message] == [message]
    assert len(inputs.results) == 1
    assert not (folder / "MARKER").exists()


def test_a_trusted_journal_is_rebuilt_with_its_code(folder: Path) -> None:
    from drills.api import report_from_journal

    journal = unfinished_journal(folder / "d.journal.jsonl", "live", calling_scenario(), None)
    read = read_journal(journal)
    report = report_from_journal(read, trust=CodeTrust(everything=True))
    assert report.status == "interrupted"
    assert (folder / "MARKER").exists()
