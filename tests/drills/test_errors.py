"""Every error a user can see is under the one root, and says when it is raised."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from types import ModuleType

import pytest

import drills
from drills.errors import DrillsError, did_you_mean, one_line

SIGNALS = {"drills.responders.live.pacer.DrillClosed"}
"""Exceptions that never reach a user: control flow inside a drill's thread."""


def _modules() -> list[ModuleType]:
    found = []
    for info in pkgutil.walk_packages(drills.__path__, "drills."):
        if info.name.endswith("__main__"):
            continue  # running it would start the CLI
        found.append(importlib.import_module(info.name))
    return found


def _exceptions() -> list[type[BaseException]]:
    classes: dict[str, type[BaseException]] = {}
    for module in _modules():
        for name, obj in vars(module).items():
            if (
                inspect.isclass(obj)
                and issubclass(obj, BaseException)
                and obj.__module__ == module.__name__
                and not name.startswith("_")
            ):
                classes[f"{obj.__module__}.{obj.__qualname__}"] = obj
    return [classes[k] for k in sorted(classes)]


def test_the_walk_finds_the_errors_of_every_layer() -> None:
    names = {f"{c.__module__}.{c.__qualname__}" for c in _exceptions()}
    for expected in (
        "drills.errors.DrillsError",
        "drills.files.fileerror.FileError",
        "drills.fakes.errors.StoreError",
        "drills.fakes.replay.RewindError",
        "drills.reports.jsonout.ReportError",
        "drills.responders.live.responder.ReplayError",
        "drills.journal.format.JournalError",
    ):
        assert expected in names


@pytest.mark.parametrize("error", _exceptions(), ids=lambda c: f"{c.__module__}.{c.__qualname__}")
def test_every_error_is_a_documented_drills_error(error: type[BaseException]) -> None:
    name = f"{error.__module__}.{error.__qualname__}"
    if name in SIGNALS:
        return
    assert issubclass(error, DrillsError), f"{name} is not under drills.errors.DrillsError"
    doc = error.__dict__.get("__doc__") or ""
    assert doc.strip(), f"{name} has no docstring saying when it is raised"


def test_the_replay_errors_have_distinct_names() -> None:
    from drills.fakes.replay import RewindError
    from drills.responders.live.responder import ReplayError

    assert RewindError.__name__ != ReplayError.__name__


def test_the_root_is_the_one_the_packages_export() -> None:
    import drills.fakes
    import drills.scenarios

    assert drills.DrillsError is DrillsError
    assert drills.fakes.DrillsError is DrillsError
    assert drills.scenarios.DrillsError is DrillsError


def test_the_root_module_imports_nothing_of_drills() -> None:
    source = inspect.getsource(importlib.import_module("drills.errors"))
    assert "from drills" not in source
    assert "import drills" not in source


def test_messages_are_one_printable_line() -> None:
    assert one_line("a\n  b\x1b[2J") == "a b\\x1b[2J"
    assert did_you_mean("tripple", ["triple", "double"]) == "; did you mean 'triple'?"
    assert did_you_mean("x", ["a", "b"]) == "; choose one of: a, b"
