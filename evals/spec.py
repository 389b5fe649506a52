"""Model specs (`name:key=value,key=value`) and typed option parsing for adapters."""

from __future__ import annotations

import ast
import dataclasses
import difflib
import inspect
import itertools
import json
import re
import textwrap
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from evals.errors import UserError


class SpecError(UserError, ValueError):
    """A model spec or option value that cannot be used; the message says which and why."""


@dataclass(frozen=True)
class ModelSpec:
    """A parsed `--model` value."""

    name: str
    """Registered adapter name."""
    options: dict[str, str]
    """Raw option strings, converted by the adapter's Options dataclass."""

    @classmethod
    def parse(cls, text: str) -> ModelSpec:
        """`faster-whisper`, `anygpt:llm=/ckpt/base,speech=/ckpt/speech` (commas separate; quote
        a value holding commas or `=`: `prompt="Describe the image, briefly."`), or the JSON
        form `hf-captioner:{"prompt": "a, b"}`."""
        name, _, rest = text.strip().partition(":")
        if not name:
            raise SpecError(
                f"model spec {text!r} has no adapter name (expected NAME[:key=value,...])"
            )
        return cls(name, split_pairs(rest, f"model spec {text!r}"))

    def __str__(self) -> str:
        opts = join_pairs(self.options)
        return f"{self.name}:{opts}" if opts else self.name


_PAIR = re.compile(r"""\s*([^=,"']+?)\s*=\s*("(?:[^"\\]|\\.)*"|'[^']*'|(?!["'])[^,]*?)\s*(?:,|$)""")


def split_pairs(text: str, where: str) -> dict[str, str]:
    """`key=value,...` (values may be "double" or 'single' quoted) or a JSON object, as strings."""
    text = text.strip()
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise SpecError(f"{where}: not a JSON object ({exc.msg} at {exc.pos})") from None
        if not isinstance(data, dict):
            raise SpecError(f"{where}: not a JSON object")
        return {str(k): v if isinstance(v, str) else json.dumps(v) for k, v in data.items()}
    pairs: dict[str, str] = {}
    pos = 0
    while pos < len(text):
        if text[pos] in ", ":
            pos += 1
            continue
        m = _PAIR.match(text, pos)
        if not m:
            item = text[pos:].split(",")[0].strip()
            raise SpecError(f"{where}: option {item!r} is not key=value (quote values with commas)")
        value = m.group(2)
        if value.startswith('"'):
            value = json.loads(value)
        elif value.startswith("'"):
            value = value[1:-1]
        pairs[m.group(1).strip()] = value
        pos = m.end()
    return pairs


def join_pairs(pairs: dict[str, Any]) -> str:
    """The inverse of `split_pairs`: values with commas or edge quotes/spaces are double-quoted
    (others as written, so existing run ids stay the same)."""
    out = []
    for key, value in pairs.items():
        value = str(value)
        if "," in value or value[:1] in ("'", '"') or value != value.strip():
            value = json.dumps(value)
        out.append(f"{key}={value}")
    return ",".join(out)


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _convert(raw: str, annotation: Any, where: str) -> Any:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if raw.lower() in ("none", "null", "") and len(args) < len(typing.get_args(annotation)):
            return None
        return _convert(raw, args[0], where)
    if origin is typing.Literal:
        allowed = typing.get_args(annotation)
        if raw not in allowed:
            raise SpecError(f"{where}: {raw!r} is not one of {', '.join(map(str, allowed))}")
        return raw
    try:
        if annotation is bool:
            low = raw.lower()
            if low not in _TRUE | _FALSE:
                raise ValueError(raw)
            return low in _TRUE
        if annotation in (int, float, str):
            return annotation(raw)
    except ValueError:
        raise SpecError(f"{where}: {raw!r} is not a valid {annotation.__name__}") from None
    return raw


def typed_values(
    fields_cls: type, raw: Mapping[str, str], owner: str, what: str = "option"
) -> dict[str, Any]:
    """Raw strings converted by the field types of a dataclass; unknown keys raise."""
    fields = {f.name: f for f in dataclasses.fields(fields_cls)}
    hints = typing.get_type_hints(fields_cls)
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in fields:
            close = difflib.get_close_matches(key, list(fields), n=3, cutoff=0.5)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            known = ", ".join(sorted(fields)) or "none"
            raise SpecError(f"{owner}: unknown {what} {key!r}{hint} ({what}s: {known})")
        values[key] = _convert(value, hints[key], f"{owner} {what} {key}")
    return values


def parse_options(options_cls: type, raw: dict[str, str], owner: str) -> Any:
    """Build the frozen Options dataclass of an adapter from raw strings, typed and checked (an
    option's own check in the Options `__post_init__` becomes a one-line SpecError too)."""
    values = typed_values(options_cls, raw, owner)
    try:
        return options_cls(**values)
    except ValueError as exc:
        raise SpecError(f"{owner}: {exc}") from exc


def field_docs(cls: type) -> dict[str, str]:
    """The docstring written under each field of a dataclass (read from its source)."""
    docs: dict[str, str] = {}
    for klass in reversed(cls.__mro__[:-1]):
        try:
            tree = ast.parse(textwrap.dedent(inspect.getsource(klass)))
        except (OSError, TypeError, SyntaxError):
            continue
        body = tree.body[0].body if tree.body and isinstance(tree.body[0], ast.ClassDef) else []
        for field_node, doc in itertools.pairwise(body):
            if (
                isinstance(field_node, ast.AnnAssign)
                and isinstance(field_node.target, ast.Name)
                and isinstance(doc, ast.Expr)
                and isinstance(doc.value, ast.Constant)
                and isinstance(doc.value.value, str)
            ):
                docs[field_node.target.id] = " ".join(doc.value.value.split())
    return docs


def type_label(annotation: Any) -> str:
    """A readable type: `one of a, b` for a Literal, `int or None` for an Optional."""
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return "one of " + ", ".join(map(str, typing.get_args(annotation)))
    if origin in (typing.Union, types.UnionType):
        return " or ".join(
            "None" if a is type(None) else type_label(a) for a in typing.get_args(annotation)
        )
    return getattr(annotation, "__name__", None) or str(annotation).replace("typing.", "")


def describe_options(options_cls: type) -> list[tuple[str, str, str, str]]:
    """(name, type, default, docstring) rows for help texts."""
    hints = typing.get_type_hints(options_cls)
    docs = field_docs(options_cls)
    rows = []
    for f in dataclasses.fields(options_cls):
        default = f.default if f.default is not dataclasses.MISSING else "(required)"
        shown = repr(default) if default != "(required)" else default
        rows.append((f.name, type_label(hints[f.name]), shown, docs.get(f.name, "")))
    return rows
