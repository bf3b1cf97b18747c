"""Field path expressions: ``spec.steps[*].image``, ``spec.tfReplicaSpecs.*.template.spec``.

Keys are separated by dots; ``[*]`` after a key stands for every item of the list there, ``[N]``
for its item N (from 0), and a key ``*`` for every value of the mapping there. The kinds' tables
and the ``image-fields`` option are written in them; a match comes with the path it was found
at, indices and keys filled in (``spec.steps[2].image``), which is the ``field`` of a finding.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator

from ruamel.yaml.nodes import MappingNode, Node

from imagelint.core.patterns import pattern
from imagelint.reading.yamlnodes import DuplicateKey, Mapping, as_sequence

# ("key", name), ("each", ""): every list item, ("index", "N"), ("values", ""): every value.
Step = tuple[str, str]
_SEGMENT = r"([^.\[\]]+)((?:\[(?:\*|[0-9]+)\])*)"
_SUBSCRIPT = r"\[(\*|[0-9]+)\]"


class PathError(ValueError):
    """A path expression that does not parse."""


@functools.cache
def parse(expression: str) -> tuple[Step, ...]:
    """The steps of a path expression (cached: the tables' paths are parsed on first use)."""
    steps: list[Step] = []
    for segment in expression.split("."):
        if segment and "[" not in segment and "]" not in segment:  # a key (or *) alone
            steps.append(("values", "") if segment == "*" else ("key", segment))
            continue
        match = pattern(_SEGMENT).fullmatch(segment)
        if match is None:
            raise PathError(f"{expression!r}: cannot read {segment!r} (keys, [*], [N] or *)")
        key, subscripts = match.groups()
        steps.append(("values", "") if key == "*" else ("key", key))
        for item in pattern(_SUBSCRIPT).findall(subscripts):
            steps.append(("each", "") if item == "*" else ("index", item))
    return tuple(steps)


def resolve(
    node: Node, steps: tuple[Step, ...], field: str, duplicates: list[DuplicateKey]
) -> Iterator[tuple[Node, Mapping | None, str]]:
    """Every node ``steps`` lead to from ``node``: (the node, the mapping that holds it when
    the last step is a key, its path). ``field`` is the path of ``node``; repeated keys met on
    the way are noted in ``duplicates``."""
    if not steps:
        yield node, None, field
        return
    kind, value = steps[0]
    rest = steps[1:]
    if kind == "key" or kind == "values":
        if not isinstance(node, MappingNode):
            return
        mapping = Mapping(node)
        duplicates.extend(mapping.duplicates)
        if kind == "key":
            child = mapping.get(value)
            if child is None:
                return
            child_field = f"{field}.{value}" if field else value
            if not rest:
                yield child, mapping, child_field
                return
            yield from resolve(child, rest, child_field, duplicates)
            return
        for key in list(mapping.keys()):
            child = mapping.get(key)
            if child is not None:
                key_field = f"{field}.{key}" if field else key
                if not rest:
                    yield child, mapping, key_field
                else:
                    yield from resolve(child, rest, key_field, duplicates)
        return
    items = as_sequence(node)
    indices = range(len(items)) if kind == "each" else [int(value)]
    for index in indices:
        if index < len(items):
            yield from resolve(items[index], rest, f"{field}[{index}]", duplicates)
