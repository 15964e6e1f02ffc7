"""The four audit-log formats a team can export, each read into :class:`~.changes.Change`.

Detected from the content, not the file name (an export is often renamed): a CSV whose
header has Salesforce's history columns (``Field``, ``OldValue``, ``NewValue``,
``CreatedDate``...) or a change log's (``table``, ``record``, ``field``, ``old``...); a
JSON object with HubSpot's ``results[].propertiesWithHistory``; a JSON list (or
``{"data": [...]}``) of Stripe Event objects; or change-log rows as JSON Lines or a JSON
array. A format's missing columns are named, a bad time points at its file and line, and
a file in none of the formats says which it could be and how to get one.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from drills.fakes.infer.read import identifier
from drills.files.fileerror import FileError
from drills.scenarios.importing.changes import Change, Export, parse_time

__all__ = ["FORMATS", "detect", "read_export"]

FORMATS = ("salesforce", "hubspot", "stripe", "changes")
"""The ``--format`` names, in the order detection tries them."""

_SF_MARKS = ("Field", "OldValue", "NewValue", "CreatedDate", "CreatedById", "DataType")
_SF_NEEDS = ("CreatedById", "CreatedDate", "Field", "OldValue", "NewValue")
_LOG_MARKS = ("table", "record", "field", "old", "new", "at", "actor")
_LOG_NEEDS = _LOG_MARKS
_NOT_PARENT = frozenset({"Id", "CreatedById", "LastModifiedById", "OwnerId"})
_HUBSPOT_HINTS = (("dealstage", "deals"), ("hs_pipeline_stage", "tickets"),
                  ("domain", "companies"), ("email", "contacts"))
_HUBSPOT_OBJECTS = ("contacts", "companies", "deals", "tickets")
_SKIP_SF_FIELDS = frozenset({"created", "deleted", "locked", "unlocked", "feedevent"})

_FIX_FORMAT = ("export Salesforce field history as CSV, HubSpot objects with "
               "propertiesWithHistory as JSON, Stripe events as JSON, or a change log "
               "(table, record, field, old, new, at, actor) as CSV or JSONL; see docs/import.md")


def read_export(paths: Sequence[Path], fmt: str | None = None) -> Export:
    """Every change in ``paths``, each file read in its detected format (or ``fmt``)."""
    changes: list[Change] = []
    sources: list[str] = []
    for path in paths:
        text = _read_text(Path(path))
        kind = fmt or detect(str(path), text)
        label, found = _READERS[kind](str(path), text)
        if not any(not c.initial for c in found):
            raise FileError(str(path), 1, 1, f"the {kind} export holds no change of a field",
                            fix="export the history of the hours the incident happened in")
        changes += found
        sources.append(label)
    systems = tuple(dict.fromkeys(c.system for c in changes))
    return Export(tuple(changes), tuple(sources), systems)


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise FileError(str(path), 1, 1, "no such file",
                        fix="check the path of the export") from None
    except IsADirectoryError:
        raise FileError(str(path), 1, 1, "is a folder",
                        fix="name the export files themselves") from None
    except UnicodeDecodeError:
        raise FileError(str(path), 1, 1, "is not UTF-8 text", fix=_FIX_FORMAT) from None
    except OSError as err:
        raise FileError(str(path), 1, 1, f"cannot be read: {err.strerror or err}",
                        fix="check the file's permissions") from None


def detect(file: str, text: str) -> str:
    """The format of an export's text; a one-line FileError when it is in none."""
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        doc = _json_document(stripped)
        if isinstance(doc, dict) and "results" in doc:
            return "hubspot"
        events = doc.get("data") if isinstance(doc, dict) else doc
        if isinstance(events, list) and events and isinstance(events[0], dict) and (
            "type" in events[0] and "data" in events[0]
        ):
            return "stripe"
        rows = doc if isinstance(doc, list) else [doc]
        if (rows and isinstance(rows[0], dict) and "table" in rows[0]) or (
                doc is None and stripped[0] == "{"):
            return "changes"  # JSON Lines: one change-log row per line
        raise FileError(file, 1, 1, "is JSON but neither HubSpot objects (results[]) nor "
                        "Stripe events (a list of objects with type and data)", fix=_FIX_FORMAT)
    header = next(csv.reader(io.StringIO(text)), [])
    names = {h.strip() for h in header}
    if sum(m in names for m in _SF_MARKS) >= 3:
        return "salesforce"
    if sum(m in {n.lower() for n in names} for m in _LOG_MARKS) >= 3:
        return "changes"
    raise FileError(file, 1, 1, "is in none of the formats drills import reads",
                    fix=_FIX_FORMAT)


def _json_document(text: str) -> Any:
    """The whole text as one JSON value, or None when it is not one (JSON Lines)."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return None


def _load_json(file: str, text: str, what: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise FileError(file, err.lineno, err.colno, f"is not JSON ({err.msg}), as {what} is",
                        fix="pass the export file as the system wrote it, or the right "
                        "--format") from None


def _value(raw: object) -> str:
    """A cell as text: blank for None, JSON booleans as true/false."""
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, dict | list):
        return json.dumps(raw, sort_keys=True)
    return str(raw)


def _plural(word: str) -> str:
    word = identifier(word) or "record"
    if word.endswith("y") and word[-2:-1] not in "aeiou":
        return f"{word[:-1]}ies"
    if word.endswith(("s", "x", "ch", "sh")):
        return f"{word}es"
    return f"{word}s"


def _missing(file: str, line: int, what: str, missing: Sequence[str], fix: str) -> FileError:
    return FileError(file, line, 1, f"{what} lacks {', '.join(missing)}", fix=fix)


# -- Salesforce field history (CSV) ------------------------------------------------------


def _salesforce(file: str, text: str) -> tuple[str, list[Change]]:
    rows = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in rows.fieldnames or []]
    parent = next((h for h in header if h.endswith("Id") and h not in _NOT_PARENT), None)
    missing = [h for h in _SF_NEEDS if h not in header] + ([] if parent else ["ParentId"])
    if missing:
        raise _missing(file, 1, "the Salesforce field-history header", missing,
                       "export the *History object with these columns (Data Loader: "
                       "SELECT ParentId, CreatedById, CreatedDate, Field, OldValue, NewValue)")
    assert parent is not None
    stem = Path(file).stem
    obj = parent[:-2] if parent != "ParentId" else stem.replace("__History", "").removesuffix(
        "History") or "record"
    system, table = "salesforce", _plural(obj)
    out: list[Change] = []
    for row in rows:
        line = rows.line_num
        cells = {k.strip(): v for k, v in row.items() if k is not None}
        field = (cells.get("Field") or "").strip()
        if not field or field.lower() in _SKIP_SF_FIELDS:
            continue
        out.append(Change(
            system, table, cells.get(parent) or "", field, cells.get("OldValue") or "",
            cells.get("NewValue") or "",
            parse_time(cells.get("CreatedDate"), file, line, "CreatedDate"),
            cells.get("CreatedById") or "", "user", "", file, line))
    return f"Salesforce field history ({Path(file).name})", out


# -- HubSpot objects with property history (JSON) ----------------------------------------


def _hubspot(file: str, text: str) -> tuple[str, list[Change]]:
    doc = _load_json(file, text, "a HubSpot export")
    results = doc.get("results") if isinstance(doc, dict) else None
    if not isinstance(results, list):
        raise _missing(file, 1, "the HubSpot export", ["results (a list of objects)"],
                       "export GET /crm/v3/objects/<object>?propertiesWithHistory=...")
    table = _hubspot_table(file, results)
    out: list[Change] = []
    for i, obj in enumerate(results):
        where = f"results[{i}]"
        if not isinstance(obj, dict) or "id" not in obj or not isinstance(
                obj.get("propertiesWithHistory"), dict):
            lacks = ["id"] if not isinstance(obj, dict) or "id" not in obj else []
            raise _missing(file, 1, where, lacks or ["propertiesWithHistory"],
                           "export with ?propertiesWithHistory=<the properties> so each "
                           "object carries its history")
        for prop, history in obj["propertiesWithHistory"].items():
            out += _hubspot_history(file, f"{where}.propertiesWithHistory.{prop}", table,
                                    str(obj["id"]), prop, history)
    return f"HubSpot property history ({Path(file).name})", out


def _hubspot_table(file: str, results: list[Any]) -> str:
    stem = identifier(Path(file).stem)
    named = next((o for o in _HUBSPOT_OBJECTS if o in stem or o.rstrip("s") in stem), None)
    if named is not None:
        return named
    props = {p for o in results if isinstance(o, dict)
             for p in (o.get("propertiesWithHistory") or {})}
    return next((t for hint, t in _HUBSPOT_HINTS if hint in props), "objects")


def _hubspot_history(file: str, where: str, table: str, record: str, prop: str,
                     history: object) -> list[Change]:
    if not isinstance(history, list):
        raise FileError(file, 1, 1, f"{where} is not a list of history entries",
                        fix="export with ?propertiesWithHistory=... as HubSpot returns it")
    entries = []
    for j, entry in enumerate(history):
        if not isinstance(entry, dict) or "timestamp" not in entry:
            raise _missing(file, 1, f"{where}[{j}]", ["timestamp"],
                           "export the property history as HubSpot returns it")
        entries.append((parse_time(entry["timestamp"], file, 1, f"{where}[{j}].timestamp"),
                        entry))
    entries.sort(key=lambda e: e[0])  # HubSpot lists newest first; oldest first here
    out: list[Change] = []
    previous = ""
    for n, (at, entry) in enumerate(entries):
        user = entry.get("updatedByUserId")
        source = entry.get("sourceId")
        kind = str(entry.get("sourceType") or "source")
        if user not in (None, ""):
            actor, actor_kind = str(user), "user"
        else:
            actor = str(source or kind)
            actor_kind = "workflow" if "AUTOMATION" in kind.upper() else kind.lower()
        value = _value(entry.get("value"))
        out.append(Change("hubspot", table, record, prop, previous, value, at, actor,
                          actor_kind, "", file, 1, initial=n == 0))
        previous = value
    return out


# -- Stripe events (JSON) -----------------------------------------------------------------


def _stripe(file: str, text: str) -> tuple[str, list[Change]]:
    doc = _load_json(file, text, "a Stripe export")
    events = doc.get("data") if isinstance(doc, dict) else doc
    if not isinstance(events, list):
        raise _missing(file, 1, "the Stripe export", ["data (a list of events)"],
                       "export with 'stripe events list' or GET /v1/events")
    out: list[Change] = []
    for i, event in enumerate(events):
        where = f"events[{i}]"
        lacks = [k for k in ("type", "created", "data") if not isinstance(event, dict)
                 or k not in event]
        data = event.get("data") if not lacks else None
        obj = data.get("object") if isinstance(data, dict) else None
        if not lacks and not (isinstance(obj, dict) and "id" in obj and "object" in obj):
            lacks = ["data.object (with id and object)"]
        if lacks:
            raise _missing(file, 1, where, lacks, "export whole Event objects "
                           "('stripe events list' or GET /v1/events)")
        assert isinstance(data, dict)
        assert isinstance(obj, dict)
        previous = data.get("previous_attributes")
        if not isinstance(previous, dict):
            continue  # a created or deleted event: no field changed
        at = parse_time(event["created"], file, 1, f"{where}.created")
        request = event.get("request")
        rid = request.get("id") if isinstance(request, dict) else request
        if rid:
            actor, kind = f"api {event.get('api_version') or 'unknown'}", "API client"
        else:
            actor, kind = "stripe", "Stripe"
        table = _plural(str(obj["object"]))
        for name, old in _flat(previous):
            new = _lookup(obj, name)
            if isinstance(old, list) or isinstance(new, list):
                continue  # line items and the like: not a field a drill replays
            out.append(Change("stripe", table, str(obj["id"]), name, _value(old),
                              _value(new), at, actor, kind, "", file, 1))
    return f"Stripe events ({Path(file).name})", out


def _flat(values: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for key, value in values.items():
        if isinstance(value, dict) and value:
            yield from _flat(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value


def _lookup(obj: dict[str, Any], dotted: str) -> Any:
    value: Any = obj
    for part in dotted.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


# -- a generic change log (CSV or JSON Lines) ---------------------------------------------


def _changes(file: str, text: str) -> tuple[str, list[Change]]:
    rows = list(_log_rows(file, text))
    out: list[Change] = []
    for line, row in rows:
        cells = {str(k).strip().lower(): v for k, v in row.items()}
        missing = [c for c in _LOG_NEEDS if c not in cells]
        if missing:
            raise _missing(file, line, "the change log", missing,
                           "export the change table with these columns (run or batch "
                           "optional)")
        table = _value(cells["table"]).strip()
        system, dot, name = table.rpartition(".")
        system, name = identifier(system) if dot else "app", identifier(name)
        if not name:
            raise FileError(file, line, 1, f"table {table[:40]!r} names no table",
                            fix="write the table as system.table, like crm.contacts")
        out.append(Change(
            system, name, _value(cells["record"]), _value(cells["field"]),
            _value(cells["old"]), _value(cells["new"]),
            parse_time(cells["at"], file, line, "at"), _value(cells["actor"]), "actor",
            _value(cells.get("run") or cells.get("batch")), file, line))
    return f"change log ({Path(file).name})", out


def _log_rows(file: str, text: str) -> Iterator[tuple[int, dict[str, Any]]]:
    if text.lstrip().startswith("["):  # a JSON array of rows
        rows = _load_json(file, text, "a change log in JSON")
        for row in rows:
            if not isinstance(row, dict):
                raise FileError(file, 1, 1, "holds an item that is not a JSON object",
                                fix="write each change as an object with table, record, ...")
            yield 1, row
        return
    if text.lstrip().startswith("{"):
        for number, raw in enumerate(text.splitlines(), start=1):
            if not raw.strip():
                continue
            try:
                row = json.loads(raw)
            except json.JSONDecodeError as err:
                raise FileError(file, number, err.colno, f"not a JSON object: {err.msg}",
                                fix="write one JSON object per line") from None
            if not isinstance(row, dict):
                raise FileError(file, number, 1, "not a JSON object",
                                fix="write one JSON object per line")
            yield number, row
        return
    reader = csv.DictReader(io.StringIO(text))
    header = {h.strip().lower() for h in reader.fieldnames or []}
    missing = [c for c in _LOG_NEEDS if c not in header]
    if missing:
        raise _missing(file, 1, "the change log's header", missing,
                       "export the change table with these columns (run or batch optional)")
    for row in reader:
        yield reader.line_num, {k: v for k, v in row.items() if k is not None}


_READERS: dict[str, Callable[[str, str], tuple[str, list[Change]]]] = {
    "salesforce": _salesforce, "hubspot": _hubspot, "stripe": _stripe, "changes": _changes,
}
