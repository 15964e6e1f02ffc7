"""Make docs/room-participant.png and docs/room-facilitator.png from a real drill room.

Starts ``drills room`` on the example runbook, starts the clock as the facilitator,
has the owner pause and comms send a note through the same HTTP calls the pages make,
throws one twist, and screenshots a participant's page and the facilitator's in
Debian's headless Chromium (``--chromium`` or ``$DRILLS_CHROMIUM``, else ``chromium``
on PATH; never a downloaded browser). Run from the repository root:

    python scripts/room_screenshots.py
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _post(url: str, body: dict[str, object]) -> None:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chromium", default=os.environ.get("DRILLS_CHROMIUM"))
    parser.add_argument("--out", type=Path, default=ROOT / "docs")
    args = parser.parse_args()
    chromium = args.chromium or shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        print("no chromium; install it with: apt-get install -y chromium", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    work = Path(tempfile.mkdtemp(prefix="drills-room-shots-"))
    proc = subprocess.Popen(
        [sys.executable, "-m", "drills", "room", "invoice-triple-trigger", "--runbook",
         str(ROOT / "examples" / "invoice-reminder.runbook.yaml"), "--team",
         "ana=owner,ben=repair,cy=comms", "--speed", "20", "--port", str(port),
         "--out", str(work / "out")],
        stdout=subprocess.PIPE, text=True, cwd=work,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        links: dict[str, str] = {}
        assert proc.stdout is not None
        for line in proc.stdout:
            found = re.match(r"\s*(\w+)(?: \(\w+\))?: (http://\S+)$", line)
            if found:
                links[found.group(1)] = found.group(2)
            if line.startswith("the clock is held"):
                break
        base = f"http://127.0.0.1:{port}"

        def token(name: str) -> str:
            return links[name].rsplit("/", 1)[1]

        _post(f"{base}/control/{token('facilitator')}", {"what": "start"})
        time.sleep(4)
        _post(f"{base}/act/{token('ana')}", {"line": "pause"})
        _post(f"{base}/act/{token('cy')}", {"line": "notify reminders paused, checking"})
        _post(f"{base}/act/{token('ana')}", {"line": "stop email.outbox"})
        _post(f"{base}/act/{token('facilitator')}", {"line": "twist escalation the CFO is calling"})
        time.sleep(3)
        args.out.mkdir(parents=True, exist_ok=True)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
            for name, file in (("ana", "room-participant.png"),
                               ("facilitator", "room-facilitator.png")):
                page = browser.new_page(viewport={"width": 1400, "height": 1100})
                page.goto(links[name])
                page.wait_for_function("document.querySelectorAll('#log li').length > 3")
                if name == "ana":
                    page.fill("#line", "disable billing.invoice-updated")
                page.wait_for_timeout(1200)
                page.screenshot(path=str(args.out / file), full_page=True)
                print(f"wrote {args.out / file}")
            browser.close()
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
