"""JSON objects one at a time: the items of a ``kubectl get -o json`` List are decoded one by
one, and each can be dropped before the next, so a dump of many thousand objects never exists as
Python objects all at once (``json.load`` would build them all: several times the text's size).

Each value is decoded by the json module's own scanner (``raw_decode``); only the List's
top-level keys are walked here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Generator, Iterator
from typing import Any

_SPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


class JSONProblem(ValueError):
    """Text that is not JSON, with the line and column where it stops being JSON."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(f"line {line}, column {column}: {message}")
        self.line = line
        self.column = column


def looks_like_json(text: str) -> bool:
    """Whether the text starts as a JSON object or array would (kubectl's -o json does)."""
    start = _SPACE.match(text)
    index = start.end() if start else 0
    return index < len(text) and text[index] in "{["


def objects(text: str) -> Iterator[Any]:
    """The values of a text of JSON values (one or several, one after another, or apart by
    YAML's '---' lines), with the items
    of each List (an object with an ``items`` array, or a top-level array) handed out one by one
    instead of the List itself."""
    index = _skip(text, 0)
    while index < len(text):
        if text.startswith("---", index):  # JSON documents in a YAML stream ('---' between)
            index = _skip(text, index + 3)
            continue
        if text[index] == "{":
            index = yield from _object(text, index)
        elif text[index] == "[":
            index = yield from _array(text, index)
        else:
            value, index = _decode(text, index)
            yield value
        index = _skip(text, index)


def _object(text: str, index: int) -> Generator[Any, None, int]:
    """An object: its items, when it has an ``items`` array, else the object itself. Returns
    where it ends."""
    fields: dict[str, Any] = {}
    listed = False
    index = _skip(text, index + 1)
    if text.startswith("}", index):
        yield fields
        return index + 1
    while True:
        if not text.startswith('"', index):
            raise _problem(text, index, "expected a key in double quotes")
        key, index = _decode(text, index)
        index = _skip(text, index)
        if not text.startswith(":", index):
            raise _problem(text, index, "expected ':' after a key")
        index = _skip(text, index + 1)
        if key == "items" and text.startswith("[", index):
            listed = True
            index = yield from _array(text, index)
        else:
            fields[key], index = _decode(text, index)
        index = _skip(text, index)
        if text.startswith("}", index):
            break
        if not text.startswith(",", index):
            raise _problem(text, index, "expected ',' or '}' in an object")
        index = _skip(text, index + 1)
    if not listed:
        yield fields
    return index + 1


def _array(text: str, index: int) -> Generator[Any, None, int]:
    """Each element of an array, one at a time. Returns where the array ends."""
    index = _skip(text, index + 1)
    if text.startswith("]", index):
        return index + 1
    while True:
        value, index = _decode(text, index)
        yield value
        del value
        index = _skip(text, index)
        if text.startswith("]", index):
            return index + 1
        if not text.startswith(",", index):
            raise _problem(text, index, "expected ',' or ']' in an array")
        index = _skip(text, index + 1)


def _decode(text: str, index: int) -> tuple[Any, int]:
    try:
        return _DECODER.raw_decode(text, index)
    except json.JSONDecodeError as error:
        raise JSONProblem(error.msg, error.lineno, error.colno) from None


def _skip(text: str, index: int) -> int:
    match = _SPACE.match(text, index)
    return match.end() if match else index


def _problem(text: str, index: int, message: str) -> JSONProblem:
    line = text.count("\n", 0, index) + 1
    column = index - text.rfind("\n", 0, index)
    if index >= len(text):
        message = "the text ends before the JSON does"
    return JSONProblem(message, line, column)
