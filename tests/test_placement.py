"""Which platforms a pod may run on: nodeSelector and required node affinity."""

from __future__ import annotations

import pytest

from imagelint.online.answers import Platform, required_platforms
from imagelint.reading.loader import load
from imagelint.running.engine import Engine

HEAD = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n"
CONTAINERS = "  containers: [{name: c, image: nginx:1.27}]\n"


def pod_record(spec: str):
    result = Engine()._check_loaded(load("p.yaml", HEAD + spec + CONTAINERS), False)
    return result.images[0].pod


def affinity(*terms: str) -> str:
    lines = [
        "  affinity:",
        "    nodeAffinity:",
        "      requiredDuringSchedulingIgnoredDuringExecution:",
        "        nodeSelectorTerms:",
    ]
    for term in terms:
        lines.append(f"          - matchExpressions: [{term}]")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("spec", "arch", "os_", "origin"),
    [
        ("", (), (), ""),
        ("  nodeSelector: {kubernetes.io/arch: arm64}\n", ("arm64",), (), "nodeSelector"),
        ("  nodeSelector: {beta.kubernetes.io/os: windows}\n", (), ("windows",), "nodeSelector"),
        (
            affinity("{key: kubernetes.io/arch, operator: In, values: [amd64, arm64]}"),
            ("amd64", "arm64"),
            (),
            "required node affinity",
        ),
        # Terms are alternatives: a term without an arch constraint allows any arch.
        (
            affinity(
                "{key: kubernetes.io/arch, operator: In, values: [arm64]}",
                "{key: topology.kubernetes.io/zone, operator: In, values: [a]}",
            ),
            (),
            (),
            "",
        ),
        (
            affinity(
                "{key: kubernetes.io/arch, operator: In, values: [arm64]}",
                "{key: kubernetes.io/arch, operator: In, values: [amd64]}",
            ),
            ("arm64", "amd64"),
            (),
            "required node affinity",
        ),
        (
            "  nodeSelector: {kubernetes.io/arch: arm64}\n"
            + affinity("{key: kubernetes.io/arch, operator: In, values: [amd64, arm64]}"),
            ("arm64",),
            (),
            "nodeSelector and required node affinity",
        ),
        (
            affinity("{key: kubernetes.io/arch, operator: NotIn, values: [arm64]}"),
            (),
            (),
            "",
        ),
    ],
)
def test_node_platforms(spec, arch, os_, origin):
    pod = pod_record(spec)
    assert (pod.node_arch, pod.node_os, pod.placement_origin) == (arch, os_, origin)


def test_required_platforms_fill_in_from_the_configured_ones():
    pod = pod_record("  nodeSelector: {kubernetes.io/arch: arm64}\n")
    assert required_platforms(pod, ["linux/amd64"]) == (
        (Platform("linux", "arm64"),),
        "its nodeSelector",
    )
    pod = pod_record("")
    assert required_platforms(pod, ["linux/amd64", "linux/arm/v7"]) == (
        (Platform("linux", "amd64"), Platform("linux", "arm", "v7")),
        "the configured platforms",
    )


def test_platform_matching_follows_containerd_defaults():
    assert Platform.parse("linux/arm64").satisfied_by(Platform("linux", "arm64", "v8"))
    assert Platform.parse("linux/arm/v7").satisfied_by(Platform("linux", "arm", ""))
    assert not Platform.parse("linux/arm/v6").satisfied_by(Platform("linux", "arm", "v7"))
    assert not Platform.parse("windows/amd64").satisfied_by(Platform("linux", "amd64"))
    assert Platform.parse("linux/x86_64").satisfied_by(Platform("linux", "amd64"))
