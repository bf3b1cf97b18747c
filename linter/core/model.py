"""The data that flows between the stages: severities, object identities and findings.

The records are immutable ``__slots__`` classes (:class:`~imagelint.core.frozen.FrozenRecord`):
a frozen dataclass compiles its generated methods when defined, which a one-file run would pay
for every record class. They pickle as a call of their class, since they cross from worker
processes to the parent. Findings and records compare by identity: the engine keys them by
object. The small value objects (ObjectId, Site, Violation, RegistryEntry) compare and hash by
value (:class:`~imagelint.core.frozen.ValueRecord`)."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any

from imagelint.core.credential import Credential
from imagelint.core.fixes import Edit, Fix
from imagelint.core.frozen import FrozenRecord, ValueRecord, set_field
from imagelint.core.options import setting_default


class Severity(enum.IntEnum):
    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return _SEVERITY_LABELS[self]

    @classmethod
    def from_label(cls, label: str) -> Severity:
        try:
            return cls[label.upper()]
        except KeyError:
            raise ValueError(f"unknown severity {label!r} (use error, warning or info)") from None


_SEVERITY_LABELS = {Severity.INFO: "info", Severity.WARNING: "warning", Severity.ERROR: "error"}


class ObjectId(ValueRecord):
    """Which Kubernetes object a finding is about; equal to another of the same four fields."""

    __slots__ = ("kind", "namespace", "name", "api_version")
    kind: str
    namespace: str | None  # None for objects that are not namespaced
    name: str | None
    api_version: str

    def __init__(
        self, kind: str, namespace: str | None, name: str | None, api_version: str
    ) -> None:
        set_field(self, "kind", kind)
        set_field(self, "namespace", namespace)
        set_field(self, "name", name)
        set_field(self, "api_version", api_version)

    def describe(self) -> str:
        name = self.name or "<unnamed>"
        return f"{self.kind} {self.namespace}/{name}" if self.namespace else f"{self.kind} {name}"


class Finding(FrozenRecord):
    __slots__ = (
        "rule",
        "code",
        "severity",
        "path",
        "line",
        "column",
        "message",
        "object",
        "container",
        "image",
        "source",
        "field",
        "via",
        "edit",
        "fingerprint",
    )
    rule: str  # stable kebab-case name
    code: str  # stable code, e.g. IL101
    severity: Severity
    path: str  # as displayed: relative to where the user pointed, '/'-separated
    line: int  # 1-based
    column: int  # 1-based, in characters
    message: str
    object: ObjectId | None
    container: str | None
    image: str | None
    source: str | None  # Helm template the document came from, if known
    field: str | None  # where in the object, e.g. spec.template.spec.containers[0].image
    # The trees (kustomize roots, chart variants) the value was built through, when it was:
    # one finding lists every root that builds the same defect at the same place.
    via: tuple[str, ...]
    edit: Edit | None  # the change that repairs it, where the value is written (core.fixes)
    fingerprint: str | None  # reporting.fingerprint's, kept once worked out (no copy changes it)

    def __init__(
        self,
        rule: str,
        code: str,
        severity: Severity,
        path: str,
        line: int,
        column: int,
        message: str,
        object: ObjectId | None = None,
        container: str | None = None,
        image: str | None = None,
        source: str | None = None,
        field: str | None = None,
        via: tuple[str, ...] = (),
        edit: Edit | None = None,
        fingerprint: str | None = None,
    ) -> None:
        set_field(self, "rule", rule)
        set_field(self, "code", code)
        set_field(self, "severity", severity)
        set_field(self, "path", path)
        set_field(self, "line", line)
        set_field(self, "column", column)
        set_field(self, "message", message)
        set_field(self, "object", object)
        set_field(self, "container", container)
        set_field(self, "image", image)
        set_field(self, "source", source)
        set_field(self, "field", field)
        set_field(self, "via", via)
        set_field(self, "edit", edit)
        set_field(self, "fingerprint", fingerprint)

    def with_severity(self, severity: Severity) -> Finding:
        """This finding at another severity (a copy)."""
        return self._with(severity, self.via)

    def with_via(self, via: tuple[str, ...]) -> Finding:
        """This finding, built through other trees (a copy)."""
        return self._with(self.severity, via)

    def _with(self, severity: Severity, via: tuple[str, ...]) -> Finding:
        fields = list(self._field_values(self))
        fields[2], fields[12] = severity, via  # the fields in __init__ order
        return Finding(*fields)

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.path, self.line, self.column, self.code, self.message)


class Violation(ValueRecord):
    """What a rule reports; the engine adds the rule's identity and the context."""

    __slots__ = ("message", "offset", "node", "replaces", "severity", "site", "fix")
    message: str
    offset: int  # index into the checked string (e.g. the image) where the defect is
    node: object | None  # the YAML node to point at, when not the checked value itself
    # Whether fixing this defect alone makes the image valid, so that the rule's finding replaces
    # the generic one of the rules it SUPERSEDES (invalid-reference) on the same image.
    replaces: bool
    severity: Severity | None  # for a rule whose findings differ in severity
    site: Site | None  # where, for a run rule reporting on a Secret (default: its name)
    fix: Fix | None  # the new value of the checked value (or of ``node``) that repairs it

    def __init__(
        self,
        message: str,
        offset: int = 0,
        node: object | None = None,
        replaces: bool = True,
        severity: Severity | None = None,
        site: Site | None = None,
        fix: Fix | None = None,
    ) -> None:
        set_field(self, "message", message)
        set_field(self, "offset", offset)
        set_field(self, "node", node)
        set_field(self, "replaces", replaces)
        set_field(self, "severity", severity)
        set_field(self, "site", site)
        set_field(self, "fix", fix)


class Site(ValueRecord):
    """Where a value is written, enough to report on it once the YAML is gone."""

    __slots__ = ("path", "line", "column", "exact", "source", "via", "parts")
    path: str
    line: int  # 1-based, of the value's first character
    column: int  # 1-based
    exact: bool  # offsets into the value map one to one onto columns from here
    source: str | None  # Helm template of the document
    via: str | None  # the tree (kustomize root, chart) the value was built through
    # For a value put together from parts written in different places (an overlay's newTag
    # over a base's image): (where the part starts in the value, where the part is written).
    parts: tuple[tuple[int, Site], ...]

    def __init__(
        self,
        path: str,
        line: int,
        column: int,
        exact: bool,
        source: str | None = None,
        via: str | None = None,
        parts: tuple[tuple[int, Site], ...] = (),
    ) -> None:
        set_field(self, "path", path)
        set_field(self, "line", line)
        set_field(self, "column", column)
        set_field(self, "exact", exact)
        set_field(self, "source", source)
        set_field(self, "via", via)
        set_field(self, "parts", parts)

    def inexact(self) -> Site:
        """This site, where offsets into the value no longer map onto columns (a copy)."""
        return Site(self.path, self.line, self.column, False, self.source, self.via)

    def at(self, offset: int) -> tuple[int, int]:
        """1-based line and column of ``offset`` characters into the value."""
        return self.locate(offset)[1:]

    def locate(self, offset: int) -> tuple[str, int, int]:
        """The file, line and column of ``offset`` characters into the value (for a value
        written in parts, where the part holding that character is written)."""
        if self.parts:
            start, part = self.parts[0]
            for begin, site in self.parts:
                if begin > offset:
                    break
                start, part = begin, site
            return part.locate(offset - start)
        return self.path, self.line, self.column + (offset if self.exact else 0)


_Parsed = object  # an images.reference result: the core does not import the images stage


class ImageRecord(FrozenRecord):
    """One image reference of the run, as the cross-object (run) rules see it."""

    __slots__ = (
        "image",
        "site",
        "object",
        "container",
        "field",
        "resolved_at_runtime",
        "pod",
        "superseded",
        "parsed",
    )
    image: str | None
    site: Site
    object: ObjectId
    container: str | None
    field: str
    resolved_at_runtime: bool  # something else fills in this image (OpenShift trigger, Argo)
    pod: PodRecord | None  # the pod whose credentials pull it
    # Rules whose findings on this image an image-scope finding already replaced (so a run rule
    # does not report the literal string of, say, an unrendered template).
    superseded: frozenset[str]
    # The image as images.reference parsed it for the image rules (None: not parsed): sent with
    # the record from a worker, the run rules need not parse the run's images again.
    parsed: _Parsed | None

    def __init__(
        self,
        image: str | None,
        site: Site,
        object: ObjectId,
        container: str | None,
        field: str,
        resolved_at_runtime: bool,
        pod: PodRecord | None = None,
        superseded: frozenset[str] = frozenset(),
        parsed: _Parsed | None = None,
    ) -> None:
        set_field(self, "image", image)
        set_field(self, "site", site)
        set_field(self, "object", object)
        set_field(self, "container", container)
        set_field(self, "field", field)
        set_field(self, "resolved_at_runtime", resolved_at_runtime)
        set_field(self, "pod", pod)
        set_field(self, "superseded", superseded)
        set_field(self, "parsed", parsed)

    def with_superseded(self, superseded: frozenset[str]) -> ImageRecord:
        """This record with other superseded rules (a copy)."""
        return ImageRecord(
            self.image,
            self.site,
            self.object,
            self.container,
            self.field,
            self.resolved_at_runtime,
            self.pod,
            superseded,
            self.parsed,
        )


class Settings(FrozenRecord):
    """What a run was asked to do; rules read their options here (never from files). An option
    not in ``options`` has its declared default (``imagelint.core.options``)."""

    __slots__ = ("namespace", "options")
    namespace: str
    options: Mapping[str, Any]  # option name -> value

    def __init__(
        self, namespace: str = "default", options: Mapping[str, Any] | None = None
    ) -> None:
        set_field(self, "namespace", namespace)
        set_field(self, "options", {} if options is None else options)

    def option(self, name: str) -> Any:
        return self.options[name] if name in self.options else setting_default(name)


class NameRef(FrozenRecord):
    """A reference by name to another object (a pull secret, a ServiceAccount), where written."""

    __slots__ = ("name", "site", "holder", "field")
    name: str
    site: Site
    holder: ObjectId  # the object whose manifest holds the reference
    field: str  # e.g. spec.template.spec.imagePullSecrets[0].name

    def __init__(self, name: str, site: Site, holder: ObjectId, field: str) -> None:
        set_field(self, "name", name)
        set_field(self, "site", site)
        set_field(self, "holder", holder)
        set_field(self, "field", field)


class PodRecord(FrozenRecord):
    """What decides a pod's pull credentials."""

    __slots__ = (
        "object",
        "namespace",
        "pull_secrets",
        "service_account",
        "site",
        "node_arch",
        "node_os",
        "placement_origin",
    )
    object: ObjectId
    namespace: str
    pull_secrets: tuple[NameRef, ...]  # the pod's own imagePullSecrets
    service_account: str  # serviceAccountName, or "default"
    site: Site  # the pod spec
    # The nodes it may run on, from kubernetes.io/arch and kubernetes.io/os in its nodeSelector
    # or required node affinity (empty: not constrained), and which of the two said so.
    node_arch: tuple[str, ...]
    node_os: tuple[str, ...]
    placement_origin: str

    def __init__(
        self,
        object: ObjectId,
        namespace: str,
        pull_secrets: tuple[NameRef, ...],
        service_account: str,
        site: Site,
        node_arch: tuple[str, ...] = (),
        node_os: tuple[str, ...] = (),
        placement_origin: str = "",
    ) -> None:
        set_field(self, "object", object)
        set_field(self, "namespace", namespace)
        set_field(self, "pull_secrets", pull_secrets)
        set_field(self, "service_account", service_account)
        set_field(self, "site", site)
        set_field(self, "node_arch", node_arch)
        set_field(self, "node_os", node_os)
        set_field(self, "placement_origin", placement_origin)


class ServiceAccountRecord(FrozenRecord):
    __slots__ = ("object", "pull_secrets", "via")
    object: ObjectId
    pull_secrets: tuple[NameRef, ...]
    via: str | None  # the tree that built it

    def __init__(
        self, object: ObjectId, pull_secrets: tuple[NameRef, ...], via: str | None = None
    ) -> None:
        set_field(self, "object", object)
        set_field(self, "pull_secrets", pull_secrets)
        set_field(self, "via", via)


class RegistryEntry(ValueRecord):
    """One registry entry of a docker config secret: its key and what the kubelet makes of it."""

    __slots__ = ("key", "match_key", "credential", "ecr_user", "expires")
    key: str  # as written in the secret
    match_key: str | None  # normalized as the kubelet does, None when the kubelet ignores it
    credential: Credential | None  # None when the entry holds no usable credentials
    ecr_user: bool  # user name "AWS" on an ECR host: a 12-hour token
    expires: int | None  # Unix time embedded in an ECR token, when it has one

    def __init__(
        self,
        key: str,
        match_key: str | None,
        credential: Credential | None,
        ecr_user: bool = False,
        expires: int | None = None,
    ) -> None:
        set_field(self, "key", key)
        set_field(self, "match_key", match_key)
        set_field(self, "credential", credential)
        set_field(self, "ecr_user", ecr_user)
        set_field(self, "expires", expires)


class SecretRecord(FrozenRecord):
    """A Secret of the run, or an object that creates one (SealedSecret, ExternalSecret...).

    ``entries`` is None when the registries it covers cannot be known offline (sealed,
    managed by a controller, declared in configuration); an empty tuple when it covers none.
    """

    __slots__ = (
        "name",
        "namespace",
        "origin",
        "type",
        "keys",
        "entries",
        "problems",
        "object",
        "site",
        "data_site",
    )
    name: str
    namespace: str
    origin: str  # "Secret", "SealedSecret", "ExternalSecret", "SecretImport"
    type: str | None  # the Secret type it has or will have ("Opaque" when not set); None: unknown
    keys: frozenset[str] | None  # data keys, None when unknown
    entries: tuple[RegistryEntry, ...] | None
    problems: tuple[tuple[str, Site], ...]  # what is malformed (never what is inside), where
    object: ObjectId
    site: Site  # its metadata.name (or the object, when the name is not written there)
    data_site: Site | None  # the value of its docker config key, when there is one

    def __init__(
        self,
        name: str,
        namespace: str,
        origin: str,
        type: str | None,
        keys: frozenset[str] | None,
        entries: tuple[RegistryEntry, ...] | None,
        problems: tuple[tuple[str, Site], ...],
        object: ObjectId,
        site: Site,
        data_site: Site | None = None,
    ) -> None:
        set_field(self, "name", name)
        set_field(self, "namespace", namespace)
        set_field(self, "origin", origin)
        set_field(self, "type", type)
        set_field(self, "keys", keys)
        set_field(self, "entries", entries)
        set_field(self, "problems", problems)
        set_field(self, "object", object)
        set_field(self, "site", site)
        set_field(self, "data_site", data_site)

    @property
    def docker_type(self) -> bool:
        return self.type in DOCKER_SECRET_TYPES


DOCKER_SECRET_TYPES = {
    "kubernetes.io/dockerconfigjson": ".dockerconfigjson",
    "kubernetes.io/dockercfg": ".dockercfg",
}
