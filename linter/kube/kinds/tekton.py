"""Tekton Pipelines and Triggers: a Task's ``steps``, ``sidecars`` and ``stepTemplate``, wherever a
task spec is written (a Task, a TaskRun's ``taskSpec``, a Pipeline's ``tasks[].taskSpec`` and
``finally[].taskSpec``, a PipelineRun's ``pipelineSpec``, a TriggerTemplate's resource templates).

Tekton makes the pod, with the TaskRun's ``serviceAccountName`` and ``podTemplate`` merged over
the cluster's ``default-pod-template`` (config-defaults), so a manifest does not say which pull
secrets or nodes it gets: these images carry no pod for those checks. ``$(params.x)`` in an
image is filled in by Tekton at run time.

Fields: https://tekton.dev/docs/pipelines/tasks/#configuring-a-task (steps, stepTemplate,
sidecars), https://tekton.dev/docs/pipelines/taskruns/#specifying-the-target-task (taskSpec),
https://tekton.dev/docs/pipelines/pipelines/#adding-tasks-to-the-pipeline (tasks[].taskSpec,
finally), https://tekton.dev/docs/pipelines/pipelineruns/#specifying-the-target-pipeline
(pipelineSpec), https://tekton.dev/docs/pipelines/pipelines-in-pipelines/ (tasks[].pipelineSpec),
https://tekton.dev/docs/pipelines/podtemplates/ (default-pod-template),
https://tekton.dev/docs/pipelines/stepactions/ (StepAction spec.image),
https://tekton.dev/docs/triggers/triggertemplates/ (spec.resourcetemplates).
"""

from __future__ import annotations

from imagelint.kube.kinds.table import Kind, Read, container, containers, image

_RUNTIME = "$("


def _task(prefix: str) -> list[Read]:
    """The containers of a task spec at ``prefix``."""
    return [
        containers(f"{prefix}.steps"),
        containers(f"{prefix}.sidecars"),
        container(f"{prefix}.stepTemplate"),
    ]


def _pipeline(prefix: str, nested: bool = True) -> list[Read]:
    """The embedded task specs of a pipeline spec at ``prefix``, and of the pipelines embedded
    in its tasks (pipelines in pipelines, alpha: one level)."""
    reads = _task(f"{prefix}.tasks[*].taskSpec") + _task(f"{prefix}.finally[*].taskSpec")
    if nested:
        reads += _pipeline(f"{prefix}.tasks[*].pipelineSpec", nested=False)
    return reads


def _kind(name: str, reads: list[Read], group: str = "tekton.dev") -> Kind:
    return Kind(group, name, tuple(reads), runtime=_RUNTIME)


KINDS = [
    _kind("Task", _task("spec")),
    _kind("ClusterTask", _task("spec")),
    _kind("TaskRun", _task("spec.taskSpec")),
    _kind("Pipeline", _pipeline("spec")),
    _kind("PipelineRun", _pipeline("spec.pipelineSpec")),
    _kind("StepAction", [image("spec.image")]),
    _kind(
        "TriggerTemplate",
        _task("spec.resourcetemplates[*].spec.taskSpec")
        + _pipeline("spec.resourcetemplates[*].spec.pipelineSpec"),
        group="triggers.tekton.dev",
    ),
]
