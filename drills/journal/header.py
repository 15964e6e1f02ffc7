"""Line 1 of a journal: which drill this is, and everything needed to run it again.

The scenario and runbook are kept *as written* (the file's text, with its sha256), so
the journal alone rebuilds the drill even after the files changed; when the model a
drill ran is not what its file says (a scenario built in code, a runbook edited in
memory), the model itself is kept as YAML. Credentials never go in: backend URLs are
redacted.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, TypeVar

import yaml
from pydantic import BaseModel, TypeAdapter

from drills.errors import DrillsError
from drills.fakes.backends import redact_url
from drills.files import CrossCheck, FileError, load_model, read_regular
from drills.journal.format import (
    HEADER,
    IN_MEMORY,
    JOURNAL_VERSION,
    JournalError,
    sha256,
    wall_now,
)
from drills.runbook import Runbook
from drills.scenarios.loader import scenario_text
from drills.scenarios.scaling import scale_scenario
from drills.scenarios.schema import Scenario
from drills.version import __version__

__all__ = ["HEADER_ADAPTER", "JournalHeader", "JournalRunbook", "JournalScenario"]

M = TypeVar("M", bound=BaseModel)




@dataclass(frozen=True)
class JournalScenario:
    """The scenario as written; ``text`` is what a replay loads (then ``scale``, ``seed``)."""

    name: str
    source: str
    """The file or built-in name it was loaded from, or ``(in memory)`` for a model."""
    text: str
    sha256: str


@dataclass(frozen=True)
class JournalRunbook:
    """The runbook as written; ``path`` is what the report and its findings name."""

    path: str | None
    text: str
    sha256: str


@dataclass(frozen=True)
class JournalHeader:
    """Line 1 of a journal: which drill this is and how to run it again exactly."""

    mode: Literal["scripted", "live"]
    drill_id: str
    scenario: JournalScenario
    runbook: JournalRunbook | None
    seed: int
    scale: float | None = None
    """Applied to the scenario text on replay; None when the text already is the drill's."""
    costs: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
    """Mode-specific facts: ``backend`` (credentials removed); live drills add their own."""
    tool_version: str = __version__
    ran_at: datetime = field(default_factory=wall_now)
    journal_version: int = JOURNAL_VERSION

    @classmethod
    def build(
        cls,
        mode: Literal["scripted", "live"],
        scenario: Scenario,
        runbook: Runbook | None = None,
        *,
        source: str | Path | None = None,
        scale: float | None = None,
        runbook_path: str | Path | None = None,
        costs: bool = False,
        drill_id: str | None = None,
        extra: Mapping[str, Any] | None = None,
        ran_at: datetime | None = None,
    ) -> JournalHeader:
        """The header for a drill of ``scenario`` (seed and scale already applied).

        ``source`` (a file or built-in name) and ``scale`` say where the scenario came
        from; the file's text is kept when loading it again, with that scale and the
        scenario's seed, gives exactly ``scenario``. Otherwise, and for a runbook that
        differs from its file, the model itself is kept (as YAML), so a replay always
        runs the drill that ran. ``extra["backend"]`` URLs lose their credentials.
        """
        facts = dict(extra or {})
        if isinstance(facts.get("backend"), str):
            facts["backend"] = redact_url(facts["backend"])
        kept, kept_scale = _keep_scenario(scenario, source, scale)
        return cls(
            mode=mode,
            drill_id=drill_id or f"{scenario.name}-{scenario.seed}",
            scenario=kept,
            runbook=None if runbook is None else _keep_runbook(runbook, runbook_path),
            seed=scenario.seed,
            scale=kept_scale,
            costs=costs,
            extra=facts,
            ran_at=ran_at or wall_now(),
        )

    def to_json(self) -> dict[str, Any]:
        """The header line's object, ``kind`` first."""
        return {
            "kind": HEADER,
            "journal_version": self.journal_version,
            "mode": self.mode,
            "drill_id": self.drill_id,
            "tool_version": self.tool_version,
            "ran_at": self.ran_at.isoformat(),
            "scenario": asdict(self.scenario),
            "runbook": None if self.runbook is None else asdict(self.runbook),
            "seed": self.seed,
            "scale": self.scale,
            "costs": self.costs,
            "extra": self.extra,
        }

    def load_scenario(self, where: str = "journal") -> Scenario:
        """The drill's scenario, rebuilt from the text the journal keeps."""
        return _scenario_from(self.scenario.text, self.scale, self.seed, where)

    def load_runbook(self, where: str = "journal") -> Runbook | None:
        """The drill's runbook, rebuilt from the text the journal keeps (None: no runbook)."""
        if self.runbook is None:
            return None
        return _from_text(self.runbook.text, Runbook, "runbook", Runbook.cross_check, where)


HEADER_ADAPTER = TypeAdapter(JournalHeader)


def _yaml(model: BaseModel) -> str:
    """A model as a YAML file its loader reads back (strings that look like other
    things are quoted by the dumper)."""
    data = model.model_dump(mode="json", by_alias=True)
    text: str = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    return text


def _from_text(
    text: str, model: type[M], what: str, cross_check: CrossCheck[M], where: str
) -> M:
    """Load ``text`` through the same reader as a file, so a replay reads what a run read."""
    with tempfile.TemporaryDirectory(prefix="drills-journal-") as folder:
        file = Path(folder) / f"{what}.yaml"
        file.write_text(text, encoding="utf-8")
        try:
            return load_model(file, model, what=what, cross_check=cross_check)
        except FileError as err:
            raise JournalError(
                f"{where}:1: the {what} kept in the journal does not load in drills "
                f"{__version__} (its line {err.line}: {err.message}); rebuild the report "
                "with the drills version that ran the drill"
            ) from None


def _scenario_from(text: str, scale: float | None, seed: int, where: str) -> Scenario:
    scenario = _from_text(text, Scenario, "scenario", Scenario.cross_check, where)
    if scale is not None:
        try:
            scenario = scale_scenario(scenario, scale)
        except (DrillsError, ArithmeticError) as err:  # 1e308 overflows on the way
            why = str(err) if isinstance(err, DrillsError) else "the counts overflow"
            raise JournalError(
                f"{where}:1: the journal header's scale {scale:g} does not fit its scenario "
                f"'{scenario.name}' ({why.replace('--scale', 'scale')}); drills writes it, "
                "so the file was edited: restore it from a copy"
            ) from None
    return scenario.model_copy(update={"seed": seed})


def _keep_scenario(
    scenario: Scenario, source: str | Path | None, scale: float | None
) -> tuple[JournalScenario, float | None]:
    text = scenario_text(source) if source is not None else None
    if text is not None:
        try:
            same = _scenario_from(text, scale, scenario.seed, str(source)) == scenario
        except DrillsError:
            same = False
        if same:
            return JournalScenario(scenario.name, str(source), text, sha256(text)), scale
    text = _yaml(scenario)
    return JournalScenario(scenario.name, IN_MEMORY, text, sha256(text)), None


def _keep_runbook(runbook: Runbook, path: str | Path | None) -> JournalRunbook:
    name = None if path is None else str(path)
    if path is not None:
        try:
            text: str | None = read_regular(path).decode("utf-8-sig")
        except (OSError, UnicodeDecodeError):
            text = None
        if text is not None:
            try:
                same = _from_text(text, Runbook, "runbook", Runbook.cross_check, name or "") \
                    == runbook
            except DrillsError:
                same = False
            if same:
                return JournalRunbook(name, text, sha256(text))
    text = _yaml(runbook)
    return JournalRunbook(name, text, sha256(text))
