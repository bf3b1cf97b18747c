"""Platform operators: Prometheus Operator, OpenTelemetry Operator, LitmusChaos, Crossplane
packages, OpenShift builds and image streams, Knative Eventing and image caching, KubeVirt.

Prometheus Operator copies a resource's ``imagePullSecrets``, ``serviceAccountName``,
``nodeSelector`` and ``affinity`` into the pods it makes, so its ``spec`` is their pod level;
its ``containers`` and ``initContainers`` are merged into the operator's own (an entry that only
patches an operator container names no image and is not read). The other single image fields
are placed by operators with pull secrets of their own: no pod for those checks.
"""

from __future__ import annotations

from imagelint.kube.kinds.table import Kind, Read, container, containers, image, kinds, pod

_DOCKER_IMAGE = ("kind", "DockerImage")  # an OpenShift ObjectReference to a registry image


def _prometheus(*extra: Read) -> tuple[Read, ...]:
    return (pod("spec"), image("spec.image", pod="spec"), *extra)


def _build(prefix: str) -> tuple[Read, ...]:
    """An OpenShift build spec: the builder images and image sources it pulls, the image it
    pushes (which the deployments then run), when they are registry images."""
    reads = [
        image(f"{prefix}.strategy.{strategy}.from.name", when=_DOCKER_IMAGE)
        for strategy in ("dockerStrategy", "sourceStrategy", "customStrategy")
    ]
    reads += [
        image(f"{prefix}.source.images[*].from.name", when=_DOCKER_IMAGE),
        image(f"{prefix}.output.to.name", when=_DOCKER_IMAGE),
    ]
    return tuple(reads)


def _kserve() -> list[Read]:
    reads: list[Read] = []
    for component in ("predictor", "explainer", "transformer"):
        at = f"spec.{component}"
        reads += [pod(at), container(f"{at}.*", pod=at), container(f"{at}.custom.container")]
        reads += [
            container(f"spec.{t}.{component}.custom.container") for t in ("default", "canary")
        ]
    return reads


_INSTRUMENTED = ("java", "nodejs", "python", "dotnet", "go", "apacheHttpd", "nginx")

KINDS = [
    # https://prometheus-operator.dev/docs/api-reference/api/ (PrometheusSpec, AlertmanagerSpec,
    # ThanosRulerSpec, PrometheusAgentSpec: image, containers, initContainers, imagePullSecrets,
    # serviceAccountName, nodeSelector, affinity; ThanosSpec.image for Prometheus' sidecar)
    Kind(
        "monitoring.coreos.com", "Prometheus", _prometheus(image("spec.thanos.image", pod="spec"))
    ),
    *[
        Kind("monitoring.coreos.com", name, _prometheus())
        for name in ("Alertmanager", "ThanosRuler", "PrometheusAgent")
    ],
    # https://github.com/open-telemetry/opentelemetry-operator/blob/main/docs/api/opentelemetrycollectors.md
    # (spec.image, initContainers, additionalContainers, targetAllocator.image), instrumentations.md
    # (spec.<language>.image: init containers injected into instrumented pods), opampbridges.md
    Kind(
        "opentelemetry.io",
        "OpenTelemetryCollector",
        (
            image("spec.image"),
            containers("spec.initContainers"),
            containers("spec.additionalContainers"),
            image("spec.targetAllocator.image"),
        ),
    ),
    Kind(
        "opentelemetry.io",
        "Instrumentation",
        tuple(image(f"spec.{language}.image") for language in _INSTRUMENTED),
    ),
    *kinds("opentelemetry.io", ("OpAMPBridge", "TargetAllocator"), image("spec.image")),
    # https://kserve.github.io/website/latest/reference/api/ (InferenceServiceSpec.predictor,
    # explainer, transformer: a pod spec inline, whose framework fields (tensorflow, sklearn,
    # model...) are containers; v1alpha2: default/canary.<component>.custom.container;
    # ServingRuntimeSpec: a pod spec's containers)
    Kind("serving.kserve.io", "InferenceService", tuple(_kserve())),
    *kinds("serving.kserve.io", ("ServingRuntime", "ClusterServingRuntime"), pod("spec")),
    # https://litmuschaos.github.io/litmus/experiments/concepts/chaos-resources/chaos-experiment/contents/
    # (spec.definition.image) and .../chaos-engine/runner-specifications/ (components.runner.image)
    Kind("litmuschaos.io", "ChaosExperiment", (image("spec.definition.image"),)),
    Kind("litmuschaos.io", "ChaosEngine", (image("spec.components.runner.image"),)),
    # https://docs.crossplane.io/latest/packages/providers/ and .../functions/ (spec.package: an
    # OCI image the package manager pulls with spec.packagePullSecrets) and
    # https://docs.crossplane.io/latest/packages/runtime-configs/ (deploymentTemplate)
    *kinds("pkg.crossplane.io", ("Provider", "Function", "Configuration"), image("spec.package")),
    Kind(
        "pkg.crossplane.io",
        "DeploymentRuntimeConfig",
        (pod("spec.deploymentTemplate.spec.template.spec"),),
    ),
    Kind("pkg.crossplane.io", "ControllerConfig", (image("spec.image"),)),
    # https://docs.openshift.com/container-platform/4.14/rest_api/workloads_apis/buildconfig-build-openshift-io-v1.html
    # (strategy.*Strategy.from, source.images[].from, output.to: ObjectReference, kind DockerImage)
    # and .../image_apis/imagestream-image-openshift-io-v1.html (spec.tags[].from)
    *[
        Kind(group, name, _build("spec"))
        for group in ("build.openshift.io", "")
        for name in ("BuildConfig", "Build")
    ],
    *[
        Kind(group, "ImageStream", (image("spec.tags[*].from.name", when=_DOCKER_IMAGE),))
        for group in ("image.openshift.io", "")
    ],
    # https://knative.dev/docs/eventing/sources/containersource/reference/ (spec.template: a
    # PodTemplateSpec)
    Kind("sources.knative.dev", "ContainerSource", (pod("spec.template.spec"),)),
    # https://github.com/knative/caching/blob/main/pkg/apis/caching/v1alpha1/image_types.go
    # (ImageSpec.image, serviceAccountName, imagePullSecrets)
    Kind("caching.internal.knative.dev", "Image", (image("spec.image", pod="spec"),)),
    # https://kubevirt.io/user-guide/storage/disks_and_volumes/#containerdisk (a container image
    # holding the VM's disk, pulled into the virt-launcher pod)
    Kind("kubevirt.io", "VirtualMachineInstance", (image("spec.volumes[*].containerDisk.image"),)),
    *kinds(
        "kubevirt.io",
        ("VirtualMachine", "VirtualMachineInstanceReplicaSet"),
        image("spec.template.spec.volumes[*].containerDisk.image"),
    ),
]
