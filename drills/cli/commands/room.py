"""``drills room SCENARIO --runbook FILE``: a game day in the browser, a screen per person.

The same live drill as ``drills live`` (engine, journal, grading; a room's journal
resumes with ``drills live --resume``) behind a small web server
(:mod:`drills.room`). It prints one join link per person and one for the facilitator,
each with a random token, and serves until Ctrl-C; the clock is held until the
facilitator starts it. Bound to 127.0.0.1 unless ``--host`` says otherwise. Every
input is checked before anything starts: a bad scenario, runbook, team, speed, host or
port is one line and exit 2. When the drill ends the report and journal are in ``--out``
(default ``./drill-room-<time>``).
"""

from __future__ import annotations

import asyncio
import socket
import sys
from datetime import UTC, datetime
from pathlib import Path

import click

from drills.cli.commands.live import _resume_hint, _start
from drills.cli.main import EXIT_FAILED, EXIT_OK, say
from drills.cli.outdir import OutFolder
from drills.errors import DrillsError
from drills.responders.live import DEFAULT_SPEED, LiveDrill
from drills.responders.live.session import _RealTimeLoop

__all__ = ["command", "listen"]

FORMATS = ("md", "html", "json", "junit")
DEFAULT_TEAM = "alice=owner,bob=repair,carol=comms"


def listen(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port``, or one line saying why not (before any link is
    printed, so a link never points at a server that is not there)."""
    if not 1 <= port <= 65535:
        raise DrillsError(f"--port {port} is not a port; use 1 to 65535, e.g. --port 8000")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as err:
        raise DrillsError(f"--host {host!r} is not an address this machine has ({err}); "
                          "e.g. --host 127.0.0.1") from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as err:
        sock.close()
        raise DrillsError(f"cannot listen on {host}:{port} ({err.strerror}); choose another "
                          "--port, or --host 127.0.0.1") from None
    sock.listen(64)
    return sock


@click.command("room")
@click.argument("scenario", required=False)
@click.option("--runbook", "runbook_path", type=click.Path(path_type=Path),
              help="The team's runbook: its stop rules raise the alerts, and the report sets "
                   "the team beside it followed perfectly.")
@click.option("--team", default=DEFAULT_TEAM, show_default=True,
              help="Who is in the room: NAME=ROLE, comma-separated (roles: owner, backup, "
                   "comms, repair, observer); a name without a role gets the next free one.")
@click.option("--speed", type=float, default=DEFAULT_SPEED, show_default=True,
              help="Drill seconds per real second; the facilitator can change it.")
@click.option("--seed", type=int, default=None, help="Replace the scenario's seed.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to serve on; anything but 127.0.0.1 lets the network in.")
@click.option("--port", type=int, default=8000, show_default=True, help="Port to serve on.")
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Folder for the journal and the report files (default "
                   "./drill-room-<time>); one holding another drill is refused.")
def command(
    scenario: str | None,
    runbook_path: Path | None,
    team: str,
    speed: float,
    seed: int | None,
    host: str,
    port: int,
    out: Path | None,
) -> None:
    """Run a drill of SCENARIO in the browser: a screen per person, a facilitator's console.

    \b
    Examples:
      drills room invoice-reminder --runbook ours.runbook.yaml --team ana=owner,ben=repair
      drills room invoice-triple-trigger --runbook ours.yaml --out q3-game-day --port 8080
    Exit codes: 0 the drill ended and was reported, 1 closed before its end (resume it
    with drills live --resume), 2 bad input or usage.
    """
    import uvicorn

    from drills.room import Room, Roster, create_app, parse_roster

    seats = parse_roster(team)
    if out is None:
        out = Path(f"drill-room-{datetime.now(UTC):%Y%m%d-%H%M%S}")
    OutFolder.prepare(out, overwrite=None, own=None)
    names = ",".join(name for name, _ in seats)
    ready = _start(scenario, runbook_path, speed, names, seed, None, out, None, list(FORMATS))
    sock = listen(host, port)
    roster = Roster(seats)
    journal = ready.open_journal()
    drill = LiveDrill(ready.plan, journal=journal)
    room = Room(drill, roster, journal=journal, out=out, formats=FORMATS)
    shown = f"[{host}]" if ":" in host else host
    base = f"http://{shown}:{sock.getsockname()[1]}"
    say(f"drills room: {ready.plan.scenario.name}, journal {journal.path}")
    for person in roster.team:
        say(f"  {person.name} ({person.role}): {base}/join/{person.token}")
    say(f"  facilitator: {base}/facilitate/{roster.facilitator.token}")
    if host not in ("127.0.0.1", "localhost", "::1"):
        say(f"listening on {host}: anyone who can reach it with a link can act as that person")
    say("the clock is held until the facilitator starts it; Ctrl-C stops the server")
    config = uvicorn.Config(create_app(room), log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    try:
        drill.start()
        # The drill's thread freezes time.monotonic for the team's code (freezegun); the
        # server's event loop keeps the real clock, as the terminal screen's does.
        try:
            with asyncio.Runner(loop_factory=_RealTimeLoop) as runner:
                runner.run(server.serve(sockets=[sock]))
        except KeyboardInterrupt as err:  # Ctrl-C closes the room; SIGTERM ends the command
            if type(err) is not KeyboardInterrupt:
                raise
    finally:
        drill.close()
        journal.close()
        sock.close()
    if not drill.over:
        say(_resume_hint(journal.path, out), err=True)
        sys.exit(EXIT_FAILED)
    if drill.error is not None:
        raise drill.error
    room.finish()
    say(f"journal {journal.path}")
    for path in room.written.values():
        say(f"wrote {path}")
    if room.report_error is not None:
        raise DrillsError(room.report_error)
    sys.exit(EXIT_OK)
