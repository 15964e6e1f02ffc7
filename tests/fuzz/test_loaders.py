"""Fuzzed scenario and runbook files through the real loaders, in-process for volume.

Whatever a file holds, loading it ends one of two ways: a valid model, or a
:class:`DrillsError` whose message is one printable line that starts with the file
and its line. Any other exception, a message over two lines, a raw control character
or a file that loads but does not validate (or the other way round) is a failure.
Valid files go one step further: a scenario is scaled down and re-checked, a runbook
is linted, since both happen to every file that loads.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings

from drills.errors import DrillsError
from drills.files import FileError
from drills.runbook.lint import lint_runbook
from drills.runbook.loader import read_runbook, validate_runbook_file
from drills.scenarios.loader import load_scenario, validate_scenario_file
from drills.scenarios.scaling import scale_scenario
from tests.fuzz.strategies import RUNBOOK_SEEDS, SCENARIO_SEEDS, Doc, documents
from tests.fuzz.tally import count

pytestmark = pytest.mark.slow

__all__ = ["assert_clean_error", "load_or_refuse"]

_LEAKS = ("Traceback", "pydantic", "Input should", "Value error", "tag:yaml.org", "Error(")


def assert_clean_error(err: DrillsError, path: Path) -> str:
    """One printable line, at the file (and its line), with no internals showing."""
    text = str(err)
    assert len(text.splitlines()) == 1, text
    assert text.isprintable(), text
    if isinstance(err, FileError):
        assert text.startswith(f"{path}:{err.line}:{err.column}: "), text
        assert err.line >= 1
        assert err.column >= 1
    else:
        assert str(path) in text, text
    for leak in _LEAKS:
        assert leak not in text, text
    return text


def load_or_refuse(
    load: Callable[[Path], Any], validate: Callable[[Path], list[FileError]], path: Path
) -> Any:
    """The loaded model or None; loading and validating must agree on the file."""
    try:
        model = load(path)
    except DrillsError as err:
        assert_clean_error(err, path)
        model = None
    errors = validate(path)
    for error in errors:
        assert_clean_error(error, path)
    assert (model is None) == bool(errors), errors
    return model


def _in_folder(doc: Doc, name: str) -> tuple[tempfile.TemporaryDirectory[str], Path]:
    folder = tempfile.TemporaryDirectory()
    return folder, doc.write(Path(folder.name), name)


@settings(settings.get_profile("fuzz-scenario-files"))
@given(doc=documents(SCENARIO_SEEDS))
def test_a_fuzzed_scenario_file_loads_or_is_one_clear_line(doc: Doc) -> None:
    folder, path = _in_folder(doc, "fuzzed scenario.yaml")
    with folder:
        scenario = load_or_refuse(load_scenario, validate_scenario_file, path)
        count("scenario files", "refused" if scenario is None else "valid")
        if scenario is not None:  # a file that loads can always be drilled smaller
            assert scale_scenario(scenario, 0.01).cross_check() == []


@settings(settings.get_profile("fuzz-runbook-files"))
@given(doc=documents(RUNBOOK_SEEDS))
def test_a_fuzzed_runbook_file_loads_or_is_one_clear_line(doc: Doc) -> None:
    folder, path = _in_folder(doc, "fuzzed.runbook.yaml")
    with folder:
        loaded = load_or_refuse(read_runbook, validate_runbook_file, path)
        count("runbook files", "refused" if loaded is None else "valid")
        if loaded is not None:
            findings = lint_runbook(loaded.runbook, source=loaded.file,
                                    positions=loaded.positions)
            for finding in findings:
                assert finding.code
