"""Kubernetes' own workload kinds (with the API versions they had before ``apps`` and ``batch``),
and the kinds that embed a pod template the same way: Argo Rollout, Knative Serving, OpenShift
DeploymentConfig, and imagelint's view of a Helm chart's values."""

from __future__ import annotations

from imagelint.kube.kinds.table import Kind, pod

_TEMPLATE = pod("spec.template.spec")
_CRON = pod("spec.jobTemplate.spec.template.spec")


def _strict(group: str, kind: str, path: str = "spec.template.spec") -> Kind:
    """A kind whose pod spec is Kubernetes' own: every container must name an image."""
    return Kind(group, kind, (pod(path),), strict=True)


KINDS = [
    _strict("", "Pod", "spec"),
    _strict("", "PodTemplate", "template.spec"),
    _strict("", "ReplicationController"),
    _strict("apps", "Deployment"),
    _strict("apps", "ReplicaSet"),
    _strict("apps", "StatefulSet"),
    _strict("apps", "DaemonSet"),
    _strict("batch", "Job"),
    _strict("batch", "CronJob", "spec.jobTemplate.spec.template.spec"),
    # Before apps/v1 and batch/v1: extensions/v1beta1 served Deployment, ReplicaSet, DaemonSet
    # and (Kubernetes 1.2 to 1.7) Job; batch/v2alpha1 called CronJob ScheduledJob (1.4) and
    # apps/v1alpha1 called StatefulSet PetSet (1.3), with the same fields.
    # https://kubernetes.io/blog/2016/07/thousand-instances-of-cassandra-using-kubernetes-pet-set/
    # https://github.com/kubernetes/kubernetes/blob/v1.4.0/docs/proposals/scheduledjob.md
    _strict("extensions", "Deployment"),
    _strict("extensions", "ReplicaSet"),
    _strict("extensions", "DaemonSet"),
    _strict("extensions", "Job"),
    _strict("batch", "ScheduledJob", "spec.jobTemplate.spec.template.spec"),
    _strict("apps", "PetSet"),
    # https://argo-rollouts.readthedocs.io/en/stable/features/specification/ (spec.template)
    _strict("argoproj.io", "Rollout"),
    # https://knative.dev/docs/serving/reference/serving-api/ (ServiceSpec, ConfigurationSpec:
    # template.spec; RevisionSpec is a pod spec)
    _strict("serving.knative.dev", "Service"),
    _strict("serving.knative.dev", "Configuration"),
    _strict("serving.knative.dev", "Revision", "spec"),
    # https://docs.openshift.com/container-platform/4.14/rest_api/workloads_apis/deploymentconfig-apps-openshift-io-v1.html
    _strict("apps.openshift.io", "DeploymentConfig"),
    _strict("", "DeploymentConfig"),  # OpenShift's legacy apiVersion: v1
    # A Helm chart's values, as imagelint.trees.helm presents them: images where charts set
    # them, with the pull secrets the values name.
    _strict("imagelint.dev", "ChartValues", "spec"),
]
