"""A scalar of a file found again from an edit's coordinates, and the text that writes its new
value in place (:func:`replacement`)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from imagelint.core.fixes import Edit
from imagelint.reading.loader import LoadedFile
from imagelint.reading.yamlnodes import value_start


class Unfixable(Exception):
    """Why an edit cannot be made (the file changed, the value is built there, ...)."""


def all_nodes(roots: Iterable[Node]) -> Iterator[Node]:
    """Every node under ``roots``, each once (an aliased node once), in document order."""
    seen: set[int] = set()
    for root in roots:
        stack = [root]
        while stack:
            node = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            yield node
            if isinstance(node, MappingNode):
                for key, value in reversed(node.value):
                    stack.append(value)
                    stack.append(key)
            elif isinstance(node, SequenceNode):
                stack.extend(reversed(node.value))


def scalars_on(loaded: LoadedFile, lines: set[int]) -> dict[tuple[int, int], ScalarNode]:
    """The scalars whose value starts on one of ``lines`` (1-based), by (line, column) of their
    value's first character, as findings give them."""
    found: dict[tuple[int, int], ScalarNode] = {}
    for node in all_nodes(document.node for document in loaded.documents):
        if isinstance(node, ScalarNode) and node.start_mark.line + 1 in lines:
            line, column, _ = value_start(node, loaded.line_of(node.start_mark))
            found.setdefault((line + 1, column + 1), node)
    return found


def target(
    scalars: dict[tuple[int, int], ScalarNode], loaded: LoadedFile, edit: Edit
) -> tuple[ScalarNode, int]:
    """The scalar an edit changes and where in its value ``edit.old`` starts. For a part of a
    built value, the edit's column may stand inside the scalar (at the part's start): the
    scalar is the one starting closest before it on that line, and it must map its value one to
    one onto the line for the column to mean an offset into it."""
    node = scalars.get((edit.line, edit.column))
    inner = 0
    if node is None:
        before = [key for key in scalars if key[0] == edit.line and key[1] < edit.column]
        if not before:
            raise Unfixable("no value is written where the finding points (the file changed?)")
        key = max(before)
        node, inner = scalars[key], edit.column - key[1]
        if not value_start(node, loaded.line_of(node.start_mark))[2]:
            raise Unfixable("the value is not written as one plain stretch of text there")
    offset = inner + edit.start
    value = node.value
    if not isinstance(value, str) or value[offset : offset + len(edit.old)] != edit.old:
        raise Unfixable("the value written there is not the one checked (the file changed?)")
    return node, offset


# Characters a plain scalar may not start with, and what may not stand in one (conservative:
# flow indicators too, since the scalar may stand in a flow collection).
_PLAIN_START = set("-?:,[]{}#&*!|>'\"%@` \t")
_PLAIN_BAD = re.compile(r"[,\[\]{}\x00-\x1f\x7f]|: |:$| #|\s$")
_PRINTABLE_SINGLE = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]")


def plain_holds(value: str) -> bool:
    return bool(value) and value[0] not in _PLAIN_START and not _PLAIN_BAD.search(value)


def single_quoted(value: str) -> str | None:
    if _PRINTABLE_SINGLE.search(value):
        return None
    return "'" + value.replace("'", "''") + "'"


_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r", "\x00": "\\0"}


def double_quoted(value: str) -> str:
    out = []
    for char in value:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F or char in "\u0085\u2028\u2029":
            out.append(f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _content_start(text: str, start: int) -> int:
    """Where a scalar's own text starts: a node's start mark stands at its anchor or tag, when
    it has one (``&web registry.acme.io/web:1``), and those stay as written."""
    while start < len(text) and text[start] in "&!":
        while start < len(text) and not text[start].isspace():
            start += 1
        while start < len(text) and text[start] in " \t\r\n":
            start += 1
    return start


def replacement(
    text: str, node: ScalarNode, offset: int, old: str, new: str
) -> tuple[int, int, str]:
    """(start, end, text): what replaces ``text[start:end]`` so that the scalar ``node`` holds
    its value with ``old`` at ``offset`` replaced by ``new``. Where the value is written as is
    (a one-line plain scalar, a quoted one without escapes), only the changed characters are
    replaced; otherwise the whole scalar is written again, in its style when that style can hold
    the new value, else in double quotes."""
    style = node.style
    if style in ("|", ">"):
        raise Unfixable("the value is a block scalar")
    value: str = node.value
    fixed = value[:offset] + new + value[offset + len(old) :]
    start, end = _content_start(text, node.start_mark.index), node.end_mark.index
    quote = style if style in ("'", '"') else ""
    first = start + len(quote)
    as_is = text[first : first + len(value)] == value and (
        text[first + len(value) : first + len(value) + len(quote)] == quote
    )
    if as_is:
        at = first + offset
        if (
            (quote == "" and plain_holds(fixed))
            or (quote == "'" and "'" not in new and single_quoted(new) is not None)
            or (quote == '"' and double_quoted(new) == f'"{new}"')
        ):
            return at, at + len(old), new
    if quote == "" and plain_holds(fixed):
        written = fixed
    elif quote == "'" and single_quoted(fixed) is not None:
        written = str(single_quoted(fixed))
    else:
        written = double_quoted(fixed)
    return start, end, written
