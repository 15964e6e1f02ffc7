"""From an export and its bad run to the two files of a drill: the world and the scenario.

The world is declared from what the export shows: a table per object seen, a field per
field changed, each typed by ``drills world infer``'s own rules (:mod:`drills.fakes.infer
.rules`) from the values the records held, the count from the records seen (or
``--scale``), and the field history the source system keeps. The scenario replays the
burst: the records it changed are numbered 1..N in the order it first changed them and
named by ``fault.reach.keys``, so the drill reaches the same records in the same order,
at the same pace (``fault.rate``), from the same lead after the drill starts.

Only field names, counts, rates, times, rounded ranges and low-cardinality choice values
(statuses, stages, countries: categories no one is identified by) are written; a choice
of a field that holds names, addresses, contact details, ids or notes is declared by its
kind instead, so Faker makes its values (docs/import.md).
"""

from __future__ import annotations

import hashlib
import math
import re
import textwrap
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import yaml

from drills.errors import one_line
from drills.fakes.catalog import KEY
from drills.fakes.infer.profile import ColumnProfile
from drills.fakes.infer.read import MAX_NAME, identifier
from drills.fakes.infer.rules import Context, InferredField, infer_field
from drills.files import format_duration
from drills.scenarios.importing.burst import Burst, Finding
from drills.scenarios.importing.changes import Change, Export
from drills.scenarios.importing.mask import Masker
from drills.scenarios.incident import MAX_CURVE_MINUTES
from drills.scenarios.limits import MAX_PEOPLE_PER_HOUR, MAX_RECORDS_PER_TABLE

__all__ = ["LEAD", "RESPOND", "Built", "build_files", "dump", "reading_of", "render_world"]

LEAD = timedelta(minutes=5)
"""The drill starts this long before the burst's first change (rounded down to a minute)."""
RESPOND = timedelta(hours=1)
"""Time after the burst's last change the drill keeps running, for the team to respond."""

HISTORY: dict[str, dict[str, Any]] = {
    "salesforce": {"keep": "540d"},
    "hubspot": {"fields": "all", "keep": "540d"},
    "stripe": {"fields": "all", "keep": "30d"},
}
"""What each source keeps: Salesforce the tracked fields (those in the history export)
for 18 months, HubSpot every property's history, Stripe its events for 30 days. A
generic change log is the team's own table: the fields it logs, for 90 days."""

_PERSONAL_WORDS = frozenset({
    "name", "owner", "assignee", "actor", "author", "agent", "rep", "manager", "person",
    "user", "firstname", "lastname", "first", "last", "surname", "email", "mail", "phone",
    "mobile", "tel", "fax", "cell", "street", "address", "city", "town", "zip", "postcode",
    "postal", "notes", "note", "description", "comment", "comments", "message", "body",
    "subject", "title", "id", "ip", "birthdate", "birthday", "ssn", "iban", "domain",
    "website", "url", "company",
})
"""Words in a field's name that make it personal: its values are never written, even
when it has few of them (a choice of three owners is three people's names)."""
_KINDS = (({"email", "mail"}, {"type": "email"}), ({"phone", "mobile", "tel", "fax", "cell"},
          {"type": "phone"}), ({"street", "address"}, {"type": "text", "faker": "street_address"}),
          ({"city", "town"}, {"type": "text", "faker": "city"}),
          ({"zip", "postcode", "postal"}, {"type": "text", "faker": "postcode"}),
          ({"name", "owner", "firstname", "lastname", "surname", "person"}, {"type": "name"}),
          ({"company"}, {"type": "company"}), ({"domain", "website", "url"}, {"type": "url"}),
          ({"notes", "note", "description", "comment", "comments", "message", "body"},
           {"type": "free_text"}))
_ID_LIKE = re.compile(r"(?=.*\d)(?=.*[A-Za-z])[A-Za-z0-9_\-]{6,}")
_EMAIL_OR_PHONE = re.compile(r"[^@\s]+@[^@\s]+|\+?[0-9 ().\-/]{7,}")


@dataclass(frozen=True)
class Built:
    """The two files' texts and what the import found."""

    world: dict[str, Any]
    scenario: dict[str, Any]
    reading: str
    notes: dict[str, str]
    """``system.table`` or ``system.table.field`` -> what it was inferred from, for the
    declaration's comments."""


def reading_of(burst: Burst, finding: Finding | None, masker: Masker) -> str:
    """One line: who did what to how many records, when, how fast."""
    who = f"{burst.actor_kind} {masker.actor(burst.actor)}"
    k = finding.keys if finding is not None else {}
    kind = finding.kind if finding is not None else ""
    if kind == "blank_writes":
        what = f"changed {' and '.join(k['fields'])} to blank"
    elif kind == "wrong_field_mapping":
        what = f"wrote {k['writes']} values into {k['into']}"
    elif kind == "status_flapping":
        each = Counter(c.record for c in burst.main if c.field == k["field"])
        typical = sorted(each.values())[len(each) // 2]
        what = (f"flipped {k['field']} between {k['between'][1]} and {k['between'][0]} "
                f"({typical} changes each, ending on {k['between'][0]})")
    elif kind == "triple_trigger":
        what = f"made the same change {k['times']} times"
    else:
        fields = Counter(c.field for c in burst.main).most_common(3)
        what = f"changed {', '.join(f for f, _ in fields)}"
    table = burst.table.partition(".")[2]
    first, last = burst.changes[0].at, burst.changes[-1].at
    rate = burst.changes_per_minute
    shown = f"{rate:,.0f}" if rate >= 10 else f"{rate:.1f}"
    return (f"{who} {what} on {len(burst.records):,} {table} between {first:%H:%M} and "
            f"{last:%H:%M}, {shown}/min")


def build_files(export: Export, burst: Burst, finding: Finding, background: Sequence[Change],
                masker: Masker, *, name: str, world_file: str, scale: float | None) -> Built:
    """The declaration and the scenario (as data) for one burst of one export."""
    reading = reading_of(burst, finding, masker)
    names = _field_names(export.changes)
    notes: dict[str, str] = {}
    world = _declaration(export, burst, finding, names, name, scale, notes)
    scenario = _scenario(export, burst, finding, background, masker, names, name,
                         world_file, reading)
    return Built(world, scenario, reading, notes)


# -- the world ----------------------------------------------------------------------------


def _field_names(changes: Sequence[Change]) -> dict[tuple[str, str], str]:
    """(table, export field) -> declared field: an identifier, unique in its table."""
    names: dict[tuple[str, str], str] = {}
    taken: dict[str, set[str]] = {}
    for c in changes:
        if (c.qualname, c.field) in names:
            continue
        used = taken.setdefault(c.qualname, {KEY})
        base = identifier(c.field) or "field"
        name, n = base, 2
        while name in used:
            suffix = f"_{n}"
            name, n = f"{base[: MAX_NAME - len(suffix)]}{suffix}", n + 1
        used.add(name)
        names[(c.qualname, c.field)] = name
    return names


def _declaration(export: Export, burst: Burst, finding: Finding,
                 names: dict[tuple[str, str], str], name: str,
                 scale: float | None, notes: dict[str, str]) -> dict[str, Any]:
    inside = {id(c) for c in burst.changes}
    profiles: dict[str, dict[str, ColumnProfile]] = {}
    records: dict[str, set[str]] = {}
    for c in export.changes:
        column = profiles.setdefault(c.qualname, {}).setdefault(
            names[(c.qualname, c.field)], ColumnProfile(c.field))
        records.setdefault(c.qualname, set()).add(c.record)
        if not c.initial:
            column.add(c.old)  # what the record held before
        if c.initial or id(c) not in inside:
            column.add(c.new)  # the bad run's values are not what the field holds
    anchor = max(c.at for c in export.changes)
    needs = _step_values(burst, finding, names)
    systems: dict[str, dict[str, Any]] = {}
    for table, columns in profiles.items():
        system, _, short = table.partition(".")
        fields = {}
        for field, profile in columns.items():
            inferred = infer_field(field, profile, Context(table, {}, anchor, keep_choices=True))
            fields[field] = _impersonal(field, inferred, needs.get((table, field), ()))
            note = inferred.note
            if fields[field].get("type") != inferred.spec.get("type"):
                note += ("; a personal field: declared by its kind, its values made up "
                         "(docs/import.md)")
            if profile.header != field:
                note = f"'{profile.header}' in the export: {note}"
            notes[f"{table}.{field}"] = note
        count = len(records[table])
        notes[table] = f"{count:,} records seen in the export"
        if scale is not None:
            count = math.ceil(count * scale)
            notes[table] += f", times --scale {scale:g}"
        if table == burst.table:
            count = max(count, len(burst.records))
            notes[table] += f"; the bad run changed {len(burst.records):,} of them"
        spec: dict[str, Any] = {"count": max(1, min(count, MAX_RECORDS_PER_TABLE))}
        history = dict(HISTORY.get(system, {"keep": "90d"}))
        if "fields" not in history:
            history = {"fields": sorted(columns), **history}
        spec["history"] = history
        if system == "stripe":
            spec["harm"] = "money"
        spec["fields"] = fields
        systems.setdefault(system, {})[short] = spec
    declaration: dict[str, Any] = {"name": name, "systems": systems}
    if "warehouse" in systems:  # the drill's warehouse takes another name
        declaration["warehouse"] = {"name": "warehouse_copies"}
    return declaration


def _step_values(burst: Burst, finding: Finding,
                 names: dict[tuple[str, str], str]) -> dict[tuple[str, str], tuple[str, ...]]:
    """Values the scenario names for a field (the step's value, a flapping status's two),
    which its choice must hold."""
    out: dict[tuple[str, str], tuple[str, ...]] = {}
    step = finding.step
    if "value" in step:
        out[(burst.table, names[(burst.table, step["field"])])] = (step["value"],)
    if finding.kind == "status_flapping":
        key = (burst.table, names[(burst.table, finding.keys["field"])])
        out[key] = tuple(dict.fromkeys((*out.get(key, ()), *finding.keys["between"])))
    return out


def _impersonal(field: str, inferred: InferredField, needed: Sequence[str]) -> dict[str, Any]:
    """The field's spec with no personal value: a choice of a personal field (by its
    name, or by values that look like ids, emails or phone numbers) is declared by its
    kind instead. Values the scenario names are added to a choice that lacks them."""
    spec = dict(inferred.spec)
    if spec.get("type") != "choice":
        return spec
    words = set(field.split("_"))
    values = [str(v) for v in spec.get("values", [])]
    if words & _PERSONAL_WORDS or any(_ID_LIKE.fullmatch(v) or _EMAIL_OR_PHONE.fullmatch(v)
                                       for v in values):
        kind = next((dict(k) for w, k in _KINDS if words & w), {"type": "text"})
        if "blank" in spec:
            kind["blank"] = spec["blank"]
        return kind
    weights = list(spec.get("weights", [1] * len(values)))
    for value in needed:
        if value and value not in values:
            values.append(value)
            weights.append(1)
    spec["values"], spec["weights"] = values, weights
    return spec


# -- the scenario -------------------------------------------------------------------------


def _scenario(export: Export, burst: Burst, finding: Finding, background: Sequence[Change],
              masker: Masker, names: dict[tuple[str, str], str], name: str,
              world_file: str, reading: str) -> dict[str, Any]:
    first, last = burst.changes[0].at, burst.changes[-1].at
    starts = first.replace(second=0, microsecond=0) - LEAD
    lead = (first - starts).total_seconds()
    system = burst.table.partition(".")[0]
    actor = f"{burst.actor_kind} {masker.actor(burst.actor)}"
    span = last - first
    runs_for = timedelta(minutes=math.ceil((lead + span.total_seconds()
                                            + RESPOND.total_seconds()) / 60))
    qual = {f: f"{burst.table}.{names[(burst.table, f)]}"
            for f in {c.field for c in burst.changes if c.qualname == burst.table}
            | {v for k, v in finding.keys.items() if k in ("writes", "into", "field")}
            | {finding.step["field"]}}
    step: dict[str, Any] = {"field": qual[finding.step["field"]]}
    if "from" in finding.step:
        step["from"] = qual[finding.step["from"]]
    else:
        step["value"] = finding.step["value"]
    feeder = f"{burst.table}-changed"
    digest = hashlib.sha256(reading.encode()).hexdigest()
    return {
        "name": name,
        "title": f"Replay: {reading}"[:200],
        "summary": (f"Replays a real bad run read from {'; '.join(export.sources)}: "
                    f"{reading}. Imported by drills import"
                    + (", masked." if masker.masking else ", NOT masked (--no-mask).")),
        "seed": int(digest[:8], 16),
        "starts": starts.isoformat(),
        "runs_for": format_duration(runs_for),
        "world": {"declared": world_file},
        "automation": {
            "name": _slug(f"run-by-{actor}"),
            "source": system,
            "trigger": {"webhook": feeder, "on": burst.table},
            "feeders": [{"kind": "webhook", "name": feeder}],
            "does": [{"set_field": step}],
            **({"touches": ["money"]} if system == "stripe" else {}),
        },
        "fault": {
            "kind": finding.kind,
            **_fault_keys(finding, qual),
            "starts": format_duration(timedelta(seconds=int(lead))),
            "rate": _rate(burst.records_per_minute),
            "reach": {"keys": _ranges(len(burst.records))},
            "via": feeder,
        },
        "people": {"edits_per_hour": _per_hour(background)},
        "incident": {
            "source": "; ".join(export.sources),
            "actor": actor,
            "reading": reading,
            "started": first.replace(microsecond=0).isoformat(),
            "stopped_after": format_duration(timedelta(seconds=round(span.total_seconds()))),
            "changes_per_minute": _curve(burst.changes, first),
        },
    }


def _fault_keys(finding: Finding, qual: dict[str, str]) -> dict[str, Any]:
    keys = dict(finding.keys)
    if "fields" in keys:
        keys["fields"] = [qual[f] for f in keys["fields"]]
    for key in ("writes", "into", "field"):
        if key in keys:
            keys[key] = qual[keys[key]]
    return keys


def _ranges(n: int) -> str:
    return "1" if n == 1 else f"1-{n}"


def _rate(per_minute: float) -> str:
    text = f"{per_minute:.2f}".rstrip("0").rstrip(".")
    return f"{text if float(text) > 0 else '0.01'}/min"


def _per_hour(background: Sequence[Change]) -> int:
    """People's edits an hour: the background's, over the hours it spans (one at least)."""
    if not background:
        return 0
    hours = max(1.0, (background[-1].at - background[0].at) / timedelta(hours=1))
    return min(MAX_PEOPLE_PER_HOUR, round(len(background) / hours))


def _curve(changes: Sequence[Change], first: datetime) -> dict[str, list[int]]:
    """Per system, the burst's changes in each minute from its first change."""
    minutes = min(MAX_CURVE_MINUTES, int((changes[-1].at - first) / timedelta(minutes=1)) + 1)
    curve: dict[str, list[int]] = {}
    for c in changes:
        at = int((c.at - first) / timedelta(minutes=1))
        if at < minutes:
            curve.setdefault(c.system, [0] * minutes)[at] += 1
    return curve


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9._-]+", "-", text.lower()).strip("-._")
    return (slug or "imported-run")[:60]


class _Dumper(yaml.SafeDumper):
    """Block style, but a list of plain values, or a small mapping of them, on one line
    (``fields: [a, b]``, ``trigger: {webhook: x, on: y}``), as docs/worlds.md writes them."""


def _flat(values: Sequence[Any]) -> bool:
    return all(isinstance(v, str | int | float | bool) for v in values)


def _list(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=_flat(data))


def _dict(dumper: yaml.SafeDumper, data: dict[str, Any]) -> yaml.Node:
    small = len(data) <= 3 and _flat(list(data.values()))
    return dumper.represent_mapping("tag:yaml.org,2002:map", data, flow_style=small)


_Dumper.add_representer(list, _list)
_Dumper.add_representer(dict, _dict)


def dump(data: dict[str, Any], header: Sequence[str]) -> str:
    """YAML with a comment header, keys in the order written."""
    body = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    return "".join(f"# {line}\n" if line else "#\n" for line in header) + body


def render_world(world: dict[str, Any], notes: dict[str, str], header: Sequence[str]) -> str:
    """The declaration as ``drills world infer`` writes one: a comment on each table and
    field saying what it was inferred from, each field's spec on one line."""
    lines = [f"# {line}" for line in header]
    lines.append(f"name: {_one(world['name'])}")
    if "warehouse" in world:
        lines.append(f"warehouse: {_one(world['warehouse'])}")
    lines.append("systems:")
    for system, tables in world["systems"].items():
        lines.append(f"  {_one(system)}:")
        for table, spec in tables.items():
            lines.append(f"    {_one(table)}:")
            lines += _comment(notes.get(f"{system}.{table}", ""), "      ")
            lines += [f"      {key}: {_one(value)}" for key, value in spec.items()
                      if key != "fields"]
            lines.append("      fields:")
            for field, value in spec["fields"].items():
                lines += _comment(notes.get(f"{system}.{table}.{field}", ""), "        ")
                lines.append(f"        {_one(field)}: {_one(value)}")
    return "\n".join(lines) + "\n"


def _one(value: Any) -> str:
    text = yaml.dump(value, Dumper=yaml.SafeDumper, default_flow_style=True,
                     allow_unicode=True, width=1_000_000, sort_keys=False)
    return text.removesuffix("\n...\n").strip()


def _comment(text: str, indent: str) -> list[str]:
    if not text:
        return []
    return [f"{indent}# {line}" for line in textwrap.wrap(one_line(text), 88 - len(indent))]
