"""How far a YAML document nests and how far its aliases expand, worked out without recursing
or expanding anything.

Kubernetes' YAML parser refuses documents that nest too deeply or whose aliases expand too far
(a 'billion laughs'); the loader refuses the same documents, and the configuration reader
bounds its files with the same measures.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import accumulate

from ruamel.yaml.cyaml import CSafeLoader
from ruamel.yaml.error import YAMLError
from ruamel.yaml.events import CollectionEndEvent, CollectionStartEvent
from ruamel.yaml.nodes import Node

from imagelint.core.patterns import pattern
from imagelint.reading.composer import close

# Kubernetes' YAML parser refuses deeper nesting; the C composer recurses once per level and
# would overflow the C stack at about 25,000.
MAX_DEPTH = 10_000

# Counts of expanded nodes stop here (a document of aliases can expand to far more).
EXPANSION_CAP = 10**12


def may_nest_deeper(text: str, depth: int) -> bool:
    """A cheap test that rules out deep nesting for nearly every file: each level of flow
    nesting takes a bracket, and each two levels of block nesting at least one character of
    indentation (or of '- ', '? ', ': ' on the line) on the deepest line."""
    if len(text) <= depth:
        return False
    if text.count("[") + text.count("{") > depth // 2 and _bracket_depth(text) > depth // 2:
        return True
    return re.search(rf"^[ \t\-?:]{{{depth // 2},}}", text, re.MULTILINE) is not None


def _bracket_depth(text: str) -> int:
    """How deep brackets nest in the text, quotes ignored (so at least the flow nesting):
    many brackets in a file of flow-style (JSON) documents are mostly side by side."""
    brackets = pattern(_NOT_BRACKET).sub("", text)
    steps = (1 if c in "[{" else -1 for c in brackets)
    return max(accumulate(steps, initial=0))


_NOT_BRACKET = r"[^\[\]{}]+"


def nests_deeper(text: str, depth: int) -> bool:
    """Whether the parser's events nest beyond ``depth`` (the event parser keeps its own stack:
    no recursion, whatever the depth); up to a syntax error, past which the composer does not
    go either."""
    level = 0
    loader = CSafeLoader(text)
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, CollectionStartEvent):
                level += 1
                if level > depth:
                    return True
            elif isinstance(event, CollectionEndEvent):
                level -= 1
    except YAMLError:
        pass
    finally:
        close(loader)
    return False


def allowed_alias_ratio(decoded: int) -> float:
    """The share of decoded nodes go-yaml lets aliases make up: 99% up to 400,000 nodes, down
    to 10% at 4,000,000."""
    if decoded <= 400_000:
        return 0.99
    if decoded >= 4_000_000:
        return 0.10
    return 0.99 - 0.89 * (decoded - 400_000) / 3_600_000


def expanded_counts(root: Node) -> tuple[int, int] | None:
    """(nodes decoded, nodes decoded inside an alias) of the document with its aliases
    expanded, as go-yaml counts them, from counts of paths in the node graph: a node is decoded
    once per path to it, inside an alias on paths through an alias (an edge to a node met
    before). None for a cycle (a recursive anchor), which expands without end."""
    edges: dict[int, list[tuple[Node, bool]]] = {}  # node -> (child, through an alias)
    incoming: dict[int, int] = {}
    seen = {id(root)}
    stack = [root]
    shared = False  # whether any node is reached twice
    while stack:
        node = stack.pop()
        out = edges[id(node)] = []
        for child in _children(node):
            alias = id(child) in seen
            shared |= alias
            out.append((child, alias))
            incoming[id(child)] = incoming.get(id(child), 0) + 1
            if not alias:
                seen.add(id(child))
                stack.append(child)
    if not shared:  # a tree: each node decoded once, none inside an alias
        return len(seen), 0
    if id(root) in incoming:  # the root's own anchor used inside it
        return None
    paths = {id(root): 1}  # paths from the root
    inside = {id(root): 0}  # of those, paths through an alias
    ready, done = [root], 0
    while ready:  # parents before children (Kahn's order)
        node = ready.pop()
        done += 1
        count, through = paths[id(node)], inside[id(node)]
        for child, alias in edges[id(node)]:
            key = id(child)
            paths[key] = min(paths.get(key, 0) + count, EXPANSION_CAP)
            inside[key] = min(inside.get(key, 0) + (count if alias else through), EXPANSION_CAP)
            incoming[key] -= 1
            if incoming[key] == 0:
                ready.append(child)
    if done < len(edges):  # a cycle
        return None
    return min(sum(paths.values()), EXPANSION_CAP), min(sum(inside.values()), EXPANSION_CAP)


def _children(node: Node) -> Iterator[Node]:
    value = node.value
    if isinstance(value, list):
        for item in value:
            if isinstance(item, tuple):
                yield from item
            else:
                yield item
