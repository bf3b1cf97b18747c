"""A scalar of a file found again from an edit's coordinates, and the text that writes its new
value in place (:func:`replacement`)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from imagelint.core.fixes import Edit
from imagelint.fixing.flow import plain_fits
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
    if (
        not isinstance(value, str)
        or offset > len(value)
        or value[offset : offset + len(edit.old)] != edit.old
    ):
        raise Unfixable("the value written there is not the one checked (the file changed?)")
    return node, offset


def in_flow(loaded: LoadedFile, scalar: ScalarNode) -> bool:
    """Whether ``scalar`` is written inside a flow collection (``[...]``, ``{...}``: all inside
    one is in flow context, so the collection holding it tells). Only its document is walked,
    up to it; a node written once and aliased is reached first where it is written (the walk
    is in document order, and an anchor comes before its aliases)."""
    if "[" not in loaded.text and "{" not in loaded.text:
        return False  # no flow collection: no walk
    at = scalar.start_mark.index
    for document in loaded.documents:
        root = document.node
        if not root.start_mark.index <= at <= root.end_mark.index:
            continue
        seen: set[int] = set()
        stack: list[tuple[Node, bool]] = [(root, False)]
        while stack:
            node, flow = stack.pop()
            if node is scalar:
                return flow
            if id(node) in seen:
                continue
            seen.add(id(node))
            if isinstance(node, MappingNode):
                for key, value in reversed(node.value):
                    stack.append((value, bool(node.flow_style)))
                    stack.append((key, bool(node.flow_style)))
            elif isinstance(node, SequenceNode):
                stack.extend((item, bool(node.flow_style)) for item in reversed(node.value))
    return False


def holders(loaded: LoadedFile) -> dict[int, list[tuple[MappingNode, int]]]:
    """The mappings holding each value (by id of the value node), with its entry's index: one
    usually, more for a value written once and aliased."""
    held: dict[int, list[tuple[MappingNode, int]]] = {}
    for node in all_nodes(document.node for document in loaded.documents):
        if isinstance(node, MappingNode):
            for index, (_, value) in enumerate(node.value):
                held.setdefault(id(value), []).append((node, index))
    return held


# What an edit changes: (the scalar, where in its value, the text there, the text it becomes).
Change = tuple[ScalarNode, int, str, str]


def entry_changes(
    scalars: dict[tuple[int, int], ScalarNode],
    held: dict[int, list[tuple[MappingNode, int]]],
    edit: Edit,
) -> list[Change]:
    """What an edit of an entry (``edit.entry``) changes: the entry's value, and its key when
    renamed. The scalar at the edit's coordinates only says which mapping: it must start there
    and be the value of one of the fields the edit was made for."""
    entry = edit.entry
    assert entry is not None
    anchor = scalars.get((edit.line, edit.column))
    if anchor is None:
        raise Unfixable("no value is written where the finding points (the file changed?)")
    holding = held.get(id(anchor), [])
    if len(holding) != 1:
        raise Unfixable("the value is not the entry of one mapping")
    mapping, index = holding[0]
    field = mapping.value[index][0]
    if not isinstance(field, ScalarNode) or field.value not in entry.beside:
        raise Unfixable(f"the value is not a {' or '.join(entry.beside)} field (the file changed?)")
    keys = [key for key, _ in mapping.value if isinstance(key, ScalarNode)]
    found = [(k, v) for k, v in mapping.value if isinstance(k, ScalarNode) and k.value == entry.key]
    if len(found) != 1:
        raise Unfixable(f"there is no {entry.key} field beside it")
    key, value = found[0]
    if not isinstance(value, ScalarNode) or value.value != edit.old:
        raise Unfixable(f"the {entry.key} field beside it is not {edit.old!r}")
    changes: list[Change] = [(value, 0, edit.old, edit.new)]
    if entry.rename is not None:
        if any(other.value == entry.rename for other in keys):
            raise Unfixable(f"there is a {entry.rename} field beside it already")
        changes.append((key, 0, str(key.value), entry.rename))
    return changes


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
    text: str, node: ScalarNode, offset: int, old: str, new: str, flow: bool = False
) -> tuple[int, int, str]:
    """(start, end, text): what replaces ``text[start:end]`` so that the scalar ``node`` holds
    its value with ``old`` at ``offset`` replaced by ``new``. Where the value is written as is
    (a one-line plain scalar, a quoted one without escapes), only the changed characters are
    replaced; otherwise the whole scalar is written again, in its style when that style can hold
    the new value, else in double quotes. ``flow``: the scalar stands in a flow collection,
    where the C composer refuses more plain values than elsewhere (:mod:`.flow`)."""
    style = node.style
    if style in ("|", ">"):
        raise Unfixable("the value is a block scalar")
    value: str = node.value
    fixed = value[:offset] + new + value[offset + len(old) :]
    start, end = _content_start(text, node.start_mark.index), node.end_mark.index
    quote = style if style in ("'", '"') else ""
    plain = not quote and plain_holds(fixed) and (not flow or plain_fits(value, fixed))
    if not value and not quote:
        # An empty plain value (``digest:``): written after its key's ':' and a space.
        written = fixed if plain else double_quoted(fixed)
        return start, end, (" " if text[start - 1 : start] == ":" else "") + written
    first = start + len(quote)
    as_is = text[first : first + len(value)] == value and (
        text[first + len(value) : first + len(value) + len(quote)] == quote
    )
    if as_is:
        at = first + offset
        if (
            plain
            or (quote == "'" and "'" not in new and single_quoted(new) is not None)
            or (quote == '"' and double_quoted(new) == f'"{new}"')
        ):
            return at, at + len(old), new
    if plain:
        written = fixed
    elif quote == "'" and single_quoted(fixed) is not None:
        written = str(single_quoted(fixed))
    else:
        written = double_quoted(fixed)
    return start, end, written
