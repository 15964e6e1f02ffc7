"""``drills room``'s bad input: one line each, exit 2, nothing served and nothing written."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from drills.cli.main import main
from tests.live.tmux import ROOT

RUNBOOK = str(ROOT / "examples" / "invoice-reminder.runbook.yaml")


@pytest.mark.parametrize(("args", "says"), [
    ([], "name a SCENARIO to drill"),
    (["invoice-triple-trigger"], "--runbook FILE is needed"),
    (["invoice-triple-trigger", "--runbook", RUNBOOK, "--speed", "0"], "--speed must be above 0"),
    (["invoice-triple-trigger", "--runbook", RUNBOOK, "--team", "ana=boss"], "no role 'boss'"),
    (["invoice-triple-trigger", "--runbook", RUNBOOK, "--team", "a=owner,b=owner"],
     "two owners"),
    (["invoice-triple-trigger", "--runbook", RUNBOOK, "--port", "70000"], "--port 70000 is not"),
    (["invoice-triple-trigger", "--runbook", RUNBOOK, "--host", "no.such.host.invalid"],
     "--host 'no.such.host.invalid' is not an address"),
    (["no-such-scenario", "--runbook", RUNBOOK], "no-such-scenario"),
    (["invoice-triple-trigger", "--runbook", "missing.yaml"], "missing.yaml"),
])
def test_bad_input_is_one_line_and_exit_2(
    args: list[str], says: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "out"
    code = main(["room", *args, "--out", str(out), "--port", "1"] if "--port" not in args
                else ["room", *args, "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("drills: error: "), err
    assert says in lines[0]
    assert not (out / "drill.journal.jsonl").exists()


def test_a_port_in_use_is_one_line_before_any_link(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        code = main(["room", "invoice-triple-trigger", "--runbook", RUNBOOK, "--port", str(port),
                     "--out", str(tmp_path / "out")])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.err.strip() == (f"drills: error: cannot listen on 127.0.0.1:{port} (Address "
                                    "already in use); choose another --port, or --host 127.0.0.1")
    assert "http://" not in captured.out
    assert not (tmp_path / "out" / "drill.journal.jsonl").exists()
