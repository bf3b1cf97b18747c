"""Kubernetes objects to pod specs, containers and the images they pull.

Known kinds are read where their tables (:mod:`imagelint.kube.kinds`) say: Kubernetes' own at
their exact pod-spec path, custom resources of well-known operators at the pod templates,
container lists and image fields their documentation defines, and the kinds a configuration
declares (``image-fields``). Any other custom resource gets the generic walk
(:mod:`imagelint.kube.kinds.generic`). Within a pod spec the images are those of
``containers``, ``initContainers``, ``ephemeralContainers`` and image volumes
(``volumes[].image.reference``), nothing else: an RBD volume's ``image`` is a Ceph image, not a
container image.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

from imagelint.kube import kinds
from imagelint.kube.kinds import generic
from imagelint.kube.kinds.base import CONTAINER_LISTS, ImageUse, PodSpec
from imagelint.kube.kinds.table import read
from imagelint.kube.objects import KubeObject, annotation
from imagelint.reading.yamlnodes import DuplicateKey, as_mapping, as_sequence, string_value

__all__ = ["CONTAINER_LISTS", "ImageUse", "PodSpec", "images"]

_OPENSHIFT_TRIGGERS = "image.openshift.io/triggers"


@functools.cache
def _field_path_container() -> re.Pattern[str]:
    """The container a trigger's fieldPath selects (compiled on first use: OpenShift only)."""
    return re.compile(r"""@\.name\s*==\s*["']([^"']+)["']""")


def images(
    obj: KubeObject, duplicates: list[DuplicateKey], partial: bool = False
) -> Iterator[ImageUse]:
    """Every image an object's pods would pull, with where it is written; ``partial`` for
    patches, whose containers may omit images."""
    kind = kinds.lookup(obj.api_version, obj.group, obj.kind)
    if kind is None:
        if generic.applies(obj.group):
            yield from generic.images(obj, duplicates)
        return
    yield from read(obj, kind, duplicates, partial, _triggered_containers(obj))


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
