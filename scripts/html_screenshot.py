"""Render a saved drill report (or readiness review) as HTML and look at it in a real browser.

    python scripts/html_screenshot.py REPORT.json OUT.png [--width 1280] [--height 2400]

It loads the JSON report (validated, like any reader would; a readiness review written
by ``drills score --format json`` is recognised by its ``review_version``), writes the HTML next to
OUT.png, then runs the system's headless Chromium twice: once to dump the DOM with
console logging on (any console message, such as an uncaught error, fails the run),
once to take the screenshot. The browser never reaches a network (every host name
resolves to nothing), so a report that needed one would show it. Tests run this
script; people run it to see what a report looks like without opening a desktop.

Exit codes: 0 fine, 1 the page logged console messages, 2 bad input or no browser.
The browser is ``--browser``, else ``$DRILLS_CHROMIUM``, else ``chromium`` on PATH;
install Debian's package (``apt-get install chromium``), never a downloaded build.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from drills.reports.html import render_html
from drills.reports.jsonout import ReportError, load_report
from drills.reports.review import load_review, render_review_html

__all__ = ["BrowserRun", "chromium_path", "console_messages", "main", "run_chromium"]

CONSOLE_LINE = re.compile(r":CONSOLE[:(]|Uncaught", re.IGNORECASE)
"""How Chromium's stderr log marks page console output and uncaught errors."""

FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
    "--disable-default-apps", "--disable-extensions", "--disable-dev-shm-usage",
    "--hide-scrollbars", "--host-resolver-rules=MAP * ~NOTFOUND",
)


class BrowserRun:
    """What one Chromium run printed."""

    def __init__(self, returncode: int, stdout: str, stderr: str) -> None:
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr


def chromium_path(explicit: str | None = None) -> str | None:
    """The browser to run: explicit, ``$DRILLS_CHROMIUM``, or ``chromium`` on PATH."""
    candidate = explicit or os.environ.get("DRILLS_CHROMIUM")
    if candidate:
        return candidate if Path(candidate).is_file() else shutil.which(candidate)
    return shutil.which("chromium") or shutil.which("chromium-browser")


def run_chromium(browser: str, page: Path, *extra: str, timeout: float = 90) -> BrowserRun:
    """Run headless Chromium on ``page`` with a fresh profile, logging to stderr."""
    with tempfile.TemporaryDirectory(prefix="drills-chromium-") as profile:
        done = subprocess.run(
            [browser, *FLAGS, f"--user-data-dir={profile}", "--enable-logging=stderr",
             "--v=0", *extra, page.resolve().as_uri()],
            capture_output=True, text=True, timeout=timeout, check=False,
            stdin=subprocess.DEVNULL,
        )
    return BrowserRun(done.returncode, done.stdout, done.stderr)


def console_messages(stderr: str) -> list[str]:
    """The lines of a Chromium log that come from the page's console."""
    return [line for line in stderr.splitlines() if CONSOLE_LINE.search(line)]


def _page(path: Path) -> str:
    """The HTML of a saved report or review; a bad file is a :class:`ReportError`."""
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        data = None  # load_report says what is wrong, with the line
    if isinstance(data, dict) and "review_version" in data:
        return render_review_html(load_review(path))
    return render_html(load_report(path))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("report", type=Path,
                        help="a drill report (or a readiness review) saved as JSON")
    parser.add_argument("out", type=Path, help="the PNG to write")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=2400)
    parser.add_argument("--browser", help="path to chromium")
    args = parser.parse_args(argv)

    try:
        html = _page(args.report)
    except ReportError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    browser = chromium_path(args.browser)
    if browser is None:
        print("error: no chromium found; install it with: apt-get install -y chromium "
              "(or pass --browser PATH)", file=sys.stderr)
        return 2

    out: Path = args.out
    out.parent.mkdir(parents=True, exist_ok=True)
    page = out.with_suffix(".html")
    page.write_text(html, encoding="utf-8")

    dom = run_chromium(browser, page, "--dump-dom")
    messages = console_messages(dom.stderr)
    if dom.returncode != 0 or "</html>" not in dom.stdout:
        print(f"error: chromium could not load {page} (exit {dom.returncode})", file=sys.stderr)
        return 2
    shot = run_chromium(browser, page, f"--screenshot={out.resolve()}",
                        f"--window-size={args.width},{args.height}")
    if shot.returncode != 0 or not out.is_file():
        print(f"error: chromium wrote no screenshot (exit {shot.returncode})", file=sys.stderr)
        return 2
    messages += console_messages(shot.stderr)
    for line in messages:
        print(f"console: {line}", file=sys.stderr)
    print(f"wrote {out} and {page}")
    return 1 if messages else 0


if __name__ == "__main__":
    sys.exit(main())
