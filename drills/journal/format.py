"""The journal's line format: JSON objects, one per line, and the names that are reserved.

Everything that writes or compares journal lines goes through :func:`event_line` and
:func:`dumps`, so a line written during a drill and the same event produced by a replay
are equal exactly when the drill did the same thing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from enum import Enum
from pathlib import Path
from typing import Any

import freezegun.api
from pydantic import BaseModel

from drills.errors import DrillsError
from drills.files.limits import MAX_DEPTH, MAX_NUMBER_LENGTH

__all__ = [
    "DEFAULT_NAME",
    "ENDED",
    "FINISHED",
    "HEADER",
    "IN_MEMORY",
    "JOURNAL_VERSION",
    "RENAMED",
    "JournalError",
    "JsonProblem",
    "check_data",
    "drill_time",
    "dumps",
    "event_line",
    "loads",
    "sha256",
    "wall_now",
]

JOURNAL_VERSION = 1
"""Bumped only when an older drills could no longer read what a newer one writes."""

DEFAULT_NAME = "drill.journal.jsonl"
"""The journal's file name inside ``drills run --out DIR``."""

HEADER = "header"
FINISHED = "finished"
ENDED = "ended"
"""The engine's own ``finished`` event (the loop is over) is journaled as ``ended``:
``finished`` in a journal is only ever the last line, the one holding the report."""

RENAMED = {"finished": ENDED}
_RESERVED = ("kind", "at", "wall")
IN_MEMORY = "(in memory)"
"""The header's scenario source when the scenario was a model, not a file or a name."""

class JournalError(DrillsError):
    """A journal that cannot be written, read or replayed; ``str()`` is the one line to show."""


class JsonProblem(DrillsError, ValueError):
    """Raised by :func:`loads` for JSON text it will not read; ``str()`` completes "line N
    ..." (``is not JSON (...)``, ``is nested more than 64 levels deep``), so callers put
    the file and line in front. ``limit``: the text is JSON, but past one of drills'
    limits (nesting, digits)."""

    def __init__(self, message: str, *, limit: bool = False) -> None:
        super().__init__(message)
        self.limit = limit


def _number(text: str) -> int:
    if len(text) > MAX_NUMBER_LENGTH:
        raise JsonProblem(f"holds a number of {len(text):,} digits (at most "
                          f"{MAX_NUMBER_LENGTH:,} are read)", limit=True)
    return int(text)


def _too_deep(obj: Any) -> bool:
    """Whether ``obj`` nests lists and objects more than :data:`MAX_DEPTH` levels deep
    (walked with a stack of its own, so a deep value never exhausts Python's)."""
    pending: list[tuple[Any, int]] = [(obj, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, dict):
            value = list(value.values())
        elif not isinstance(value, list):
            continue
        if depth > MAX_DEPTH:
            return True
        pending.extend((item, depth + 1) for item in value if isinstance(item, dict | list))
    return False


def loads(text: str | bytes) -> Any:
    """JSON as drills reads journals and reports from anywhere: bounded by the same limits
    as a drill file (:data:`~drills.files.limits.MAX_DEPTH` levels, numbers of at most
    :data:`~drills.files.limits.MAX_NUMBER_LENGTH` digits), every refusal one
    :class:`JsonProblem`. ``json.loads`` alone raises ``RecursionError`` on ``[[[...]]]``
    and ``ValueError`` past 4,300 digits, neither of which names the file."""
    try:
        if isinstance(text, bytes):  # json.loads would guess UTF-16 or -32 from the bytes
            text = text.decode("utf-8")
        obj = json.loads(text, parse_int=_number)
    except JsonProblem:
        raise
    except json.JSONDecodeError as err:
        raise JsonProblem(f"is not JSON ({err.msg} at column {err.colno})") from None
    except UnicodeDecodeError:
        raise JsonProblem("holds binary data (it is not UTF-8 text)") from None
    except RecursionError:
        raise JsonProblem(f"is nested more than {MAX_DEPTH} levels deep", limit=True) from None
    except ValueError as err:  # a float or constant json itself will not convert
        raise JsonProblem(f"is not JSON ({err})") from None
    if _too_deep(obj):
        raise JsonProblem(f"is nested more than {MAX_DEPTH} levels deep", limit=True)
    return obj


def drill_time(text: object) -> datetime | None:
    """An event's ``at`` as written: a naive ISO 8601 time on the drill clock, or None when
    it is not one (a date, a time with a UTC offset, a number, text)."""
    if not isinstance(text, str) or "T" not in text:
        return None
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        return None
    return at if at.tzinfo is None else None


def wall_now() -> datetime:
    """Wall-clock time in UTC, also inside a scripted drill.

    A scripted drill holds ``datetime.now()`` at drill time with freezegun, which swaps
    every ``datetime`` it finds in imported modules; its own saved original is the one
    name it leaves alone, so it is looked up there on every call.
    """
    real: type[datetime] = freezegun.api.real_datetime
    return real.now(UTC)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _jsonable(value: Any) -> Any:
    """What ``json.dumps`` cannot write itself: times as ISO 8601, sets sorted, models dumped."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    raise TypeError(f"a journal event cannot hold {type(value).__name__} values ({value!r})")


def dumps(obj: Mapping[str, Any]) -> str:
    """One line: ``json.dumps`` escapes every newline inside strings, so none can split it."""
    return json.dumps(obj, default=_jsonable, ensure_ascii=False, separators=(",", ":"))


def check_data(data: Mapping[str, Any]) -> None:
    clash = next((k for k in _RESERVED if k in data), None)
    if clash is not None:
        raise ValueError(f"journal event data may not use the key {clash!r}")


def event_line(kind: str, at: datetime | None, data: Mapping[str, Any]) -> dict[str, Any]:
    """One event as a journal holds it, without ``wall``: JSON types only.

    The writer and the replay's :class:`EventList` both go through this, so a replayed
    event equals its journaled line exactly when the drill did the same thing.
    """
    check_data(data)
    loaded: dict[str, Any] = json.loads(
        dumps({"kind": kind, "at": None if at is None else at.isoformat(), **data})
    )
    return loaded
