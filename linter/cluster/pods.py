"""The containers of a Pod that wait on a failed pull, the workload that owns the Pod, and the
Pod as imagelint's rules check it."""

from __future__ import annotations

from typing import Any

from imagelint.cluster.records import CONTAINER_LISTS, PULL_REASONS, STATUS_LISTS, Failing, Node


def text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def sequence(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def moment(value: Any) -> str:
    """An RFC 3339 time that sorts as text: seconds, then a 6-digit fraction ('' if none).
    The API writes UTC ('Z'); Events mix second and microsecond times."""
    if not isinstance(value, str) or len(value) < 19:
        return ""
    fraction = ""
    if len(value) > 19 and value[19] == ".":
        digits = value[20:].rstrip("Z").split("+")[0].split("-")[0]
        fraction = digits[:6]
    return value[:19] + "." + fraction.ljust(6, "0")


def failing(pod: dict[str, Any]) -> list[Failing]:
    """The containers of ``pod`` (init, regular, ephemeral) waiting with a pull reason."""
    status = mapping(pod.get("status"))
    if not status:
        return []
    spec = mapping(pod.get("spec"))
    metadata = mapping(pod.get("metadata"))
    found = []
    for field in CONTAINER_LISTS:
        statuses = sequence(status.get(STATUS_LISTS[field]))
        if not statuses:
            continue
        specs = sequence(spec.get(field))
        positions = {text(mapping(c).get("name")): i for i, c in enumerate(specs)}
        for entry in statuses:
            entry = mapping(entry)
            waiting = mapping(mapping(entry.get("state")).get("waiting"))
            reason = text(waiting.get("reason"))
            if reason not in PULL_REASONS:
                continue
            name = text(entry.get("name"))
            index = positions.get(name, -1)
            image = text(mapping(specs[index]).get("image")) if index >= 0 else ""
            found.append(
                Failing(
                    text(metadata.get("namespace")) or "default",
                    text(metadata.get("name")),
                    text(metadata.get("uid")),
                    moment(metadata.get("creationTimestamp")),
                    text(spec.get("nodeName")),
                    field,
                    index,
                    name,
                    image or text(entry.get("image")),
                    reason,
                    text(waiting.get("message")),
                )
            )
    return found


def owner(pod: dict[str, Any]) -> tuple[str, str]:
    """The workload to change for a fix, as ``kubectl`` names its kind, and its name: the
    Deployment of a ReplicaSet (by the pod-template-hash suffix), the controller itself for
    the others, the pod when it has no controller."""
    metadata = mapping(pod.get("metadata"))
    for reference in sequence(metadata.get("ownerReferences")):
        reference = mapping(reference)
        if reference.get("controller") is not True:
            continue
        kind, name = text(reference.get("kind")), text(reference.get("name"))
        template_hash = text(mapping(metadata.get("labels")).get("pod-template-hash"))
        if kind == "ReplicaSet" and template_hash and name.endswith("-" + template_hash):
            return "deployment", name[: -len(template_hash) - 1]
        if kind in ("StatefulSet", "DaemonSet", "Job", "ReplicaSet", "CronJob"):
            return kind.lower(), name
    return "pod", text(metadata.get("name"))


def for_rules(pod: dict[str, Any], node: Node | None) -> dict[str, Any]:
    """The Pod as imagelint's rules should see it: its metadata's name and namespace and its
    spec, without status, managed fields or annotations. Scheduled on a known node, the node's
    OS and architecture become its nodeSelector, so that the platform check asks about the
    node it runs on."""
    metadata = mapping(pod.get("metadata"))
    spec = dict(mapping(pod.get("spec")))
    if node is not None and (node.os or node.architecture):
        selector = dict(mapping(spec.get("nodeSelector")))
        if node.os:
            selector["kubernetes.io/os"] = node.os
        if node.architecture:
            selector["kubernetes.io/arch"] = node.architecture
        spec["nodeSelector"] = selector
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": text(metadata.get("name")),
            "namespace": text(metadata.get("namespace")) or "default",
        },
        "spec": spec,
    }


def node_of(obj: dict[str, Any]) -> Node:
    """A Node object's platform: status.nodeInfo, else the kubernetes.io labels."""
    metadata = mapping(obj.get("metadata"))
    labels = mapping(metadata.get("labels"))
    info = mapping(mapping(obj.get("status")).get("nodeInfo"))
    return Node(
        text(metadata.get("name")),
        text(info.get("operatingSystem")) or text(labels.get("kubernetes.io/os")),
        text(info.get("architecture")) or text(labels.get("kubernetes.io/arch")),
    )
