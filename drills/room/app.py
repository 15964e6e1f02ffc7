"""The room's web server: server-rendered pages, live updates by server-sent events.

A Starlette app (ASGI, served by uvicorn) with no front-end build step: one Jinja2
page per seat, a small script and a stylesheet shipped in the package, nothing loaded
from the internet. Every request names its person by the token in its path; a token
that matches nobody is refused (403) before anything else is read. The page gets its
state from ``/events/TOKEN`` (a server-sent event stream, twice a second) and sends
lines to ``/act/TOKEN``; the facilitator's page also sends ``/control/TOKEN``. When
the drill is judged every screen turns to ``/report/TOKEN``: the same HTML report
``drills live --out`` writes.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import (
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    Response,
    StreamingResponse,
)
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from drills.engine.people import owner_away
from drills.room.roles import Person
from drills.room.room import Room

__all__ = ["UPDATE_SECONDS", "create_app"]

HERE = Path(__file__).resolve().parent
UPDATE_SECONDS = 0.5
"""How often each screen's stream sends the state: the terminal screen redraws as often."""
MAX_LINE = 2000
"""The longest line a screen may send: a typed action, not a file."""

_REFUSED = "this link is not valid for this drill; ask the facilitator for yours"


def _env() -> Environment:
    return Environment(loader=FileSystemLoader(HERE / "templates"),
                       autoescape=select_autoescape(["html", "j2"]))


def create_app(room: Room) -> Starlette:
    """The room's ASGI app; ``room`` holds the drill and the roster."""
    env = _env()

    def person_of(request: Request) -> Person | None:
        return room.roster.find(request.path_params.get("token"))

    def refused() -> Response:
        return PlainTextResponse(_REFUSED, status_code=403)

    async def page(request: Request) -> Response:
        person = person_of(request)
        wanted = request.url.path.split("/")[1] == "facilitate"
        if person is None or person.facilitator != wanted:
            return refused()
        html = env.get_template("room.html.j2").render(
            me=person, token=person.token, job=room.drill.plan.scenario.automation.name,
            scenario=room.drill.plan.scenario.name, team=room.roster.team,
            twists=_twists(room),
        )
        return HTMLResponse(html, headers={"Cache-Control": "no-store"})

    async def state(request: Request) -> Response:
        person = person_of(request)
        if person is None:
            return refused()
        return JSONResponse(room.state(person))

    async def events(request: Request) -> Response:
        person = person_of(request)
        if person is None:
            return refused()
        found = person

        async def stream() -> AsyncIterator[str]:
            while True:
                data = await asyncio.to_thread(room.state, found)
                yield f"data: {json.dumps(data)}\n\n"
                if data["over"] or await request.is_disconnected():
                    return
                await asyncio.sleep(UPDATE_SECONDS)

        return StreamingResponse(stream(), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-store"})

    async def body(request: Request) -> dict[str, Any] | None:
        try:
            data = json.loads(await request.body())
        except ValueError:
            return None
        return data if isinstance(data, dict) else None

    async def act(request: Request) -> Response:
        person = person_of(request)
        if person is None:
            return refused()
        data = await body(request)
        line = data.get("line") if data is not None else None
        if not isinstance(line, str) or len(line) > MAX_LINE:
            return JSONResponse({"ok": False, "message": f"send {{\"line\": TEXT}} with at most "
                                 f"{MAX_LINE} characters"}, status_code=400)
        answer = await asyncio.to_thread(room.act, person, line)
        return JSONResponse({"ok": answer.ok, "message": answer.message, "seq": answer.seq})

    async def control(request: Request) -> Response:
        person = person_of(request)
        if person is None:
            return refused()
        data = await body(request)
        what = data.get("what") if data is not None else None
        if not isinstance(what, str):
            return JSONResponse({"ok": False, "message": "send {\"what\": start|pause|speed|end}"},
                                status_code=400)
        answer = await asyncio.to_thread(room.control, person, what,
                                         data.get("value") if data else None)
        return JSONResponse({"ok": answer.ok, "message": answer.message},
                            status_code=200 if answer.ok or person.facilitator else 403)

    async def completions(request: Request) -> Response:
        person = person_of(request)
        if person is None:
            return refused()
        text = request.query_params.get("text", "")[:MAX_LINE]
        return JSONResponse({"options": room.complete(text)})

    async def report(request: Request) -> Response:
        person = person_of(request)
        if person is None:
            return refused()
        await asyncio.to_thread(room.state, person)  # judged by now? then it is rendered
        html = room.report_html
        if html is None:
            return PlainTextResponse("the report is written when the drill ends",
                                     status_code=404)
        return HTMLResponse(html)

    async def home(request: Request) -> Response:
        return PlainTextResponse("drills room: open the join link you were given", 404)

    routes = [
        Route("/", home),
        Route("/join/{token}", page),
        Route("/facilitate/{token}", page),
        Route("/state/{token}", state),
        Route("/events/{token}", events),
        Route("/act/{token}", act, methods=["POST"]),
        Route("/control/{token}", control, methods=["POST"]),
        Route("/complete/{token}", completions),
        Route("/report/{token}", report),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    return Starlette(routes=routes)


def _twists(room: Room) -> list[tuple[str, str]]:
    """The twists this drill allows, as (label, command) for the facilitator's buttons."""
    out = [("customer escalation", "twist escalation"),
           ("second bad batch (20 records)", "twist second-batch 20")]
    if not owner_away(room.drill.plan.scenario):
        out.insert(0, ("owner unreachable", "twist owner-unreachable"))
    for feeder in room.drill.plan.scenario.automation.feeders:
        out.append((f"{feeder.name} turns itself back on", f"twist feeder-on {feeder.name}"))
    return out
