"""The inferred declaration as YAML for people to edit: a comment on every choice made.

Written by hand rather than dumped, so each table and field can carry its comment (what
was inferred, from what, in how many rows) and each field's spec stays on one line the
way docs/worlds.md writes them. Scalars go through PyYAML's own dumper, so a choice
value with a colon or a quote, or a field called ``no``, reads back as written.
"""

from __future__ import annotations

from typing import Any

import yaml

from drills.errors import one_line
from drills.fakes.infer.declare import Inference, InferredTable
from drills.fakes.infer.rules import MONEY_WORDS
from drills.fakes.sizes import MAX_RECORDS_PER_TABLE, MAX_TOTAL_RECORDS

__all__ = ["render_declaration"]

_WIDTH = 88


def render_declaration(inference: Inference, name: str) -> str:
    """The declaration text (``name``: the world's name), header comment first."""
    lines = _header(inference)
    lines.append(f"name: {_scalar(name[:80] or 'inferred')}")
    warehouse = next(w for w in ("warehouse", "copies", "warehouse_copies")
                     if w not in inference.systems)
    if warehouse != "warehouse":
        lines.append(f"warehouse: {{name: {warehouse}}}  # a system of the export is named "
                     "'warehouse'")
    lines.append("systems:")
    for system in inference.systems:
        lines.append(f"  {_scalar(system)}:")
        for table in inference.tables:
            if table.source.system == system:
                lines += _table(table)
    return "\n".join(lines) + "\n"


def _header(inference: Inference) -> list[str]:
    files = ", ".join(f"{t.source.path.name} ({t.rows:,} rows)" for t in inference.tables)
    if inference.keep_choices:
        privacy = ("No value of the export is written here but the choices' values, kept "
                   "with --keep-choices: not a name, an address, an id or an amount.")
    else:
        privacy = ("No value of the export is written here: not a name, an address, an id "
                   "or an amount; a choice's values are placeholders (value_1...) to name, "
                   "or infer again with --keep-choices to keep them.")
    if inference.anchor_from is not None:
        dates = ("Dates: an export's are absolute, a drill's count from its start. The "
                 "windows (days: [low, high]) count whole days from the latest time found "
                 f"in the export (in {inference.anchor_from}), taken as the drill's start.")
    else:
        dates = "Dates: the export has none."
    money = ("Money: a number is money when its header has one of the words "
             f"{', '.join(sorted(MONEY_WORDS))}. Whole numbers are taken as cents as "
             "written; numbers with decimals as currency units, x 100.")
    paragraphs = [
        "A world declaration (see docs/worlds.md) inferred by 'drills world infer' from "
        f"{files}.",
        "Check it and edit it: each field's comment says what was inferred and from what. "
        "An export cannot tell what a table means to a drill: add by hand its history, "
        "harm, cancel, sends or messages where they apply.",
        privacy,
        "Numbers: each range is the export's lowest and highest, rounded outward to two "
        "significant digits.",
        money,
        dates,
    ]
    lines: list[str] = []
    for paragraph in paragraphs:
        if lines:
            lines.append("#")
        lines += _wrap(one_line(paragraph), "# ")
    return lines


def _table(table: InferredTable) -> list[str]:
    note = f"from {table.source.path.name}: {table.rows:,} rows; {table.key}"
    if table.count < table.rows:
        note += (f"; count lowered to {table.count:,}: a drill's world holds at most "
                 f"{MAX_RECORDS_PER_TABLE:,} records a table, {MAX_TOTAL_RECORDS:,} in all")
    lines = [f"    {_scalar(table.source.table)}:", *_wrap(one_line(note), "      # ")]
    lines.append(f"      count: {table.count}")
    if not table.fields:
        lines.append("      fields: {}")
        return lines
    lines.append("      fields:")
    for field in table.fields:
        note = field.note
        if field.header != field.name:
            note = f"column '{field.header}' in the export: {note}"
        lines += _wrap(one_line(note), "        # ")
        lines.append(f"        {_scalar(field.name)}: {_flow(field.spec)}")
    return lines


def _scalar(text: str) -> str:
    """A key or name as YAML writes it: plain when it reads back as the same string."""
    return _flow(text)


def _flow(value: Any) -> str:
    dumped = yaml.safe_dump(value, default_flow_style=True, sort_keys=False,
                            allow_unicode=True, width=1_000_000)
    return dumped.removesuffix("\n...\n").strip()


def _wrap(text: str, prefix: str) -> list[str]:
    lines, line = [], ""
    for word in text.split(" "):
        if line and len(prefix) + len(line) + 1 + len(word) > _WIDTH:
            lines.append(prefix + line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    lines.append(prefix + line)
    return lines
