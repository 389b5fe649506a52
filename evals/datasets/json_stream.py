"""Streaming reads of large JSON files shaped `{"key": [elements...], ...}` (COCO, Karpathy).

`dataset_coco.json` is ~150 MB and `json.load` would hold all of it as Python objects; here each
array element is decoded on its own (json's `raw_decode` over a sliding buffer), so memory stays
at one element plus one read chunk.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from evals.errors import UserError

_WS = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()
_DELIMITERS = frozenset(" \t\n\r,]}:")
CHUNK = 1 << 20


class JSONLayoutError(UserError, ValueError):
    """A JSON file that is not the expected shape; names the file and what was expected."""


class _Buffer:
    """A text buffer over a file that refills itself when a value runs past its end."""

    def __init__(self, f: TextIO, path: Path):
        self.f, self.path = f, path
        self.buf, self.pos, self.eof = "", 0, False

    def fill(self) -> None:
        data = self.f.read(CHUNK)
        if not data:
            self.eof = True
            return
        self.buf = self.buf[self.pos :] + data
        self.pos = 0

    def peek(self) -> str:
        while True:
            self.pos = _WS.match(self.buf, self.pos).end()
            if self.pos < len(self.buf) or self.eof:
                return self.buf[self.pos] if self.pos < len(self.buf) else ""
            self.fill()

    def expect(self, char: str, what: str) -> None:
        got = self.peek()
        if got != char:
            raise JSONLayoutError(f"{self.path}: expected {what}, found {got or 'end of file'!r}")
        self.pos += 1

    def value(self) -> Any:
        self.peek()
        while True:
            try:
                obj, end = _DECODER.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as exc:
                if self.eof:
                    raise JSONLayoutError(f"{self.path}: not valid JSON ({exc})") from None
                self.fill()
                continue
            # a value must end at a delimiter: a number cut by the chunk end would parse short
            if (end >= len(self.buf) or self.buf[end] not in _DELIMITERS) and not self.eof:
                self.fill()
                continue
            self.pos = end
            return obj


def iter_array(path: Path, key: str) -> Iterator[Any]:
    """The elements of the array under top-level `key`, one at a time, in file order."""
    with open(path, encoding="utf-8") as f:
        buf = _Buffer(f, path)
        buf.expect("{", "a JSON object at the top level")
        while buf.peek() != "}":
            name = buf.value()
            buf.expect(":", f"':' after key {name!r}")
            if name == key:
                yield from _elements(buf)
                return
            if (
                buf.peek() == "["
            ):  # another array (COCO's `images` before `annotations`): stream past it
                for _ in _elements(buf):
                    pass
            else:
                buf.value()  # small top-level values (e.g. "dataset": "coco"), decoded and dropped
            if buf.peek() == ",":
                buf.pos += 1
        raise JSONLayoutError(f"{path}: no top-level {key!r} array")


def _elements(buf: _Buffer) -> Iterator[Any]:
    buf.expect("[", "an array")
    if buf.peek() == "]":
        buf.pos += 1
        return
    while True:
        yield buf.value()
        sep = buf.peek()
        buf.pos += 1
        if sep == "]":
            return
        if sep != ",":
            raise JSONLayoutError(f"{buf.path}: expected ',' or ']' in an array, found {sep!r}")
