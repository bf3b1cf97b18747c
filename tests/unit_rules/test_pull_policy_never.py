from __future__ import annotations

import pytest

from tests.unit_rules.helpers import findings, pod

RULE = "pull-policy-never"


def test_full_message_at_the_policy():
    [finding] = findings(
        pod("image: registry.acme.io/shop/api:2.4.1\n      imagePullPolicy: Never"), RULE
    )
    assert finding.message == (
        'imagePullPolicy Never: the kubelet will not pull "registry.acme.io/shop/api:2.4.1" from '
        "registry.acme.io, so pods fail with ErrImageNeverPull on any node where it was not "
        "preloaded; use IfNotPresent"
    )
    assert (finding.line, finding.column, finding.severity.label) == (9, 24, "warning")


@pytest.mark.parametrize("image", ["myapp:dev", "localhost:5000/app:1", "127.0.0.1:5000/app:1"])
def test_local_images_are_left_alone(image):
    assert findings(pod(f"image: {image}\n      imagePullPolicy: Never"), RULE) == []


def test_other_policies_are_quiet():
    assert findings(pod("image: ghcr.io/a/b:1\n      imagePullPolicy: IfNotPresent"), RULE) == []
