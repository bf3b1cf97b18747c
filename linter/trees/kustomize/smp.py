"""Strategic merge patches, as kustomize v5 applies them (kyaml's merge2).

A mapping merges key by key; ``null`` removes a key; a list whose patch elements all carry one
of kyaml's associative keys (``name`` for containers, imagePullSecrets, env and volumes;
``containerPort``; ``mountPath``...) merges element by element on that key, elements ordered as Kubernetes orders them; any other list, and any scalar, is replaced. Directives: ``$patch: delete`` (on the
whole patch: delete the object; on a list element: delete the matching element; on a
mapping: remove it), ``$patch: replace`` (the mapping or list replaces the original's); other
``$`` keys (``$setElementOrder/...``, ``$retainKeys``) are dropped.
"""

from __future__ import annotations

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from imagelint.trees.kustomize.nodes import get, is_null_value, text
from imagelint.trees.origins import mapping, sequence

# kyaml's AssociativeSequenceKeys, in its order: a list of mappings that all have one of these
# merges on it when no schema says otherwise.
ASSOCIATIVE_KEYS = ("mountPath", "devicePath", "ip", "type", "topologyKey", "name", "containerPort")

DELETE = object()  # what merging a '$patch: delete' mapping gives


def directive(node: Node | None) -> str | None:
    if not isinstance(node, MappingNode):
        return None
    for key, _value in node.value:  # (most mappings have no "$" key: one look at each)
        if key.value == "$patch":
            return text(get(node, "$patch"))  # the last one, as get reads a repeated key
    return None


def merge(original: Node, patch: Node, keyed: bool = True) -> Node | object:
    """``original`` with ``patch`` merged in (new nodes; neither is changed), or DELETE.
    ``keyed``: lists may merge on their keys (kustomize knows the kind's schema: a built-in
    Kubernetes kind); for other kinds, custom resources, every list is replaced."""
    if isinstance(patch, MappingNode):
        mode = directive(patch)
        if mode == "delete":
            return DELETE
        if mode == "replace" or not isinstance(original, MappingNode):
            return _clean(patch)
        return _merge_maps(original, patch, keyed)
    if isinstance(patch, SequenceNode) and isinstance(original, SequenceNode):
        return _merge_lists(original, patch, keyed)
    if isinstance(patch, SequenceNode):
        return _clean(patch)
    return patch


def _merge_maps(original: MappingNode, patch: MappingNode, keyed: bool) -> MappingNode:
    pairs = list(original.value)
    removed: set[int] = set()
    for key, value in patch.value:
        name = key.value if isinstance(key, ScalarNode) else None
        if name is None or name.startswith("$"):
            continue
        at = _last(pairs, name)
        if isinstance(value, ScalarNode) and is_null_value(value):
            if at is not None:
                removed.add(at)
            continue
        if at is None:
            cleaned = _clean(value)
            if cleaned is not DELETE:
                pairs.append((key, cleaned))
            continue
        merged = merge(pairs[at][1], value, keyed)
        if merged is DELETE:
            removed.add(at)
        else:
            pairs[at] = (pairs[at][0], merged)
    if removed:
        pairs = [p for i, p in enumerate(pairs) if i not in removed]
    return mapping(pairs, original)


def _last(pairs: list[tuple[Node, Node]], name: str) -> int | None:
    """Where the last key ``name`` is among ``pairs`` (scalar keys only), if anywhere."""
    at = len(pairs)
    while at:
        at -= 1
        key = pairs[at][0]
        if key.value == name and isinstance(key, ScalarNode):
            return at
    return None


def _keys(node: MappingNode) -> set[str]:
    return {k.value for k, _v in node.value if isinstance(k, ScalarNode)}


def _list_key(elements: list[Node]) -> str | None:
    mappings = [e for e in elements if isinstance(e, MappingNode) and directive(e) != "replace"]
    if not mappings or len(mappings) != len(elements):
        return None
    # (a key is there when get() finds it: a scalar key of that name, whatever its value)
    keys = [_keys(e) for e in mappings if isinstance(e, MappingNode)]
    for key in ASSOCIATIVE_KEYS:
        if all(key in present for present in keys):
            return key
    return None


def _merge_lists(original: SequenceNode, patch: SequenceNode, keyed: bool) -> Node:
    """A list merged on its associative key, ordered as Kubernetes' strategic merge orders it
    (apimachinery's mergeSortedSlice): the patch's elements in the patch's order, the
    original's other elements in theirs, each of those placed before the first patch element
    that comes after it in the original."""
    elements = list(patch.value)
    if any(directive(e) == "replace" for e in elements):
        return sequence([_clean(e) for e in elements if directive(e) != "replace"], patch)
    key = _list_key(elements) if keyed else None
    if key is None:
        return _clean(patch)
    originals = list(original.value)
    order: dict[str | None, int] = {}
    for i, item in enumerate(originals):
        order.setdefault(text(get(item, key)), i)
    mentioned: set[str | None] = set()
    patched: list[tuple[Node, int]] = []  # (element, its place in the original, or -1)
    for element in elements:
        wanted = text(get(element, key))
        mentioned.add(wanted)
        at = order.get(wanted)
        if directive(element) == "delete":
            continue
        if at is None:
            patched.append((_clean(element), -1))
            continue
        merged = merge(originals[at], element, keyed)
        if merged is not DELETE:
            assert isinstance(merged, Node)
            patched.append((merged, at))
    kept = [
        (item, i)
        for i, item in enumerate(originals)
        if not (isinstance(item, MappingNode) and text(get(item, key)) in mentioned)
    ]
    result: list[Node] = []
    i = j = 0
    while i < len(kept) or j < len(patched):
        if j >= len(patched) or (
            i < len(kept) and patched[j][1] >= 0 and kept[i][1] < patched[j][1]
        ):
            result.append(kept[i][0])
            i += 1
        else:
            result.append(patched[j][0])
            j += 1
    return sequence(result, original)


def _clean(node: Node) -> Node:
    """A patch value as it lands in the object: directives and null entries dropped (the
    node itself where there are none, in it or under it)."""
    if isinstance(node, MappingNode):
        pairs: list[tuple[Node, Node]] | None = None
        for index, (key, value) in enumerate(node.value):
            dropped = (isinstance(key, ScalarNode) and key.value.startswith("$")) or (
                isinstance(value, ScalarNode) and is_null_value(value)
            )
            new = value if dropped or isinstance(value, ScalarNode) else _clean(value)
            if pairs is None and (dropped or new is not value):
                pairs = node.value[:index]
            if pairs is not None and not dropped:
                pairs.append((key, new))
        return node if pairs is None else mapping(pairs, node)
    if isinstance(node, SequenceNode):
        values: list[Node] | None = None
        for index, item in enumerate(node.value):
            if isinstance(item, ScalarNode):
                dropped, new = False, item
            else:
                dropped = directive(item) == "delete"
                new = item if dropped else _clean(item)
            if values is None and (dropped or new is not item):
                values = node.value[:index]
            if values is not None and not dropped:
                values.append(new)
        return node if values is None else sequence(values, node)
    return node
