"""Drive the real ``drills live`` program in tmux: type keys, read the screen.

Each :class:`Tmux` has its own server socket (``-L``), a fixed window size and a
clean environment, and kills its server when closed, so tests never share or leak
a terminal. Waits poll ``capture-pane`` for expected text instead of sleeping.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import time
import uuid
from datetime import datetime
from pathlib import Path

__all__ = ["DRILLS", "Tmux", "screen_clock"]

DRILLS = str(Path(sys.executable).with_name("drills"))
ROOT = Path(__file__).parents[2]


def screen_clock(screen: str) -> datetime | None:
    """The drill clock the status line shows ('clock 09:12:30'), on the drill's day."""
    match = re.search(r"clock (\d\d):(\d\d):(\d\d)", screen)
    if match is None:
        return None
    h, m, s = (int(g) for g in match.groups())
    return datetime(2026, 3, 2, h, m, s)


class Tmux:
    def __init__(self, cwd: Path, width: int = 130, height: int = 50) -> None:
        self.socket = f"drills-test-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.cwd = cwd
        self.width = width
        self.height = height
        self.sessions = 0

    def _tmux(self, *args: str, check: bool = True) -> str:
        done = subprocess.run(["tmux", "-L", self.socket, "-f", "/dev/null", *args],
                              capture_output=True, text=True, check=check, timeout=10)
        return done.stdout

    def start(self, *argv: str) -> str:
        """Run ``drills ARGV`` in a new window; returns the session name."""
        self.sessions += 1
        name = f"s{self.sessions}"
        # PYTHONPATH passes through: a checkout tested with the code on it, not the
        # installed copy the console script would import by itself.
        path = os.environ.get("PYTHONPATH")
        env = (f"env -i PATH={shlex.quote(os.environ.get('PATH', ''))} HOME={self.cwd} "
               + (f"PYTHONPATH={shlex.quote(path)} " if path else "")
               + f"TERM=xterm-256color LANG=C.UTF-8 COLUMNS={self.width} LINES={self.height}")
        # The pane stays after the program exits, so its last screen can still be read.
        shell = (f"cd {shlex.quote(str(self.cwd))}; {env} "
                 + " ".join(shlex.quote(a) for a in [DRILLS, *argv])
                 + f" 2> stderr-{name}.txt; echo EXIT=$?; sleep 60")
        self._tmux("new-session", "-d", "-s", name, "-x", str(self.width), "-y",
                   str(self.height), shell)
        return name

    def pid(self, name: str) -> int:
        """The drills process running in the session's pane (the shell's child)."""
        shell = int(self._tmux("list-panes", "-t", name, "-F", "#{pane_pid}").strip())
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            out = subprocess.run(["pgrep", "-P", str(shell)], capture_output=True, text=True)
            for pid in out.stdout.split():
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
                if b"drills" in cmdline:
                    return int(pid)
            time.sleep(0.05)
        raise AssertionError("the drills process did not start")

    def screen(self, name: str) -> str:
        return self._tmux("capture-pane", "-p", "-t", name, "-J", check=False)

    def send(self, name: str, *keys: str) -> None:
        self._tmux("send-keys", "-t", name, *keys)

    def type(self, name: str, text: str) -> None:
        """Type a line literally and press Enter."""
        self._tmux("send-keys", "-t", name, "-l", text)
        self._tmux("send-keys", "-t", name, "Enter")

    def wait_for(self, name: str, pattern: str, timeout: float = 15.0) -> str:
        """Poll the screen until ``pattern`` (a regex) shows; return the screen."""
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen(name)
            if re.search(pattern, screen):
                return screen
            time.sleep(0.1)
        raise AssertionError(f"'{pattern}' never showed; the screen was:\n{screen}")

    def wait_for_clock(self, name: str, at: datetime, timeout: float = 30.0) -> str:
        """Poll the screen until its drill clock reads ``at`` or later; return the screen."""
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen(name)
            clock = screen_clock(screen)
            if clock is not None and clock >= at:
                return screen
            time.sleep(0.1)
        raise AssertionError(f"the drill clock never reached {at:%H:%M:%S}; the screen was:\n"
                             f"{screen}")

    def close(self) -> None:
        self._tmux("kill-server", check=False)
