"""Small copy-on-write helpers over composed YAML nodes, for the kustomize builder.

A node loaded from a file may be shared by several builds (a base used by many overlays,
cached by the :class:`~imagelint.trees.kustomize.build.Builder`), so nothing here changes a
node: every change makes new mapping and sequence nodes along the path it touches, each at
the position of the node it replaces (:mod:`imagelint.trees.origins`).
"""

from __future__ import annotations

from collections.abc import Callable

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from imagelint.reading.sources import Problem
from imagelint.reading.yamlnodes import PLAIN_TAG, is_null, tag_of
from imagelint.trees.origins import file_of, mapping, scalar, sequence

BROKEN = "broken-kustomization"
NOT_FOLLOWED = "kustomize-not-followed"
MATCHES_NOTHING = "override-matches-nothing"

_NULL_TAG = "tag:yaml.org,2002:null"
_STR_TAG = "tag:yaml.org,2002:str"
# A plain scalar is null only when it is empty, "~", "null", "Null" or "NULL" (YAML 1.1 and
# 1.2 alike: the resolvers' expression for null); a quoted one never is.
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})


def get(node: Node | None, key: str) -> Node | None:
    """The value at ``key`` of a mapping node (the last one, as Kubernetes reads a repeated
    key), or None."""
    if not isinstance(node, MappingNode):
        return None
    # A key that is not a scalar has a list for its value, never equal to a string.
    pairs = node.value
    at = len(pairs)
    while at:  # (by index from the end: cheaper than an iterator over so few pairs)
        at -= 1
        pair = pairs[at]
        if pair[0].value == key:
            found: Node = pair[1]
            return found
    return None


def text(node: Node | None) -> str | None:
    """A scalar's text as kustomize's Go structs read it (``newTag: 1.10`` is "1.10"); None
    for a missing value, null, or a list or mapping."""
    if not isinstance(node, ScalarNode):
        return None
    value: str = node.value
    ctag = node.ctag
    if ctag.handle is None:  # most values: plain or quoted, no tag to resolve
        suffix = ctag.suffix
        if suffix == PLAIN_TAG:
            return None if value in _NULLS else value
        if suffix == _STR_TAG:
            return value
    return None if is_null(node) else value


def text_at(node: Node | None, *path: str) -> str | None:
    for key in path:
        node = get(node, key)
    return text(node)


def items(node: Node | None) -> list[Node]:
    return list(node.value) if isinstance(node, SequenceNode) else []


def is_null_value(node: Node) -> bool:
    if not isinstance(node, ScalarNode):
        return False
    ctag = node.ctag
    if ctag.handle is None:  # (as in text())
        suffix = ctag.suffix
        if suffix == PLAIN_TAG:
            return node.value in _NULLS
        if suffix == _STR_TAG:
            return False
    return tag_of(node) == _NULL_TAG


def with_key(node: MappingNode, key: str, value: Node, key_like: Node | None = None) -> MappingNode:
    """``node`` with ``key`` set to ``value`` (a new key is added at the end, at ``key_like``'s
    position or the value's)."""
    pairs: list[tuple[Node, Node]] = []
    done = False
    for k, v in node.value:
        if k.value == key and isinstance(k, ScalarNode):
            if not done:
                pairs.append((k, value))
                done = True
            continue
        pairs.append((k, v))
    if not done:
        pairs.append((scalar(key, key_like if key_like is not None else value), value))
    return mapping(pairs, node)


def without_key(node: MappingNode, key: str) -> MappingNode:
    return mapping(
        [(k, v) for k, v in node.value if not (isinstance(k, ScalarNode) and k.value == key)],
        node,
    )


def new_mapping(pairs: list[tuple[str, Node]], like: Node) -> MappingNode:
    """A mapping made by the builder (a generated Secret, metadata it adds), at ``like``."""
    return mapping([(scalar(k, like), v) for k, v in pairs], like)


def update_path(
    node: Node, path: tuple[str, ...], change: Callable[[Node | None], Node | None]
) -> Node:
    """``node`` with the value at ``path`` (mapping keys) replaced by ``change(old)``; a missing
    mapping on the way is made, at its parent's position; ``change`` returning None removes the
    key (or leaves a missing one missing)."""
    if not path:
        result = change(node)
        return node if result is None else result
    if not isinstance(node, MappingNode):
        return node
    key = path[0]
    old = get(node, key)
    if len(path) == 1:
        new = change(old)
        if new is None:
            return node if old is None else without_key(node, key)
        return node if new is old else with_key(node, key, new)
    inner = old if isinstance(old, MappingNode) else mapping([], node)
    new = update_path(inner, path[1:], change)
    if new is inner and old is inner:
        return node
    return with_key(node, key, new)


def replace_item(node: SequenceNode, index: int, value: Node) -> SequenceNode:
    values = list(node.value)
    values[index] = value
    return sequence(values, node)


def problem_at(node: Node, rule: str, message: str, fallback: str) -> tuple[str, Problem]:
    """A problem at a node's start (1-based), in the file the node was loaded from."""
    mark = node.start_mark
    return (file_of(node) or fallback, Problem(rule, mark.line + 1, mark.column + 1, message))
