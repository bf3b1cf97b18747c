"""Batch, training and data-processing operators: KubeRay, Kubeflow training jobs and Trainer
runtimes, JobSet, LeaderWorkerSet, Volcano, KEDA ScaledJob, Spark and Flink operators.

Their pod templates are pods (their own ``imagePullSecrets`` and node selection apply); their
single image fields (``spec.image``) are turned into containers by the operator, whose pull
secrets and nodes are not in the manifest.
"""

from __future__ import annotations

from imagelint.kube.kinds.table import Kind, Read, containers, image, kinds, pod


def _ray(prefix: str) -> list[Read]:
    """A RayCluster spec at ``prefix``: its head and worker groups' pod templates, and the
    autoscaler image that KubeRay adds to the head pod."""
    return [
        pod(f"{prefix}.headGroupSpec.template.spec"),
        pod(f"{prefix}.workerGroupSpecs[*].template.spec"),
        image(f"{prefix}.autoscalerOptions.image"),
        image(f"{prefix}.historyServerOptions.collectorOptions.image"),
    ]


def _spark(prefix: str) -> list[Read]:
    """A SparkApplication spec at ``prefix``: the image of driver and executors (each may set
    its own), and their extra init and sidecar containers."""
    reads = [image(f"{prefix}.image"), image(f"{prefix}.initContainerImage")]
    for role in ("driver", "executor"):
        reads += [
            image(f"{prefix}.{role}.image"),
            containers(f"{prefix}.{role}.initContainers"),
            containers(f"{prefix}.{role}.sidecars"),
        ]
    return reads


# Kubeflow training operator: each kind's replica specs, keyed by role (Master, Worker, PS,
# Launcher...), hold a pod template.
# https://github.com/kubeflow/training-operator/blob/v1.8.0/docs/api/kubeflow.org_v1_generated.asciidoc
# (PyTorchJobSpec.pytorchReplicaSpecs, TFJobSpec.tfReplicaSpecs, XGBoostJobSpec.xgbReplicaSpecs,
# PaddleJobSpec.paddleReplicaSpecs, MXJobSpec.mxReplicaSpecs, JAXJobSpec.jaxReplicaSpecs,
# MPIJobSpec.mpiReplicaSpecs; ReplicaSpec.template is a PodTemplateSpec)
_TRAINING = {
    "PyTorchJob": "pytorchReplicaSpecs",
    "TFJob": "tfReplicaSpecs",
    "XGBoostJob": "xgbReplicaSpecs",
    "PaddleJob": "paddleReplicaSpecs",
    "MXJob": "mxReplicaSpecs",
    "JAXJob": "jaxReplicaSpecs",
    "MPIJob": "mpiReplicaSpecs",
}
_JOBSET = "spec.replicatedJobs[*].template.spec.template.spec"

KINDS = [
    # https://ray-project.github.io/kuberay/reference/api/ (RayClusterSpec.headGroupSpec.template,
    # workerGroupSpecs[].template, autoscalerOptions.image; RayServiceSpec.rayClusterConfig;
    # RayJobSpec.rayClusterSpec, submitterPodTemplate)
    Kind("ray.io", "RayCluster", tuple(_ray("spec"))),
    Kind("ray.io", "RayService", tuple(_ray("spec.rayClusterConfig"))),
    Kind("ray.io", "RayJob", (*_ray("spec.rayClusterSpec"), pod("spec.submitterPodTemplate.spec"))),
    *[
        Kind("kubeflow.org", name, (pod(f"spec.{field}.*.template.spec"),))
        for name, field in _TRAINING.items()
    ],
    # https://www.kubeflow.org/docs/components/trainer/operator-guides/job-template/ (a runtime's
    # template is a JobSet spec); https://www.kubeflow.org/docs/components/trainer/user-guides/
    # (TrainJob spec.trainer.image overrides the runtime's trainer image)
    *kinds(
        "trainer.kubeflow.org",
        ("TrainingRuntime", "ClusterTrainingRuntime"),
        pod(f"spec.template.{_JOBSET}"),
    ),
    Kind("trainer.kubeflow.org", "TrainJob", (image("spec.trainer.image"),)),
    # https://jobset.sigs.k8s.io/docs/reference/jobset.v1alpha2/ (ReplicatedJob.template is a
    # JobTemplateSpec)
    Kind("jobset.x-k8s.io", "JobSet", (pod(_JOBSET),)),
    # https://lws.sigs.k8s.io/docs/reference/leaderworkerset.v1/ (LeaderWorkerTemplate.leaderTemplate,
    # workerTemplate: PodTemplateSpec)
    Kind(
        "leaderworkerset.x-k8s.io",
        "LeaderWorkerSet",
        (
            pod("spec.leaderWorkerTemplate.leaderTemplate.spec"),
            pod("spec.leaderWorkerTemplate.workerTemplate.spec"),
        ),
    ),
    # https://volcano.sh/en/docs/vcjob/ (spec.tasks[].template: a pod template)
    Kind("batch.volcano.sh", "Job", (pod("spec.tasks[*].template.spec"),)),
    # https://keda.sh/docs/2.16/reference/scaledjob-spec/ (jobTargetRef: a Job spec)
    Kind("keda.sh", "ScaledJob", (pod("spec.jobTargetRef.template.spec"),)),
    # https://www.kubeflow.org/docs/components/spark-operator/user-guide/writing-sparkapplication/
    # (.spec.image, .spec.initContainerImage, driver/executor image, initContainers, sidecars);
    # ScheduledSparkApplication.spec.template is a SparkApplication spec.
    Kind("sparkoperator.k8s.io", "SparkApplication", tuple(_spark("spec"))),
    Kind("sparkoperator.k8s.io", "ScheduledSparkApplication", tuple(_spark("spec.template"))),
    # https://github.com/kubeflow/spark-operator/blob/master/examples/sparkconnect/spark-connect.yaml
    # (SparkConnectSpec.image; server.template, executor.template: pod templates)
    Kind(
        "sparkoperator.k8s.io",
        "SparkConnect",
        (
            image("spec.image"),
            pod("spec.server.template.spec"),
            pod("spec.executor.template.spec"),
        ),
    ),
    # https://nightlies.apache.org/flink/flink-kubernetes-operator-docs-main/docs/custom-resource/reference/
    # (FlinkDeploymentSpec.image, podTemplate; JobManagerSpec/TaskManagerSpec.podTemplate)
    Kind(
        "flink.apache.org",
        "FlinkDeployment",
        (
            image("spec.image"),
            pod("spec.podTemplate.spec"),
            pod("spec.jobManager.podTemplate.spec"),
            pod("spec.taskManager.podTemplate.spec"),
        ),
    ),
]
