from __future__ import annotations

from tests.unit_rules.helpers import findings, pod

RULE = "duplicate-key"


def test_full_message_at_the_winning_key():
    [finding] = findings(pod("image: nginx:1.25\n      image: nginx:1.27"), RULE)
    assert finding.message == (
        'key "image" appears more than once in this mapping (also at line 8); Kubernetes keeps '
        "this last value, and strict clients (kubectl --validate=strict, kustomize) reject the "
        "document"
    )
    assert (finding.line, finding.column, finding.severity.label) == (9, 7, "info")
    assert finding.object.name == "p"


def test_the_last_value_is_the_one_checked():
    text = pod("image: nginx:1.25\n      image: Nginx:1.27")
    assert [f.image for f in findings(text, "uppercase-repository")] == ["Nginx:1.27"]


def test_merge_keys_are_not_duplicates():
    text = """apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - &base {name: a, image: nginx:1.27}
    - <<: *base
      name: b
"""
    assert findings(text, RULE) == []


def test_duplicates_outside_the_read_path_are_not_reported():
    text = pod("image: nginx:1.27", "  nodeSelector: {a: 1, a: 2}\n")
    assert findings(text, RULE) == []
