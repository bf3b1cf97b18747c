"""Which nodes a pod may run on, as far as the image's platform is concerned: the values of
``kubernetes.io/arch`` and ``kubernetes.io/os`` in its ``nodeSelector`` or its required node
affinity (the scheduler honours both, so each narrows the other)."""

from __future__ import annotations

from imagelint.reading.yamlnodes import Mapping, as_mapping, as_sequence, string_value

ARCH_LABELS = ("kubernetes.io/arch", "beta.kubernetes.io/arch")
OS_LABELS = ("kubernetes.io/os", "beta.kubernetes.io/os")


class Placement:
    __slots__ = ("arch", "os", "origin")

    def __init__(self) -> None:
        self.arch: tuple[str, ...] = ()
        self.os: tuple[str, ...] = ()
        self.origin = ""


def placement(*specs: Mapping | None) -> Placement:
    """The platform constraints of the first of ``specs`` (a pod spec, then the level that
    sets pod-wide fields, e.g. an Argo Workflow's spec) that has any."""
    result = Placement()
    for spec in specs:
        if spec is None:
            continue
        origins = []
        selector = as_mapping(spec.get("nodeSelector"))
        if selector is not None:
            arch, os_ = _selected(selector, ARCH_LABELS), _selected(selector, OS_LABELS)
            if arch or os_:
                result.arch, result.os = arch, os_
                origins.append("nodeSelector")
        arch, os_ = _affinity(spec)
        if arch or os_:
            result.arch = _narrow(result.arch, arch)
            result.os = _narrow(result.os, os_)
            origins.append("required node affinity")
        if origins:
            result.origin = " and ".join(origins)
            return result
    return result


def _selected(selector: Mapping, labels: tuple[str, ...]) -> tuple[str, ...]:
    for label in labels:
        value = string_value(selector.get(label))
        if value:
            return (value.strip().lower(),)
    return ()


def _affinity(spec: Mapping) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Values allowed by ``requiredDuringSchedulingIgnoredDuringExecution``: its terms are
    alternatives, so a label is constrained only when every term constrains it (with ``In``)."""
    affinity = as_mapping(spec.get("affinity"))
    node = as_mapping(affinity.get("nodeAffinity")) if affinity else None
    required = (
        as_mapping(node.get("requiredDuringSchedulingIgnoredDuringExecution")) if node else None
    )
    candidates = (
        [as_mapping(t) for t in as_sequence(required.get("nodeSelectorTerms"))] if required else []
    )
    terms = [t for t in candidates if t is not None]
    if not terms:
        return (), ()
    arch: list[str] | None = []
    systems: list[str] | None = []
    for term in terms:
        term_arch, term_os = _term_values(term)
        arch = None if arch is None or term_arch is None else arch + term_arch
        systems = None if systems is None or term_os is None else systems + term_os
    return tuple(dict.fromkeys(arch or ())), tuple(dict.fromkeys(systems or ()))


def _term_values(term: Mapping) -> tuple[list[str] | None, list[str] | None]:
    arch: list[str] | None = None
    systems: list[str] | None = None
    for item in as_sequence(term.get("matchExpressions")):
        expression = as_mapping(item)
        if expression is None or expression.text("operator") != "In":
            continue
        values = [
            v.strip().lower()
            for n in as_sequence(expression.get("values"))
            if (v := string_value(n))
        ]
        key = expression.text("key")
        if key in ARCH_LABELS:
            arch = values if arch is None else [v for v in arch if v in values]
        elif key in OS_LABELS:
            systems = values if systems is None else [v for v in systems if v in values]
    return arch, systems


def _narrow(first: tuple[str, ...], second: tuple[str, ...]) -> tuple[str, ...]:
    if not first:
        return second
    if not second:
        return first
    return tuple(value for value in first if value in second)
