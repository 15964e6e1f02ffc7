"""The review's HTML in Debian's headless Chromium: no console message, the page we wrote.

The same script and rules as ``tests/reports/test_browser.py`` (``tests/browser.py``):
without Chromium these tests skip, except under CI where a missing browser fails.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from drills.reports.review import ReadinessReview, render_review_html, render_review_json
from tests.browser import SCRIPT, screenshot

pytestmark = pytest.mark.slow


def test_the_script_screenshots_a_saved_review_without_console_errors(
    browser: str, folder_review: ReadinessReview, tmp_path: Path
) -> None:
    saved = tmp_path / "readiness-review.json"
    saved.write_text(render_review_json(folder_review), encoding="utf-8")
    out = tmp_path / "shot" / "review.png"
    done = subprocess.run(
        [sys.executable, str(SCRIPT), str(saved), str(out), "--browser", browser],
        capture_output=True, text=True, timeout=180, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "console:" not in done.stderr
    assert out.stat().st_size > 50_000, "a blank page compresses to almost nothing"
    assert out.with_suffix(".html").read_text(encoding="utf-8") == render_review_html(
        folder_review)


def test_the_browser_builds_the_page_we_wrote(
    browser: str, folder_review: ReadinessReview, tmp_path: Path
) -> None:
    page = tmp_path / "review.html"
    page.write_text(render_review_html(folder_review), encoding="utf-8")
    run = screenshot.run_chromium(browser, page, "--dump-dom")
    assert run.returncode == 0
    assert screenshot.console_messages(run.stderr) == []
    dom = run.stdout
    assert folder_review.headline() in dom
    assert dom.count("data-rank=") == len(folder_review.automations)
    assert dom.count('class="automation page"') == len(folder_review.automations)
    trends = [a.trend for a in folder_review.automations if a.trend is not None]
    # one dot per drill on the score chart, and one on the minutes chart when contained
    assert dom.count('class="point"') == sum(
        len(t.points) + sum(1 for p in t.points if p.minutes_to_contain is not None)
        for t in trends)
