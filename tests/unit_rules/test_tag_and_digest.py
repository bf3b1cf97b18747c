from __future__ import annotations

from tests.unit_rules.helpers import findings, image_pod, messages

RULE = "tag-and-digest"
DIGEST = "sha256:4c0fdaa8b6341bfdeca5f18f7837462c80cff90527ee35ef185571e1c327beac"


def test_full_message():
    [finding] = findings(image_pod(f"nginx:1.25@{DIGEST}"), RULE)
    assert finding.message == (
        f'image "nginx:1.25@{DIGEST}" has both a tag and a digest: the runtime pulls by the '
        "digest and ignores the tag '1.25', which may not match it (and some tools refuse the "
        "form); keep only the digest"
    )
    assert (finding.column, finding.severity.label) == (21, "info")


def test_quiet():
    assert messages(f"nginx@{DIGEST}", RULE) == []
    assert messages("nginx:1.25", RULE) == []
