"""JSON patches (RFC 6902) on composed nodes, as kustomize applies them (evanphx/json-patch):
add, remove, replace, move, copy and test; a path that does not exist is an error (kustomize
stops), except where ``add`` creates the last key or appends (``-``)."""

from __future__ import annotations

from collections.abc import Callable

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from imagelint.trees.kustomize.nodes import get, with_key, without_key
from imagelint.trees.origins import sequence


class PatchError(Exception):
    """Why kustomize would stop applying an operation."""


def pointer(path: str) -> list[str]:
    if path == "":
        return []
    if not path.startswith("/"):
        raise PatchError(f"the path {path!r} does not start with '/'")
    return [t.replace("~1", "/").replace("~0", "~") for t in path[1:].split("/")]


def apply(root: Node, op: str, path: str, value: Node | None, source: str | None) -> Node:
    """``root`` with one operation applied (new nodes along the path)."""
    tokens = pointer(path)
    if op in ("add", "replace"):
        if value is None:
            raise PatchError(f"the {op} operation has no value")
        return _edit(root, tokens, op, value)
    if op == "remove":
        return _edit(root, tokens, "remove", None)
    if op in ("move", "copy"):
        if source is None:
            raise PatchError(f"the {op} operation has no 'from'")
        found = find(root, pointer(source))
        if found is None:
            raise PatchError(f"'from' {source} is missing")
        if op == "move":
            root = _edit(root, pointer(source), "remove", None)
        return _edit(root, tokens, "add", found)
    if op == "test":
        found = find(root, tokens)
        if found is None or value is None or not equal(found, value):
            raise PatchError(f"the test at {path} fails")
        return root
    raise PatchError(f"unknown operation {op!r}")


def find(node: Node, tokens: list[str]) -> Node | None:
    for token in tokens:
        if isinstance(node, MappingNode):
            found = get(node, token)
        elif isinstance(node, SequenceNode):
            index = _index(token, len(node.value), False)
            found = node.value[index] if index is not None else None
        else:
            found = None
        if found is None:
            return None
        node = found
    return node


def _index(token: str, length: int, adding: bool) -> int | None:
    if token == "-":
        return length if adding else None
    if not token.isdigit() or (len(token) > 1 and token.startswith("0")):
        return None
    index = int(token)
    limit = length if adding else length - 1
    return index if index <= limit else None


def _edit(node: Node, tokens: list[str], op: str, value: Node | None) -> Node:
    if not tokens:
        if op == "remove":
            raise PatchError("cannot remove the whole object")
        assert value is not None
        return value
    token, rest = tokens[0], tokens[1:]
    if isinstance(node, MappingNode):
        current = get(node, token)
        if rest:
            if current is None:
                raise PatchError(f"the path is missing at {token!r}")
            return with_key(node, token, _edit(current, rest, op, value))
        if op == "remove":
            if current is None:
                raise PatchError(f"there is no {token!r} to remove")
            return without_key(node, token)
        if op == "replace" and current is None:
            raise PatchError(f"there is no {token!r} to replace")
        assert value is not None
        return with_key(node, token, value)
    if isinstance(node, SequenceNode):
        values = list(node.value)
        if rest:
            index = _index(token, len(values), False)
            if index is None:
                raise PatchError(f"the list has no element {token}")
            values[index] = _edit(values[index], rest, op, value)
            return sequence(values, node)
        index = _index(token, len(values), op == "add")
        if index is None:
            raise PatchError(f"the list has no element {token}")
        change: Callable[[], None]
        if op == "add":
            assert value is not None
            change = lambda: values.insert(index, value)  # noqa: E731
        elif op == "remove":
            change = lambda: values.pop(index)  # noqa: E731
        else:
            assert value is not None
            change = lambda: values.__setitem__(index, value)  # noqa: E731
        change()
        return sequence(values, node)
    raise PatchError(f"the path goes through a scalar at {token!r}")


def equal(a: Node, b: Node) -> bool:
    if isinstance(a, ScalarNode) and isinstance(b, ScalarNode):
        return bool(a.value == b.value)
    if isinstance(a, SequenceNode) and isinstance(b, SequenceNode):
        return len(a.value) == len(b.value) and all(
            equal(x, y) for x, y in zip(a.value, b.value, strict=True)
        )
    if isinstance(a, MappingNode) and isinstance(b, MappingNode):
        left = {k.value: v for k, v in a.value}
        right = {k.value: v for k, v in b.value}
        return left.keys() == right.keys() and all(equal(left[k], right[k]) for k in left)
    return False
