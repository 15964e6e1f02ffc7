"""A SIGTERM whose exception Python dropped still ends the command as terminated.

The handler raises; raised inside a finaliser or a weak reference's callback (the
process pools have both), Python prints the exception and goes on. The command must
not then end as a success: the flag the handler sets decides the exit code.
"""

from __future__ import annotations

import contextlib
import importlib

import pytest

cli_main = importlib.import_module("drills.cli.main")


def test_a_swallowed_sigterm_still_exits_143(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def finished_anyway(argv: list[str] | None) -> int:
        # What Python does with an exception raised inside a finaliser: drops it.
        with contextlib.suppress(KeyboardInterrupt):
            cli_main._terminate(15, None)
        return 0

    monkeypatch.setattr(cli_main, "_main", finished_anyway)
    assert cli_main.main(["run"]) == cli_main.EXIT_TERMINATED
    assert capsys.readouterr().err.strip() == cli_main.TERMINATED_LINE


def test_a_command_without_sigterm_keeps_its_code(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli_main, "_main", lambda argv: 1)
    assert cli_main.main(["run"]) == 1
