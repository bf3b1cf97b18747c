"""The records the cross-object rules need, built from a file's objects while its YAML is alive:
an image with the pod that pulls it, a pod's pull credentials and placement, a ServiceAccount's
pull secrets. (A Secret's record is :func:`imagelint.pullsecrets.records.secret_records`.)"""

from __future__ import annotations

from imagelint.core.model import ImageRecord, NameRef, PodRecord, ServiceAccountRecord
from imagelint.images.reference import parse
from imagelint.kube.objects import KubeObject
from imagelint.kube.placement import placement
from imagelint.kube.workloads import ImageUse, PodSpec
from imagelint.reading.loader import LoadedFile
from imagelint.reading.yamlnodes import Mapping, as_mapping, as_sequence, string_value


def image_record(loaded: LoadedFile, use: ImageUse, pod: PodRecord | None) -> ImageRecord:
    """An image as the run rules see it, pulled by ``pod`` (None: a pod whose pull secrets and
    nodes the manifests do not say)."""
    source = use.object.document.source
    if use.node is not None:
        site = loaded.site(use.node, source)
    else:  # a missing image: point at its container, where offsets mean nothing
        site = loaded.site(use.anchor, source).inexact()
    # The parse the image rules made (cached): sent along from a worker process, it spares the
    # run rules parsing the run's images again in the parent.
    parsed = parse(use.image) if use.image and not use.resolved_at_runtime else None
    return ImageRecord(
        use.image,
        site,
        use.object.identity,
        use.container,
        use.field,
        use.resolved_at_runtime,
        pod,
        parsed=parsed,
    )


def pod_record(loaded: LoadedFile, pod: PodSpec) -> PodRecord:
    """What decides a pod spec's pull credentials, and the nodes it may run on."""
    obj = pod.object
    mapping, field = pod.settings
    account = mapping.text("serviceAccountName") or mapping.text("serviceAccount") or "default"
    site = loaded.site(pod.mapping.node, obj.document.source)
    refs = _name_refs(loaded, obj, mapping, field)
    nodes = placement(pod.mapping, pod.pod_level)
    return PodRecord(
        obj.identity, obj.namespace or "", refs, account, site, nodes.arch, nodes.os, nodes.origin
    )


def service_account_record(loaded: LoadedFile, obj: KubeObject) -> ServiceAccountRecord:
    refs = _name_refs(loaded, obj, obj.mapping, obj.path)
    return ServiceAccountRecord(obj.identity, refs, loaded.via)


def _name_refs(
    loaded: LoadedFile, obj: KubeObject, mapping: Mapping, field: str
) -> tuple[NameRef, ...]:
    """The ``imagePullSecrets`` names of a pod spec or ServiceAccount, where each is written."""
    refs = []
    prefix = f"{field}." if field else ""
    for index, item in enumerate(as_sequence(mapping.get("imagePullSecrets"))):
        entry = as_mapping(item)
        node = entry.get("name") if entry is not None else None
        if node is None:
            continue
        name = string_value(node)
        if name:
            site = loaded.site(node, obj.document.source)
            path = f"{prefix}imagePullSecrets[{index}].name"
            refs.append(NameRef(name, site, obj.identity, path))
    return tuple(refs)
