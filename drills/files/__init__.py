"""The shared file machinery: read a file people wrote, say where it is wrong, write atomically.

Scenarios and runbooks (and the journal's copies of them) are YAML files written by hand,
so both are read here: the YAML reader with positions (:mod:`~drills.files.reader`), the
key-path walk to a line (:mod:`~drills.files.locate`), pydantic's errors as one line each
(:mod:`~drills.files.translate`), the entry points the loaders call
(:mod:`~drills.files.validate`), durations and rates (:mod:`~drills.files.units`), the
generic limits (:mod:`~drills.files.limits`), :class:`FileError`, and the atomic writes
every writer of drills uses (:mod:`~drills.files.atomic`), and the one way a file a person
names is opened: regular files only, never a pipe or a device (:mod:`~drills.files.regular`).

It sits at the bottom of drills beside :mod:`drills.errors`, the only module of drills it
imports, so any layer may read or write files through it. Public names load on first use.

May import: ``drills.errors`` only (the bottom layer); every other package may
import it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from drills.files.atomic import (
        atomic_folder,
        new_folder_beside,
        replace_folder,
        replace_keep_open,
        write_text_atomic,
        write_texts_atomic,
    )
    from drills.files.fileerror import FileError, KeyPath, format_path
    from drills.files.limits import (
        MAX_ALIASES,
        MAX_DEPTH,
        MAX_FILE_BYTES,
        MAX_ITEMS,
        MAX_NAME_LENGTH,
        MAX_NODES,
        MAX_NUMBER_LENGTH,
        MAX_TEXT_LENGTH,
        LimitError,
    )
    from drills.files.reader import YamlDocument, read_yaml
    from drills.files.regular import NotRegularFileError, open_regular, read_regular
    from drills.files.schemafile import short_durations, write_or_check
    from drills.files.units import (
        Duration,
        Rate,
        RateValue,
        format_duration,
        parse_duration,
        parse_rate,
    )
    from drills.files.validate import Checked, CrossCheck, check_file, load_model, validate_file

__all__ = [
    "MAX_ALIASES",
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "MAX_ITEMS",
    "MAX_NAME_LENGTH",
    "MAX_NODES",
    "MAX_NUMBER_LENGTH",
    "MAX_TEXT_LENGTH",
    "Checked",
    "CrossCheck",
    "Duration",
    "FileError",
    "KeyPath",
    "LimitError",
    "NotRegularFileError",
    "Rate",
    "RateValue",
    "YamlDocument",
    "atomic_folder",
    "check_file",
    "format_duration",
    "format_path",
    "load_model",
    "new_folder_beside",
    "open_regular",
    "parse_duration",
    "parse_rate",
    "read_regular",
    "read_yaml",
    "replace_folder",
    "replace_keep_open",
    "short_durations",
    "validate_file",
    "write_or_check",
    "write_text_atomic",
    "write_texts_atomic",
]

_LAZY = {
    **dict.fromkeys(
        ["atomic_folder", "new_folder_beside", "replace_folder", "replace_keep_open",
         "write_text_atomic", "write_texts_atomic"],
        "drills.files.atomic",
    ),
    **dict.fromkeys(["FileError", "KeyPath", "format_path"], "drills.files.fileerror"),
    **dict.fromkeys(
        ["MAX_ALIASES", "MAX_DEPTH", "MAX_FILE_BYTES", "MAX_ITEMS", "MAX_NAME_LENGTH",
         "MAX_NODES", "MAX_NUMBER_LENGTH", "MAX_TEXT_LENGTH", "LimitError"],
        "drills.files.limits",
    ),
    **dict.fromkeys(["YamlDocument", "read_yaml"], "drills.files.reader"),
    **dict.fromkeys(["NotRegularFileError", "open_regular", "read_regular"],
                    "drills.files.regular"),
    **dict.fromkeys(["short_durations", "write_or_check"], "drills.files.schemafile"),
    **dict.fromkeys(
        ["Duration", "Rate", "RateValue", "format_duration", "parse_duration", "parse_rate"],
        "drills.files.units",
    ),
    **dict.fromkeys(
        ["Checked", "CrossCheck", "check_file", "load_model", "validate_file"],
        "drills.files.validate",
    ),
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'drills.files' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
