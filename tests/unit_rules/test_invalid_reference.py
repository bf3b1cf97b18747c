from __future__ import annotations

import pytest

from tests.unit_rules.helpers import findings, pod

RULE = "invalid-reference"


def test_full_message_position_and_context():
    [finding] = findings(pod('image: "registry.acme.io/shop/api@sha256:4e9a0f"'), RULE)
    assert finding.message == (
        'image "registry.acme.io/shop/api@sha256:4e9a0f" cannot be pulled: digest sha256 needs '
        "64 hex characters, got 6"
    )
    assert (finding.line, finding.column) == (8, 48)  # the first hex digit, inside the quotes
    assert (finding.code, finding.severity.label) == ("IL101", "error")
    assert finding.object.kind == "Pod" and finding.object.name == "p"
    assert finding.object.namespace == "default"
    assert finding.container == "c"
    assert finding.image == "registry.acme.io/shop/api@sha256:4e9a0f"
    assert finding.field == "spec.containers[0].image"


def test_valid_image_is_silent():
    assert findings(pod("image: nginx:1.27"), RULE) == []


def test_missing_image():
    [finding] = findings(pod("resources: {}"), RULE)
    assert finding.message == 'container "c" has no image'
    assert (finding.line, finding.column) == (7, 7)


@pytest.mark.parametrize(
    "line, message",
    [
        ('image: ""', 'container "c" has an empty image'),
        ("image:", 'container "c" has an empty image'),
        ("image: ~", 'container "c" has an empty image'),
        ("image: 42", "image must be a string, not a number; quote it"),
        ("image: on", "image must be a string, not a boolean; quote it"),
        ("image: [nginx]", "image must be a string, not a list"),
    ],
)
def test_empty_or_not_a_string(line, message):
    [finding] = findings(pod(line), RULE)
    assert finding.message == message


def test_underscore_host_that_upstream_reads_as_a_path():
    # distribution/reference accepts this as a path with no registry; no pull can work.
    [finding] = findings(pod("image: my_registry.acme.io/api:1.0"), RULE)
    assert finding.message == (
        'image "my_registry.acme.io/api:1.0" cannot be pulled: the registry host may not '
        "contain '_'"
    )


def test_escapes_and_shortens_the_image_in_messages():
    [finding] = findings(pod('image: "nginx:1\\t"'), RULE)
    assert finding.message == 'image "nginx:1\\t" cannot be pulled: whitespace at the end (a tab)'
    [finding] = findings(pod(f'image: "acme/{"a" * 300}:1"'), RULE)
    assert (
        finding.message.startswith('image "acme/aaaa')
        and '\u2026" cannot be pulled' in finding.message
    )


def test_image_volume_reference():
    text = pod(
        "image: nginx:1.27",
        "  volumes:\n    - name: models\n      image:\n        reference: models@sha256:12\n",
    )
    [finding] = findings(text, RULE)
    assert finding.container == "models"
    assert finding.field == "spec.volumes[0].image.reference"
    assert (finding.line, finding.column) == (12, 34)


def test_image_volume_without_reference():
    text = pod(
        "image: nginx:1.27", "  volumes:\n    - name: models\n      image: {pullPolicy: Always}\n"
    )
    [finding] = findings(text, RULE)
    assert finding.message == 'image volume "models" has no reference'


def test_openshift_trigger_and_argo_parameters_are_not_judged():
    trigger = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
  annotations:
    image.openshift.io/triggers: '[{"from":{"kind":"ImageStreamTag","name":"a:latest"},"fieldPath":"spec.template.spec.containers[?(@.name==\\"a\\")].image"}]'
spec:
  template:
    spec:
      containers:
        - name: a
          image: " "
        - name: b
          image: " "
"""
    assert [f.container for f in findings(trigger, RULE)] == ["b"]
    argo = """apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: w-}
spec:
  templates:
    - name: t
      container: {image: "{{workflow.parameters.image}}"}
    - name: u
      container: {image: "Bad Image"}
"""
    assert [f.image for f in findings(argo, RULE)] == ["Bad Image"]


def test_missing_image_in_patches_is_not_reported(tmp_path):
    from imagelint.reading.sources import discover
    from imagelint.running.engine import Engine

    text = pod("resources: {}")
    for name in ["patch.yaml", "patches/cpu.yaml", "set-cpu-patch.yml", "dispatcher/deploy.yaml"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    report = Engine().check(discover([str(tmp_path)]))
    assert [f.path.rsplit("/", 2)[-2:] for f in report.findings] == [["dispatcher", "deploy.yaml"]]
