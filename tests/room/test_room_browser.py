"""A whole game day in headless Chromium: three people and the facilitator, each a page.

``drills room`` runs as a user starts it (a subprocess); Playwright drives Debian's
Chromium (never a downloaded browser: ``executable_path`` is the ``browser`` fixture's,
which skips without one and fails under CI). Each screen is checked for what it shows,
and the room's journal is then carried on by ``drills live --resume``: the same actions
at the same drill times give the same report.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.live.tmux import ROOT

pytestmark = pytest.mark.slow

RUNBOOK = str(ROOT / "examples" / "invoice-reminder.runbook.yaml")
RUN = "invoice-reminder-run-1729"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], dict[str, str], Path]]:
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "drills", "room", "invoice-triple-trigger", "--runbook", RUNBOOK,
         "--team", "ana=owner,ben=repair,cy=comms", "--speed", "30", "--port",
         str(_free_port()), "--out", str(out)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path,
    )
    links: dict[str, str] = {}
    assert proc.stdout is not None
    for line in proc.stdout:
        found = re.match(r"\s*(\w+)(?: \(\w+\))?: (http://\S+)$", line)
        if found:
            links[found.group(1)] = found.group(2)
        if line.startswith("the clock is held"):
            break
    try:
        yield proc, links, out
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_a_game_day_in_the_browser_gives_the_report_drills_live_gives(
    server: tuple[subprocess.Popen[str], dict[str, str], Path], browser: str, tmp_path: Path,
) -> None:
    from playwright.sync_api import Page, expect, sync_playwright

    proc, links, out = server
    assert sorted(links) == ["ana", "ben", "cy", "facilitator"]
    assert all(link.startswith("http://127.0.0.1:") for link in links.values())
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=browser, args=["--no-sandbox"])
        pages = {name: chromium.new_page(viewport={"width": 1300, "height": 1000})
                 for name in links}
        for name, link in links.items():
            pages[name].goto(link)
        ana, ben, cy, fac = (pages[n] for n in ("ana", "ben", "cy", "facilitator"))
        expect(ana.locator("#pace")).to_have_text("clock held")
        expect(fac.locator("#truth-panel")).to_be_visible()
        assert ana.locator("#truth-panel").count() == 0

        def send(page: Page, line: str, answer: str) -> None:
            page.fill("#line", line)
            page.press("#line", "Enter")
            expect(page.locator("#answers")).to_contain_text(answer, timeout=30_000)

        send(ana, "pause", "refused: the facilitator is holding the clock")
        fac.click("#start")
        expect(ana.locator("#pace")).to_have_text("30x")
        # Tab completes as at the terminal.
        ana.fill("#line", "stop ema")
        ana.press("#line", "Tab")
        expect(ana.locator("#line")).to_have_value("stop email.outbox ")
        ana.fill("#line", "")
        send(ben, "pause", "refused: 'pause' is not for repair; ana (owner) may")
        send(ana, "pause", "pause -> done")
        send(ana, "stop email.outbox", "stop email.outbox -> done")
        send(ana, "disable billing.invoice-updated", "disable billing.invoice-updated -> done")
        send(ana, "disable activity-logger", "contained")
        send(cy, "notify reminders paused, duplicates being marked", "first note sent")
        send(ben, "snapshot billing email warehouse", "records copied")
        send(ben, f"query run={RUN}", f"query run={RUN} ->")
        send(ben, "tag last", "tag last ->")
        send(ben, "scope submit", "scope submit ->")
        send(ben, "repair script all", "repair script all ->")
        fac.click("text=customer escalation")
        expect(cy.locator("#alerts")).to_contain_text("a customer escalated", timeout=30_000)
        # Every screen shows the same world: the job contained, the shared log, who did it.
        for page in (ana, ben, cy, fac):
            expect(page.locator("#job-state")).to_contain_text("paused · contained")
            expect(page.locator("#log")).to_contain_text("cy: notify reminders paused")
            expect(page.locator("#feeders")).to_contain_text("email.outbox (queue): off")
        assert ana.locator("#chart polyline").count() >= 2
        expect(fac.locator("#truth")).to_contain_text("triple_trigger")
        fac.click("#end")
        for page in (ana, ben, cy, fac):
            page.wait_for_url(re.compile(r"/report/"), timeout=120_000)
            expect(page.locator("body")).to_contain_text("ben")
        report_text = ana.locator("body").inner_text()
        assert "runbook" in report_text.lower()
        chromium.close()
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 0, stderr
    assert "wrote" in stdout
    room_report = json.loads(next(out.glob("*.json")).read_text())
    # The room's journal, cut after its last action as if the room had been closed there,
    # carried on by the terminal's drills live: the same report.
    journal = out / "drill.journal.jsonl"
    lines = journal.read_text().splitlines()
    last = max(i for i, line in enumerate(lines) if json.loads(line).get("kind") == "action")
    cut = tmp_path / "cut" / "drill.journal.jsonl"
    cut.parent.mkdir()
    cut.write_text("\n".join(lines[: last + 1]) + "\n")
    again = tmp_path / "again"
    done = subprocess.run(
        [sys.executable, "-m", "drills", "live", "--resume", str(cut), "--out", str(again),
         "--format", "json"],
        capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT)}, check=False,
    )
    assert done.returncode == 0, done.stderr
    live_report = json.loads(next(again.glob("*.json")).read_text())
    for key in ("outcome", "findings", "comparison", "comms"):
        assert live_report[key] == room_report[key], key
    assert [(s["action"], s["who"], s["finished"]) for s in live_report["steps"]] == [
        (s["action"], s["who"], s["finished"]) for s in room_report["steps"]]
    whos = {s["who"] for s in room_report["steps"]}
    assert {"ana", "ben"} <= whos
