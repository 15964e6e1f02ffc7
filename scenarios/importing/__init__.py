"""``drills import``'s library: from a system's audit log to a drill of the same incident.

The drill that prepares a team best is the incident it already had. Every system keeps
some record of a bad run (Salesforce field history, HubSpot property history, Stripe
events, a database's change table); this package reads one (:mod:`.formats`, into
:class:`~.changes.Change` values), finds the bad run and what it did wrong
(:mod:`.burst`), rebuilds a world and a scenario around it (:mod:`.build`) with every
personal value replaced by a keyed pseudonym (:mod:`.mask`), checks both files as
``drills validate`` would and writes them together, atomically.

It prints nothing and exits nowhere: the command (``drills/cli/commands/import_.py``)
does, and every way an export can be wrong is one :class:`~drills.errors.DrillsError`.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import time
from pathlib import Path

from drills.errors import DrillsError
from drills.files.atomic import write_texts_atomic
from drills.files.fileerror import FileError
from drills.scenarios.importing.build import build_files, dump, reading_of, render_world
from drills.scenarios.importing.burst import (
    MIN_CHANGES,
    MIN_RATE,
    MIN_RECORDS,
    Burst,
    find_bursts,
    read_fault,
)
from drills.scenarios.importing.formats import FORMATS, read_export
from drills.scenarios.importing.mask import Masker, new_key

__all__ = [
    "FORMATS",
    "AmbiguousBurst",
    "ImportRefused",
    "Imported",
    "Masker",
    "import_incident",
    "new_key",
    "parse_window",
    "world_path",
    "write_imported",
]


class ImportRefused(DrillsError):
    """An export, or the options given with it, that cannot make a drill: the message
    says what is wrong and how to get past it."""


class AmbiguousBurst(ImportRefused):
    """Several bursts, or none among those asked for: ``readings`` lists every burst
    found, for the command to print before the one error line."""

    def __init__(self, message: str, readings: Sequence[str]) -> None:
        super().__init__(message)
        self.readings = tuple(readings)


@dataclass(frozen=True)
class Imported:
    """The two files' texts, and the reading of the bad run they replay."""

    scenario: str
    world: str
    reading: str


_WINDOW = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)-([01]?\d|2[0-3]):([0-5]\d)")


def parse_window(text: str) -> tuple[time, time]:
    """``'09:00-09:30'`` -> the two clock times (UTC); ImportRefused when it is not one."""
    m = _WINDOW.fullmatch(text.strip())
    if m is None:
        raise ImportRefused(f"--window {text!r} is not HH:MM-HH:MM; write it like "
                            "--window 09:00-09:30 (UTC, as the export's times)")
    start, end = time(int(m[1]), int(m[2])), time(int(m[3]), int(m[4]))
    if end < start:
        raise ImportRefused(f"--window {text!r} ends before it starts; write the earlier "
                            "time first, like --window 09:00-09:30")
    return start, end


def world_path(out: Path) -> Path:
    """Where the declaration goes: ``x.yaml`` -> ``x.world.yaml``, beside it."""
    return out.with_name(f"{out.name.removesuffix('.yaml').removesuffix('.yml')}.world.yaml")


def import_incident(paths: Sequence[Path], out: Path, masker: Masker, *,
                    fmt: str | None = None, actor: str | None = None,
                    window: str | None = None, scale: float | None = None) -> Imported:
    """Read the export, pick its bad run and build the scenario ``out`` and its world."""
    if scale is not None and not 0 < scale <= 1_000:
        raise ImportRefused(f"--scale {scale:g} is not a factor above 0 (up to 1000); "
                            "write it like --scale 10")
    span = parse_window(window) if window is not None else None
    export = read_export(paths, fmt)
    bursts, background = find_bursts(export.changes)
    if not bursts:
        raise FileError(str(paths[0]), 1, 1, "no burst: no actor made "
                        f"{MIN_CHANGES}+ changes to {MIN_RECORDS}+ records at {MIN_RATE:g}+ "
                        "a minute, well above the other edits",
                        fix="export the hours of the incident, with the bad run in them")
    readings = [reading_of(b, read_fault(b, export.changes), masker) for b in bursts]
    chosen = [b for b in bursts if _asked(b, masker, actor, span)]
    if len(chosen) != 1:
        asked = " and ".join(x for x in (actor and f"--actor {actor}",
                                        window and f"--window {window}") if x)
        if not chosen:
            message = (f"no burst matches {asked}; pass one of the actors or times printed "
                       "above")
        else:
            message = (f"{len(chosen)} bursts found{' for ' + asked if asked else ''}; "
                       "choose one with --actor ACTOR or --window HH:MM-HH:MM")
        raise AmbiguousBurst(message, readings)
    burst = chosen[0]
    finding = read_fault(burst, export.changes)
    if finding is None:
        raise ImportRefused(
            f"{readings[bursts.index(burst)]}, but its values look like ordinary edits (no "
            "blanks, no value of another field, no repeats, no flapping): drills import "
            "replays only those; choose another burst with --actor or --window")
    name = _name(out)
    world_file = world_path(out).name
    built = build_files(export, burst, finding, background, masker, name=name,
                        world_file=world_file, scale=scale)
    header = _header(export.sources, masker, built.reading)
    return Imported(dump(built.scenario, header), render_world(built.world, built.notes, header),
                    built.reading)


def _asked(burst: Burst, masker: Masker, actor: str | None,
           span: tuple[time, time] | None) -> bool:
    if actor is not None:
        masked = masker.actor(burst.actor)
        if actor.strip() not in (burst.actor, masked, f"{burst.actor_kind} {masked}"):
            return False
    if span is not None:
        first, last = burst.changes[0].at.time(), burst.changes[-1].at.time()
        return first <= span[1] and last >= span[0]
    return True


def _name(out: Path) -> str:
    stem = out.name.removesuffix(".yaml").removesuffix(".yml")
    slug = re.sub(r"[^a-z0-9._-]+", "-", stem.lower()).strip("-._")
    return slug[:60] or "imported-incident"


def _header(sources: Sequence[str], masker: Masker, reading: str) -> list[str]:
    privacy = ("Masked: every id, name, email, phone, address and free text is a keyed "
               "pseudonym (the key is not in this file); choices keep their values."
               if masker.masking else
               "NOT MASKED (--no-mask): the actor and values are the export's own. Do not "
               "share this file.")
    return [f"Imported by 'drills import' from {'; '.join(sources)}.", f"Bad run: {reading}.",
            privacy, "See docs/import.md."]


def write_imported(imported: Imported, out: Path) -> None:
    """Check both files as ``drills validate`` would, then write them together.

    They are checked in a temporary folder first, so nothing is written unless the
    scenario loads; the two files are then put in place atomically (both or neither).
    """
    from drills.scenarios.loader import load_scenario  # the scenario models, only now

    world = world_path(out)
    with tempfile.TemporaryDirectory(prefix="drills-import-") as folder:
        trial = Path(folder) / out.name
        trial.write_text(imported.scenario, encoding="utf-8")
        (Path(folder) / world.name).write_text(imported.world, encoding="utf-8")
        try:
            load_scenario(trial)
        except DrillsError as err:
            raise ImportRefused(f"the imported scenario does not validate: {err}; nothing "
                                "was written (please report this with the reading)") from None
    try:
        write_texts_atomic([(world, imported.world), (out, imported.scenario)])
    except OSError as err:
        raise ImportRefused(f"cannot write {out}: {err.strerror or err}; nothing was "
                            "written: choose a folder you can write to") from None
