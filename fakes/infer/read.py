"""Reading an export someone else made: one CSV or JSONL file per table, streamed.

The files come from another system's export (a CRM's CSV download, a warehouse's JSONL
dump) or from ``drills world --export``, so everything about them is checked and every
way one can be wrong is one :class:`~drills.files.fileerror.FileError` naming the file
and line and saying how to mend it: a file that cannot be read, an unknown extension, an
empty file, a CSV row with more or fewer cells than the header, a JSONL line that is not
an object. Rows are read one at a time into a :class:`~.profile.TableProfile`; a file of
a million rows never sits in memory (100,000 rows of 10 columns: about 4 s, CSV or JSONL).

A file's name says which table it holds: ``crm__contacts.csv`` or ``crm.contacts.csv``
(as ``drills world --export`` writes) name system and table; ``contacts.csv`` names the
table, and ``--system`` the system. Names become identifiers a declaration may use
(lower case, ``_`` between words): a header ``First Name`` is the field ``first_name``.
"""

from __future__ import annotations

import codecs
import csv
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from drills.fakes.catalog import KEY
from drills.fakes.infer.profile import TableProfile
from drills.files.fileerror import FileError
from drills.files.limits import MAX_ITEMS

__all__ = ["MAX_NAME", "SourceFile", "identifier", "is_name", "name_file", "read_table"]

Format = Literal["csv", "jsonl"]
_FORMATS: dict[str, Format] = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}
_NOT_WORD = re.compile(r"[^a-z0-9]+")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
MAX_NAME = 63
"""The longest name a declaration takes: names become SQL identifiers (63 bytes in
PostgreSQL)."""
_NAME = re.compile(rf"[a-z][a-z0-9_]{{0,{MAX_NAME - 1}}}")
_READ_FIX = "check the path and that you may read it"


def identifier(text: str) -> str:
    """``First Name`` / ``firstName`` / ``first-name`` -> ``first_name`` ("" if no letter)."""
    snake = _NOT_WORD.sub("_", _CAMEL.sub("_", text.strip()).lower()).strip("_")
    if snake[:1].isdigit():
        snake = f"n_{snake}"
    return snake[:MAX_NAME].rstrip("_")


def is_name(text: str) -> bool:
    """Whether ``text`` may name a system, table or field as it is."""
    return bool(_NAME.fullmatch(text)) and "__" not in text


@dataclass(frozen=True)
class SourceFile:
    """One export file and the table it holds (``system.table``)."""

    path: Path
    system: str
    table: str
    format: Format

    @property
    def qualname(self) -> str:
        return f"{self.system}.{self.table}"


def name_file(path: Path, system: str | None) -> SourceFile:
    """The table a file holds, from its name (and ``--system`` for a bare table name)."""
    if path.is_dir():
        raise FileError(str(path), 1, 1, "is a folder, not an export file",
                        fix="pass the files in it, e.g. DIR/*.jsonl")
    if not path.exists():
        raise FileError(str(path), 1, 1, "no such file", fix="check the path")
    fmt = _FORMATS.get(path.suffix.lower())
    if fmt is None:
        shown = f"extension '{path.suffix}'" if path.suffix else "no extension"
        raise FileError(str(path), 1, 1, f"{shown}: not an export drills can read",
                        fix="give one .csv or .jsonl file per table")
    stem = path.name[: -len(path.suffix)]
    named, sep, table = stem.partition("__") if "__" in stem else stem.partition(".")
    if not sep:
        named, table = "", stem
    if not named and system is None:
        raise FileError(
            str(path), 1, 1, f"the file name says no system for table '{table}'",
            fix=f"pass --system NAME, or name the file SYSTEM__{table}{path.suffix}",
        )
    chosen = identifier(named) if named else str(system)
    name = identifier(table)
    if not chosen or not name:
        raise FileError(
            str(path), 1, 1, "the file name has no letters to name its table by",
            fix="rename it TABLE.csv or SYSTEM__TABLE.csv, e.g. crm__contacts.csv",
        )
    return SourceFile(path, chosen, name, fmt)


def read_table(source: SourceFile) -> TableProfile:
    """Read every row of ``source`` into a profile; raises ``FileError`` on bad input."""
    try:
        handle = source.path.open("rb")
    except IsADirectoryError:
        raise FileError(str(source.path), 1, 1, "is a folder, not an export file",
                        fix="pass the files in it, e.g. DIR/*.jsonl") from None
    except OSError as err:
        raise FileError(str(source.path), 1, 1, f"cannot read it: {err.strerror or err}",
                        fix=_READ_FIX) from None
    with handle:
        lines = _Lines(source.path, handle)
        profile = _read_csv(source.path, lines) if source.format == "csv" else _read_jsonl(
            source.path, lines)
    if profile.rows == 0:
        what = "a header but no rows" if profile.columns else "nothing"
        raise FileError(str(source.path), 1, 1, f"the file holds {what}: nothing to infer from",
                        fix="export the table with its rows, or leave the file out")
    named = [h for h in profile.columns if identifier(h) != KEY]
    if not named:
        raise FileError(str(source.path), 1, 1, f"the file holds no column but '{KEY}': "
                        "nothing to declare", fix="export the table with its fields")
    if len(named) > MAX_ITEMS:
        raise FileError(str(source.path), 1, 1,
                        f"{len(named)} columns, over the {MAX_ITEMS} a declared table holds",
                        fix=f"export at most {MAX_ITEMS} of them (those a drill needs)")
    return profile


class _Lines:
    """A binary file's lines as text, counted, so an error can say which line.

    UTF-8 is decoded line by line (a leading byte order mark dropped, as Excel writes
    one), so a byte that is not UTF-8 is reported with its line number.
    """

    def __init__(self, path: Path, handle: Iterator[bytes]) -> None:
        self.path = path
        self.handle = handle
        self.number = 0
        self.decoder = codecs.getincrementaldecoder("utf-8-sig")()

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        try:
            raw = next(self.handle)
        except OSError as err:
            raise FileError(str(self.path), self.number + 1, 1,
                            f"cannot read it: {err.strerror or err}", fix=_READ_FIX) from None
        self.number += 1
        try:
            return self.decoder.decode(raw)
        except UnicodeDecodeError as err:
            raise FileError(
                str(self.path), self.number, err.start + 1, "not UTF-8 text",
                fix="export the file as UTF-8 (in a spreadsheet: CSV UTF-8)",
            ) from None


def _read_csv(path: Path, lines: _Lines) -> TableProfile:
    profile = TableProfile()
    reader = csv.reader(lines, strict=True)
    try:
        header = next(reader, None)
        if header is None:
            return profile
        names = _header(path, header)
        for header_name in names:
            profile.column(header_name)
        for cells in reader:
            if not cells:  # a blank line: csv gives no cells at all
                continue
            if len(cells) != len(names):
                raise FileError(
                    str(path), reader.line_num, 1,
                    f"{len(cells)} cells where the header has {len(names)}",
                    fix="give every row one cell per header column (quote a cell that "
                        "holds a comma)",
                )
            profile.add_row(dict(zip(names, cells, strict=True)))
    except csv.Error as err:
        raise FileError(str(path), reader.line_num or 1, 1, f"not valid CSV: {err}",
                        fix="export the file again as CSV") from None
    return profile


def _header(path: Path, header: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    for number, name in enumerate(header, start=1):
        if not name.strip():
            raise FileError(str(path), 1, 1, f"header column {number} has no name",
                            fix="name every column in the first row")
        if name in seen:
            raise FileError(str(path), 1, 1,
                            f"header columns {seen[name]} and {number} have the same name",
                            fix="give every column its own name")
        seen[name] = number
    return header


def _read_jsonl(path: Path, lines: _Lines) -> TableProfile:
    profile = TableProfile()
    for line in lines:
        if not line.strip():
            continue
        try:
            record: object = json.loads(line)
        except json.JSONDecodeError as err:
            raise FileError(str(path), lines.number, err.colno, f"not JSON: {err.msg}",
                            fix="write one JSON object per line") from None
        if not isinstance(record, dict):
            raise FileError(
                str(path), lines.number, 1,
                f"a JSON {_json_kind(record)} where a record should be",
                fix='write one JSON object per line, e.g. {"id": 1, "email": "..."}',
            )
        profile.add_row(record)  # JSON holds nothing but RawValue's kinds
    return profile


def _json_kind(value: object) -> str:
    names = {list: "list", str: "string", bool: "boolean", int: "number", float: "number"}
    return "null" if value is None else names.get(type(value), "value")
