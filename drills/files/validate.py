"""Read a YAML file into a pydantic model, or list every place it is wrong.

:func:`load_model` (raise the first error, counting the rest), :func:`validate_file` (every
error, for ``drills validate``) and :func:`check_file` (both) are what the scenario and
runbook loaders call with their own model and cross-checks; this package knows neither.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from drills.files.fileerror import FileError, KeyPath
from drills.files.locate import mark_position
from drills.files.reader import YamlDocument, read_yaml
from drills.files.translate import humanise_all, split_fix

__all__ = [
    "Checked", "CrossCheck", "check_file", "load_model", "nul_errors", "validate_file",
]

M = TypeVar("M", bound=BaseModel)

CrossCheck = Callable[[M], Iterable[tuple[KeyPath, str]]]
"""Checks that span several parts of a file: (key path to blame, message with a fix)."""


@dataclass(frozen=True)
class Checked(Generic[M]):
    """The outcome of checking one file: the model when it is valid, and every error."""

    model: M | None
    errors: list[FileError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.model is not None and not self.errors


def check_file(
    path: Path,
    model: type[M],
    *,
    what: str = "scenario",
    cross_check: CrossCheck[M] | None = None,
    context: dict[str, Any] | None = None,
) -> Checked[M]:
    """Read and validate ``path``; return the model (if valid) and all errors, never raise.

    Errors come sorted by line. ``cross_check`` runs only on a model that validated, and
    its (key path, message) pairs are pointed at the lines of those keys. ``context``
    goes to the model's validators (a scenario's folder, for the files it names).
    """
    try:
        doc = read_yaml(path, what=what)
    except FileError as err:
        return Checked(None, [err])
    errors = [*doc.duplicates, *nul_errors(doc)]
    try:
        result = model.model_validate(doc.data, context=context)
    except ValidationError as exc:
        errors.extend(humanise_all(exc, model, doc))
        return Checked(None, sorted(errors, key=lambda e: e.sort_key))
    except RecursionError:  # pragma: no cover - _check_size refuses cycles first
        return Checked(None, [FileError(doc.file, 1, 1, "the file refers to itself")])
    if cross_check is not None:
        for loc, message in cross_check(result):
            what_, fix = split_fix(message)
            errors.append(doc.error(loc, what_, fix))
    errors.sort(key=lambda e: e.sort_key)
    return Checked(None if errors else result, errors)


NUL_MESSAGE = "the text holds a NUL character ('\\0'), which PostgreSQL cannot store"
NUL_FIX = "remove the escape that writes it ('\\0', '\\x00' or '\\u0000')"


def nul_errors(doc: YamlDocument) -> list[FileError]:
    """Every key or value holding a NUL character (written as an escape, ``"a\\0b"``).

    The reader refuses NUL bytes in the file itself; an escape in a quoted value makes
    one too, and a drill on PostgreSQL would fail on it deep in a run. One error per
    value, at its line.
    """
    found: list[FileError] = []
    stack: list[tuple[Node, KeyPath]] = [(doc.root, ())]
    seen: set[int] = set()
    while stack:
        node, path = stack.pop()
        if id(node) in seen:  # an alias is the node it names: report it once
            continue
        seen.add(id(node))
        if isinstance(node, ScalarNode):
            if "\x00" in str(node.value):
                line, column = mark_position(node.start_mark)
                found.append(FileError(doc.file, line, column, NUL_MESSAGE,
                                       path=path, fix=NUL_FIX))
        elif isinstance(node, MappingNode):
            for key, value in node.value:
                name = str(key.value) if isinstance(key, ScalarNode) else "?"
                stack.append((key, path))
                stack.append((value, (*path, name)))
        elif isinstance(node, SequenceNode):
            stack.extend((item, (*path, i)) for i, item in enumerate(node.value))
    return found


def validate_file(
    path: Path,
    model: type[M],
    *,
    what: str = "scenario",
    cross_check: CrossCheck[M] | None = None,
    context: dict[str, Any] | None = None,
) -> list[FileError]:
    """Every error in the file, in line order; an empty list means the file is valid."""
    return check_file(path, model, what=what, cross_check=cross_check, context=context).errors


def load_model(
    path: Path,
    model: type[M],
    *,
    what: str = "scenario",
    cross_check: CrossCheck[M] | None = None,
    context: dict[str, Any] | None = None,
) -> M:
    """The validated model; raise the file's first :class:`FileError` (counting the rest)."""
    checked = check_file(path, model, what=what, cross_check=cross_check, context=context)
    if checked.model is None or checked.errors:
        first = checked.errors[0]
        raise FileError(first.file, first.line, first.column, first.message,
                        path=first.path, fix=first.fix, more=len(checked.errors) - 1)
    return checked.model
