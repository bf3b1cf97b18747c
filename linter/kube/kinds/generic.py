"""Custom resources of kinds imagelint has no table for: a walk through the object's ``spec``
(and a top-level ``template``) for values shaped like what runs pods.

- a mapping with a ``containers`` list of mappings is a pod spec: read as one (its images, its
  ``imagePullSecrets`` and node selection), and not walked further;
- a list of mappings of which at least one has a ``name`` and a string ``image`` is a list of
  containers (a Tekton-like ``steps``): its images are read, without a pod for the pull-secret
  and platform checks, since the operator that runs them decides those.

Nothing else counts: a lone ``image`` key is too often something else (a VM image, a Ceph RBD
image, a chart value). Never walked: ``status``; patches, overlays and policy rules (``patches``,
``overlays``, ``mutate``...), which describe changes to other objects; schemas; data; Helm values;
an RBD volume. Never read at all: Kubernetes' own API groups (the kinds table is complete there:
a CustomResourceDefinition's schema or a ConfigMap's data hold no pods) and policy engines'
kinds (Kyverno, Gatekeeper), whose containers are patterns to match or patches to apply.
The walk is bounded in depth and in the number of values it visits.
"""

from __future__ import annotations

from collections.abc import Iterator

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from imagelint.kube.kinds.base import ImageUse, PodSpec, container_image, pod_spec_images
from imagelint.kube.objects import KubeObject
from imagelint.reading.yamlnodes import DuplicateKey, Mapping, string_value

MAX_DEPTH = 14
MAX_NODES = 5000  # mappings and lists visited in one object
_BUILTIN_GROUPS = frozenset({"", "apps", "batch", "extensions", "autoscaling", "policy"})
_POLICY_GROUPS = frozenset(
    {
        "kyverno.io",
        "templates.gatekeeper.sh",
        "constraints.gatekeeper.sh",
        "mutations.gatekeeper.sh",
        "expansion.gatekeeper.sh",
        "config.kubernetes.io",  # a KRM function's ResourceList
        "kustomize.config.k8s.io",
    }
)
SKIPPED_KEYS = frozenset(
    {
        "status",
        "patches",
        "patch",
        "patchesJson6902",
        "patchesStrategicMerge",
        "patchStrategicMerge",
        "jsonPatches",
        "overlays",
        "mutate",
        "validate",
        "validation",
        "generate",
        "preconditions",
        "match",
        "exclude",
        "schema",
        "openAPIV3Schema",
        "data",
        "stringData",
        "binaryData",
        "values",
        "valuesContent",
        "rbd",
    }
)


def applies(group: str) -> bool:
    """Whether objects of this API group get the walk."""
    return not (
        group in _BUILTIN_GROUPS
        or group.endswith(".k8s.io")
        or group in _POLICY_GROUPS
        or group.endswith(".kyverno.io")
    )


def images(obj: KubeObject, duplicates: list[DuplicateKey]) -> Iterator[ImageUse]:
    budget = [MAX_NODES]
    for key in ("spec", "template"):
        node = obj.mapping.get(key)
        if isinstance(node, (MappingNode, SequenceNode)):
            yield from _walk(obj, node, obj.field(key), 0, budget, duplicates)


def _walk(
    obj: KubeObject,
    node: Node,
    field: str,
    depth: int,
    budget: list[int],
    duplicates: list[DuplicateKey],
) -> Iterator[ImageUse]:
    budget[0] -= 1
    if budget[0] < 0 or depth > MAX_DEPTH:
        return
    if isinstance(node, SequenceNode):
        for index, item in enumerate(node.value):
            if isinstance(item, (MappingNode, SequenceNode)):
                yield from _walk(obj, item, f"{field}[{index}]", depth + 1, budget, duplicates)
        return
    if not isinstance(node, MappingNode):
        return
    pairs = node.value
    for key, value in pairs:
        if key.value == "containers" and _is_pod_spec(value):
            mapping = Mapping(node)
            duplicates.extend(mapping.duplicates)
            yield from pod_spec_images(PodSpec(obj, mapping, field, False), duplicates)
            return
    holder: Mapping | None = None
    for key, value in pairs:
        name = key.value
        if budget[0] < 0:
            return
        if not isinstance(key, ScalarNode) or name in SKIPPED_KEYS:
            continue
        child_field = f"{field}.{name}"
        if isinstance(value, SequenceNode) and _is_container_list(value):
            if holder is None:
                holder = Mapping(node)
                duplicates.extend(holder.duplicates)
            # The operator that runs these decides the pod's pull secrets and nodes.
            pod = PodSpec(obj, holder, field, False, known=False)
            for index, item in enumerate(value.value):
                use = container_image(pod, item, f"{child_field}[{index}]", duplicates)
                if use is not None:
                    yield use
        elif isinstance(value, (MappingNode, SequenceNode)):
            yield from _walk(obj, value, child_field, depth + 1, budget, duplicates)


def _is_pod_spec(value: Node) -> bool:
    return (
        isinstance(value, SequenceNode)
        and bool(value.value)
        and all(isinstance(item, MappingNode) for item in value.value)
    )


def _is_container_list(value: SequenceNode) -> bool:
    """A list of mappings, one of them with a ``name`` and a string ``image``."""
    for item in value.value:
        if not isinstance(item, MappingNode):
            return False
        keys = {key.value: child for key, child in item.value if isinstance(key, ScalarNode)}
        if "name" in keys and string_value(keys.get("image")) is not None:
            return True
    return False
