"""``[tool.drills]``: the settings a team's repository keeps, so ``drills check`` needs no flags.

A team checks its runbooks on every pull request; the runbooks to check, the scenarios
that drill each automation, the gates and the findings it has accepted belong in the
repository beside its code, not in a CI file's flags. They live in ``pyproject.toml``
under ``[tool.drills]``, or at the top level of a ``drills.toml`` beside it (which
wins when both exist, as ``ruff.toml`` does for ruff)::

    [tool.drills]
    runbooks = ["runbooks/"]          # files, folders or globs
    python-path = ["src"]             # put first on sys.path: the team's callables import
    call-timeout = 10                 # seconds per call of the team's code
    fail-under = 70                   # score gate
    fail-on = "critical"              # a finding at or above fails the job; or "never"
    select = []                       # finding codes to keep (empty: all)
    ignore = []                       # finding codes to drop
    jobs = 0                          # drills at once; 0 = the CPU count
    cache-dir = ".drills-cache"       # results cached per input hash

    [tool.drills.scenarios]           # per automation, the scenarios that drill it
    invoice-reminder = ["scenarios/invoice-storm.yaml", "invoice-triple-trigger"]

    [[tool.drills.accept]]            # a known finding, accepted with a reason until a date
    code = "backup-cannot-pause"
    runbook = "runbooks/invoice.runbook.yaml"
    reason = "Backup joins the finance rota in January"
    expires = 2027-01-31

The file is found by walking up from the current folder to the first folder holding a
``drills.toml``, or a ``pyproject.toml`` with a ``[tool.drills]`` table (a
``pyproject.toml`` without one is passed over, as ruff passes over one without
``[tool.ruff]``); ``--config PATH`` names one. Paths in it are relative to its folder.
Every bad value is one :class:`ConfigError` line naming the file, the line of the key
and how to fix it, read before anything runs.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from drills.errors import DrillsError
from drills.findings import FINDINGS

__all__ = [
    "CONFIG_NAMES",
    "FAIL_ON",
    "Accept",
    "ConfigError",
    "DrillsConfig",
    "LoadedConfig",
    "apply_config",
    "find_config",
    "load_config",
    "read_config",
]

CONFIG_NAMES = ("drills.toml", "pyproject.toml")
"""The files looked for in each folder, the first winning."""

FAIL_ON = ("critical", "high", "medium", "low", "never")
"""What ``fail-on`` takes: the lowest severity that fails the job, or ``never``."""


class ConfigError(DrillsError):
    """A configuration file drills cannot use: ``FILE:LINE: what is wrong; how to fix it``."""


def _code(value: str) -> str:
    if value not in FINDINGS:
        from drills.errors import did_you_mean

        hint = did_you_mean(value, list(FINDINGS))
        close = hint.removesuffix("?") if hint.startswith("; did you mean") else ""
        raise ValueError(f"'{value}' is not a finding code{close}; the codes are listed "
                         "in docs/scoring.md (python -m drills.findings)")
    return value


class Accept(BaseModel):
    """A finding the team knows about and accepts, with why and until when."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str
    runbook: str | None = None
    """The runbook it is accepted in (relative to the configuration's folder); None: all."""
    reason: str = Field(min_length=1)
    expires: date

    @field_validator("code")
    @classmethod
    def _known(cls, value: str) -> str:
        return _code(value)


class DrillsConfig(BaseModel):
    """The ``[tool.drills]`` table, keys as written (``fail-under``)."""

    model_config = ConfigDict(extra="forbid", frozen=True,
                              alias_generator=lambda name: name.replace("_", "-"))

    runbooks: list[str] = Field(default_factory=list)
    python_path: list[str] = Field(default_factory=list)
    call_timeout: float | None = Field(default=None, gt=0, allow_inf_nan=False)
    fail_under: int | None = Field(default=None, ge=0, le=100)
    fail_on: Literal["critical", "high", "medium", "low", "never"] = "critical"
    select: list[str] = Field(default_factory=list)
    ignore: list[str] = Field(default_factory=list)
    jobs: int | None = Field(default=None, ge=0)
    cache_dir: str | None = None
    scenarios: dict[str, list[str]] = Field(default_factory=dict)
    accept: list[Accept] = Field(default_factory=list)

    @field_validator("select", "ignore")
    @classmethod
    def _codes(cls, values: list[str]) -> list[str]:
        return [_code(v) for v in values]

    @field_validator("scenarios", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        """``automation = "name"`` reads as a list of one."""
        if isinstance(value, dict):
            return {k: [v] if isinstance(v, str) else v for k, v in value.items()}
        return value


@dataclass(frozen=True)
class LoadedConfig:
    """A configuration read from a file: its settings, where it is, and how to name it."""

    config: DrillsConfig
    path: Path
    table: str
    """How ``check`` names what it read: ``pyproject.toml [tool.drills]`` or ``drills.toml``."""

    @property
    def shown(self) -> str:
        """The file as a message names it (``pyproject.toml``)."""
        return self.table.split(" [")[0]

    @property
    def root(self) -> Path:
        """The folder the configuration's paths are relative to."""
        return self.path.parent

    def resolve(self, text: str) -> Path:
        """A path written in the configuration, as a path from the current folder."""
        path = Path(text).expanduser()
        return path if path.is_absolute() else _shorter(self.root / path)

    def line_of(self, *loc: str | int) -> int:
        """The line of a key (``('accept', 1, 'expires')``) in the file; 1 when not found."""
        text = self.path.read_text(encoding="utf-8")
        return _line_of(text, _prefix(self.path), loc)


def _shorter(path: Path) -> Path:
    """``path`` relative to the current folder when it is under it (as the user wrote it)."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return path


def _prefix(path: Path) -> tuple[str, ...]:
    return ("tool", "drills") if path.name == "pyproject.toml" else ()


_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")


def _key_line(lines: list[str], start: int, end: int, key: str) -> int | None:
    pattern = re.compile(rf"^\s*(?:\"{re.escape(key)}\"|'{re.escape(key)}'|{re.escape(key)})"
                         r"\s*[=.]")
    for i in range(start, end):
        if pattern.match(lines[i]):
            return i + 1
    return None


def _line_of(text: str, prefix: tuple[str, ...], loc: tuple[str | int, ...]) -> int:
    """The line a value at ``loc`` is on, found in the text (tomllib keeps no positions).

    Tables are found by their headers (``[tool.drills.scenarios]``, the n-th
    ``[[tool.drills.accept]]``), keys by ``key =`` between one header and the next; what
    cannot be found falls back to the nearest thing that can (the table's header).
    """
    lines = text.splitlines()
    headers = [(i, m.group(1), m.group(2).replace(" ", "")) for i, line in enumerate(lines)
               if (m := _HEADER.match(line))]

    def section(name: str, nth: int | None = None) -> tuple[int, int] | None:
        found = [i for i, kind, n in headers if n == name and (nth is None) == (kind == "[")]
        if nth is not None:
            found = found[nth:nth + 1]
        if not found:
            return None
        start = found[0]
        later = [i for i, _, _ in headers if i > start]
        return start, later[0] if later else len(lines)

    table = ".".join(prefix)
    top = section(table) if prefix else (0, headers[0][0] if headers else len(lines))
    best = top[0] + 1 if top is not None and prefix else 1
    if not loc:
        return best
    key = str(loc[0])
    if key in ("scenarios", "accept"):
        sub = f"{table}.{key}" if table else key
        if key == "accept" and len(loc) > 1 and isinstance(loc[1], int):
            area = section(sub, loc[1])
            rest = loc[2:]
        else:
            area = section(sub)
            rest = loc[1:]
        if area is not None:
            if rest and isinstance(rest[0], str):
                return _key_line(lines, area[0] + 1, area[1], rest[0]) or area[0] + 1
            return area[0] + 1
    if top is not None:
        return _key_line(lines, top[0] + (1 if prefix else 0), top[1], key) or best
    return best


def find_config(start: Path | None = None) -> Path | None:
    """The configuration for ``start`` (default: the current folder), walking up."""
    folder = (start or Path.cwd()).resolve()
    for here in (folder, *folder.parents):
        local = here / "drills.toml"
        if local.is_file():
            return local
        project = here / "pyproject.toml"
        if project.is_file() and _has_table(project):
            return project
    return None


def _has_table(path: Path) -> bool:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        # A broken pyproject.toml holding our table should still be reported.
        try:
            return re.search(r"^\s*\[\[?\s*tool\.drills\b", path.read_text(
                encoding="utf-8", errors="replace"), re.MULTILINE) is not None
        except OSError:
            return False
    tool = data.get("tool")
    return isinstance(tool, dict) and "drills" in tool


_TOML_AT = re.compile(r"\(at line (\d+), column (\d+)\)")


def _shown(path: Path) -> str:
    return str(_shorter(path))


def load_config(path: Path) -> LoadedConfig:
    """Read ``path`` (a ``pyproject.toml`` or a ``drills.toml``); every problem is one
    :class:`ConfigError` with the file and line."""
    shown = _shown(path)
    if path.is_dir():
        raise ConfigError(f"--config {shown} is a folder; name its pyproject.toml or "
                          "drills.toml")
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"--config {shown}: no such file; name a pyproject.toml or "
                          "drills.toml") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{shown}:1: not UTF-8 text; save it as UTF-8") from None
    except OSError as err:
        raise ConfigError(f"{shown}: cannot read: {err.strerror or err}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        message = str(err)
        at = _TOML_AT.search(message)
        line = at.group(1) if at else "1"
        what = _TOML_AT.sub("", message).strip()
        raise ConfigError(f"{shown}:{line}: not valid TOML: {what}; fix the syntax "
                          "(https://toml.io)") from None
    prefix = _prefix(path)
    table: Any = data
    for key in prefix:
        table = table.get(key, {}) if isinstance(table, dict) else {}
    if prefix and not (isinstance(data.get("tool"), dict) and "drills" in data["tool"]):
        raise ConfigError(f"{shown}:1: no [tool.drills] table; add one, or name the file "
                          "that holds it with --config")
    label = f"{shown} [tool.drills]" if prefix else shown
    if not isinstance(table, dict):
        raise ConfigError(f"{shown}:{_line_of(text, prefix, ())}: tool.drills must be a "
                          "table; write it as [tool.drills] with keys below it")
    try:
        config = DrillsConfig.model_validate(table)
    except ValidationError as err:
        first = err.errors()[0]
        loc = tuple(first["loc"])
        line = _line_of(text, prefix, loc)
        raise ConfigError(f"{shown}:{line}: {_where(loc)}: {_why(first)}") from None
    return LoadedConfig(config, path, label)


_FIXES = {  # by field name: the key as written has '-' for '_'
    "fail_under": "give a whole number of points from 0 to 100, e.g. fail-under = 70",
    "fail_on": "give one of " + ", ".join(f'"{v}"' for v in FAIL_ON),
    "call_timeout": "give seconds above 0, e.g. call-timeout = 30",
    "jobs": "give how many drills run at once, 0 for the CPU count, e.g. jobs = 2",
    "expires": "give a TOML date, e.g. expires = 2027-01-31",
    "runbooks": 'give a list of files, folders or globs, e.g. runbooks = ["runbooks/"]',
    "python_path": 'give a list of folders, e.g. python-path = ["src"]',
    "select": 'give a list of finding codes, e.g. select = ["owner-is-team"]',
    "ignore": 'give a list of finding codes, e.g. ignore = ["restart-without-ramp"]',
    "cache_dir": 'give a folder, e.g. cache-dir = ".drills-cache"',
    "scenarios": "give each automation a list of scenario files or built-in names, e.g. "
                 'invoice-reminder = ["invoice-triple-trigger"]',
    "accept": "write each as a [[tool.drills.accept]] table with code, reason and expires",
    "reason": 'say why it is accepted, e.g. reason = "backup joins the rota in January"',
}


def _where(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _why(error: Any) -> str:
    loc = tuple(error["loc"])
    kind = error["type"]
    key = next((str(p) for p in reversed(loc) if isinstance(p, str)), "")
    if kind == "extra_forbidden":
        from drills.errors import did_you_mean

        known = [f.alias or n for n, f in DrillsConfig.model_fields.items()]
        if "accept" in loc[:1]:
            known = list(Accept.model_fields)
        hint = did_you_mean(key, known)
        close = hint.removesuffix("?") if hint.startswith("; did you mean") else ""
        return f"unknown key '{key}'{close}; the keys are " + ", ".join(known)
    if kind == "missing":
        return f"'{key}' is missing; " + _FIXES.get(key.replace("-", "_"), f"add {key} = ...")
    message = str(error["msg"]).removeprefix("Value error, ")
    if kind == "value_error":  # our own validators' messages say how to fix them
        return message
    top = str(loc[0]) if loc else key
    fix = _FIXES.get(key.replace("-", "_")) or _FIXES.get(top.replace("-", "_"))
    return f"{message}" + (f"; {fix}" if fix and fix not in message else "")


def apply_config(config: LoadedConfig, ctx: Any) -> None:
    """Put ``python-path`` first on ``sys.path`` (the team's callables import) and hold
    ``call-timeout`` for the command (``ctx``, a click context), unless
    ``--call-timeout`` or ``DRILLS_CALL_TIMEOUT`` gave one."""
    import sys

    import click

    from drills.teamcode import using_call_timeout

    for folder in reversed(config.config.python_path):
        path = str(config.resolve(folder).resolve())
        if path not in sys.path:
            sys.path.insert(0, path)
    seconds = config.config.call_timeout
    source = ctx.get_parameter_source("call_timeout")
    if seconds is not None and source in (None, click.core.ParameterSource.DEFAULT):
        ctx.with_resource(using_call_timeout(seconds))


def read_config(explicit: Path | None = None, *,
                start: Path | None = None) -> LoadedConfig | None:
    """The configuration to use: ``explicit`` (``--config``), else the one found walking
    up from ``start``; None when there is none."""
    if explicit is not None:
        return load_config(explicit)
    found = find_config(start)
    return load_config(found) if found is not None else None
