"""Read a YAML file people wrote into a pydantic model, or say exactly where it is wrong.

Scenario files and runbooks are written by hand and read in CI logs, so every way a
file can be wrong ends as one :class:`FileError` whose ``str()`` is a single line::

    x.yaml:17:9: unknown fault kind 'tripple_trigger' (fault.kind); did you mean 'triple_trigger'?

To get there the file is read in two steps. PyYAML *composes* a node tree first, which
keeps the line and column of every key and value; only then is the tree turned into
plain Python data and handed to pydantic. Pydantic's error locations are walked back
through the node tree to a position, and its messages are rewritten into the words a
person fixing the file needs (what is wrong, the key path, how to mend it).

The reader is a little stricter than plain ``yaml.safe_load`` on purpose:

- only ``true``/``false`` are booleans (YAML 1.2), so ``on: crm.contacts`` is the key
  ``on`` and not ``True``; ``yes``/``no``/``on``/``off`` stay text;
- ``1:30`` is text, not the YAML 1.1 base-60 number 5400, and ``012`` is not octal;
- a key written twice in one mapping is an error (PyYAML silently keeps the last);
- files over :data:`MAX_FILE_BYTES`, more than :data:`MAX_ALIASES` aliases, documents
  that expand to more than :data:`MAX_NODES` values (alias bombs) or that nest deeper
  than :data:`MAX_DEPTH` levels are refused before anything is built from them;
- tags such as ``!!python/object`` are refused with a plain message (the safe loader
  never runs code; the message just says to remove the tag).

The module knows nothing of scenarios: :mod:`drills.scenarios.loader` and the runbook loader
both call :func:`load_model` / :func:`check_file` with their own model.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, Generic, Literal, TypeVar, Union, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails
from yaml.error import Mark, MarkedYAMLError, YAMLError
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.reader import ReaderError

from drills.fakes.errors import DrillsError, did_you_mean, one_line

__all__ = [
    "MAX_ALIASES",
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "MAX_NODES",
    "MAX_NUMBER_LENGTH",
    "Checked",
    "CrossCheck",
    "FileError",
    "KeyPath",
    "YamlDocument",
    "check_file",
    "format_path",
    "load_model",
    "read_yaml",
    "validate_file",
]

MAX_FILE_BYTES = 1024 * 1024
"""1 MiB. A scenario or runbook describes a world by counts; it never lists records."""

MAX_ALIASES = 100
"""YAML aliases (``*name``) per file; real files use a handful for shared settings."""

MAX_NODES = 100_000
"""Values a document may hold once every alias is expanded (stops "billion laughs")."""

MAX_DEPTH = 64
"""How deeply mappings and lists may nest; a scenario needs about six levels."""

MAX_NUMBER_LENGTH = 1_000
"""Characters in one number; no limit in a drill file needs more than 20 digits.

Python refuses to turn more than 4,300 digits into an ``int`` (a guard against slow
conversions); the reader refuses far earlier, with the line of the number.
"""

KeyPath = tuple[str | int, ...]
"""A key path into a file, e.g. ``('fault', 'kind')`` or ``('automation', 'does', 0)``."""

M = TypeVar("M", bound=BaseModel)

CrossCheck = Callable[[M], Iterable[tuple[KeyPath, str]]]
"""Checks that span several parts of a file: (key path to blame, message with a fix)."""


def format_path(path: Sequence[str | int]) -> str:
    """``('automation', 'does', 0)`` -> ``'automation.does.0'``."""
    return ".".join(str(p) for p in path)


class FileError(DrillsError):
    """A file that cannot be read or does not say what it must, with where and how to fix.

    ``str()`` is one line: ``file:line:column: message (key.path); fix``. Problems with the
    file as a whole (missing, a directory, binary) point at line 1, column 1, like ruff.
    ``more`` counts further errors in the same file that ``drills validate`` would list.
    """

    def __init__(
        self,
        file: str,
        line: int,
        column: int,
        message: str,
        *,
        path: KeyPath = (),
        fix: str = "",
        more: int = 0,
    ) -> None:
        self.file = file
        self.line = line
        self.column = column
        self.message = message
        self.path = path
        self.fix = fix
        self.more = more
        super().__init__(str(self))

    def __str__(self) -> str:
        text = f"{self.file}:{self.line}:{self.column}: {self.message}"
        if self.path:
            text += f" ({format_path(self.path)})"
        if self.fix:
            text += f"; {self.fix}"
        if self.more:
            s = "s" if self.more > 1 else ""
            text += f" (and {self.more} more error{s}; run 'drills validate {self.file}')"
        return one_line(text)

    def __repr__(self) -> str:
        return f"FileError({str(self)!r})"

    @property
    def sort_key(self) -> tuple[str, int, int]:
        return (self.file, self.line, self.column)


# -- reading ---------------------------------------------------------------------------

_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_INT = re.compile(
    r"^(?:[-+]?0b_*[01][01_]*|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x_*[0-9a-fA-F][0-9a-fA-F_]*)$"
)
_FLOAT = re.compile(
    r"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?"
    r"|\.[0-9][0-9_]*(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)
_MERGE = "tag:yaml.org,2002:merge"
_NUMBER_TAGS = {"tag:yaml.org,2002:int", "tag:yaml.org,2002:float"}
_SURROGATE = re.compile("[\ud800-\udfff]")
_YAML11_ONLY = {"tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"}


class _Refused(Exception):
    """Raised inside the loader; becomes a FileError once the file name is known."""

    def __init__(self, mark: Mark | None, message: str) -> None:
        super().__init__(message)
        self.mark = mark
        self.message = message


class _Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 booleans and numbers and limits on aliases and nesting."""

    # PyYAML reads this per class; a copy without the YAML 1.1 bool/int/float rules.
    yaml_implicit_resolvers: dict[Any, Any] = {  # noqa: RUF012
        first: [(tag, rx) for tag, rx in resolvers if tag not in _YAML11_ONLY]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.aliases = 0
        self.depth = 0

    def _here(self) -> Mark:
        return self.peek_event().start_mark  # type: ignore[no-untyped-call,no-any-return]

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        if self.check_event(AliasEvent):
            self.aliases += 1
            if self.aliases > MAX_ALIASES:
                raise _Refused(
                    self._here(),
                    f"more than {MAX_ALIASES} YAML aliases ('*name'); write the values out",
                )
            return super().compose_node(parent, index)
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise _Refused(
                    self._here(),
                    f"nested more than {MAX_DEPTH} levels deep; flatten the file",
                )
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def construct_scalar(self, node: ScalarNode | MappingNode) -> Any:
        """Every scalar passes here: refuse what Python or pydantic cannot take in."""
        value = super().construct_scalar(node)
        if not isinstance(value, str):  # pragma: no cover - PyYAML gives text
            return value
        if node.tag in _NUMBER_TAGS and len(value) > MAX_NUMBER_LENGTH:
            raise _Refused(
                node.start_mark,
                f"a number {len(value):,} characters long, over the limit of "
                f"{MAX_NUMBER_LENGTH:,}; write a smaller number",
            )
        if _SURROGATE.search(value):
            raise _Refused(
                node.start_mark,
                "the text holds an escaped surrogate ('\\ud800' to '\\udfff'), half of a "
                "UTF-16 pair that is no character; write the character itself",
            )
        return value

    def construct_yaml_int(self, node: ScalarNode) -> Any:
        """``!!int 0x`` (a tag on text that is no number) is an error at its line."""
        try:
            return super().construct_yaml_int(node)
        except ValueError:
            raise _Refused(node.start_mark, f"{_show(node.value)} is not a whole number; "
                           "write digits, like 120") from None

    def construct_yaml_float(self, node: ScalarNode) -> Any:
        """``!!float abc`` is an error at its line."""
        try:
            return super().construct_yaml_float(node)
        except ValueError:
            raise _Refused(node.start_mark, f"{_show(node.value)} is not a number; "
                           "write digits, like 2.5") from None

    def construct_yaml_timestamp(self, node: ScalarNode) -> Any:
        """An unquoted date that is no date (``2026-02-30``) is an error at its line."""
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError) as err:
            reason = f" ({err})" if len(str(err)) <= 40 else ""
            raise _Refused(
                node.start_mark,
                f"{node.value!r} is not a real date and time{reason}; write it like "
                "'2026-03-02T09:10:00'",
            ) from None


_Loader.add_constructor("tag:yaml.org,2002:int", _Loader.construct_yaml_int)
_Loader.add_constructor("tag:yaml.org,2002:float", _Loader.construct_yaml_float)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)
_Loader.add_implicit_resolver("tag:yaml.org,2002:bool", _BOOL, list("tTfF"))
_Loader.add_implicit_resolver("tag:yaml.org,2002:int", _INT, list("-+0123456789"))
_Loader.add_implicit_resolver("tag:yaml.org,2002:float", _FLOAT, list("-+0123456789."))


@dataclass(frozen=True)
class YamlDocument:
    """A parsed file: its plain data and the node tree that knows where each value is."""

    file: str
    data: dict[str, Any]
    root: MappingNode
    duplicates: tuple[FileError, ...] = ()

    def error(self, loc: Sequence[str | int], message: str, fix: str = "") -> FileError:
        """A FileError at the value ``loc`` points to (or as near to it as the file goes)."""
        spot = _locate(self.root, loc)
        line, column = spot.position()
        return FileError(self.file, line, column, message, path=spot.path, fix=fix)


def read_yaml(path: Path, *, what: str = "scenario") -> YamlDocument:
    """Read one YAML file whose top level is a mapping; raise :class:`FileError` if it is not.

    ``what`` names the kind of file in messages ("write a scenario in it").
    """
    name = str(path)
    text = _read_text(path, name, what)
    if not text.strip() or all(
        not line.strip() or line.lstrip().startswith("#") for line in text.splitlines()
    ):
        raise FileError(name, 1, 1, "the file is empty", fix=f"write a {what} in it")
    try:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            if node is None:
                raise FileError(name, 1, 1, "the file holds no YAML document",
                                fix=f"write a {what} in it")
            _check_size(node)
            data = loader.construct_document(node)
        finally:
            loader.dispose()
    except _Refused as err:
        line, column = _mark_position(err.mark)
        raise FileError(name, line, column, err.message) from None
    except ReaderError as err:
        line, column = _offset_position(text, err.position)
        raise FileError(
            name, line, column,
            f"the file holds the control character U+{_code_point(err.character):04X}",
            fix="remove it, a YAML file is plain text",
        ) from None
    except MarkedYAMLError as err:
        raise _syntax_error(name, err) from None
    except YAMLError as err:  # pragma: no cover - every PyYAML error is marked
        raise FileError(name, 1, 1, f"invalid YAML: {err}") from None
    except RecursionError:
        # MAX_DEPTH bounds what is written; aliases inside aliases can still go deeper
        raise FileError(name, 1, 1, "aliases nest too deeply", fix="write the values out") from None
    if not isinstance(node, MappingNode) or not isinstance(data, dict):
        line, column = _mark_position(node.start_mark)
        raise FileError(
            name, line, column, f"the top level is {_kind_of(data)}",
            fix=f"a {what} is a mapping of 'key: value' lines",
        )
    return YamlDocument(name, data, node, tuple(_duplicates(name, node)))


def _read_text(path: Path, name: str, what: str) -> str:
    try:
        if path.is_dir():
            raise FileError(name, 1, 1, "is a directory, not a file",
                            fix=f"name a {what} file inside it, e.g. {path / '*.yaml'}")
        with path.open("rb") as fh:
            raw = fh.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise FileError(name, 1, 1, "no such file", fix="check the path") from None
    except PermissionError:
        raise FileError(name, 1, 1, "permission denied",
                        fix="make the file readable for this user") from None
    except IsADirectoryError:  # pragma: no cover - caught by is_dir above
        raise FileError(name, 1, 1, "is a directory, not a file") from None
    except OSError as err:
        raise FileError(name, 1, 1, f"cannot read the file ({err.strerror or err})",
                        fix="check the path and the disk") from None
    if len(raw) > MAX_FILE_BYTES:
        raise FileError(
            name, 1, 1,
            f"the file is over the limit of {MAX_FILE_BYTES // 1024 // 1024} MiB",
            fix=f"trim it, a {what} names things and counts, it never lists records",
        )
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileError(name, 1, 1, "the file is UTF-16 text", fix="save it as UTF-8")
    if b"\x00" in raw:
        raise FileError(name, 1, 1, "the file is binary (it holds NUL bytes)",
                        fix=f"name a YAML {what} file")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line, column = _byte_position(raw, err.start)
        raise FileError(
            name, line, column,
            f"the file is not UTF-8 text (byte 0x{raw[err.start]:02x})",
            fix="save it as UTF-8",
        ) from None


def _code_point(character: object) -> int:
    """PyYAML reports the offending character as its code point (or, for bytes, a str)."""
    if isinstance(character, int):
        return character
    return ord(str(character)[:1] or "?")


def _byte_position(raw: bytes, offset: int) -> tuple[int, int]:
    line = raw.count(b"\n", 0, offset) + 1
    column = offset - (raw.rfind(b"\n", 0, offset) + 1) + 1
    return line, column


def _offset_position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


def _mark_position(mark: Mark | None) -> tuple[int, int]:
    if mark is None:
        return 1, 1
    return mark.line + 1, mark.column + 1


def _check_size(root: Node) -> None:
    """Refuse alias bombs and recursive aliases before any data is built."""
    sizes: dict[int, int] = {}
    open_: set[int] = set()

    def size(node: Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in open_:
            raise _Refused(node.start_mark, "a YAML alias refers to itself; write the value out")
        open_.add(key)
        total = 1
        if isinstance(node, SequenceNode):
            total += sum(size(item) for item in node.value)
        elif isinstance(node, MappingNode):
            total += sum(size(k) + size(v) for k, v in node.value)
        open_.discard(key)
        if total > MAX_NODES:
            raise _Refused(
                node.start_mark,
                f"aliases expand this document to more than {MAX_NODES:,} values; "
                "write the values out instead of nesting aliases",
            )
        sizes[key] = total
        return total

    size(root)


_SYNTAX_HINTS = (
    ("cannot start any token", "found character '\\t'",
     "tabs cannot indent YAML", "indent with spaces"),
    ("mapping values are not allowed", "",
     "a ':' where YAML does not expect one",
     "quote the value if it holds ': ', or fix the indentation"),
    ("could not find expected ':'", "",
     "a key without a ':'", "write 'key: value', or fix the indentation of the line above"),
    ("found unexpected end of stream", "quoted scalar",
     "a quote that is never closed", "close the quote"),
    ("did not find expected key", "",
     "a line that does not line up with the keys around it", "fix its indentation"),
    ("did not find expected '-' indicator", "",
     "a line that does not line up with the list around it", "fix its indentation"),
    ("expected a single document", "",
     "more than one YAML document ('---')", "keep one document per file"),
)


def _syntax_error(name: str, err: MarkedYAMLError) -> FileError:
    mark = err.problem_mark or err.context_mark
    line, column = _mark_position(mark)
    problem = (err.problem or "").strip()
    context = (err.context or "").strip()
    both = f"{context} {problem}"
    if "could not determine a constructor for the tag" in both:
        quoted = re.findall(r"'([^']*)'", problem)
        tag = (quoted[-1] if quoted else "?").replace("tag:yaml.org,2002:", "!!")
        return FileError(name, line, column, f"the YAML tag '{tag}' is not allowed",
                         fix="remove it, these files hold plain values only")
    if "found duplicate anchor" in both:
        return FileError(name, line, column, "a YAML anchor ('&name') is defined twice",
                         fix="give each anchor its own name")
    if "found undefined alias" in both:
        quoted = re.findall(r"'([^']*)'", both)
        alias = quoted[-1] if quoted else "?"
        return FileError(name, line, column, f"the alias '*{alias}' names no anchor",
                         fix="define '&name' before using '*name'")
    if "found unhashable key" in both:
        return FileError(name, line, column, "a key that is a list or a mapping",
                         fix="keys are plain words like 'name'")
    for needle, also, message, fix in _SYNTAX_HINTS:
        if needle in both and (not also or also in both):
            if needle == "found unexpected end of stream" and err.context_mark is not None:
                # point at the opening quote, not at the end of the file
                line, column = _mark_position(err.context_mark)
            return FileError(name, line, column, f"invalid YAML: {message}", fix=fix)
    detail = problem + (f" {context}" if context else "")
    return FileError(name, line, column, f"invalid YAML: {detail}",
                     fix="check the indentation, colons and quotes here and on the line above")


def _duplicates(name: str, root: Node) -> Iterator[FileError]:
    """Keys written twice in one mapping (PyYAML keeps the last one without a word)."""
    seen: set[int] = set()
    stack: list[tuple[Node, KeyPath]] = [(root, ())]
    while stack:
        node, path = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, MappingNode):
            first: dict[str, Node] = {}
            span = (node.start_mark.index, node.end_mark.index)
            for key, value in node.value:
                # A '<<: *anchor' merge copies the anchor's keys in (PyYAML rewrites the
                # node); those sit elsewhere in the file and an own key may override them.
                own = span[0] <= key.start_mark.index <= span[1]
                if isinstance(key, ScalarNode) and own:
                    if key.value in first and key.tag != _MERGE:
                        line, column = _mark_position(key.start_mark)
                        earlier = first[key.value].start_mark.line + 1
                        yield FileError(
                            name, line, column, f"duplicate key '{key.value}'", path=path,
                            fix=f"it is also set on line {earlier}, keep one",
                        )
                    first.setdefault(key.value, key)
                    stack.append((value, (*path, key.value)))
        elif isinstance(node, SequenceNode):
            stack.extend((item, (*path, i)) for i, item in enumerate(node.value))


# -- locating a key path ---------------------------------------------------------------


@dataclass(frozen=True)
class _Spot:
    node: Node
    key: Node | None
    path: KeyPath
    rest: KeyPath

    def position(self) -> tuple[int, int]:
        """A scalar's own position; for a mapping or list, the key that holds it."""
        if isinstance(self.node, ScalarNode) or self.key is None:
            return _mark_position(self.node.start_mark)
        return _mark_position(self.key.start_mark)


def _lookup(node: MappingNode, name: str) -> tuple[Node, Node] | None:
    """The last ``name: value`` pair (the one PyYAML keeps), looking into ``<<`` merges."""
    for key, value in reversed(node.value):
        if isinstance(key, ScalarNode) and key.value == name and key.tag != _MERGE:
            return key, value
    for key, value in node.value:
        if isinstance(key, ScalarNode) and key.tag == _MERGE:
            merged = value.value if isinstance(value, SequenceNode) else [value]
            for source in merged:
                if isinstance(source, MappingNode):
                    found = _lookup(source, name)
                    if found is not None:
                        return found
    return None


def _is_tag(node: MappingNode, segment: str) -> bool:
    """A segment pydantic adds for a tagged union: the value of the discriminating key."""
    return any(
        isinstance(k, ScalarNode) and isinstance(v, ScalarNode) and v.value == segment
        for k, v in node.value
    )


def _locate(root: Node, loc: Sequence[str | int]) -> _Spot:
    """Walk ``loc`` down the node tree as far as the file goes."""
    node, key = root, None
    path: list[str | int] = []
    for i, segment in enumerate(loc):
        if isinstance(node, MappingNode) and isinstance(segment, str | int):
            found = _lookup(node, str(segment))
            if found is None:
                if isinstance(segment, str) and _is_tag(node, segment):
                    continue
                return _Spot(node, key, tuple(path), tuple(loc[i:]))
            key, node = found
        elif (
            isinstance(node, SequenceNode)
            and isinstance(segment, int)
            and 0 <= segment < len(node.value)
        ):
            key, node = None, node.value[segment]
        else:
            return _Spot(node, key, tuple(path), tuple(loc[i:]))
        path.append(segment)
    return _Spot(node, key, tuple(path), ())


# -- turning pydantic errors into lines ------------------------------------------------


def _kind_of(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"{str(value).lower()} (true/false)"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, int | float):
        return f"the number {_number(value)}"
    return "text"


def _node_kind(node: Node) -> str:
    return "a mapping" if isinstance(node, MappingNode) else "a list"


def _show(value: Any) -> str:
    """A short spelling of a value as the file wrote it."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, str):
        text = value if len(value) <= 40 else value[:37] + "..."
        return repr(text)
    return _number(value)


_LONG_NUMBER = 10**24


def _number(value: Any) -> str:
    """A number for a message: 12,000 with commas; one too long to read by its length."""
    if isinstance(value, int) and not isinstance(value, bool):
        if abs(value) >= _LONG_NUMBER:
            return f"a {len(str(abs(value)))}-digit number"
        if abs(value) >= 10_000:
            return f"{value:,}"
    return str(value)


def _split_fix(message: str) -> tuple[str, str]:
    """Our validators write 'what is wrong; how to fix': split at the first '; ' outside quotes."""
    quotes = 0
    for i, ch in enumerate(message):
        if ch == "'":
            quotes += 1
        elif message.startswith("; ", i) and quotes % 2 == 0:
            return message[:i], message[i + 2:]
    return message, ""


def _choices(text: str) -> list[str]:
    """"'a', 'b' or 'c'" (pydantic's ctx text) -> ['a', 'b', 'c']."""
    return re.findall(r"'([^']*)'", text)


def _unwrap(tp: Any) -> list[Any]:
    """The concrete types inside Annotated, Optional and unions."""
    origin = get_origin(tp)
    if origin is Annotated:
        return _unwrap(get_args(tp)[0])
    if origin is Union or origin is UnionType:
        return [t for arg in get_args(tp) for t in _unwrap(arg)]
    return [tp]


def _tag_of(model: type[BaseModel], segment: str) -> bool:
    """Whether ``segment`` is the Literal tag that selects ``model`` in a tagged union."""
    return any(
        get_origin(f.annotation) is Literal and segment in get_args(f.annotation)
        for f in model.model_fields.values()
    )


def _step(tp: Any, segment: str | int) -> Any:
    candidates = _unwrap(tp)
    models = [c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)]
    if isinstance(segment, str) and len(models) > 1:
        for m in models:
            if _tag_of(m, segment):
                return m
    for c in candidates:
        if isinstance(c, type) and issubclass(c, BaseModel) and isinstance(segment, str):
            for name, f in c.model_fields.items():
                if segment in (name, f.alias):
                    return f.annotation
        origin = get_origin(c)
        args = get_args(c)
        if isinstance(segment, int) and origin in (list, tuple, set, frozenset) and args:
            return args[min(segment, len(args) - 1)] if origin is tuple else args[0]
        if isinstance(segment, str) and origin in (dict, Mapping) and len(args) == 2:
            return args[1]
    return None


def _keys_at(model: type[BaseModel], loc: Sequence[str | int]) -> list[str]:
    """The keys the model accepts at ``loc``, as the file spells them (aliases)."""
    tp: Any = model
    for segment in loc:
        step = _step(tp, segment)
        if step is None:
            # a tag segment of a union that the type walk does not need
            continue
        tp = step
    for c in _unwrap(tp):
        if isinstance(c, type) and issubclass(c, BaseModel):
            return [f.alias or name for name, f in c.model_fields.items()]
    return []


_WHAT_TYPE = {
    "int_type": "expected a whole number",
    "int_parsing": "expected a whole number",
    "int_from_float": "expected a whole number",
    "float_type": "expected a number",
    "float_parsing": "expected a number",
    "bool_type": "expected true or false",
    "bool_parsing": "expected true or false",
    "string_type": "expected text",
    "datetime_type": "expected a date and time",
    "datetime_parsing": "expected a date and time",
    "datetime_from_date_parsing": "expected a date and time",
    "date_type": "expected a date",
    "date_parsing": "expected a date",
    "list_type": "expected a list",
    "tuple_type": "expected a list",
    "set_type": "expected a list",
    "dict_type": "expected a mapping of 'key: value' pairs",
    "model_type": "expected a mapping of 'key: value' pairs",
    "model_attributes_type": "expected a mapping of 'key: value' pairs",
}

_TYPE_FIX = {
    "expected a whole number": "write it as digits, like 120",
    "expected a number": "write digits, like 2.5",
    "expected a date and time": "write it like '2026-03-02T09:10:00'",
    "expected a date": "write it like '2026-03-02'",
    "expected true or false": "write true or false",
    "expected text": "put it in quotes if it is meant as text",
    "expected a list": "write '[a, b]' or one '- item' per line",
    "expected a mapping of 'key: value' pairs": "indent 'key: value' lines under it",
}


def _noun(loc: Sequence[str | int]) -> str:
    """What a tagged union at ``loc`` is called: ('fault',) -> 'fault', ('steps', 1) -> 'step'."""
    words = [p for p in loc if isinstance(p, str)]
    if not words:
        return "item"
    word = words[-1]
    if isinstance(loc[-1], int) and word.endswith("s") and len(word) > 3:
        word = word[:-1]
    return word


def _human(err: ErrorDetails, model: type[BaseModel], doc: YamlDocument) -> FileError:
    """One pydantic error -> one FileError with a position, a key path and a fix."""
    kind = err["type"]
    loc = err["loc"]
    ctx: dict[str, Any] = dict(err.get("ctx") or {})
    value = err.get("input")

    if kind == "missing" and loc:
        parent = _locate(doc.root, loc[:-1])
        line, column = parent.position()
        what = f"item {loc[-1] + 1}" if isinstance(loc[-1], int) else f"key '{loc[-1]}'"
        return FileError(doc.file, line, column, f"missing {what}", path=parent.path,
                         fix="add it")
    if kind == "extra_forbidden" and loc:
        spot = _locate(doc.root, loc)
        line, column = _mark_position((spot.key or spot.node).start_mark)
        name = str(loc[-1])
        keys = _keys_at(model, loc[:-1])
        hint = did_you_mean(name, keys).removeprefix("; ") if keys else "remove it"
        return FileError(doc.file, line, column, f"unknown key '{name}'",
                         path=spot.path[:-1], fix=hint)
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        disc = ctx.get("discriminator", "").strip("'\"")
        noun = _noun(loc)
        spot = _locate(doc.root, (*loc, disc))
        if kind == "union_tag_not_found" or spot.rest:
            parent = _locate(doc.root, loc)
            line, column = parent.position()
            return FileError(doc.file, line, column, f"missing key '{disc}'", path=parent.path,
                             fix="add it")
        line, column = spot.position()
        tags = _choices(ctx.get("expected_tags", ""))
        if not isinstance(spot.node, ScalarNode):
            return FileError(
                doc.file, line, column,
                f"expected one word for the {noun} {disc}, got {_node_kind(spot.node)}",
                path=spot.path, fix=f"choose one of: {', '.join(sorted(tags))}",
            )
        tag = str(spot.node.value)
        return FileError(
            doc.file, line, column, f"unknown {noun} {disc} {_show(tag)}",
            path=spot.path, fix=did_you_mean(tag, tags).removeprefix("; "),
        )

    spot = _locate(doc.root, loc)
    line, column = spot.position()
    path = spot.path

    if kind == "literal_error":
        options = _choices(ctx.get("expected", ""))
        return FileError(doc.file, line, column, f"unknown value {_show(value)}", path=path,
                         fix=did_you_mean(str(value), options).removeprefix("; "))
    if kind in _WHAT_TYPE:
        what = _WHAT_TYPE[kind]
        return FileError(doc.file, line, column, f"{what}, got {_show(value)}", path=path,
                         fix=_TYPE_FIX.get(what, ""))
    if kind in ("value_error", "assertion_error"):
        message = err["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
        what, fix = _split_fix(message)
        return FileError(doc.file, line, column, what, path=path, fix=fix)
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        bound = next(iter(ctx.values()))
        words = {
            "greater_than_equal": ("must be {} or more", "raise it"),
            "greater_than": ("must be more than {}", "raise it"),
            "less_than_equal": ("must be at most {}", "lower it"),
            "less_than": ("must be less than {}", "lower it"),
        }[kind]
        return FileError(doc.file, line, column,
                         f"{words[0].format(_number(bound))}, got {_number(value)}",
                         path=path, fix=words[1])
    if kind == "string_too_short":
        least = ctx.get("min_length", 1)
        if least == 1:
            return FileError(doc.file, line, column, "must not be empty", path=path,
                             fix="write some text")
        return FileError(doc.file, line, column, f"needs at least {least} characters",
                         path=path, fix="write more")
    if kind == "too_short":
        least = ctx.get("min_length", 1)
        s = "" if least == 1 else "s"
        return FileError(doc.file, line, column,
                         f"needs at least {least} item{s}, got {ctx.get('actual_length', 0)}",
                         path=path, fix="add one")
    if kind == "string_too_long":
        return FileError(doc.file, line, column,
                         f"is longer than {_number(ctx.get('max_length'))} characters, the "
                         "limit", path=path, fix="shorten it")
    if kind == "too_long":
        return FileError(doc.file, line, column,
                         f"has more than {_number(ctx.get('max_length'))} items, the limit",
                         path=path, fix="remove some")
    return FileError(doc.file, line, column, f"{err['msg'][:1].lower()}{err['msg'][1:]}",
                     path=path)


def _humanise_all(
    exc: ValidationError, model: type[BaseModel], doc: YamlDocument
) -> list[FileError]:
    errors = [_human(e, model, doc) for e in exc.errors(include_url=False)]
    # A misspelt key is reported as an unknown key that suggests the right one; drop the
    # "missing key" for the same spot so one mistake gives one line.
    suggested = {
        (e.path, e.fix.removeprefix("did you mean '").removesuffix("'?"))
        for e in errors
        if e.message.startswith("unknown key ") and e.fix.startswith("did you mean")
    }
    kept: list[FileError] = []
    seen: set[tuple[int, int, KeyPath]] = set()
    for e in errors:
        if e.message.startswith("missing key '"):
            name = e.message.removeprefix("missing key '").removesuffix("'")
            if (e.path, name) in suggested:
                continue
        spot = (e.line, e.column, e.path)
        if spot in seen:  # one value failing every member of a union
            continue
        seen.add(spot)
        kept.append(e)
    return kept


# -- the public entry points -----------------------------------------------------------


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
) -> Checked[M]:
    """Read and validate ``path``; return the model (if valid) and all errors, never raise.

    Errors come sorted by line. ``cross_check`` runs only on a model that validated, and
    its (key path, message) pairs are pointed at the lines of those keys.
    """
    try:
        doc = read_yaml(path, what=what)
    except FileError as err:
        return Checked(None, [err])
    errors = list(doc.duplicates)
    try:
        result = model.model_validate(doc.data)
    except ValidationError as exc:
        errors.extend(_humanise_all(exc, model, doc))
        return Checked(None, sorted(errors, key=lambda e: e.sort_key))
    except RecursionError:  # pragma: no cover - _check_size refuses cycles first
        return Checked(None, [FileError(doc.file, 1, 1, "the file refers to itself")])
    if cross_check is not None:
        for loc, message in cross_check(result):
            what_, fix = _split_fix(message)
            errors.append(doc.error(loc, what_, fix))
    errors.sort(key=lambda e: e.sort_key)
    return Checked(None if errors else result, errors)


def validate_file(
    path: Path,
    model: type[M],
    *,
    what: str = "scenario",
    cross_check: CrossCheck[M] | None = None,
) -> list[FileError]:
    """Every error in the file, in line order; an empty list means the file is valid."""
    return check_file(path, model, what=what, cross_check=cross_check).errors


def load_model(
    path: Path,
    model: type[M],
    *,
    what: str = "scenario",
    cross_check: CrossCheck[M] | None = None,
) -> M:
    """The validated model; raise the file's first :class:`FileError` (counting the rest)."""
    checked = check_file(path, model, what=what, cross_check=cross_check)
    if checked.model is None or checked.errors:
        first = checked.errors[0]
        raise FileError(first.file, first.line, first.column, first.message,
                        path=first.path, fix=first.fix, more=len(checked.errors) - 1)
    return checked.model
