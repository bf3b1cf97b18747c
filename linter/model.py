"""The data that flows between the stages: severities, object identities and findings."""

from __future__ import annotations

import enum
from dataclasses import dataclass


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
