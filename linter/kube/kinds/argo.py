"""Argo: Workflows templates (read here), Rollouts' analysis jobs and experiments, Events' pods.

An Argo Workflows template runs as a pod of its own: its ``container`` or ``script``, its
``initContainers`` and ``sidecars``, a ``containerSet``'s containers; a step or DAG task may hold
a template inline (``inline``). The workflow's spec sets ``imagePullSecrets`` and
``serviceAccountName`` for every pod; a template may choose nodes. Argo fills in ``{{...}}``
parameters at run time, so such images are not judged as written.
https://argo-workflows.readthedocs.io/en/latest/fields/ (WorkflowSpec.templates,
imagePullSecrets; Template.container, script, initContainers, sidecars, containerSet, steps,
dag; WorkflowStep.inline, DAGTask.inline)
"""

from __future__ import annotations

from collections.abc import Iterator

from imagelint.kube.kinds.base import ImageUse, PodSpec, container_image, follow
from imagelint.kube.kinds.table import Kind, Read, container, containers, kinds, pod
from imagelint.kube.objects import KubeObject
from imagelint.reading.yamlnodes import DuplicateKey, Mapping, as_mapping, as_sequence

_RUNTIME = "{{"
# Argo Workflows kinds -> path to the mapping that holds the list of templates.
TEMPLATE_HOLDERS: dict[str, tuple[str, ...]] = {
    "Workflow": ("spec",),
    "WorkflowTemplate": ("spec",),
    "ClusterWorkflowTemplate": ("spec",),
    "CronWorkflow": ("spec", "workflowSpec"),
}
_MAX_INLINE_DEPTH = 4
_EVENTS_POD = container("spec.template.container", pod="spec.template")
_TRIGGERED = [
    f"spec.triggers[*].template.{trigger}.source.resource.spec"
    for trigger in ("k8s", "argoWorkflow")
]


def workflow_images(obj: KubeObject, duplicates: list[DuplicateKey]) -> Iterator[ImageUse]:
    keys = TEMPLATE_HOLDERS[obj.kind]
    spec = follow(obj.mapping, keys, duplicates)
    if spec is None:
        return
    spec_field = obj.field(".".join(keys))
    for index, node in enumerate(as_sequence(spec.get("templates"))):
        template = as_mapping(node)
        if template is not None:
            field = f"{spec_field}.templates[{index}]"
            yield from _template(obj, template, field, spec, spec_field, duplicates, 0)


def _template(
    obj: KubeObject,
    template: Mapping,
    field: str,
    spec: Mapping,
    spec_field: str,
    duplicates: list[DuplicateKey],
    depth: int,
) -> Iterator[ImageUse]:
    duplicates.extend(template.duplicates)
    pod_spec = PodSpec(obj, template, field, False, spec, spec_field)
    for key in ("container", "script"):
        single = template.get(key)
        if single is not None:
            use = container_image(pod_spec, single, f"{field}.{key}", duplicates, runtime=_RUNTIME)
            if use is not None:
                yield use
    lists = [("initContainers", template, field), ("sidecars", template, field)]
    container_set = as_mapping(template.get("containerSet"))
    if container_set is not None:
        lists.append(("containers", container_set, f"{field}.containerSet"))
    for list_name, owner, prefix in lists:
        for item_index, item in enumerate(as_sequence(owner.get(list_name))):
            use = container_image(
                pod_spec, item, f"{prefix}.{list_name}[{item_index}]", duplicates, runtime=_RUNTIME
            )
            if use is not None:
                yield use
    if depth >= _MAX_INLINE_DEPTH:
        return
    for inline, inline_field in _inline_templates(template, field):
        yield from _template(obj, inline, inline_field, spec, spec_field, duplicates, depth + 1)


def _inline_templates(template: Mapping, field: str) -> Iterator[tuple[Mapping, str]]:
    """Templates written inline in a template's steps (a list of parallel groups) or DAG."""
    dag = as_mapping(template.get("dag"))
    for index, node in enumerate(as_sequence(dag.get("tasks") if dag else None)):
        task = as_mapping(node)
        inline = as_mapping(task.get("inline")) if task else None
        if inline is not None:
            yield inline, f"{field}.dag.tasks[{index}].inline"
    for group_index, group in enumerate(as_sequence(template.get("steps"))):
        for index, node in enumerate(as_sequence(group)):
            step = as_mapping(node)
            inline = as_mapping(step.get("inline")) if step else None
            if inline is not None:
                yield inline, f"{field}.steps[{group_index}][{index}].inline"


def _described(spec: str) -> tuple[Read, ...]:
    """What :func:`workflow_images` reads, for `imagelint kinds`."""
    templates = f"{spec}.templates[*]"
    return (
        container(f"{templates}.container", pod=spec),
        container(f"{templates}.script", pod=spec),
        containers(f"{templates}.initContainers", pod=spec),
        containers(f"{templates}.sidecars", pod=spec),
        containers(f"{templates}.containerSet.containers", pod=spec),
        container(f"{templates}.dag.tasks[*].inline.container", pod=spec),
        container(f"{templates}.steps[*][*].inline.container", pod=spec),
    )


KINDS = [
    *[
        Kind(
            "argoproj.io",
            name,
            _described(".".join(keys)),
            runtime=_RUNTIME,
            reader=workflow_images,
        )
        for name, keys in TEMPLATE_HOLDERS.items()
    ],
    # https://argo-rollouts.readthedocs.io/en/stable/analysis/job/ (metrics[].provider.job: a
    # Job's metadata and spec)
    *kinds(
        "argoproj.io",
        ("AnalysisTemplate", "ClusterAnalysisTemplate", "AnalysisRun"),
        pod("spec.metrics[*].provider.job.spec.template.spec"),
    ),
    # https://argo-rollouts.readthedocs.io/en/stable/features/experiment/ (templates[].template:
    # a pod template, as in a ReplicaSet)
    Kind("argoproj.io", "Experiment", (pod("spec.templates[*].template.spec"),)),
    # https://argoproj.github.io/argo-events/APIs/ (Template: container, imagePullSecrets,
    # serviceAccountName, nodeSelector, affinity, for a Sensor's or EventSource's pod)
    Kind("argoproj.io", "EventSource", (_EVENTS_POD,)),
    # A Sensor's triggers create objects written in full (a Pod, a Deployment or Job, a
    # Workflow): https://argoproj.github.io/argo-events/sensors/triggers/k8s-object-trigger/ and
    # .../argo-workflow/ (template.k8s.source.resource, template.argoWorkflow.source.resource).
    Kind(
        "argoproj.io",
        "Sensor",
        (
            _EVENTS_POD,
            *[pod(resource) for resource in _TRIGGERED],
            *[pod(f"{resource}.template.spec") for resource in _TRIGGERED],
            *[container(f"{resource}.templates[*].container") for resource in _TRIGGERED],
            *[container(f"{resource}.templates[*].script") for resource in _TRIGGERED],
        ),
        runtime=_RUNTIME,
    ),
]
