"""How a kind's images are described (:class:`Kind`, a list of :class:`Read`) and read.

A read names a field path (:mod:`imagelint.kube.kinds.paths`) and what is there:

- ``pod``: a pod spec (``containers``, ``initContainers``, ``ephemeralContainers``, image volumes);
  its own ``imagePullSecrets``, ``serviceAccountName``, ``nodeSelector`` and affinity decide how
  its images are pulled and where it runs;
- ``containers``: a list of containers (Tekton ``steps``), ``container``: one (``stepTemplate``);
- ``image``: one image string (``spec.image``) from which an operator makes a container itself;
- ``auto`` (the ``image-fields`` option): whichever of those the value's shape shows.

For the last three, ``pod`` names the mapping whose pod-level fields the operator copies into
the pod it makes (a Prometheus' ``spec``); without one the pod's pull secrets and nodes are not
in the manifest, and the checks that need them leave those images alone (``PodSpec.known``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from imagelint.core.frozen import ValueRecord, set_field
from imagelint.kube.kinds.base import (
    ImageUse,
    PodSpec,
    container_image,
    follow,
    pod_spec_images,
    single_image,
)
from imagelint.kube.kinds.paths import parse, resolve
from imagelint.kube.objects import KubeObject
from imagelint.reading.yamlnodes import DuplicateKey, Mapping, as_mapping, as_sequence

POD, CONTAINERS, CONTAINER, IMAGE, AUTO = "pod", "containers", "container", "image", "auto"
Reader = Callable[[KubeObject, list[DuplicateKey]], Iterator[ImageUse]]


class Read(ValueRecord):
    __slots__ = ("what", "path", "pod", "when")
    what: str  # POD, CONTAINERS, CONTAINER, IMAGE or AUTO
    path: str
    pod: str | None  # the mapping whose pod-level fields the operator gives the pod (plain keys)
    when: tuple[str, str] | None  # read only where the holding mapping has this key and value

    def __init__(
        self, what: str, path: str, pod: str | None = None, when: tuple[str, str] | None = None
    ) -> None:
        set_field(self, "what", what)
        set_field(self, "path", path)
        set_field(self, "pod", pod)
        set_field(self, "when", when)

    @property
    def pulls_known(self) -> bool:
        """Whether the pod-level fields (pull secrets, nodes) of these images are known."""
        return self.what in (POD, AUTO) or self.pod is not None


def pod(path: str) -> Read:
    return Read(POD, path)


def containers(path: str, pod: str | None = None) -> Read:
    return Read(CONTAINERS, path, pod)


def container(path: str, pod: str | None = None) -> Read:
    return Read(CONTAINER, path, pod)


def image(path: str, pod: str | None = None, when: tuple[str, str] | None = None) -> Read:
    return Read(IMAGE, path, pod, when)


class Kind(ValueRecord):
    """What is read in the objects of one kind."""

    __slots__ = ("group", "kind", "reads", "strict", "runtime", "reader", "note")
    group: str  # the API group ("" for the core group)
    kind: str
    reads: tuple[Read, ...]
    strict: bool  # every container of its pod specs must name an image (Kubernetes' own kinds)
    runtime: str | None  # images holding this are filled in at run time ("{{", "$(")
    reader: Reader | None  # reads the objects itself (``reads`` then only describe it)
    note: str  # for `imagelint kinds`

    def __init__(
        self,
        group: str,
        kind: str,
        reads: tuple[Read, ...],
        strict: bool = False,
        runtime: str | None = None,
        reader: Reader | None = None,
        note: str = "",
    ) -> None:
        set_field(self, "group", group)
        set_field(self, "kind", kind)
        set_field(self, "reads", reads)
        set_field(self, "strict", strict)
        set_field(self, "runtime", runtime)
        set_field(self, "reader", reader)
        set_field(self, "note", note)


def kinds(
    group: str, names: tuple[str, ...], *reads: Read, runtime: str | None = None
) -> list[Kind]:
    """One entry per kind name, all reading the same fields."""
    return [Kind(group, name, tuple(reads), runtime=runtime) for name in names]


def read(
    obj: KubeObject,
    kind: Kind,
    duplicates: list[DuplicateKey],
    partial: bool = False,
    triggered: frozenset[str] = frozenset(),
) -> Iterator[ImageUse]:
    """Every image of ``obj`` that ``kind``'s reads find."""
    if kind.reader is not None:
        yield from kind.reader(obj, duplicates)
        return
    for entry in kind.reads:
        steps = parse(entry.path)
        if entry.what == POD and all(step == "key" for step, _ in steps):
            # The common case (every Deployment): plain keys from the object's own mapping.
            mapping = follow(obj.mapping, tuple(key for _, key in steps), duplicates)
            if mapping is not None:
                spec = PodSpec(obj, mapping, obj.field(entry.path), kind.strict and not partial)
                yield from pod_spec_images(spec, duplicates, triggered, kind.runtime)
            continue
        for node, holder, field in resolve(obj.mapping.node, steps, obj.path, duplicates):
            yield from _found(obj, kind, entry, node, holder, field, duplicates)


def _found(
    obj: KubeObject,
    kind: Kind,
    entry: Read,
    node: Node,
    holder: Mapping | None,
    field: str,
    duplicates: list[DuplicateKey],
) -> Iterator[ImageUse]:
    what = entry.what
    if what == AUTO:
        what, node, field = _shape(node, field)
    if what == POD:
        mapping = as_mapping(node)
        if mapping is not None:
            duplicates.extend(mapping.duplicates)
            spec = PodSpec(obj, mapping, field, False)
            yield from pod_spec_images(spec, duplicates, runtime=kind.runtime)
        return
    if what == IMAGE:
        if holder is None or (entry.when and holder.text(entry.when[0]) != entry.when[1]):
            return
        context = _context(obj, entry, holder, field.rpartition(".")[0], duplicates)
        use = single_image(
            context, holder, field.rpartition(".")[2], field, _name(field), kind.runtime
        )
        if use is not None:
            yield use
        return
    owner = holder if holder is not None else as_mapping(node)
    if owner is None:
        return
    context = _context(obj, entry, owner, field.rpartition(".")[0], duplicates)
    if what == CONTAINER:
        use = container_image(context, node, field, duplicates, runtime=kind.runtime)
        if use is not None:
            yield use
        return
    for index, item in enumerate(as_sequence(node)):
        use = container_image(context, item, f"{field}[{index}]", duplicates, runtime=kind.runtime)
        if use is not None:
            yield use


def _context(
    obj: KubeObject, entry: Read, holder: Mapping, holder_field: str, duplicates: list[DuplicateKey]
) -> PodSpec:
    """The pod of images an operator places: the mapping it takes pod-level fields from, or,
    when there is none, a pod whose pull secrets and nodes are unknown."""
    if entry.pod is not None:
        keys = tuple(entry.pod.split("."))
        mapping = follow(obj.mapping, keys, duplicates)
        if mapping is not None:
            return PodSpec(obj, mapping, obj.field(entry.pod), False)
    return PodSpec(obj, holder, holder_field, False, known=False)


def _shape(node: Node, field: str) -> tuple[str, Node, str]:
    """What a declared path leads to, by its shape: an image string, a list of containers, a
    pod template (``template``: its ``spec``), a pod spec, or one container."""
    if isinstance(node, ScalarNode):
        return IMAGE, node, field
    if isinstance(node, SequenceNode):
        return CONTAINERS, node, field
    mapping = as_mapping(node)
    if mapping is None:
        return "", node, field
    spec = mapping.get("spec")
    if isinstance(spec, MappingNode) and "containers" in Mapping(spec):
        return POD, spec, f"{field}.spec"
    if "containers" in mapping:
        return POD, node, field
    return (CONTAINER if "image" in mapping else ""), node, field


def _name(field: str) -> str | None:
    """A name for the container an image field makes: the key holding it (``kafka`` for
    ``spec.kafka.image``), none for ``spec.image``."""
    parts = field.split(".")
    if len(parts) < 2:
        return None
    parent = parts[-2].partition("[")[0]
    return None if parent in ("spec", "") else parent
