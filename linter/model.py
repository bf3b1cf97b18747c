"""The data that flows between the stages: severities, object identities and findings."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


class Severity(enum.IntEnum):
    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def from_label(cls, label: str) -> Severity:
        try:
            return cls[label.upper()]
        except KeyError:
            raise ValueError(f"unknown severity {label!r} (use error, warning or info)") from None


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


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
class Violation:
    """What a rule reports; the engine adds the rule's identity and the context."""

    message: str
    offset: int = 0  # index into the checked string (e.g. the image) where the defect is
    node: object | None = None  # the YAML node to point at, when not the checked value itself
    # Whether fixing this defect alone makes the image valid, so that the rule's finding replaces
    # the generic one of the rules it SUPERSEDES (invalid-reference) on the same image.
    replaces: bool = True


@dataclass(frozen=True, slots=True)
class Site:
    """Where a value is written, enough to report on it once the YAML is gone."""

    path: str
    line: int  # 1-based, of the value's first character
    column: int  # 1-based
    exact: bool  # offsets into the value map one to one onto columns from here
    source: str | None = None  # Helm template of the document

    def at(self, offset: int) -> tuple[int, int]:
        return self.line, self.column + (offset if self.exact else 0)


@dataclass(frozen=True, slots=True)
class ImageRecord:
    """One image reference of the run, as the cross-object (run) rules see it."""

    image: str | None
    site: Site
    object: ObjectId
    container: str | None
    field: str
    resolved_at_runtime: bool  # something else fills in this image (OpenShift trigger, Argo)
    # Rules whose findings on this image an image-scope finding already replaced (so a run rule
    # does not report the literal string of, say, an unrendered template).
    superseded: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Settings:
    """What a run was asked to do; rules read their options here (never from files)."""

    namespace: str = "default"
    options: Mapping[str, Any] = field(default_factory=dict)  # option name -> value

    def option(self, name: str) -> Any:
        from imagelint.registry import option_default

        return self.options[name] if name in self.options else option_default(name)
