from __future__ import annotations

from tests.unit_rules.helpers import findings, image_pod, messages

RULE = "missing-tag"


def test_full_message_and_port_is_not_a_tag():
    [finding] = findings(image_pod("registry.example.com:5000/team/app"), RULE)
    assert finding.message == (
        "image \"registry.example.com:5000/team/app\" has no tag or digest (':5000' is the "
        "registry's port, not a tag), so the kubelet pulls 'latest' with imagePullPolicy "
        "Always; pin a version or a digest"
    )
    assert (finding.column, finding.severity.label) == (15, "warning")


def test_plain_name():
    assert messages("nginx", RULE) == [
        "image \"nginx\" has no tag or digest, so the kubelet pulls 'latest' with "
        "imagePullPolicy Always; pin a version or a digest"
    ]


def test_quiet():
    assert messages("nginx:1.27", RULE) == []
    assert messages("nginx@sha256:" + "a" * 64, RULE) == []
    assert messages("[fd00::1]:5000/app", RULE) != []  # IPv6 host with port: still no tag
    assert messages("Nginx", RULE) == []  # invalid: invalid-reference speaks
