"""Model specs (`name:key=value,key=value`) and typed option parsing for adapters."""

from __future__ import annotations

import dataclasses
import difflib
import types
import typing
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
        """`faster-whisper` or `anygpt:llm=/ckpt/base,speech=/ckpt/speech` (commas separate)."""
        name, _, rest = text.strip().partition(":")
        if not name:
            raise SpecError(
                f"model spec {text!r} has no adapter name (expected NAME[:key=value,...])"
            )
        options: dict[str, str] = {}
        for item in filter(None, (s.strip() for s in rest.split(","))):
            key, eq, value = item.partition("=")
            if not eq or not key.strip():
                raise SpecError(f"model spec {text!r}: option {item!r} is not key=value")
            options[key.strip()] = value.strip()
        return cls(name, options)

    def __str__(self) -> str:
        opts = ",".join(f"{k}={v}" for k, v in self.options.items())
        return f"{self.name}:{opts}" if opts else self.name


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


def parse_options(options_cls: type, raw: dict[str, str], owner: str) -> Any:
    """Build the frozen Options dataclass of an adapter from raw strings, typed and checked."""
    fields = {f.name: f for f in dataclasses.fields(options_cls)}
    hints = typing.get_type_hints(options_cls)
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in fields:
            close = difflib.get_close_matches(key, list(fields), n=3, cutoff=0.5)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            known = ", ".join(sorted(fields)) or "none"
            raise SpecError(f"{owner}: unknown option {key!r}{hint} (options: {known})")
        values[key] = _convert(value, hints[key], f"{owner} option {key}")
    return options_cls(**values)


def describe_options(options_cls: type) -> list[tuple[str, str, str]]:
    """(name, type, default) rows for help texts."""
    hints = typing.get_type_hints(options_cls)
    rows = []
    for f in dataclasses.fields(options_cls):
        default = f.default if f.default is not dataclasses.MISSING else "(required)"
        type_name = getattr(hints[f.name], "__name__", None) or str(hints[f.name]).replace(
            "typing.", ""
        )
        rows.append((f.name, type_name, repr(default) if default != "(required)" else default))
    return rows
