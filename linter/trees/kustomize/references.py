"""Name references, fixed once at the end of a build as kustomize does (``FixBackReferences``):
a pod's ``imagePullSecrets``, ``serviceAccountName``, Secret and ConfigMap volumes and env
references, and a ServiceAccount's ``imagePullSecrets`` and ``secrets``, follow the object they
name through its prefix, suffix and hash suffix.

A reference names an object by any name it had; it follows an object of the referrer's
namespace (or a cluster-scoped one). When several qualify, the one with the referrer's
prefixes and suffixes wins, as in kustomize; still several with different names, it is left.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from imagelint.trees.kustomize.nodes import get, items
from imagelint.trees.kustomize.resources import Res, effective
from imagelint.trees.origins import mapping, scalar, sequence

# Where each kind keeps its pod spec.
POD_SPEC = {
    "Pod": ("spec",),
    "Deployment": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "ReplicationController": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}
_CONTAINERS = ("containers", "initContainers", "ephemeralContainers")


class _Index:
    """Objects by (kind, any name they had); ``renamed``: (kind, name) of the names an object
    had before its current one (only a reference to one of those can change)."""

    def __init__(self, ra: list[Res]) -> None:
        self.by_name: dict[tuple[str, str], list[Res]] = {}
        self.renamed: set[tuple[str, str]] = set()
        self.kinds: set[str] = set()  # the kinds of the names in ``renamed``
        for res in ra:
            for name in {ident[4] for ident in res.prev} | {res.name}:
                self.by_name.setdefault((res.kind, name), []).append(res)
                if name != res.name:
                    self.renamed.add((res.kind, name))
                    self.kinds.add(res.kind)

    def target(self, referrer: Res, kind: str, old: str) -> str | None:
        if (kind, old) not in self.renamed:
            # Every object that ever had this name has it still: the reference stays.
            return None
        candidates = [
            c
            for c in self.by_name.get((kind, old), ())
            if c.cluster_scoped or effective(c.namespace) == effective(referrer.namespace)
        ]
        if len(candidates) > 1:
            same = [
                c
                for c in candidates
                if c.prefixes == referrer.prefixes and c.suffixes == referrer.suffixes
            ]
            candidates = same or candidates
        names = {c.name for c in candidates}
        return names.pop() if len(names) == 1 else None


def fix_references(ra: list[Res]) -> None:
    index = _Index(ra)
    if not index.renamed:
        return  # no object had another name: every reference stays
    for res in ra:
        if res.kind == "ServiceAccount":
            if "Secret" not in index.kinds:
                continue
            node: Node = res.node
            for field in ("imagePullSecrets", "secrets"):
                node = _in_list(node, field, "name", res, "Secret", index)
            if isinstance(node, MappingNode):
                res.node = node
            continue
        path = POD_SPEC.get(res.kind)
        if path is None:
            continue
        spec = _at(res.node, path)
        if not isinstance(spec, MappingNode):
            continue
        new = _fix_pod_spec(spec, res, index)
        if new is not spec:
            node = _replace_at(res.node, path, new)
            if isinstance(node, MappingNode):
                res.node = node


def _fix_pod_spec(spec: MappingNode, res: Res, index: _Index) -> Node:
    kinds = index.kinds
    node: Node = spec
    if "Secret" in kinds:
        node = _in_list(node, "imagePullSecrets", "name", res, "Secret", index)
    account = get(node, "serviceAccountName")
    if isinstance(account, ScalarNode):
        new = index.target(res, "ServiceAccount", account.value)
        if new is not None and new != account.value:
            node = _set(node, "serviceAccountName", scalar(new, account))
    volumes = get(node, "volumes")
    if isinstance(volumes, SequenceNode) and not kinds.isdisjoint(_VOLUME_KINDS):
        fixed = _map_items(volumes, lambda v: _fix_volume(v, res, index))
        if fixed is not volumes:
            node = _set(node, "volumes", fixed)
    if "Secret" not in kinds and "ConfigMap" not in kinds:
        return node  # what containers name (env, envFrom) is neither renamed
    for field in _CONTAINERS:
        containers = get(node, field)
        if isinstance(containers, SequenceNode):
            fixed = _map_items(containers, lambda c: _fix_container(c, res, index))
            if fixed is not containers:
                node = _set(node, field, fixed)
    return node


_VOLUME_REFS = (
    (("secret", "secretName"), "Secret"),
    (("configMap", "name"), "ConfigMap"),
    (("persistentVolumeClaim", "claimName"), "PersistentVolumeClaim"),
)
_VOLUME_KINDS = frozenset(kind for _path, kind in _VOLUME_REFS)


def _fix_volume(volume: Node, res: Res, index: _Index) -> Node:
    for path, kind in _VOLUME_REFS:
        volume = _fix_scalar(volume, path, kind, res, index)
    projected = get(volume, "projected")
    sources = get(projected, "sources")
    if isinstance(sources, SequenceNode):

        def source(item: Node) -> Node:
            item = _fix_scalar(item, ("secret", "name"), "Secret", res, index)
            return _fix_scalar(item, ("configMap", "name"), "ConfigMap", res, index)

        fixed = _map_items(sources, source)
        volume = _replace_at(volume, ("projected", "sources"), fixed)
    return volume


def _fix_container(container: Node, res: Res, index: _Index) -> Node:
    env = get(container, "env")
    if isinstance(env, SequenceNode):

        def variable(item: Node) -> Node:
            if not isinstance(get(item, "valueFrom"), MappingNode):
                return item  # a value written out: no reference
            item = _fix_scalar(item, ("valueFrom", "secretKeyRef", "name"), "Secret", res, index)
            return _fix_scalar(
                item, ("valueFrom", "configMapKeyRef", "name"), "ConfigMap", res, index
            )

        fixed = _map_items(env, variable)
        if fixed is not env:
            container = _set(container, "env", fixed)
    env_from = get(container, "envFrom")
    if isinstance(env_from, SequenceNode):

        def source(item: Node) -> Node:
            item = _fix_scalar(item, ("secretRef", "name"), "Secret", res, index)
            return _fix_scalar(item, ("configMapRef", "name"), "ConfigMap", res, index)

        fixed = _map_items(env_from, source)
        if fixed is not env_from:
            container = _set(container, "envFrom", fixed)
    return container


def _fix_scalar(node: Node, path: tuple[str, ...], kind: str, res: Res, index: _Index) -> Node:
    value = _at(node, path)
    if not isinstance(value, ScalarNode) or (kind, value.value) not in index.renamed:
        return node
    new = index.target(res, kind, value.value)
    if new is None or new == value.value:
        return node
    return _replace_at(node, path, scalar(new, value))


def _in_list(node: Node, field: str, key: str, res: Res, kind: str, index: _Index) -> Node:
    values = get(node, field)
    if not isinstance(values, SequenceNode):
        return node
    path = (key,)
    fixed: list[Node] | None = None
    for position, item in enumerate(values.value):
        new = _fix_scalar(item, path, kind, res, index)
        if fixed is None and new is not item:
            fixed = values.value[:position]
        if fixed is not None:
            fixed.append(new)
    return node if fixed is None else _set(node, field, sequence(fixed, values))


def _map_items(node: SequenceNode, change: Callable[[Node], Node]) -> SequenceNode:
    values: list[Node] | None = None
    for position, item in enumerate(node.value):
        new = change(item)
        if values is None and new is not item:
            values = node.value[:position]
        if values is not None:
            values.append(new)
    return node if values is None else sequence(values, node)


def _at(node: Node | None, path: tuple[str, ...]) -> Node | None:
    for key in path:
        node = get(node, key)
    return node


def _set(node: Node, key: str, value: Node) -> Node:
    if not isinstance(node, MappingNode) or get(node, key) is value:
        return node
    return mapping([(k, value if k.value == key else v) for k, v in node.value], node)


def _replace_at(node: Node, path: tuple[str, ...], value: Node) -> Node:
    if not path:
        return value
    inner = get(node, path[0])
    if inner is None:
        return node
    return _set(node, path[0], _replace_at(inner, path[1:], value))


def referenced_secrets(res: Res) -> Iterator[Node]:
    """(For tests) the pull-secret name nodes of an object."""
    path = POD_SPEC.get(res.kind)
    holder = res.node if res.kind == "ServiceAccount" else _at(res.node, path or ())
    for item in items(get(holder, "imagePullSecrets")):
        name = get(item, "name")
        if name is not None:
            yield name
