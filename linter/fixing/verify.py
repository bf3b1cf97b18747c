"""The fixed text read again: the same documents, the same objects, except the fixed values.

Both texts are composed (never loaded into Python objects, never dumped), and walked side by
side: every node must have the same kind, tag, anchor-sharing and children, and every scalar the
same value, except the scalars that were edited, which must hold exactly their new value as a
string. Anything else (a value that now resolves to a number, a quote that swallowed the rest
of the line, an alias that now points elsewhere) abandons the fix.

The fixed text is read as the checker reads it (:func:`~imagelint.reading.loader.load`): with
libyaml, ruamel's C composer, and, for a document libyaml refuses although go-yaml reads it (a
plain value holding a ':' inside a flow collection), with ruamel's pure-Python parser. A fix may
not make a document need that parser: every document libyaml read in the original, it must read
in the fixed text (:func:`_newly_refused`), or the fix is abandoned.
"""

from __future__ import annotations

import re

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from imagelint.core.patterns import pattern
from imagelint.fixing.scalars import all_nodes
from imagelint.reading.bounds import MAX_DEPTH, may_nest_deeper, nests_deeper
from imagelint.reading.composer import compose, problem_position
from imagelint.reading.leannodes import (
    LeanMappingNode,
    LeanScalarNode,
    LeanSequenceNode,
    c_module,
)
from imagelint.reading.loader import LoadedFile, load
from imagelint.reading.textlines import BREAK
from imagelint.reading.yamlnodes import tag_of

_STR = "tag:yaml.org,2002:str"
# Where a document starts, as the loader splits a file after a syntax error (reading.loader).
_DOCUMENT_START = r"^---(?:[ \t]|\r?$)"
_LEAN = (LeanMappingNode, LeanSequenceNode, LeanScalarNode)


def differences(before: LoadedFile, after_text: str, expected: dict[int, str]) -> str | None:
    """What differs, in words, between the documents of ``before`` and those of ``after_text``
    beyond the edited scalars (``expected``: id of an edited scalar of ``before`` -> its new
    value); None when nothing does."""
    after = load(before.display, after_text)
    old_documents, new_documents = before.documents, after.documents
    if not _all_by_libyaml(after):
        refused = _newly_refused(before.text, after_text)
        if refused is not None:
            return (
                "libyaml (the C composer imagelint reads with) refuses the fixed text at line "
                f"{refused}, although it read the original"
            )
    if len(old_documents) != len(new_documents) or len(before.problems) != len(after.problems):
        return "the fixed text does not read as the same documents"
    old_nodes = list(all_nodes(d.node for d in old_documents))
    new_nodes = list(all_nodes(d.node for d in new_documents))
    if len(old_nodes) != len(new_nodes):
        return "the fixed text does not hold the same nodes"
    position = {id(node): index for index, node in enumerate(old_nodes)}
    new_position = {id(node): index for index, node in enumerate(new_nodes)}
    for old, new in zip(old_nodes, new_nodes, strict=True):
        problem = _compare(old, new, expected, position, new_position)
        if problem is not None:
            line = new.start_mark.line + 1
            return f"{problem} at line {line} of the fixed text"
    return None


def _compare(
    old: Node,
    new: Node,
    expected: dict[int, str],
    position: dict[int, int],
    new_position: dict[int, int],
) -> str | None:
    if _kind(old) is not _kind(new):
        return "a value changed kind"
    if isinstance(old, ScalarNode):
        want = expected.get(id(old))
        if want is None:
            if old.value != new.value or tag_of(old) != tag_of(new):
                return "another value changed"
        elif new.value != want or tag_of(new) != _STR:
            return "the fixed value does not read back as written"
        return None
    if tag_of(old) != tag_of(new):
        return "a collection's tag changed"
    if isinstance(old, MappingNode | SequenceNode):
        if len(old.value) != len(new.value):
            return "a collection changed size"
        old_children = _children(old)
        new_children = _children(new)  # type: ignore[arg-type]  # the same type as old
        for a, b in zip(old_children, new_children, strict=True):
            if position[id(a)] != new_position[id(b)]:  # aliases share the same nodes
                return "an alias changed"
    return None


def _kind(node: Node) -> type[Node]:
    """A node's kind, whichever composer made it: the C composer's lean nodes are subclasses
    of ruamel's, which the pure-Python parser makes. Both sides can differ still, in one way
    only (:func:`_newly_refused` rules out the other): an original document libyaml refused
    (a plain ``{image: nginx:1.25}``) was read by the pure-Python parser, and the fixed one,
    whose only such value a fix quoted, is read by libyaml."""
    for kind in (ScalarNode, MappingNode, SequenceNode):
        if isinstance(node, kind):
            return kind
    return type(node)


def _children(node: MappingNode | SequenceNode) -> list[Node]:
    if isinstance(node, MappingNode):
        return [child for pair in node.value for child in pair]
    return list(node.value)


def _all_by_libyaml(loaded: LoadedFile) -> bool:
    """Whether libyaml composed every document of ``loaded`` (read, no problem): its nodes are
    the lean ones (:mod:`~imagelint.reading.leannodes`), the pure-Python parser's are ruamel's
    own. This costs nothing; when the node classes cannot tell (no lean nodes in this
    installation), the text is composed again (:func:`_newly_refused`)."""
    if loaded.problems or c_module() is None:
        return False
    return all(type(document.node) in _LEAN for document in loaded.documents)


def _newly_refused(before: str, after: str) -> int | None:
    """The line (1-based) of the first document of ``after`` libyaml refuses while it read
    that document of ``before``; None when there is none. The whole text first, in one go
    (the common case: it reads); only if that fails, document by document."""
    if not may_nest_deeper(after, MAX_DEPTH):  # else composing it whole recurses that deep
        _, error = compose(after)
        if error is None:
            return None
    old_parts, new_parts = _parts(before), _parts(after)
    if len(old_parts) != len(new_parts):
        return 1  # not the same documents: refused as a whole
    for (_, old), (start, new) in zip(old_parts, new_parts, strict=True):
        line = _refused(new)
        if line is not None and _refused(old) is None:
            return len(BREAK.findall(after, 0, start)) + line + 1
    return None


def _parts(text: str) -> list[tuple[int, str]]:
    """The text cut where documents start ('---' at a line's start), with where each part
    starts, as the loader cuts it to read on after a syntax error."""
    starts = [0] + [
        match.start()
        for match in pattern(_DOCUMENT_START, re.MULTILINE).finditer(text)
        if match.start() > 0
    ]
    ends = starts[1:] + [len(text)]
    return [(start, text[start:end]) for start, end in zip(starts, ends, strict=True)]


def _refused(part: str) -> int | None:
    """Where (0-based line of ``part``) libyaml stops reading this part of a text; None when
    it reads it all. A part nested too deep is read by nobody (the loader reports it unread):
    refused from its start."""
    if may_nest_deeper(part, MAX_DEPTH) and nests_deeper(part, MAX_DEPTH):
        return 0
    _, error = compose(part)
    return None if error is None else problem_position(error, part)[0]
