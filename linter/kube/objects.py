"""YAML documents to Kubernetes objects.

A document is an object when it is a mapping with string ``apiVersion`` and ``kind``; anything
else (Helm values, CI files, empty documents) is ignored. ``kind: List`` and typed lists such
as ``DeploymentList`` are unwrapped into their items. An object without ``metadata.namespace``
lands in the run's default namespace, as with ``kubectl apply -n``.
"""

from __future__ import annotations

from collections.abc import Iterator
from sys import intern

from ruamel.yaml.nodes import MappingNode, Node, SequenceNode

from imagelint.core.frozen import FrozenRecord, set_field
from imagelint.core.model import ObjectId
from imagelint.reading.loader import Document, LoadedFile
from imagelint.reading.sources import Problem
from imagelint.reading.yamlnodes import DuplicateKey, Mapping, as_mapping, string_value
from imagelint.rules import invalid_document

# Kinds that are not namespaced; their namespace is None whatever the manifest says.
CLUSTER_SCOPED_KINDS = frozenset(
    {
        "Namespace",
        "Node",
        "PersistentVolume",
        "ClusterRole",
        "ClusterRoleBinding",
        "CustomResourceDefinition",
        "StorageClass",
        "PriorityClass",
        "RuntimeClass",
        "ValidatingWebhookConfiguration",
        "MutatingWebhookConfiguration",
        "APIService",
        "CSIDriver",
        "CSINode",
        "VolumeAttachment",
        "IngressClass",
        "PodSecurityPolicy",
        "ClusterIssuer",
        "ClusterWorkflowTemplate",
        "ClusterSecretStore",
        "ValidatingAdmissionPolicy",
        "ValidatingAdmissionPolicyBinding",
    }
)
_MAX_LIST_DEPTH = 8


class KubeObject(FrozenRecord):
    __slots__ = (
        "api_version",
        "kind",
        "name",
        "namespace",
        "mapping",
        "metadata",
        "document",
        "path",
        "identity",
    )
    api_version: str
    kind: str
    name: str | None
    namespace: str | None
    mapping: Mapping
    metadata: Mapping | None
    document: Document
    path: str  # where in the document, "" for the document itself, "items[3]" for a List item
    # One per object, shared by all its records (kind, version and namespace interned: the
    # run keeps one per record, and they repeat across thousands of objects).
    identity: ObjectId

    def __init__(
        self,
        api_version: str,
        kind: str,
        name: str | None,
        namespace: str | None,
        mapping: Mapping,
        metadata: Mapping | None,
        document: Document,
        path: str,
        identity: ObjectId,
    ) -> None:
        set_field(self, "api_version", api_version)
        set_field(self, "kind", kind)
        set_field(self, "name", name)
        set_field(self, "namespace", namespace)
        set_field(self, "mapping", mapping)
        set_field(self, "metadata", metadata)
        set_field(self, "document", document)
        set_field(self, "path", path)
        set_field(self, "identity", identity)

    __repr__ = object.__repr__  # the fields' repr would dump YAML nodes

    @property
    def group(self) -> str:
        return self.api_version.rpartition("/")[0]

    def field(self, suffix: str) -> str:
        return f"{self.path}.{suffix}" if self.path else suffix


def iter_objects(
    loaded: LoadedFile, default_namespace: str, duplicates: list[DuplicateKey]
) -> Iterator[KubeObject]:
    """The Kubernetes objects of a file, in document order.

    Repeated keys met on the way are appended to ``duplicates``; a top-level list of objects
    (which kubectl cannot apply) is reported into ``loaded.problems`` and its items still read.
    """
    for document in loaded.iter_documents():
        node = document.node
        if isinstance(node, SequenceNode):
            items = [as_mapping(item) for item in node.value]
            if any(m is not None and "apiVersion" in m and "kind" in m for m in items):
                loaded.problems.append(
                    Problem(
                        invalid_document.NAME,
                        node.start_mark.line + 1,
                        node.start_mark.column + 1,
                        "this document is a YAML list of objects, which kubectl cannot apply; "
                        "make each object its own document (---) or wrap them in "
                        "'kind: List' with 'items:'",
                    )
                )
                for index, item in enumerate(node.value):
                    yield from _objects(
                        item, document, default_namespace, f"[{index}]", None, duplicates, 0
                    )
            continue
        yield from _objects(node, document, default_namespace, "", None, duplicates, 0)


def _objects(
    node: Node,
    document: Document,
    default_namespace: str,
    path: str,
    inherited: tuple[str, str] | None,
    duplicates: list[DuplicateKey],
    depth: int,
) -> Iterator[KubeObject]:
    if not isinstance(node, MappingNode):
        return
    mapping = Mapping(node)
    duplicates.extend(mapping.duplicates)
    api_version = mapping.text("apiVersion")
    kind = mapping.text("kind")
    if inherited is not None:  # an item of a typed list may leave out its apiVersion and kind
        api_version = api_version or inherited[0]
        kind = kind or inherited[1]
    if not api_version or not kind:
        return
    items = mapping.get("items")
    if kind.endswith("List") and isinstance(items, SequenceNode) and depth < _MAX_LIST_DEPTH:
        item_type = None if kind == "List" else (api_version, kind[: -len("List")])
        prefix = f"{path}.items" if path else "items"
        for index, item in enumerate(items.value):
            yield from _objects(
                item,
                document,
                default_namespace,
                f"{prefix}[{index}]",
                item_type,
                duplicates,
                depth + 1,
            )
        return
    metadata = as_mapping(mapping.get("metadata"))
    name = namespace = None
    if metadata is not None:
        duplicates.extend(metadata.duplicates)
        name = metadata.text("name") or metadata.text("generateName")
        namespace = metadata.text("namespace")
    if kind in CLUSTER_SCOPED_KINDS:
        namespace = None
    elif not namespace:
        namespace = default_namespace
    identity = ObjectId(
        intern(kind), None if namespace is None else intern(namespace), name, intern(api_version)
    )
    yield KubeObject(
        api_version, kind, name, namespace, mapping, metadata, document, path, identity
    )


def annotation_node(obj: KubeObject, key: str) -> Node | None:
    """The value node of one annotation of an object, if set."""
    if obj.metadata is None or "annotations" not in obj.metadata:
        return None
    notes = as_mapping(obj.metadata.get("annotations"))
    return None if notes is None else notes.get(key)


def annotation(obj: KubeObject, key: str) -> str | None:
    """The string value of one annotation of an object, if set."""
    return string_value(annotation_node(obj, key))
