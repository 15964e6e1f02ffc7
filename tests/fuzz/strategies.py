"""Hypothesis strategies for scenario and runbook files as people (and typos) write them.

Every strategy ends in *bytes on disk*, because the loaders' contract is about files:
whatever a file holds, loading it gives a model or one :class:`DrillsError` line. The
documents start from the shipped ones (the built-in library, the example runbooks), so
most of them are structurally right and the damage is in one place: a value of the
wrong type, a number past every limit, odd unicode, an unknown key, a section nested a
thousand levels deep, YAML anchors, or the file cut off at a random byte. Some are
plain random text or bytes, to reach the YAML reader's own error paths.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from hypothesis import strategies as st

from drills.files import read_yaml

__all__ = [
    "RUNBOOK_SEEDS",
    "SCENARIO_SEEDS",
    "Doc",
    "documents",
    "file_bytes",
    "nasty_values",
    "seed_data",
]

REPO = Path(__file__).resolve().parents[2]
SCENARIO_SEEDS: tuple[Path, ...] = (
    *sorted((REPO / "scenarios" / "library").glob("*.yaml")),
    *sorted((REPO / "tests" / "data" / "scenarios" / "good").glob("*.yaml")),
)
RUNBOOK_SEEDS: tuple[Path, ...] = (
    *sorted((REPO / "examples").glob("*.runbook.yaml")),
    REPO / "tests" / "data" / "runbooks" / "minimal.runbook.yaml",
)

_DATA_CACHE: dict[Path, dict[str, Any]] = {}


def seed_data(path: Path) -> dict[str, Any]:
    """A shipped file read by the project's own reader (a fresh copy each time)."""
    if path not in _DATA_CACHE:
        _DATA_CACHE[path] = read_yaml(path).data
    return copy.deepcopy(_DATA_CACHE[path])


def _leaves(node: Any) -> list[Any]:
    if isinstance(node, dict):
        return [v for value in node.values() for v in _leaves(value)]
    if isinstance(node, list):
        return [v for value in node for v in _leaves(value)]
    return [node]


_SHIPPED_VALUES: list[Any] = sorted(
    {repr(v): v for p in (*SCENARIO_SEEDS, *RUNBOOK_SEEDS) for v in _leaves(seed_data(p))}
    .values(),
    key=repr,
)
"""Every scalar the shipped files hold: right in one place, wrong in another."""

ODD_TEXT = (
    "",
    " ",
    "\u202eevil\u202c",  # right-to-left override
    "a\u200bb",  # zero-width space
    "\ufeffbom",
    "\x00nul",
    "\x1b[2Jesc",  # a terminal escape sequence
    "line\nbreak",
    "tab\there",
    "\u2028sep",
    "\udcff",  # a lone surrogate (what surrogateescape makes of a bad byte)
    "\ud800",
    "🔥💥",
    "e\u0301\u0301\u0301",  # combining marks
    "١٢٣",  # Arabic-Indic digits
    "\uff11\uff12\uff10",  # full-width digits
    "\uff2e\uff21\uff2e",  # full-width NAN
    "x" * 5_000,
)
"""Text that breaks naive code: control characters, bidi, surrogates, emoji, long."""

NUMBERS = (
    0, -1, 1, 2**31, 2**63, 2**64, 10**100, -(10**100), 10**4299,
    1e308, -1e308, 5e-324, math.inf, -math.inf, math.nan, 0.5, -0.0,
)
"""Numbers at and past every edge: negatives, 64-bit overflow, 1e308, inf, nan."""

LOOKALIKES = (
    "0s", "-5m", "99999999999999999999d", "1d1d1d", "5 m", "1h30", "2h ",
    "0/min", "1e308/s", "-1/h", "4 / min", "4/fortnight", "1000001/min", "999999999/s",
    "0%", "100%", "101%", "1e400%", "nan%", "-5%", "25 %",
    "9999-12-31T23:59:59", "0001-01-01T00:00:00", "2026-02-30T09:00:00",
    "2026-03-02T09:10:00+05:00", "2026-03-02", "yesterday",
    "crm.contacts", "crm.contacts.email", "billing.invoices.due_date", "nope.nothing",
    "warehouse.invoices", "ops.reminders:pause", "import os", "true", "null", "~",
    "10 duplicate emails", "0 duplicate emails",
)
"""Strings shaped like the durations, rates, times and references the files hold."""


RAW_VALUES = (
    b"9" * 5_000, b"-" + b"9" * 5_000, b"0x" + b"f" * 5_000, b"0b" + b"1" * 20_000,
    b"1" * 400 + b".5e99999", b"1_000_000_000_000_000_000_000", b".inf", b"-.nan", b"+.INF",
    b"2026-02-30", b"2026-03-02 09:10:00 +14:00", b"2026-03-02T09:10:00+99:00",
    b"9999-12-31T23:59:59", b"0001-01-01", b"2026-03-02T09:10:00Z", b"2026-03-02",
    b"!!binary aGVsbG8=", b"!!binary !!!", b"!!set {a, b}", b"!!omap [a: 1]", b"!!float nan",
    b"!!int 0x", b"!!int 12", b"!!str", b"!!timestamp 2026-13-01", b"!!python/name:os.system",
    b"!<tag:yaml.org,2002:int> 7", b"!custom 1", b"&x 1", b"*x", b"|", b">-\n  folded", b"~",
    b"[", b"0o777", b"012", b"1:30", b"1_0", b".NaN", b"0x_", b"yes", b"off", b"\"\\x00\"",
    b"\"\\udcff\"", b"\"\\U0010ffff\"", b"'it''s'", b"? complex", b"{a: 1, a: 2}",
)
"""Values written straight into a line: YAML spellings that a dumper would never make."""


def _deep(depth: int, mapping: bool) -> str:
    """A marker :func:`dump` swaps for ``depth`` nested flow lists or mappings.

    PyYAML writes (and Python builds) nested data recursively, so a thousand levels are
    spliced in as text rather than built as data.
    """
    return f"zzdeep-{depth}-{'map' if mapping else 'list'}-zz"


_DEEP = re.compile(r"zzdeep-(\d+)-(map|list)-zz")


def _nest(match: re.Match[str]) -> str:
    depth = int(match.group(1))
    if match.group(2) == "map":
        return "{k: " * depth + "1" + "}" * depth
    return "[" * depth + "1" + "]" * depth


scalars: st.SearchStrategy[Any] = st.one_of(
    st.sampled_from(NUMBERS),
    st.sampled_from(ODD_TEXT),
    st.sampled_from(LOOKALIKES),
    st.sampled_from(_SHIPPED_VALUES),
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(st.characters(codec=None), max_size=30),
)


def nasty_values() -> st.SearchStrategy[Any]:
    """A value of any shape to put where a file expects something else."""
    return st.one_of(
        scalars,
        st.lists(scalars, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(ODD_TEXT), st.text(max_size=8)), scalars,
                        max_size=3),
        st.builds(_deep, st.sampled_from([63, 70, 200, 1_000]), st.booleans()),
    )


# -- mutating a document ---------------------------------------------------------------

Path_ = tuple[str | int, ...]


def _paths(node: Any, here: Path_ = ()) -> list[Path_]:
    """Every key path in a document, containers included (the root excepted)."""
    out: list[Path_] = []
    items: list[tuple[str | int, Any]] = (
        list(node.items()) if isinstance(node, dict)
        else list(enumerate(node)) if isinstance(node, list) else []
    )
    for key, value in items:
        path = (*here, key)
        out.append(path)
        out.extend(_paths(value, path))
    return out


def _at(doc: Any, path: Path_) -> Any:
    for key in path:
        doc = doc[key]
    return doc


def _parent(doc: Any, path: Path_) -> Any:
    return _at(doc, path[:-1])


@dataclass(frozen=True)
class Doc:
    """One fuzzed file: where it came from, what was done to it, and its bytes."""

    seed: str
    how: str
    data: bytes

    def write(self, folder: Path, name: str) -> Path:
        path = folder / name
        path.write_bytes(self.data)
        return path


@st.composite
def mutated(draw: st.DrawFn, data: dict[str, Any], steps: int = 3) -> tuple[Any, str]:
    """``data`` with one to ``steps`` changes: values replaced, keys dropped or added."""
    doc: Any = data
    hows: list[str] = []
    for _ in range(draw(st.integers(1, steps))):
        paths = _paths(doc)
        op = draw(st.sampled_from(["replace", "replace", "replace", "drop", "add", "root"]))
        if op == "root" or not paths:
            if draw(st.booleans()):
                doc = draw(nasty_values())
                hows.append("root replaced")
                break
            op = "add"
        if op == "add":
            holders = [p for p in [(), *paths] if isinstance(_at(doc, p), dict)]
            if not holders:
                continue
            target = draw(st.sampled_from(holders))
            node = _at(doc, target)
            if isinstance(node, dict):
                key = draw(st.one_of(st.sampled_from(ODD_TEXT), st.text(max_size=12),
                                     st.sampled_from(["kind", "name", "every", "<<", "rate"])))
                node[key] = draw(nasty_values())
                hows.append(f"added {key!r} at {target}")
            continue
        path = draw(st.sampled_from(paths))
        parent = _parent(doc, path)
        if op == "drop":
            del parent[path[-1]]
            hows.append(f"dropped {path}")
        else:
            parent[path[-1]] = draw(nasty_values())
            hows.append(f"replaced {path}")
    return doc, "; ".join(hows)


def dump(data: Any) -> str:
    """YAML text for a document; values PyYAML cannot write come out as its own escapes."""
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1_000_000)
    return _DEEP.sub(_nest, text)


def encode(text: str) -> bytes:
    """UTF-8, keeping lone surrogates as the (invalid) bytes a broken editor would write."""
    return text.encode("utf-8", errors="surrogatepass")


@st.composite
def text_damage(draw: st.DrawFn, raw: bytes) -> tuple[bytes, str]:
    """Damage at the byte level: cut, spliced, re-encoded, re-indented."""
    op = draw(st.sampled_from([
        "truncate", "truncate", "insert", "delete", "line", "crlf", "tabs", "bom",
        "utf16", "anchors", "deep", "number",
    ]))
    if op == "truncate":
        at = draw(st.integers(0, max(0, len(raw) - 1)))
        return raw[:at], f"truncated at byte {at}"
    if op == "insert":
        at = draw(st.integers(0, len(raw)))
        junk = draw(st.one_of(
            st.binary(min_size=1, max_size=8),
            st.sampled_from([b":", b"- ", b"\t", b"&a ", b"*a", b"!!python/object:os.system ",
                             b"{", b"]", b"'", b'"', b"\n  ", b"%YAML 1.1\n", b"---\n",
                             b"<<: *x\n", b"? ", b"|", b">", b"9" * 5_000, b"0x" + b"f" * 5_000,
                             b"1" * 400 + b".5e99999"]),
        ))
        return raw[:at] + junk + raw[at:], f"inserted {junk!r} at byte {at}"
    if op == "delete":
        at = draw(st.integers(0, max(0, len(raw) - 1)))
        n = draw(st.integers(1, 40))
        return raw[:at] + raw[at + n:], f"deleted {n} bytes at {at}"
    if op == "line":
        lines = raw.split(b"\n")
        i = draw(st.integers(0, len(lines) - 1))
        lines[i] = encode(draw(st.one_of(st.text(max_size=40), st.sampled_from(ODD_TEXT))))
        return b"\n".join(lines), f"line {i + 1} replaced"
    if op == "number":
        lines = raw.split(b"\n")
        keyed = [i for i, line in enumerate(lines) if b": " in line]
        if keyed:
            i = draw(st.sampled_from(keyed))
            raw_value = draw(st.sampled_from(RAW_VALUES))
            lines[i] = lines[i].split(b": ", 1)[0] + b": " + raw_value
            return b"\n".join(lines), f"line {i + 1} set to {raw_value[:40]!r}"
    if op == "crlf":
        return raw.replace(b"\n", b"\r\n"), "CRLF line ends"
    if op == "tabs":
        return raw.replace(b"  ", b"\t"), "tabs for indentation"
    if op == "bom":
        return b"\xef\xbb\xbf" + raw, "UTF-8 byte order mark"
    if op == "utf16":
        return raw.decode("utf-8", errors="replace").encode("utf-16"), "saved as UTF-16"
    if op == "anchors":
        bomb = draw(st.sampled_from([
            b"x: &a [1, 2]\ny: &b [*a, *a, *a, *a]\nz: [*b, *b, *b, *b]\n",
            b"x: &a {k: 1}\nextra:\n  <<: *a\n  k: 2\n",
            b"x: &a [*a]\n",
            b"x: &a\n  y: *a\n",
            b"x: *undefined\n",
            b"x: &a 1\ny: &a 2\n",
            b"<<: [*a]\n",
        ]))
        return bomb + raw, f"anchors {bomb!r}"
    depth = draw(st.sampled_from([65, 500, 1_000, 5_000]))
    at = raw.find(b"\n")
    nested = b"deep: " + b"[" * depth + b"1" + b"]" * depth + b"\n"
    return raw[: at + 1] + nested + raw[at + 1:], f"{depth} levels of nesting"


def documents(seeds: tuple[Path, ...], *, shrink: Callable[[dict[str, Any]], Any] | None = None
              ) -> st.SearchStrategy[Doc]:
    """Fuzzed files grown from ``seeds``: structural mutations, byte damage or noise."""

    @st.composite
    def build(draw: st.DrawFn) -> Doc:
        seed = draw(st.sampled_from(seeds))
        data: Any = seed_data(seed)
        if shrink is not None:
            data = shrink(data)
        kind = draw(st.sampled_from(["values", "values", "values", "bytes", "both", "noise"]))
        if kind == "noise":
            raw = draw(st.one_of(
                st.binary(max_size=200),
                st.text(max_size=200).map(encode),
                st.text(st.sampled_from("-:[]{}&*!|>'\"#%@`?, \n\tab01"), max_size=120)
                .map(encode),
            ))
            return Doc("noise", "random text", raw)
        how = "unchanged"
        if kind in ("values", "both"):
            data, how = draw(mutated(data))
        raw = encode(dump(data))
        if kind in ("bytes", "both"):
            raw, damage = draw(text_damage(raw))
            how = f"{how}; {damage}" if kind == "both" else damage
        return Doc(seed.name, how, raw)

    return build()


def file_bytes(doc: Doc) -> bytes:
    return doc.data
