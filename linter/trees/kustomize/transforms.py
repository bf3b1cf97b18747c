"""The transformers of a kustomization that change names and images: ``namespace``,
``namePrefix``/``nameSuffix``, ``images``; and the final ordering of a build.

Each new value remembers where it was written: a prefixed name is spliced from the
``namePrefix`` value and the original name; an image from an ``images:`` entry's ``newName``,
``newTag`` and ``digest`` lines and what it keeps of the original value.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from imagelint.core.patterns import pattern
from imagelint.trees.kustomize.context import Run
from imagelint.trees.kustomize.kustomization import Kustomization
from imagelint.trees.kustomize.nodes import BROKEN, MATCHES_NOTHING, get, text, update_path
from imagelint.trees.kustomize.resources import Res
from imagelint.trees.origins import MADE, SplicedScalar, mapping, scalar, sequence, splice

Piece = tuple[str, Node, int]

# kustomize's prefix and suffix transformers leave these kinds' names alone.
_KEEP_NAME = frozenset({"Namespace", "CustomResourceDefinition", "APIService"})


def set_namespace_and_affixes(k: Kustomization, run: Run, ra: list[Res]) -> None:
    """``namespace``, then ``namePrefix``/``nameSuffix``, as kustomize runs them one after
    the other; each object's metadata is written once for both.

    ``namespace`` is set on every namespaced object; a Namespace object takes it as its name
    (so two Namespace objects in one build are an error in kustomize). A prefix and a suffix
    are spliced around the name (some kinds keep theirs)."""
    node = k.get("namespace")
    value = text(node)
    if not value:
        node = None
    prefix_node, suffix_node = k.get("namePrefix"), k.get("nameSuffix")
    prefix, suffix = text(prefix_node) or "", text(suffix_node) or ""
    if node is None and not prefix and not suffix:
        return
    namespaces = 0
    # One node for every object (nodes are never changed, so shared as a base's are).
    written = scalar(value, node) if node is not None and value is not None else None
    for res in ra:
        namespace: ScalarNode | None = None
        name: ScalarNode | None = None
        if written is not None:
            if res.kind == "Namespace":
                namespaces += 1
                if res.name != written.value:
                    name = written
            elif not res.cluster_scoped:
                namespace = written
        if (prefix or suffix) and res.kind not in _KEEP_NAME:
            name = _affixed(res, prefix, prefix_node, suffix, suffix_node)
        res.move_and_rename(namespace, name)
    if namespaces > 1 and node is not None:
        run.problem(
            node,
            BROKEN,
            f"kustomize stops: this namespace renames each of the {namespaces} Namespace "
            f"objects of the build to {value}, and they clash ('namespace transformation "
            "produces ID conflict'); keep one Namespace object",
        )


def _affixed(
    res: Res, prefix: str, prefix_node: Node | None, suffix: str, suffix_node: Node | None
) -> ScalarNode | None:
    """The object's name with the prefix and suffix, spliced (None: it has no name); the
    object remembers them (references follow an object with the referrer's)."""
    name_node = get(get(res.node, "metadata"), "name")
    if not isinstance(name_node, ScalarNode):
        return None
    pieces: list[Piece] = []
    if prefix and prefix_node is not None:
        pieces.append((prefix, prefix_node, 0))
    pieces.extend(part(name_node, 0, len(name_node.value)))
    if suffix and suffix_node is not None:
        pieces.append((suffix, suffix_node, 0))
    if prefix:
        res.prefixes = (prefix, *res.prefixes)
    if suffix:
        res.suffixes = (*res.suffixes, suffix)
    return splice(pieces)


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


def image_matcher(name: str) -> Callable[[str], bool]:
    """kustomize's IsImageMatched: whether an image is the entry's name (a regular
    expression, as kustomize uses it) with an optional tag and sha256 digest."""
    if _SYNTAX.isdisjoint(name):
        # Literal characters and '.' only (most names: registry.acme.io/shop/app): matched
        # as the expression would match them, without compiling one per name.
        return functools.partial(_plain_match, name)
    tail = _TAIL
    try:
        pattern = re.compile(f"(?:{name}){tail}")
    except re.error:
        pattern = re.compile(re.escape(name) + tail)
    return lambda value: pattern.match(value) is not None


_TAIL = r"(?::[a-zA-Z0-9_.{}-]*)?(?:@sha256:[a-zA-Z0-9_.{}-]*)?\Z"
# What a name without regular-expression syntax (but '.', any character) does not hold.
_SYNTAX = frozenset("\\^$*+?{}[]|()\n")


def _plain_match(name: str, value: str) -> bool:
    """``re.match("(?:" + name + ")" + tail, value)`` for a name without _SYNTAX."""
    size = len(name)
    if len(value) < size:
        return False
    if "." in name:
        for expected, got in zip(name, value[:size], strict=True):
            if got != expected and (expected != "." or got == "\n"):
                return False
    elif not value.startswith(name):
        return False
    return pattern(_TAIL).match(value, size) is not None


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
        walk = _ImageWalk(usable, run.cache.no_containers)
        for res in ra:
            if res.kind == "CustomResourceDefinition":
                continue
            node, _holds = walk.rewrite(res.node)
            if node is not res.node and isinstance(node, MappingNode):
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


class _ImageWalk:
    """Rewrites the images of every list under a ``containers`` or ``initContainers`` key
    of an object (kustomize's LegacyFilter looks everywhere in an object). Only mappings and
    lists are walked into, and copied only where something under them changed.

    ``memo``: id -> node, for the run, of the nodes composed from files with no such key in
    or below them: a file's nodes are shared by every build that uses the file (a base's by
    all its overlays), so a part of a file without containers is walked once a run. Nodes a
    builder made belong to one build and are walked each time."""

    __slots__ = ("entries", "memo")

    def __init__(self, entries: list[ImageEntry], memo: dict[int, Node]) -> None:
        self.entries = entries
        self.memo = memo

    def rewrite(self, node: Node) -> tuple[Node, bool]:
        """``node`` with its containers' images rewritten (itself if none changed), and
        whether a ``containers`` or ``initContainers`` key is in or below it."""
        memo = self.memo
        made = type(node) in MADE
        if not made and memo.get(id(node)) is node:
            return node, False
        original, holds = node, False
        if isinstance(node, MappingNode):
            pairs: list[tuple[Node, Node]] | None = None
            for index, (key, value) in enumerate(node.value):
                new = value
                # (a part of a file known to hold no containers is passed over here)
                if isinstance(value, _COLLECTIONS) and memo.get(id(value)) is not value:
                    new, below = self.rewrite(value)
                    holds = holds or below
                if key.value in _CONTAINER_KEYS:
                    holds = True
                    if isinstance(new, SequenceNode):
                        for entry in self.entries:
                            new = _container_images(new, entry)
                if pairs is None and new is not value:
                    pairs = node.value[:index]
                if pairs is not None:
                    pairs.append((key, new))
            if pairs is not None:
                node = mapping(pairs, node)
        elif isinstance(node, SequenceNode):
            values: list[Node] | None = None
            for index, value in enumerate(node.value):
                new = value
                if isinstance(value, _COLLECTIONS) and memo.get(id(value)) is not value:
                    new, below = self.rewrite(value)
                    holds = holds or below
                if values is None and new is not value:
                    values = node.value[:index]
                if values is not None:
                    values.append(new)
            if values is not None:
                node = sequence(values, node)
        if not made and not holds:
            memo[id(original)] = original
        return node, holds


def _container_images(containers: SequenceNode, entry: ImageEntry) -> SequenceNode:
    values = list(containers.value)
    changed = False
    for i, container in enumerate(values):
        image = get(container, "image")
        if not isinstance(image, ScalarNode) or not isinstance(container, MappingNode):
            continue
        if not entry.matcher(image.value):
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


_RANKS = {kind: i - len(_FIRST) for i, kind in enumerate(_FIRST)}
_RANKS.update({kind: 1 + i for i, kind in enumerate(_LAST)})


def legacy_order(ra: list[Res]) -> list[Res]:
    """kustomize's default ("legacy") output order: kinds in its fixed order (others between
    the first and the last ones), then by group_version_kind, namespace and name."""
    ranks = _RANKS

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
