"""The objects of a kustomize build, with the names they had, and loading them from files.

Kustomize identifies an object by group, version, kind, namespace and name, and remembers
every id an object had (a name prefix, a namespace, a hash suffix each change it): a patch, an
``behavior: merge`` generator or a reference may use any of them. :class:`Res` keeps the same.
"""

from __future__ import annotations

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode

from imagelint.reading.loader import LoadedFile
from imagelint.reading.sources import Problem
from imagelint.trees.kustomize.nodes import BROKEN, get, items, problem_at, text, with_key
from imagelint.trees.origins import mapping, scalar

# (group, version, kind, namespace, name)
Id = tuple[str, str, str, str, str]

# Kinds Kubernetes keeps outside namespaces: kustomize neither sets a namespace on them nor
# requires a referrer to share theirs. (kustomize reads this from its built-in OpenAPI
# schema; a kind it does not know, e.g. a custom resource, it takes for namespaced.)
CLUSTER_SCOPED = frozenset(
    {
        "APIService",
        "CSIDriver",
        "CSINode",
        "CertificateSigningRequest",
        "ClusterRole",
        "ClusterRoleBinding",
        "ComponentStatus",
        "CustomResourceDefinition",
        "FlowSchema",
        "IngressClass",
        "MutatingWebhookConfiguration",
        "Namespace",
        "Node",
        "PersistentVolume",
        "PodSecurityPolicy",
        "PriorityClass",
        "PriorityLevelConfiguration",
        "RuntimeClass",
        "SelfSubjectAccessReview",
        "SelfSubjectRulesReview",
        "StorageClass",
        "SubjectAccessReview",
        "TokenReview",
        "ValidatingAdmissionPolicy",
        "ValidatingAdmissionPolicyBinding",
        "ValidatingWebhookConfiguration",
        "VolumeAttachment",
    }
)


# The API groups of Kubernetes' own kinds, whose schema kustomize carries: a strategic merge
# patch merges their lists on the schema's keys (a custom resource's lists are replaced).
BUILTIN_GROUPS = frozenset(
    {
        "",
        "admissionregistration.k8s.io",
        "apiextensions.k8s.io",
        "apiregistration.k8s.io",
        "apps",
        "authentication.k8s.io",
        "authorization.k8s.io",
        "autoscaling",
        "batch",
        "certificates.k8s.io",
        "coordination.k8s.io",
        "discovery.k8s.io",
        "events.k8s.io",
        "extensions",
        "flowcontrol.apiserver.k8s.io",
        "networking.k8s.io",
        "node.k8s.io",
        "policy",
        "rbac.authorization.k8s.io",
        "scheduling.k8s.io",
        "storage.k8s.io",
    }
)


def split_api_version(api_version: str) -> tuple[str, str]:
    group, _, version = api_version.rpartition("/")
    return group, version


def effective(namespace: str) -> str:
    return namespace or "default"


class Res:
    """One object of a build: its node (replaced, never changed, by each transformation),
    its current id, and the ids it had before."""

    __slots__ = (
        "node",
        "group",
        "version",
        "kind",
        "namespace",
        "name",
        "prev",
        "needs_hash",
        "behavior",
        "prefixes",
        "suffixes",
    )

    def __init__(self, node: MappingNode) -> None:
        self.node = node
        self.group = ""
        self.version = ""
        self.kind = ""
        self.namespace = ""
        self.name = ""
        self.prev: list[Id] = []
        self.needs_hash = False
        self.behavior = ""
        self.prefixes: tuple[str, ...] = ()
        self.suffixes: tuple[str, ...] = ()
        self.refresh()

    def refresh(self) -> None:
        """Read the id again from the node (after a patch that may have renamed it)."""
        node = self.node
        self.group, self.version = split_api_version(text(get(node, "apiVersion")) or "")
        self.kind = text(get(node, "kind")) or ""
        metadata = get(node, "metadata")
        self.name = text(get(metadata, "name")) or ""
        self.namespace = text(get(metadata, "namespace")) or ""

    def copy(self) -> Res:
        twin = Res.__new__(Res)
        twin.node = self.node
        twin.group = self.group
        twin.version = self.version
        twin.kind = self.kind
        twin.namespace = self.namespace
        twin.name = self.name
        twin.prev = list(self.prev)
        twin.needs_hash = self.needs_hash
        twin.behavior = self.behavior
        twin.prefixes = self.prefixes
        twin.suffixes = self.suffixes
        return twin

    @property
    def cluster_scoped(self) -> bool:
        return self.kind in CLUSTER_SCOPED

    def cur_id(self) -> Id:
        return (self.group, self.version, self.kind, self.namespace, self.name)

    def org_id(self) -> Id:
        return self.prev[0] if self.prev else self.cur_id()

    def any_ids(self) -> list[Id]:
        return [*self.prev, self.cur_id()]

    def rename(self, value: ScalarNode) -> None:
        """Set metadata.name (``value`` remembers the line, or lines, that set it)."""
        self.prev.append(self.cur_id())
        self.node = _set_meta(self.node, [("name", value)])
        self.name = value.value

    def move_and_rename(self, namespace: ScalarNode | None, name: ScalarNode | None) -> None:
        """``move`` to ``namespace``, then ``rename`` to ``name`` (either None: not that),
        with the metadata written once."""
        changes: list[tuple[str, Node]] = []
        if namespace is not None:
            self.prev.append(self.cur_id())
            self.namespace = namespace.value
            changes.append(("namespace", namespace))
        if name is not None:
            self.prev.append(self.cur_id())
            self.name = name.value
            changes.append(("name", name))
        if changes:
            self.node = _set_meta(self.node, changes)

    def describe(self) -> str:
        where = f" in namespace {self.namespace}" if self.namespace else ""
        return f"{self.kind} {self.name}{where}"


def _set_meta(node: MappingNode, changes: list[tuple[str, Node]]) -> MappingNode:
    """``node`` with each ``metadata.<key>`` set to its value, in turn (``update_path``
    written out for the few keys of metadata: names and namespaces are set on every object
    of every build)."""
    metadata = get(node, "metadata")
    inner = metadata if isinstance(metadata, MappingNode) else mapping([], node)
    if len(changes) == 1:
        key, value = changes[0]
        return with_key(node, "metadata", with_key(inner, key, value))
    # with_key for each, in one pass: a key already there keeps its place (its repeats go),
    # a new one is added at the end, in the order of the changes.
    pending = dict(changes)
    placed: set[str] = set()
    pairs: list[tuple[Node, Node]] = []
    for k, v in inner.value:
        name = k.value if isinstance(k, ScalarNode) else None
        if name in pending:
            pairs.append((k, pending.pop(name)))
            placed.add(name)
        elif name not in placed:
            pairs.append((k, v))
    pairs.extend((scalar(key, value), value) for key, value in changes if key in pending)
    return with_key(node, "metadata", mapping(pairs, inner))


def same_id(a: Id, b: Id) -> bool:
    """kustomize's ResId.Equals: the same group, version, kind and name, in the same namespace
    (no namespace and "default" are the same)."""
    return a[:3] == b[:3] and a[4] == b[4] and effective(a[3]) == effective(b[3])


def having(ra: list[Res], ident: Id) -> list[Res]:
    """The objects whose current or earlier id is ``ident`` (:func:`same_id`)."""
    head, name, namespace = ident[:3], ident[4], effective(ident[3])
    found = []
    for res in ra:
        if (
            res.name == name
            and (res.group, res.version, res.kind) == head
            and effective(res.namespace) == namespace
        ) or any(
            other[4] == name and other[:3] == head and effective(other[3]) == namespace
            for other in res.prev
        ):
            found.append(res)
    return found


def id_text(ident: Id) -> str:
    group, version, kind, namespace, name = ident
    gv = f"{group}/{version}" if group else version
    where = f" in namespace {namespace}" if namespace else ""
    return f"{kind} {name}{where} ({gv})"


def objects_of(loaded: LoadedFile, problems: list[tuple[str, Problem]], fallback: str) -> list[Res]:
    """The objects of a resources file, in order (a ``kind: List`` gives its items). A
    document that is not an object is a problem at the line that names the file."""
    result: list[Res] = []
    for document in loaded.documents:
        node = document.node
        if isinstance(node, ScalarNode) and not node.value.strip():
            continue  # an empty document
        if not isinstance(node, MappingNode):
            problems.append(_bad(node, "a document of it is not a mapping", fallback))
            continue
        kind = text(get(node, "kind")) or ""
        if kind.endswith("List") and get(node, "items") is not None:
            for item in items(get(node, "items")):
                if isinstance(item, MappingNode):
                    result.append(Res(item))
                else:
                    problems.append(_bad(item, "an item of its list is not a mapping", fallback))
            continue
        res = Res(node)
        if not res.kind:
            problems.append(_bad(node, "a document of it has no kind", fallback))
            continue
        result.append(res)
    return result


def _bad(node: Node, what: str, fallback: str) -> tuple[str, Problem]:
    return problem_at(
        node,
        BROKEN,
        f"kustomize cannot read this resource file: {what}; fix the document or remove it "
        "from the kustomization",
        fallback,
    )
