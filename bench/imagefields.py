"""Image fields of Kubernetes objects, as ``bench.coverage`` counts them, with their positions.

An **image field** is, anywhere inside an object:

- the string value of a mapping key ``image`` (containers, Tekton steps, Litmus ``definition``,
  the ``spec.image`` of an operator's resource...);
- the string ``reference`` of a mapping under ``image`` (Kubernetes image volumes, CloudNativePG
  ``extensions[].image``);
- the string value of a key ``imageName`` (CloudNativePG ``Cluster.spec.imageName``);
- the ``name`` of an OpenShift object reference whose ``kind`` is ``DockerImage``
  (BuildConfig ``from`` / ``to``);
- Crossplane package objects' ``spec.package`` (``pkg.crossplane.io`` Provider, Function,
  Configuration).

Not image fields: anything in a CustomResourceDefinition (schemas), a ConfigMap or a Secret
(data), an object's ``status`` (what a controller observed), a ``metadata`` mapping (labels, annotations), an ``openAPIV3Schema``, an ``rbd`` volume
(its ``image`` is a Ceph RBD image), Argo Workflows ``withItems`` (loop data that a template
turns into an image), Kyverno policies (patterns such as ``"!*:latest"``), Cluster API
infrastructure objects (virtual machine images), and values that are not strings (null,
numbers). Documents of ``kind: List`` count their ``items`` as objects. A value shared through a
YAML alias counts once (it is one place to change). Files under a Helm chart's ``templates/``
are skipped (not objects until rendered).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.cyaml import CSafeLoader
from ruamel.yaml.nodes import ScalarNode, SequenceNode
from ruamel.yaml.resolver import Resolver

SUFFIXES = (".yaml", ".yml", ".json")
# The composer tags nodes with one of these; a plain scalar is resolved (null, number,
# string...) only when it is a candidate image value.
_PLAIN, _STR, _SEQ, _MAP = ("tag:yaml.org,2002:" + n for n in ("plain", "str", "seq", "map"))
_RESOLVER = Resolver()


class _Loader(CSafeLoader):
    """ruamel's C composer without resolving every plain scalar's tag by regular expressions
    (most of the composing time), and without path resolvers."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        if kind is ScalarNode:
            return _PLAIN if implicit[0] else _STR
        return _SEQ if kind is SequenceNode else _MAP

    def descend_resolver(self, *args: Any) -> None:
        pass

    def ascend_resolver(self, *args: Any) -> None:
        pass


# Whole objects that hold no image fields: schemas and data.
SKIPPED_KINDS = {
    ("apiextensions.k8s.io", "CustomResourceDefinition"),
    ("", "ConfigMap"),
    ("", "Secret"),
}
# API groups whose "image" keys are not container images: Kyverno patterns, virtual machine
# images of Cluster API infrastructure providers.
SKIPPED_GROUPS = {"kyverno.io", "infrastructure.cluster.x-k8s.io"}
# Mapping keys whose subtree is never an image field: labels and annotations, JSON schemas,
# Ceph RBD volumes (core RBDVolumeSource.image is an RBD image name), Argo Workflows loop data.
SKIPPED_KEYS = {"metadata", "openAPIV3Schema", "rbd", "withItems"}
# Crossplane package kinds: spec.package is an OCI image (pkg.crossplane.io/v1 Provider,
# Function, Configuration; https://docs.crossplane.io/latest/packages/).
CROSSPLANE_PACKAGES = {"Provider", "Function", "Configuration"}


@dataclass(frozen=True)
class Field:
    """One image value: where it is (file, character span, 1-based line) and what holds it."""

    corpus: str  # the DIR given
    project: str
    path: Path  # the original file
    start: int
    end: int
    line: int
    group: str
    version: str
    kind: str
    pattern: str  # field path inside the object, list indices as []


def _split_api(api: str) -> tuple[str, str]:
    group, _, version = api.rpartition("/")
    return group, version


def _scalar(node: Any) -> str | None:
    return node.value if node.id == "scalar" else None


def _keys(node: Any) -> dict[str, Any]:
    return {k.value: v for k, v in node.value if k.id == "scalar"}


def _is_string(node: Any) -> bool:
    if node.id != "scalar":
        return False
    if node.tag == _PLAIN:
        return bool(_RESOLVER.resolve(ScalarNode, node.value, (True, False)) == _STR)
    return bool(node.tag == _STR)


class Finder:
    """Walks the documents of one file and collects its image fields."""

    def __init__(self, corpus: str, project: str, path: Path) -> None:
        self.corpus = corpus
        self.project = project
        self.path = path
        self.fields: dict[int, Field] = {}  # by start index: an aliased value counts once

    def document(self, node: Any) -> None:
        if node.id != "mapping":
            return
        keys = _keys(node)
        api, kind = keys.get("apiVersion"), keys.get("kind")
        if api is None or kind is None:
            return
        api_s, kind_s = _scalar(api), _scalar(kind)
        if not isinstance(api_s, str) or not isinstance(kind_s, str):
            return
        items = keys.get("items")
        if kind_s.endswith("List") and items is not None and items.id == "sequence":
            for item in items.value:
                self.document(item)
            return
        group, version = _split_api(api_s)
        if (group, kind_s) in SKIPPED_KINDS or group in SKIPPED_GROUPS:
            return
        self._walk(node, (group, version, kind_s), "", set())

    def _add(self, value: Any, obj: tuple[str, str, str], pattern: str) -> None:
        start, end = value.start_mark.index, value.end_mark.index
        if start not in self.fields:
            self.fields[start] = Field(
                self.corpus,
                self.project,
                self.path,
                start,
                end,
                value.start_mark.line + 1,
                *obj,
                pattern,
            )

    def _walk(self, node: Any, obj: tuple[str, str, str], path: str, seen: set[int]) -> None:
        if id(node) in seen:  # an alias cycle or a shared subtree already walked on this path
            return
        if node.id == "sequence":
            seen = seen | {id(node)}
            for item in node.value:
                self._walk(item, obj, path + "[]", seen)
            return
        if node.id != "mapping":
            return
        seen = seen | {id(node)}
        keys = _keys(node)
        kind = keys.get("kind")
        name = keys.get("name")
        if kind is not None and _scalar(kind) == "DockerImage" and name is not None:
            if _is_string(name):  # OpenShift ObjectReference to an image
                self._add(name, obj, _join(path, "name"))
        for key, value in node.value:
            k = _scalar(key)
            if not isinstance(k, str) or k in SKIPPED_KEYS or k == "status" and not path:
                continue
            sub = path if k == "<<" else _join(path, k)
            if k in ("image", "imageName") and _is_string(value):
                self._add(value, obj, sub)
            elif k == "image" and value.id == "mapping":
                ref = _keys(value).get("reference")
                if ref is not None and _is_string(ref):
                    self._add(ref, obj, sub + ".reference")
            elif (
                k == "package"
                and path == "spec"
                and obj[0] == "pkg.crossplane.io"
                and obj[2] in CROSSPLANE_PACKAGES
                and _is_string(value)
            ):
                self._add(value, obj, sub)
            else:
                self._walk(value, obj, sub, seen)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def documents(text: str) -> list[Any]:
    """Every document of ``text`` up to a syntax error. Composed like imagelint does: by
    ruamel's C composer, and where it refuses the text (libyaml rejects YAML 1.2 that
    Kubernetes' go-yaml takes, such as ``{image: busybox:1.36}``), by ruamel's pure-Python one;
    the one that gets further wins."""
    nodes: list[Any] = []
    loader = _Loader(text)
    try:
        while loader.check_node():
            nodes.append(loader.get_node())
        return nodes
    except Exception:  # a syntax error: the documents before it still count
        pass
    finally:
        loader.dispose()
    pure: list[Any] = []
    try:
        for node in YAML(typ="safe", pure=True).compose_all(text):
            pure.append(node)
    except Exception:
        pass
    return pure if len(pure) > len(nodes) else nodes


def in_chart_templates(path: Path, top: Path) -> bool:
    for parent in path.parents:
        if parent.name == "templates" and (parent.parent / "Chart.yaml").is_file():
            return True
        if parent == top:
            return False
    return False


def walk_files(top: Path) -> Iterator[Path]:
    """The files imagelint reads in ``top``: recursive, hidden entries skipped, sorted."""
    if top.is_file():
        yield top
        return
    for directory, dirnames, filenames in os.walk(top, followlinks=True):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if not name.startswith(".") and name.lower().endswith(SUFFIXES):
                yield Path(directory, name)
