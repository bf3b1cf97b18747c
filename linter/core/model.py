"""The data that flows between the stages: severities, object identities and findings.

Findings and records compare by identity (``eq=False``): the engine keys them by object, and
value equality would only cost start-up time to generate. Small value objects that only carry
data between stages (Site, Violation, RegistryEntry) are NamedTuples, which are as immutable
and cost a fifth of a dataclass to define (a one-file run pays every class definition)."""

from __future__ import annotations

import enum
import operator
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any, NamedTuple, TypeVar

from imagelint.core.options import setting_default

_T = TypeVar("_T")


def pickled_as_call(cls: type[_T]) -> type[_T]:
    """Pickle a frozen, slotted dataclass as a call of the class with its field values.

    Records and findings cross from worker processes to the parent. The stock pickling of such
    a class sets each field back through a Python loop over ``fields()``: three quarters of the
    parent's unpickling, which the workers wait on. Every field must be an ``__init__`` one.
    """
    names = [f.name for f in fields(cls) if f.init]  # type: ignore[arg-type]
    if len(names) != len(fields(cls)):  # type: ignore[arg-type]
        raise TypeError(f"{cls.__name__}: a field outside __init__ cannot be pickled as a call")
    values = operator.attrgetter(*names)

    def __reduce__(self: Any) -> tuple[Any, ...]:
        return (cls, values(self))

    cls.__reduce__ = __reduce__  # type: ignore[method-assign]
    return cls


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


@pickled_as_call
@dataclass(frozen=True, slots=True)
class ObjectId:
    """Which Kubernetes object a finding is about."""

    kind: str
    namespace: str | None  # None for objects that are not namespaced
    name: str | None
    api_version: str

    def describe(self) -> str:
        name = self.name or "<unnamed>"
        return f"{self.kind} {self.namespace}/{name}" if self.namespace else f"{self.kind} {name}"


@pickled_as_call
@dataclass(frozen=True, slots=True, eq=False)
class Finding:
    rule: str  # stable kebab-case name
    code: str  # stable code, e.g. IL101
    severity: Severity
    path: str  # as displayed: relative to where the user pointed, '/'-separated
    line: int  # 1-based
    column: int  # 1-based, in characters
    message: str
    object: ObjectId | None = None
    container: str | None = None
    image: str | None = None
    source: str | None = None  # Helm template the document came from, if known
    field: str | None = None  # where in the object, e.g. spec.template.spec.containers[0].image

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.path, self.line, self.column, self.code, self.message)


class Violation(NamedTuple):
    """What a rule reports; the engine adds the rule's identity and the context."""

    message: str
    offset: int = 0  # index into the checked string (e.g. the image) where the defect is
    node: object | None = None  # the YAML node to point at, when not the checked value itself
    # Whether fixing this defect alone makes the image valid, so that the rule's finding replaces
    # the generic one of the rules it SUPERSEDES (invalid-reference) on the same image.
    replaces: bool = True
    severity: Severity | None = None  # for a rule whose findings differ in severity
    site: Site | None = None  # where, for a run rule reporting on a Secret (default: its name)


class Site(NamedTuple):
    """Where a value is written, enough to report on it once the YAML is gone."""

    path: str
    line: int  # 1-based, of the value's first character
    column: int  # 1-based
    exact: bool  # offsets into the value map one to one onto columns from here
    source: str | None = None  # Helm template of the document

    def at(self, offset: int) -> tuple[int, int]:
        return self.line, self.column + (offset if self.exact else 0)


@pickled_as_call
@dataclass(frozen=True, slots=True, eq=False)
class ImageRecord:
    """One image reference of the run, as the cross-object (run) rules see it."""

    image: str | None
    site: Site
    object: ObjectId
    container: str | None
    field: str
    resolved_at_runtime: bool  # something else fills in this image (OpenShift trigger, Argo)
    pod: PodRecord | None = None  # the pod whose credentials pull it
    # Rules whose findings on this image an image-scope finding already replaced (so a run rule
    # does not report the literal string of, say, an unrendered template).
    superseded: frozenset[str] = frozenset()


@dataclass(frozen=True, eq=False)
class Settings:
    """What a run was asked to do; rules read their options here (never from files). An option
    not in ``options`` has its declared default (``imagelint.core.options``)."""

    namespace: str = "default"
    options: Mapping[str, Any] = field(default_factory=dict)  # option name -> value

    def option(self, name: str) -> Any:
        return self.options[name] if name in self.options else setting_default(name)


@pickled_as_call
@dataclass(frozen=True, slots=True, eq=False)
class NameRef:
    """A reference by name to another object (a pull secret, a ServiceAccount), where written."""

    name: str
    site: Site
    holder: ObjectId  # the object whose manifest holds the reference
    field: str  # e.g. spec.template.spec.imagePullSecrets[0].name


@pickled_as_call
@dataclass(frozen=True, slots=True, eq=False)
class PodRecord:
    """What decides a pod's pull credentials."""

    object: ObjectId
    namespace: str
    pull_secrets: tuple[NameRef, ...]  # the pod's own imagePullSecrets
    service_account: str  # serviceAccountName, or "default"
    site: Site  # the pod spec
    # The nodes it may run on, from kubernetes.io/arch and kubernetes.io/os in its nodeSelector
    # or required node affinity (empty: not constrained), and which of the two said so.
    node_arch: tuple[str, ...] = ()
    node_os: tuple[str, ...] = ()
    placement_origin: str = ""


@pickled_as_call
@dataclass(frozen=True, slots=True, eq=False)
class ServiceAccountRecord:
    object: ObjectId
    pull_secrets: tuple[NameRef, ...]


class Credential:
    """A user name and password from a pull secret, for talking to registries. Its text never
    shows: repr() and str() are redacted, and it is kept out of every message and log."""

    __slots__ = ("username", "password")

    def __init__(self, username: str, password: str) -> None:
        self.username = username
        self.password = password

    def __repr__(self) -> str:
        return "Credential(<redacted>)"

    __str__ = __repr__

    def __reduce__(self) -> tuple[Any, ...]:  # picklable between processes, never printable
        return (Credential, (self.username, self.password))


class RegistryEntry(NamedTuple):
    """One registry entry of a docker config secret: its key and what the kubelet makes of it."""

    key: str  # as written in the secret
    match_key: str | None  # normalized as the kubelet does, None when the kubelet ignores it
    credential: Credential | None  # None when the entry holds no usable credentials
    ecr_user: bool = False  # user name "AWS" on an ECR host: a 12-hour token
    expires: int | None = None  # Unix time embedded in an ECR token, when it has one


@pickled_as_call
@dataclass(frozen=True, slots=True, eq=False)
class SecretRecord:
    """A Secret of the run, or an object that creates one (SealedSecret, ExternalSecret...).

    ``entries`` is None when the registries it covers cannot be known offline (sealed,
    managed by a controller, declared in configuration); an empty tuple when it covers none.
    """

    name: str
    namespace: str
    origin: str  # "Secret", "SealedSecret", "ExternalSecret", "SecretImport"
    type: str | None  # the Secret type it has or will have ("Opaque" when not set); None: unknown
    keys: frozenset[str] | None  # data keys, None when unknown
    entries: tuple[RegistryEntry, ...] | None
    problems: tuple[tuple[str, Site], ...]  # what is malformed (never what is inside), where
    object: ObjectId
    site: Site  # its metadata.name (or the object, when the name is not written there)
    data_site: Site | None = None  # the value of its docker config key, when there is one

    @property
    def docker_type(self) -> bool:
        return self.type in DOCKER_SECRET_TYPES


DOCKER_SECRET_TYPES = {
    "kubernetes.io/dockerconfigjson": ".dockerconfigjson",
    "kubernetes.io/dockercfg": ".dockercfg",
}
