"""Where images are found, kind by kind, and where they are not."""

from __future__ import annotations

import pytest

from imagelint.kube.objects import iter_objects
from imagelint.kube.workloads import images
from imagelint.reading.loader import load

POD_SPEC = "{containers: [{name: c, image: c:1}], initContainers: [{name: i, image: i:1}], ephemeralContainers: [{name: e, image: e:1}], volumes: [{name: v, image: {reference: v:1}}, {name: r, rbd: {image: not-an-image}}]}"


def found(text: str) -> list[tuple[str, str | None, str]]:
    result = []
    for obj in iter_objects(load("x", text), "default", []):
        for use in images(obj, []):
            result.append((use.image, use.container, use.field))
    return result


@pytest.mark.parametrize(
    "api_version, kind, body, prefix",
    [
        ("v1", "Pod", f"spec: {POD_SPEC}", "spec"),
        ("v1", "PodTemplate", f"template: {{spec: {POD_SPEC}}}", "template.spec"),
        (
            "v1",
            "ReplicationController",
            f"spec: {{template: {{spec: {POD_SPEC}}}}}",
            "spec.template.spec",
        ),
        (
            "apps/v1",
            "Deployment",
            f"spec: {{template: {{spec: {POD_SPEC}}}}}",
            "spec.template.spec",
        ),
        (
            "apps/v1",
            "ReplicaSet",
            f"spec: {{template: {{spec: {POD_SPEC}}}}}",
            "spec.template.spec",
        ),
        (
            "apps/v1",
            "StatefulSet",
            f"spec: {{template: {{spec: {POD_SPEC}}}}}",
            "spec.template.spec",
        ),
        ("apps/v1", "DaemonSet", f"spec: {{template: {{spec: {POD_SPEC}}}}}", "spec.template.spec"),
        (
            "extensions/v1beta1",
            "Deployment",
            f"spec: {{template: {{spec: {POD_SPEC}}}}}",
            "spec.template.spec",
        ),
        ("batch/v1", "Job", f"spec: {{template: {{spec: {POD_SPEC}}}}}", "spec.template.spec"),
        (
            "batch/v1",
            "CronJob",
            f"spec: {{jobTemplate: {{spec: {{template: {{spec: {POD_SPEC}}}}}}}}}",
            "spec.jobTemplate.spec.template.spec",
        ),
        (
            "argoproj.io/v1alpha1",
            "Rollout",
            f"spec: {{template: {{spec: {POD_SPEC}}}}}",
            "spec.template.spec",
        ),
        (
            "serving.knative.dev/v1",
            "Service",
            f"spec: {{template: {{spec: {POD_SPEC}}}}}",
            "spec.template.spec",
        ),
        (
            "serving.knative.dev/v1",
            "Configuration",
            f"spec: {{template: {{spec: {POD_SPEC}}}}}",
            "spec.template.spec",
        ),
        ("serving.knative.dev/v1", "Revision", f"spec: {POD_SPEC}", "spec"),
        (
            "apps.openshift.io/v1",
            "DeploymentConfig",
            f"spec: {{template: {{spec: {POD_SPEC}}}}}",
            "spec.template.spec",
        ),
        (
            "v1",
            "DeploymentConfig",
            f"spec: {{template: {{spec: {POD_SPEC}}}}}",
            "spec.template.spec",
        ),
        (
            "acme.io/v1",
            "Anything",
            f"spec: {{jobTemplate: {{template: {{spec: {POD_SPEC}}}}}}}",
            "spec.jobTemplate.template.spec",
        ),
    ],
)
def test_pod_spec_images(api_version, kind, body, prefix):
    text = f"apiVersion: {api_version}\nkind: {kind}\nmetadata: {{name: x}}\n{body}\n"
    assert found(text) == [
        ("c:1", "c", f"{prefix}.containers[0].image"),
        ("i:1", "i", f"{prefix}.initContainers[0].image"),
        ("e:1", "e", f"{prefix}.ephemeralContainers[0].image"),
        ("v:1", "v", f"{prefix}.volumes[0].image.reference"),
    ]


@pytest.mark.parametrize("kind", ["Workflow", "WorkflowTemplate", "ClusterWorkflowTemplate"])
def test_argo_workflow_templates(kind):
    text = f"""apiVersion: argoproj.io/v1alpha1
kind: {kind}
metadata: {{name: w}}
spec:
  templates:
    - name: a
      container: {{image: a:1}}
      initContainers: [{{name: i, image: i:1}}]
      sidecars: [{{name: s, image: s:1}}]
    - name: b
      script: {{image: b:1, source: x}}
    - name: c
      containerSet: {{containers: [{{name: c1, image: c:1}}]}}
    - name: d
      steps: [[{{name: x, template: a}}]]
"""
    assert [(image, field) for image, _, field in found(text)] == [
        ("a:1", "spec.templates[0].container.image"),
        ("i:1", "spec.templates[0].initContainers[0].image"),
        ("s:1", "spec.templates[0].sidecars[0].image"),
        ("b:1", "spec.templates[1].script.image"),
        ("c:1", "spec.templates[2].containerSet.containers[0].image"),
    ]


def test_cron_workflow():
    text = "apiVersion: argoproj.io/v1alpha1\nkind: CronWorkflow\nmetadata: {name: w}\nspec:\n  workflowSpec:\n    templates: [{name: a, container: {image: a:1}}]\n"
    assert found(text) == [("a:1", None, "spec.workflowSpec.templates[0].container.image")]


def test_things_that_are_not_images():
    texts = [
        # a Service (core) is not a Knative Service
        "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {template: {spec: {containers: [{name: c, image: x}]}}}\n",
        # a CRD's schema
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: c}\nspec: {template: {spec: {containers: [{image: x}]}}}\n",
        # a container list that is not pod-spec shaped
        "apiVersion: acme.io/v1\nkind: Thing\nmetadata: {name: t}\nspec: {containers: [a, b]}\n",
        # image keys outside pod specs and container lists (the generic walk, tests/test_kinds.py,
        # finds a mapping with a containers list anywhere under spec)
        "apiVersion: acme.io/v1\nkind: Thing\nmetadata: {name: t}\nspec: {image: x, config: {name: c, image: y}}\n",
    ]
    for text in texts:
        assert found(text) == [], text


def test_generic_custom_resource_may_omit_images():
    text = "apiVersion: acme.io/v1\nkind: Thing\nmetadata: {name: t}\nspec: {template: {spec: {containers: [{name: a}, {name: b, image: b:1}]}}}\n"
    assert found(text) == [("b:1", "b", "spec.template.spec.containers[1].image")]
