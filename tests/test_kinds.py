"""The custom resources real projects run pods with: where their images are read, with the
field path of each, and whether the pod's pull secrets and nodes are known.

The manifests are shortened from each project's own examples (the URL above each)."""

from __future__ import annotations

from imagelint.kube.objects import iter_objects
from imagelint.kube.workloads import ImageUse, images
from imagelint.reading.loader import load
from imagelint.running.records import pod_record


def uses(text: str) -> list[ImageUse]:
    return [use for obj in iter_objects(load("x", text), "default", []) for use in images(obj, [])]


def found(text: str) -> list[tuple[str | None, str | None, str]]:
    return [(use.image, use.container, use.field) for use in uses(text)]


def known(text: str) -> list[bool]:
    return [use.pod.known for use in uses(text)]


# -- Tekton ---------------------------------------------------------------------------------------

# https://tekton.dev/docs/pipelines/tasks/#specifying-sidecars
TEKTON_TASK = """
apiVersion: tekton.dev/v1
kind: Task
metadata: {name: with-sidecar-task}
spec:
  params: [{name: sidecar-image, type: string}]
  stepTemplate: {image: ubuntu:22.04, env: [{name: HOME, value: /root}]}
  steps:
    - {name: ping, image: busybox}
    - {name: echo, image: "$(params.sidecar-image)", script: echo}
    - {name: default-image, script: echo}
  sidecars:
    - {name: docker, image: docker:18.05-dind}
"""


def test_tekton_task_steps_sidecars_and_step_template():
    assert found(TEKTON_TASK) == [
        ("busybox", "ping", "spec.steps[0].image"),
        ("$(params.sidecar-image)", "echo", "spec.steps[1].image"),
        ("docker:18.05-dind", "docker", "spec.sidecars[0].image"),
        ("ubuntu:22.04", None, "spec.stepTemplate.image"),
    ]
    result = uses(TEKTON_TASK)
    assert [use.resolved_at_runtime for use in result] == [False, True, False, False]
    # Tekton makes the pod, with the TaskRun's podTemplate and the cluster's defaults.
    assert not any(use.pod.known for use in result)


# https://github.com/tektoncd/pipeline/blob/main/examples/v1/pipelineruns/pipelinerun-with-pipelinespec-and-taskspec.yaml
PIPELINE_RUN = """
apiVersion: tekton.dev/v1
kind: PipelineRun
metadata: {generateName: pipelinerun-with-pipelinespec-taskspec-}
spec:
  pipelineSpec:
    tasks:
      - name: task1
        taskSpec:
          steps:
            - {name: echo, image: mirror.gcr.io/ubuntu, script: echo hello}
    finally:
      - name: cleanup
        taskSpec:
          sidecars: [{name: db, image: "postgres:latest"}]
          steps: [{name: rm, image: alpine:3.19}]
"""


def test_tekton_pipeline_run_with_inline_pipeline_and_tasks():
    assert found(PIPELINE_RUN) == [
        ("mirror.gcr.io/ubuntu", "echo", "spec.pipelineSpec.tasks[0].taskSpec.steps[0].image"),
        ("alpine:3.19", "rm", "spec.pipelineSpec.finally[0].taskSpec.steps[0].image"),
        ("postgres:latest", "db", "spec.pipelineSpec.finally[0].taskSpec.sidecars[0].image"),
    ]


def test_tekton_task_run_pipeline_and_trigger_template():
    # https://github.com/tektoncd/pipeline/blob/main/examples/v1/taskruns/steptemplate-env-merge.yaml
    task_run = "apiVersion: tekton.dev/v1\nkind: TaskRun\nmetadata: {generateName: t-}\nspec:\n  taskSpec:\n    steps: [{name: s, image: mirror.gcr.io/ubuntu}]\n"
    assert found(task_run) == [("mirror.gcr.io/ubuntu", "s", "spec.taskSpec.steps[0].image")]
    # https://tekton.dev/docs/pipelines/pipelines/#specifying-tasks-in-pipelines (embedded taskSpec)
    pipeline = "apiVersion: tekton.dev/v1beta1\nkind: Pipeline\nmetadata: {name: p}\nspec:\n  tasks:\n    - {name: a, taskRef: {name: git-clone}}\n    - name: b\n      taskSpec: {steps: [{name: s, image: alpine}]}\n"
    assert found(pipeline) == [("alpine", "s", "spec.tasks[1].taskSpec.steps[0].image")]
    # https://tekton.dev/docs/triggers/triggertemplates/ (a PipelineRun in resourcetemplates)
    trigger = 'apiVersion: triggers.tekton.dev/v1beta1\nkind: TriggerTemplate\nmetadata: {name: t}\nspec:\n  resourcetemplates:\n    - apiVersion: tekton.dev/v1\n      kind: TaskRun\n      spec:\n        taskSpec: {steps: [{name: s, image: "$(tt.params.image)"}]}\n'
    result = uses(trigger)
    assert [(u.image, u.field, u.resolved_at_runtime) for u in result] == [
        ("$(tt.params.image)", "spec.resourcetemplates[0].spec.taskSpec.steps[0].image", True)
    ]


# -- KubeRay, Kubeflow, JobSet, LeaderWorkerSet ----------------------------------------------------

# https://github.com/ray-project/kuberay/blob/master/ray-operator/config/samples/ray-service.sample.yaml
RAY_SERVICE = """
apiVersion: ray.io/v1
kind: RayService
metadata: {name: rayservice-sample}
spec:
  rayClusterConfig:
    headGroupSpec:
      template:
        spec:
          imagePullSecrets: [{name: ray-pull}]
          nodeSelector: {kubernetes.io/arch: arm64}
          containers: [{name: ray-head, image: "${SERVE_IMAGE}"}]
    workerGroupSpecs:
      - groupName: small-group
        template:
          spec:
            containers: [{name: ray-worker, image: rayproject/ray:2.9.0}]
"""


def test_ray_service_pod_templates_with_pull_secrets_and_platform():
    assert found(RAY_SERVICE) == [
        (
            "${SERVE_IMAGE}",
            "ray-head",
            "spec.rayClusterConfig.headGroupSpec.template.spec.containers[0].image",
        ),
        (
            "rayproject/ray:2.9.0",
            "ray-worker",
            "spec.rayClusterConfig.workerGroupSpecs[0].template.spec.containers[0].image",
        ),
    ]
    loaded = load("x", RAY_SERVICE)
    obj = next(iter_objects(loaded, "default", []))
    head = pod_record(loaded, next(images(obj, [])).pod)
    assert [ref.name for ref in head.pull_secrets] == ["ray-pull"]
    assert head.node_arch == ("arm64",)
    assert (
        head.pull_secrets[0].field
        == "spec.rayClusterConfig.headGroupSpec.template.spec.imagePullSecrets[0].name"
    )


def test_ray_cluster_and_ray_job():
    # https://github.com/ray-project/kuberay/blob/master/ray-operator/config/samples/ray-job.shutdown.yaml
    text = """
apiVersion: ray.io/v1
kind: RayJob
metadata: {name: rayjob-sample}
spec:
  rayClusterSpec:
    autoscalerOptions: {image: rayproject/ray:2.9.0}
    headGroupSpec: {template: {spec: {containers: [{name: ray-head, image: rayproject/ray:2.9.0}]}}}
  submitterPodTemplate:
    spec: {containers: [{name: submitter, image: rayproject/ray:2.9.0}]}
"""
    assert [field for _, _, field in found(text)] == [
        "spec.rayClusterSpec.headGroupSpec.template.spec.containers[0].image",
        "spec.rayClusterSpec.autoscalerOptions.image",
        "spec.submitterPodTemplate.spec.containers[0].image",
    ]
    assert known(text) == [True, False, True]


def test_kubeflow_training_jobs():
    # https://github.com/kubeflow/training-operator/blob/master/examples/pytorch/simple.yaml
    text = """
apiVersion: kubeflow.org/v1
kind: PyTorchJob
metadata: {name: pytorch-simple}
spec:
  pytorchReplicaSpecs:
    Master:
      replicas: 1
      template: {spec: {containers: [{name: pytorch, image: docker.io/kubeflowkatib/pytorch-mnist:v1beta1-45c5727}]}}
    Worker:
      replicas: 1
      template: {spec: {containers: [{name: pytorch, image: docker.io/kubeflowkatib/pytorch-mnist:v1beta1-45c5727}]}}
"""
    assert [field for _, _, field in found(text)] == [
        "spec.pytorchReplicaSpecs.Master.template.spec.containers[0].image",
        "spec.pytorchReplicaSpecs.Worker.template.spec.containers[0].image",
    ]
    # https://github.com/kubeflow/mpi-operator/blob/master/examples/v2beta1/pi/pi.yaml
    mpi = "apiVersion: kubeflow.org/v2beta1\nkind: MPIJob\nmetadata: {name: pi}\nspec:\n  mpiReplicaSpecs:\n    Launcher: {template: {spec: {containers: [{name: mpi-launcher, image: mpioperator/mpi-pi:openmpi}]}}}\n"
    assert found(mpi) == [
        (
            "mpioperator/mpi-pi:openmpi",
            "mpi-launcher",
            "spec.mpiReplicaSpecs.Launcher.template.spec.containers[0].image",
        )
    ]
    for kind, key in (
        ("TFJob", "tfReplicaSpecs"),
        ("XGBoostJob", "xgbReplicaSpecs"),
        ("PaddleJob", "paddleReplicaSpecs"),
    ):
        job = f"apiVersion: kubeflow.org/v1\nkind: {kind}\nmetadata: {{name: j}}\nspec:\n  {key}:\n    Worker: {{template: {{spec: {{containers: [{{name: c, image: c:1}}]}}}}}}\n"
        assert found(job) == [("c:1", "c", f"spec.{key}.Worker.template.spec.containers[0].image")]


def test_jobset_and_leader_worker_set():
    # https://github.com/kubernetes-sigs/jobset/blob/main/site/static/examples/simple/paralleljobs.yaml
    jobset = "apiVersion: jobset.x-k8s.io/v1alpha2\nkind: JobSet\nmetadata: {name: paralleljobs}\nspec:\n  replicatedJobs:\n    - name: workers\n      template:\n        spec:\n          template:\n            spec: {containers: [{name: sleep, image: bash:latest}]}\n"
    assert found(jobset) == [
        (
            "bash:latest",
            "sleep",
            "spec.replicatedJobs[0].template.spec.template.spec.containers[0].image",
        )
    ]
    # https://github.com/kubernetes-sigs/lws/blob/main/docs/examples/sample/lws.yaml
    lws = "apiVersion: leaderworkerset.x-k8s.io/v1\nkind: LeaderWorkerSet\nmetadata: {name: my-lws}\nspec:\n  leaderWorkerTemplate:\n    leaderTemplate: {spec: {containers: [{name: leader, image: nginxinc/nginx-unprivileged:1.27}]}}\n    workerTemplate: {spec: {containers: [{name: worker, image: nginxinc/nginx-unprivileged:1.27}]}}\n"
    assert [c for _, c, _ in found(lws)] == ["leader", "worker"]
    assert known(lws) == [True, True]


# -- Argo -------------------------------------------------------------------------------------------


def test_argo_rollouts_analysis_job_and_experiment():
    # https://argo-rollouts.readthedocs.io/en/stable/analysis/job/
    analysis = "apiVersion: argoproj.io/v1alpha1\nkind: AnalysisTemplate\nmetadata: {name: job}\nspec:\n  metrics:\n    - name: test\n      provider:\n        job:\n          spec:\n            template:\n              spec: {containers: [{name: test, image: my-image:latest}], restartPolicy: Never}\n"
    assert found(analysis) == [
        (
            "my-image:latest",
            "test",
            "spec.metrics[0].provider.job.spec.template.spec.containers[0].image",
        )
    ]
    cluster = analysis.replace("kind: AnalysisTemplate", "kind: ClusterAnalysisTemplate")
    assert len(found(cluster)) == 1
    # https://argo-rollouts.readthedocs.io/en/stable/features/experiment/
    experiment = "apiVersion: argoproj.io/v1alpha1\nkind: Experiment\nmetadata: {name: e}\nspec:\n  templates:\n    - name: purple\n      template: {spec: {containers: [{name: guestbook, image: argoproj/rollouts-demo:purple}]}}\n"
    assert found(experiment) == [
        (
            "argoproj/rollouts-demo:purple",
            "guestbook",
            "spec.templates[0].template.spec.containers[0].image",
        )
    ]


def test_argo_workflow_inline_templates():
    # https://github.com/argoproj/argo-workflows/blob/main/examples/dag-inline-workflowtemplate.yaml
    text = 'apiVersion: argoproj.io/v1alpha1\nkind: WorkflowTemplate\nmetadata: {name: w}\nspec:\n  imagePullSecrets: [{name: argo-pull}]\n  templates:\n    - name: main\n      dag:\n        tasks:\n          - name: a\n            inline: {container: {image: argoproj/argosay:v2}}\n      steps:\n        - - name: b\n            inline: {script: {image: "{{inputs.parameters.image}}", source: x}}\n'
    result = uses(text)
    assert [(u.image, u.field, u.resolved_at_runtime) for u in result] == [
        ("argoproj/argosay:v2", "spec.templates[0].dag.tasks[0].inline.container.image", False),
        ("{{inputs.parameters.image}}", "spec.templates[0].steps[0][0].inline.script.image", True),
    ]
    # The workflow's pull secrets apply to every template's pod.
    assert result[0].pod.settings[0].text("imagePullSecrets") is None
    assert result[0].pod.pod_level is not None and "imagePullSecrets" in result[0].pod.pod_level
