"""Read a YAML file people wrote into plain data and a node tree that knows every position.

PyYAML *composes* a node tree first, which keeps the line and column of every key and
value; only then is the tree turned into plain Python data. The reader is a little stricter
than plain ``yaml.safe_load`` on purpose:

- only ``true``/``false`` are booleans (YAML 1.2), so ``on: crm.contacts`` is the key
  ``on`` and not ``True``; ``yes``/``no``/``on``/``off`` stay text;
- ``1:30`` is text, not the YAML 1.1 base-60 number 5400, and ``012`` is not octal;
- a key written twice in one mapping is an error (PyYAML silently keeps the last);
- files over :data:`~drills.files.limits.MAX_FILE_BYTES`, more than
  :data:`~drills.files.limits.MAX_ALIASES` aliases, documents that expand to more than
  :data:`~drills.files.limits.MAX_NODES` values (alias bombs) or that nest deeper than
  :data:`~drills.files.limits.MAX_DEPTH` levels are refused before anything is built;
- tags such as ``!!python/object`` are refused with a plain message (the safe loader
  never runs code; the message just says to remove the tag);
- UTF-16, binary, non-UTF-8 files and control characters are one line each, with the
  position of the offending byte; a named pipe or a device is refused before it is read.

Why PyYAML and not ruamel.yaml (measured for the "house" issue with ruamel.yaml 0.19.1 on
the built-in scenarios, the test runbooks and the kinds of bad file ``tests/scenarios``,
``tests/runbook`` and ``tests/fuzz`` check):

- lines it would remove: the YAML 1.2 rules below (``_BOOL``, ``_INT``, ``_FLOAT``, the
  resolver copy without the YAML 1.1 rules), about 17 of the reader's 932 lines; the rest
  stays;
- messages and limits it would lose, used as it comes: its safe and round-trip loaders
  have no limit on aliases, expansion or depth (a ten-level alias bomb loaded as 3.5 million
  characters of data; 200 nested lists loaded), so our counting composer and size check stay;
  it raises on the first duplicate key, where we list every duplicate with both lines and go
  on validating; the round-trip loader (the one with positions) accepts ``!!python/object``
  and ``!foo`` as tagged values, so the tag refusal stays; an escaped surrogate loads; an
  impossible date is a bare ``ValueError`` without a position; its syntax messages need the
  same rewriting into one line with a fix as PyYAML's;
- what it would add: positions through ``CommentedMap.lc`` in place of the node walk in
  :mod:`drills.files.locate` (about the same code), and the limits hooked into its composer;
- load time of the same 39 files, side by side: this reader 294 ms, ruamel.yaml round-trip
  (positions) 616 ms (2.1 times), ruamel.yaml safe pure 467 ms (1.6 times).

So it removes no code without losing a message or a limit, and it is slower: not adopted.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.error import Mark, MarkedYAMLError, YAMLError
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.reader import ReaderError

from drills.files.fileerror import FileError, KeyPath
from drills.files.limits import MAX_ALIASES, MAX_DEPTH, MAX_FILE_BYTES, MAX_NODES, MAX_NUMBER_LENGTH
from drills.files.locate import MERGE_TAG, locate, mark_position
from drills.files.regular import NotRegularFileError, read_regular
from drills.files.show import kind_of, show

__all__ = ["YamlDocument", "read_yaml"]

_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_INT = re.compile(
    r"^(?:[-+]?0b_*[01][01_]*|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x_*[0-9a-fA-F][0-9a-fA-F_]*)$"
)
_FLOAT = re.compile(
    r"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?"
    r"|\.[0-9][0-9_]*(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)
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
            raise _Refused(node.start_mark, f"{show(node.value)} is not a whole number; "
                           "write digits, like 120") from None

    def construct_yaml_float(self, node: ScalarNode) -> Any:
        """``!!float abc`` is an error at its line."""
        try:
            return super().construct_yaml_float(node)
        except ValueError:
            raise _Refused(node.start_mark, f"{show(node.value)} is not a number; "
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
        spot = locate(self.root, loc)
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
        line, column = mark_position(err.mark)
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
        line, column = mark_position(node.start_mark)
        raise FileError(
            name, line, column, f"the top level is {kind_of(data)}",
            fix=f"a {what} is a mapping of 'key: value' lines",
        )
    return YamlDocument(name, data, node, tuple(_duplicates(name, node)))


def _read_text(path: Path, name: str, what: str) -> str:
    try:
        if path.is_dir():
            raise FileError(name, 1, 1, "is a directory, not a file",
                            fix=f"name a {what} file inside it, e.g. {path / '*.yaml'}")
        raw = read_regular(path, MAX_FILE_BYTES + 1)
    except NotRegularFileError as err:
        raise FileError(name, 1, 1, f"is {err.kind}, not a file",
                        fix=f"name a {what} file (drills reads no pipes or devices)") from None
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
    line, column = mark_position(mark)
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
                line, column = mark_position(err.context_mark)
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
                    if key.value in first and key.tag != MERGE_TAG:
                        line, column = mark_position(key.start_mark)
                        earlier = first[key.value].start_mark.line + 1
                        yield FileError(
                            name, line, column, f"duplicate key '{key.value}'", path=path,
                            fix=f"it is also set on line {earlier}, keep one",
                        )
                    first.setdefault(key.value, key)
                    stack.append((value, (*path, key.value)))
        elif isinstance(node, SequenceNode):
            stack.extend((item, (*path, i)) for i, item in enumerate(node.value))
