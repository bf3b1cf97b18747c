"""What the readers of every kind produce: a pod spec (:class:`PodSpec`) and the images its pods
pull (:class:`ImageUse`), and the helpers that read containers, image volumes and single image
fields into them."""

from __future__ import annotations

from collections.abc import Iterator
from sys import intern

from ruamel.yaml.nodes import Node

from imagelint.core.frozen import FrozenRecord, set_field
from imagelint.kube.objects import KubeObject
from imagelint.reading.yamlnodes import DuplicateKey, Mapping, as_mapping, as_sequence, string_value

CONTAINER_LISTS = ("containers", "initContainers", "ephemeralContainers")


class PodSpec(FrozenRecord):
    """Where a pod's images are written, and where its pod-level fields are."""

    __slots__ = ("object", "mapping", "field", "strict", "pod_level", "pod_level_field", "known")
    __repr__ = object.__repr__  # the fields' would dump YAML nodes
    object: KubeObject
    mapping: Mapping
    field: str  # e.g. spec.template.spec
    strict: bool  # a known pod spec: every container must name an image
    # Where imagePullSecrets and serviceAccountName are set for the pods: the pod spec itself,
    # or for Argo Workflows the workflow's spec, which applies to every template's pod.
    pod_level: Mapping | None
    pod_level_field: str | None
    # Whether this manifest says which pull secrets and nodes the pod has. False where an
    # operator builds the pod from fields of its own (a Tekton step, a CloudNativePG imageName):
    # the pull-secret and platform checks then have nothing to go on, and must not guess.
    known: bool

    def __init__(
        self,
        object: KubeObject,
        mapping: Mapping,
        field: str,
        strict: bool,
        pod_level: Mapping | None = None,
        pod_level_field: str | None = None,
        known: bool = True,
    ) -> None:
        set_field(self, "object", object)
        set_field(self, "mapping", mapping)
        set_field(self, "field", field)
        set_field(self, "strict", strict)
        set_field(self, "pod_level", pod_level)
        set_field(self, "pod_level_field", pod_level_field)
        set_field(self, "known", known)

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


def pod_spec_images(
    pod: PodSpec,
    duplicates: list[DuplicateKey],
    triggered: frozenset[str] = frozenset(),
    runtime: str | None = None,
) -> Iterator[ImageUse]:
    """The images of a pod spec: its container lists and its image volumes
    (``volumes[].image.reference``), nothing else (an RBD volume's ``image`` is a Ceph image)."""
    for list_name in CONTAINER_LISTS:
        yield from container_list_images(
            pod, pod.mapping, list_name, f"{pod.field}.{list_name}", duplicates, triggered, runtime
        )
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


def container_list_images(
    pod: PodSpec,
    owner: Mapping,
    list_name: str,
    field: str,
    duplicates: list[DuplicateKey],
    triggered: frozenset[str] = frozenset(),
    runtime: str | None = None,
) -> Iterator[ImageUse]:
    """The images of the containers listed at ``owner[list_name]`` (``field`` is its path)."""
    for index, node in enumerate(as_sequence(owner.get(list_name))):
        use = container_image(pod, node, f"{field}[{index}]", duplicates, triggered, runtime)
        if use is not None:
            yield use


def container_image(
    pod: PodSpec,
    node: Node,
    field: str,
    duplicates: list[DuplicateKey],
    triggered: frozenset[str] = frozenset(),
    runtime: str | None = None,
) -> ImageUse | None:
    """The image of one container (``field`` is the container's path). ``runtime``: the
    opening of the parameters a controller fills in at run time (Argo ``{{``, Tekton ``$(``)."""
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
        or (runtime is not None and image is not None and runtime in image)
        or (image == "auto" and name == "istio-proxy" and _istio_injects(pod.object))
    )
    # The field path repeats in every record of the run: one string for all.
    return ImageUse(pod, name, intern(f"{field}.image"), value, node, image, container, resolved)


def single_image(
    pod: PodSpec,
    holder: Mapping,
    key: str,
    field: str,
    name: str | None,
    runtime: str | None = None,
) -> ImageUse | None:
    """An image written as one field of ``holder`` (``spec.image``), where an operator makes the
    container; None when the field is not set. ``field`` is the value's path."""
    value = holder.get(key)
    if value is None:
        return None
    image = string_value(value)
    resolved = runtime is not None and image is not None and runtime in image
    return ImageUse(pod, name, intern(field), value, value, image, holder, resolved)


def follow(
    mapping: Mapping, keys: tuple[str, ...], duplicates: list[DuplicateKey]
) -> Mapping | None:
    """The mapping at ``keys`` below ``mapping``, noting the repeated keys met on the way."""
    for key in keys:
        child = as_mapping(mapping.get(key))
        if child is None:
            return None
        duplicates.extend(child.duplicates)
        mapping = child
    return mapping


# Istio's sidecar injector replaces 'image: auto' of a container named istio-proxy (the way its
# gateway deployments are written) in the pods it injects. An inject.istio.io/templates
# annotation only chooses the templates for a pod that is injected; it does not ask for
# injection (Istio's own analyzer test data, pkg/config/analysis/analyzers/testdata/
# image-auto.yaml, expects an error for a gateway Deployment that has only that annotation).
_ISTIO_INJECT = "sidecar.istio.io/inject"


def _istio_injects(obj: KubeObject) -> bool:
    """Whether the object or its pod template asks Istio for injection (a label or annotation
    sidecar.istio.io/inject: "true"). Injection may also be enabled on the namespace, which
    the manifests may not show: without this mark, 'image: auto' stays an image to check."""
    metadata = [obj.metadata]
    spec = as_mapping(obj.mapping.get("spec"))
    template = as_mapping(spec.get("template")) if spec is not None else None
    if template is not None:
        metadata.append(as_mapping(template.get("metadata")))
    for meta in metadata:
        if meta is None:
            continue
        for marks in (as_mapping(meta.get("labels")), as_mapping(meta.get("annotations"))):
            if marks is not None and marks.text(_ISTIO_INJECT) == "true":
                return True
    return False
