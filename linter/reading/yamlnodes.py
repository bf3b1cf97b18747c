"""Reading composed YAML nodes the way Kubernetes reads the same YAML.

Kubernetes decodes YAML 1.1 (go-yaml v2): merge keys (``<<``) apply, a repeated key keeps its
last value, and ``yes``/``on`` are booleans. The composer gives us nodes with marks; these helpers
answer "what value would Kubernetes see here" without constructing Python objects for the whole
document, so only the parts a check looks at cost anything.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator

from ruamel.yaml.cyaml import CSafeLoader
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from imagelint.core.frozen import ValueRecord, set_field

_MERGE_TAG = "tag:yaml.org,2002:merge"
_STR_TAG = "tag:yaml.org,2002:str"
_NULL_TAG = "tag:yaml.org,2002:null"
# YAML 1.1 booleans as go-yaml v2 resolves them (the composer's resolver is YAML 1.2).
_YAML11_BOOLS = frozenset(
    "y Y yes Yes YES n N no No NO on On ON off Off OFF true True TRUE false False FALSE".split()
)
# Merge keys nest; a sane document merges a handful of levels.
_MAX_MERGE_DEPTH = 32


# The loader's composer leaves plain scalars unresolved (most are never looked at); their tag
# is worked out here, when asked for.
PLAIN_TAG = "!imagelint/plain"
_resolver = None


def tag_of(node: Node) -> str:
    """A node's resolved tag. ``Node.tag`` formats a Tag object on every access; the composer
    stores the resolved tag as the Tag's suffix, so read that directly when there is no handle.
    The loader's nodes share their Tag objects, so this never writes to one."""
    ctag = node.ctag
    if ctag.handle is not None:
        return str(ctag)
    suffix = ctag.suffix
    return _resolve_plain(node.value) if suffix == PLAIN_TAG else suffix


_plain_starts: frozenset[str] = frozenset()  # first characters of non-string plain scalars


def _resolve_plain(value: str) -> str:
    global _resolver, _plain_starts
    if _resolver is None:
        _resolver = CSafeLoader("")
        table = _resolver.yaml_implicit_resolvers
        # With no resolver for any first character, one not in the table is a string.
        _plain_starts = frozenset(k for k in table if k) if not table.get(None) else frozenset()
    if value and _plain_starts and value[0] not in _plain_starts:
        return _STR_TAG  # 'nginx:1.27', 'Deployment', 'apps/v1': no regular expression needed
    if len(value) <= 32:  # the same few short values come back: '80', 'true', '1'...
        return _resolve_short(value)
    return _resolve_by_expressions(value)


def _resolve_by_expressions(value: str) -> str:
    assert _resolver is not None
    return str(_resolver.resolve(ScalarNode, value, (True, False)))  # a Tag, as a string


_resolve_short = functools.lru_cache(maxsize=1024)(_resolve_by_expressions)


_NO_DUPLICATES: list[DuplicateKey] = []  # shared, never appended to


class DuplicateKey(ValueRecord):
    __slots__ = ("key", "first", "last")
    key: str
    first: Node  # the key node that loses
    last: Node  # the key node that wins

    def __init__(self, key: str, first: Node, last: Node) -> None:
        set_field(self, "key", key)
        set_field(self, "first", first)
        set_field(self, "last", last)


class Mapping:
    """The entries of a mapping node as Kubernetes sees them: merges applied, last key wins."""

    __slots__ = ("node", "_entries", "duplicates")

    def __init__(self, node: MappingNode) -> None:
        self.node = node
        pairs = node.value
        try:  # the common case, in one pass: scalar keys, no repeats, no merge
            entries = {key.value: (key, value) for key, value in pairs}
        except TypeError:  # a complex key (a list or mapping has no hashable value)
            entries = None
        if entries is not None and len(entries) == len(pairs) and "<<" not in entries:
            self._entries = entries
            self.duplicates: list[DuplicateKey] = _NO_DUPLICATES
            return
        entries = {}
        duplicates: list[DuplicateKey] = []
        merged: list[Node] = []
        for key, value in node.value:
            if key.value == "<<" and tag_of(key) == _MERGE_TAG:
                merged.append(value)
                continue
            if not isinstance(key, ScalarNode):
                continue  # complex keys never name a Kubernetes field
            previous = entries.get(key.value)
            if previous is not None:
                duplicates.append(DuplicateKey(key.value, previous[0], key))
            entries[key.value] = (key, value)
        if merged:
            for name, pair in _merged_entries(merged, 0).items():
                entries.setdefault(name, pair)
        self._entries = entries
        self.duplicates = duplicates

    def get(self, key: str) -> Node | None:
        pair = self._entries.get(key)
        return None if pair is None else pair[1]

    def key_node(self, key: str) -> Node | None:
        pair = self._entries.get(key)
        return None if pair is None else pair[0]

    def __contains__(self, key: str) -> bool:
        return key in self._entries

    def keys(self) -> Iterator[str]:
        return iter(self._entries)

    def text(self, key: str) -> str | None:
        """The value at ``key`` if it is a string scalar, else None."""
        return string_value(self.get(key))


def _merged_entries(
    sources: list[Node], depth: int, seen: set[int] | None = None
) -> dict[str, tuple[Node, Node]]:
    """Entries brought in by ``<<``: earlier sources win over later ones. A mapping merged in
    twice (through aliases) adds nothing the second time, so each is read once: a 'merge
    bomb' of nested aliases costs its size, not its expansion."""
    result: dict[str, tuple[Node, Node]] = {}
    if depth > _MAX_MERGE_DEPTH:
        return result
    seen = set() if seen is None else seen
    for source in sources:
        items = source.value if isinstance(source, SequenceNode) else [source]
        for item in items:
            if not isinstance(item, MappingNode) or id(item) in seen:
                continue
            seen.add(id(item))
            inner: list[Node] = []
            for key, value in item.value:
                if key.value == "<<" and tag_of(key) == _MERGE_TAG:
                    inner.append(value)
                elif isinstance(key, ScalarNode):
                    result.setdefault(key.value, (key, value))
            if inner:
                for name, pair in _merged_entries(inner, depth + 1, seen).items():
                    result.setdefault(name, pair)
    return result


def as_mapping(node: Node | None) -> Mapping | None:
    return Mapping(node) if isinstance(node, MappingNode) else None


def as_sequence(node: Node | None) -> list[Node]:
    return node.value if isinstance(node, SequenceNode) else []


def is_null(node: Node | None) -> bool:
    return node is None or (isinstance(node, ScalarNode) and tag_of(node) == _NULL_TAG)


def string_value(node: Node | None) -> str | None:
    """The text of a scalar that Kubernetes would decode as a string, else None."""
    if not isinstance(node, ScalarNode):
        return None
    value: str = node.value
    if node.style:  # quoted or block scalars are always strings
        return value
    if tag_of(node) != _STR_TAG or value in _YAML11_BOOLS:
        return None
    return value


def scalar_type(node: Node) -> str:
    """A word for what Kubernetes would decode ``node`` as, for messages."""
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    if string_value(node) is not None:
        return "a string"
    tag = tag_of(node).rsplit(":", 1)[-1]
    if tag == "str":  # a YAML 1.1 boolean such as yes/on
        return "a boolean"
    return {"int": "a number", "float": "a number", "bool": "a boolean", "null": "null"}.get(
        tag, f"a {tag} value"
    )


def value_start(node: Node, line_text: str | None) -> tuple[int, int, bool]:
    """0-based line and column of the first character of a scalar's value.

    The third item says whether string offsets map one to one onto source columns from there
    (true for single-line plain scalars and quoted scalars without escapes).
    """
    line, column = node.start_mark.line, node.start_mark.column
    if not isinstance(node, ScalarNode) or line_text is None:
        return line, column, False
    value = node.value
    if node.style in ('"', "'"):
        if line_text[column + 1 : column + 1 + len(value) + 1] == value + node.style:
            return line, column + 1, True
        return line, column + 1, False
    if not node.style and line_text[column : column + len(value)] == value:
        return line, column, True
    return line, column, False
