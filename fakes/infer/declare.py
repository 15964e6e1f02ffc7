"""From export files to the tables of a declaration: names, keys, counts and fields.

The files are named and checked first (an unknown extension or two files for one table
fail before anything is read), then read one after the other into profiles. Only then
can the fields be inferred, because two of the rules look past their own column: a
reference needs every other table's ``id`` range, and a date window counts from the
latest time found anywhere in the export (an export's dates are absolute; a drill's
are relative to its start, so the export's latest time is taken as the start).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from drills.fakes.catalog import KEY
from drills.fakes.infer.profile import ColumnProfile, TableProfile
from drills.fakes.infer.read import MAX_NAME, SourceFile, identifier, name_file, read_table
from drills.fakes.infer.rules import Context, InferredField, KeyRange, infer_field
from drills.fakes.sizes import MAX_RECORDS_PER_TABLE, MAX_TOTAL_RECORDS
from drills.files.fileerror import FileError
from drills.files.limits import MAX_ITEMS

__all__ = ["Inference", "InferredTable", "infer_world"]


@dataclass(frozen=True)
class InferredTable:
    """One table of the declaration: where it came from, its count, its key and fields."""

    source: SourceFile
    rows: int
    key: str
    """What the export's ``id`` column is (or that it has none), for the table's note."""
    fields: tuple[InferredField, ...]
    count: int
    """The rows, unless over a drill's limits (a table's, or the whole world's)."""


@dataclass(frozen=True)
class Inference:
    """Everything inferred from one export: the tables, and where times count from."""

    tables: tuple[InferredTable, ...]
    anchor_from: str | None
    """The ``system.table.field`` holding the latest time, which day windows count from."""
    keep_choices: bool

    @property
    def systems(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(t.source.system for t in self.tables))


def infer_world(
    paths: Sequence[Path], system: str | None = None, *, keep_choices: bool = False
) -> Inference:
    """Read one export file per table and infer each table's fields.

    ``system`` names the system of a file whose name says only its table. Raises
    :class:`~drills.files.fileerror.FileError` on the first file that cannot be used.
    """
    sources = _sources(paths, system)
    profiles = [(s, read_table(s)) for s in sources]
    named = [(s, p, _field_names(p)) for s, p in profiles]
    keys = {s.qualname: k for s, p, names in named
            if (k := _key_range(s, p, names)) is not None}
    anchor, anchor_from = _anchor(named)
    counts = _counts([p.rows for _, p, _ in named])
    tables = []
    for (source, profile, names), count in zip(named, counts, strict=True):
        context = Context(source.qualname, keys, anchor, keep_choices)
        fields = tuple(
            infer_field(name, profile.columns[header], context)
            for header, name in names.items() if name != KEY
        )
        tables.append(InferredTable(source, profile.rows, _key_note(source, profile, names),
                                    fields, count))
    return Inference(_referenced_first(tables), anchor_from, keep_choices)


def _counts(rows: list[int]) -> list[int]:
    """Each table's count: its rows, within a drill's limits per table and per world (all
    lowered by one factor, so the tables keep their proportions)."""
    counts = [min(n, MAX_RECORDS_PER_TABLE) for n in rows]
    total = sum(counts)
    if total <= MAX_TOTAL_RECORDS:
        return counts
    return [n * MAX_TOTAL_RECORDS // total for n in counts]


def _sources(paths: Sequence[Path], system: str | None) -> list[SourceFile]:
    sources: dict[str, SourceFile] = {}
    for path in paths:
        source = name_file(Path(path), system)
        tables = sum(s.system == source.system for s in sources.values()) + 1
        systems = len({source.system, *(s.system for s in sources.values())})
        if tables > MAX_ITEMS or systems > MAX_ITEMS:
            what = f"system {source.system}'s tables" if tables > MAX_ITEMS else "systems"
            raise FileError(str(source.path), 1, 1,
                            f"one file too many: a declaration holds at most {MAX_ITEMS} "
                            f"{what}", fix="pass fewer files")
        first = sources.get(source.qualname)
        if first is not None:
            raise FileError(
                str(source.path), 1, 1,
                f"holds table {source.qualname}, as {first.path} does",
                fix="pass one file per table (the .csv or the .jsonl, not both)",
            )
        sources[source.qualname] = source
    return list(sources.values())


def _field_names(profile: TableProfile) -> dict[str, str]:
    """Header -> field name: an identifier, made unique (``email``, ``email_2``)."""
    names: dict[str, str] = {}
    taken: set[str] = set()
    for number, header in enumerate(profile.columns, start=1):
        base = identifier(header) or f"column_{number}"
        name, n = base, 2
        while name in taken:
            suffix = f"_{n}"
            name, n = f"{base[: MAX_NAME - len(suffix)]}{suffix}", n + 1
        taken.add(name)
        names[header] = name
    return names


def _key_column(profile: TableProfile, names: dict[str, str]) -> ColumnProfile | None:
    return next((profile.columns[h] for h, n in names.items() if n == KEY), None)


def _key_range(source: SourceFile, profile: TableProfile,
               names: dict[str, str]) -> KeyRange | None:
    key = _key_column(profile, names)
    if key is None or key.blanks or not key.only("int") or key.low is None or key.high is None:
        return None
    return KeyRange(source.qualname, key.low, key.high, profile.rows)


def _key_note(source: SourceFile, profile: TableProfile, names: dict[str, str]) -> str:
    key = _key_column(profile, names)
    if key is None:
        return (f"the export has no '{KEY}' column: a drill numbers the records itself, "
                "and no other table's reference to this one could be found")
    if _key_range(source, profile, names) is None:
        return (f"the export's '{KEY}' is not a whole number in every row: a drill numbers "
                "the records itself, and no other table's reference to this one could be "
                "found")
    return f"'{KEY}' is the key (a whole number in every row)"


def _anchor(named: list[tuple[SourceFile, TableProfile, dict[str, str]]]
            ) -> tuple[datetime | None, str | None]:
    """The latest time of the export and the field it is in: times of day first.

    A date-and-time column (``updated_at``) says when something happened; a date column
    may lie ahead (a due date, a renewal), so dates count only when no column has times.
    """
    best: tuple[datetime, str] | None = None
    for wanted in (("date", "datetime"), ("date",)):
        for source, profile, names in named:
            for header, column in profile.columns.items():
                if names[header] == KEY or not column.only(*wanted) or column.latest is None:
                    continue
                if len(wanted) == 2 and not column.kinds["datetime"]:
                    continue
                if best is None or column.latest > best[0]:
                    best = (column.latest, f"{source.qualname}.{names[header]}")
        if best is not None:
            return best
    return None, None


def _referenced_first(tables: list[InferredTable]) -> tuple[InferredTable, ...]:
    """The tables in the order given, except that a table comes after those it refers to
    (a drill makes a reference's target first), grouped by system in order of first use."""
    by_name = {t.source.qualname: t for t in tables}
    ordered: dict[str, InferredTable] = {}

    def place(table: InferredTable, path: tuple[str, ...]) -> None:
        name = table.source.qualname
        if name in ordered or name in path:  # placed already, or a cycle: keep file order
            return
        for field in table.fields:
            target = field.spec.get("to")
            if isinstance(target, str) and target in by_name:
                place(by_name[target], (*path, name))
        ordered[name] = table

    for table in tables:
        place(table, ())
    systems = dict.fromkeys(t.source.system for t in ordered.values())
    return tuple(t for s in systems for t in ordered.values() if t.source.system == s)
