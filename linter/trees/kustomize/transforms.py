"""The transformers of a kustomization that change names and images: ``namespace``,
``namePrefix``/``nameSuffix``, ``images``; and the final ordering of a build.

Each new value remembers where it was written: a prefixed name is spliced from the
``namePrefix`` value and the original name; an image from an ``images:`` entry's ``newName``,
``newTag`` and ``digest`` lines and what it keeps of the original value.
"""

from __future__ import annotations

import re

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from imagelint.trees.kustomize.context import Run
from imagelint.trees.kustomize.kustomization import Kustomization
from imagelint.trees.kustomize.nodes import BROKEN, MATCHES_NOTHING, get, text, update_path
from imagelint.trees.kustomize.resources import Res
from imagelint.trees.origins import SplicedScalar, mapping, scalar, sequence, splice

Piece = tuple[str, Node, int]

# kustomize's prefix and suffix transformers leave these kinds' names alone.
_KEEP_NAME = frozenset({"Namespace", "CustomResourceDefinition", "APIService"})


def set_namespace(k: Kustomization, run: Run, ra: list[Res]) -> None:
    """``namespace``: set on every namespaced object; a Namespace object takes it as its name
    (so two Namespace objects in one build are an error in kustomize)."""
    node = k.get("namespace")
    value = text(node)
    if not value or node is None:
        return
    namespaces = 0
    for res in ra:
        if res.kind == "Namespace":
            namespaces += 1
            if res.name != value:
                res.rename(scalar(value, node))
        elif not res.cluster_scoped:
            res.move(value, node)
    if namespaces > 1:
        run.problem(
            node,
            BROKEN,
            f"kustomize stops: this namespace renames each of the {namespaces} Namespace "
            f"objects of the build to {value}, and they clash ('namespace transformation "
            "produces ID conflict'); keep one Namespace object",
        )


def add_prefix_suffix(k: Kustomization, ra: list[Res]) -> None:
    prefix_node, suffix_node = k.get("namePrefix"), k.get("nameSuffix")
    prefix, suffix = text(prefix_node) or "", text(suffix_node) or ""
    if not prefix and not suffix:
        return
    for res in ra:
        if res.kind in _KEEP_NAME:
            continue
        name_node = get(get(res.node, "metadata"), "name")
        if not isinstance(name_node, ScalarNode):
            continue
        pieces: list[Piece] = []
        if prefix and prefix_node is not None:
            pieces.append((prefix, prefix_node, 0))
        pieces.extend(part(name_node, 0, len(name_node.value)))
        if suffix and suffix_node is not None:
            pieces.append((suffix, suffix_node, 0))
        value = splice(pieces)
        res.rename(value)
        if prefix:
            res.prefixes = (prefix, *res.prefixes)
        if suffix:
            res.suffixes = (*res.suffixes, suffix)


def part(node: ScalarNode, start: int, end: int) -> list[Piece]:
    """The pieces of ``node.value[start:end]``, each with the node that wrote it."""
    if start >= end:
        return []
    if not isinstance(node, SplicedScalar):
        return [(node.value[start:end], node, start)]
    result: list[Piece] = []
    parts = node.parts
    for i, (begin, source, inner) in enumerate(parts):
        finish = parts[i + 1][0] if i + 1 < len(parts) else len(node.value)
        low, high = max(begin, start), min(finish, end)
        if low < high:
            result.append((node.value[low:high], source, inner + low - begin))
    return result


# -- images ------------------------------------------------------------------------------------


def split_image(value: str) -> tuple[int, int, int]:
    """kustomize's image.Split, as offsets: where the name ends, where the tag ends (the
    ':' and tag are value[name_end:tag_end]), and the digest is value[tag_end:] with its '@'."""
    slash = value.find("/")
    base = slash if slash > 0 else 0
    search = value[base:]
    at, colon = search.find("@"), search.find(":")
    if colon < 0 and at < 0:
        return len(value), len(value), len(value)
    if at >= 0 and (at < colon or colon < 0):
        return base + at, base + at, base + at
    if at >= 0 and colon >= 0:
        return base + colon, base + at, base + at
    return base + colon, len(value), len(value)


def image_matcher(name: str) -> re.Pattern[str]:
    """kustomize's IsImageMatched: the entry's name (a regular expression, as kustomize uses
    it) with an optional tag and sha256 digest."""
    tail = r"(?::[a-zA-Z0-9_.{}-]*)?(?:@sha256:[a-zA-Z0-9_.{}-]*)?\Z"
    try:
        return re.compile(f"(?:{name}){tail}")
    except re.error:
        return re.compile(re.escape(name) + tail)


class ImageEntry:
    """One ``images:`` entry."""

    __slots__ = ("node", "name", "matcher", "new_name", "new_tag", "digest", "hits")

    def __init__(self, node: Node) -> None:
        self.node = node
        self.name = text(get(node, "name")) or ""
        self.matcher = image_matcher(self.name)
        self.new_name = _value(get(node, "newName"))
        self.new_tag = _value(get(node, "newTag"))
        self.digest = _value(get(node, "digest"))
        self.hits = 0

    def rewrite(self, old: ScalarNode) -> ScalarNode:
        value = old.value
        name_end, tag_end, _ = split_image(value)
        pieces: list[Piece] = (
            [(self.new_name.value, self.new_name, 0)]
            if self.new_name is not None
            else part(old, 0, name_end)
        )
        if self.new_tag is not None or self.digest is not None:
            for separator, new in ((":", self.new_tag), ("@", self.digest)):
                if new is not None:
                    last = pieces[-1] if pieces else (separator, new, 0)
                    pieces.append((separator, last[1], last[2] + len(last[0])))
                    pieces.append((new.value, new, 0))
        else:
            pieces.extend(part(old, name_end, len(value)))
        return splice(pieces)


def _value(node: Node | None) -> ScalarNode | None:
    return node if isinstance(node, ScalarNode) and text(node) else None


def set_images(k: Kustomization, run: Run, ra: list[Res]) -> None:
    apply_images(k.entries("images"), run, ra)


def apply_image(entry_node: Node, run: Run, ra: list[Res]) -> None:
    """One ``images:`` entry (or a builtin ImageTagTransformer's ``imageTag``)."""
    apply_images([entry_node], run, ra)


def apply_images(entry_nodes: list[Node], run: Run, ra: list[Res]) -> None:
    """``images:`` entries, in order. kustomize applies each entry to every object before the
    next; an entry only changes the ``image`` of containers, each on its own, so applying all
    entries in turn to each container, in one walk of each object, gives the same images."""
    entries = [ImageEntry(node) for node in entry_nodes]
    usable = [entry for entry in entries if entry.name]
    if usable:
        for res in ra:
            if res.kind == "CustomResourceDefinition":
                continue
            node = _images_in(res.node, usable)
            if isinstance(node, MappingNode):
                res.node = node
    for entry in entries:
        if not entry.name:
            run.problem(entry.node, BROKEN, "kustomize stops: this images entry has no name")
        elif not entry.hits:
            name_node = get(entry.node, "name") or entry.node
            run.problem(
                name_node,
                MATCHES_NOTHING,
                f"no container image of this build matches {entry.name!r}: kustomize ignores "
                "this images entry without a word, so the override never happens; write the "
                "name as the image appears in the manifests (repository without tag)",
            )


_COLLECTIONS = (MappingNode, SequenceNode)
_CONTAINER_KEYS = ("containers", "initContainers")


def _images_in(node: Node, entries: list[ImageEntry]) -> Node:
    """``node`` with the images of every list under a ``containers`` or ``initContainers``
    key rewritten (kustomize's LegacyFilter looks everywhere in an object). Only mappings and
    lists are walked into, and copied only where something under them changed."""
    if isinstance(node, MappingNode):
        pairs: list[tuple[Node, Node]] | None = None
        for index, (key, value) in enumerate(node.value):
            new = value
            if isinstance(value, _COLLECTIONS):
                new = _images_in(value, entries)
                if isinstance(new, SequenceNode) and key.value in _CONTAINER_KEYS:
                    for entry in entries:
                        new = _container_images(new, entry)
            if pairs is None and new is not value:
                pairs = node.value[:index]
            if pairs is not None:
                pairs.append((key, new))
        return mapping(pairs, node) if pairs is not None else node
    if isinstance(node, SequenceNode):
        values: list[Node] | None = None
        for index, value in enumerate(node.value):
            new = _images_in(value, entries) if isinstance(value, _COLLECTIONS) else value
            if values is None and new is not value:
                values = node.value[:index]
            if values is not None:
                values.append(new)
        if values is not None:
            return sequence(values, node)
    return node


def _container_images(containers: SequenceNode, entry: ImageEntry) -> SequenceNode:
    values = list(containers.value)
    changed = False
    for i, container in enumerate(values):
        image = get(container, "image")
        if not isinstance(image, ScalarNode) or not isinstance(container, MappingNode):
            continue
        if entry.matcher.match(image.value) is None:
            continue
        entry.hits += 1
        new = entry.rewrite(image)
        if new is not image:
            pairs = [(k, new if v is image else v) for k, v in container.value]
            values[i] = mapping(pairs, container)
            changed = True
    return sequence(values, containers) if changed else containers


# -- ordering ----------------------------------------------------------------------------------

_FIRST = (
    "Namespace ResourceQuota StorageClass CustomResourceDefinition ServiceAccount "
    "PodSecurityPolicy Role ClusterRole RoleBinding ClusterRoleBinding ConfigMap Secret "
    "Endpoints Service LimitRange PriorityClass PersistentVolume PersistentVolumeClaim "
    "Deployment StatefulSet CronJob PodDisruptionBudget"
).split()
_LAST = ("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration")


def legacy_order(ra: list[Res]) -> list[Res]:
    """kustomize's default ("legacy") output order: kinds in its fixed order (others between
    the first and the last ones), then by group_version_kind, namespace and name."""
    ranks = {kind: i - len(_FIRST) for i, kind in enumerate(_FIRST)}
    ranks.update({kind: 1 + i for i, kind in enumerate(_LAST)})

    def key(res: Res) -> tuple[int, str, str]:
        gvk = "_".join((res.group or "~G", res.version or "~V", res.kind or "~K"))
        return (ranks.get(res.kind, 0), gvk, f"{res.namespace or '~X'}|{res.name or '~N'}")

    return sorted(ra, key=key)


# -- labels and annotations (only as far as label selectors of later patches need) ------------


def add_metadata(k: Kustomization, ra: list[Res]) -> None:
    """``commonLabels``, ``labels`` and ``commonAnnotations`` on each object's metadata
    (kustomize also writes labels into selectors and templates; nothing here reads those)."""
    labels: list[tuple[Node, Node]] = []
    common = k.get("commonLabels")
    if isinstance(common, MappingNode):
        labels.extend(common.value)
    for entry in k.entries("labels"):
        pairs = get(entry, "pairs")
        if isinstance(pairs, MappingNode):
            labels.extend(pairs.value)
    annotations = k.get("commonAnnotations")
    _add_pairs(ra, "labels", labels)
    if isinstance(annotations, MappingNode):
        _add_pairs(ra, "annotations", list(annotations.value))


def _add_pairs(ra: list[Res], field: str, pairs: list[tuple[Node, Node]]) -> None:
    if not pairs:
        return

    def change(old: Node | None) -> Node:
        return _merged(old, pairs)

    for res in ra:
        node = update_path(res.node, ("metadata", field), change)
        if isinstance(node, MappingNode):
            res.node = node


def _merged(old: Node | None, pairs: list[tuple[Node, Node]]) -> Node:
    keys = {k.value for k, _ in pairs}
    kept = [p for p in old.value if p[0].value not in keys] if isinstance(old, MappingNode) else []
    return mapping(kept + list(pairs), old if old is not None else pairs[0][0])
