"""The fixed text read again: the same documents, the same objects, except the fixed values.

Both texts are composed (never loaded into Python objects, never dumped), and walked side by
side: every node must have the same kind, tag, anchor-sharing and children, and every scalar the
same value, except the scalars that were edited, which must hold exactly their new value as a
string. Anything else (a value that now resolves to a number, a quote that swallowed the rest
of the line, an alias that now points elsewhere) abandons the fix.
"""

from __future__ import annotations

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from imagelint.fixing.scalars import all_nodes
from imagelint.reading.loader import LoadedFile, load
from imagelint.reading.yamlnodes import tag_of

_STR = "tag:yaml.org,2002:str"


def differences(before: LoadedFile, after_text: str, expected: dict[int, str]) -> str | None:
    """What differs, in words, between the documents of ``before`` and those of ``after_text``
    beyond the edited scalars (``expected``: id of an edited scalar of ``before`` -> its new
    value); None when nothing does."""
    after = load(before.display, after_text)
    old_documents, new_documents = before.documents, after.documents
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
    if type(old) is not type(new):
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


def _children(node: MappingNode | SequenceNode) -> list[Node]:
    if isinstance(node, MappingNode):
        return [child for pair in node.value for child in pair]
    return list(node.value)
