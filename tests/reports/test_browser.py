"""The HTML report in a real browser: Debian's headless Chromium loads it without a single
console message and takes a screenshot, through ``scripts/html_screenshot.py``.

Without Chromium these tests skip, except under CI (``CI=true``), where a missing
browser is a failure: install it with ``apt-get install -y chromium``. Set
``DRILLS_CHROMIUM`` to use another binary; never let a tool download one.
"""

from __future__ import annotations

import re
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from drills.reports.html import render_html
from drills.reports.jsonout import render_json
from drills.reports.model import DrillReport
from tests.browser import SCRIPT, screenshot

pytestmark = pytest.mark.slow


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    width, height = struct.unpack(">II", head[16:24])
    return width, height


def test_the_script_screenshots_a_saved_report_without_console_errors(
    browser: str, flawed_report: DrillReport, tmp_path: Path
) -> None:
    saved = tmp_path / "report.json"
    saved.write_text(render_json(flawed_report), encoding="utf-8")
    out = tmp_path / "shot" / "report.png"
    done = subprocess.run(
        [sys.executable, str(SCRIPT), str(saved), str(out), "--browser", browser],
        capture_output=True, text=True, timeout=180, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "console:" not in done.stderr
    assert _png_size(out) == (1280, 2400)
    assert out.stat().st_size > 50_000, "a blank page compresses to almost nothing"
    assert out.with_suffix(".html").read_text(encoding="utf-8") == render_html(flawed_report)


def test_the_browser_builds_the_charts_we_wrote(
    browser: str, good_report: DrillReport, tmp_path: Path
) -> None:
    page = tmp_path / "good.html"
    page.write_text(render_html(good_report), encoding="utf-8")
    run = screenshot.run_chromium(browser, page, "--dump-dom")
    assert run.returncode == 0
    assert screenshot.console_messages(run.stderr) == []
    dom = run.stdout
    assert good_report.headline() in dom
    assert dom.count('class="point"') == len(good_report.timeline)
    assert dom.count("data-phase=") >= len([p for p in good_report.phases if p.minute])


def test_the_console_check_catches_a_broken_page(browser: str, tmp_path: Path) -> None:
    page = tmp_path / "broken.html"
    page.write_text("<!DOCTYPE html><p>x</p><script>notDefined();</script>", encoding="utf-8")
    run = screenshot.run_chromium(browser, page, "--dump-dom")
    messages = screenshot.console_messages(run.stderr)
    assert any("Uncaught ReferenceError" in line for line in messages), run.stderr[-2000:]


def test_the_script_says_what_is_wrong_with_a_bad_report(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    done = subprocess.run([sys.executable, str(SCRIPT), str(bad), str(tmp_path / "x.png")],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2
    assert done.stderr.startswith(f"error: {bad}:1:2: not JSON")
    assert "Traceback" not in done.stderr


def test_the_report_prints(browser: str, flawed_report: DrillReport, tmp_path: Path) -> None:
    page = tmp_path / "flawed.html"
    page.write_text(render_html(flawed_report), encoding="utf-8")
    pdf = tmp_path / "flawed.pdf"
    run = screenshot.run_chromium(browser, page, f"--print-to-pdf={pdf}",
                                  "--no-pdf-header-footer")
    assert run.returncode == 0, run.stderr[-2000:]
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", data))
    assert 2 <= pages <= 12, f"{pages} printed pages"
