"""Debian's headless Chromium for the HTML tests, through ``scripts/html_screenshot.py``.

The report's and the review's browser tests share the script and its rules: no
console message, never a downloaded browser (``DRILLS_CHROMIUM`` names another binary).
The ``browser`` fixture (``tests/conftest.py``) skips without Chromium, except under
CI (``CI=true``), where a missing browser fails: ``apt-get install -y chromium``.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

__all__ = ["SCRIPT", "screenshot"]

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "html_screenshot.py"


def _load_script() -> ModuleType:
    # scripts/ is not a package; load the one file the tests exercise by its path.
    spec = importlib.util.spec_from_file_location("html_screenshot", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


screenshot = _load_script()
