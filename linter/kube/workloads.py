"""Kubernetes objects to pod specs, containers and the images they pull.

Known kinds are read at their exact pod-spec path; any other kind gets a generic search for a
pod-spec-shaped ``containers`` list under ``spec``/``template``/``jobTemplate``. Within a pod
spec the images are those of ``containers``, ``initContainers``, ``ephemeralContainers`` and
image volumes (``volumes[].image.reference``), nothing else: an RBD volume's ``image`` is a
Ceph image, not a container image.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from sys import intern

from ruamel.yaml.nodes import MappingNode, Node

from imagelint.core.frozen import FrozenRecord, set_field
from imagelint.kube.objects import KubeObject, annotation
from imagelint.reading.yamlnodes import DuplicateKey, Mapping, as_mapping, as_sequence, string_value

_TEMPLATE_SPEC = ("spec", "template", "spec")
# (API group, kind) -> path from the object to its pod spec.
POD_SPEC_PATHS: dict[tuple[str, str], tuple[str, ...]] = {
    ("", "Pod"): ("spec",),
    ("", "PodTemplate"): ("template", "spec"),
    ("", "ReplicationController"): _TEMPLATE_SPEC,
    ("apps", "Deployment"): _TEMPLATE_SPEC,
    ("apps", "ReplicaSet"): _TEMPLATE_SPEC,
    ("apps", "StatefulSet"): _TEMPLATE_SPEC,
    ("apps", "DaemonSet"): _TEMPLATE_SPEC,
    ("extensions", "Deployment"): _TEMPLATE_SPEC,
    ("extensions", "ReplicaSet"): _TEMPLATE_SPEC,
    ("extensions", "DaemonSet"): _TEMPLATE_SPEC,
    ("batch", "Job"): _TEMPLATE_SPEC,
    ("batch", "CronJob"): ("spec", "jobTemplate", "spec", "template", "spec"),
    ("argoproj.io", "Rollout"): _TEMPLATE_SPEC,
    ("serving.knative.dev", "Service"): _TEMPLATE_SPEC,
    ("serving.knative.dev", "Configuration"): _TEMPLATE_SPEC,
    ("serving.knative.dev", "Revision"): ("spec",),
    ("apps.openshift.io", "DeploymentConfig"): _TEMPLATE_SPEC,
    ("", "DeploymentConfig"): _TEMPLATE_SPEC,  # OpenShift's legacy apiVersion: v1
    # A Helm chart's values, as imagelint.trees.helm presents them: images where charts set
    # them, with the pull secrets the values name.
    ("imagelint.dev", "ChartValues"): ("spec",),
}
# Argo Workflows kinds -> path to the list of templates. Argo fills in {{...}} parameters at
# run time, so such images are not judged as written.
ARGO_TEMPLATE_PATHS: dict[str, tuple[str, ...]] = {
    "Workflow": ("spec", "templates"),
    "WorkflowTemplate": ("spec", "templates"),
    "ClusterWorkflowTemplate": ("spec", "templates"),
    "CronWorkflow": ("spec", "workflowSpec", "templates"),
}
CONTAINER_LISTS = ("containers", "initContainers", "ephemeralContainers")
# In Kubernetes' own API groups the table above is complete: a core Service or a CRD has no
# pod template, whatever its spec looks like. Only other groups get the generic search.
_BUILTIN_GROUPS = frozenset({"", "apps", "batch", "extensions", "autoscaling", "policy"})
_GENERIC_KEYS = ("spec", "template", "jobTemplate")
_GENERIC_MAX_DEPTH = 6
_OPENSHIFT_TRIGGERS = "image.openshift.io/triggers"


@functools.cache
def _field_path_container() -> re.Pattern[str]:
    """The container a trigger's fieldPath selects (compiled on first use: OpenShift only)."""
    return re.compile(r"""@\.name\s*==\s*["']([^"']+)["']""")


class PodSpec(FrozenRecord):
    __slots__ = ("object", "mapping", "field", "strict", "pod_level", "pod_level_field")
    __repr__ = object.__repr__  # the fields' would dump YAML nodes
    object: KubeObject
    mapping: Mapping
    field: str  # e.g. spec.template.spec
    strict: bool  # a known pod spec: every container must name an image
    # Where imagePullSecrets and serviceAccountName are set for the pods: the pod spec itself,
    # or for Argo Workflows the workflow's spec, which applies to every template's pod.
    pod_level: Mapping | None
    pod_level_field: str | None

    def __init__(
        self,
        object: KubeObject,
        mapping: Mapping,
        field: str,
        strict: bool,
        pod_level: Mapping | None = None,
        pod_level_field: str | None = None,
    ) -> None:
        set_field(self, "object", object)
        set_field(self, "mapping", mapping)
        set_field(self, "field", field)
        set_field(self, "strict", strict)
        set_field(self, "pod_level", pod_level)
        set_field(self, "pod_level_field", pod_level_field)

    @property
    def settings(self) -> tuple[Mapping, str]:
        if self.pod_level is None or self.pod_level_field is None:
            return self.mapping, self.field
        return self.pod_level, self.pod_level_field


class ImageUse(FrozenRecord):
    """One place a pod pulls an image from."""

    __slots__ = (
        "pod",
        "container",
        "field",
        "node",
        "anchor",
        "image",
        "container_mapping",
        "resolved_at_runtime",
    )
    __repr__ = object.__repr__  # the fields' would dump YAML nodes

    pod: PodSpec
    container: str | None  # container (or image volume) name
    field: str  # path of the image value within the document
    node: Node | None  # the image value; None when the key is missing
    anchor: Node  # the container or volume, for positions when the value is missing
    image: str | None  # the value when it is a string
    container_mapping: Mapping
    resolved_at_runtime: bool  # something else fills in this image (OpenShift trigger, Argo)

    def __init__(
        self,
        pod: PodSpec,
        container: str | None,
        field: str,
        node: Node | None,
        anchor: Node,
        image: str | None,
        container_mapping: Mapping,
        resolved_at_runtime: bool,
    ) -> None:
        set_field(self, "pod", pod)
        set_field(self, "container", container)
        set_field(self, "field", field)
        set_field(self, "node", node)
        set_field(self, "anchor", anchor)
        set_field(self, "image", image)
        set_field(self, "container_mapping", container_mapping)
        set_field(self, "resolved_at_runtime", resolved_at_runtime)

    @property
    def object(self) -> KubeObject:
        return self.pod.object


def pod_specs(
    obj: KubeObject, duplicates: list[DuplicateKey], partial: bool = False
) -> Iterator[PodSpec]:
    """The pod specs of an object; ``partial`` for patches, whose containers may omit images."""
    path = POD_SPEC_PATHS.get((obj.group, obj.kind))
    if path is not None:
        mapping = obj.mapping
        for key in path:
            child = as_mapping(mapping.get(key))
            if child is None:
                return
            duplicates.extend(child.duplicates)
            mapping = child
        yield PodSpec(obj, mapping, obj.field(".".join(path)), not partial)
        return
    if obj.group == "argoproj.io" and obj.kind in ARGO_TEMPLATE_PATHS:
        return  # read by _argo_images()
    if obj.group in _BUILTIN_GROUPS or obj.group.endswith(".k8s.io"):
        return
    yield from _generic(obj, obj.mapping, "", 0, duplicates)


def _generic(
    obj: KubeObject, mapping: Mapping, path: str, depth: int, duplicates: list[DuplicateKey]
) -> Iterator[PodSpec]:
    if depth >= _GENERIC_MAX_DEPTH:
        return
    for key in _GENERIC_KEYS:
        child = as_mapping(mapping.get(key))
        if child is None:
            continue
        child_path = f"{path}.{key}" if path else key
        containers = as_sequence(child.get("containers"))
        if containers and all(isinstance(c, MappingNode) for c in containers):
            duplicates.extend(child.duplicates)
            yield PodSpec(obj, child, obj.field(child_path), False)
        else:
            yield from _generic(obj, child, child_path, depth + 1, duplicates)


def images(
    obj: KubeObject, duplicates: list[DuplicateKey], partial: bool = False
) -> Iterator[ImageUse]:
    """Every image an object's pods would pull, with where it is written."""
    if obj.group == "argoproj.io" and obj.kind in ARGO_TEMPLATE_PATHS:
        yield from _argo_images(obj, duplicates)
        return
    triggered = _triggered_containers(obj)
    for pod in pod_specs(obj, duplicates, partial):
        for list_name in CONTAINER_LISTS:
            for index, node in enumerate(as_sequence(pod.mapping.get(list_name))):
                use = _container_image(
                    pod, node, f"{pod.field}.{list_name}[{index}]", triggered, duplicates
                )
                if use is not None:
                    yield use
        for index, node in enumerate(as_sequence(pod.mapping.get("volumes"))):
            volume = as_mapping(node)
            source = None if volume is None else as_mapping(volume.get("image"))
            if volume is None or source is None:
                continue
            duplicates.extend(source.duplicates)
            value = source.get("reference")
            yield ImageUse(
                pod,
                volume.text("name"),
                f"{pod.field}.volumes[{index}].image.reference",
                value,
                node,
                string_value(value),
                source,
                False,
            )


def _container_image(
    pod: PodSpec,
    node: Node,
    field: str,
    triggered: frozenset[str],
    duplicates: list[DuplicateKey],
    runtime_templating: bool = False,
) -> ImageUse | None:
    container = as_mapping(node)
    if container is None:
        return None
    duplicates.extend(container.duplicates)
    value = container.get("image")
    if value is None and not pod.strict:
        return None  # a partial container in a custom resource (an override, not a pod)
    name = container.text("name")
    image = string_value(value)
    resolved = (
        name in triggered
        or (runtime_templating and image is not None and "{{" in image)
        or (image == "auto" and name == "istio-proxy" and _istio_injects(pod.object))
    )
    # The field path repeats in every record of the run: one string for all.
    return ImageUse(pod, name, intern(f"{field}.image"), value, node, image, container, resolved)


def _argo_images(obj: KubeObject, duplicates: list[DuplicateKey]) -> Iterator[ImageUse]:
    mapping = obj.mapping
    path = ARGO_TEMPLATE_PATHS[obj.kind]
    for key in path[:-1]:
        child = as_mapping(mapping.get(key))
        if child is None:
            return
        mapping = child
    workflow_field = obj.field(".".join(path[:-1]))
    for index, node in enumerate(as_sequence(mapping.get(path[-1]))):
        template = as_mapping(node)
        if template is None:
            continue
        field = obj.field(f"{'.'.join(path)}[{index}]")
        pod = PodSpec(obj, template, field, False, mapping, workflow_field)
        for key in ("container", "script"):
            single = template.get(key)
            if single is not None:
                use = _container_image(
                    pod, single, f"{field}.{key}", frozenset(), duplicates, runtime_templating=True
                )
                if use is not None:
                    yield use
        lists = [("initContainers", template), ("sidecars", template)]
        container_set = as_mapping(template.get("containerSet"))
        if container_set is not None:
            lists.append(("containers", container_set))
        for list_name, owner in lists:
            prefix = f"{field}.containerSet" if owner is container_set else field
            for item_index, item in enumerate(as_sequence(owner.get(list_name))):
                use = _container_image(
                    pod,
                    item,
                    f"{prefix}.{list_name}[{item_index}]",
                    frozenset(),
                    duplicates,
                    runtime_templating=True,
                )
                if use is not None:
                    yield use


# Istio's sidecar injector replaces 'image: auto' of a container named istio-proxy (the way its
# gateway deployments are written) in the pods it injects.
_ISTIO_INJECT = "sidecar.istio.io/inject"
_ISTIO_TEMPLATES = "inject.istio.io/templates"


def _istio_injects(obj: KubeObject) -> bool:
    """Whether the object or its pod template asks Istio for injection (a label or annotation
    sidecar.istio.io/inject: "true", or an inject.istio.io/templates annotation). Injection
    may also be enabled on the namespace, which the manifests may not show: without these
    marks, 'image: auto' stays an image to check."""
    metadata = [obj.metadata]
    spec = as_mapping(obj.mapping.get("spec"))
    template = as_mapping(spec.get("template")) if spec is not None else None
    if template is not None:
        metadata.append(as_mapping(template.get("metadata")))
    for meta in metadata:
        if meta is None:
            continue
        labels = as_mapping(meta.get("labels"))
        notes = as_mapping(meta.get("annotations"))
        if labels is not None and labels.text(_ISTIO_INJECT) == "true":
            return True
        if notes is not None and (
            notes.text(_ISTIO_INJECT) == "true" or notes.get(_ISTIO_TEMPLATES) is not None
        ):
            return True
    return False


def _triggered_containers(obj: KubeObject) -> frozenset[str]:
    """Containers whose image OpenShift sets from an image stream (so the manifest's is moot)."""
    names: set[str] = set()
    if obj.kind == "DeploymentConfig":
        spec = as_mapping(obj.mapping.get("spec"))
        for trigger in as_sequence(spec.get("triggers") if spec else None):
            trigger_map = as_mapping(trigger)
            if trigger_map is None or trigger_map.text("type") != "ImageChange":
                continue
            params = as_mapping(trigger_map.get("imageChangeParams"))
            for name in as_sequence(params.get("containerNames") if params else None):
                text = string_value(name)
                if text:
                    names.add(text)
    raw = annotation(obj, _OPENSHIFT_TRIGGERS)
    if raw:
        import json  # here, not at the top: keeps json off the one-file start-up path

        try:
            entries = json.loads(raw)
        except ValueError:
            entries = []
        for entry in entries if isinstance(entries, list) else []:
            field_path = entry.get("fieldPath") if isinstance(entry, dict) else None
            if isinstance(field_path, str):
                names.update(_field_path_container().findall(field_path))
    return frozenset(names)
