from __future__ import annotations

from imagelint.online.answers import FOUND, Content, Platform
from tests.unit_rules.helpers import image_pod, pod
from tests.unit_rules.online_helpers import answer, online_findings

RULE = "platform-missing"
IMAGE = "registry.acme.io/shop/api:2.4.1"
AMD64, ARM64 = Platform("linux", "amd64"), Platform("linux", "arm64")


def test_full_message_for_an_index_without_the_pods_platform():
    text = pod(f"image: {IMAGE}", "  nodeSelector: {kubernetes.io/arch: arm64}\n")
    said = answer(FOUND, IMAGE, content=Content((AMD64, Platform("linux", "s390x")), True, ()))
    [finding] = online_findings(text, RULE, {IMAGE: said})
    assert finding.message == (
        "registry.acme.io/shop/api:2.4.1 offers linux/amd64, linux/s390x but not linux/arm64; "
        "this pod runs on linux/arm64 (its nodeSelector)"
    )
    assert (finding.line, finding.column, finding.severity.label) == (8, 14, "error")


def test_a_single_platform_image_of_another_architecture():
    said = answer(FOUND, IMAGE, content=Content((ARM64,), False, ()))
    [finding] = online_findings(image_pod(IMAGE), RULE, {IMAGE: said})
    assert finding.message == (
        "registry.acme.io/shop/api:2.4.1 is a single-platform image for linux/arm64, but this "
        "pod runs on linux/amd64 (the configured platforms)"
    )


def test_configured_platforms_every_one_needed():
    said = answer(FOUND, IMAGE, content=Content((AMD64, ARM64), True, ()))
    options = {"platforms": ["linux/amd64", "linux/arm64"]}
    assert online_findings(image_pod(IMAGE), RULE, {IMAGE: said}, **options) == []
    options = {"platforms": ["linux/amd64", "linux/ppc64le"]}
    [finding] = online_findings(image_pod(IMAGE), RULE, {IMAGE: said}, **options)
    assert "but not linux/ppc64le" in finding.message


def test_unknown_content_says_nothing():
    said = answer(FOUND, IMAGE, content=Content((), False, ()))
    assert online_findings(image_pod(IMAGE), RULE, {IMAGE: said}) == []
    assert online_findings(image_pod(IMAGE), RULE, {IMAGE: answer(FOUND, IMAGE)}) == []
