"""Exports: the "last clean export" a runbook points at, written so it can be trusted.

A drill asks whether a clean copy of the data exists and whether it can be used to
repair. So an export here is a folder of one file per table and format (CSV for people
and spreadsheets, JSONL for an exact copy) plus a ``manifest.json`` that records when
it was taken (drill clock), how many rows each table had, and a sha256 per file.

* Written atomically: into a temporary folder beside the target, renamed into place
  at the end, so a failed export never leaves a half-written folder that looks real.
* Byte-for-byte deterministic: rows in key order, columns in catalog order, ``\\n``
  line endings, integers as digits, UTF-8, so the same world exports to the same bytes
  and checksums can be compared across runs.
* Streamed: rows are read in batches in key order and written to every format at
  once; a million-row table never sits in memory.
* Verified before use: :func:`load_export` checks every file against the manifest
  (present, checksum, row count) before loading anything back into the store, and
  :func:`compare_export` diffs the loaded copy against the live table with
  :func:`drills.fakes.snapshots.diff_table`.

CSV cannot tell an empty text from a missing one; an empty CSV cell loads as NULL.
JSONL keeps the difference, so :func:`load_export` reads JSONL when the export has it.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Literal

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, ValidationError

from drills.fakes.catalog import KEY, ColumnType, TableDef
from drills.fakes.errors import ExportError
from drills.fakes.snapshots import TableDiff, diff_table
from drills.fakes.store import SqlStore, Value
from drills.files.atomic import atomic_folder

__all__ = [
    "FORMATS",
    "FORMAT_VERSION",
    "MANIFEST",
    "ExportFormat",
    "ExportedFile",
    "ExportedTable",
    "Manifest",
    "check_export_target",
    "compare_export",
    "export_table_name",
    "export_tables",
    "load_export",
    "read_manifest",
    "verify_export",
]

FORMAT_VERSION = 1
"""Bumped whenever the layout of an export folder or its manifest changes."""

MANIFEST = "manifest.json"
ExportFormat = Literal["csv", "jsonl"]
FORMATS: tuple[ExportFormat, ...] = ("csv", "jsonl")
_BATCH = 10_000
_READ = 1 << 20


class ExportedFile(BaseModel):
    """One file of an export and what it must hash to."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    format: ExportFormat
    bytes: int
    sha256: str


class ExportedTable(BaseModel):
    """One table of an export: its shape, its row count and its files."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    system: str
    table: str
    rows: int
    columns: list[str]
    files: list[ExportedFile]

    @property
    def qualname(self) -> str:
        return f"{self.system}.{self.table}"


class Manifest(BaseModel):
    """``manifest.json``: what an export folder holds and how to check it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    format_version: int = FORMAT_VERSION
    exported_at: datetime
    """Drill-clock time of the export (``store.clock.now()``)."""
    tables: list[ExportedTable]

    def table(self, qualname: str) -> ExportedTable:
        for t in self.tables:
            if t.qualname == qualname:
                return t
        raise ExportError(
            f"the export holds no table '{qualname}'; it holds: "
            + ", ".join(t.qualname for t in self.tables)
        )

    def to_bytes(self) -> bytes:
        return (self.model_dump_json(indent=2) + "\n").encode()


# -- writing ---------------------------------------------------------------------------


def check_export_target(folder: Path) -> None:
    """Refuse a folder that holds anything: an export never mixes with older files.

    Called by :func:`export_tables`; the CLI calls it before building a world so a
    bad ``--export`` fails in a second, not after the build.
    """
    if folder.exists() and not folder.is_dir():
        raise ExportError(f"{folder} is a file; give --export a folder that does not exist yet")
    if folder.is_dir() and any(folder.iterdir()):
        raise ExportError(
            f"export folder {folder} is not empty; choose a new folder or remove it"
        )
    parent = folder.parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
        raise ExportError(
            f"cannot write an export under {parent}: it is not a writable folder; "
            "choose a folder you can write to"
        )


def export_tables(
    store: SqlStore,
    qualnames: Iterable[str],
    folder: Path,
    *,
    formats: Sequence[str] = FORMATS,
) -> Manifest:
    """Export tables to ``folder`` (which must not exist or be empty); returns the manifest.

    Writes ``<qualname>.<format>`` per table and format and ``manifest.json``; the
    folder appears complete or not at all.
    """
    chosen = _formats(formats)
    defs = [store.table(q) for q in dict.fromkeys(qualnames)]
    if not defs:
        raise ExportError("nothing to export: name at least one table, e.g. crm.contacts")
    folder = Path(folder)
    check_export_target(folder)
    work: Path | None = None
    try:
        with atomic_folder(folder) as work:
            tables = [_export_table(store, d, work, chosen) for d in defs]
            manifest = Manifest(exported_at=store.clock.now(), tables=tables)
            (work / MANIFEST).write_bytes(manifest.to_bytes())
    except OSError as err:
        fix = ("choose a folder you can write to" if work is None else
               "nothing was written; free some space or choose another folder")
        raise ExportError(
            f"cannot write an export to {folder}: {err.strerror or err}; {fix}"
        ) from err
    return manifest


def _formats(formats: Sequence[str]) -> tuple[ExportFormat, ...]:
    chosen: list[ExportFormat] = []
    for name in formats:
        known = next((f for f in FORMATS if f == name), None)
        if known is None:
            raise ExportError(f"unknown export format '{name}'; choose csv, jsonl or both")
        if known not in chosen:
            chosen.append(known)
    if not chosen:
        raise ExportError("no export format chosen; choose csv, jsonl or both")
    return tuple(chosen)


class _Sink:
    """A binary file that hashes and counts what is written to it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.file = path.open("wb")
        self.hash = hashlib.sha256()
        self.size = 0

    def write(self, text: str) -> None:
        data = text.encode("utf-8")
        self.hash.update(data)
        self.file.write(data)
        self.size += len(data)

    def close(self) -> None:
        self.file.close()


def _export_table(
    store: SqlStore, d: TableDef, folder: Path, formats: Sequence[ExportFormat]
) -> ExportedTable:
    columns = d.field_names
    sinks = {f: _Sink(folder / f"{d.qualname}.{f}") for f in formats}
    try:
        if "csv" in sinks:
            sinks["csv"].write(_csv_text([columns]))
        rows = 0
        for batch in _batches(store, d):
            rows += len(batch)
            if "csv" in sinks:
                sinks["csv"].write(_csv_text(batch))
            if "jsonl" in sinks:
                sinks["jsonl"].write(_jsonl_text(columns, batch))
    finally:
        for sink in sinks.values():
            sink.close()
    return ExportedTable(
        system=d.system,
        table=d.name,
        rows=rows,
        columns=list(columns),
        files=[
            ExportedFile(name=s.path.name, format=f, bytes=s.size, sha256=s.hash.hexdigest())
            for f, s in sinks.items()
        ],
    )


def _batches(store: SqlStore, d: TableDef) -> Iterator[Sequence[Sequence[Value]]]:
    """The table's rows in key order, ``_BATCH`` at a time, never the whole table."""
    t = store.sa_table(d.qualname)
    stmt = sa.select(*(t.c[c] for c in d.field_names)).order_by(t.c[KEY])
    # In a transaction: a streamed (server-side) cursor needs one on PostgreSQL.
    with store.begin() as conn:
        result = conn.execution_options(yield_per=_BATCH).execute(stmt)
        for part in result.partitions():
            yield [tuple(row) for row in part]


def _csv_text(rows: Iterable[Sequence[object]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def _jsonl_text(columns: Sequence[str], rows: Iterable[Sequence[Value]]) -> str:
    return "".join(
        json.dumps(dict(zip(columns, row, strict=True)), ensure_ascii=False,
                   separators=(",", ":")) + "\n"
        for row in rows
    )


# -- reading ---------------------------------------------------------------------------


def read_manifest(folder: Path) -> Manifest:
    """The folder's manifest, or an ``ExportError`` saying why it cannot be used."""
    folder = Path(folder)
    path = folder / MANIFEST
    if not folder.is_dir():
        raise ExportError(f"export folder {folder} does not exist; check the path")
    if not path.is_file():
        raise ExportError(
            f"{folder} has no {MANIFEST}, so it is not a drills export (or an unfinished "
            "one); export again, e.g. with 'drills world --export DIR'"
        )
    try:
        manifest = Manifest.model_validate_json(path.read_bytes())
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top level)"
        raise ExportError(
            f"{path} is not a valid export manifest ({where}: {first['msg']}); "
            "restore the original file or export again"
        ) from None
    if manifest.format_version != FORMAT_VERSION:
        raise ExportError(
            f"{path} has format version {manifest.format_version}, this drills reads "
            f"version {FORMAT_VERSION}; export again with this version"
        )
    return manifest


def verify_export(folder: Path) -> Manifest:
    """Check every file against the manifest: present, same checksum, same row count."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    for table in manifest.tables:
        for f in table.files:
            path = folder / f.name
            if not path.is_file():
                raise ExportError(
                    f"{path} is missing but {MANIFEST} lists it; restore the file or "
                    "export again"
                )
            digest = _sha256(path)
            if digest != f.sha256:
                raise ExportError(
                    f"{path} does not match its checksum in {MANIFEST} (sha256 "
                    f"{digest[:12]}..., expected {f.sha256[:12]}...): the file changed after "
                    "the export; restore the original file or export again"
                )
            found = _count_rows(path, f.format)
            if found != table.rows:
                raise ExportError(
                    f"{path} holds {found} rows but {MANIFEST} says {table.rows}; the "
                    "manifest was edited: restore the original manifest or export again"
                )
    return manifest


def export_table_name(manifest: Manifest, table: TableDef) -> str:
    """SQL name of an export's loaded copy: ``export_<8 hex of manifest>__crm__contacts``.

    Named after the manifest's checksum, so loading the same export twice gives the
    same table, and two different exports never collide.
    """
    tag = hashlib.sha256(manifest.to_bytes()).hexdigest()[:8]
    return f"export_{tag}__{table.sql_name}"


def load_export(store: SqlStore, folder: Path) -> dict[str, str]:
    """Verify an export, then load each table into the store as a new SQL table.

    Returns qualname -> SQL table name. A table loaded before from the same export is
    replaced. Nothing is loaded unless every file checks out; if loading fails part
    way, the tables created so far are dropped again.
    """
    folder = Path(folder)
    manifest = verify_export(folder)
    plans: list[tuple[ExportedTable, TableDef, sa.Table, ExportedFile]] = []
    metadata = sa.MetaData()
    for exported in manifest.tables:
        d = store.catalog.table(exported.qualname)
        if tuple(exported.columns) != d.field_names:
            raise ExportError(
                f"the export of {d.qualname} has fields {', '.join(exported.columns)} but "
                f"the catalog's table has {', '.join(d.field_names)}; load it with the "
                "drills version that wrote it"
            )
        source = next((f for f in exported.files if f.format == "jsonl"), exported.files[0])
        target = _table_like(store, metadata, export_table_name(manifest, d), d)
        plans.append((exported, d, target, source))
    created: list[sa.Table] = []
    try:
        for exported, d, target, source in plans:
            target.drop(store.engine, checkfirst=True)
            target.create(store.engine)
            created.append(target)
            with store.begin() as conn:
                loaded = store.backend.bulk_load(
                    conn, target, d.field_names, _read_rows(folder / source.name, source, d)
                )
            if loaded != exported.rows:  # verify_export counted lines; this counts records
                raise ExportError(
                    f"{folder / source.name} loaded {loaded} rows but {MANIFEST} says "
                    f"{exported.rows}; restore the original files or export again"
                )
    except BaseException:
        for target in created:
            target.drop(store.engine, checkfirst=True)
        raise
    return {exported.qualname: target.name for exported, _, target, _ in plans}


def compare_export(store: SqlStore, folder: Path) -> dict[str, TableDiff]:
    """Load an export and diff each of its tables against the live table of the same name."""
    loaded = load_export(store, folder)
    return {q: diff_table(store, q, sql_name) for q, sql_name in loaded.items()}


def _table_like(store: SqlStore, metadata: sa.MetaData, name: str, d: TableDef) -> sa.Table:
    return store.declare_table(
        name,
        metadata,
        *(
            sa.Column(
                c.name,
                sa.Integer if c.type is ColumnType.INT else sa.Text,
                primary_key=c.name == KEY,
                autoincrement=False,
            )
            for c in d.columns
        ),
    )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(_READ):
            digest.update(chunk)
    return digest.hexdigest()


def _count_rows(path: Path, fmt: ExportFormat) -> int:
    if fmt == "jsonl":
        with path.open("rb") as f:
            return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(_READ), b""))
    with path.open(newline="", encoding="utf-8") as f:
        return max(0, sum(1 for _ in csv.reader(f)) - 1)


def _read_rows(path: Path, source: ExportedFile, d: TableDef) -> Iterator[tuple[Value, ...]]:
    ints = [c.type is ColumnType.INT for c in d.columns]
    names = d.field_names
    if source.format == "jsonl":
        with path.open("rb") as f:
            for number, line in enumerate(f, start=1):
                record = json.loads(line)
                yield tuple(_value(record.get(n), is_int, path, number, n)
                            for n, is_int in zip(names, ints, strict=True))
        return
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader, [])
        if tuple(header) != names:
            raise ExportError(
                f"{path}: the header row is not {','.join(names)}; restore the original "
                "file or export again"
            )
        for number, cells in enumerate(reader, start=2):
            if len(cells) != len(names):
                raise ExportError(
                    f"{path}, line {number}: {len(cells)} cells where the header has "
                    f"{len(names)}; restore the original file or export again"
                )
            yield tuple(
                _value(cell or None, is_int, path, number, n)
                for cell, n, is_int in zip(cells, names, ints, strict=True)
            )


def _value(raw: object, is_int: bool, path: Path, line: int, name: str) -> Value:
    if raw is None:
        return None
    if is_int:
        if isinstance(raw, int) and not isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and raw.lstrip("-").isdigit():
            return int(raw)
    elif isinstance(raw, str):
        return raw
    kind = "a whole number" if is_int else "text"
    raise ExportError(
        f"{path}, line {line}: field '{name}' should be {kind}, got {raw!r}; "
        "restore the original file or export again"
    )
