"""The kinds imagelint reads images from, and where in each.

One module per family (Kubernetes' own kinds, Tekton, Argo, batch and training operators,
database operators, platform operators) declares its kinds as tables of field paths
(:mod:`imagelint.kube.kinds.table`); :func:`lookup` finds an object's entry, the kinds declared
with the ``image-fields`` option first. Objects of other kinds get the generic walk
(:mod:`imagelint.kube.kinds.generic`).

Kubernetes' own kinds (:mod:`~imagelint.kube.kinds.builtin`) are always there; the operators'
families are imported when an object of one of their API groups first appears: most runs read
Kubernetes' own kinds alone, and would otherwise build the tables of a hundred others.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping
from typing import Any

from imagelint.kube.kinds import builtin
from imagelint.kube.kinds.paths import parse
from imagelint.kube.kinds.table import AUTO, Kind, Read

# The operators' families, and the family of each API group their kinds are in
# (tests/test_kinds_families.py checks these against the families' KINDS).
FAMILIES = ("tekton", "argo", "batch", "data", "platform")
_FAMILY_OF_GROUP: dict[str, str] = {
    "tekton.dev": "tekton",
    "triggers.tekton.dev": "tekton",
    "argoproj.io": "argo",  # builtin has its Rollout
    "batch.volcano.sh": "batch",
    "flink.apache.org": "batch",
    "jobset.x-k8s.io": "batch",
    "keda.sh": "batch",
    "kubeflow.org": "batch",
    "leaderworkerset.x-k8s.io": "batch",
    "ray.io": "batch",
    "sparkoperator.k8s.io": "batch",
    "trainer.kubeflow.org": "batch",
    "kafka.strimzi.io": "data",
    "postgresql.cnpg.io": "data",
    "build.openshift.io": "platform",
    "caching.internal.knative.dev": "platform",
    "image.openshift.io": "platform",
    "kubevirt.io": "platform",
    "litmuschaos.io": "platform",
    "monitoring.coreos.com": "platform",
    "opentelemetry.io": "platform",
    "pkg.crossplane.io": "platform",
    "serving.kserve.io": "platform",
    "sources.knative.dev": "platform",
}
# Kinds of Kubernetes' core group (apiVersion v1) declared by a family: OpenShift served its
# builds and image streams there before their own groups.
_FAMILY_OF_CORE_KIND: dict[str, str] = {
    "Build": "platform",
    "BuildConfig": "platform",
    "ImageStream": "platform",
}

_declared: dict[tuple[str, str], Kind] = {}  # (apiVersion or group, kind) -> declared reads
# The built-in kinds by (API group, kind): builtin's, and those of the families imported so far.
_known: dict[tuple[str, str], Kind] = {(kind.group, kind.kind): kind for kind in builtin.KINDS}
_imported: set[str] = set()


def _add_family(name: str) -> None:
    """Import a family (once) and add its kinds to the built-in ones."""
    if name in _imported:
        return
    _imported.add(name)
    kinds: list[Kind] = importlib.import_module(f"{__name__}.{name}").KINDS
    for kind in kinds:
        _known[(kind.group, kind.kind)] = kind


def table() -> dict[tuple[str, str], Kind]:
    """The built-in kinds by (API group, kind), every family's."""
    for name in FAMILIES:
        _add_family(name)
    return _known


def lookup(api_version: str, group: str, kind: str) -> Kind | None:
    """What to read in an object of this apiVersion and kind; None: the generic walk."""
    if _declared:
        found = _declared.get((api_version, kind)) or _declared.get((group, kind))
        if found is not None:
            return found
    family = _FAMILY_OF_GROUP.get(group) if group else _FAMILY_OF_CORE_KIND.get(kind)
    if family is not None and family not in _imported:
        _add_family(family)
    return _known.get((group, kind))


def declare(entries: Iterable[Mapping[str, Any]]) -> None:
    """Use the ``image-fields`` of the configuration (replacing any declared before): each
    entry names ``apiVersion`` (or ``group``), ``kind`` and ``paths``. Paths are checked here;
    the schema has checked the rest."""
    declared: dict[tuple[str, str], Kind] = {}
    for entry in entries:
        api = str(entry.get("apiVersion") or entry.get("group") or "")
        name = str(entry["kind"])
        paths = [str(path) for path in entry.get("paths", ())]
        for path in paths:
            parse(path)  # raises PathError
        group = api.rpartition("/")[0] if "apiVersion" in entry else api
        reads = tuple(Read(AUTO, path) for path in paths)
        previous = declared.get((api, name))
        if previous is not None:
            reads = previous.reads + reads
        declared[(api, name)] = Kind(group, name, reads, note="declared in image-fields")
    _declared.clear()
    _declared.update(declared)


def declared() -> list[Kind]:
    return list(_declared.values())
