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
    return text(get(node, "$patch")) if isinstance(node, MappingNode) else None


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
    index = {k.value: i for i, (k, _v) in enumerate(pairs) if isinstance(k, ScalarNode)}
    removed: set[int] = set()
    for key, value in patch.value:
        name = key.value if isinstance(key, ScalarNode) else None
        if name is None or name.startswith("$"):
            continue
        at = index.get(name)
        if is_null_value(value):
            if at is not None:
                removed.add(at)
            continue
        if at is None:
            cleaned = _clean(value)
            if cleaned is not DELETE:
                index[name] = len(pairs)
                pairs.append((key, cleaned))
            continue
        merged = merge(pairs[at][1], value, keyed)
        if merged is DELETE:
            removed.add(at)
        else:
            pairs[at] = (pairs[at][0], merged)
    return mapping([p for i, p in enumerate(pairs) if i not in removed], original)


def _list_key(elements: list[Node]) -> str | None:
    mappings = [e for e in elements if isinstance(e, MappingNode) and directive(e) != "replace"]
    if not mappings or len(mappings) != len(elements):
        return None
    for key in ASSOCIATIVE_KEYS:
        if all(get(e, key) is not None for e in mappings):
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
    """A patch value as it lands in the object: directives and null entries dropped."""
    if isinstance(node, MappingNode):
        if not any(
            isinstance(k, ScalarNode) and (k.value.startswith("$") or is_null_value(v))
            for k, v in node.value
        ) and all(isinstance(v, ScalarNode) for _k, v in node.value):
            return node
        pairs = [
            (k, _clean(v))
            for k, v in node.value
            if not (isinstance(k, ScalarNode) and k.value.startswith("$")) and not is_null_value(v)
        ]
        return mapping(pairs, node)
    if isinstance(node, SequenceNode):
        if all(isinstance(e, ScalarNode) for e in node.value):
            return node
        return sequence([_clean(e) for e in node.value if directive(e) != "delete"], node)
    return node
