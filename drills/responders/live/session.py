"""The live drill at a terminal: a full-screen status and a prompt, or plain lines.

On a terminal the session is a prompt_toolkit application: the status area
(:func:`drills.responders.live.screen.render_status`, redrawn twice a second), the answers to
the last commands, and an input line with Tab completion, history and ``help``.
Without a terminal (a pipe, a script) each line read from standard input is one
command and answers are printed as lines; the end of input ends the drill.

The session only turns keystrokes into checked commands and shows what comes back;
the drill itself runs in :class:`~drills.responders.live.drill.LiveDrill`'s thread.
"""

from __future__ import annotations

import asyncio
import textwrap
import threading
from collections import deque
from collections.abc import Callable, Iterable
from typing import IO

from freezegun.api import real_monotonic

from drills.responders.live.commands import CommandError, help_text, parse_command
from drills.responders.live.completion import complete
from drills.responders.live.drill import LiveDrill
from drills.responders.live.responder import ActionResult

__all__ = ["LiveSession"]

_KEEP = 200


class _RealTimeLoop(asyncio.SelectorEventLoop):
    """The screen's event loop, timed by the real monotonic clock.

    The drill's own thread starts and stops a freezegun freezer so that the team's code
    reads drill time. An event loop reading the patched ``time.monotonic`` can catch
    that freezer mid-stop (freezegun then raises ``IndexError`` inside its stack check,
    and the screen dies with "Unhandled exception in event loop"); the screen's timers
    (the half-second redraw) are wall-clock timers anyway.
    """

    def time(self) -> float:
        return float(real_monotonic())


class LiveSession:
    """Routes typed lines to the drill and keeps the answers to show."""

    def __init__(self, drill: LiveDrill, team: Iterable[str]) -> None:
        self.drill = drill
        self.team = tuple(team)
        self.who = self.team[0]
        self.closed = False
        self.ending = False
        self._confirm_end = False
        self._lock = threading.Lock()
        self._answers: deque[str] = deque(maxlen=_KEEP)
        self._listeners: list[Callable[[str], None]] = []
        drill.on_result = self.result

    # -- answers -------------------------------------------------------------------------

    def say(self, text: str) -> None:
        with self._lock:
            self._answers.extend(text.splitlines() or [""])
            listeners = list(self._listeners)
        for listen in listeners:
            listen(text)

    def answers(self, last: int) -> list[str]:
        with self._lock:
            return list(self._answers)[-last:]

    def result(self, result: ActionResult) -> None:
        """Called from the drill's thread when an action was applied or refused."""
        a = result.action
        mark = "ok" if result.ok else "refused, nothing changed"
        if a.replayed:
            return
        self.say(f"{a.at:%H:%M:%S} {a.who}: {a.command.text} -> {result.message} ({mark})"
                 if result.ok else f"{a.at:%H:%M:%S} {a.who}: {a.command.text} -> {mark}: "
                 f"{result.message}")

    # -- one line ------------------------------------------------------------------------

    def handle(self, line: str) -> None:
        """Check one typed line and send it to the drill, or say what is wrong."""
        if not line.strip():
            return
        ctx = self.drill.context()
        if ctx is None:
            self.say("the world is still being built; try again in a moment")
            return
        if self.drill.over:
            self.say("the drill is over")
            return
        if self.ending or self.drill.responder.ended_at is not None:  # (a resumed 'end' too)
            self.say("the drill was ended: the rest of its window is being played out with the "
                     "world as the team left it, then the report is written")
            return
        try:
            cmd = parse_command(line, ctx)
        except CommandError as err:
            self.say(f"error: {err}")
            return
        who = cmd.who or self.who
        if cmd.action == "help":
            self.say(help_text(cmd.args["action"]))
            return
        if cmd.action == "as":
            self.who = cmd.args["who"]
            self.say(f"now acting as {self.who}")
            return
        if cmd.action == "end" and not (cmd.args["confirmed"] or self._confirm_end):
            self._confirm_end = True
            self.say("end the drill and write the report? type 'end' again to confirm")
            return
        self._confirm_end = False
        if cmd.action == "end":
            if self.ending:
                return
            self.ending = True
        self.drill.enter(who, cmd)

    # -- plain lines (no terminal) ------------------------------------------------------------

    def run_lines(self, stdin: IO[str], stdout: IO[str]) -> None:
        """Read commands line by line; the end of input ends the drill."""
        printing = threading.Lock()

        def show(text: str) -> None:
            with printing:
                stdout.write(text + "\n")
                stdout.flush()

        self._listeners.append(show)
        while self.drill.context() is None and not self.drill.over:
            self.drill.wait(0.05)
        for line in stdin:
            if self.drill.over:
                break
            self.handle(line.rstrip("\n"))
        if not self.drill.over and not self.ending:
            ctx = self.drill.context()
            if ctx is not None:
                self.handle("end yes")
        self.drill.wait()

    # -- the full screen -----------------------------------------------------------------

    def run_fullscreen(self) -> None:
        """The prompt_toolkit application; returns when the drill is over or closed."""
        from prompt_toolkit.application import Application, get_app
        from prompt_toolkit.completion import Completer, Completion, ThreadedCompleter
        from prompt_toolkit.document import Document
        from prompt_toolkit.formatted_text import ANSI
        from prompt_toolkit.history import InMemoryHistory
        from prompt_toolkit.key_binding import KeyBindings
        from prompt_toolkit.layout import Float, FloatContainer, HSplit, Layout, Window
        from prompt_toolkit.layout.controls import FormattedTextControl
        from prompt_toolkit.layout.dimension import Dimension
        from prompt_toolkit.layout.menus import CompletionsMenu
        from prompt_toolkit.widgets import TextArea

        from drills.responders.live.screen import render_status

        session = self

        class _Completer(Completer):
            def get_completions(self, document: Document, event: object) -> Iterable[Completion]:
                ctx = session.drill.context()
                if ctx is None:
                    return
                before = document.text_before_cursor
                word = before.split(" ")[-1]
                for option in complete(before, ctx):
                    # A finished word gets its space, so the next Tab completes the next word
                    # ('key=' and a window's 'start-' are not finished).
                    text = option if option.endswith(("=", "-")) else f"{option} "
                    yield Completion(text, start_position=-len(word), display=option)

        shown = {"status_rows": 8}

        def status() -> ANSI:
            width = get_app().output.get_size().columns
            text = render_status(self.drill.view(), width, who=self.who)
            shown["status_rows"] = text.count("\n") + 1
            return ANSI(text)

        def answers() -> str:
            # The newest answers, wrapped here so the window's bottom row is the newest.
            size = get_app().output.get_size()
            width = max(20, size.columns - 1)
            room = max(3, size.rows - shown["status_rows"] - 2)
            rows = [part for line in self.answers(room)
                    for part in (textwrap.wrap(line, width, subsequent_indent="  ") or [""])]
            return "\n".join(rows[-room:])

        def accept(buffer: object) -> bool:
            text = area.text
            self.say(f"{self.who}> {text}")
            self.handle(text)
            return False

        area = TextArea(height=1, multiline=False, prompt=lambda: f"{self.who}> ",
                        completer=ThreadedCompleter(_Completer()), history=InMemoryHistory(),
                        complete_while_typing=False, accept_handler=accept)
        keys = KeyBindings()

        @keys.add("c-c")
        @keys.add("c-d")
        def _close(event: object) -> None:
            self.closed = True
            get_app().exit()

        screen = HSplit([
            Window(FormattedTextControl(status), dont_extend_height=True, wrap_lines=False),
            Window(height=1, char="-"),
            Window(FormattedTextControl(answers), height=Dimension(min=3), wrap_lines=True),
            area,
        ])
        # More than one candidate (batches, times): Tab shows them at the cursor, and
        # Tab again picks the first, then the next.
        menu = Float(xcursor=True, ycursor=True,
                     content=CompletionsMenu(max_height=8, scroll_offset=1))
        layout = Layout(FloatContainer(content=screen, floats=[menu]), focused_element=area)
        app: Application[None] = Application(layout=layout, key_bindings=keys, full_screen=True,
                                             refresh_interval=0.5, mouse_support=False)

        def watch() -> None:
            self.drill.wait()
            loop = app.loop
            if loop is not None and app.is_running:
                loop.call_soon_threadsafe(app.exit)

        def start_watch() -> None:
            threading.Thread(target=watch, name="drill-watch", daemon=True).start()

        with asyncio.Runner(loop_factory=_RealTimeLoop) as runner:
            runner.run(app.run_async(pre_run=start_watch))
