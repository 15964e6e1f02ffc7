"""Turn pydantic's validation errors into one line each, in the words of the file's author.

Pydantic's error locations are walked back through the node tree to a position
(:mod:`drills.files.locate`), and its messages are rewritten into what a person fixing the
file needs: what is wrong, the key path, how to mend it (``did you mean``, the allowed
values, the bound). One mistake gives one line: a misspelt key is an unknown key that
suggests the right one, not also a missing key.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from types import UnionType
from typing import TYPE_CHECKING, Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails
from yaml.nodes import MappingNode, Node, ScalarNode

from drills.errors import did_you_mean
from drills.files.fileerror import FileError, KeyPath
from drills.files.locate import locate, mark_position
from drills.files.show import number, show

if TYPE_CHECKING:
    from drills.files.reader import YamlDocument

__all__ = ["humanise_all", "split_fix"]


def _node_kind(node: Node) -> str:
    return "a mapping" if isinstance(node, MappingNode) else "a list"


def split_fix(message: str) -> tuple[str, str]:
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
        parent = locate(doc.root, loc[:-1])
        line, column = parent.position()
        what = f"item {loc[-1] + 1}" if isinstance(loc[-1], int) else f"key '{loc[-1]}'"
        return FileError(doc.file, line, column, f"missing {what}", path=parent.path,
                         fix="add it")
    if kind == "extra_forbidden" and loc:
        spot = locate(doc.root, loc)
        line, column = mark_position((spot.key or spot.node).start_mark)
        name = str(loc[-1])
        # a model whose keys depend on the file (a world's systems) names them in ``ctx``
        keys = list(ctx["choices"]) if "choices" in ctx else _keys_at(model, loc[:-1])
        hint = did_you_mean(name, keys).removeprefix("; ") if keys else "remove it"
        return FileError(doc.file, line, column, f"unknown key '{name}'",
                         path=spot.path[:-1], fix=hint)
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        disc = ctx.get("discriminator", "").strip("'\"")
        noun = _noun(loc)
        spot = locate(doc.root, (*loc, disc))
        if kind == "union_tag_not_found" or spot.rest:
            parent = locate(doc.root, loc)
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
            doc.file, line, column, f"unknown {noun} {disc} {show(tag)}",
            path=spot.path, fix=did_you_mean(tag, tags).removeprefix("; "),
        )

    spot = locate(doc.root, loc)
    line, column = spot.position()
    path = spot.path

    if kind == "literal_error":
        options = _choices(ctx.get("expected", ""))
        return FileError(doc.file, line, column, f"unknown value {show(value)}", path=path,
                         fix=did_you_mean(str(value), options).removeprefix("; "))
    if kind in _WHAT_TYPE:
        what = _WHAT_TYPE[kind]
        return FileError(doc.file, line, column, f"{what}, got {show(value)}", path=path,
                         fix=_TYPE_FIX.get(what, ""))
    if kind in ("value_error", "assertion_error"):
        message = err["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
        what, fix = split_fix(message)
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
                         f"{words[0].format(number(bound))}, got {number(value)}",
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
                         f"is longer than {number(ctx.get('max_length'))} characters, the "
                         "limit", path=path, fix="shorten it")
    if kind == "too_long":
        return FileError(doc.file, line, column,
                         f"has more than {number(ctx.get('max_length'))} items, the limit",
                         path=path, fix="remove some")
    return FileError(doc.file, line, column, f"{err['msg'][:1].lower()}{err['msg'][1:]}",
                     path=path)


def humanise_all(
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
